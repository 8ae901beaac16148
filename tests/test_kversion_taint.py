"""Release boundary of rule slab_bug_taints (engine.kversion_log): SLUB's slab_bug() and SLAB's
__slab_error() add TAINT_BAD_PAGE after their report from 3.7 (3.6.0 mm/slub.c and mm/slab.c
have no add_taint(); 3.7.2 mm/slub.c:568 and mm/slab.c:807 have it)."""
from __future__ import annotations

import pytest

import engine
from engine.taint import TAINT_BAD_PAGE


@pytest.mark.parametrize("kernel,taints", [("3.5", False), ("3.6", False), ("3.6.11", False),
                                           ("3.7", True), ("3.8", True)])
def test_slub_double_free_taints_bad_page_from_37(kernel, taints):
    m = engine.Machine.boot(ram="64M", kernel=kernel, allocator="slub")
    m.kmem_cache_create("t", 64)
    v = m.kmem_cache_alloc("t")
    m.kmem_cache_free("t", v)
    assert m.tainted_mask == 0
    with pytest.raises(engine.BadFree) as e:
        m.kmem_cache_free("t", v)
    assert str(e.value).startswith("BUG t (Not tainted): ")      # printed before the taint
    assert m.tainted_mask == ((1 << TAINT_BAD_PAGE) if taints else 0), kernel
