// SPDX-License-Identifier: GPL-2.0
/*
 * dormant: the sysfs tree.
 *
 *   /sys/kernel/dormant/version          module version
 *   /sys/kernel/dormant/abi_version      uapi major.minor
 *   /sys/kernel/dormant/nr_nodes         number of served NUMA nodes
 *   /sys/kernel/dormant/nodes/node<N>/   one directory per served node
 *   /sys/kernel/dormant/nodes/node<N>/cpulist   the node's CPUs
 */
#include <linux/cpumask.h>
#include <linux/kobject.h>
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

static struct attribute *dormant_attrs[] = {
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

static struct attribute *dormant_node_attrs[] = {
	&cpulist_attr.attr,
	NULL,
};
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
	ret = kobject_init_and_add(&dn->kobj, &dormant_node_ktype,
				   dormant_nodes_kobj, "node%d", nid);
	if (ret) {
		/* the release callback frees dn */
		kobject_put(&dn->kobj);
		return ret;
	}
	dormant_nodes[nid] = dn;
	node_set(nid, dormant_node_mask);
	return 0;
}

static void dormant_nodes_remove(void)
{
	int nid;

	for_each_node_mask(nid, dormant_node_mask) {
		kobject_put(&dormant_nodes[nid]->kobj);
		dormant_nodes[nid] = NULL;
	}
	nodes_clear(dormant_node_mask);
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
