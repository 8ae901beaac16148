"""/proc files per release (engine.procfs.PROC_SINCE, rules in engine.kversion_mm): a file the
release lacks fails as open() would, ENOENT, and is not offered."""
import pytest

import engine
from engine.procfs import PROC_FILES, PROC_SINCE, files, has_file
from engine.kversion import rules_for


@pytest.mark.parametrize("kernel", ["2.6", "2.6.24", "2.6.25", "3.16", "6.1"])
def test_every_file_renders_or_is_enoent(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    for path in PROC_FILES:
        if has_file(m, path):
            assert isinstance(m.proc(path), str)
        else:
            with pytest.raises(engine.ConfigError, match=r"No such file or directory \(ENOENT\)"):
                m.proc(path)
            assert path not in files(m)


def test_vmallocinfo_appears_in_2_6_25():
    assert not has_file(engine.Machine.boot(ram="160M", kernel="2.6"), "/proc/vmallocinfo")
    m = engine.Machine.boot(ram="160M", kernel="2.6.25")
    assert has_file(m, "/proc/vmallocinfo") and m.proc("/proc/vmallocinfo") is not None
    with pytest.raises(engine.ConfigError) as e:
        engine.Machine.boot(ram="160M", kernel="2.6").proc("/proc/vmallocinfo")
    assert str(e.value).startswith("/proc/vmallocinfo: No such file or directory (ENOENT): Linux 2.6.24")


def test_each_release_dependent_file_has_a_rule():
    for path, (field, _) in PROC_SINCE.items():
        assert path in PROC_FILES and rules_for(field), path
