// SPDX-License-Identifier: GPL-2.0
/*
 * pod_net: dormantd's RDMA connections to the other members of its pod
 * (pod_net.h says how they are set up).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rdma/rdma_cma.h>
#include <rdma/rdma_verbs.h>

#include "pod_net.h"

/* Bytes per buffer: the largest message, rounded up to whole pages. */
#define SLOT	((POD_MSG_MAX + 4095) & ~(size_t)4095)

/**
 * struct pod_conn - one connection
 * @net: its member's connections
 * @peer: the member at the other end
 * @id: the connected rdma_cm id (sync mode: its own QP and CQs)
 * @rbuf: POD_NET_RECV_SLOTS receive buffers of SLOT bytes, registered by
 *	@rmr; the work request id of a receive is its slot
 * @rmr: @rbuf's memory region
 * @sbuf: one send buffer of SLOT bytes, registered by @smr
 * @smr: @sbuf's memory region
 * @tx_seq: seq of the last message sent
 * @ctx: the peer's messages as pod_wire_check() tracks them
 * @st: what went over the connection
 * @features: the peer's feature bits, from its HELLO
 * @backlog: messages taken off the receive queue while this member waited
 *	for a send of its own to complete (oldest first; @backlog_tail is the
 *	last), so that the peer, maybe waiting in a send to us, can go on;
 *	handed out by pod_conn_recv() before anything newer
 * @err: a receive that failed while draining (-errno), for pod_conn_recv()
 * @up: set up, in the event loop's hands
 */
struct pod_conn {
	struct pod_net *net;
	unsigned int peer;
	struct rdma_cm_id *id;
	char *rbuf;
	struct ibv_mr *rmr;
	char *sbuf;
	struct ibv_mr *smr;
	uint64_t tx_seq;
	struct pod_wire_ctx ctx;
	struct pod_conn_stats st;
	uint64_t features;
	struct backlog *backlog, **backlog_tail;
	int err;
	bool up;
};

/* A message copied out of a receive buffer (pod_conn.backlog). */
struct backlog {
	struct backlog *next;
	size_t len;
	char buf[];
};

static void log_call(const char *who, const char *call)
{
	/* librdmacm's helpers leave a positive or a negative errno */
	fprintf(stderr, "dormantd: %s: %s failed: %s\n", who, call,
		strerror(errno < 0 ? -errno : errno));
}

static void qp_attr(struct ibv_qp_init_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->cap.max_send_wr = 2;
	a->cap.max_recv_wr = POD_NET_RECV_SLOTS;
	a->cap.max_send_sge = 1;
	a->cap.max_recv_sge = 1;
	a->qp_type = IBV_QPT_RC;
	a->sq_sig_all = 1;
}

static void conn_free(struct pod_conn *c)
{
	struct backlog *b;

	if (!c)
		return;
	while ((b = c->backlog)) {
		c->backlog = b->next;
		free(b);
	}
	if (c->rmr)
		rdma_dereg_mr(c->rmr);
	if (c->smr)
		rdma_dereg_mr(c->smr);
	if (c->id)
		rdma_destroy_ep(c->id);
	free(c->rbuf);
	free(c->sbuf);
	free(c);
}

/* Set-up is over for @c: its channels no longer block the event loop. */
static void conn_nonblock(struct pod_conn *c)
{
	fcntl(c->id->recv_cq_channel->fd, F_SETFL, O_NONBLOCK);
	fcntl(c->id->channel->fd, F_SETFL, O_NONBLOCK);
	c->up = true;
}

/* Buffers for a new id, every receive posted; NULL (and @id destroyed) on failure. */
static struct pod_conn *conn_new(struct pod_net *net, struct rdma_cm_id *id,
				 const char *who)
{
	struct pod_conn *c = calloc(1, sizeof(*c));
	unsigned int i;

	if (!c) {
		rdma_destroy_ep(id);
		return NULL;
	}
	c->net = net;
	c->id = id;
	c->backlog_tail = &c->backlog;
	c->ctx.nr_members = net->pod->nr_members;
	c->ctx.nr_objects = net->pod->nr_objects;
	if (posix_memalign((void **)&c->rbuf, 4096, SLOT * POD_NET_RECV_SLOTS) ||
	    posix_memalign((void **)&c->sbuf, 4096, SLOT)) {
		fprintf(stderr, "dormantd: %s: no memory for buffers\n", who);
		goto fail;
	}
	c->rmr = rdma_reg_msgs(id, c->rbuf, SLOT * POD_NET_RECV_SLOTS);
	if (!c->rmr) {
		log_call(who, "rdma_reg_msgs (receive buffers)");
		goto fail;
	}
	c->smr = rdma_reg_msgs(id, c->sbuf, SLOT);
	if (!c->smr) {
		log_call(who, "rdma_reg_msgs (send buffer)");
		goto fail;
	}
	for (i = 0; i < POD_NET_RECV_SLOTS; i++) {
		if (rdma_post_recv(id, (void *)(uintptr_t)i, c->rbuf + i * SLOT,
				   SLOT, c->rmr)) {
			log_call(who, "rdma_post_recv");
			goto fail;
		}
	}
	/* the completion channel says when the first message comes */
	if (ibv_req_notify_cq(id->recv_cq, 0)) {
		log_call(who, "ibv_req_notify_cq");
		goto fail;
	}
	return c;
fail:
	conn_free(c);
	return NULL;
}

static struct rdma_conn_param conn_param(void)
{
	struct rdma_conn_param p = {
		.responder_resources = 1,
		.initiator_depth = 1,
		.retry_count = 7,
		.rnr_retry_count = 7,	/* wait for the peer's receives */
	};

	return p;
}

/* Wait up to @ms for @fd to be readable: 1, 0 on timeout, -errno. */
static int wait_fd(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	return n < 0 ? -errno : n;
}

/* Receive one message during set-up, within @ms. */
static int recv_one(struct pod_conn *c, struct pod_msg *m, void **buf, int ms)
{
	int n;

	n = wait_fd(c->id->recv_cq_channel->fd, ms);
	if (n <= 0)
		return n ? n : -ETIMEDOUT;
	n = pod_conn_recv(c, m, buf, 1);
	if (n == 0)
		return -EAGAIN;
	return n < 0 ? n : 0;
}

static int send_hello(struct pod_conn *c, uint16_t type)
{
	size_t cap, len;
	uint64_t seq;
	void *buf = pod_conn_send_buf(c, &cap, &seq);

	len = pod_wire_encode_hello(buf, cap, type, c->net->me, seq,
				    c->net->pod->nr_members, POD_FEAT_STATUS,
				    c->net->pod->id);
	return pod_conn_send(c, len, 0);
}

/*
 * The HELLO from the other end: the right pod file, and, when we know
 * whom we called, that member. 0, or -EPROTO with a log line.
 */
static int check_hello(struct pod_conn *c, const struct pod_msg *m,
		       uint16_t type, int expect)
{
	const struct pod *pod = c->net->pod;

	if (m->type != type) {
		fprintf(stderr, "dormantd: peer sent %s before %s\n",
			pod_wire_type_name(m->type), pod_wire_type_name(type));
		return -EPROTO;
	}
	if (m->hello.pod_id != pod->id ||
	    m->hello.nr_members != pod->nr_members) {
		fprintf(stderr, "dormantd: member %s has another pod file (id %016llx, %u members; ours %016llx, %u): refused\n",
			m->hello.member < pod->nr_members ?
			pod->members[m->hello.member].name : "?",
			(unsigned long long)m->hello.pod_id,
			m->hello.nr_members, (unsigned long long)pod->id,
			pod->nr_members);
		return -EPROTO;
	}
	if ((expect >= 0 && m->hello.member != expect) ||
	    m->hello.member == c->net->me) {
		fprintf(stderr, "dormantd: peer says it is member %u (%s), which it cannot be here: refused\n",
			m->hello.member, pod->members[m->hello.member].name);
		return -EPROTO;
	}
	c->features = m->hello.features;
	return 0;
}

/* Connect to member @peer (listed before us), retrying until @deadline. */
static int connect_peer(struct pod_net *net, unsigned int peer, time_t deadline)
{
	const struct pod_member *pm = &net->pod->members[peer];
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP }, *res;
	struct rdma_conn_param param = conn_param();
	struct ibv_qp_init_attr attr;
	struct rdma_cm_id *id;
	struct pod_conn *c;
	struct pod_msg m;
	char port[8];
	void *buf;
	int ret;

	snprintf(port, sizeof(port), "%u", pm->port);
again:
	for (;;) {
		ret = rdma_getaddrinfo(pm->addr, port, &hints, &res);
		if (ret) {
			fprintf(stderr, "dormantd: member %s: rdma_getaddrinfo %s:%s: %s\n",
				pm->name, pm->addr, port, strerror(errno));
			return -EINVAL;
		}
		qp_attr(&attr);
		ret = rdma_create_ep(&id, res, NULL, &attr);
		rdma_freeaddrinfo(res);
		if (ret) {
			log_call(pm->name, "rdma_create_ep");
		} else {
			c = conn_new(net, id, pm->name);
			if (!c)
				return -ENOMEM;
			if (!rdma_connect(id, &param))
				break;
			conn_free(c);
		}
		if (time(NULL) >= deadline) {
			fprintf(stderr, "dormantd: member %s (%s:%s) did not answer in time\n",
				pm->name, pm->addr, port);
			return -ETIMEDOUT;
		}
		sleep(1);	/* not listening yet */
	}
	c->peer = peer;
	ret = send_hello(c, POD_MSG_HELLO);
	if (!ret)
		ret = recv_one(c, &m, &buf, 10000);
	if (!ret) {
		ret = check_hello(c, &m, POD_MSG_HELLO_ACK, peer);
		pod_conn_repost(c, buf);
	}
	if (ret) {
		fprintf(stderr, "dormantd: member %s: no valid HELLO_ACK (%s)\n",
			pm->name, strerror(-ret));
		rdma_disconnect(id);
		conn_free(c);
		/* it may still hold our last connection: try again */
		if (ret != -EPROTO && time(NULL) < deadline) {
			sleep(1);
			goto again;
		}
		return ret;
	}
	if (net->conns[peer])
		pod_net_drop(net, peer, "replaced by a new connection");
	net->conns[peer] = c;
	fprintf(stderr, "dormantd: connected to member %s (%s:%s)\n", pm->name,
		pm->addr, port);
	return 0;
}

/* Accept one connection from a member listed after us. */
static int accept_peer(struct pod_net *net, time_t deadline)
{
	struct rdma_conn_param param = conn_param();
	struct rdma_cm_id *id;
	struct pod_conn *c;
	struct pod_msg m;
	void *buf;
	int ret, left = (int)(deadline - time(NULL));

	ret = wait_fd(net->listen_id->channel->fd, left > 0 ? left * 1000 : 0);
	if (ret <= 0) {
		fprintf(stderr, "dormantd: no connection from the members after us in time\n");
		return ret ? ret : -ETIMEDOUT;
	}
	if (rdma_get_request(net->listen_id, &id)) {
		log_call("listener", "rdma_get_request");
		return -EIO;
	}
	c = conn_new(net, id, "listener");
	if (!c)
		return -ENOMEM;
	if (rdma_accept(id, &param)) {
		log_call("listener", "rdma_accept");
		conn_free(c);
		return -EIO;
	}
	ret = recv_one(c, &m, &buf, 10000);
	if (!ret) {
		ret = check_hello(c, &m, POD_MSG_HELLO, -1);
		if (!ret && m.hello.member < net->me) {
			fprintf(stderr, "dormantd: member %u called us, but members listed before us are called by us: refused\n",
				m.hello.member);
			ret = -EPROTO;
		}
		pod_conn_repost(c, buf);
	}
	if (!ret) {
		c->peer = m.hello.member;
		ret = send_hello(c, POD_MSG_HELLO_ACK);
	}
	if (ret) {
		fprintf(stderr, "dormantd: incoming connection refused (%s)\n",
			strerror(-ret));
		rdma_disconnect(id);
		conn_free(c);
		return 1;	/* not fatal: wait for the real one */
	}
	if (net->conns[c->peer])
		pod_net_drop(net, c->peer, "it connected again");
	net->conns[c->peer] = c;
	fprintf(stderr, "dormantd: member %s connected\n",
		net->pod->members[c->peer].name);
	return 0;
}

/**
 * pod_net_start() - listen, then connect to every other member
 * @net: filled in
 * @pod: the pod
 * @me: this member's index
 * @timeout_s: how long to wait for the other members
 *
 * Return: 0 when connected to every member, or -errno (after a log line).
 */
int pod_net_start(struct pod_net *net, const struct pod *pod, unsigned int me,
		  unsigned int timeout_s)
{
	const struct pod_member *pm = &pod->members[me];
	struct rdma_addrinfo hints = {
		.ai_flags = RAI_PASSIVE, .ai_port_space = RDMA_PS_TCP,
	}, *res;
	struct ibv_qp_init_attr attr;
	time_t deadline = time(NULL) + timeout_s;
	unsigned int i, missing;
	char port[8];
	int ret;

	memset(net, 0, sizeof(*net));
	net->pod = pod;
	net->me = me;
	snprintf(port, sizeof(port), "%u", pm->port);
	ret = rdma_getaddrinfo(pm->addr, port, &hints, &res);
	if (ret) {
		fprintf(stderr, "dormantd: our address %s:%s: %s\n", pm->addr,
			port, strerror(errno));
		return -EINVAL;
	}
	qp_attr(&attr);
	ret = rdma_create_ep(&net->listen_id, res, NULL, &attr);
	rdma_freeaddrinfo(res);
	if (ret) {
		log_call("listener", "rdma_create_ep (is there an RDMA device on this address?)");
		return -EADDRNOTAVAIL;
	}
	if (rdma_listen(net->listen_id, POD_MAX_MEMBERS)) {
		log_call("listener", "rdma_listen");
		pod_net_stop(net);
		return -EIO;
	}
	for (i = 0; i < me; i++) {
		ret = connect_peer(net, i, deadline);
		if (ret) {
			pod_net_stop(net);
			return ret;
		}
	}
	missing = pod->nr_members - 1 - me;
	while (missing) {
		ret = accept_peer(net, deadline);
		if (ret < 0) {
			pod_net_stop(net);
			return ret;
		}
		if (!ret)
			missing--;
	}
	for (i = 0; i < pod->nr_members; i++)
		if (net->conns[i])
			conn_nonblock(net->conns[i]);
	fcntl(net->listen_id->channel->fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/*
 * After set-up: a member listed after us connects (again: it restarted).
 * Return: its index, or -1 if nothing came or it was refused (logged).
 */
int pod_net_accept(struct pod_net *net)
{
	unsigned int i;

	if (accept_peer(net, time(NULL) + 5))
		return -1;
	for (i = 0; i < net->pod->nr_members; i++) {
		if (net->conns[i] && !net->conns[i]->up) {
			conn_nonblock(net->conns[i]);
			return i;
		}
	}
	return -1;
}

/*
 * After set-up: call a member listed before us that we lost, once.
 * Return: 0 if connected, or -errno.
 */
int pod_net_reconnect(struct pod_net *net, unsigned int peer)
{
	int ret = connect_peer(net, peer, time(NULL));

	if (!ret)
		conn_nonblock(net->conns[peer]);
	return ret;
}

/* The listener's event channel: readable when a member connects. */
int pod_net_listen_fd(const struct pod_net *net)
{
	return net->listen_id->channel->fd;
}

/*
 * The connection's own event channel said something: 1 if the peer went
 * away (disconnected), 0 if not.
 */
int pod_conn_cm_event(struct pod_conn *c)
{
	struct rdma_cm_event *ev;
	int gone = 0;

	while (rdma_get_cm_event(c->id->channel, &ev) == 0) {
		if (ev->event == RDMA_CM_EVENT_DISCONNECTED ||
		    ev->event == RDMA_CM_EVENT_DEVICE_REMOVAL ||
		    ev->event == RDMA_CM_EVENT_TIMEWAIT_EXIT)
			gone = 1;
		rdma_ack_cm_event(ev);
	}
	return gone;
}

int pod_conn_cm_fd(const struct pod_conn *c)
{
	return c->id->channel->fd;
}

/* Disconnect everyone, free everything. */
void pod_net_stop(struct pod_net *net)
{
	unsigned int i;

	for (i = 0; i < POD_MAX_MEMBERS; i++) {
		if (net->conns[i]) {
			rdma_disconnect(net->conns[i]->id);
			conn_free(net->conns[i]);
			net->conns[i] = NULL;
		}
	}
	if (net->listen_id)
		rdma_destroy_ep(net->listen_id);
	net->listen_id = NULL;
}

/* Drop one connection, saying why; its member is gone for this run. */
void pod_net_drop(struct pod_net *net, unsigned int peer, const char *why)
{
	struct pod_conn *c = net->conns[peer];

	if (!c)
		return;
	fprintf(stderr, "dormantd: dropping the connection to member %s: %s\n",
		net->pod->members[peer].name, why);
	rdma_disconnect(c->id);
	conn_free(c);
	net->conns[peer] = NULL;
}

/* The file descriptor that says a message came (receive completions). */
int pod_conn_fd(const struct pod_conn *c)
{
	return c->id->recv_cq_channel->fd;
}

const struct pod_conn_stats *pod_conn_stats(const struct pod_conn *c)
{
	return &c->st;
}

/*
 * The buffer to encode the next message in: its room in @cap, the seq it
 * must carry in @seq. Then pod_conn_send().
 */
uint64_t pod_conn_features(const struct pod_conn *c)
{
	return c->features;
}

void *pod_conn_send_buf(struct pod_conn *c, size_t *cap, uint64_t *seq)
{
	*cap = SLOT;
	*seq = c->tx_seq + 1;
	return c->sbuf;
}

/*
 * Send the @len bytes encoded in the send buffer (0: the encoder failed)
 * and wait until the peer has them. @data_bytes: page data among them.
 */
/*
 * Take what has come on @c's receive queue off it, into its backlog, and
 * give the buffers back to the peer at once.
 */
static void conn_drain(struct pod_conn *c)
{
	struct ibv_wc wc[POD_NET_RECV_SLOTS];
	struct backlog *b;
	int n, i;

	if (!c || !c->up || c->err)
		return;
	n = ibv_poll_cq(c->id->recv_cq, POD_NET_RECV_SLOTS, wc);
	if (n < 0)
		c->err = -EIO;
	for (i = 0; i < n; i++) {
		char *buf = c->rbuf + wc[i].wr_id * SLOT;

		if (wc[i].status != IBV_WC_SUCCESS) {
			fprintf(stderr, "dormantd: member %s: receive failed: %s\n",
				c->net->pod->members[c->peer].name,
				ibv_wc_status_str(wc[i].status));
			c->err = -EIO;
			return;
		}
		b = malloc(sizeof(*b) + wc[i].byte_len);
		if (!b) {
			fprintf(stderr, "dormantd: member %s: no memory for a message\n",
				c->net->pod->members[c->peer].name);
			c->err = -ENOMEM;
			return;
		}
		b->next = NULL;
		b->len = wc[i].byte_len;
		memcpy(b->buf, buf, b->len);
		*c->backlog_tail = b;
		c->backlog_tail = &b->next;
		if (pod_conn_repost(c, buf)) {
			c->err = -EIO;
			return;
		}
	}
}

/*
 * Send the @len bytes encoded in the send buffer (0: the encoder failed)
 * and wait until the peer has them. @data_bytes: page data among them.
 *
 * The peer takes a message only into a receive buffer it has posted; one
 * that waits in a send to us does not post any. So while this waits, what
 * comes from every member goes into the backlogs and their buffers go
 * back: two members sending to each other at once cannot wait for each
 * other for ever. A send that has not completed within
 * POD_NET_SEND_TIMEOUT seconds (the peer went away without a word, and
 * the retries of the transport go on) fails with -ETIMEDOUT.
 */
int pod_conn_send(struct pod_conn *c, size_t len, uint64_t data_bytes)
{
	const struct timespec pause = { .tv_nsec = 20000 };
	struct timespec start, now;
	struct ibv_wc wc;
	unsigned int i;
	int n;

	if (!len || len > SLOT)
		return -EMSGSIZE;
	if (rdma_post_send(c->id, NULL, c->sbuf, len, c->smr, 0)) {
		log_call(c->net->pod->members[c->peer].name, "rdma_post_send");
		return -EIO;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((n = ibv_poll_cq(c->id->send_cq, 1, &wc)) == 0) {
		for (i = 0; i < c->net->pod->nr_members; i++)
			conn_drain(c->net->conns[i]);
		nanosleep(&pause, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > POD_NET_SEND_TIMEOUT) {
			/* a peer that went away may never answer */
			fprintf(stderr, "dormantd: member %s: a send did not complete within %d s\n",
				c->net->pod->members[c->peer].name,
				POD_NET_SEND_TIMEOUT);
			return -ETIMEDOUT;
		}
	}
	if (n < 0 || wc.status != IBV_WC_SUCCESS) {
		fprintf(stderr, "dormantd: member %s: send failed: %s\n",
			c->net->pod->members[c->peer].name,
			n < 0 ? "ibv_poll_cq failed" : ibv_wc_status_str(wc.status));
		return -EIO;
	}
	c->tx_seq++;
	c->st.msgs_out++;
	c->st.data_out += data_bytes;
	return 0;
}

bool pod_conn_pending(const struct pod_conn *c)
{
	return c && (c->backlog || c->err);
}

/* Check one received message; 0 or -EPROTO (logged, counted). */
static int conn_check(struct pod_conn *c, const char *buf, size_t len,
		      struct pod_msg *msg)
{
	char why[160];

	if (pod_wire_check(&c->ctx, buf, len, msg, why, sizeof(why))) {
		c->st.refused++;
		fprintf(stderr, "dormantd: member %s sent a bad message: %s\n",
			c->id->verbs ? c->net->pod->members[c->peer].name :
			"?", why);
		return -EPROTO;
	}
	if (msg->type == POD_MSG_PAGE_GRANT)
		c->st.data_in += msg->grant.data_len;
	c->st.msgs_in++;
	return 0;
}

/*
 * The messages that came, checked (pod_wire_check()), up to @max (at least
 * POD_NET_RECV_SLOTS: every completion is taken), the backlog's first.
 * Each @bufs[i] must go
 * back with pod_conn_repost() once @msgs[i] is used (a grant's data points
 * into it). Return: how many, or -errno: a failed receive, or a message
 * refused (logged, counted): drop the connection.
 */
int pod_conn_recv(struct pod_conn *c, struct pod_msg *msgs, void **bufs,
		  int max)
{
	struct ibv_wc wc[POD_NET_RECV_SLOTS];
	struct backlog *b;
	struct ibv_cq *cq;
	void *ctx;
	int n, i, got = 0;

	if (max > POD_NET_RECV_SLOTS)
		max = POD_NET_RECV_SLOTS;
	/* first what came while we were sending: it is older */
	while (got < max && (b = c->backlog)) {
		c->backlog = b->next;
		if (!c->backlog)
			c->backlog_tail = &c->backlog;
		b->next = NULL;
		if (conn_check(c, b->buf, b->len, &msgs[got])) {
			free(b);
			while (got)
				pod_conn_repost(c, bufs[--got]);
			return -EPROTO;
		}
		bufs[got++] = b->buf;
	}
	if (c->backlog)
		return got;
	if (c->err)
		return got ? got : c->err;
	if (ibv_get_cq_event(c->id->recv_cq_channel, &cq, &ctx) == 0) {
		ibv_ack_cq_events(cq, 1);
	} else if (errno != EAGAIN) {
		return -errno;
	}
	if (ibv_req_notify_cq(c->id->recv_cq, 0))
		return -EIO;
	n = ibv_poll_cq(c->id->recv_cq, max - got, wc);
	if (n < 0)
		return -EIO;
	for (i = 0; i < n; i++) {
		char *buf = c->rbuf + wc[i].wr_id * SLOT;

		if (wc[i].status != IBV_WC_SUCCESS) {
			fprintf(stderr, "dormantd: member %s: receive failed: %s\n",
				c->net->pod->members[c->peer].name,
				ibv_wc_status_str(wc[i].status));
			return -EIO;
		}
		if (conn_check(c, buf, wc[i].byte_len, &msgs[got]))
			return -EPROTO;
		bufs[got++] = buf;
	}
	return got;
}

/* Give a receive buffer back to the peer. */
int pod_conn_repost(struct pod_conn *c, void *buf)
{
	uintptr_t slot = ((char *)buf - c->rbuf) / SLOT;

	if ((char *)buf < c->rbuf ||
	    (char *)buf >= c->rbuf + SLOT * POD_NET_RECV_SLOTS) {
		/* a backlog copy */
		free((char *)buf - offsetof(struct backlog, buf));
		return 0;
	}

	if (rdma_post_recv(c->id, (void *)slot, buf, SLOT, c->rmr)) {
		log_call(c->net->pod->members[c->peer].name, "rdma_post_recv");
		return -EIO;
	}
	return 0;
}
