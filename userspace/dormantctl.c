// SPDX-License-Identifier: GPL-2.0
/*
 * dormantctl: show what the dormant module is doing.
 *
 *   dormantctl [--json] info       module version, ABI, NUMA nodes
 *   dormantctl [--json] stats      per-node pools and fault counters
 *   dormantctl [--json] objects    every guest memory object a process holds
 *   dormantctl [--json] stat FILE  one object
 *   dormantctl [--json] [--reset] vcpus   stalls per VM and vCPU
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "libdormant.h"

#define MAX_NODES 64
#define MAX_OBJECTS 1024
#define MAX_MOUNTS 64

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dormantctl [options] <command>\n"
		"\n"
		"commands:\n"
		"  info            module version, ABI, features and NUMA nodes served\n"
		"  stats           each node's pool (zeroed 4 KiB pages and 2 MiB blocks, pages in use) and counters\n"
		"                  and counters (faults by path, zeroing, discards)\n"
		"  objects         guest memory objects that processes hold open\n"
		"  stat FILE...    the given guest memory objects\n"
		"  vcpus           EPT/NPT-violation stalls on dormant memory per VM\n"
		"                  and vCPU, with their latency (--reset zeroes them)\n"
		"\n"
		"options:\n"
		"  -j, --json      print JSON instead of a table\n"
		"  -d, --device P  control device (default %s)\n"
		"  -r, --reset     with vcpus: zero the counters after showing them\n"
		"  -h, --help      this text\n",
		DORMANT_CTL_PATH);
}

static int print_json(struct json_object *o)
{
	if (!o) {
		fprintf(stderr, "dormantctl: out of memory\n");
		return 1;
	}
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return 0;
}

static int cmd_vcpus(const char *dev, int json, int reset)
{
	struct dormant_vcpu_stats *v;
	int fd, n, ret;

	fd = dmt_open_ctl(dev);
	if (fd < 0)
		return 1;
	ret = dmt_vcpu_stats(fd, reset, &v, &n);
	close(fd);
	if (ret)
		return 1;
	if (json)
		ret = print_json(dmt_vcpus_to_json(v, n));
	else
		dmt_vcpus_print_table(v, n, stdout);
	free(v);
	return ret;
}

static int cmd_info(const char *dev, int json)
{
	struct dmt_info info;
	int fd, ret;

	fd = dmt_open_ctl(dev);
	if (fd < 0)
		return 1;
	ret = dmt_get_info(fd, NULL, &info);
	close(fd);
	if (ret)
		return 1;
	if (json)
		return print_json(dmt_info_to_json(&info));
	return dmt_info_print_table(&info, stdout) ? 1 : 0;
}

static int cmd_stats(int json)
{
	static struct dmt_node_stats nodes[MAX_NODES];
	int n = dmt_read_nodes(NULL, nodes, MAX_NODES);

	if (n < 0) {
		fprintf(stderr, "dormantctl: cannot read %s/nodes: %s%s\n",
			DMT_SYSFS_DIR, strerror(-n),
			n == -ENOENT ? " (is the dormant module loaded?)" : "");
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "dormantctl: no nodes under %s/nodes (is the dormant module loaded?)\n",
			DMT_SYSFS_DIR);
		return 1;
	}
	if (json)
		return print_json(dmt_nodes_to_json(nodes, n));
	dmt_nodes_print_table(nodes, n, stdout);
	return 0;
}

/* st_dev of every mounted dormant filesystem, from /proc/self/mountinfo. */
static int dormant_mounts(dev_t *devs, int max)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int n = 0;

	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		char *sep = strstr(line, " - ");
		char fstype[64];

		if (!sep || sscanf(line, "%*d %*d %u:%u", &maj, &min) != 2)
			continue;
		if (sscanf(sep + 3, "%63s", fstype) == 1 &&
		    !strcmp(fstype, "dormant"))
			devs[n++] = makedev(maj, min);
	}
	fclose(f);
	return n;
}

static int on_dormant(dev_t dev, const dev_t *devs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (devs[i] == dev)
			return 1;
	return 0;
}

static void read_comm(int pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (dmt_read_line(path, buf, len))
		snprintf(buf, len, "?");
}

/*
 * Only files on a dormant mount are opened: never a FIFO or a tty. @hidden
 * counts the processes whose open files we may not see (not root).
 */
static int scan_objects(struct dmt_object *objs, int max, int *hidden)
{
	dev_t devs[MAX_MOUNTS];
	struct { dev_t dev; ino_t ino; } seen[MAX_OBJECTS];
	int nmounts = dormant_mounts(devs, MAX_MOUNTS), n = 0;
	DIR *proc;
	struct dirent *pe;

	if (nmounts <= 0)
		return nmounts;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((pe = readdir(proc)) && n < max) {
		int pid = atoi(pe->d_name);
		char fddir[64];
		struct dirent *fe;
		DIR *fds;

		if (pid <= 0)
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%d/fd", pid);
		fds = opendir(fddir);
		if (!fds) {
			if (errno == EACCES || errno == EPERM)
				(*hidden)++;
			continue;	/* gone, or not ours to see */
		}
		while ((fe = readdir(fds)) && n < max) {
			char path[320];
			struct stat sb;
			int fd, i, dup = 0;
			ssize_t len;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", fddir, fe->d_name);
			if (stat(path, &sb) || !S_ISREG(sb.st_mode) ||
			    !on_dormant(sb.st_dev, devs, nmounts))
				continue;
			for (i = 0; i < n; i++)
				if (seen[i].dev == sb.st_dev && seen[i].ino == sb.st_ino)
					dup = 1;
			if (dup)
				continue;
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (dmt_obj_stats(fd, &objs[n].st)) {
				close(fd);
				continue;
			}
			close(fd);
			objs[n].pid = pid;
			read_comm(pid, objs[n].comm, sizeof(objs[n].comm));
			len = readlink(path, objs[n].path, sizeof(objs[n].path) - 1);
			objs[n].path[len > 0 ? len : 0] = '\0';
			seen[n].dev = sb.st_dev;
			seen[n].ino = sb.st_ino;
			n++;
		}
		closedir(fds);
	}
	closedir(proc);
	return n;
}

static int cmd_objects(int json)
{
	static struct dmt_object objs[MAX_OBJECTS];
	int hidden = 0;
	int n = scan_objects(objs, MAX_OBJECTS, &hidden);

	if (n < 0) {
		fprintf(stderr, "dormantctl: cannot scan for objects: %s\n",
			strerror(-n));
		return 1;
	}
	if (hidden)
		fprintf(stderr, "dormantctl: the open files of %d process(es) are not ours to see: run as root to list every object\n",
			hidden);
	if (json)
		return print_json(dmt_objects_to_json(objs, n));
	dmt_objects_print_table(objs, n, stdout);
	return 0;
}

static int cmd_stat(char **files, int nfiles, int json)
{
	static struct dmt_object objs[MAX_OBJECTS];
	int i, n = 0, status = 0;

	for (i = 0; i < nfiles && n < MAX_OBJECTS; i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		int ret;

		if (fd < 0) {
			fprintf(stderr, "dormantctl: %s: %s\n", files[i],
				strerror(errno));
			status = 1;
			continue;
		}
		ret = dmt_obj_stats(fd, &objs[n].st);
		close(fd);
		if (ret) {
			fprintf(stderr, "dormantctl: %s: %s\n", files[i],
				ret == -ENOTTY ? "not a dormant guest memory object" :
				strerror(-ret));
			status = 1;
			continue;
		}
		objs[n].pid = 0;
		snprintf(objs[n].comm, sizeof(objs[n].comm), "-");
		snprintf(objs[n].path, sizeof(objs[n].path), "%s", files[i]);
		n++;
	}
	if (json) {
		if (print_json(dmt_objects_to_json(objs, n)))
			return 1;
	} else if (n) {
		dmt_objects_print_table(objs, n, stdout);
	}
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "reset", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL, *cmd;
	int json = 0, reset = 0, c, nargs;

	while ((c = getopt_long(argc, argv, "jd:rh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'r':
			reset = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "dormantctl: no command given\n");
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	nargs = argc - optind - 1;
	if (reset && strcmp(cmd, "vcpus")) {
		fprintf(stderr, "dormantctl: --reset only goes with 'vcpus'\n");
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "stat")) {
		if (nargs < 1) {
			fprintf(stderr, "dormantctl: 'stat' needs at least one FILE\n");
			usage(stderr);
			return 2;
		}
		return cmd_stat(argv + optind + 1, nargs, json);
	}
	if (!strcmp(cmd, "info") || !strcmp(cmd, "stats") ||
	    !strcmp(cmd, "objects") || !strcmp(cmd, "vcpus")) {
		if (nargs) {
			fprintf(stderr, "dormantctl: '%s' takes no arguments\n", cmd);
			usage(stderr);
			return 2;
		}
		if (!strcmp(cmd, "info"))
			return cmd_info(dev, json);
		if (!strcmp(cmd, "stats"))
			return cmd_stats(json);
		if (!strcmp(cmd, "vcpus"))
			return cmd_vcpus(dev, json, reset);
		return cmd_objects(json);
	}
	fprintf(stderr, "dormantctl: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
