// SPDX-License-Identifier: GPL-2.0
/*
 * dormantd: the pod daemon, one per host. It keeps the pod's objects in
 * the local dormant mount, connects to every other member over RDMA
 * (pod_net.c), hands the faults its kernel cannot serve (pages owned by
 * another member) to the page's home, and answers the homes' requests.
 *
 *   dormantd -p POD.json -m MEMBER -d MOUNTDIR [-c SOCKET] [-s STATS.json]
 *            [-t SEC]
 *
 * Ownership (Documentation/design.rst, "The pod: ownership"): every page
 * has a home, the member that owns it when the pod starts (the pod file's
 * "owner" or "interleave"). The home keeps the page's current owner and
 * serialises requests per 2 MiB block: a request for a page of a busy
 * block waits at the home until the block's move is done.
 *
 *   requester R             home H                   owner O
 *   fault -> PAGE_REQ  -->  block busy; owner O
 *                           PAGE_REQ (for R)   -->  POD_RELEASE
 *        <-------------------------------------  PAGE_GRANT (data only
 *   POD_GRANT                                     for pages holding it)
 *   OWNER_SET          -->  owner R; block free
 *
 * H, O and R may be the same host; what one host would send itself it
 * does in place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <json.h>
#include <linux/dormant.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libdormant.h"
#include "pod.h"
#include "pod_ctl.h"
#include "pod_net.h"
#include "pod_wire.h"

#define PAGE		4096U
#define BLOCK_PAGES	512U		/* 2 MiB: the unit a home serialises */

/* A request waiting at its home for its block. */
struct waiting {
	struct waiting *next;
	uint32_t object;
	uint64_t page;
	uint16_t requester;
	uint64_t req_id;
};

/*
 * A move under way at its home: the owner asked to give the page up and
 * the member that will own it, so that a member that leaves mid-way ends
 * the moves it was part of.
 */
struct move {
	uint16_t owner;
	uint16_t requester;
	uint64_t page;
	uint64_t req_id;
};

/**
 * struct object - one object of the pod on this host
 * @fd: the object's file in the mount
 * @pages: its size in 4 KiB pages
 * @owner: per page, its owner's member index (kept for pages homed here)
 * @busy: per 2 MiB block homed here, a move is under way
 * @mv: per 2 MiB block homed here, the move (valid while @busy)
 */
struct object {
	int fd;
	uint64_t pages;
	uint16_t *owner;
	uint8_t *busy;
	struct move *mv;
};

/* An own request in flight: what and where it asked, and when. */
struct inflight {
	uint64_t req_id;
	uint64_t start_ns;
	uint32_t object;
	uint16_t home;
	uint64_t page;
};

#define INFLIGHT_MAX	4096
#define CTL_CLIENTS	8	/* control connections open at once */
#define CTL_WAIT	5	/* seconds a control client has to ask */
#define LAT_MAX		65536
#define LAT_BUCKETS	24	/* log2 of microseconds: [2^i, 2^(i+1)) */

/* A latency histogram: bucket i counts [2^i, 2^(i+1)) us (0 takes 0-1). */
struct hist {
	uint64_t count;
	uint64_t b[LAT_BUCKETS];
};

/*
 * struct peer_stats - what went between this host and one member, over
 * all connections to it
 * @requests_out: PAGE_REQs sent to it (as home or as owner)
 * @requests_in: PAGE_REQs it sent us
 * @grants_out: grants we sent it (@grants_out_data with page data)
 * @grants_in: grants it sent us (@grants_in_data with page data)
 * @nacks_in: refusals it sent us
 * @msgs_out, @msgs_in, @data_out, @data_in, @refused: of connections that
 *	are gone (the live one's are added when shown)
 * @lat: latency of our requests that it granted
 */
struct peer_stats {
	uint64_t requests_out, requests_in;
	uint64_t grants_out, grants_out_data, pages_out;
	uint64_t grants_in, grants_in_data, pages_in;
	uint64_t nacks_in;
	uint64_t msgs_out, msgs_in, data_out, data_in, refused;
	struct hist lat;
};

static struct {
	const struct pod *pod;
	unsigned int me;
	struct object *obj;
	struct pod_net net;
	int chan;
	char *buf;		/* 2 MiB: pages as the kernel takes them */
	char *pack;		/* 2 MiB: data pages packed for the wire */
	struct waiting *waiting;
	uint64_t next_req;
	struct inflight inflight[INFLIGHT_MAX];
	uint64_t lat[LAT_MAX];
	unsigned int nr_lat;
	const char *stats_path;
	const char *dir;	/* the dormant mount the objects are in */
	/* counters */
	uint64_t faults, req_sent, req_served, forwarded, queued;
	uint64_t grants_in, grants_in_data, grants_out, pages_in, pages_out;
	uint64_t data_pages_in, data_pages_out, nacks, errors;
	uint64_t failed, peer_drops, reports_in, reports_out, bad_messages;
	bool up[POD_MAX_MEMBERS];	/* connected and in the event loop */
	struct peer_stats ps[POD_MAX_MEMBERS];
	struct hist lat_hist;
	time_t next_call[POD_MAX_MEMBERS];	/* when to call a lost member */
	/*
	 * a drain: where to, where the pass is (object, block, page in the
	 * block, that block's pages here), pages found in the last pass,
	 * when the next pass may start, pushes not answered yet and when
	 * the last went out
	 */
	int drain_to;
	uint32_t drain_obj;
	uint64_t drain_block, drain_page, drain_n;
	uint64_t drain_left, drain_seen, drain_pushed;
	uint64_t drain_resume_ns, drain_sent_ns;
	unsigned int drain_inflight;
	const char *drain_state;	/* none, running, done, stopped */
	/* the control socket and the clients that have not asked yet */
	int ctl;
	struct {
		int fd;
		time_t since;
	} ctl_client[CTL_CLIENTS];
	uint64_t ctl_requests, ctl_refused;
	int ep;
	/*
	 * memory for guests, here (read once a second) and as each member
	 * last said in a STATUS (@at_ns 0: never, or not since it came back)
	 */
	uint64_t pool_bytes, avail_bytes, next_status_ns;
	struct {
		uint64_t pool_bytes, avail_bytes, at_ns;
	} status[POD_MAX_MEMBERS];
} d;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int home_of(uint32_t object, uint64_t page)
{
	return pod_home(d.pod, object, page);
}

static void drop(unsigned int peer, const char *why);

/* Send one message to @peer, encoded by the caller into its buffer. */
static int send_to(unsigned int peer, size_t len, uint64_t data_bytes)
{
	struct pod_conn *c = d.net.conns[peer];
	int ret;

	if (!c)
		return -ENOTCONN;
	ret = pod_conn_send(c, len, data_bytes);
	if (ret)
		drop(peer, "send failed");
	return ret;
}

static int send_req_flags(unsigned int to, uint32_t object, uint64_t page,
			  uint16_t requester, uint64_t req_id, uint32_t flags)
{
	struct pod_conn *c = d.net.conns[to];
	size_t cap, len;
	uint64_t seq;
	void *buf;

	if (!c)
		return -ENOTCONN;
	buf = pod_conn_send_buf(c, &cap, &seq);
	len = pod_wire_encode_page_req(buf, cap, d.me, seq, object, flags,
				       page, 1, requester, req_id);
	d.ps[to].requests_out++;
	return send_to(to, len, 0);
}

static int send_req(unsigned int to, uint32_t object, uint64_t page,
		    uint16_t requester, uint64_t req_id)
{
	return send_req_flags(to, object, page, requester, req_id, 0);
}

static int send_owner_set(unsigned int to, uint32_t object, uint64_t page,
			  uint32_t npages, uint64_t req_id)
{
	struct pod_conn *c = d.net.conns[to];
	size_t cap, len;
	uint64_t seq;
	void *buf;

	if (!c)
		return -ENOTCONN;
	buf = pod_conn_send_buf(c, &cap, &seq);
	len = pod_wire_encode_owner_set(buf, cap, d.me, seq, object, page,
					npages, d.me, req_id);
	return send_to(to, len, 0);
}

static int send_nack(unsigned int to, uint32_t object, uint64_t page,
		     uint32_t error, uint64_t req_id)
{
	struct pod_conn *c = d.net.conns[to];
	size_t cap, len;
	uint64_t seq;
	void *buf;

	if (!c)
		return -ENOTCONN;
	buf = pod_conn_send_buf(c, &cap, &seq);
	len = pod_wire_encode_page_nack(buf, cap, d.me, seq, object, error,
					page, 1, req_id);
	return send_to(to, len, 0);
}

static void dir_request(uint32_t object, uint64_t page, uint16_t requester,
			uint64_t req_id);
static void dir_abort(uint32_t object, uint64_t block, uint32_t error);
static void fail_here(uint32_t object, uint64_t page, const char *why);

static void dir_next(uint32_t object, uint64_t block);

/* The block's move is done at its home: owner recorded, next request. */
static void dir_done(uint32_t object, uint64_t page, uint32_t npages,
		     uint16_t owner)
{
	struct object *o = &d.obj[object];
	uint64_t i, block = page / BLOCK_PAGES;

	for (i = page; i < page + npages && i < o->pages; i++)
		o->owner[i] = owner;
	o->busy[block] = 0;
	dir_next(object, block);
}

/* The block is free again: its waiting requests, oldest first. */
static void dir_next(uint32_t object, uint64_t block)
{
	struct object *o = &d.obj[object];
	struct waiting **pw, *w;

	/* the block's waiting requests, oldest first, until one moves it */
	pw = &d.waiting;
	while (!o->busy[block] && (w = *pw)) {
		if (w->object != object || w->page / BLOCK_PAGES != block) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		dir_request(w->object, w->page, w->requester, w->req_id);
		free(w);
	}
}

/*
 * The block's move failed (the owner could not give the page up, or a
 * member left): the requester hears it, the owner stays as recorded.
 */
static void dir_abort(uint32_t object, uint64_t block, uint32_t error)
{
	struct object *o = &d.obj[object];
	struct move *mv = &o->mv[block];

	if (!o->busy[block])
		return;
	o->busy[block] = 0;
	if (mv->requester == d.me)
		fail_here(object, mv->page, error == POD_E_LOST ?
			  "its owner left the pod" : "its owner refused");
	else if (d.net.conns[mv->requester])
		send_nack(mv->requester, object, mv->page, error, mv->req_id);
	dir_next(object, block);
}

/* Install a grant here: the pages come in, with data where they hold it. */
static int grant_here(uint32_t object, uint64_t page, uint32_t npages,
		      const uint64_t *data_pages, const char *data)
{
	struct dormant_pod_xfer x = {
		.offset = page * PAGE, .len = (uint64_t)npages * PAGE,
		.data = (uintptr_t)d.buf,
	};
	unsigned int i, n = 0;

	memcpy(x.data_pages, data_pages, sizeof(x.data_pages));
	for (i = 0; i < npages; i++)
		if (data_pages[i / 64] & (1ULL << (i % 64)))
			memcpy(d.buf + (size_t)i * PAGE, data + (size_t)n++ * PAGE,
			       PAGE);
	if (ioctl(d.obj[object].fd, DORMANT_IOC_POD_GRANT, &x)) {
		fprintf(stderr, "dormantd: %s: POD_GRANT at page %" PRIu64 "+%u: %s\n",
			d.pod->objects[object].name, page, npages,
			strerror(errno));
		d.errors++;
		return -errno;
	}
	d.grants_in++;
	if (n)
		d.grants_in_data++;
	d.pages_in += npages;
	d.data_pages_in += n;
	return 0;
}

/*
 * A page of ours cannot come: the faults waiting for it fail (SIGBUS)
 * now, not after the module's pod_timeout_ms. A later fault asks again.
 */
static void fail_here(uint32_t object, uint64_t page, const char *why)
{
	struct dormant_pod_xfer x = {
		.flags = DORMANT_POD_GRANT_FAIL,
		.offset = page * PAGE, .len = PAGE,
	};

	fprintf(stderr, "dormantd: %s: page %" PRIu64 " cannot come: %s\n",
		d.pod->objects[object].name, page, why);
	d.failed++;
	if (ioctl(d.obj[object].fd, DORMANT_IOC_POD_GRANT, &x)) {
		fprintf(stderr, "dormantd: %s: POD_GRANT (fail) at page %" PRIu64 ": %s\n",
			d.pod->objects[object].name, page, strerror(errno));
		d.errors++;
	}
}

/* Our request @req_id is over (granted or refused): forget it. */
static struct inflight *inflight_find(uint64_t req_id)
{
	unsigned int i;

	for (i = 0; i < INFLIGHT_MAX; i++)
		if (d.inflight[i].req_id == req_id)
			return &d.inflight[i];
	return NULL;
}

/* A request of ours came back granted: its latency. */
static void hist_add(struct hist *h, uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned int i = 0;

	while (us > 1 && i < LAT_BUCKETS - 1) {
		us >>= 1;
		i++;
	}
	h->b[i]++;
	h->count++;
}

static void request_done(uint64_t req_id, unsigned int from)
{
	struct inflight *f = inflight_find(req_id);
	uint64_t ns;

	if (!f)
		return;
	ns = now_ns() - f->start_ns;
	if (d.nr_lat < LAT_MAX)
		d.lat[d.nr_lat++] = ns;
	hist_add(&d.lat_hist, ns);
	hist_add(&d.ps[from].lat, ns);
	f->req_id = 0;
}

/*
 * We own the page: give it (and the rest of its 2 MiB page, if the
 * kernel widens the release) to @requester, by a grant message.
 */
static void release_to(uint32_t object, uint64_t page, uint16_t requester,
		       uint64_t req_id)
{
	/* a block with nothing in it here goes whole: one move, no data */
	struct dormant_pod_xfer x = {
		.flags = DORMANT_POD_RELEASE_BLOCK, .owner = requester + 1,
		.offset = page * PAGE, .len = PAGE, .data = (uintptr_t)d.buf,
	};
	struct pod_conn *c = d.net.conns[requester];
	unsigned int i, npages, n = 0;
	size_t cap, len;
	uint64_t seq;
	void *buf;

	if (!c) {
		fprintf(stderr, "dormantd: %s: page %" PRIu64 " asked by member %s, which is not connected\n",
			d.pod->objects[object].name, page,
			d.pod->members[requester].name);
		if (home_of(object, page) == (int)d.me)
			dir_abort(object, page / BLOCK_PAGES, POD_E_LOST);
		return;
	}
	/* one of this host's drain pushes is answered (or given up below) */
	if (req_id >> 48 == (uint64_t)d.me + 1 && requester != d.me &&
	    d.drain_inflight)
		d.drain_inflight--;
	if (ioctl(d.obj[object].fd, DORMANT_IOC_POD_RELEASE, &x)) {
		int err = errno;
		int home = home_of(object, page);

		fprintf(stderr, "dormantd: %s: POD_RELEASE of page %" PRIu64 " for member %s: %s\n",
			d.pod->objects[object].name, page,
			d.pod->members[requester].name, strerror(err));
		d.errors++;
		if (home == (int)d.me)
			dir_abort(object, page / BLOCK_PAGES, err == EREMOTE ?
				  POD_E_NOT_OWNER : POD_E_RANGE);
		else
			send_nack(home, object, page, err == EREMOTE ?
				  POD_E_NOT_OWNER : POD_E_RANGE, req_id);
		return;
	}
	npages = x.len / PAGE;
	for (i = 0; i < npages; i++)
		if (x.data_pages[i / 64] & (1ULL << (i % 64)))
			memcpy(d.pack + (size_t)n++ * PAGE,
			       d.buf + (size_t)i * PAGE, PAGE);
	buf = pod_conn_send_buf(c, &cap, &seq);
	len = pod_wire_encode_page_grant(buf, cap, d.me, seq, object,
					 n ? POD_GRANT_DATA : 0,
					 x.offset / PAGE, npages, req_id,
					 (const uint64_t *)x.data_pages, d.pack,
					 n * PAGE);
	if (send_to(requester, len, (uint64_t)n * PAGE) == 0) {
		d.grants_out++;
		d.pages_out += npages;
		d.data_pages_out += n;
		d.ps[requester].grants_out++;
		d.ps[requester].grants_out_data += !!n;
		d.ps[requester].pages_out += npages;
	}
}

/* At the page's home: serve, forward or queue a request. */
static void dir_request(uint32_t object, uint64_t page, uint16_t requester,
			uint64_t req_id)
{
	struct object *o = &d.obj[object];
	uint64_t block = page / BLOCK_PAGES;
	uint16_t owner = o->owner[page];
	struct waiting *w, **pw;

	if (o->busy[block]) {
		w = calloc(1, sizeof(*w));
		if (!w) {
			d.errors++;
			return;
		}
		*w = (struct waiting){ NULL, object, page, requester, req_id };
		for (pw = &d.waiting; *pw; pw = &(*pw)->next)
			;
		*pw = w;	/* at the end: oldest first */
		d.queued++;
		return;
	}
	if (owner == requester)
		return;		/* asked twice: the first request moved it */
	o->busy[block] = 1;
	o->mv[block] = (struct move){ owner, requester, page, req_id };
	d.req_served++;
	if (owner == d.me) {
		release_to(object, page, requester, req_id);
	} else if (!d.net.conns[owner] ||
		   send_req(owner, object, page, requester, req_id)) {
		fprintf(stderr, "dormantd: %s: page %" PRIu64 " is owned by member %s, which is not in the pod now: lost until it comes back\n",
			d.pod->objects[object].name, page,
			d.pod->members[owner].name);
		dir_abort(object, block, POD_E_LOST);
	} else {
		d.forwarded++;
	}
}

/* A fault here wants a page another member owns. */
static void on_fault(const struct dormant_pod_request *r)
{
	uint32_t object = r->obj_id;
	uint64_t page = r->offset / PAGE;
	uint64_t req_id;
	int home;

	if (object >= d.pod->nr_objects || page >= d.obj[object].pages) {
		fprintf(stderr, "dormantd: the kernel asked for object %u page %" PRIu64 ", which the pod does not have\n",
			object, page);
		d.errors++;
		return;
	}
	d.faults++;
	req_id = ((uint64_t)(d.me + 1) << 48) | ++d.next_req;
	home = home_of(object, page);
	d.inflight[d.next_req % INFLIGHT_MAX] =
		(struct inflight){ req_id, now_ns(), object, home, page };
	if (home == (int)d.me) {
		dir_request(object, page, d.me, req_id);
	} else if (d.net.conns[home] &&
		   send_req(home, object, page, d.me, req_id) == 0) {
		d.req_sent++;
	} else {
		d.inflight[d.next_req % INFLIGHT_MAX].req_id = 0;
		fail_here(object, page, "its home member is not in the pod now");
	}
}

static void on_message(unsigned int peer, const struct pod_msg *m)
{
	int home;

	switch (m->type) {
	case POD_MSG_PAGE_REQ:
		d.ps[peer].requests_in++;
		if (m->req.object >= d.pod->nr_objects ||
		    m->req.page >= d.obj[m->req.object].pages)
			goto range;
		home = home_of(m->req.object, m->req.page);
		if (home == (int)d.me && (peer == m->req.requester ||
					  (m->req.flags & POD_REQ_PUSH)))
			dir_request(m->req.object, m->req.page,
				    m->req.requester, m->req.req_id);
		else
			release_to(m->req.object, m->req.page,
				   m->req.requester, m->req.req_id);
		break;
	case POD_MSG_PAGE_GRANT:
		if (m->grant.object >= d.pod->nr_objects ||
		    m->grant.page + m->grant.npages >
		    d.obj[m->grant.object].pages)
			goto range;
		if (grant_here(m->grant.object, m->grant.page,
			       m->grant.npages, m->grant.data_pages,
			       m->grant.data))
			break;
		d.ps[peer].grants_in++;
		d.ps[peer].grants_in_data += !!(m->grant.flags & POD_GRANT_DATA);
		d.ps[peer].pages_in += m->grant.npages;
		request_done(m->grant.req_id, peer);
		home = home_of(m->grant.object, m->grant.page);
		if (home == (int)d.me)
			dir_done(m->grant.object, m->grant.page,
				 m->grant.npages, d.me);
		else
			send_owner_set(home, m->grant.object, m->grant.page,
				       m->grant.npages, m->grant.req_id);
		break;
	case POD_MSG_OWNER_SET:
		if (m->owner_set.object >= d.pod->nr_objects ||
		    m->owner_set.page + m->owner_set.npages >
		    d.obj[m->owner_set.object].pages ||
		    home_of(m->owner_set.object, m->owner_set.page) != (int)d.me)
			goto range;
		if (!m->owner_set.req_id) {
			/* a report: the sender owns these pages */
			struct object *o = &d.obj[m->owner_set.object];
			uint64_t i;

			if (m->owner_set.owner != peer)
				goto range;
			for (i = 0; i < m->owner_set.npages; i++)
				o->owner[m->owner_set.page + i] = peer;
			d.reports_in++;
			break;
		}
		dir_done(m->owner_set.object, m->owner_set.page,
			 m->owner_set.npages, m->owner_set.owner);
		break;
	case POD_MSG_PAGE_NACK:
		d.nacks++;
		d.ps[peer].nacks_in++;
		fprintf(stderr, "dormantd: member %s could not give page %" PRIu64 " of %s (error %u)\n",
			d.pod->members[peer].name, m->nack.page,
			m->nack.object < d.pod->nr_objects ?
			d.pod->objects[m->nack.object].name : "?",
			m->nack.error);
		if (m->nack.object >= d.pod->nr_objects ||
		    m->nack.page >= d.obj[m->nack.object].pages)
			goto range;
		if (home_of(m->nack.object, m->nack.page) == (int)d.me &&
		    d.obj[m->nack.object].busy[m->nack.page / BLOCK_PAGES] &&
		    d.obj[m->nack.object].mv[m->nack.page / BLOCK_PAGES].req_id ==
		    m->nack.req_id) {
			/* the owner we asked refused: tell the requester */
			dir_abort(m->nack.object, m->nack.page / BLOCK_PAGES,
				  m->nack.error);
		} else if (inflight_find(m->nack.req_id)) {
			/* our own request, refused at its home */
			inflight_find(m->nack.req_id)->req_id = 0;
			fail_here(m->nack.object, m->nack.page,
				  m->nack.error == POD_E_LOST ?
				  "its owner left the pod" :
				  "the pod refused the request");
		}
		break;
	case POD_MSG_BYE:
		drop(peer, "it said goodbye");
		break;
	case POD_MSG_STATUS:
		d.status[peer].pool_bytes = m->status.pool_bytes;
		d.status[peer].avail_bytes = m->status.avail_bytes;
		d.status[peer].at_ns = now_ns();
		break;
	default:
		fprintf(stderr, "dormantd: member %s sent %s after the handshake: ignored\n",
			d.pod->members[peer].name, pod_wire_type_name(m->type));
		d.errors++;
		break;
	}
	return;
range:
	fprintf(stderr, "dormantd: member %s sent %s for a page outside the pod's objects\n",
		d.pod->members[peer].name, pod_wire_type_name(m->type));
	d.errors++;
}

static unsigned int peers_up(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < d.pod->nr_members; i++)
		n += d.up[i];
	return n;
}

/* Pages homed here whose owner is not in the pod now. */
static uint64_t lost_pages(void)
{
	uint64_t n = 0, p;
	unsigned int i;

	for (i = 0; i < d.pod->nr_objects; i++) {
		struct object *o = &d.obj[i];

		for (p = 0; p < o->pages; p++)
			if (o->owner[p] != d.me && !d.up[o->owner[p]] &&
			    home_of(i, p) == (int)d.me)
				n++;
	}
	return n;
}

/*
 * Member @peer left (its connection dropped): the moves it was part of
 * end, requests it made are forgotten, our requests that wait on it fail,
 * and the pages it owned are lost until it comes back.
 */
static void peer_gone(unsigned int peer)
{
	struct waiting **pw, *w;
	unsigned int i;
	uint64_t b, p, n;

	if (!d.up[peer])
		return;
	d.up[peer] = false;
	d.status[peer].at_ns = 0;
	d.peer_drops++;
	if (d.drain_to == (int)peer) {
		fprintf(stderr, "dormantd: the drain stops: member %s, which took the pages, left (%" PRIu64 " requests sent)\n",
			d.pod->members[peer].name, d.drain_pushed);
		d.drain_to = -1;
		d.drain_state = "stopped";
	}
	d.next_call[peer] = time(NULL) + 1;
	for (i = 0; i < d.pod->nr_objects; i++) {
		struct object *o = &d.obj[i];

		for (b = 0, n = 0; b * BLOCK_PAGES < o->pages; b++) {
			if (home_of(i, b * BLOCK_PAGES) != (int)d.me)
				continue;
			for (p = b * BLOCK_PAGES; p < (b + 1) * BLOCK_PAGES &&
			     p < o->pages; p++)
				n += o->owner[p] == peer;
			if (!o->busy[b])
				continue;
			if (o->mv[b].requester == peer) {
				/* it may hold the page: it reports it if so */
				o->owner[o->mv[b].page] = peer;
				o->busy[b] = 0;
				dir_next(i, b);
			} else if (o->mv[b].owner == peer) {
				dir_abort(i, b, POD_E_LOST);
			}
		}
		if (n)
			fprintf(stderr, "dormantd: member %s left: %" PRIu64 " pages of %s that it owned are lost until it comes back\n",
				d.pod->members[peer].name, n,
				d.pod->objects[i].name);
	}
	for (pw = &d.waiting; (w = *pw);) {
		if (w->requester == peer) {
			*pw = w->next;
			free(w);
		} else {
			pw = &w->next;
		}
	}
	for (i = 0; i < INFLIGHT_MAX; i++) {
		struct inflight *f = &d.inflight[i];

		if (f->req_id && f->home == peer) {
			f->req_id = 0;
			fail_here(f->object, f->page,
				  "its home member left the pod");
		}
	}
}

/* Tell @peer which of the pages it is home of we own (req_id 0). */
static int report_to(unsigned int peer)
{
	static uint32_t owners[BLOCK_PAGES];
	unsigned int i;
	uint64_t b, p;

	for (i = 0; i < d.pod->nr_objects; i++) {
		struct object *o = &d.obj[i];

		for (b = 0; b * BLOCK_PAGES < o->pages; b++) {
			struct dormant_pod_map m = {
				.offset = b * BLOCK_PAGES * PAGE,
				.len = (uint64_t)BLOCK_PAGES * PAGE,
				.owners = (uintptr_t)owners,
			};

			if (home_of(i, b * BLOCK_PAGES) != (int)peer)
				continue;
			if (ioctl(o->fd, DORMANT_IOC_POD_MAP, &m)) {
				fprintf(stderr, "dormantd: %s: POD_MAP of block %" PRIu64 ": %s\n",
					d.pod->objects[i].name, b, strerror(errno));
				d.errors++;
				return -1;
			}
			/* runs of our pages, cut into aligned powers of two */
			for (p = 0; p < BLOCK_PAGES;) {
				uint32_t n = BLOCK_PAGES;

				if (owners[p] != DORMANT_POD_MAP_LOCAL) {
					p++;
					continue;
				}
				while (p % n)
					n /= 2;
				for (;;) {
					uint32_t k;

					for (k = 0; k < n; k++)
						if (owners[p + k] !=
						    DORMANT_POD_MAP_LOCAL)
							break;
					if (k == n)
						break;
					n /= 2;
				}
				if (send_owner_set(peer, i, b * BLOCK_PAGES + p,
						   n, 0))
					return -1;
				d.reports_out++;
				p += n;
			}
		}
	}
	return 0;
}

static void watch(int fd, uint32_t what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = what };

	epoll_ctl(d.ep, EPOLL_CTL_ADD, fd, &ev);
}

#define EV_SIGNAL	1000
#define EV_CHAN		1001
#define EV_LISTEN	1002
#define EV_CTL		1003
#define EV_CTL_CLIENT	1100	/* + slot: a control client's connection */
#define EV_CM		2000	/* + member: its connection's events */

/* Member @peer is connected (again): into the loop, and our report. */
static void peer_up(unsigned int peer)
{
	if (d.up[peer])
		peer_gone(peer);	/* its old connection was replaced */
	d.up[peer] = true;
	d.next_status_ns = 0;	/* tell it what we have at once */
	watch(pod_conn_fd(d.net.conns[peer]), peer);
	watch(pod_conn_cm_fd(d.net.conns[peer]), EV_CM + peer);
	if (report_to(peer))
		pod_net_drop(&d.net, peer, "our report did not go out");
}

/* Drop the connection to @peer and end what it was part of. */
static void drop(unsigned int peer, const char *why)
{
	if (d.net.conns[peer]) {
		const struct pod_conn_stats *cs = pod_conn_stats(d.net.conns[peer]);
		struct peer_stats *ps = &d.ps[peer];

		ps->msgs_out += cs->msgs_out;
		ps->msgs_in += cs->msgs_in;
		ps->data_out += cs->data_out;
		ps->data_in += cs->data_in;
		ps->refused += cs->refused;
	}
	pod_net_drop(&d.net, peer, why);
	peer_gone(peer);
}

/* Call the members listed before us that we lost, every few seconds. */
static void call_lost(void)
{
	time_t now = time(NULL);
	unsigned int i;

	for (i = 0; i < d.me; i++) {
		if (d.net.conns[i] || now < d.next_call[i])
			continue;
		d.next_call[i] = now + 3;
		if (pod_net_reconnect(&d.net, i) == 0) {
			fprintf(stderr, "dormantd: member %s is back\n",
				d.pod->members[i].name);
			peer_up(i);
		}
	}
}

/*
 * What this host has for guests: the pools' pre-zeroed memory (4 KiB
 * pages and 2 MiB blocks, every node) and the kernel's MemAvailable.
 */
static void read_memory(void)
{
	struct dmt_node_stats nodes[64];
	long long v;
	char line[128];
	FILE *f;
	int i, n;

	d.pool_bytes = 0;
	n = dmt_read_nodes(NULL, nodes, 64);
	for (i = 0; i < n; i++) {
		v = dmt_node_stat(&nodes[i], "zeroed");
		if (v > 0)
			d.pool_bytes += (uint64_t)v * POD_WIRE_PAGE_SIZE;
		v = dmt_node_stat(&nodes[i], "zeroed_2m");
		if (v > 0)
			d.pool_bytes += (uint64_t)v << 21;
	}
	d.avail_bytes = 0;
	f = fopen("/proc/meminfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;

		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			d.avail_bytes = kb << 10;
			break;
		}
	}
	fclose(f);
}

/* Once a second: tell every member that takes STATUS what we have. */
static void status_step(void)
{
	uint64_t now = now_ns();
	unsigned int i;

	if (now < d.next_status_ns)
		return;
	d.next_status_ns = now + 1000000000ULL;
	read_memory();
	for (i = 0; i < d.pod->nr_members; i++) {
		struct pod_conn *c = d.net.conns[i];
		size_t cap, len;
		uint64_t seq;
		void *buf;

		if (!d.up[i] || !c ||
		    !(pod_conn_features(c) & POD_FEAT_STATUS))
			continue;
		buf = pod_conn_send_buf(c, &cap, &seq);
		len = pod_wire_encode_status(buf, cap, d.me, seq, d.pool_bytes,
					     d.avail_bytes);
		send_to(i, len, 0);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Draining: every page owned here goes to member d.drain_to, through the
 * page's home like any move (POD_REQ_PUSH). A pass over every object
 * counts what is still here; the drain ends after a pass that found
 * nothing. The ranges this host is home of keep their directory here.
 *
 * At most DRAIN_INFLIGHT pushes are out at a time: a push is answered
 * when this host releases the page (release_to() with the push's
 * request id). Sends wait until the peer has the message, and each side
 * has POD_NET_RECV_SLOTS receives posted: pushing a block's 512 pages at
 * once filled the home's receives while the home's release requests
 * filled ours, and both daemons waited on each other's sends for good
 * (a CI run of the mixed pod test hung so). A push that is never answered
 * (the page moved meanwhile, the home refused) stops counting after
 * DRAIN_WAIT_NS.
 */
#define DRAIN_INFLIGHT	4
#define DRAIN_WAIT_NS	200000000ULL

static void drain_step(void)
{
	static uint32_t owners[BLOCK_PAGES];
	struct object *o;
	uint64_t b, p;

	if (d.drain_to < 0 || now_ns() < d.drain_resume_ns)
		return;
	if (d.drain_inflight >= DRAIN_INFLIGHT) {
		if (now_ns() - d.drain_sent_ns < DRAIN_WAIT_NS)
			return;
		d.drain_inflight = 0;
	}
	if (d.drain_obj >= d.pod->nr_objects) {
		/* a pass is over */
		d.drain_left = d.drain_seen;
		if (!d.drain_seen) {
			fprintf(stderr, "dormantd: drained: %" PRIu64 " requests moved every page owned here to member %s\n",
				d.drain_pushed, d.pod->members[d.drain_to].name);
			d.drain_to = -1;
			d.drain_state = "done";
			return;
		}
		/* the next pass when this one's moves are through */
		d.drain_obj = 0;
		d.drain_block = 0;
		d.drain_page = 0;
		d.drain_seen = 0;
		d.drain_resume_ns = now_ns() + 500000000ULL;
		return;
	}
	o = &d.obj[d.drain_obj];
	b = d.drain_block;
	if (b * BLOCK_PAGES >= o->pages) {
		d.drain_obj++;
		d.drain_block = 0;
		d.drain_page = 0;
		return;
	}
	if (!d.drain_page) {
		/* a new block: which of its pages are here */
		struct dormant_pod_map m = {
			.offset = b * BLOCK_PAGES * PAGE,
			.len = (uint64_t)BLOCK_PAGES * PAGE,
			.owners = (uintptr_t)owners,
		};

		if (ioctl(o->fd, DORMANT_IOC_POD_MAP, &m)) {
			d.errors++;
			d.drain_block++;
			return;
		}
		for (p = 0, d.drain_n = 0; p < BLOCK_PAGES; p++)
			d.drain_n += owners[p] == DORMANT_POD_MAP_LOCAL;
		d.drain_seen += d.drain_n;
	}
	for (p = d.drain_page; p < BLOCK_PAGES; p++) {
		uint64_t page = b * BLOCK_PAGES + p;
		uint64_t req_id;
		int home = home_of(d.drain_obj, page);

		if (owners[p] != DORMANT_POD_MAP_LOCAL)
			continue;
		/*
		 * A block all here may go whole (wholly dormant, or one
		 * 2 MiB page): its first page asks for it, and the next
		 * pass asks for each page that stayed.
		 */
		if (d.drain_n == BLOCK_PAGES && p)
			break;
		if (d.drain_inflight >= DRAIN_INFLIGHT) {
			d.drain_page = p;	/* the rest of the block later */
			return;
		}
		req_id = ((uint64_t)(d.me + 1) << 48) | ++d.next_req;
		d.drain_pushed++;
		d.drain_inflight++;
		d.drain_sent_ns = now_ns();
		if (home == (int)d.me)
			dir_request(d.drain_obj, page, d.drain_to, req_id);
		else if (!d.net.conns[home] ||
			 send_req_flags(home, d.drain_obj, page, d.drain_to,
					req_id, POD_REQ_PUSH))
			break;	/* the next pass tries again */
	}
	d.drain_page = 0;
	d.drain_block++;
}

/* Start draining to member @name; 0, or -1 with the reason in @err. */
static int drain_start(const char *name, char *err, size_t errlen)
{
	int to = pod_member_index(d.pod, name);

	if (to < 0)
		snprintf(err, errlen, "the pod has no member '%s'", name);
	else if (to == (int)d.me)
		snprintf(err, errlen, "'%s' is this host: drain to another member",
			 name);
	else if (!d.up[to])
		snprintf(err, errlen, "member '%s' is not connected: it cannot take pages now",
			 name);
	else if (d.drain_to >= 0 && d.drain_to != to)
		snprintf(err, errlen, "already draining to member '%s'",
			 d.pod->members[d.drain_to].name);
	else
		err = NULL;
	if (err)
		return -1;
	if (d.drain_to == to)
		return 0;	/* asked again: the drain goes on */
	fprintf(stderr, "dormantd: draining: every page owned here goes to member %s\n",
		name);
	d.drain_to = to;
	d.drain_obj = 0;
	d.drain_block = 0;
	d.drain_page = 0;
	d.drain_inflight = 0;
	d.drain_seen = 0;
	d.drain_left = 0;
	d.drain_pushed = 0;
	d.drain_resume_ns = 0;
	d.drain_state = "running";
	return 0;
}

static void put(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

/* The upper bound, in us, of the bucket that holds quantile @q of @h. */
static uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t want, seen = 0;
	unsigned int i;

	if (!h->count)
		return 0;
	/* the same rank as the exact quantiles: value (count - 1) * q */
	want = (uint64_t)(q * (double)(h->count - 1));
	for (i = 0; i < LAT_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > want || seen == h->count)
			return 2ULL << i;
	}
	return 2ULL << (LAT_BUCKETS - 1);
}

static struct json_object *hist_json(const struct hist *h, uint64_t p50,
				     uint64_t p99)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < LAT_BUCKETS; i++)
		json_object_array_add(a, json_object_new_int64((int64_t)h->b[i]));
	put(o, "count", h->count);
	put(o, "p50", p50);
	put(o, "p99", p99);
	json_object_object_add(o, "log2", a);
	return o;
}

/*
 * The counters (Documentation/user-guide.rst, "Pod counters"): this
 * host's, then one entry per other member. Latencies: from a fault's
 * request leaving to its grant being installed. The host's p50 and p99
 * are exact; a peer's are the upper bounds of log2 buckets.
 */
static struct json_object *stats_json(void)
{
	struct json_object *o = json_object_new_object();
	struct json_object *peers = json_object_new_array(), *objs;
	uint64_t p50 = 0, p99 = 0;
	char id[24];
	unsigned int i;

	if (d.nr_lat) {
		qsort(d.lat, d.nr_lat, sizeof(d.lat[0]), cmp_u64);
		p50 = d.lat[(d.nr_lat - 1) / 2];
		p99 = d.lat[(d.nr_lat - 1) * 99 / 100];
	}
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)d.pod->id);
	json_object_object_add(o, "member",
			       json_object_new_string(d.pod->members[d.me].name));
	json_object_object_add(o, "pod", json_object_new_string(id));
	json_object_object_add(o, "address",
			       json_object_new_string(d.pod->members[d.me].addr));
	put(o, "pool_bytes", d.pool_bytes);
	put(o, "avail_bytes", d.avail_bytes);
	put(o, "faults", d.faults);
	put(o, "requests_sent", d.req_sent);
	put(o, "requests_served", d.req_served);
	put(o, "forwarded", d.forwarded);
	put(o, "queued", d.queued);
	put(o, "grants_in", d.grants_in);
	put(o, "grants_in_data", d.grants_in_data);
	put(o, "pages_in", d.pages_in);
	put(o, "data_pages_in", d.data_pages_in);
	put(o, "grants_out", d.grants_out);
	put(o, "pages_out", d.pages_out);
	put(o, "data_pages_out", d.data_pages_out);
	put(o, "nacks", d.nacks);
	put(o, "errors", d.errors);
	put(o, "failed", d.failed);
	put(o, "lost_pages", lost_pages());
	put(o, "peer_drops", d.peer_drops);
	put(o, "reports_in", d.reports_in);
	put(o, "reports_out", d.reports_out);
	put(o, "peers_up", peers_up());
	put(o, "bad_messages", d.bad_messages);
	put(o, "control_requests", d.ctl_requests);
	put(o, "control_refused", d.ctl_refused);
	json_object_object_add(o, "draining_to", d.drain_to < 0 ? NULL :
			       json_object_new_string(d.pod->members[d.drain_to].name));
	json_object_object_add(o, "drain_state",
			       json_object_new_string(d.drain_state));
	put(o, "drain_left", d.drain_left);
	put(o, "drain_pushed", d.drain_pushed);
	put(o, "grant_ns_p50", p50);
	put(o, "grant_ns_p99", p99);
	put(o, "grants_timed", d.nr_lat);
	json_object_object_add(o, "latency_us",
			       hist_json(&d.lat_hist, p50 / 1000, p99 / 1000));
	for (i = 0; i < d.pod->nr_members; i++) {
		const struct peer_stats *ps = &d.ps[i];
		struct pod_conn_stats cs = { 0 };
		struct json_object *e;

		if (i == d.me)
			continue;
		if (d.net.conns[i])
			cs = *pod_conn_stats(d.net.conns[i]);
		e = json_object_new_object();
		json_object_object_add(e, "member",
				       json_object_new_string(d.pod->members[i].name));
		json_object_object_add(e, "connected",
				       json_object_new_boolean(d.up[i]));
		json_object_object_add(e, "address",
				       json_object_new_string(d.pod->members[i].addr));
		if (d.up[i] && d.status[i].at_ns) {
			put(e, "pool_bytes", d.status[i].pool_bytes);
			put(e, "avail_bytes", d.status[i].avail_bytes);
			put(e, "status_age_ms",
			    (now_ns() - d.status[i].at_ns) / 1000000);
		} else {
			json_object_object_add(e, "pool_bytes", NULL);
			json_object_object_add(e, "avail_bytes", NULL);
			json_object_object_add(e, "status_age_ms", NULL);
		}
		put(e, "requests_out", ps->requests_out);
		put(e, "requests_in", ps->requests_in);
		put(e, "grants_out", ps->grants_out);
		put(e, "grants_out_data", ps->grants_out_data);
		put(e, "grants_in", ps->grants_in);
		put(e, "grants_in_data", ps->grants_in_data);
		put(e, "pages_out", ps->pages_out);
		put(e, "pages_in", ps->pages_in);
		put(e, "data_bytes_out", ps->data_out + cs.data_out);
		put(e, "data_bytes_in", ps->data_in + cs.data_in);
		put(e, "msgs_out", ps->msgs_out + cs.msgs_out);
		put(e, "msgs_in", ps->msgs_in + cs.msgs_in);
		put(e, "refused", ps->refused + cs.refused);
		put(e, "nacks_in", ps->nacks_in);
		json_object_object_add(e, "latency_us",
				       hist_json(&ps->lat,
						 hist_quantile(&ps->lat, 0.5),
						 hist_quantile(&ps->lat, 0.99)));
		json_object_array_add(peers, e);
	}
	json_object_object_add(o, "peers", peers);
	objs = json_object_new_array();
	for (i = 0; i < d.pod->nr_objects; i++) {
		struct json_object *e = json_object_new_object();
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", d.dir,
			 d.pod->objects[i].name);
		json_object_object_add(e, "name",
				       json_object_new_string(d.pod->objects[i].name));
		json_object_object_add(e, "path", json_object_new_string(path));
		json_object_array_add(objs, e);
	}
	json_object_object_add(o, "objects", objs);
	return o;
}

/* The counters, as JSON, to the stats file (written whole, then renamed). */
static void write_stats(void)
{
	struct json_object *o;
	char tmp[4096];

	if (!d.stats_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", d.stats_path);
	o = stats_json();
	if (json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_SPACED) ||
	    rename(tmp, d.stats_path))
		fprintf(stderr, "dormantd: %s: %s\n", d.stats_path,
			strerror(errno));
	json_object_put(o);
}

static void ctl_close(unsigned int slot)
{
	epoll_ctl(d.ep, EPOLL_CTL_DEL, d.ctl_client[slot].fd, NULL);
	close(d.ctl_client[slot].fd);
	d.ctl_client[slot].fd = -1;
}

/* A control client connects: it has CTL_WAIT seconds to ask. */
static void ctl_accept(void)
{
	unsigned int i;
	int fd;

	fd = accept4(d.ctl, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < CTL_CLIENTS; i++) {
		if (d.ctl_client[i].fd < 0) {
			d.ctl_client[i].fd = fd;
			d.ctl_client[i].since = time(NULL);
			watch(fd, EV_CTL_CLIENT + i);
			return;
		}
	}
	d.ctl_refused++;
	fprintf(stderr, "dormantd: control request refused: %d clients wait already\n",
		CTL_CLIENTS);
	recv(fd, &i, sizeof(i), MSG_DONTWAIT | MSG_TRUNC);
	pod_ctl_reply(fd, NULL, "busy: too many control clients at once");
	close(fd);
}

/* A control client's request: answered, and the connection closed. */
static void ctl_request(unsigned int slot)
{
	int fd = d.ctl_client[slot].fd;
	struct json_object *r;
	struct pod_ctl_req req;
	char err[256];
	int ret;

	ret = pod_ctl_read(fd, &req, err, sizeof(err));
	if (ret == -EAGAIN)
		return;
	if (ret == -ENODATA) {
		ctl_close(slot);
		return;
	}
	d.ctl_requests++;
	if (ret == 0 && req.cmd == POD_CTL_DRAIN &&
	    drain_start(req.member, err, sizeof(err)))
		ret = -EINVAL;
	if (ret) {
		d.ctl_refused++;
		fprintf(stderr, "dormantd: control request refused: %s\n", err);
		pod_ctl_reply(fd, NULL, err);
	} else if (req.cmd == POD_CTL_STATS) {
		pod_ctl_reply(fd, stats_json(), NULL);
	} else {
		r = json_object_new_object();
		json_object_object_add(r, "draining_to",
				       json_object_new_string(req.member));
		pod_ctl_reply(fd, r, NULL);
	}
	ctl_close(slot);
}

/* Control clients that connected and never asked go. */
static void ctl_expire(void)
{
	time_t now = time(NULL);
	unsigned int i;

	for (i = 0; i < CTL_CLIENTS; i++) {
		if (d.ctl_client[i].fd < 0 ||
		    now - d.ctl_client[i].since < CTL_WAIT)
			continue;
		d.ctl_refused++;
		fprintf(stderr, "dormantd: control request refused: none came within %d s of connecting\n",
			CTL_WAIT);
		pod_ctl_reply(d.ctl_client[i].fd, NULL,
			      "no request within 5 s of connecting");
		ctl_close(i);
	}
}

/*
 * Take over object @i as a dormantd before us left it (this one
 * restarted): the pages homed here are ours or, as the module recorded,
 * the member we gave them to; the other members' reports then say who
 * owns them now.
 */
static int adopt(unsigned int i, const char *path)
{
	static uint32_t owners[BLOCK_PAGES];
	struct object *o = &d.obj[i];
	uint64_t b, p, here = 0, away = 0;

	for (b = 0; b * BLOCK_PAGES < o->pages; b++) {
		struct dormant_pod_map m = {
			.offset = b * BLOCK_PAGES * PAGE,
			.len = (uint64_t)BLOCK_PAGES * PAGE,
			.owners = (uintptr_t)owners,
		};
		int home = home_of(i, b * BLOCK_PAGES);

		if (ioctl(o->fd, DORMANT_IOC_POD_MAP, &m)) {
			fprintf(stderr, "dormantd: %s: POD_MAP of block %" PRIu64 ": %s (does the module have DORMANT_F_POD_RECOVER?)\n",
				path, b, strerror(errno));
			return -1;
		}
		for (p = 0; p < BLOCK_PAGES; p++) {
			uint32_t w = owners[p];

			if (w == DORMANT_POD_MAP_LOCAL)
				here++;
			else
				away++;
			if (w > d.pod->nr_members) {
				fprintf(stderr, "dormantd: %s: page %" PRIu64 " was given to host %u, which this pod does not have\n",
					path, b * BLOCK_PAGES + p, w);
				return -1;
			}
			o->owner[b * BLOCK_PAGES + p] =
				w == DORMANT_POD_MAP_LOCAL ? d.me : w - 1;
			if (home != (int)d.me)
				o->owner[b * BLOCK_PAGES + p] = home;
		}
	}
	fprintf(stderr, "dormantd: %s: taken over: %" PRIu64 " pages owned here, %" PRIu64 " elsewhere\n",
		path, here, away);
	return 0;
}

/*
 * Open (create) the pod's objects in @dir, and give up at once the
 * 2 MiB blocks whose home is another member. An object that exists
 * already (dormantd restarted) is taken over as it is.
 */
static int open_objects(const char *dir)
{
	unsigned int i;
	uint64_t b;

	d.dir = realpath(dir, NULL);	/* for dormantctl, in any folder */
	if (!d.dir)
		return -errno;
	d.obj = calloc(d.pod->nr_objects, sizeof(*d.obj));
	if (!d.obj)
		return -ENOMEM;
	for (i = 0; i < d.pod->nr_objects; i++) {
		const struct pod_object *po = &d.pod->objects[i];
		struct object *o = &d.obj[i];
		struct dormant_obj_stats st = { 0 };
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, po->name);
		o->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (o->fd < 0) {
			fprintf(stderr, "dormantd: %s: %s\n", path, strerror(errno));
			return -errno;
		}
		if (ioctl(o->fd, DORMANT_IOC_OBJ_STATS, &st)) {
			fprintf(stderr, "dormantd: %s: not an object of the dormant filesystem (%s): -d names a dormant mount\n",
				path, strerror(errno));
			return -EINVAL;
		}
		if (st.size && st.size != po->size) {
			fprintf(stderr, "dormantd: %s exists with size %llu, but the pod file says %llu\n",
				path, (unsigned long long)st.size,
				(unsigned long long)po->size);
			return -EEXIST;
		}
		o->pages = po->size / PAGE;
		o->owner = calloc(o->pages, sizeof(*o->owner));
		o->busy = calloc(o->pages / BLOCK_PAGES + 1, 1);
		o->mv = calloc(o->pages / BLOCK_PAGES + 1, sizeof(*o->mv));
		if (!o->owner || !o->busy || !o->mv)
			return -ENOMEM;
		if (st.size) {
			if (adopt(i, path))
				return -EIO;
			continue;
		}
		if (ftruncate(o->fd, po->size)) {
			fprintf(stderr, "dormantd: %s: %s\n", path, strerror(errno));
			return -errno;
		}
		for (b = 0; b < o->pages; b += BLOCK_PAGES) {
			int home = home_of(i, b);
			struct dormant_pod_xfer x = {
				.owner = home + 1, .offset = b * PAGE,
				.len = (uint64_t)BLOCK_PAGES * PAGE,
				.data = (uintptr_t)d.buf,
			};
			uint64_t p;

			for (p = b; p < b + BLOCK_PAGES; p++)
				o->owner[p] = home;
			if (home == (int)d.me)
				continue;
			if (ioctl(o->fd, DORMANT_IOC_POD_RELEASE, &x)) {
				fprintf(stderr, "dormantd: %s: POD_RELEASE of block %" PRIu64 ": %s\n",
					path, b / BLOCK_PAGES, strerror(errno));
				return -errno;
			}
		}
	}
	return 0;
}

/* Messages from @peer: its connection's receive queue said so. */
static void peer_recv(unsigned int peer)
{
	struct pod_msg m[POD_NET_RECV_SLOTS];
	void *bufs[POD_NET_RECV_SLOTS];
	int got, j;

	got = pod_conn_recv(d.net.conns[peer], m, bufs, POD_NET_RECV_SLOTS);
	if (got < 0) {
		d.bad_messages += got == -EPROTO;
		drop(peer, got == -EPROTO ? "a bad message" : "receive failed");
		return;
	}
	for (j = 0; j < got; j++) {
		on_message(peer, &m[j]);
		if (!d.net.conns[peer])
			break;	/* dropped: bufs are gone */
		pod_conn_repost(d.net.conns[peer], bufs[j]);
	}
}

/* Has any connection messages that came while we were sending? */
static bool backlog(void)
{
	unsigned int k;

	for (k = 0; k < d.pod->nr_members; k++)
		if (pod_conn_pending(d.net.conns[k]))
			return true;
	return false;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dormantd -p POD.json -m MEMBER -d MOUNTDIR [-c SOCKET] [-s STATS.json] [-t SEC]\n"
		"  -p, --pod FILE      the pod description (the same file on every member)\n"
		"  -m, --member NAME   which member this host is\n"
		"  -d, --dir DIR       a mounted dormant filesystem for the pod's objects\n"
		"  -c, --control PATH  control socket for dormantctl (default %s)\n"
		"  -s, --stats FILE    write counters as JSON there on SIGUSR1 and at exit\n"
		"  -t, --timeout SEC   wait that long for the other members (default 120)\n",
		POD_CTL_PATH);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pod", required_argument, NULL, 'p' },
		{ "member", required_argument, NULL, 'm' },
		{ "dir", required_argument, NULL, 'd' },
		{ "control", required_argument, NULL, 'c' },
		{ "stats", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pod_path = NULL, *member = NULL, *dir = NULL;
	const char *ctl_path = POD_CTL_PATH;
	struct dormant_pod_open po = { 0 };
	struct dormant_pod_attach pa = { 0 };
	struct dormant_version v = { 0 };
	struct epoll_event evs[16];
	unsigned int timeout = 120;
	struct pod *pod = NULL;
	char err[512];
	int c, ctl, sfd, i, n, ret = 1;
	unsigned int k;
	sigset_t mask;

	while ((c = getopt_long(argc, argv, "p:m:d:c:s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pod_path = optarg; break;
		case 'm': member = optarg; break;
		case 'd': dir = optarg; break;
		case 'c': ctl_path = optarg; break;
		case 's': d.stats_path = optarg; break;
		case 't':
			if (dmt_parse_count(optarg, 1, 86400, &timeout)) {
				fprintf(stderr, "dormantd: --timeout: '%s' is not a number of seconds from 1 to 86400\n",
					optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !pod_path || !member || !dir) {
		fprintf(stderr, "dormantd: %s\n", optind != argc ?
			"unexpected arguments" : "-p, -m and -d are needed");
		usage(stderr);
		return 2;
	}
	if (pod_load(pod_path, &pod, err, sizeof(err))) {
		fprintf(stderr, "dormantd: %s\n", err);
		return 2;
	}
	d.pod = pod;
	c = pod_member_index(pod, member);
	if (c < 0) {
		fprintf(stderr, "dormantd: %s has no member '%s'\n", pod_path,
			member);
		ret = 2;
		goto out;
	}
	d.me = c;
	d.drain_to = -1;
	d.drain_state = "none";
	d.ctl = -1;
	for (k = 0; k < CTL_CLIENTS; k++)
		d.ctl_client[k].fd = -1;
	d.ctl = pod_ctl_listen(ctl_path, err, sizeof(err));
	if (d.ctl < 0) {
		fprintf(stderr, "dormantd: control socket: %s\n", err);
		ret = 2;
		goto out;
	}
	ctl = open(DORMANT_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0 || ioctl(ctl, DORMANT_IOC_GET_VERSION, &v)) {
		fprintf(stderr, "dormantd: %s: %s (is the module loaded?)\n",
			DORMANT_CTL_PATH, strerror(errno));
		goto out;
	}
	if (v.abi_major != DORMANT_ABI_MAJOR || !(v.features & DORMANT_F_POD)) {
		fprintf(stderr, "dormantd: the module speaks ABI %u.%u without the pod (DORMANT_F_POD); this dormantd needs %u.%u\n",
			v.abi_major, v.abi_minor, DORMANT_ABI_MAJOR,
			DORMANT_ABI_MINOR);
		goto out;
	}
	if (posix_memalign((void **)&d.buf, PAGE, DORMANT_POD_XFER_MAX) ||
	    posix_memalign((void **)&d.pack, PAGE, DORMANT_POD_XFER_MAX))
		goto out;
	if (open_objects(dir))
		goto out;
	if (ioctl(ctl, DORMANT_IOC_POD_OPEN, &po)) {
		fprintf(stderr, "dormantd: POD_OPEN: %s\n", strerror(errno));
		goto out;
	}
	d.chan = po.fd;
	close(ctl);
	for (k = 0; k < pod->nr_objects; k++) {
		pa.obj_fd = d.obj[k].fd;
		pa.obj_id = k;
		if (ioctl(d.chan, DORMANT_IOC_POD_ATTACH, &pa)) {
			fprintf(stderr, "dormantd: POD_ATTACH %s: %s\n",
				pod->objects[k].name, strerror(errno));
			goto out;
		}
	}
	fprintf(stderr, "dormantd: member %s of pod %016llx: %u objects ready, connecting to %u members\n",
		member, (unsigned long long)pod->id, pod->nr_objects,
		pod->nr_members - 1);
	if (pod_net_start(&d.net, pod, d.me, timeout))
		goto out;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	d.ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || d.ep < 0)
		goto out;
	watch(sfd, EV_SIGNAL);
	fcntl(d.chan, F_SETFL, O_NONBLOCK);
	watch(d.chan, EV_CHAN);
	watch(pod_net_listen_fd(&d.net), EV_LISTEN);
	watch(d.ctl, EV_CTL);
	for (k = 0; k < pod->nr_members; k++)
		if (d.net.conns[k])
			peer_up(k);
	fprintf(stderr, "dormantd: member %s: pod up\n", member);
	write_stats();
	for (;;) {
		/* a drain under way goes on between events */
		n = epoll_wait(d.ep, evs, 16, backlog() ? 0 :
			       d.drain_to < 0 ? 1000 :
			       now_ns() >= d.drain_resume_ns ? 0 : 100);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (i = 0; i < n; i++) {
			uint32_t what = evs[i].data.u32;

			if (what == EV_SIGNAL) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				write_stats();
				if (si.ssi_signo != SIGUSR1) {
					ret = 0;
					goto out;
				}
			} else if (what == EV_CHAN) {
				struct dormant_pod_request r[32];
				ssize_t len = read(d.chan, r, sizeof(r));
				int j;

				for (j = 0; j < len / (ssize_t)sizeof(r[0]); j++)
					on_fault(&r[j]);
			} else if (what == EV_LISTEN) {
				c = pod_net_accept(&d.net);
				if (c >= 0)
					peer_up(c);
			} else if (what == EV_CTL) {
				ctl_accept();
			} else if (what >= EV_CTL_CLIENT &&
				   what < EV_CTL_CLIENT + CTL_CLIENTS) {
				ctl_request(what - EV_CTL_CLIENT);
			} else if (what >= EV_CM &&
				   what < EV_CM + pod->nr_members) {
				k = what - EV_CM;
				if (d.net.conns[k] &&
				    pod_conn_cm_event(d.net.conns[k]))
					drop(k, "it disconnected");
			} else if (what < pod->nr_members && d.net.conns[what]) {
				peer_recv(what);
			}
		}
		/* what our own sends took off the queues meanwhile */
		for (k = 0; k < pod->nr_members; k++)
			if (pod_conn_pending(d.net.conns[k]))
				peer_recv(k);
		call_lost();
		ctl_expire();
		drain_step();
		status_step();
	}
out:
	if (d.ctl >= 0) {
		close(d.ctl);
		unlink(ctl_path);
	}
	pod_net_stop(&d.net);
	pod_free(pod);
	return ret;
}
