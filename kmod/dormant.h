/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dormant: internal declarations shared by the module's source files.
 */
#ifndef _DORMANT_H
#define _DORMANT_H

#include <linux/kobject.h>
#include <linux/nodemask.h>

#define DORMANT_VERSION	"0.1.0"

/**
 * struct dormant_node - what the module keeps for one NUMA node
 * @nid:  the node's id
 * @kobj: /sys/kernel/dormant/nodes/node<nid>; owns the structure (freed by
 *        its release callback once the last sysfs reader is gone)
 *
 * Created at module load for every node with memory and never changed
 * afterwards, so readers need no lock.
 */
struct dormant_node {
	int nid;
	struct kobject kobj;
};

/*
 * dormant_nodes[nid] is set for every served node between dormant_sysfs_init()
 * and dormant_sysfs_exit(), which run at module load and unload only; the
 * array is read-only in between, so it needs no lock.
 */
extern struct dormant_node *dormant_nodes[MAX_NUMNODES];
extern nodemask_t dormant_node_mask;

int dormant_sysfs_init(void);
void dormant_sysfs_exit(void);

#endif /* _DORMANT_H */
