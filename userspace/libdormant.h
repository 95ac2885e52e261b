/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdormant: the helpers that dormantctl and dormantd share to talk to the
 * module (/dev/dormant ioctls and /sys/kernel/dormant) and to print what it
 * says. Every control command goes through dmt_ioctl().
 */
#ifndef _LIBDORMANT_H
#define _LIBDORMANT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <json-c/json.h>
#include <linux/dormant.h>

#define DMT_SYSFS_DIR "/sys/kernel/dormant"

/* What `dormantctl info` shows. */
struct dmt_info {
	char module_version[32];
	struct dormant_version v;
	char nodes[512];	/* served nodes as a list, "0-1,70" */
};

/* Open the control device; on failure returns -errno and says why on stderr. */
int dmt_open_ctl(const char *path);

/*
 * Run one control command; returns 0 or -errno and names the command on
 * stderr when it fails.
 */
int dmt_ioctl(int fd, unsigned long cmd, void *arg, const char *name);

/*
 * Check a module's version answer: the major number must be ours
 * (-EPROTO), and every bit of @need among its features (-EOPNOTSUPP);
 * says why in @err.
 */
int dmt_check_abi(const struct dormant_version *v, uint64_t need,
		  char *err, size_t len);

/*
 * DORMANT_IOC_GET_VERSION, checked with dmt_check_abi() (no features
 * needed): a module of another major number is refused here, on stderr.
 */
int dmt_get_version(int fd, struct dormant_version *v);

/*
 * The served nodes of the module that answered @v as a list; nodes past
 * 63 come from the bitmap of DORMANT_F_NODE_BITMAP. Returns the length,
 * or -errno.
 */
int dmt_get_nodes(int fd, const struct dormant_version *v, char *buf,
		  size_t len);

/* Gather dmt_info from the device and sysfs (sysfs_dir may be NULL). */
int dmt_get_info(int fd, const char *sysfs_dir, struct dmt_info *info);

/*
 * Format a node bitmap as a list ("0-2,5"), "" when empty. Returns the
 * length written, or -ENOSPC if buf is too small.
 */
int dmt_nodemask_to_list(uint64_t mask, char *buf, size_t len);
/* The same for a bitmap of @bits bits (a multiple of 64) in @words. */
int dmt_nodes_to_list(const uint64_t *words, unsigned int bits, char *buf,
		      size_t len);

/*
 * Parse "MAJOR.MINOR" (an optional trailing newline allowed); -EINVAL on
 * anything else.
 */
int dmt_parse_abi(const char *s, unsigned int *major, unsigned int *minor);

/*
 * A command line's number: decimal digits only, from @min to @max, into
 * @out; -EINVAL (and @out untouched) for anything else.
 */
int dmt_parse_count(const char *s, unsigned int min, unsigned int max,
		    unsigned int *out);

/* Read a one-line sysfs file into buf, newline stripped; -errno on failure. */
int dmt_read_line(const char *path, char *buf, size_t len);

/* One node's counters, as /sys/kernel/dormant/nodes/node<N>/stats has them. */
#define DMT_MAX_STATS 32
struct dmt_node_stats {
	int nid;
	int n;
	char name[DMT_MAX_STATS][32];
	unsigned long long value[DMT_MAX_STATS];
};

/*
 * Parse the text of a stats file ("name value" per line) into @st. -EINVAL
 * on a malformed line, -E2BIG past DMT_MAX_STATS entries.
 */
int dmt_parse_node_stats(const char *text, struct dmt_node_stats *st);

/* Value of @name in @st, or -1 if absent. */
long long dmt_node_stat(const struct dmt_node_stats *st, const char *name);

/*
 * Read every node's stats under @sysfs_dir (NULL: the default) into @nodes
 * (at most @max); returns how many, or -errno.
 */
int dmt_read_nodes(const char *sysfs_dir, struct dmt_node_stats *nodes,
		   int max);

struct json_object *dmt_nodes_to_json(const struct dmt_node_stats *nodes,
				      int n);
void dmt_nodes_print_table(const struct dmt_node_stats *nodes, int n,
			   FILE *out);

/* A guest memory object as `dormantctl objects` shows it. */
struct dmt_object {
	int pid;
	char comm[32];
	char path[256];
	struct dormant_obj_stats st;
};

/* DORMANT_IOC_OBJ_STATS on an open object; 0 or -errno (no message). */
int dmt_obj_stats(int fd, struct dormant_obj_stats *st);

struct json_object *dmt_objects_to_json(const struct dmt_object *objs, int n);
void dmt_objects_print_table(const struct dmt_object *objs, int n, FILE *out);

/*
 * Every vCPU's stall counters (DORMANT_IOC_VCPU_STATS), optionally reset
 * after reading. On success *out is a malloc'ed array of *n entries.
 * Returns 0 or -errno (with a message on stderr).
 */
int dmt_vcpu_stats(int fd, int reset, struct dormant_vcpu_stats **out, int *n);

/* Upper bound in ns of the histogram bucket holding quantile @q (0..1). */
unsigned long long dmt_hist_quantile(const unsigned long long *hist, int buckets,
				     double q);

struct json_object *dmt_vcpus_to_json(const struct dormant_vcpu_stats *v, int n);
void dmt_vcpus_print_table(const struct dormant_vcpu_stats *v, int n, FILE *out);

/* The info as a JSON object (caller puts it) and as a text table. */
struct json_object *dmt_info_to_json(const struct dmt_info *info);
int dmt_info_print_table(const struct dmt_info *info, FILE *out);

#endif /* _LIBDORMANT_H */
