// SPDX-License-Identifier: GPL-2.0
/*
 * dormantctl: show what the dormant module is doing.
 *
 *   dormantctl [--json] info       module version, ABI, NUMA nodes
 *   dormantctl [--json] stats      per-node pools and fault counters
 *   dormantctl [--json] objects    every guest memory object a process holds
 *   dormantctl [--json] stat FILE  one object
 *   dormantctl [--json] [--reset] vcpus   stalls per VM and vCPU
 *   dormantctl [--json] [-c SOCKET] pod [status]     the pod daemon's counters
 *   dormantctl [-c SOCKET] [-t SEC] pod drain MEMBER hand every page to MEMBER
 *   dormantctl [-c SOCKET] [-t SEC] [-p PORT] [--drain] move QMP [MEMBER]
 *                                   move a running guest to another member
 *   dormantctl [-c SOCKET] [-t SEC] [-p PORT] accept QMP   and take it there
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "libdormant.h"
#include "pod_ctl.h"
#include "qmp.h"

#define MAX_NODES 64
#define MAX_OBJECTS 1024
#define MAX_MOUNTS 64
#define MOVE_PORT 4444

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dormantctl [options] <command>\n"
		"\n"
		"commands:\n"
		"  info            module version, ABI, features and NUMA nodes served\n"
		"  stats           each node's pool (zeroed 4 KiB pages and 2 MiB blocks,\n"
		"                  pages in use) and counters (faults by path, zeroing, discards)\n"
		"  objects         guest memory objects that processes hold open\n"
		"  stat FILE...    the given guest memory objects\n"
		"  vcpus           EPT/NPT-violation stalls on dormant memory per VM\n"
		"                  and vCPU, with their latency (--reset zeroes them)\n"
		"  pod [status]    the local dormantd's pod counters, per host and per peer\n"
		"  pod drain MEMBER  hand every page this host owns to MEMBER, and wait\n"
		"                  until none is left (before the host leaves the pod)\n"
		"  move QMP [MEMBER]  move the running guest whose QEMU listens on the\n"
		"                  QMP socket QMP to MEMBER (default: the connected member\n"
		"                  with the most free pool memory), with QEMU's migration\n"
		"                  and no RAM in the stream; a QEMU there must be waiting\n"
		"                  for it (accept)\n"
		"  accept QMP      the target's side of a move: the QEMU on QMP, started\n"
		"                  with -incoming defer, waits on this member's pod address\n"
		"                  for the guest; returns when it has come\n"
		"\n"
		"options:\n"
		"  -j, --json      print JSON instead of a table\n"
		"  -d, --device P  control device (default %s)\n"
		"  -r, --reset     with vcpus: zero the counters after showing them\n"
		"  -c, --control P with pod: dormantd's control socket (default %s)\n"
		"  -t, --timeout S with pod drain: stop waiting after S seconds (1-86400;\n"
		"                  the daemon goes on draining), exit status 1; with move:\n"
		"                  cancel a move that has not ended after S seconds\n"
		"  -p, --port N    with move and accept: the migration port (default %d)\n"
		"      --drain     with move: then hand every page this host still owns to\n"
		"                  the target (pod drain), so this host can be emptied\n"
		"  -h, --help      this text\n",
		DORMANT_CTL_PATH, POD_CTL_PATH, MOVE_PORT);
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

#define POD_CALL_MS	5000
/*
 * A draining daemon moves pages between its answers, and a send waits
 * until the peer has it: under load (seen in emulated sandbox hosts) it
 * took more than 5 s to answer. The drain's status polls wait longer.
 */
#define POD_DRAIN_CALL_MS	60000

static uint64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	       (uint64_t)json_object_get_int64(v) : 0;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ?
	       json_object_get_string(v) : "-";
}

/* The daemon's counters: this host's, then a row per peer. */
static void pod_print_table(struct json_object *r)
{
	static const char *const host[] = {
		"faults", "requests_sent", "requests_served", "forwarded",
		"queued", "grants_in", "grants_in_data", "pages_in",
		"data_pages_in", "grants_out", "pages_out", "data_pages_out",
		"nacks", "failed", "lost_pages", "errors", "peer_drops",
		"reports_in", "reports_out", "bad_messages",
		"control_requests", "control_refused", "drain_left",
		"drain_pushed", "grants_timed",
	};
	struct json_object *peers, *lat, *p;
	size_t i, n;

	printf("member %s of pod %s, %" PRIu64 " peers up\n",
	       str(r, "member"), str(r, "pod"), num(r, "peers_up"));
	printf("drain: %s%s%s\n", str(r, "drain_state"),
	       strcmp(str(r, "draining_to"), "-") ? " to " : "",
	       strcmp(str(r, "draining_to"), "-") ? str(r, "draining_to") : "");
	for (i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		printf("%-18s %" PRIu64 "\n", host[i], num(r, host[i]));
	printf("%-18s %.1f\n%-18s %.1f\n", "grant_us_p50",
	       num(r, "grant_ns_p50") / 1000.0, "grant_us_p99",
	       num(r, "grant_ns_p99") / 1000.0);
	if (!json_object_object_get_ex(r, "peers", &peers) ||
	    !json_object_is_type(peers, json_type_array))
		return;
	printf("\n%-10s %-3s %8s %8s %8s %8s %8s %8s %8s %8s %12s %12s %7s %7s\n",
	       "peer", "up", "req_out", "req_in", "gr_out", "gr_out_d",
	       "gr_in", "gr_in_d", "pg_out", "pg_in", "bytes_out",
	       "bytes_in", "p50_us", "p99_us");
	n = json_object_array_length(peers);
	for (i = 0; i < n; i++) {
		struct json_object *c;

		p = json_object_array_get_idx(peers, i);
		lat = NULL;
		json_object_object_get_ex(p, "latency_us", &lat);
		json_object_object_get_ex(p, "connected", &c);
		printf("%-10s %-3s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
		       " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
		       " %12" PRIu64 " %12" PRIu64 " %7" PRIu64 " %7" PRIu64 "\n",
		       str(p, "member"), json_object_get_boolean(c) ? "yes" : "no",
		       num(p, "requests_out"), num(p, "requests_in"),
		       num(p, "grants_out"), num(p, "grants_out_data"),
		       num(p, "grants_in"), num(p, "grants_in_data"),
		       num(p, "pages_out"), num(p, "pages_in"),
		       num(p, "data_bytes_out"), num(p, "data_bytes_in"),
		       num(lat, "p50"), num(lat, "p99"));
	}
}

static int pod_stats_ms(const char *sock, struct json_object **r, int ms)
{
	char err[512];

	if (pod_ctl_call(sock, "{\"version\":1,\"command\":\"stats\"}",
			 ms, r, err, sizeof(err))) {
		fprintf(stderr, "dormantctl: %s\n", err);
		return 1;
	}
	return 0;
}

static int pod_stats(const char *sock, struct json_object **r)
{
	return pod_stats_ms(sock, r, POD_CALL_MS);
}

/*
 * Drain: the daemon starts (or goes on with) the drain; we show its
 * progress each second until it ends, done or stopped.
 */
static int pod_drain(const char *sock, const char *member, unsigned int timeout)
{
	struct json_object *jreq, *r;
	time_t end = timeout ? time(NULL) + timeout : 0;
	char err[512];
	int ret;

	jreq = json_object_new_object();
	json_object_object_add(jreq, "version",
			       json_object_new_int(POD_CTL_VERSION));
	json_object_object_add(jreq, "command",
			       json_object_new_string("drain"));
	json_object_object_add(jreq, "member",
			       json_object_new_string(member));
	ret = pod_ctl_call(sock, json_object_to_json_string(jreq), POD_CALL_MS,
			   &r, err, sizeof(err));
	json_object_put(jreq);
	if (ret) {
		fprintf(stderr, "dormantctl: %s\n", err);
		return 1;
	}
	json_object_put(r);
	for (;;) {
		const char *state;

		if (pod_stats_ms(sock, &r, POD_DRAIN_CALL_MS))
			return 1;
		state = str(r, "drain_state");
		if (strcmp(state, "running")) {
			ret = strcmp(state, "done") ? 1 : 0;
			fprintf(ret ? stderr : stdout,
				ret ? "dormantctl: the drain to %s %s after %" PRIu64 " requests: pages are still here\n" :
				"drained: every page this host owned now belongs to %s (%s, %" PRIu64 " requests)\n",
				member, state, num(r, "drain_pushed"));
			json_object_put(r);
			return ret;
		}
		printf("draining to %s: %" PRIu64 " requests sent, %" PRIu64 " pages left at the last pass\n",
		       member, num(r, "drain_pushed"), num(r, "drain_left"));
		fflush(stdout);
		json_object_put(r);
		if (end && time(NULL) >= end) {
			fprintf(stderr, "dormantctl: the drain to %s is still running after %u s; dormantd goes on with it ('dormantctl pod' shows how far)\n",
				member, timeout);
			return 1;
		}
		sleep(1);
	}
}

static int cmd_pod(const char *sock, char **args, int nargs, int json,
		   unsigned int timeout)
{
	struct json_object *r;

	if (!sock)
		sock = POD_CTL_PATH;
	if (timeout && (nargs == 0 || strcmp(args[0], "drain"))) {
		fprintf(stderr, "dormantctl: --timeout only goes with 'pod drain'\n");
		return 2;
	}
	if (nargs == 0 || (nargs == 1 && !strcmp(args[0], "status"))) {
		if (pod_stats(sock, &r))
			return 1;
		if (json)
			return print_json(r);
		pod_print_table(r);
		json_object_put(r);
		return 0;
	}
	if (!strcmp(args[0], "drain")) {
		if (nargs != 2) {
			fprintf(stderr, "dormantctl: 'pod drain' needs one MEMBER\n");
			return 2;
		}
		if (json) {
			fprintf(stderr, "dormantctl: 'pod drain' prints no JSON\n");
			return 2;
		}
		return pod_drain(sock, args[1], timeout);
	}

	fprintf(stderr, "dormantctl: 'pod %s': the pod commands are 'status' and 'drain MEMBER'\n",
		args[0]);
	return 2;
}

/*
 * dormantctl move: the guest's memory must be pod objects (QEMU's
 * x-ignore-shared leaves shared RAM out of the stream: RAM that is shared
 * but not a pod object would be lost on the way), and the target must have
 * room for what holds data here. Then QEMU's own migration moves the
 * devices, and the pod moves the pages as the target touches them.
 */
#define MOVE_POLL_MS	200
/* how long a cancelled or failed move may take to end */
#define MOVE_END_MS	30000

struct move {
	const char *sock;	/* dormantd's control socket */
	const char *qmp;	/* the guest's QMP socket */
	const char *member;	/* NULL: the best */
	unsigned int port;
	unsigned int timeout;
	int drain;
};

static struct json_object *args1(const char *k1, const char *v1,
				 const char *k2, const char *v2)
{
	struct json_object *a = json_object_new_object();

	json_object_object_add(a, k1, json_object_new_string(v1));
	if (k2)
		json_object_object_add(a, k2, json_object_new_string(v2));
	return a;
}

/* QMP command with arguments: 0 with *@ret, or 1 with a message. */
static int qmp_run(struct qmp *q, const char *name, struct json_object *args,
		   struct json_object **ret)
{
	char err[512];
	int rc = qmp_cmd(q, name, args, ret, err, sizeof(err));

	json_object_put(args);
	if (rc)
		fprintf(stderr, "dormantctl: QEMU: %s\n", err);
	return rc ? 1 : 0;
}

/* Is @path one of the pod's objects (as dormantd lists them in @r)? */
static int pod_object_of(struct json_object *r, const char *path)
{
	struct json_object *objs, *e;
	struct stat a, b;
	size_t i;

	if (stat(path, &a) ||
	    !json_object_object_get_ex(r, "objects", &objs) ||
	    !json_object_is_type(objs, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(objs); i++) {
		e = json_object_array_get_idx(objs, i);
		if (!stat(str(e, "path"), &b) && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return 1;
	}
	return 0;
}

/*
 * Walk the guest's memory backends: every shared one must be a pod
 * object. *@data is the bytes of them that hold data here, *@objs how
 * many there are. 0, or 1 with a message.
 */
static int move_check_memory(struct qmp *q, struct json_object *r,
			     uint64_t *data, int *objs)
{
	struct json_object *list, *e, *v;
	char path[300];
	size_t i;
	int ret = 1;

	*data = 0;
	*objs = 0;
	if (qmp_run(q, "qom-list", args1("path", "/objects", NULL, NULL),
		    &list))
		return 1;
	for (i = 0; i < json_object_array_length(list); i++) {
		struct dormant_obj_stats st;
		const char *name, *type;
		int fd, rc;

		e = json_object_array_get_idx(list, i);
		name = str(e, "name");
		type = str(e, "type");
		if (strncmp(type, "child<memory-backend-", 21))
			continue;
		snprintf(path, sizeof(path), "/objects/%s", name);
		if (qmp_run(q, "qom-get", args1("path", path, "property", "share"),
			    &v))
			goto out;
		rc = json_object_get_boolean(v);
		json_object_put(v);
		if (!rc)
			continue;	/* private RAM: QEMU sends it */
		if (strcmp(type, "child<memory-backend-file>")) {
			fprintf(stderr, "dormantctl: the guest's memory '%s' (%s) is shared but not a pod object: QEMU would leave it out of the stream and the guest would lose it; not moved\n",
				name, type + 6);
			goto out;
		}
		if (qmp_run(q, "qom-get", args1("path", path, "property", "mem-path"),
			    &v))
			goto out;
		snprintf(path, sizeof(path), "%s", json_object_get_string(v));
		json_object_put(v);
		if (!pod_object_of(r, path)) {
			fprintf(stderr, "dormantctl: the guest's memory '%s' is %s, which is shared but not an object of this host's pod: QEMU would leave it out of the stream and the guest would lose it; not moved\n",
				name, path);
			goto out;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || dmt_obj_stats(fd, &st)) {
			fprintf(stderr, "dormantctl: %s: %s\n", path,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		close(fd);
		*data += st.present * 4096;
		(*objs)++;
	}
	if (!*objs) {
		fprintf(stderr, "dormantctl: the guest has no memory in a pod object: dormantctl move is for guests whose RAM the pod holds (use QEMU's own migration for others)\n");
		goto out;
	}
	ret = 0;
out:
	json_object_put(list);
	return ret;
}

/*
 * The target: @m->member, or the connected member with the most free pool
 * memory (then MemAvailable). Its json entry in *@peer (owned by @r).
 */
static int move_pick(struct json_object *r, const struct move *m,
		     struct json_object **peer)
{
	struct json_object *peers, *p, *c, *best = NULL, *pool;
	size_t i, up = 0;

	if (m->member && !strcmp(m->member, str(r, "member"))) {
		fprintf(stderr, "dormantctl: %s is this host: the guest is already here\n",
			m->member);
		return 1;
	}
	if (!json_object_object_get_ex(r, "peers", &peers) ||
	    !json_object_is_type(peers, json_type_array))
		peers = NULL;
	for (i = 0; peers && i < json_object_array_length(peers); i++) {
		p = json_object_array_get_idx(peers, i);
		json_object_object_get_ex(p, "connected", &c);
		if (m->member && strcmp(m->member, str(p, "member")))
			continue;
		if (!json_object_get_boolean(c)) {
			if (m->member) {
				fprintf(stderr, "dormantctl: member %s is not connected to this host's dormantd: it cannot take the guest's pages\n",
					m->member);
				return 1;
			}
			continue;
		}
		up++;
		if (!json_object_object_get_ex(p, "pool_bytes", &pool) || !pool) {
			if (m->member) {
				best = p;	/* asked for: its memory is unknown */
				break;
			}
			continue;
		}
		if (!best || num(p, "pool_bytes") > num(best, "pool_bytes") ||
		    (num(p, "pool_bytes") == num(best, "pool_bytes") &&
		     num(p, "avail_bytes") > num(best, "avail_bytes")))
			best = p;
	}
	if (!best) {
		if (m->member)
			fprintf(stderr, "dormantctl: '%s' is not a member of the pod\n",
				m->member);
		else
			fprintf(stderr, "dormantctl: %s: no member to move to (%zu connected%s)\n",
				up ? "no connected member has said what memory it has yet" :
				"no other member is connected", up,
				up ? "; name one" : "");
		return 1;
	}
	*peer = best;
	return 0;
}

/*
 * A move that failed or was cancelled: the guest must run here again.
 * QEMU restarts it once the migration has ended, if it ran when the move
 * began; a cancel ends it only after QEMU shut its socket down, and a
 * target that hangs can keep the guest stopped in the move's last phase.
 * Wait for the end, resume a guest left stopped, and say where it runs.
 * Returns 1 (not moved; the guest runs here, or the message says why
 * not), or 0 if the move completed before the cancel took hold.
 */
static int move_resume(struct qmp *q, const char *to)
{
	struct json_object *st;
	const char *status;
	char state[32] = "";
	int i;

	for (i = 0; i < MOVE_END_MS / MOVE_POLL_MS && !*state; i++) {
		if (i)
			usleep(MOVE_POLL_MS * 1000);
		if (qmp_run(q, "query-migrate", NULL, &st))
			return 1;
		status = str(st, "status");
		if (!strcmp(status, "failed") || !strcmp(status, "cancelled") ||
		    !strcmp(status, "completed"))
			snprintf(state, sizeof(state), "%s", status);
		json_object_put(st);
	}
	if (!strcmp(state, "completed")) {
		printf("moved to %s: the move completed before the cancel took hold; the guest runs there\n",
		       to);
		return 0;
	}
	if (!*state) {
		fprintf(stderr, "dormantctl: the move to %s has not ended %d s after the cancel; the guest may be stopped here (its QMP: query-migrate, query-status, cont)\n",
			to, MOVE_END_MS / 1000);
		return 1;
	}
	for (i = 0; i < 2; i++) {
		if (qmp_run(q, "query-status", NULL, &st))
			return 1;
		status = str(st, "status");
		if (!strcmp(status, "running")) {
			json_object_put(st);
			fprintf(stderr, "dormantctl: the guest runs on here%s\n",
				i ? " (resumed: the failed move had left it stopped)" : "");
			return 1;
		}
		snprintf(state, sizeof(state), "%s", status);
		json_object_put(st);
		if (i || qmp_run(q, "cont", NULL, NULL))
			break;
	}
	fprintf(stderr, "dormantctl: the guest is stopped here (%s) after the failed move; resume it with 'cont' on its QMP socket\n",
		state);
	return 1;
}

/* Wait for the migration's end, showing its progress; 0 if completed. */
static int move_wait(struct qmp *q, const struct move *m, const char *to)
{
	struct json_object *st, *ram;
	uint64_t start = (uint64_t)time(NULL), shown = 0;
	const char *status;

	for (;;) {
		if (qmp_run(q, "query-migrate", NULL, &st))
			return 1;
		status = str(st, "status");
		if (!json_object_object_get_ex(st, "ram", &ram))
			ram = NULL;
		if (!strcmp(status, "completed")) {
			printf("moved to %s: total %" PRIu64 " ms, downtime %" PRIu64
			       " ms, stream %" PRIu64 " KB\n", to,
			       num(st, "total-time"), num(st, "downtime"),
			       num(ram, "transferred") >> 10);
			json_object_put(st);
			return 0;
		}
		if (!strcmp(status, "failed") || !strcmp(status, "cancelled")) {
			const char *e = str(st, "error-desc");

			if (!strcmp(e, "-"))	/* QEMU 7.2 gives none */
				e = "the target did not take the guest (its QEMU's messages say why)";

			fprintf(stderr, "dormantctl: the move to %s %s: %s\n",
				to, status, e);
			if (strstr(e, "refused"))
				fprintf(stderr, "dormantctl: nothing waits for the guest on %s: start its QEMU there with the same options and -incoming defer, then 'dormantctl accept' (port %u)\n",
					to, m->port);
			json_object_put(st);
			return move_resume(q, to);
		}
		if ((uint64_t)time(NULL) > shown) {
			shown = (uint64_t)time(NULL);
			printf("moving to %s: %s, %" PRIu64 " s, stream %" PRIu64 " KB\n",
			       to, status, shown - start,
			       num(ram, "transferred") >> 10);
			fflush(stdout);
		}
		json_object_put(st);
		if (m->timeout && (uint64_t)time(NULL) >= start + m->timeout) {
			fprintf(stderr, "dormantctl: the move to %s did not end within %u s: cancelled\n",
				to, m->timeout);
			if (qmp_run(q, "migrate_cancel", NULL, NULL))
				return 1;
			return move_resume(q, to);
		}
		usleep(MOVE_POLL_MS * 1000);
	}
}

/* x-ignore-shared: no RAM of pod objects in the stream; return-path: the
 * source hears when the target fails to load the guest, and runs on. */
static int move_caps(struct qmp *q)
{
	static const char * const names[] = { "x-ignore-shared", "return-path" };
	struct json_object *caps = json_object_new_array(), *cap;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cap = json_object_new_object();
		json_object_object_add(cap, "capability",
				       json_object_new_string(names[i]));
		json_object_object_add(cap, "state", json_object_new_boolean(1));
		json_object_array_add(caps, cap);
	}
	cap = json_object_new_object();
	json_object_object_add(cap, "capabilities", caps);
	return qmp_run(q, "migrate-set-capabilities", cap, NULL);
}

static int cmd_move(const struct move *m)
{
	struct json_object *r = NULL, *peer, *cap;
	uint64_t data, room;
	char err[512], uri[128];
	const char *to;
	struct qmp *q;
	int objs, ret = 1;

	if (pod_stats(m->sock, &r))
		return 1;
	if (move_pick(r, m, &peer))
		goto out;
	to = str(peer, "member");
	q = qmp_open(m->qmp, 30, err, sizeof(err));
	if (!q) {
		fprintf(stderr, "dormantctl: the guest's QMP socket: %s\n", err);
		goto out;
	}
	if (move_check_memory(q, r, &data, &objs))
		goto close;
	room = num(peer, "pool_bytes") + num(peer, "avail_bytes");
	if (!json_object_object_get_ex(peer, "pool_bytes", &cap))
		cap = NULL;
	if (cap && room < data) {
		fprintf(stderr, "dormantctl: member %s has %" PRIu64 " MiB for guests (pool %" PRIu64
			" MiB, available %" PRIu64 " MiB), less than the %" PRIu64
			" MiB the guest holds data in here: not moved\n", to,
			room >> 20, num(peer, "pool_bytes") >> 20,
			num(peer, "avail_bytes") >> 20, data >> 20);
		goto close;
	}
	snprintf(uri, sizeof(uri), strchr(str(peer, "address"), ':') ?
		 "tcp:[%s]:%u" : "tcp:%s:%u", str(peer, "address"), m->port);
	printf("moving to %s (%s): %d pod object%s, %" PRIu64 " MiB of data here, ",
	       to, uri + 4, objs, objs == 1 ? "" : "s", data >> 20);
	if (cap)
		printf("%" PRIu64 " MiB free there\n", room >> 20);
	else
		printf("its free memory unknown (it sends no STATUS)\n");
	if (move_caps(q) ||
	    qmp_run(q, "migrate", args1("uri", uri, NULL, NULL), NULL) ||
	    move_wait(q, m, to))
		goto close;
	/* the guest runs there now: the stopped copy here has no use */
	qmp_cmd(q, "quit", NULL, NULL, err, sizeof(err));
	ret = 0;
close:
	qmp_close(q);
out:
	if (!ret && m->drain)
		ret = pod_drain(m->sock, to, m->timeout);
	json_object_put(r);
	return ret;
}

/*
 * dormantctl accept: the target's side of a move. The guest's QEMU here
 * was started with -incoming defer; its memory must be the same pod
 * objects. Listen on this member's pod address and wait until the guest
 * has come (0) or the move failed (1).
 */
static int cmd_accept(const struct move *m)
{
	struct json_object *r = NULL, *st;
	uint64_t data, start = (uint64_t)time(NULL);
	char err[512], uri[128];
	const char *status;
	struct qmp *q;
	int objs, rc, ret = 1;

	if (pod_stats(m->sock, &r))
		return 1;
	q = qmp_open(m->qmp, 30, err, sizeof(err));
	if (!q) {
		fprintf(stderr, "dormantctl: the guest's QMP socket: %s\n", err);
		goto out;
	}
	if (move_check_memory(q, r, &data, &objs))
		goto close;
	snprintf(uri, sizeof(uri), strchr(str(r, "address"), ':') ?
		 "tcp:[%s]:%u" : "tcp:%s:%u", str(r, "address"), m->port);
	if (move_caps(q) ||
	    qmp_run(q, "migrate-incoming", args1("uri", uri, NULL, NULL), NULL))
		goto close;
	printf("waiting for the guest on %s\n", uri + 4);
	fflush(stdout);
	for (;;) {
		rc = qmp_cmd(q, "query-migrate", NULL, &st, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "dormantctl: the move here failed: the guest's QEMU here ended (%s)\n",
				err);
			goto close;
		}
		status = str(st, "status");
		if (!strcmp(status, "completed")) {
			printf("the guest has come: it runs here\n");
			json_object_put(st);
			ret = 0;
			goto close;
		}
		if (!strcmp(status, "failed") || !strcmp(status, "cancelled")) {
			fprintf(stderr, "dormantctl: the move here %s: %s\n",
				status, str(st, "error-desc"));
			json_object_put(st);
			goto close;
		}
		json_object_put(st);
		if (m->timeout && (uint64_t)time(NULL) >= start + m->timeout) {
			fprintf(stderr, "dormantctl: no guest came within %u s; QEMU here still waits on %s\n",
				m->timeout, uri + 4);
			goto close;
		}
		usleep(MOVE_POLL_MS * 1000);
	}
close:
	qmp_close(q);
out:
	json_object_put(r);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "reset", no_argument, NULL, 'r' },
		{ "control", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ "drain", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL, *sock = NULL, *cmd;
	unsigned int timeout = 0, port = 0;
	int json = 0, reset = 0, drain = 0, c, nargs;

	while ((c = getopt_long(argc, argv, "jd:rc:t:p:h", opts, NULL)) != -1) {
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
		case 'c':
			sock = optarg;
			break;
		case 't':
			if (dmt_parse_count(optarg, 1, 86400, &timeout)) {
				fprintf(stderr, "dormantctl: --timeout: '%s' is not a number of seconds from 1 to 86400\n",
					optarg);
				return 2;
			}
			break;
		case 'p':
			if (dmt_parse_count(optarg, 1, 65535, &port)) {
				fprintf(stderr, "dormantctl: --port: '%s' is not a port number from 1 to 65535\n",
					optarg);
				return 2;
			}
			break;
		case 'D':
			drain = 1;
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
	if (timeout && strcmp(cmd, "pod") && strcmp(cmd, "move") &&
	    strcmp(cmd, "accept")) {
		fprintf(stderr, "dormantctl: --timeout only goes with 'pod drain', 'move' and 'accept'\n");
		usage(stderr);
		return 2;
	}
	if (sock && strcmp(cmd, "pod") && strcmp(cmd, "move") &&
	    strcmp(cmd, "accept")) {
		fprintf(stderr, "dormantctl: --control only goes with 'pod', 'move' and 'accept'\n");
		usage(stderr);
		return 2;
	}
	if ((port || drain) && strcmp(cmd, "move") && strcmp(cmd, "accept")) {
		fprintf(stderr, "dormantctl: --%s only goes with 'move'%s\n",
			port ? "port" : "drain", port ? " and 'accept'" : "");
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "move") || !strcmp(cmd, "accept")) {
		struct move m = {
			.sock = sock ? sock : POD_CTL_PATH,
			.qmp = argv[optind + 1],
			.member = nargs == 2 ? argv[optind + 2] : NULL,
			.port = port ? port : MOVE_PORT,
			.timeout = timeout,
			.drain = drain,
		};

		if (nargs < 1 || nargs > 2 || (nargs == 2 && cmd[0] == 'a')) {
			fprintf(stderr, "dormantctl: '%s' needs the guest's QMP socket%s\n",
				cmd, cmd[0] == 'm' ? " and at most one MEMBER" :
				" only");
			usage(stderr);
			return 2;
		}
		if (json || (drain && cmd[0] == 'a')) {
			fprintf(stderr, "dormantctl: '%s' %s\n", cmd,
				json ? "prints no JSON" : "takes no --drain");
			usage(stderr);
			return 2;
		}
		return cmd[0] == 'm' ? cmd_move(&m) : cmd_accept(&m);
	}
	if (!strcmp(cmd, "pod")) {
		c = cmd_pod(sock, argv + optind + 1, nargs, json, timeout);
		if (c == 2)
			usage(stderr);
		return c;
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
