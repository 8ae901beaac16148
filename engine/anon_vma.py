"""anon_vma objects: what groups a VMA's anonymous pages for the reverse map (mm/rmap.c).

Each is a slab object of the ``anon_vma`` cache, allocated by anon_vma_prepare() on
the first anonymous fault of a VMA (do_anonymous_page(), the copy of do_wp_page(), a
private file mapping's written page) unless a neighbouring VMA's can be reused
(find_mergeable_anon_vma()).  How VMAs hang off it changes in 2.6.34
(Flavour.anon_vma_chain, engine.kversion_mm):

* 2.6.24 .. 2.6.33: the VMA is on the anon_vma's list (``vma->anon_vma_node`` on
  ``anon_vma->head``), no object of its own.  fork() links the child's VMA to the
  parent's anon_vma (anon_vma_link()); the anon_vma is freed when its last VMA is
  unlinked (anon_vma_unlink()).
* 2.6.34 on: one ``anon_vma_chain`` object per (VMA, anon_vma) pair.  fork()
  (anon_vma_fork()) clones the parent VMA's chain, then gives the child VMA an
  anon_vma of its own (root = the parent's root, which it holds a reference on) with
  one more chain -- unless anon_vma_clone() found one to reuse (3.19 on: an anon_vma
  with no VMA of its own and fewer than two children).  unlink_anon_vmas() frees the
  chains; an anon_vma whose tree became empty drops its reference (put_anon_vma()),
  and the root goes when its last child has gone.

A VMA carries ``anon_vma`` (its own, or None) and ``avc``, its chain in order
(``vma->anon_vma_chain``): (anon_vma, the chain object's address) pairs, the address
None where there is no object (before 2.6.34) and UNLINKED in a VMA copied by a split
or a merge until engine.tasks.sync_vmas links it.  Objects are kept only through the
VMAs that reach them (no reference back, no cycle), so a copied machine copies them
with its VMAs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .mm import AVC_UNLINKED as UNLINKED, VM_EXEC, VM_READ, VM_WRITE

if TYPE_CHECKING:
    from .machine import Machine

ACCESS = VM_READ | VM_WRITE | VM_EXEC


class AnonVma:
    """struct anon_vma: its slab address, root and parent (None: itself), refcount, and
    how many VMAs are linked to it (the size of its interval tree or list)."""

    __slots__ = ("addr", "root_", "parent_", "refcount", "num_children", "num_active_vmas", "nvmas")

    def __init__(self, addr: int | None) -> None:
        self.addr = addr
        self.root_ = self.parent_ = None
        self.refcount = 1
        self.num_children = 0
        self.num_active_vmas = 0
        self.nvmas = 0

    @property
    def root(self) -> "AnonVma":
        return self.root_ or self

    @property
    def parent(self) -> "AnonVma":
        return self.parent_ or self

    def __repr__(self) -> str:
        addr = f"{self.addr:#010x}" if self.addr is not None else "-"
        return f"AnonVma({addr}, {self.nvmas} VMAs)"


def _slab(m: Machine, cache: str, addr: int | None = None):
    from .tasks import slab_object
    return slab_object(m, cache, addr)


def anon_vma_alloc(m: Machine) -> AnonVma:
    """kmem_cache_alloc(anon_vma_cachep, GFP_KERNEL)."""
    return AnonVma(_slab(m, "anon_vma"))


def _compatible(a, b) -> bool:
    """anon_vma_compatible(): a directly below b, same file, flags equal but for the
    access bits, pgoff contiguous."""
    return (a.end == b.start and a.file is b.file and not (a.vm_flags ^ b.vm_flags) & ~ACCESS
            and b.pgoff == a.pgoff + ((a.end - a.start) >> 12))


def find_mergeable_anon_vma(m: Machine, mm, vma):
    """The neighbour's anon_vma if the two VMAs could merge but for their protections;
    2.6.34 on only a neighbour linked to nothing else (reusable_anon_vma())."""
    chains = m.config.flavour.anon_vma_chain
    i = mm.index(vma)
    for near, below in ((mm.vmas[i + 1] if i + 1 < len(mm.vmas) else None, True),
                        (mm.vmas[i - 1] if i > 0 else None, False)):
        if near is None or near.anon_vma is None:
            continue
        a, b = (vma, near) if below else (near, vma)
        if _compatible(a, b) and (not chains or len(near.avc) == 1):
            return near.anon_vma
    return None


def _link(m: Machine, av: AnonVma):
    """anon_vma_chain_link(): the chain entry (an anon_vma_chain object from 2.6.34,
    2.6.24's list_add_tail() before)."""
    av.nvmas += 1
    return (av, _slab(m, "anon_vma_chain") if m.config.flavour.anon_vma_chain else None)


def anon_vma_prepare(m: Machine, mm, vma) -> AnonVma:
    """The VMA's anon_vma, allocated (or a neighbour's reused) on its first anonymous fault."""
    av = vma.anon_vma
    if av is not None:
        return av
    av = find_mergeable_anon_vma(m, mm, vma)
    if av is None:
        av = anon_vma_alloc(m)
        av.num_children += 1                 # self-parent link for a new root
    vma.anon_vma = av
    vma.avc = [_link(m, av)]
    av.num_active_vmas += 1
    return av


def anon_vma_fork(m: Machine, child_vma, parent_vma) -> None:
    """dup_mmap()'s anon_vma_link() (before 2.6.34) or anon_vma_fork()."""
    pav = parent_vma.anon_vma
    child_vma.anon_vma, child_vma.avc = None, []
    if pav is None:
        return
    if not m.config.flavour.anon_vma_chain:
        child_vma.anon_vma, child_vma.avc = pav, [_link(m, pav)]
        return
    reuse = m.config.flavour.anon_vma_reuse
    chain = [av for av, _ in parent_vma.avc]
    for av in reversed(chain):                       # anon_vma_clone()
        if (reuse and child_vma.anon_vma is None and av.num_children < 2
                and av.num_active_vmas == 0):
            child_vma.anon_vma = av
    child_vma.avc = [_link(m, av) for av in chain]
    if child_vma.anon_vma is not None:
        child_vma.anon_vma.num_active_vmas += 1
        return
    av = anon_vma_alloc(m)
    av.num_active_vmas += 1
    av.root_, av.parent_ = pav.root, pav
    av.root.refcount += 1                            # get_anon_vma(anon_vma->root)
    child_vma.anon_vma = av
    child_vma.avc.append(_link(m, av))
    pav.num_children += 1


def put_anon_vma(m: Machine, av: AnonVma) -> None:
    """The last reference frees the object, and drops the one it held on its root."""
    av.refcount -= 1
    if av.refcount:
        return
    if av.addr is not None:
        _slab(m, "anon_vma", av.addr)
        av.addr = None
    if av.root_ is not None:
        put_anon_vma(m, av.root_)


def unlink_anon_vmas(m: Machine, vma) -> None:
    """anon_vma_unlink() / unlink_anon_vmas(): the VMA leaves every anon_vma it is
    linked to; an anon_vma left with no VMA is put (freed on 2.6.24)."""
    chains = m.config.flavour.anon_vma_chain
    emptied = []
    for av, addr in vma.avc:
        if addr == UNLINKED:
            continue
        if addr is not None:
            _slab(m, "anon_vma_chain", addr)
        av.nvmas -= 1
        if not av.nvmas:
            if chains:
                av.parent.num_children -= 1
            emptied.append(av)
    if vma.anon_vma is not None and all(a != UNLINKED for _, a in vma.avc):
        vma.anon_vma.num_active_vmas -= 1
    vma.anon_vma, vma.avc = None, []
    for av in emptied:
        put_anon_vma(m, av)


def relink(m: Machine, vma) -> None:
    """A VMA a split or a merge made: linked to every anon_vma its chain names
    (anon_vma_clone() of the VMA it came from; __vma_link() on 2.6.24)."""
    if all(addr != UNLINKED for _, addr in vma.avc):
        return
    vma.avc = [_link(m, av) if addr == UNLINKED else (av, addr) for av, addr in vma.avc]
    if vma.anon_vma is not None:
        vma.anon_vma.num_active_vmas += 1
