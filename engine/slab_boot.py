"""The caches a booted kernel has, per flavour, in creation order.

6.1: the caches the Debian 6.1 i386 kernels list in /proc/slabinfo (ground truth,
CPUs=1), oldest first; each row is (name, object_size, align, flags) with the
object size and alignment /sys/kernel/slab reports.  flags: "o" = the free pointer
lives after the object (a constructor or SLAB_TYPESAFE_BY_RCU), "r" =
SLAB_RECLAIM_ACCOUNT (counted in SReclaimable).  The kmalloc families and
kmem_cache/kmem_cache_node are created by code (slab.py / kmalloc.py).
SLUB merges compatible caches; a merged cache appears under the name of its first
creator (vm_area_struct also stands for seq_file, ...), as in the real file.

2.6: a 2.6.24 i386 kernel with SLAB (no ground truth in this repository): the
named caches carry approximate struct sizes of that era; flags as above plus "h" =
SLAB_HWCACHE_ALIGN.  The general caches size-32 ... size-4194304 and their (DMA)
twins come from kmalloc.py.
"""
from __future__ import annotations

BOOT_CACHES_61 = (
    ("vmap_area", 32, 8, ""),
    ("mm_struct", 564, 32, ""),
    ("task_group", 384, 64, ""),
    ("radix_tree_node", 300, 8, "or"),
    ("maple_node", 256, 256, ""),
    ("ftrace_event_field", 36, 8, ""),
    ("trace_event_file", 56, 8, ""),
    ("perf_event", 848, 8, ""),
    ("Acpi-State", 48, 8, ""),
    ("pid", 64, 32, ""),
    ("anon_vma", 52, 8, "o"),
    ("anon_vma_chain", 32, 8, ""),
    ("cred_jar", 128, 32, ""),
    ("task_struct", 2944, 64, ""),
    ("sighand_cache", 1300, 32, "o"),
    ("signal_cache", 736, 32, ""),
    ("files_cache", 256, 32, ""),
    ("vm_area_struct", 72, 8, ""),
    ("nsproxy", 36, 8, ""),
    ("uts_namespace", 416, 8, ""),
    ("key_jar", 160, 32, ""),
    ("lsm_file_cache", 16, 8, ""),
    ("iint_cache", 72, 8, "o"),
    ("net_namespace", 3264, 64, ""),
    ("names_cache", 4096, 32, ""),
    ("dentry", 128, 8, "r"),
    ("inode_cache", 408, 8, "or"),
    ("filp", 160, 32, ""),
    ("mnt_cache", 168, 32, ""),
    ("kernfs_node_cache", 76, 8, ""),
    ("kernfs_iattrs_cache", 64, 8, ""),
    ("shmem_inode_cache", 480, 8, "o"),
    ("bdev_cache", 968, 32, "or"),
    ("sigqueue", 48, 8, ""),
    ("proc_inode_cache", 448, 8, "or"),
    ("pde_opener", 20, 8, ""),
    ("proc_dir_entry", 128, 8, ""),
    ("taskstats", 416, 8, ""),
    ("buffer_head", 60, 8, "r"),
    ("fsnotify_mark_connector", 24, 8, ""),
    ("file_lock_cache", 128, 8, ""),
    ("skbuff_head_cache", 192, 32, ""),
    ("sock_inode_cache", 576, 32, "or"),
    ("uid_cache", 80, 32, ""),
    ("user_namespace", 412, 8, ""),
    ("biovec-16", 192, 32, ""),
    ("biovec-64", 768, 32, ""),
    ("biovec-128", 1536, 32, ""),
    ("biovec-max", 3072, 32, ""),
    ("bio-144", 144, 32, ""),
    ("request_queue", 552, 8, ""),
    ("request_queue_srcu", 756, 8, ""),
    ("sgpool-16", 320, 32, ""),
    ("sgpool-32", 640, 32, ""),
    ("sgpool-64", 1280, 32, ""),
    ("sgpool-128", 2560, 32, ""),
    ("ep_head", 8, 8, ""),
    ("bio-188", 188, 32, ""),
    ("dquot", 156, 32, ""),
    ("hugetlbfs_inode_cache", 416, 8, "or"),
    ("TCP", 1768, 32, ""),
    ("request_sock_TCP", 232, 8, "o"),
    ("tw_sock_TCP", 200, 8, "o"),
    ("UDP", 896, 32, ""),
    ("RAW", 744, 32, ""),
    ("xfrm_state", 540, 32, ""),
    ("xfrm_dst_cache", 208, 32, ""),
    ("request_sock_subflow_v4", 288, 8, "o"),
    ("MPTCP", 1440, 32, "o"),
    ("ip4-frags", 136, 8, ""),
    ("UNIX", 768, 32, ""),
    ("posix_timers_cache", 164, 8, ""),
    ("pid_namespace", 80, 8, ""),
    ("userfaultfd_ctx_cache", 76, 32, "o"),
    ("kioctx", 448, 64, ""),
    ("mqueue_inode_cache", 608, 32, "or"),
    ("bio-208", 208, 32, ""),
    ("bio-96", 96, 32, "o"),
    ("TCPv6", 1880, 32, ""),
    ("request_sock_TCPv6", 232, 8, "o"),
    ("tw_sock_TCPv6", 200, 8, "o"),
    ("UDPv6", 1024, 32, ""),
    ("RAWv6", 896, 32, ""),
    ("request_sock_subflow_v6", 288, 8, "o"),
    ("MPTCPv6", 1552, 32, ""),
    ("fscrypt_info", 96, 8, ""),
    ("fsverity_info", 240, 8, ""),)

# name, object size (bytes, 2.6.24 i386, approximate), align, flags
BOOT_CACHES_26 = (
    ("pid", 44, 0, "h"),
    ("radix_tree_node", 288, 0, "or"),
    ("idr_layer_cache", 136, 0, "o"),
    ("anon_vma", 12, 0, "o"),
    ("vm_area_struct", 84, 0, ""),
    ("mm_struct", 420, 0, "h"),
    ("fs_cache", 32, 0, "h"),
    ("files_cache", 192, 0, "h"),
    ("signal_cache", 428, 0, "h"),
    ("sighand_cache", 1288, 0, "oh"),
    ("task_struct", 1328, 16, ""),
    ("names_cache", 4096, 0, "h"),
    ("dentry", 132, 0, "r"),
    ("inode_cache", 340, 0, "or"),
    ("filp", 128, 0, "h"),
    ("buffer_head", 56, 0, "or"),
    ("bio", 76, 0, "h"),
    ("blkdev_requests", 164, 0, ""),
    ("sock_inode_cache", 372, 0, "ohr"),
    ("skbuff_head_cache", 160, 0, "h"),
    ("proc_inode_cache", 356, 0, "or"),
)

# The PAE kernel (686-pae) differs: wider page-table types grow some structures,
# which also changes what SLUB merges (seq_file no longer fits vm_area_struct's
# cache; pid_namespace and the sgpool caches merge into others).
PAE_SIZES_61 = {"task_struct": 3008, "vm_area_struct": 80, "bdev_cache": 976}
PAE_ONLY_61 = {"sigqueue": ("seq_file", 72, 8, "")}       # created right after the key
NON_PAE_ONLY_61 = frozenset({"pid_namespace", "sgpool-16", "sgpool-32", "sgpool-64",
                             "sgpool-128"})
# bio-96 appears only on the larger ground-truth machines (1 GB and up), not on 64/160 MB
MIN_RAM_61 = {"bio-96": 512 << 20}
