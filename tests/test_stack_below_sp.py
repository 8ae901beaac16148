"""do_page_fault()'s stack check before 4.20: a user access below the stack VMA more than
64 KB + 128 bytes under the stack pointer is SIGSEGV, not stack growth (rule
stack_below_sp_check, commit 1d8ca3be86eb); a kernel-mode access (copy_to_user) is not checked."""
import pytest

import engine

LIMIT = 65536 + 32 * 4


def stack(p):
    return next(v for v in p.vmas if v.vm_flags & 0x100)


@pytest.mark.parametrize("kernel,checked", [("2.6", True), ("4.19", True), ("4.20", False),
                                            ("6.1", False)])
def test_far_below_the_stack_pointer(kernel, checked):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn("example")
    low = stack(p).start
    far = low - 4                                          # just below the VMA: it would grow
    assert far + LIMIT < p.sp                              # ... but far below esp
    if checked:
        with pytest.raises(engine.SegFault) as e:
            m.write_virt(far, b"x", pid=p.pid)
        assert e.value.reason.startswith("more than 64 KB + 128 bytes below the stack pointer")
        assert stack(p).start == low                       # nothing grew
        segv = [ev for ev in m.events if type(ev).__name__ == "Segv"][-1]
        assert segv.path[-2:] == ("expand_stack", "bad_area")
    else:
        m.write_virt(far, b"x", pid=p.pid)
        assert stack(p).start == far & ~0xFFF
    p.sp = stack(p).start + 64                             # esp moved down (a large alloca)
    near = stack(p).start - 4
    m.write_virt(near, b"x", pid=p.pid)                    # within the cushion: the stack grows
    assert stack(p).start == near & ~0xFFF
    m.check()


def test_kernel_mode_access_is_not_checked():
    m = engine.Machine.boot(ram="160M", kernel="2.6")
    p = m.spawn("example")
    far = (p.sp - 4 * LIMIT) & ~0xFFF
    m.access(far, "write", pid=p.pid, user=False)          # copy_to_user(): expand_stack()
    assert stack(p).start == far


def test_access_moves_the_stack_pointer_like_a_call_chain():
    m = engine.Machine.boot(ram="160M", kernel="2.6")
    p = m.spawn("example")
    deep = stack(p).start - 12 * 4096
    m.access(deep, "write", p.pid, sp=deep)                 # esp went down with the calls
    assert p.sp == deep and stack(p).start == deep
