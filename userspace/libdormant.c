// SPDX-License-Identifier: GPL-2.0
/*
 * libdormant: shared by dormantctl and dormantd; see libdormant.h.
 */
#include <dirent.h>
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

int dmt_check_abi(const struct dormant_version *v, uint64_t need,
		  char *err, size_t len)
{
	if (v->abi_major != DORMANT_ABI_MAJOR) {
		snprintf(err, len,
			 "the dormant module speaks ABI %u.%u and this program %u.%u: the major numbers differ (use the tools built with the module)",
			 v->abi_major, v->abi_minor, DORMANT_ABI_MAJOR,
			 DORMANT_ABI_MINOR);
		return -EPROTO;
	}
	if ((v->features & need) != need) {
		snprintf(err, len,
			 "the dormant module (ABI %u.%u) lacks feature bits 0x%llx that this needs (a newer module has them)",
			 v->abi_major, v->abi_minor,
			 (unsigned long long)(need & ~v->features));
		return -EOPNOTSUPP;
	}
	return 0;
}

int dmt_get_version(int fd, struct dormant_version *v)
{
	char err[256];
	int ret;

	memset(v, 0, sizeof(*v));
	ret = dmt_ioctl(fd, DORMANT_IOC_GET_VERSION, v, "DORMANT_IOC_GET_VERSION");
	if (ret)
		return ret;
	ret = dmt_check_abi(v, 0, err, sizeof(err));
	if (ret)
		fprintf(stderr, "%s\n", err);
	return ret;
}

int dmt_get_nodes(int fd, const struct dormant_version *v, char *buf,
		  size_t len)
{
	struct dormant_version q;
	uint64_t *words;
	int ret;

	if (!(v->features & DORMANT_F_NODE_BITMAP) || v->nodes_bits <= 64)
		return dmt_nodemask_to_list(v->node_mask, buf, len);
	words = calloc(v->nodes_bits / 64, sizeof(*words));
	if (!words)
		return -ENOMEM;
	memset(&q, 0, sizeof(q));
	q.nodes = (uintptr_t)words;
	q.nodes_bits = v->nodes_bits;
	ret = dmt_ioctl(fd, DORMANT_IOC_GET_VERSION, &q, "DORMANT_IOC_GET_VERSION");
	if (!ret)
		ret = dmt_nodes_to_list(words, v->nodes_bits, buf, len);
	free(words);
	return ret;
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
	ret = dmt_get_nodes(fd, &info->v, info->nodes, sizeof(info->nodes));
	if (ret < 0) {
		fprintf(stderr, "cannot list the module's nodes: %s\n",
			strerror(-ret));
		return ret;
	}
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

int dmt_nodes_to_list(const uint64_t *words, unsigned int bits, char *buf,
		      size_t len)
{
	size_t pos = 0;
	unsigned int bit = 0;

#define DMT_BIT(b) (words[(b) / 64] & (1ULL << ((b) % 64)))
	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	while (bit < bits) {
		unsigned int start, end;
		int n;

		if (!DMT_BIT(bit)) {
			bit++;
			continue;
		}
		start = bit;
		while (bit < bits && DMT_BIT(bit))
			bit++;
		end = bit - 1;
		if (start == end)
			n = snprintf(buf + pos, len - pos, "%s%u",
				     pos ? "," : "", start);
		else
			n = snprintf(buf + pos, len - pos, "%s%u-%u",
				     pos ? "," : "", start, end);
		if (n < 0 || (size_t)n >= len - pos) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		pos += n;
	}
#undef DMT_BIT
	return (int)pos;
}

int dmt_nodemask_to_list(uint64_t mask, char *buf, size_t len)
{
	return dmt_nodes_to_list(&mask, 64, buf, len);
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

int dmt_parse_count(const char *s, unsigned int min, unsigned int max,
		    unsigned int *out)
{
	unsigned int v;
	char *end;

	if (!s || parse_uint(s, &end, &v) || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
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

	if (!o)
		return NULL;
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
	json_object_object_add(o, "nodes", json_object_new_string(info->nodes));
	return o;
}

int dmt_info_print_table(const struct dmt_info *info, FILE *out)
{
	fprintf(out, "%-16s %s\n", "module version", info->module_version);
	fprintf(out, "%-16s %u.%u\n", "ABI", info->v.abi_major,
		info->v.abi_minor);
	fprintf(out, "%-16s 0x%llx\n", "features",
		(unsigned long long)info->v.features);
	fprintf(out, "%-16s %u (%s)\n", "NUMA nodes", info->v.nr_nodes,
		info->nodes);
	return 0;
}

int dmt_parse_node_stats(const char *text, struct dmt_node_stats *st)
{
	const char *p = text;

	st->n = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[96], name[32];
		unsigned long long v;
		char extra;

		if (len == 0 || len >= sizeof(line))
			return -EINVAL;
		memcpy(line, p, len);
		line[len] = '\0';
		if (sscanf(line, "%31s %llu %c", name, &v, &extra) != 2 ||
		    strchr(line, '-'))
			return -EINVAL;
		if (st->n >= DMT_MAX_STATS)
			return -E2BIG;
		snprintf(st->name[st->n], sizeof(st->name[0]), "%s", name);
		st->value[st->n++] = v;
		p += len;
		if (*p == '\n')
			p++;
	}
	return st->n ? 0 : -EINVAL;
}

long long dmt_node_stat(const struct dmt_node_stats *st, const char *name)
{
	int i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->name[i], name))
			return (long long)st->value[i];
	return -1;
}

static int cmp_nid(const void *a, const void *b)
{
	return ((const struct dmt_node_stats *)a)->nid -
	       ((const struct dmt_node_stats *)b)->nid;
}

int dmt_read_nodes(const char *sysfs_dir, struct dmt_node_stats *nodes,
		   int max)
{
	char path[PATH_MAX], text[4096];
	struct dirent *de;
	int nid, n = 0, ret = 0;
	DIR *dir;

	if (!sysfs_dir)
		sysfs_dir = DMT_SYSFS_DIR;
	/* the node<N> folders there are (node numbers may have gaps) */
	snprintf(path, sizeof(path), "%s/nodes", sysfs_dir);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while (n < max && (de = readdir(dir))) {
		FILE *f;
		size_t len;
		char end;

		if (sscanf(de->d_name, "node%d%c", &nid, &end) != 1 || nid < 0)
			continue;
		snprintf(path, sizeof(path), "%s/nodes/node%d/stats", sysfs_dir, nid);
		f = fopen(path, "re");
		if (!f) {
			if (errno == ENOENT)
				continue;	/* gone meanwhile */
			ret = -errno;
			break;
		}
		len = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[len] = '\0';
		ret = dmt_parse_node_stats(text, &nodes[n]);
		if (ret) {
			fprintf(stderr, "%s: unexpected contents\n", path);
			break;
		}
		nodes[n++].nid = nid;
	}
	closedir(dir);
	if (ret)
		return ret;
	qsort(nodes, n, sizeof(*nodes), cmp_nid);
	return n;
}

struct json_object *dmt_nodes_to_json(const struct dmt_node_stats *nodes, int n)
{
	struct json_object *arr = json_object_new_array();
	int i, j;

	if (!arr)
		return NULL;
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "node", json_object_new_int(nodes[i].nid));
		for (j = 0; j < nodes[i].n; j++)
			json_object_object_add(o, nodes[i].name[j],
					       json_object_new_int64((int64_t)nodes[i].value[j]));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Counters as rows, nodes as columns: the list of counters is long. */
void dmt_nodes_print_table(const struct dmt_node_stats *nodes, int n, FILE *out)
{
	int i, j;

	if (!n) {
		fprintf(out, "no nodes\n");
		return;
	}
	fprintf(out, "%-20s", "");
	for (i = 0; i < n; i++)
		fprintf(out, " %12s%-2d", "node", nodes[i].nid);
	fputc('\n', out);
	for (j = 0; j < nodes[0].n; j++) {
		fprintf(out, "%-20s", nodes[0].name[j]);
		for (i = 0; i < n; i++) {
			long long v = dmt_node_stat(&nodes[i], nodes[0].name[j]);

			fprintf(out, " %14lld", v);
		}
		fputc('\n', out);
	}
}

int dmt_obj_stats(int fd, struct dormant_obj_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(fd, DORMANT_IOC_OBJ_STATS, st) < 0)
		return -errno;
	return 0;
}

struct json_object *dmt_objects_to_json(const struct dmt_object *objs, int n)
{
	struct json_object *arr = json_object_new_array();
	int i;

	if (!arr)
		return NULL;
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		const struct dormant_obj_stats *st = &objs[i].st;

		json_object_object_add(o, "pid", json_object_new_int(objs[i].pid));
		json_object_object_add(o, "comm", json_object_new_string(objs[i].comm));
		json_object_object_add(o, "path", json_object_new_string(objs[i].path));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)st->size));
		json_object_object_add(o, "present", json_object_new_int64((int64_t)st->present));
		json_object_object_add(o, "dormant", json_object_new_int64((int64_t)st->dormant));
		json_object_object_add(o, "faults", json_object_new_int64((int64_t)st->faults));
		json_object_object_add(o, "discards", json_object_new_int64((int64_t)st->discards));
		json_object_object_add(o, "remote", json_object_new_int64((int64_t)st->remote));
		json_object_object_add(o, "pod_requests",
				       json_object_new_int64((int64_t)st->pod_requests));
		json_object_object_add(o, "pod_failed",
				       json_object_new_int64((int64_t)st->pod_failed));
		json_object_array_add(arr, o);
	}
	return arr;
}

void dmt_objects_print_table(const struct dmt_object *objs, int n, FILE *out)
{
	int i;

	fprintf(out, "%-8s %-12s %10s %10s %10s %10s %10s %10s  %s\n", "PID",
		"COMM", "SIZE(MiB)", "PRESENT", "DORMANT", "FAULTS", "DISCARDS",
		"REMOTE", "PATH");
	for (i = 0; i < n; i++) {
		const struct dormant_obj_stats *st = &objs[i].st;

		fprintf(out, "%-8d %-12s %10llu %10llu %10llu %10llu %10llu %10llu  %s\n",
			objs[i].pid, objs[i].comm,
			(unsigned long long)(st->size >> 20),
			(unsigned long long)st->present,
			(unsigned long long)st->dormant,
			(unsigned long long)st->faults,
			(unsigned long long)st->discards,
			(unsigned long long)st->remote, objs[i].path);
	}
}

int dmt_vcpu_stats(int fd, int reset, struct dormant_vcpu_stats **out, int *n)
{
	struct dormant_vcpu_stats_req req;
	struct dormant_vcpu_stats *v = NULL;
	struct dormant_version ver;
	unsigned int room = 16;
	int ret;

	ret = dmt_get_version(fd, &ver);
	if (ret)
		return ret;

	for (;;) {
		struct dormant_vcpu_stats *nv = realloc(v, room * sizeof(*v));

		if (!nv) {
			free(v);
			fprintf(stderr, "out of memory\n");
			return -ENOMEM;
		}
		v = nv;
		memset(&req, 0, sizeof(req));
		req.flags = reset ? DORMANT_VCPU_STATS_RESET : 0;
		req.count = room;
		req.entries = (uintptr_t)v;
		/* modules before ABI 0.6 know one size, and no entry_size */
		if (ver.features & DORMANT_F_VCPU_STATS_V2)
			req.entry_size = sizeof(*v);
		if (!ioctl(fd, DORMANT_IOC_VCPU_STATS, &req))
			break;
		/* more vCPUs than room: ask again with enough */
		if (errno != ENOSPC || req.count <= room) {
			int err = errno;

			fprintf(stderr, "DORMANT_IOC_VCPU_STATS failed: %s\n",
				strerror(err));
			free(v);
			return -err;
		}
		room = req.count + 16;
	}
	*out = v;
	*n = (int)req.count;
	return 0;
}

unsigned long long dmt_hist_quantile(const unsigned long long *hist, int buckets,
				     double q)
{
	unsigned long long total = 0, seen = 0;
	int b;

	for (b = 0; b < buckets; b++)
		total += hist[b];
	if (!total)
		return 0;
	for (b = 0; b < buckets; b++) {
		seen += hist[b];
		if ((double)seen >= q * (double)total)
			return 2ULL << b;
	}
	return 2ULL << (buckets - 1);
}

static unsigned long long vcpu_stalls(const struct dormant_vcpu_stats *v)
{
	return v->dormant_stalls + v->backed_stalls + v->remote_stalls;
}

struct json_object *dmt_vcpus_to_json(const struct dormant_vcpu_stats *v, int n)
{
	struct json_object *arr = json_object_new_array();
	int i, b;

	if (!arr)
		return NULL;
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		struct json_object *h = json_object_new_array();

		json_object_object_add(o, "vm", json_object_new_int64(v[i].vm_id));
		json_object_object_add(o, "pid", json_object_new_int64(v[i].pid));
		json_object_object_add(o, "vcpu", json_object_new_int64(v[i].vcpu_id));
		json_object_object_add(o, "dormant_stalls",
				       json_object_new_int64((int64_t)v[i].dormant_stalls));
		json_object_object_add(o, "backed_stalls",
				       json_object_new_int64((int64_t)v[i].backed_stalls));
		json_object_object_add(o, "remote_stalls",
				       json_object_new_int64((int64_t)v[i].remote_stalls));
		json_object_object_add(o, "missed_stalls",
				       json_object_new_int64((int64_t)v[i].missed_stalls));
		json_object_object_add(o, "stall_ns_total",
				       json_object_new_int64((int64_t)v[i].stall_ns_total));
		for (b = 0; b < DORMANT_HIST_BUCKETS; b++)
			json_object_array_add(h, json_object_new_int64((int64_t)v[i].hist[b]));
		json_object_object_add(o, "hist_log2_ns", h);
		json_object_array_add(arr, o);
	}
	return arr;
}

void dmt_vcpus_print_table(const struct dormant_vcpu_stats *v, int n, FILE *out)
{
	int i;

	fprintf(out, "%-4s %-8s %-5s %12s %12s %10s %8s %10s %10s %10s\n",
		"VM", "PID", "VCPU", "DORMANT", "BACKED", "REMOTE", "MISSED",
		"MEAN(us)", "P50(us)", "P99(us)");
	for (i = 0; i < n; i++) {
		unsigned long long stalls = vcpu_stalls(&v[i]);
		const unsigned long long *h = (const unsigned long long *)v[i].hist;

		fprintf(out, "%-4u %-8u %-5u %12llu %12llu %10llu %8llu %10.1f %10.1f %10.1f\n",
			v[i].vm_id, v[i].pid, v[i].vcpu_id,
			(unsigned long long)v[i].dormant_stalls,
			(unsigned long long)v[i].backed_stalls,
			(unsigned long long)v[i].remote_stalls,
			(unsigned long long)v[i].missed_stalls,
			stalls ? (double)v[i].stall_ns_total / stalls / 1000.0 : 0.0,
			dmt_hist_quantile(h, DORMANT_HIST_BUCKETS, 0.5) / 1000.0,
			dmt_hist_quantile(h, DORMANT_HIST_BUCKETS, 0.99) / 1000.0);
	}
}
