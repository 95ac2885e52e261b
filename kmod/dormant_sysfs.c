// SPDX-License-Identifier: GPL-2.0
/*
 * dormant: the sysfs tree.
 *
 *   /sys/kernel/dormant/version          module version
 *   /sys/kernel/dormant/abi_version      uapi major.minor
 *   /sys/kernel/dormant/nr_nodes         number of served NUMA nodes
 *   /sys/kernel/dormant/kvm_hook         "attached" while we see KVM's
 *                                        EPT/NPT violations, "detached"
 *                                        without kvm.ko, "refused: WHY"
 *                                        if its events are not the ones
 *                                        the probes are written for
 *   /sys/kernel/dormant/nodes/node<N>/   one directory per served node
 *   /sys/kernel/dormant/nodes/node<N>/cpulist   the node's CPUs
 *   /sys/kernel/dormant/nodes/node<N>/pool_pages   the pool's reservation (rw)
 *   /sys/kernel/dormant/nodes/node<N>/cpu_budget   its thread's CPU share, % (rw)
 *   /sys/kernel/dormant/nodes/node<N>/huge_high    its 2 MiB list's high
 *                                                  watermark now (demand
 *                                                  grows it past the
 *                                                  parameter)
 *   /sys/kernel/dormant/nodes/node<N>/zeroed_high  the same of its 4 KiB
 *                                                  list (pages)
 *   /sys/kernel/dormant/nodes/node<N>/{zeroed,in_use}  4 KiB pages now
 *   /sys/kernel/dormant/nodes/node<N>/zeroed_2m    2 MiB blocks now
 *   /sys/kernel/dormant/nodes/node<N>/<counter>    events (enum dormant_stat)
 *   /sys/kernel/dormant/nodes/node<N>/stats        all of the above, one
 *                                                  "name value" per line,
 *                                                  read at one instant
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/topology.h>
#include <uapi/linux/dormant.h>

#include "dormant.h"

struct dormant_node *dormant_nodes[MAX_NUMNODES];
nodemask_t dormant_node_mask;

static struct kobject *dormant_kobj;
static struct kobject *dormant_nodes_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", DORMANT_VERSION);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static ssize_t abi_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u.%u\n", DORMANT_ABI_MAJOR, DORMANT_ABI_MINOR);
}

static struct kobj_attribute abi_version_attr = __ATTR_RO(abi_version);

static ssize_t nr_nodes_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", nodes_weight(dormant_node_mask));
}

static struct kobj_attribute nr_nodes_attr = __ATTR_RO(nr_nodes);

static ssize_t kvm_hook_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return dormant_kvm_hook_show(buf);
}

static struct kobj_attribute kvm_hook_attr = __ATTR_RO(kvm_hook);

static struct attribute *dormant_attrs[] = {
	&kvm_hook_attr.attr,
	&version_attr.attr,
	&abi_version_attr.attr,
	&nr_nodes_attr.attr,
	NULL,
};

static const struct attribute_group dormant_attr_group = {
	.attrs = dormant_attrs,
};

static ssize_t cpulist_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct dormant_node *dn = container_of(kobj, struct dormant_node, kobj);

	return sysfs_emit(buf, "%*pbl\n",
			  cpumask_pr_args(cpumask_of_node(dn->nid)));
}

static struct kobj_attribute cpulist_attr = __ATTR_RO(cpulist);

static struct dormant_node *kobj_to_node(struct kobject *kobj)
{
	return container_of(kobj, struct dormant_node, kobj);
}

static ssize_t pool_pages_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(kobj_to_node(kobj)->pool.target));
}

static ssize_t pool_pages_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	struct dormant_node *dn = kobj_to_node(kobj);
	char what[32];
	unsigned long n;

	snprintf(what, sizeof(what), "node%d/pool_pages", dn->nid);
	if (dormant_parse_pages(what, buf, &n))
		return -EINVAL;
	dormant_pool_set_target(&dn->pool, n);
	return count;
}

static struct kobj_attribute pool_pages_attr = __ATTR_RW(pool_pages);

static ssize_t cpu_budget_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(kobj_to_node(kobj)->pool.cpu_budget));
}

static ssize_t cpu_budget_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	struct dormant_node *dn = kobj_to_node(kobj);
	char what[32];
	unsigned int n;

	snprintf(what, sizeof(what), "node%d/cpu_budget", dn->nid);
	if (dormant_parse_budget(what, buf, &n))
		return -EINVAL;
	dormant_pool_set_budget(&dn->pool, n);
	return count;
}

static struct kobj_attribute cpu_budget_attr = __ATTR_RW(cpu_budget);

static ssize_t huge_high_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  dormant_pool_high(&kobj_to_node(kobj)->pool, true));
}

static struct kobj_attribute huge_high_attr = __ATTR_RO(huge_high);

static ssize_t zeroed_high_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  dormant_pool_high(&kobj_to_node(kobj)->pool, false));
}

static struct kobj_attribute zeroed_high_attr = __ATTR_RO(zeroed_high);

/* The list lengths, then the event counters, at one instant. */
static ssize_t stats_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct dormant_pool_snapshot s;
	int i, len;

	dormant_pool_read(&kobj_to_node(kobj)->pool, &s);
	len = sysfs_emit_at(buf, 0, "zeroed %lu\nzeroed_2m %lu\nin_use %lu\npool_pages %lu\n",
			    s.nr_zeroed, s.nr_zeroed_2m, s.in_use, s.target);
	for (i = 0; i < DN_NR_STATS; i++)
		len += sysfs_emit_at(buf, len, "%s %lu\n",
				     dormant_stat_names[i], s.stats[i]);
	return len;
}

static struct kobj_attribute stats_attr = __ATTR_RO(stats);

/* One file per list length and per counter. */
struct dormant_value_attr {
	struct kobj_attribute attr;
	int idx;	/* enum dormant_stat, or one of the DV_* below */
};

enum { DV_ZEROED = DN_NR_STATS, DV_ZEROED_2M, DV_IN_USE, DV_NR };

static ssize_t value_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	int idx = container_of(attr, struct dormant_value_attr, attr)->idx;
	struct dormant_pool_snapshot s;
	unsigned long v;

	dormant_pool_read(&kobj_to_node(kobj)->pool, &s);
	switch (idx) {
	case DV_ZEROED:
		v = s.nr_zeroed;
		break;
	case DV_ZEROED_2M:
		v = s.nr_zeroed_2m;
		break;
	case DV_IN_USE:
		v = s.in_use;
		break;
	default:
		v = s.stats[idx];
		break;
	}
	return sysfs_emit(buf, "%lu\n", v);
}

#define VALUE_ATTR(_name, _idx) \
	{ .attr = __ATTR(_name, 0444, value_show, NULL), .idx = (_idx) }

static struct dormant_value_attr value_attrs[] = {
	VALUE_ATTR(zeroed, DV_ZEROED),
	VALUE_ATTR(zeroed_2m, DV_ZEROED_2M),
	VALUE_ATTR(in_use, DV_IN_USE),
	VALUE_ATTR(fault_zeroed, DN_FAULT_ZEROED),
	VALUE_ATTR(fault_zeroed_2m, DN_FAULT_ZEROED_2M),
	VALUE_ATTR(fault_alloc, DN_FAULT_ALLOC),
	VALUE_ATTR(fault_other_node, DN_FAULT_OTHER_NODE),
	VALUE_ATTR(fault_failed, DN_FAULT_FAILED),
	VALUE_ATTR(fault_2m_fallback, DN_FAULT_2M_FALLBACK),
	VALUE_ATTR(zeroed_background, DN_ZEROED_BG),
	VALUE_ATTR(zeroed_inline, DN_ZEROED_INLINE),
	VALUE_ATTR(zeroed_by_allocator, DN_ZEROED_ALLOCATOR),
	VALUE_ATTR(discarded, DN_DISCARDED),
	VALUE_ATTR(allocated, DN_ALLOCATED),
	VALUE_ATTR(freed, DN_FREED),
	VALUE_ATTR(shrunk, DN_SHRUNK),
	VALUE_ATTR(alloc_failed, DN_ALLOC_FAILED),
};

static struct attribute *dormant_node_attrs[] = {
	&cpulist_attr.attr,
	&pool_pages_attr.attr,
	&cpu_budget_attr.attr,
	&huge_high_attr.attr,
	&zeroed_high_attr.attr,
	&stats_attr.attr,
	&value_attrs[0].attr.attr,
	&value_attrs[1].attr.attr,
	&value_attrs[2].attr.attr,
	&value_attrs[3].attr.attr,
	&value_attrs[4].attr.attr,
	&value_attrs[5].attr.attr,
	&value_attrs[6].attr.attr,
	&value_attrs[7].attr.attr,
	&value_attrs[8].attr.attr,
	&value_attrs[9].attr.attr,
	&value_attrs[10].attr.attr,
	&value_attrs[11].attr.attr,
	&value_attrs[12].attr.attr,
	&value_attrs[13].attr.attr,
	&value_attrs[14].attr.attr,
	&value_attrs[15].attr.attr,
	&value_attrs[16].attr.attr,
	NULL,
};

static_assert(ARRAY_SIZE(value_attrs) == DV_NR);
ATTRIBUTE_GROUPS(dormant_node);

static void dormant_node_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct dormant_node, kobj));
}

static const struct kobj_type dormant_node_ktype = {
	.release = dormant_node_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = dormant_node_groups,
};

static int dormant_node_add(int nid)
{
	struct dormant_node *dn;
	int ret;

	dn = kzalloc_node(sizeof(*dn), GFP_KERNEL, nid);
	if (!dn)
		return -ENOMEM;
	dn->nid = nid;
	ret = dormant_pool_start(&dn->pool, nid);
	if (ret) {
		kfree(dn);
		return ret;
	}
	ret = kobject_init_and_add(&dn->kobj, &dormant_node_ktype,
				   dormant_nodes_kobj, "node%d", nid);
	if (ret) {
		dormant_pool_stop(&dn->pool);
		/* the release callback frees dn */
		kobject_put(&dn->kobj);
		return ret;
	}
	/* module parameter setters walk the nodes under this lock */
	kernel_param_lock(THIS_MODULE);
	dormant_nodes[nid] = dn;
	node_set(nid, dormant_node_mask);
	kernel_param_unlock(THIS_MODULE);
	return 0;
}

static void dormant_nodes_remove(void)
{
	nodemask_t gone;
	int nid;

	/*
	 * Unpublish first: a parameter written while the module unloads
	 * (its files go only after our exit) then walks no node.
	 */
	kernel_param_lock(THIS_MODULE);
	gone = dormant_node_mask;
	nodes_clear(dormant_node_mask);
	kernel_param_unlock(THIS_MODULE);
	for_each_node_mask(nid, gone) {
		dormant_pool_stop(&dormant_nodes[nid]->pool);
		kobject_put(&dormant_nodes[nid]->kobj);
		dormant_nodes[nid] = NULL;
	}
}

int dormant_sysfs_init(void)
{
	int nid, ret;

	dormant_kobj = kobject_create_and_add("dormant", kernel_kobj);
	if (!dormant_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(dormant_kobj, &dormant_attr_group);
	if (ret)
		goto out_put_dormant;

	dormant_nodes_kobj = kobject_create_and_add("nodes", dormant_kobj);
	if (!dormant_nodes_kobj) {
		ret = -ENOMEM;
		goto out_remove_group;
	}

	for_each_node_state(nid, N_MEMORY) {
		ret = dormant_node_add(nid);
		if (ret)
			goto out_remove_nodes;
	}
	return 0;

out_remove_nodes:
	dormant_nodes_remove();
	kobject_put(dormant_nodes_kobj);
out_remove_group:
	sysfs_remove_group(dormant_kobj, &dormant_attr_group);
out_put_dormant:
	kobject_put(dormant_kobj);
	return ret;
}

void dormant_sysfs_exit(void)
{
	dormant_nodes_remove();
	kobject_put(dormant_nodes_kobj);
	sysfs_remove_group(dormant_kobj, &dormant_attr_group);
	kobject_put(dormant_kobj);
}
