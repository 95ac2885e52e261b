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
#define DORMANT_ABI_MINOR	6

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
/*
 * DORMANT_F_POD: a page of an object can be owned by another host of a pod
 *   (Documentation/design.rst, "The pod"). Such a page is *remote*: neither
 *   present nor dormant here. A fault on it is handed to the local pod
 *   daemon through a pod channel (DORMANT_IOC_POD_OPEN) and waits for the
 *   daemon's DORMANT_IOC_POD_GRANT; DORMANT_IOC_POD_RELEASE gives pages up
 *   to another host. dormant_obj_stats.remote and .pod_requests are valid.
 */
#define DORMANT_F_POD		(1ULL << 2)
/*
 * DORMANT_F_POD_RECOVER (ABI 0.5): what a pod daemon needs when a peer or
 *   the daemon itself went away: DORMANT_POD_GRANT_FAIL fails the faults
 *   waiting for pages that cannot come, DORMANT_IOC_POD_MAP says who owns
 *   each page as the module recorded it, dormant_obj_stats.pod_failed
 *   counts the faults that failed.
 */
#define DORMANT_F_POD_RECOVER	(1ULL << 3)
/*
 * DORMANT_F_NODE_BITMAP (ABI 0.6): DORMANT_IOC_GET_VERSION fills a bitmap
 *   of every served node (dormant_version.nodes), for nodes past 63 that
 *   node_mask cannot show.
 */
#define DORMANT_F_NODE_BITMAP	(1ULL << 4)
/*
 * DORMANT_F_VCPU_STATS_V2 (ABI 0.6): DORMANT_IOC_VCPU_STATS takes the
 *   caller's entry size (dormant_vcpu_stats_req.entry_size), so that
 *   struct dormant_vcpu_stats can grow, and fills .missed_stalls and
 *   .remote_stalls.
 */
#define DORMANT_F_VCPU_STATS_V2	(1ULL << 5)
#define DORMANT_F_ALL		(DORMANT_F_MEMFS | DORMANT_F_VCPU_STATS | \
				 DORMANT_F_POD | DORMANT_F_POD_RECOVER | \
				 DORMANT_F_NODE_BITMAP | DORMANT_F_VCPU_STATS_V2)

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
 * @node_mask:      out: bit n set if node n is served, for nodes 0..63 only:
 *                  if @nr_nodes is more than its bits, ask for @nodes.
 * @nodes:          in: 0, or a user pointer to a bitmap of @nodes_bits bits
 *                  (an array of __u64, bit n of word n / 64 for node n)
 *                  that the module fills with every served node
 *                  (DORMANT_F_NODE_BITMAP); out: unchanged.
 * @nodes_bits:     in: size of @nodes in bits, a multiple of 64 up to
 *                  DORMANT_NODES_BITS_MAX, 0 with @nodes 0; out: the bits
 *                  needed for the highest served node (a multiple of 64).
 *                  If that is more than was given, the bitmap holds the
 *                  first nodes only: ask again with more room.
 * @reserved0:      in: must be zero; out: zero.
 * @reserved:       in: must be zero; out: zero.
 */
struct dormant_version {
	__u32 flags;
	__u32 abi_major;
	__u32 abi_minor;
	__u32 nr_nodes;
	__u64 features;
	__u64 node_mask;
	__u64 nodes;
	__u32 nodes_bits;
	__u32 reserved0;
	__u64 reserved[2];
};

/* Largest bitmap DORMANT_IOC_GET_VERSION fills (Linux's MAX_NUMNODES cap). */
#define DORMANT_NODES_BITS_MAX	65536

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
 * @remote:    out: pages owned by another host of the pod (DORMANT_F_POD).
 * @pod_requests: out: requests for remote pages that faults sent to the
 *             pod daemon, since creation (DORMANT_F_POD).
 * @pod_failed: out: faults on remote pages that failed (SIGBUS) because
 *             the page did not come in time or the daemon said it cannot
 *             come (DORMANT_POD_GRANT_FAIL), since creation
 *             (DORMANT_F_POD_RECOVER).
 * @reserved:  in: must be zero; out: zero.
 *
 * @dormant counts the pages neither present nor remote.
 */
struct dormant_obj_stats {
	__u32 flags;
	__u32 pad;
	__u64 size;
	__u64 present;
	__u64 dormant;
	__u64 faults;
	__u64 discards;
	__u64 remote;
	__u64 pod_requests;
	__u64 pod_failed;
	__u64 reserved;
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
 * @missed_stalls:  violations in memory of ours that were not classified
 *                  because the process's mmap_lock was taken: counted
 *                  here, not in @dormant_stalls or @backed_stalls
 *                  (DORMANT_F_VCPU_STATS_V2)
 * @remote_stalls:  violations on pages owned by another host of the pod,
 *                  timed like the others (DORMANT_F_VCPU_STATS_V2)
 * @reserved:       zero
 *
 * The structure grows at its end only, and callers say which size they
 * know (dormant_vcpu_stats_req.entry_size); DORMANT_VCPU_STATS_SIZE_V1 is
 * its size in ABI 0.5 (where @missed_stalls was reserved) and the least a
 * caller may give.
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
	__u64 missed_stalls;
	__u64 remote_stalls;
	__u64 reserved[2];
};

#define DORMANT_VCPU_STATS_SIZE_V1	328

/* Zero every vCPU's counters after reading them. */
#define DORMANT_VCPU_STATS_RESET	(1U << 0)

/**
 * struct dormant_vcpu_stats_req - argument of DORMANT_IOC_VCPU_STATS
 * @flags:    in: DORMANT_VCPU_STATS_RESET or 0
 * @count:    in: room in @entries; out: how many vCPUs there are. If they
 *            did not all fit, the first @count are copied and the command
 *            fails with -ENOSPC (ask again with more room)
 * @entries:  in: user pointer to an array of struct dormant_vcpu_stats
 * @entry_size: in: the size of one entry in @entries as the caller knows
 *            it (its stride): 0 for DORMANT_VCPU_STATS_SIZE_V1, else a
 *            multiple of 8 from DORMANT_VCPU_STATS_SIZE_V1 up to 4096
 *            (DORMANT_F_VCPU_STATS_V2). The module fills what it knows of
 *            each entry and zeroes the rest. out: the size the module
 *            knows (at most what was given).
 * @reserved0: in: must be zero
 * @reserved: in: must be zero
 *
 * With DORMANT_VCPU_STATS_RESET, only the entries copied out are reset,
 * each counter read and zeroed at once (no increment is lost).
 */
struct dormant_vcpu_stats_req {
	__u32 flags;
	__u32 count;
	__u64 entries;
	__u32 entry_size;
	__u32 reserved0;
	__u64 reserved[3];
};

/*
 * The pod (DORMANT_F_POD). Both commands below need CAP_SYS_ADMIN: they
 * decide where a guest's memory lives.
 */

/* Most requests a pod channel queues (queue_len), and its default. */
#define DORMANT_POD_QUEUE_MAX		65536
#define DORMANT_POD_QUEUE_DEFAULT	1024

/**
 * struct dormant_pod_open - argument of DORMANT_IOC_POD_OPEN, asked of the
 * control device: opens a pod channel, the file descriptor through which
 * the module hands faults on remote pages to the pod daemon
 * @flags:     in: must be zero.
 * @queue_len: in: requests the channel queues before faults wait for room
 *             (a power of two up to DORMANT_POD_QUEUE_MAX; 0 for
 *             DORMANT_POD_QUEUE_DEFAULT).
 * @fd:        in: must be zero; out: the channel (close-on-exec). read(2) it for struct
 *             dormant_pod_request entries, whole ones only; poll(2) says
 *             when there are some; closing it detaches its objects (their
 *             waiting faults ask again once another channel attaches them).
 * @pad:       in: must be zero.
 * @reserved:  in: must be zero.
 */
struct dormant_pod_open {
	__u32 flags;
	__u32 queue_len;
	__s32 fd;
	__u32 pad;
	__u64 reserved[4];
};

/**
 * struct dormant_pod_attach - argument of DORMANT_IOC_POD_ATTACH, asked of
 * a pod channel: its faults on remote pages of an object go to this channel
 * @flags:    in: must be zero.
 * @obj_fd:   in: a file descriptor of the object (a regular file of the
 *            dormant filesystem).
 * @obj_id:   in: the daemon's number for the object, copied into every
 *            request for its pages.
 * @pad:      in: must be zero.
 * @reserved: in: must be zero.
 *
 * An object attached to a channel that is still open cannot be attached to
 * another one (-EBUSY). @obj_fd must be open for writing (-EBADF), and the
 * caller needs CAP_SYS_ADMIN (-EPERM), as for the channel itself.
 */
struct dormant_pod_attach {
	__u32 flags;
	__s32 obj_fd;
	__u32 obj_id;
	__u32 pad;
	__u64 reserved[4];
};

/* The fault that asks was a write. */
#define DORMANT_POD_REQ_WRITE	(1U << 0)

/**
 * struct dormant_pod_request - what read(2) of a pod channel returns: a
 * fault is waiting for a remote page
 * @obj_id:   the object's number (struct dormant_pod_attach)
 * @flags:    DORMANT_POD_REQ_* bits
 * @offset:   byte offset of the page in the object (4 KiB aligned)
 * @len:      bytes asked for (4096)
 * @owner:    the host the object's page cache records as the owner
 * @reserved: zero
 */
struct dormant_pod_request {
	__u32 obj_id;
	__u32 flags;
	__u64 offset;
	__u64 len;
	__u32 owner;
	__u32 reserved;
};

/* Most bytes one DORMANT_IOC_POD_RELEASE or _GRANT moves: 2 MiB. */
#define DORMANT_POD_XFER_MAX	(2U << 20)
#define DORMANT_POD_XFER_PAGES	(DORMANT_POD_XFER_MAX / 4096)

/*
 * DORMANT_IOC_POD_RELEASE flag: if the 2 MiB block around the range lies
 * inside the object and is wholly dormant here (no present page, none
 * remote), give up the whole block: one move instead of 512, and still no
 * data.
 */
#define DORMANT_POD_RELEASE_BLOCK	(1U << 0)

/*
 * DORMANT_IOC_POD_GRANT flag (DORMANT_F_POD_RECOVER): the pages cannot
 * come (their owner left the pod). Nothing is installed: the faults
 * waiting for those pages of the range that are still remote fail with
 * SIGBUS and a log line; the pages stay remote, and a later fault asks
 * again. @data_pages must be zero. Pages of the range that are not remote
 * (granted meanwhile) are left alone.
 */
#define DORMANT_POD_GRANT_FAIL		(1U << 1)

/**
 * struct dormant_pod_xfer - argument of DORMANT_IOC_POD_RELEASE and
 * DORMANT_IOC_POD_GRANT, asked of an object opened for writing
 * @flags:      in: RELEASE: DORMANT_POD_RELEASE_BLOCK or 0; GRANT:
 *              DORMANT_POD_GRANT_FAIL or 0.
 * @owner:      RELEASE, in: the host that owns the pages from now on
 *              (1..65535; the number is the daemon's). GRANT: must be zero.
 * @offset:     in: byte offset of the first page (4 KiB aligned).
 *              RELEASE, out: where the range given up starts.
 * @len:        in: bytes (a multiple of 4 KiB, 1 to DORMANT_POD_XFER_MAX,
 *              not crossing a 2 MiB boundary of the object, inside it).
 *              RELEASE, out: the bytes given up (the range may widen to
 *              its 2 MiB block, see below).
 * @data:       in: user pointer to @len bytes (RELEASE: to
 *              DORMANT_POD_XFER_MAX bytes, all of which it may write,
 *              since the range may widen). RELEASE writes the
 *              contents of the pages that hold data there; GRANT reads
 *              the contents of the pages named in @data_pages from there.
 *              Page i of the range is at @data + i * 4096.
 * @data_pages: RELEASE, out; GRANT, in: bit i set if page i of the range
 *              holds data (is at @data). A page whose bit is clear is
 *              dormant: it was never written, or holds only zeros, and
 *              moves as ownership alone.
 * @nr_data:    RELEASE, out: how many bits of @data_pages are set. GRANT:
 *              must be zero.
 * @pad:        in: must be zero.
 * @reserved:   in: must be zero.
 *
 * RELEASE: every page of the range must be owned here (present or
 * dormant; -EREMOTE otherwise). Their contents are copied out, they are
 * unmapped from every mapping (KVM drops its NPT/EPT entries), their
 * memory is freed, and they become remote, owned by @owner. A 2 MiB page
 * that the range cuts is given up whole. A page pinned for DMA (vfio,
 * io_uring) makes it fail with -EBUSY, and nothing changed.
 *
 * GRANT: every page of the range must be remote (-EEXIST otherwise). A
 * page with data gets a local page holding it; a dormant one becomes
 * dormant here (its first fault takes a pre-zeroed page). Faults waiting
 * on them go on.
 */
struct dormant_pod_xfer {
	__u32 flags;
	__u32 owner;
	__u64 offset;
	__u64 len;
	__u64 data;
	__u64 data_pages[DORMANT_POD_XFER_PAGES / 64];
	__u32 nr_data;
	__u32 pad;
	__u64 reserved[4];
};

/* What DORMANT_IOC_POD_MAP says of a page that is owned here. */
#define DORMANT_POD_MAP_LOCAL	0

/**
 * struct dormant_pod_map - argument of DORMANT_IOC_POD_MAP, asked of an
 * object (DORMANT_F_POD_RECOVER): who owns each page of a range, as the
 * module recorded it
 * @flags:    in: must be zero.
 * @pad:      in: must be zero.
 * @offset:   in: byte offset of the first page (4 KiB aligned).
 * @len:      in: bytes (a multiple of 4 KiB, 1 to DORMANT_POD_XFER_MAX,
 *            not crossing a 2 MiB boundary of the object, inside it).
 * @owners:   in: user pointer to one __u32 per page of the range; out:
 *            DORMANT_POD_MAP_LOCAL for a page owned here (present or
 *            dormant), else the host it was released to (1..65535).
 * @reserved: in: must be zero.
 *
 * A page released to host N may have moved on from N since: the module
 * only knows where it sent it. A pod daemon that restarts reads its
 * objects this way and asks the other members for the rest.
 */
struct dormant_pod_map {
	__u32 flags;
	__u32 pad;
	__u64 offset;
	__u64 len;
	__u64 owners;
	__u64 reserved[4];
};

#define DORMANT_IOC_MAGIC	0xd0

#define DORMANT_IOC_GET_VERSION	_IOWR(DORMANT_IOC_MAGIC, 0x00, struct dormant_version)
#define DORMANT_IOC_OBJ_STATS	_IOWR(DORMANT_IOC_MAGIC, 0x01, struct dormant_obj_stats)
#define DORMANT_IOC_VCPU_STATS	_IOWR(DORMANT_IOC_MAGIC, 0x02, struct dormant_vcpu_stats_req)
#define DORMANT_IOC_POD_OPEN	_IOWR(DORMANT_IOC_MAGIC, 0x03, struct dormant_pod_open)
#define DORMANT_IOC_POD_ATTACH	_IOW(DORMANT_IOC_MAGIC, 0x04, struct dormant_pod_attach)
#define DORMANT_IOC_POD_RELEASE	_IOWR(DORMANT_IOC_MAGIC, 0x05, struct dormant_pod_xfer)
#define DORMANT_IOC_POD_GRANT	_IOW(DORMANT_IOC_MAGIC, 0x06, struct dormant_pod_xfer)
#define DORMANT_IOC_POD_MAP	_IOW(DORMANT_IOC_MAGIC, 0x07, struct dormant_pod_map)

#endif /* _UAPI_LINUX_DORMANT_H */
