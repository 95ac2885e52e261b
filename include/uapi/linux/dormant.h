/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dormant: guest memory that starts dormant (no page behind it, reads as
 * zero) and is served from per-NUMA-node pools of pre-zeroed pages.
 *
 * This is the user/kernel ABI of the control device /dev/dormant.
 *
 * Rules every command follows (Documentation/process/botching-up-ioctls.rst):
 *  - structs have fixed-size members only and are padded to 64 bits;
 *  - every flag the kernel does not know, and every reserved field, must be
 *    zero, or the command fails with -EINVAL and a kernel log line;
 *  - new members are only ever added at the end, in place of reserved ones,
 *    and announced by a bit in dormant_version.features.
 */
#ifndef _UAPI_LINUX_DORMANT_H
#define _UAPI_LINUX_DORMANT_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * ABI version. The major number changes only if an existing command changes
 * meaning (never, we hope); the minor number grows with new commands and
 * feature bits. Userspace checks the major number and the feature bits.
 */
#define DORMANT_ABI_MAJOR	0
#define DORMANT_ABI_MINOR	3

/* Path of the control device, created by the module (a misc device). */
#define DORMANT_CTL_PATH	"/dev/dormant"

/*
 * Feature bits reported in dormant_version.features.
 *
 * DORMANT_F_MEMFS: the module registers the "dormant" filesystem. Its
 *   regular files are guest memory objects: every page starts dormant
 *   (reads as zero, nothing behind it), a fault takes a zeroed page from the
 *   faulting NUMA node's pool, fallocate(PUNCH_HOLE|KEEP_SIZE) and
 *   MADV_REMOVE make pages dormant again. Sizes must be page multiples;
 *   mappings must be MAP_SHARED. The files answer DORMANT_IOC_OBJ_STATS.
 */
#define DORMANT_F_MEMFS		(1ULL << 0)
/*
 * DORMANT_F_VCPU_STATS: the module sees KVM's EPT/NPT violations (through
 *   KVM's kvm_page_fault and kvm_entry tracepoints, once kvm.ko is loaded;
 *   /sys/kernel/dormant/kvm_hook says whether it is attached) and accounts
 *   stalls on its memory per VM and vCPU: DORMANT_IOC_VCPU_STATS.
 */
#define DORMANT_F_VCPU_STATS	(1ULL << 1)
#define DORMANT_F_ALL		(DORMANT_F_MEMFS | DORMANT_F_VCPU_STATS)

/* f_type of the "dormant" filesystem, as statfs(2) reports it ("dorm"). */
#define DORMANT_FS_MAGIC	0x646f726d

/**
 * struct dormant_version - argument of DORMANT_IOC_GET_VERSION
 * @flags:          in: must be zero (no flags are defined yet).
 * @abi_major:      out: DORMANT_ABI_MAJOR of the running module.
 * @abi_minor:      out: DORMANT_ABI_MINOR of the running module.
 * @nr_nodes:       out: number of NUMA nodes with memory that the module
 *                  serves (one pool and one zeroing thread per node).
 * @features:       out: DORMANT_F_* bits the module supports.
 * @node_mask:      out: bit n set if node n is served (nodes 0..63).
 * @reserved:       in: must be zero; out: zero.
 */
struct dormant_version {
	__u32 flags;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 nr_nodes;
	__u64 features;
	__u64 node_mask;
	__u64 reserved[4];
};

/**
 * struct dormant_obj_stats - argument of DORMANT_IOC_OBJ_STATS, asked of a
 * guest memory object (a regular file of the dormant filesystem)
 * @flags:     in: must be zero.
 * @pad:       in: must be zero.
 * @size:      out: the object's size in bytes.
 * @present:   out: pages backed by a real page.
 * @dormant:   out: pages with nothing behind them (size in pages - present).
 * @faults:    out: dormant pages made present by a fault, since creation.
 * @discards:  out: present pages made dormant again (hole punching,
 *             MADV_REMOVE, truncation), since creation.
 * @reserved:  in: must be zero; out: zero.
 */
struct dormant_obj_stats {
	__u32 flags;
	__u32 pad;
	__u64 size;
	__u64 present;
	__u64 dormant;
	__u64 faults;
	__u64 discards;
	__u64 reserved[4];
};

/* Buckets of the stall latency histogram: bucket b counts stalls that
 * lasted [2^b, 2^(b+1)) ns (bucket 0 also takes 0 ns, the last one
 * everything longer).
 */
#define DORMANT_HIST_BUCKETS	32

/**
 * struct dormant_vcpu_stats - one vCPU's stalls on dormant memory
 * @vm_id:          the module's number for the VM (stable while it is known)
 * @vcpu_id:        KVM's vcpu_id
 * @pid:            the process that runs the VM
 * @pad:            zero
 * @dormant_stalls: EPT/NPT violations on dormant pages of our objects
 * @backed_stalls:  violations on pages of our objects already backed (their
 *                  host mapping was gone, e.g. after a host-side access
 *                  pattern or reclaim of KVM's entry)
 * @stall_ns_total: time from those violations to the vCPU's next guest entry
 * @hist:           the same, as a log2 histogram (DORMANT_HIST_BUCKETS)
 * @reserved:       zero
 */
struct dormant_vcpu_stats {
	__u32 vm_id;
	__u32 vcpu_id;
	__u32 pid;
	__u32 pad;
	__u64 dormant_stalls;
	__u64 backed_stalls;
	__u64 stall_ns_total;
	__u64 hist[DORMANT_HIST_BUCKETS];
	__u64 reserved[4];
};

/* Zero every vCPU's counters after reading them. */
#define DORMANT_VCPU_STATS_RESET	(1U << 0)

/**
 * struct dormant_vcpu_stats_req - argument of DORMANT_IOC_VCPU_STATS
 * @flags:    in: DORMANT_VCPU_STATS_RESET or 0
 * @count:    in: room in @entries; out: how many vCPUs there are. If they
 *            did not all fit, the first @count are copied and the command
 *            fails with -ENOSPC (ask again with more room)
 * @entries:  in: user pointer to an array of struct dormant_vcpu_stats
 * @reserved: in: must be zero
 */
struct dormant_vcpu_stats_req {
	__u32 flags;
	__u32 count;
	__u64 entries;
	__u64 reserved[4];
};

#define DORMANT_IOC_MAGIC	0xd0

#define DORMANT_IOC_GET_VERSION	_IOWR(DORMANT_IOC_MAGIC, 0x00, struct dormant_version)
#define DORMANT_IOC_OBJ_STATS	_IOWR(DORMANT_IOC_MAGIC, 0x01, struct dormant_obj_stats)
#define DORMANT_IOC_VCPU_STATS	_IOWR(DORMANT_IOC_MAGIC, 0x02, struct dormant_vcpu_stats_req)

#endif /* _UAPI_LINUX_DORMANT_H */
