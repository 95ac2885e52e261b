// SPDX-License-Identifier: GPL-2.0
/*
 * dormant: module load and unload, and the control device /dev/dormant.
 *
 * Copyright (C) 2026 The dormant developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/uaccess.h>
#include <uapi/linux/dormant.h>

#include "dormant.h"

#define CREATE_TRACE_POINTS
#include "dormant_trace.h"

/*
 * True if the @n reserved words of a command's argument are all zero, as
 * they must be; otherwise says which is not, naming @cmd.
 */
bool __dormant_reserved_zero(struct ratelimit_state *rs, const char *cmd,
			     const __u64 *reserved, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (reserved[i]) {
			if (__ratelimit(rs))
				pr_warn("%s: reserved[%d] is not zero (pid %d)\n",
					cmd, i, task_pid_nr(current));
			return false;
		}
	}
	return true;
}

/* Fill the user's node bitmap of @bits bits with the served nodes. */
static int dormant_put_node_bitmap(u64 __user *words, u32 bits)
{
	u32 i;
	int nid;

	for (i = 0; i < bits / 64; i++) {
		u64 w = 0;

		for (nid = i * 64; nid < (i + 1) * 64 && nid < MAX_NUMNODES; nid++)
			if (node_isset(nid, dormant_node_mask))
				w |= 1ULL << (nid % 64);
		if (put_user(w, &words[i]))
			return -EFAULT;
	}
	return 0;
}

static int dormant_ioctl_get_version(struct dormant_version __user *uarg)
{
	struct dormant_version v;
	u64 __user *words;
	u32 bits;
	int nid, ret;

	if (copy_from_user(&v, uarg, sizeof(v)))
		return -EFAULT;
	if (v.flags) {
		pr_warn_ratelimited("GET_VERSION: unknown flags 0x%x (pid %d)\n",
				    v.flags, task_pid_nr(current));
		return -EINVAL;
	}
	if (v.reserved0) {
		pr_warn_ratelimited("GET_VERSION: reserved0 is not zero (pid %d)\n",
				    task_pid_nr(current));
		return -EINVAL;
	}
	if (!dormant_reserved_zero("GET_VERSION", v.reserved,
				   ARRAY_SIZE(v.reserved)))
		return -EINVAL;
	if (v.nodes_bits % 64 || v.nodes_bits > DORMANT_NODES_BITS_MAX ||
	    !v.nodes != !v.nodes_bits) {
		pr_warn_ratelimited("GET_VERSION: nodes_bits %u with nodes %s: want a multiple of 64 up to %u with a bitmap, or both 0 (pid %d)\n",
				    v.nodes_bits, v.nodes ? "set" : "0",
				    DORMANT_NODES_BITS_MAX, task_pid_nr(current));
		return -EINVAL;
	}
	words = u64_to_user_ptr(v.nodes);
	bits = v.nodes_bits;

	memset(&v, 0, sizeof(v));
	v.abi_major = DORMANT_ABI_MAJOR;
	v.abi_minor = DORMANT_ABI_MINOR;
	v.features = DORMANT_F_ALL;
	v.nr_nodes = nodes_weight(dormant_node_mask);
	for_each_node_mask(nid, dormant_node_mask) {
		if (nid < 64)
			v.node_mask |= 1ULL << nid;
		v.nodes_bits = round_up(nid + 1, 64);
	}
	v.nodes = (u64)(uintptr_t)words;
	if (bits) {
		ret = dormant_put_node_bitmap(words, bits);
		if (ret)
			return ret;
	}

	if (copy_to_user(uarg, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

static long dormant_ctl_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case DORMANT_IOC_GET_VERSION:
		return dormant_ioctl_get_version(uarg);
	case DORMANT_IOC_VCPU_STATS:
		return dormant_ioctl_vcpu_stats(uarg);
	case DORMANT_IOC_POD_OPEN:
		return dormant_pod_open(uarg);
	default:
		pr_warn_ratelimited("unknown ioctl 0x%x (pid %d)\n", cmd,
				    task_pid_nr(current));
		return -ENOTTY;
	}
}

static const struct file_operations dormant_ctl_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = dormant_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice dormant_ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "dormant",
	.fops = &dormant_ctl_fops,
	.mode = 0600,
};

static int __init dormant_init(void)
{
	int ret;

	ret = dormant_sysfs_init();
	if (ret)
		return ret;

	ret = dormant_pool_shrinker_init();
	if (ret)
		goto out_sysfs_exit;

	ret = dormant_fs_init();
	if (ret)
		goto out_shrinker_exit;

	ret = dormant_kvm_init();
	if (ret)
		goto out_fs_exit;

	ret = misc_register(&dormant_ctl_dev);
	if (ret)
		goto out_kvm_exit;

	pr_info("version %s (ABI %u.%u) loaded, serving %u NUMA node(s)\n",
		DORMANT_VERSION, DORMANT_ABI_MAJOR, DORMANT_ABI_MINOR,
		nodes_weight(dormant_node_mask));
	return 0;

out_kvm_exit:
	dormant_kvm_exit();
out_fs_exit:
	dormant_fs_exit();
out_shrinker_exit:
	dormant_pool_shrinker_exit();
out_sysfs_exit:
	dormant_sysfs_exit();
	return ret;
}

static void __exit dormant_exit(void)
{
	misc_deregister(&dormant_ctl_dev);
	dormant_kvm_exit();
	dormant_fs_exit();
	dormant_pool_shrinker_exit();
	dormant_sysfs_exit();
	pr_info("unloaded\n");
}

module_init(dormant_init);
module_exit(dormant_exit);

MODULE_DESCRIPTION("Dormant guest memory served from per-NUMA-node zeroed page pools");
MODULE_AUTHOR("The dormant developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(DORMANT_VERSION);
