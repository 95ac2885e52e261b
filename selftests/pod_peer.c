// SPDX-License-Identifier: GPL-2.0
/*
 * pod_peer: a member of a pod that sends garbage. It connects to the
 * other members the way dormantd does (pod_net.c, the same HELLO), then,
 * one connection per case, sends one bad message and waits for the other
 * end to drop the connection, as dormantd must for every message that
 * pod_wire_check() refuses. For pod_test.sh.
 *
 *   pod_peer POD.json MEMBER
 *
 * Prints one line per case; exits 0 if every connection was dropped
 * within 10 s of its bad message, 1 if not, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pod.h"
#include "pod_net.h"
#include "pod_wire.h"

enum bad {
	BAD_MAGIC, BAD_MAJOR, BAD_LENGTH, BAD_TYPE, BAD_RESERVED,
	BAD_OBJECT, BAD_FLAGS, BAD_BODY, BAD_REPLAY, NR_BAD,
};

static const char * const names[NR_BAD] = {
	"bad magic", "major version 2", "length field not the bytes sent",
	"unknown type 99", "a reserved field not zero",
	"object index out of range", "header flags not zero",
	"body longer than its type", "a replayed sequence number",
};

static void put_le(unsigned char *p, unsigned int n, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

/*
 * A valid PAGE_NACK (object 0, page 0, a request nobody made: harmless
 * when accepted) with sequence number @seq, spoiled as @bad says.
 */
static size_t make(enum bad bad, unsigned char *buf, size_t cap,
		   uint16_t me, uint64_t seq, uint32_t nr_objects)
{
	size_t len = pod_wire_encode_page_nack(buf, cap, me, seq, 0,
					       POD_E_NOT_OWNER, 0, 1, 1);

	switch (bad) {
	case BAD_MAGIC:
		buf[0] ^= 0xff;
		break;
	case BAD_MAJOR:
		buf[4] = 2;
		break;
	case BAD_LENGTH:
		put_le(buf + 8, 4, len + 8);
		break;
	case BAD_TYPE:
		put_le(buf + 6, 2, 99);
		break;
	case BAD_RESERVED:
		put_le(buf + POD_WIRE_HDR_LEN + 20, 4, 1);	/* pad */
		break;
	case BAD_OBJECT:
		put_le(buf + POD_WIRE_HDR_LEN, 4, nr_objects);
		break;
	case BAD_FLAGS:
		put_le(buf + 14, 2, 1);
		break;
	case BAD_BODY:
		memset(buf + len, 0, 4096);
		len += 4096;
		put_le(buf + 8, 4, len);
		break;
	default:
		break;
	}
	return len;
}

/*
 * Wait up to @ms for the other end of @c to drop it, taking (and giving
 * back) whatever it sends meanwhile. 1 if it dropped it, 0 if not.
 */
static int dropped(struct pod_conn *c, int ms)
{
	struct pollfd p[2] = {
		{ .fd = pod_conn_cm_fd(c), .events = POLLIN },
		{ .fd = pod_conn_fd(c), .events = POLLIN },
	};
	struct pod_msg m[POD_NET_RECV_SLOTS];
	void *bufs[POD_NET_RECV_SLOTS];
	int n, i;

	while (ms > 0) {
		if (poll(p, 2, 100) < 0)
			return 0;
		ms -= 100;
		if (p[0].revents && pod_conn_cm_event(c))
			return 1;
		if (!p[1].revents && !pod_conn_pending(c))
			continue;
		n = pod_conn_recv(c, m, bufs, POD_NET_RECV_SLOTS);
		if (n < 0)
			return 1;	/* flushed: the QP is down */
		for (i = 0; i < n; i++)
			pod_conn_repost(c, bufs[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pod_net net;
	struct pod *pod;
	char err[512];
	int me, bad, ret = 0;
	unsigned int peer;

	if (argc != 3) {
		fprintf(stderr, "usage: pod_peer POD.json MEMBER\n");
		return 2;
	}
	if (pod_load(argv[1], &pod, err, sizeof(err))) {
		fprintf(stderr, "pod_peer: %s\n", err);
		return 2;
	}
	me = pod_member_index(pod, argv[2]);
	if (me < 0) {
		fprintf(stderr, "pod_peer: %s has no member '%s'\n", argv[1],
			argv[2]);
		pod_free(pod);
		return 2;
	}
	for (bad = 0; bad < NR_BAD; bad++) {
		unsigned char *buf;
		size_t cap, len;
		uint64_t seq;
		int gone = 0, sent;

		if (pod_net_start(&net, pod, me, 60)) {
			printf("pod_peer: %s: could not connect\n", names[bad]);
			ret = 1;
			continue;
		}
		for (peer = 0; peer < pod->nr_members; peer++) {
			struct pod_conn *c = net.conns[peer];

			if (!c)
				continue;
			buf = pod_conn_send_buf(c, &cap, &seq);
			if (bad == BAD_REPLAY) {
				/* accepted once, refused the second time */
				len = make(bad, buf, cap, me, seq, pod->nr_objects);
				if (pod_conn_send(c, len, 0))
					break;
				buf = pod_conn_send_buf(c, &cap, &seq);
				seq--;
			}
			len = make(bad, buf, cap, me, seq, pod->nr_objects);
			sent = pod_conn_send(c, len, 0) == 0;
			gone = dropped(c, 10000);
			printf("pod_peer: %s to member %s: %s\n", names[bad],
			       pod->members[peer].name,
			       !sent ? "not sent" : gone ?
			       "connection dropped" : "NOT dropped");
			if (!sent || !gone)
				ret = 1;
		}
		pod_net_stop(&net);
	}
	pod_free(pod);
	return ret;
}
