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
};

/* Open the control device; on failure returns -errno and says why on stderr. */
int dmt_open_ctl(const char *path);

/*
 * Run one control command; returns 0 or -errno and names the command on
 * stderr when it fails.
 */
int dmt_ioctl(int fd, unsigned long cmd, void *arg, const char *name);

int dmt_get_version(int fd, struct dormant_version *v);

/* Gather dmt_info from the device and sysfs (sysfs_dir may be NULL). */
int dmt_get_info(int fd, const char *sysfs_dir, struct dmt_info *info);

/*
 * Format a node bitmap as a list ("0-2,5"), "" when empty. Returns the
 * length written, or -ENOSPC if buf is too small.
 */
int dmt_nodemask_to_list(uint64_t mask, char *buf, size_t len);

/*
 * Parse "MAJOR.MINOR" (an optional trailing newline allowed); -EINVAL on
 * anything else.
 */
int dmt_parse_abi(const char *s, unsigned int *major, unsigned int *minor);

/* Read a one-line sysfs file into buf, newline stripped; -errno on failure. */
int dmt_read_line(const char *path, char *buf, size_t len);

/* The info as a JSON object (caller puts it) and as a text table. */
struct json_object *dmt_info_to_json(const struct dmt_info *info);
int dmt_info_print_table(const struct dmt_info *info, FILE *out);

#endif /* _LIBDORMANT_H */
