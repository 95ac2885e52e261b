// SPDX-License-Identifier: GPL-2.0
/*
 * libdormant: shared by dormantctl and dormantd; see libdormant.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libdormant.h"

int dmt_open_ctl(const char *path)
{
	int fd;

	if (!path)
		path = DORMANT_CTL_PATH;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "cannot open %s: %s%s\n", path, strerror(err),
			err == ENOENT ? " (is the dormant module loaded?)" : "");
		return -err;
	}
	return fd;
}

int dmt_ioctl(int fd, unsigned long cmd, void *arg, const char *name)
{
	if (ioctl(fd, cmd, arg) < 0) {
		int err = errno;

		fprintf(stderr, "%s failed: %s\n", name, strerror(err));
		return -err;
	}
	return 0;
}

int dmt_get_version(int fd, struct dormant_version *v)
{
	memset(v, 0, sizeof(*v));
	return dmt_ioctl(fd, DORMANT_IOC_GET_VERSION, v, "DORMANT_IOC_GET_VERSION");
}

int dmt_read_line(const char *path, char *buf, size_t len)
{
	FILE *f;
	size_t n;
	int err = 0;

	if (!len)
		return -EINVAL;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (err)
		return err;
	n = strcspn(buf, "\n");
	buf[n] = '\0';
	return 0;
}

int dmt_get_info(int fd, const char *sysfs_dir, struct dmt_info *info)
{
	char path[PATH_MAX];
	int ret;

	memset(info, 0, sizeof(*info));
	ret = dmt_get_version(fd, &info->v);
	if (ret)
		return ret;
	if (!sysfs_dir)
		sysfs_dir = DMT_SYSFS_DIR;
	snprintf(path, sizeof(path), "%s/version", sysfs_dir);
	ret = dmt_read_line(path, info->module_version,
			    sizeof(info->module_version));
	if (ret) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(-ret));
		return ret;
	}
	return 0;
}

int dmt_nodemask_to_list(uint64_t mask, char *buf, size_t len)
{
	size_t pos = 0;
	int bit = 0;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	while (bit < 64) {
		int start, end, n;

		if (!(mask & (1ULL << bit))) {
			bit++;
			continue;
		}
		start = bit;
		while (bit < 64 && (mask & (1ULL << bit)))
			bit++;
		end = bit - 1;
		if (start == end)
			n = snprintf(buf + pos, len - pos, "%s%d",
				     pos ? "," : "", start);
		else
			n = snprintf(buf + pos, len - pos, "%s%d-%d",
				     pos ? "," : "", start, end);
		if (n < 0 || (size_t)n >= len - pos) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		pos += n;
	}
	return (int)pos;
}

static int parse_uint(const char *s, char **end, unsigned int *out)
{
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, end, 10);
	if (errno || v > UINT_MAX)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int dmt_parse_abi(const char *s, unsigned int *major, unsigned int *minor)
{
	char *end;

	if (!s || parse_uint(s, &end, major) || *end != '.')
		return -EINVAL;
	if (parse_uint(end + 1, &end, minor))
		return -EINVAL;
	if (*end == '\n')
		end++;
	return *end ? -EINVAL : 0;
}

struct json_object *dmt_info_to_json(const struct dmt_info *info)
{
	struct json_object *o = json_object_new_object();
	char nodes[256];

	if (!o)
		return NULL;
	if (dmt_nodemask_to_list(info->v.node_mask, nodes, sizeof(nodes)) < 0)
		nodes[0] = '\0';
	json_object_object_add(o, "module_version",
			       json_object_new_string(info->module_version));
	json_object_object_add(o, "abi_major",
			       json_object_new_int64(info->v.abi_major));
	json_object_object_add(o, "abi_minor",
			       json_object_new_int64(info->v.abi_minor));
	json_object_object_add(o, "features",
			       json_object_new_int64((int64_t)info->v.features));
	json_object_object_add(o, "nr_nodes",
			       json_object_new_int64(info->v.nr_nodes));
	json_object_object_add(o, "nodes", json_object_new_string(nodes));
	return o;
}

int dmt_info_print_table(const struct dmt_info *info, FILE *out)
{
	char nodes[256];

	if (dmt_nodemask_to_list(info->v.node_mask, nodes, sizeof(nodes)) < 0)
		return -ENOSPC;
	fprintf(out, "%-16s %s\n", "module version", info->module_version);
	fprintf(out, "%-16s %u.%u\n", "ABI", info->v.abi_major,
		info->v.abi_minor);
	fprintf(out, "%-16s 0x%llx\n", "features",
		(unsigned long long)info->v.features);
	fprintf(out, "%-16s %u (%s)\n", "NUMA nodes", info->v.nr_nodes, nodes);
	return 0;
}
