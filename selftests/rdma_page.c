// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_page: write one 4 KiB page to a peer with RDMA WRITE and have the
 * peer check it, over an RC connection set up with librdmacm.
 *
 *   rdma_page -s [-a BIND_ADDR] [-p PORT] [-t TIMEOUT_SEC]    server
 *   rdma_page -c SERVER_ADDR [-p PORT] [-t TIMEOUT_SEC]       client
 *
 * The server registers a page-aligned 4 KiB buffer for remote writes and
 * accepts one client. The client SENDs HELLO with a random seed, the server
 * answers BUF with the buffer's address and rkey, the client RDMA WRITEs a
 * page filled with a pattern derived from the seed (an xorshift64 stream)
 * and SENDs DONE, the server compares its buffer with the pattern and SENDs
 * RESULT. Both exit 0 only if the page arrived intact.
 *
 * Messages are fixed-size, every field big-endian, and checked on receipt
 * (size, magic, type, every field). The client retries the connection every
 * 0.5 s until the server listens; alarm() bounds the whole run. Exit status:
 * 0 page verified, 1 error or mismatch or timeout, 2 usage error.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <rdma/rdma_cma.h>
#include <rdma/rdma_verbs.h>

#define RP_PAGE_SIZE	4096u
#define RP_MAGIC	0x52504731u	/* "RPG1" */
#define RP_DEF_PORT	7471
#define RP_DEF_TIMEOUT	60
#define RP_MAX_TIMEOUT	86400
#define RP_RETRY_NS	500000000L	/* client connect retry interval */

enum rp_type {
	RP_HELLO = 1,	/* client -> server: seed */
	RP_BUF,		/* server -> client: seed (echo), addr, rkey, len */
	RP_DONE,	/* client -> server: seed (echo) */
	RP_RESULT,	/* server -> client: seed (echo), status, offset */
};

/* On the wire: every field big-endian, no padding. */
struct rp_wire {
	uint32_t magic;
	uint32_t type;
	uint64_t seed;
	uint64_t addr;
	uint32_t rkey;
	uint32_t len;
	uint32_t status;	/* RESULT: 0 page equal, 1 mismatch */
	uint32_t offset;	/* RESULT: first differing byte when status 1 */
};
_Static_assert(sizeof(struct rp_wire) == 40, "struct rp_wire has padding");

/* The same message in host byte order. */
struct rp_msg {
	uint32_t magic;
	uint32_t type;
	uint64_t seed;
	uint64_t addr;
	uint32_t rkey;
	uint32_t len;
	uint32_t status;
	uint32_t offset;
};

/* Room for a larger message than ours, so that one is reported by size. */
#define RP_RECV_SIZE	(2 * sizeof(struct rp_wire))

/* Work request ids, checked against each completion. */
enum rp_wr_id {
	RP_WR_RECV = 1,
	RP_WR_SEND,
	RP_WR_WRITE,
};

static struct rp_wire send_buf;
static uint8_t recv_buf[RP_RECV_SIZE];

static unsigned int timeout_sec = RP_DEF_TIMEOUT;

/*
 * What the program is waiting for, as the complete timeout message, for the
 * SIGALRM handler to write(). Two buffers: set_stage() fills the one the
 * handler is not looking at, then switches.
 */
static char stage_msg[2][512];
static volatile sig_atomic_t stage_cur;

static void set_stage(const char *fmt, ...)
{
	int next = !stage_cur;
	char what[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(stage_msg[next], sizeof(stage_msg[next]),
		 "rdma_page: timed out after %u s (stage: %s)\n",
		 timeout_sec, what);
	stage_cur = next;
}

static void on_alarm(int sig)
{
	const char *msg = stage_msg[stage_cur];
	ssize_t ret;

	(void)sig;
	ret = write(STDERR_FILENO, msg, strlen(msg));
	(void)ret;
	_exit(1);
}

/* Some rdma_verbs.h helpers leave a negative errno value in errno. */
static const char *errstr(int err)
{
	return strerror(err < 0 ? -err : err);
}

static void call_failed(const char *call)
{
	fprintf(stderr, "rdma_page: %s failed: %s\n", call, errstr(errno));
}

static void getaddrinfo_failed(int ret)
{
	fprintf(stderr, "rdma_page: rdma_getaddrinfo failed: %s\n",
		ret == -1 ? errstr(errno) : gai_strerror(ret));
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case RP_HELLO:
		return "HELLO";
	case RP_BUF:
		return "BUF";
	case RP_DONE:
		return "DONE";
	case RP_RESULT:
		return "RESULT";
	default:
		return "unknown";
	}
}

/* The page's pattern: an xorshift64 stream from the (non-zero) seed. */
static void fill_pattern(uint8_t *page, uint64_t seed)
{
	uint64_t x = seed, be;
	size_t i;

	for (i = 0; i < RP_PAGE_SIZE; i += sizeof(x)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		be = htobe64(x);
		memcpy(page + i, &be, sizeof(be));
	}
}

static void encode(const struct rp_msg *m)
{
	send_buf.magic = htobe32(m->magic);
	send_buf.type = htobe32(m->type);
	send_buf.seed = htobe64(m->seed);
	send_buf.addr = htobe64(m->addr);
	send_buf.rkey = htobe32(m->rkey);
	send_buf.len = htobe32(m->len);
	send_buf.status = htobe32(m->status);
	send_buf.offset = htobe32(m->offset);
}

static void decode(struct rp_msg *m)
{
	struct rp_wire w;

	memcpy(&w, recv_buf, sizeof(w));
	m->magic = be32toh(w.magic);
	m->type = be32toh(w.type);
	m->seed = be64toh(w.seed);
	m->addr = be64toh(w.addr);
	m->rkey = be32toh(w.rkey);
	m->len = be32toh(w.len);
	m->status = be32toh(w.status);
	m->offset = be32toh(w.offset);
}

static bool bad_msg(const char *who, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rdma_page: %s: rejected message: ", who);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

/*
 * Check a received message of byte_len bytes in recv_buf, which must be of
 * type want; seed is the HELLO's seed that later messages echo (unused for
 * HELLO). Fields a type does not use must be zero.
 */
static bool check_msg(const char *who, uint32_t byte_len, uint32_t want,
		      uint64_t seed, struct rp_msg *m)
{
	if (byte_len != sizeof(struct rp_wire))
		return bad_msg(who, "%" PRIu32 " bytes, expected %zu",
			       byte_len, sizeof(struct rp_wire));
	decode(m);
	if (m->magic != RP_MAGIC)
		return bad_msg(who, "magic 0x%08" PRIx32 ", expected 0x%08x",
			       m->magic, RP_MAGIC);
	if (m->type != want)
		return bad_msg(who, "type %" PRIu32 " (%s), expected %" PRIu32
			       " (%s)", m->type, type_name(m->type), want,
			       type_name(want));
	if (want == RP_HELLO) {
		if (m->seed == 0)
			return bad_msg(who, "HELLO with seed 0");
	} else if (m->seed != seed) {
		return bad_msg(who, "%s echoes seed 0x%016" PRIx64
			       ", expected 0x%016" PRIx64, type_name(want),
			       m->seed, seed);
	}
	if (want == RP_BUF) {
		if (m->len != RP_PAGE_SIZE)
			return bad_msg(who, "BUF len %" PRIu32 ", expected %u",
				       m->len, RP_PAGE_SIZE);
		if (m->addr > UINT64_MAX - RP_PAGE_SIZE)
			return bad_msg(who, "BUF addr 0x%016" PRIx64
				       " + len %u wraps around", m->addr,
				       RP_PAGE_SIZE);
	} else if (m->addr || m->rkey || m->len) {
		return bad_msg(who, "%s with non-zero addr/rkey/len",
			       type_name(want));
	}
	if (want == RP_RESULT) {
		if (m->status > 1)
			return bad_msg(who, "RESULT status %" PRIu32
				       ", expected 0 or 1", m->status);
		if (m->status == 0 && m->offset != 0)
			return bad_msg(who, "RESULT status 0 with offset %"
				       PRIu32, m->offset);
		if (m->status == 1 && m->offset >= RP_PAGE_SIZE)
			return bad_msg(who, "RESULT offset %" PRIu32
				       " outside the %u-byte page", m->offset,
				       RP_PAGE_SIZE);
	} else if (m->status || m->offset) {
		return bad_msg(who, "%s with non-zero status/offset",
			       type_name(want));
	}
	return true;
}

/*
 * Wait for the next completion on the send or receive CQ and check that it
 * is the successful completion of work request wr_id with opcode opcode.
 */
static int wait_comp(struct rdma_cm_id *id, bool send, enum rp_wr_id wr_id,
		     enum ibv_wc_opcode opcode, const char *what,
		     struct ibv_wc *wc)
{
	int ret;

	do {
		ret = send ? rdma_get_send_comp(id, wc) :
			     rdma_get_recv_comp(id, wc);
	} while (ret == 0);
	if (ret < 0) {
		call_failed(send ? "rdma_get_send_comp" : "rdma_get_recv_comp");
		return -1;
	}
	if (wc->status != IBV_WC_SUCCESS) {
		fprintf(stderr, "rdma_page: %s: work completion failed: %s (status %d)\n",
			what, ibv_wc_status_str(wc->status), wc->status);
		return -1;
	}
	if (wc->wr_id != wr_id || wc->opcode != opcode) {
		fprintf(stderr, "rdma_page: %s: unexpected completion (wr_id %" PRIu64
			", opcode %d), expected wr_id %d, opcode %d\n", what,
			(uint64_t)wc->wr_id, wc->opcode, wr_id, opcode);
		return -1;
	}
	return 0;
}

static int post_recv(struct rdma_cm_id *id, struct ibv_mr *recv_mr)
{
	if (rdma_post_recv(id, (void *)(uintptr_t)RP_WR_RECV, recv_buf,
			   sizeof(recv_buf), recv_mr)) {
		call_failed("rdma_post_recv");
		return -1;
	}
	return 0;
}

/* SEND message m and wait for its completion. */
static int send_msg(struct rdma_cm_id *id, struct ibv_mr *send_mr,
		    const struct rp_msg *m)
{
	struct ibv_wc wc;
	char what[32];

	encode(m);
	snprintf(what, sizeof(what), "SEND %s", type_name(m->type));
	set_stage("completion of %s", what);
	if (rdma_post_send(id, (void *)(uintptr_t)RP_WR_SEND, &send_buf,
			   sizeof(send_buf), send_mr, IBV_SEND_SIGNALED)) {
		call_failed("rdma_post_send");
		return -1;
	}
	return wait_comp(id, true, RP_WR_SEND, IBV_WC_SEND, what, &wc);
}

/* Wait for the posted receive to complete with a valid message of type want. */
static int recv_msg(struct rdma_cm_id *id, const char *who, const char *peer,
		    uint32_t want, uint64_t seed, struct rp_msg *m)
{
	struct ibv_wc wc;
	char what[32];

	snprintf(what, sizeof(what), "RECV %s", type_name(want));
	set_stage("%s from the %s", what, peer);
	if (wait_comp(id, false, RP_WR_RECV, IBV_WC_RECV, what, &wc))
		return -1;
	return check_msg(who, wc.byte_len, want, seed, m) ? 0 : -1;
}

static void init_qp_attr(struct ibv_qp_init_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->cap.max_send_wr = 4;
	attr->cap.max_recv_wr = 4;
	attr->cap.max_send_sge = 1;
	attr->cap.max_recv_sge = 1;
	attr->sq_sig_all = 0;	/* every work request is signaled explicitly */
}

static int alloc_page(uint8_t **page)
{
	int ret;

	ret = posix_memalign((void **)page, RP_PAGE_SIZE, RP_PAGE_SIZE);
	if (ret) {
		fprintf(stderr, "rdma_page: posix_memalign failed: %s\n",
			strerror(ret));
		return -1;
	}
	memset(*page, 0, RP_PAGE_SIZE);
	return 0;
}

static int disconnect(struct rdma_cm_id *id)
{
	set_stage("disconnecting");
	if (rdma_disconnect(id)) {
		call_failed("rdma_disconnect");
		return -1;
	}
	return 0;
}

static int run_server(const char *bind_addr, const char *port)
{
	struct rdma_cm_id *listen_id, *id;
	struct ibv_mr *recv_mr, *send_mr, *page_mr;
	struct ibv_qp_init_attr init_attr;
	struct rdma_addrinfo hints, *res;
	uint8_t expect[RP_PAGE_SIZE];
	struct rp_msg m;
	uint8_t *page;
	uint64_t seed;
	size_t i, nbad = 0, first_bad = 0;
	int ret = 1, gai;

	set_stage("setting up the listener on %s:%s", bind_addr, port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = RAI_PASSIVE;
	hints.ai_port_space = RDMA_PS_TCP;
	gai = rdma_getaddrinfo(bind_addr, port, &hints, &res);
	if (gai) {
		getaddrinfo_failed(gai);
		return 1;
	}

	init_qp_attr(&init_attr);
	if (rdma_create_ep(&listen_id, res, NULL, &init_attr)) {
		call_failed("rdma_create_ep");
		goto out_free_addrinfo;
	}
	if (rdma_listen(listen_id, 1)) {
		call_failed("rdma_listen");
		goto out_destroy_listen_ep;
	}

	set_stage("waiting for a client to connect to %s:%s", bind_addr, port);
	if (rdma_get_request(listen_id, &id)) {
		call_failed("rdma_get_request");
		goto out_destroy_listen_ep;
	}

	set_stage("accepting the client");
	if (alloc_page(&page))
		goto out_destroy_accept_ep;
	recv_mr = rdma_reg_msgs(id, recv_buf, sizeof(recv_buf));
	if (!recv_mr) {
		call_failed("rdma_reg_msgs (receive buffer)");
		goto out_free_page;
	}
	send_mr = rdma_reg_msgs(id, &send_buf, sizeof(send_buf));
	if (!send_mr) {
		call_failed("rdma_reg_msgs (send buffer)");
		goto out_dereg_recv;
	}
	page_mr = ibv_reg_mr(id->pd, page, RP_PAGE_SIZE,
			     IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
	if (!page_mr) {
		call_failed("ibv_reg_mr (page)");
		goto out_dereg_send;
	}
	if (post_recv(id, recv_mr))
		goto out_dereg_page;
	if (rdma_accept(id, NULL)) {
		call_failed("rdma_accept");
		goto out_dereg_page;
	}

	if (recv_msg(id, "server", "client", RP_HELLO, 0, &m))
		goto out_disconnect;
	seed = m.seed;

	/* The receive for DONE goes up before BUF lets the client send it. */
	if (post_recv(id, recv_mr))
		goto out_disconnect;
	memset(&m, 0, sizeof(m));
	m.magic = RP_MAGIC;
	m.type = RP_BUF;
	m.seed = seed;
	m.addr = (uintptr_t)page_mr->addr;
	m.rkey = page_mr->rkey;
	m.len = RP_PAGE_SIZE;
	if (send_msg(id, send_mr, &m))
		goto out_disconnect;

	if (recv_msg(id, "server", "client", RP_DONE, seed, &m))
		goto out_disconnect;

	fill_pattern(expect, seed);
	for (i = 0; i < RP_PAGE_SIZE; i++) {
		if (page[i] != expect[i] && nbad++ == 0)
			first_bad = i;
	}
	if (nbad)
		fprintf(stderr, "rdma_page: server: page mismatch: %zu of %u bytes differ, first at offset %zu: expected 0x%02x, got 0x%02x\n",
			nbad, RP_PAGE_SIZE, first_bad, expect[first_bad],
			page[first_bad]);

	memset(&m, 0, sizeof(m));
	m.magic = RP_MAGIC;
	m.type = RP_RESULT;
	m.seed = seed;
	m.status = nbad ? 1 : 0;
	m.offset = first_bad;
	if (send_msg(id, send_mr, &m))
		goto out_disconnect;

	if (!nbad) {
		printf("rdma_page: server: page verified (%u bytes)\n",
		       RP_PAGE_SIZE);
		ret = 0;
	}

out_disconnect:
	if (disconnect(id))
		ret = 1;
out_dereg_page:
	if (rdma_dereg_mr(page_mr))
		call_failed("rdma_dereg_mr (page)");
out_dereg_send:
	if (rdma_dereg_mr(send_mr))
		call_failed("rdma_dereg_mr (send buffer)");
out_dereg_recv:
	if (rdma_dereg_mr(recv_mr))
		call_failed("rdma_dereg_mr (receive buffer)");
out_free_page:
	free(page);
out_destroy_accept_ep:
	rdma_destroy_ep(id);
out_destroy_listen_ep:
	rdma_destroy_ep(listen_id);
out_free_addrinfo:
	rdma_freeaddrinfo(res);
	return ret;
}

/* A client's connection and what is registered on its protection domain. */
struct rp_client {
	struct rdma_cm_id *id;
	struct ibv_mr *recv_mr, *send_mr, *page_mr;
	uint8_t *page;
};

/* Failures of one connection attempt that mean "the server is not up yet". */
static bool retryable(int err)
{
	switch (err) {
	case ECONNREFUSED:	/* rejected: nobody listens on the port yet */
	case ECONNRESET:
	case ECONNABORTED:
	case ETIMEDOUT:		/* no ARP answer, or no CM reply */
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case EADDRNOTAVAIL:
		return true;
	default:
		return false;
	}
}

/*
 * One attempt to connect: resolve, create the endpoint, register memory,
 * post the receive for BUF, connect. Returns 0 when connected, 1 when
 * rdma_create_ep (address and route resolution) or rdma_connect failed in
 * a way that means "the server is not up yet" (that call in *failed_call,
 * its error in errno), -1 on another failure (reported). A failed attempt
 * leaves nothing behind.
 */
static int client_connect_once(struct rp_client *c, const char *server,
			       const char *port, const char **failed_call)
{
	struct ibv_qp_init_attr init_attr;
	struct rdma_addrinfo hints, *res;
	const char *call = NULL;
	bool may_retry = false;
	int ret, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_port_space = RDMA_PS_TCP;
	ret = rdma_getaddrinfo(server, port, &hints, &res);
	if (ret) {
		getaddrinfo_failed(ret);
		return -1;
	}

	init_qp_attr(&init_attr);
	if (rdma_create_ep(&c->id, res, NULL, &init_attr)) {
		err = errno;
		call = "rdma_create_ep";
		may_retry = true;
		goto out_free_addrinfo;
	}
	c->recv_mr = rdma_reg_msgs(c->id, recv_buf, sizeof(recv_buf));
	if (!c->recv_mr) {
		err = errno;
		call = "rdma_reg_msgs (receive buffer)";
		goto out_destroy_ep;
	}
	c->send_mr = rdma_reg_msgs(c->id, &send_buf, sizeof(send_buf));
	if (!c->send_mr) {
		err = errno;
		call = "rdma_reg_msgs (send buffer)";
		goto out_dereg_recv;
	}
	c->page_mr = ibv_reg_mr(c->id->pd, c->page, RP_PAGE_SIZE,
				IBV_ACCESS_LOCAL_WRITE);
	if (!c->page_mr) {
		err = errno;
		call = "ibv_reg_mr (page)";
		goto out_dereg_send;
	}
	if (rdma_post_recv(c->id, (void *)(uintptr_t)RP_WR_RECV, recv_buf,
			   sizeof(recv_buf), c->recv_mr)) {
		err = errno;
		call = "rdma_post_recv";
		goto out_dereg_page;
	}
	if (rdma_connect(c->id, NULL)) {
		err = errno;
		call = "rdma_connect";
		may_retry = true;
		goto out_dereg_page;
	}
	rdma_freeaddrinfo(res);
	return 0;

out_dereg_page:
	if (rdma_dereg_mr(c->page_mr))
		call_failed("rdma_dereg_mr (page)");
out_dereg_send:
	if (rdma_dereg_mr(c->send_mr))
		call_failed("rdma_dereg_mr (send buffer)");
out_dereg_recv:
	if (rdma_dereg_mr(c->recv_mr))
		call_failed("rdma_dereg_mr (receive buffer)");
out_destroy_ep:
	rdma_destroy_ep(c->id);
	c->id = NULL;
out_free_addrinfo:
	rdma_freeaddrinfo(res);
	if (may_retry && retryable(err)) {
		*failed_call = call;
		errno = err;
		return 1;
	}
	fprintf(stderr, "rdma_page: %s failed: %s\n", call, errstr(err));
	return -1;
}

/* Connect, retrying every 0.5 s while the server is not there yet. */
static int client_connect(struct rp_client *c, const char *server,
			  const char *port)
{
	const struct timespec pause = { 0, RP_RETRY_NS };
	const char *failed_call = NULL;
	unsigned int attempt;
	int ret;

	set_stage("connecting to %s:%s", server, port);
	for (attempt = 1;; attempt++) {
		ret = client_connect_once(c, server, port, &failed_call);
		if (ret <= 0)
			return ret;
		set_stage("connecting to %s:%s, %u attempt(s), last: %s: %s",
			  server, port, attempt, failed_call, errstr(errno));
		nanosleep(&pause, NULL);
	}
}

static int run_client(const char *server, const char *port)
{
	struct rp_client c = { 0 };
	struct rp_msg m;
	struct ibv_wc wc;
	uint64_t seed = 0, addr;
	uint32_t rkey;
	int ret = 1;

	while (seed == 0) {
		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) {
			call_failed("getrandom");
			return 1;
		}
	}
	if (alloc_page(&c.page))
		return 1;
	if (client_connect(&c, server, port))
		goto out_free_page;

	memset(&m, 0, sizeof(m));
	m.magic = RP_MAGIC;
	m.type = RP_HELLO;
	m.seed = seed;
	if (send_msg(c.id, c.send_mr, &m))
		goto out_disconnect;

	if (recv_msg(c.id, "client", "server", RP_BUF, seed, &m))
		goto out_disconnect;
	addr = m.addr;
	rkey = m.rkey;

	/* The receive for RESULT goes up before DONE lets the server send it. */
	if (post_recv(c.id, c.recv_mr))
		goto out_disconnect;

	fill_pattern(c.page, seed);
	set_stage("completion of the RDMA WRITE");
	if (rdma_post_write(c.id, (void *)(uintptr_t)RP_WR_WRITE, c.page,
			    RP_PAGE_SIZE, c.page_mr, IBV_SEND_SIGNALED, addr,
			    rkey)) {
		call_failed("rdma_post_write");
		goto out_disconnect;
	}
	if (wait_comp(c.id, true, RP_WR_WRITE, IBV_WC_RDMA_WRITE,
		      "RDMA WRITE", &wc))
		goto out_disconnect;

	memset(&m, 0, sizeof(m));
	m.magic = RP_MAGIC;
	m.type = RP_DONE;
	m.seed = seed;
	if (send_msg(c.id, c.send_mr, &m))
		goto out_disconnect;

	if (recv_msg(c.id, "client", "server", RP_RESULT, seed, &m))
		goto out_disconnect;
	if (m.status == 0) {
		printf("rdma_page: client: server verified the page\n");
		ret = 0;
	} else {
		fprintf(stderr, "rdma_page: client: server found the page different, first at offset %" PRIu32 "\n",
			m.offset);
	}

out_disconnect:
	if (disconnect(c.id))
		ret = 1;
	if (rdma_dereg_mr(c.page_mr))
		call_failed("rdma_dereg_mr (page)");
	if (rdma_dereg_mr(c.send_mr))
		call_failed("rdma_dereg_mr (send buffer)");
	if (rdma_dereg_mr(c.recv_mr))
		call_failed("rdma_dereg_mr (receive buffer)");
	rdma_destroy_ep(c.id);
out_free_page:
	free(c.page);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rdma_page -s [-a BIND_ADDR] [-p PORT] [-t TIMEOUT_SEC]\n"
		"       rdma_page -c SERVER_ADDR [-p PORT] [-t TIMEOUT_SEC]\n"
		"  -s  server: accept one client, check the page it writes\n"
		"  -c  client: write a page to the server at SERVER_ADDR\n"
		"  -a  address to listen on (default: all)\n"
		"  -p  port, 1-65535 (default %d)\n"
		"  -t  give up after this many seconds, 1-%d (default %d)\n",
		RP_DEF_PORT, RP_MAX_TIMEOUT, RP_DEF_TIMEOUT);
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fputs("rdma_page: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	usage(stderr);
	return 2;
}

/* A decimal number in [min, max], digits only. */
static bool parse_uint(const char *s, unsigned long min, unsigned long max,
		       unsigned int *val)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*val = v;
	return true;
}

int main(int argc, char **argv)
{
	const char *server = NULL, *bind_addr = NULL;
	unsigned int port_num = RP_DEF_PORT;
	int nserver = 0, nclient = 0, op;
	struct sigaction sa;
	char port[8];

	opterr = 0;
	while ((op = getopt(argc, argv, ":sc:a:p:t:h")) != -1) {
		switch (op) {
		case 's':
			nserver++;
			break;
		case 'c':
			/* "-c -s": an option where the address belongs */
			if (optarg[0] == '-' || !optarg[0])
				return usage_error("-c needs a server address, got '%s'",
						   optarg);
			server = optarg;
			nclient++;
			break;
		case 'a':
			if (optarg[0] == '-' || !optarg[0])
				return usage_error("-a needs an address, got '%s'",
						   optarg);
			if (bind_addr)
				return usage_error("-a given twice");
			bind_addr = optarg;
			break;
		case 'p':
			if (!parse_uint(optarg, 1, 65535, &port_num))
				return usage_error("bad port '%s' (1-65535)",
						   optarg);
			break;
		case 't':
			if (!parse_uint(optarg, 1, RP_MAX_TIMEOUT, &timeout_sec))
				return usage_error("bad timeout '%s' (1-%d seconds)",
						   optarg, RP_MAX_TIMEOUT);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return usage_error("-%c needs a value", optopt);
		default:
			return usage_error("unknown option '-%c'", optopt);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (nserver && nclient)
		return usage_error("-s and -c exclude each other");
	if (nserver > 1 || nclient > 1)
		return usage_error("-%c given twice", nserver ? 's' : 'c');
	if (!nserver && !nclient)
		return usage_error("give -s or -c");
	if (nclient && bind_addr)
		return usage_error("-a is for the server (-s)");
	snprintf(port, sizeof(port), "%u", port_num);

	/* Unbuffered, so that nothing is lost when the alarm ends the run. */
	setvbuf(stdout, NULL, _IONBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL)) {
		call_failed("sigaction");
		return 1;
	}
	set_stage("starting");
	alarm(timeout_sec);

	if (nserver)
		return run_server(bind_addr ? bind_addr : "0.0.0.0", port);
	return run_client(server, port);
}
