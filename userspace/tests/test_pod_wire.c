// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pod_wire: the messages between dormantd daemons. Every
 * rejection is checked for its return code, the counter it bumps, the
 * reason it gives and that it leaves ctx->last_seq alone.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "pod_wire.h"

#define NR_MEMBERS	4
#define NR_OBJECTS	8
#define BUF_CAP		(24 + 96 + 2 * 4096)

/* Header field offsets, written out here rather than taken from pod_wire.h */
#define OFF_MAGIC	0
#define OFF_MAJOR	4
#define OFF_MINOR	5
#define OFF_TYPE	6
#define OFF_LENGTH	8
#define OFF_SENDER	12
#define OFF_HDR_FLAGS	14
#define OFF_SEQ		16
#define BODY		24

static void put_le(unsigned char *p, unsigned int bytes, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void ctx_init(struct pod_wire_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->nr_members = NR_MEMBERS;
	ctx->nr_objects = NR_OBJECTS;
}

/* Bitmaps of pages with data: none, the first, the first two, all 512. */
static const uint64_t bits_none[POD_GRANT_BITMAP_WORDS];
static const uint64_t bits_1[POD_GRANT_BITMAP_WORDS] = { 0x1 };
static const uint64_t bits_2[POD_GRANT_BITMAP_WORDS] = { 0x3 };
static const uint64_t bits_all[POD_GRANT_BITMAP_WORDS] = {
	~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL,
};

/* Header and grant body: where a grant's data starts. */
#define GRANT_DATA_OFF	(24 + 96)

static const unsigned char *grant_data(void)
{
	static unsigned char data[2 * 4096];
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	return data;
}

/* The valid messages the tests start from, one per case (grant twice). */
enum {
	V_HELLO, V_HELLO_ACK, V_REQ, V_GRANT_DATA, V_GRANT_NODATA,
	V_OWNER_SET, V_NACK, V_BYE, V_STATUS, NR_V
};

static size_t make_valid(int which, unsigned char *buf, size_t cap,
			 uint64_t seq)
{
	switch (which) {
	case V_HELLO:
		return pod_wire_encode_hello(buf, cap, POD_MSG_HELLO, 1, seq,
					     NR_MEMBERS, 0x5,
					     0x1122334455667788ULL);
	case V_HELLO_ACK:
		return pod_wire_encode_hello(buf, cap, POD_MSG_HELLO_ACK, 2,
					     seq, NR_MEMBERS, 0,
					     0x8877665544332211ULL);
	case V_REQ:
		return pod_wire_encode_page_req(buf, cap, 2, seq, 3,
						POD_REQ_WRITE, 1024, 512, 2,
						77);
	case V_GRANT_DATA:
		return pod_wire_encode_page_grant(buf, cap, 1, seq, 5,
						  POD_GRANT_DATA, 6, 2, 78,
						  bits_2, grant_data(),
						  2 * 4096);
	case V_GRANT_NODATA:
		return pod_wire_encode_page_grant(buf, cap, 1, seq, 5, 0, 8,
						  8, 79, NULL, NULL, 0);
	case V_OWNER_SET:
		return pod_wire_encode_owner_set(buf, cap, 1, seq, 7, 16, 16,
						 3, 80);
	case V_NACK:
		return pod_wire_encode_page_nack(buf, cap, 0, seq, 0,
						 POD_E_BUSY, 4, 4, 81);
	case V_BYE:
		return pod_wire_encode_bye(buf, cap, 3, seq, 42);
	case V_STATUS:
		return pod_wire_encode_status(buf, cap, 2, seq, 3ULL << 30,
					      0x0102030405060708ULL);
	}
	return 0;
}

/*
 * Check that @buf is refused with @ret, that exactly counter @kind moved
 * (by one), that the reason contains @sub and is one line, and that
 * last_seq did not move.
 */
static void check_rej(struct __test_metadata *_metadata,
		      struct pod_wire_ctx *ctx, const void *buf, size_t len,
		      int ret, int kind, const char *sub)
{
	struct pod_wire_ctx before = *ctx;
	struct pod_msg msg;
	char why[256];
	int got, k;

	got = pod_wire_check(ctx, buf, len, &msg, why, sizeof(why));
	EXPECT_EQ(ret, got) TH_LOG("len %zu: %s", len, why);
	EXPECT_EQ(before.last_seq, ctx->last_seq);
	for (k = 0; k < POD_WIRE_NR_ERR; k++) {
		uint64_t want = before.counters[k] + (k == kind);

		EXPECT_EQ(want, ctx->counters[k])
			TH_LOG("counter %s, len %zu: %s",
			       pod_wire_err_name(k), len, why);
	}
	EXPECT_NE(NULL, strstr(why, sub))
		TH_LOG("reason \"%s\" lacks \"%s\"", why, sub);
	EXPECT_EQ(NULL, strchr(why, '\n'));
}

/* Check that @buf is accepted and advances last_seq to its seq. */
static void check_ok(struct __test_metadata *_metadata,
		     struct pod_wire_ctx *ctx, const void *buf, size_t len,
		     struct pod_msg *msg)
{
	char why[256] = "";
	uint64_t total = 0, after = 0;
	int k;

	for (k = 0; k < POD_WIRE_NR_ERR; k++)
		total += ctx->counters[k];
	EXPECT_EQ(0, pod_wire_check(ctx, buf, len, msg, why, sizeof(why)))
		TH_LOG("refused: %s", why);
	EXPECT_EQ(msg->seq, ctx->last_seq);
	EXPECT_STREQ("", why);
	for (k = 0; k < POD_WIRE_NR_ERR; k++)
		after += ctx->counters[k];
	EXPECT_EQ(total, after);
}

TEST(layout_golden_bytes)
{
	static const unsigned char want[] = {
		'D', 'P', 'O', 'D', 1, POD_WIRE_MINOR, 3, 0, /* magic maj min type */
		56, 0, 0, 0, 0x34, 0x12, 0, 0,		/* length sender flags */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* seq */
		0x44, 0x33, 0x22, 0x11, 3, 0, 0, 0,	/* object flags */
		0x00, 0x02, 0, 0, 0xef, 0xbe, 0xad, 0xde, /* page */
		0x00, 0x02, 0, 0, 0xcd, 0xab, 0, 0,	/* npages requester */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* req_id */
	};
	unsigned char buf[64];

	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(sizeof(want),
		  pod_wire_encode_page_req(buf, sizeof(buf), 0x1234,
					   0x0102030405060708ULL, 0x11223344,
					   3, 0xdeadbeef00000200ULL, 512,
					   0xabcd, 0x8877665544332211ULL));
	EXPECT_EQ(0, memcmp(want, buf, sizeof(want)));
	EXPECT_EQ(0xa5, buf[sizeof(want)]);	/* nothing written past it */
	EXPECT_EQ(0x444f5044, POD_WIRE_MAGIC);
	EXPECT_EQ(24 + 96 + 512 * 4096, POD_MSG_MAX);
}

/* Every field of every type at its documented offset, little-endian. */
TEST(layout_every_type)
{
	unsigned char buf[BUF_CAP];
	size_t len;

	memset(buf, 0xa5, sizeof(buf));
	len = pod_wire_encode_hello(buf, sizeof(buf), POD_MSG_HELLO_ACK,
				    0x0102, 0x1112131415161718ULL, 0x2122,
				    0x3132333435363738ULL,
				    0x4142434445464748ULL);
	ASSERT_EQ(64, len);
	EXPECT_EQ(POD_WIRE_MAGIC, get_le(buf + OFF_MAGIC, 4));
	EXPECT_EQ(1, buf[OFF_MAJOR]);
	EXPECT_EQ(POD_WIRE_MINOR, buf[OFF_MINOR]);
	EXPECT_EQ(POD_MSG_HELLO_ACK, get_le(buf + OFF_TYPE, 2));
	EXPECT_EQ(64, get_le(buf + OFF_LENGTH, 4));
	EXPECT_EQ(0x0102, get_le(buf + OFF_SENDER, 2));
	EXPECT_EQ(0, get_le(buf + OFF_HDR_FLAGS, 2));
	EXPECT_EQ(0x1112131415161718ULL, get_le(buf + OFF_SEQ, 8));
	EXPECT_EQ(0x0102, get_le(buf + BODY, 2));
	EXPECT_EQ(0x2122, get_le(buf + BODY + 2, 2));
	EXPECT_EQ(0, get_le(buf + BODY + 4, 4));
	EXPECT_EQ(0x3132333435363738ULL, get_le(buf + BODY + 8, 8));
	EXPECT_EQ(0x4142434445464748ULL, get_le(buf + BODY + 16, 8));
	EXPECT_EQ(0, get_le(buf + BODY + 24, 8));
	EXPECT_EQ(0, get_le(buf + BODY + 32, 8));

	memset(buf, 0xa5, sizeof(buf));
	len = pod_wire_encode_page_grant(buf, sizeof(buf), 1, 2, 0x01020304,
					 0x11121314, 0x2122232425262728ULL,
					 2, 0x3132333435363738ULL, bits_2,
					 grant_data(), 8192);
	ASSERT_EQ(GRANT_DATA_OFF + 8192, len);
	EXPECT_EQ(POD_MSG_PAGE_GRANT, get_le(buf + OFF_TYPE, 2));
	EXPECT_EQ(GRANT_DATA_OFF + 8192, get_le(buf + OFF_LENGTH, 4));
	EXPECT_EQ(0x01020304, get_le(buf + BODY, 4));
	EXPECT_EQ(0x11121314, get_le(buf + BODY + 4, 4));
	EXPECT_EQ(0x2122232425262728ULL, get_le(buf + BODY + 8, 8));
	EXPECT_EQ(2, get_le(buf + BODY + 16, 4));
	EXPECT_EQ(8192, get_le(buf + BODY + 20, 4));
	EXPECT_EQ(0x3132333435363738ULL, get_le(buf + BODY + 24, 8));
	EXPECT_EQ(3, get_le(buf + BODY + 32, 8));
	EXPECT_EQ(0, get_le(buf + BODY + 88, 8));
	EXPECT_EQ(0, memcmp(grant_data(), buf + GRANT_DATA_OFF, 8192));

	memset(buf, 0xa5, sizeof(buf));
	len = pod_wire_encode_owner_set(buf, sizeof(buf), 1, 2, 0x01020304,
					0x2122232425262728ULL, 0x11121314,
					0x4142, 0x3132333435363738ULL);
	ASSERT_EQ(56, len);
	EXPECT_EQ(POD_MSG_OWNER_SET, get_le(buf + OFF_TYPE, 2));
	EXPECT_EQ(0x01020304, get_le(buf + BODY, 4));
	EXPECT_EQ(0, get_le(buf + BODY + 4, 4));
	EXPECT_EQ(0x2122232425262728ULL, get_le(buf + BODY + 8, 8));
	EXPECT_EQ(0x11121314, get_le(buf + BODY + 16, 4));
	EXPECT_EQ(0x4142, get_le(buf + BODY + 20, 2));
	EXPECT_EQ(0, get_le(buf + BODY + 22, 2));
	EXPECT_EQ(0x3132333435363738ULL, get_le(buf + BODY + 24, 8));

	memset(buf, 0xa5, sizeof(buf));
	len = pod_wire_encode_page_nack(buf, sizeof(buf), 1, 2, 0x01020304,
					0x51525354, 0x2122232425262728ULL,
					0x11121314, 0x3132333435363738ULL);
	ASSERT_EQ(56, len);
	EXPECT_EQ(POD_MSG_PAGE_NACK, get_le(buf + OFF_TYPE, 2));
	EXPECT_EQ(0x01020304, get_le(buf + BODY, 4));
	EXPECT_EQ(0x51525354, get_le(buf + BODY + 4, 4));
	EXPECT_EQ(0x2122232425262728ULL, get_le(buf + BODY + 8, 8));
	EXPECT_EQ(0x11121314, get_le(buf + BODY + 16, 4));
	EXPECT_EQ(0, get_le(buf + BODY + 20, 4));
	EXPECT_EQ(0x3132333435363738ULL, get_le(buf + BODY + 24, 8));

	memset(buf, 0xa5, sizeof(buf));
	len = pod_wire_encode_bye(buf, sizeof(buf), 1, 2, 0x01020304);
	ASSERT_EQ(32, len);
	EXPECT_EQ(POD_MSG_BYE, get_le(buf + OFF_TYPE, 2));
	EXPECT_EQ(32, get_le(buf + OFF_LENGTH, 4));
	EXPECT_EQ(0x01020304, get_le(buf + BODY, 4));
	EXPECT_EQ(0, get_le(buf + BODY + 4, 4));
	EXPECT_EQ(0xa5, buf[32]);

	memset(buf, 0xa5, sizeof(buf));
	len = pod_wire_encode_status(buf, sizeof(buf), 1, 2,
				     0x1112131415161718ULL,
				     0x2122232425262728ULL);
	ASSERT_EQ(56, len);
	EXPECT_EQ(POD_MSG_STATUS, get_le(buf + OFF_TYPE, 2));
	EXPECT_EQ(56, get_le(buf + OFF_LENGTH, 4));
	EXPECT_EQ(0x1112131415161718ULL, get_le(buf + BODY, 8));
	EXPECT_EQ(0x2122232425262728ULL, get_le(buf + BODY + 8, 8));
	EXPECT_EQ(0, get_le(buf + BODY + 16, 8));
	EXPECT_EQ(0, get_le(buf + BODY + 24, 8));
	EXPECT_EQ(0xa5, buf[56]);
	EXPECT_EQ(0, pod_wire_encode_status(buf, 55, 1, 2, 1, 1));
}

TEST(encoders_respect_cap)
{
	unsigned char buf[BUF_CAP];
	size_t len;
	int w;

	for (w = 0; w < NR_V; w++) {
		len = make_valid(w, buf, sizeof(buf), 1);
		ASSERT_LT(0, len);
		EXPECT_EQ(0, make_valid(w, buf, len - 1, 1));
		EXPECT_EQ(len, make_valid(w, buf, len, 1));
		EXPECT_EQ(0, make_valid(w, buf, 0, 1));
	}
	/* HELLO's encoder writes only HELLO and HELLO_ACK */
	EXPECT_EQ(0, pod_wire_encode_hello(buf, sizeof(buf), POD_MSG_PAGE_REQ,
					   0, 1, 1, 0, 0));
	EXPECT_EQ(0, pod_wire_encode_hello(buf, sizeof(buf), 0, 0, 1, 1, 0, 0));
	/* data missing, or a message past 4 GiB */
	EXPECT_EQ(0, pod_wire_encode_page_grant(buf, sizeof(buf), 0, 1, 0,
						POD_GRANT_DATA, 0, 1, 0, bits_1,
						NULL, 4096));
	EXPECT_EQ(0, pod_wire_encode_page_grant(buf, SIZE_MAX, 0, 1, 0,
						POD_GRANT_DATA, 0, 1, 0, bits_1,
						buf, UINT32_MAX));
}

TEST(round_trip_hello)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len;

	ctx_init(&ctx);
	len = make_valid(V_HELLO, buf, sizeof(buf), 1);
	ASSERT_EQ(64, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(POD_MSG_HELLO, m.type);
	EXPECT_EQ(1, m.major);
	EXPECT_EQ(POD_WIRE_MINOR, m.minor);
	EXPECT_EQ(1, m.sender);
	EXPECT_EQ(64, m.length);
	EXPECT_EQ(1, m.seq);
	EXPECT_EQ(1, m.hello.member);
	EXPECT_EQ(NR_MEMBERS, m.hello.nr_members);
	EXPECT_EQ(0x5, m.hello.features);
	EXPECT_EQ(0x1122334455667788ULL, m.hello.pod_id);

	len = make_valid(V_HELLO_ACK, buf, sizeof(buf), 2);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(POD_MSG_HELLO_ACK, m.type);
	EXPECT_EQ(2, m.sender);
	EXPECT_EQ(2, m.seq);
	EXPECT_EQ(2, m.hello.member);
	EXPECT_EQ(0, m.hello.features);
	EXPECT_EQ(0x8877665544332211ULL, m.hello.pod_id);
}

TEST(round_trip_page_req)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len;

	ctx_init(&ctx);
	len = pod_wire_encode_page_req(buf, sizeof(buf), 3, 1, NR_OBJECTS - 1,
				       POD_REQ_WRITE | POD_REQ_ZEROING,
				       0xffffffffffffff00ULL, 256,
				       NR_MEMBERS - 1, 0xfedcba9876543210ULL);
	ASSERT_EQ(56, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(POD_MSG_PAGE_REQ, m.type);
	EXPECT_EQ(3, m.sender);
	EXPECT_EQ(NR_OBJECTS - 1, m.req.object);
	EXPECT_EQ(POD_REQ_WRITE | POD_REQ_ZEROING, m.req.flags);
	EXPECT_EQ(0xffffffffffffff00ULL, m.req.page);
	EXPECT_EQ(256, m.req.npages);
	EXPECT_EQ(NR_MEMBERS - 1, m.req.requester);
	EXPECT_EQ(0xfedcba9876543210ULL, m.req.req_id);
}

TEST(round_trip_page_grant)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len;

	ctx_init(&ctx);
	len = make_valid(V_GRANT_DATA, buf, sizeof(buf), 1);
	ASSERT_EQ(GRANT_DATA_OFF + 2 * 4096, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(POD_MSG_PAGE_GRANT, m.type);
	EXPECT_EQ(5, m.grant.object);
	EXPECT_EQ(POD_GRANT_DATA, m.grant.flags);
	EXPECT_EQ(6, m.grant.page);
	EXPECT_EQ(2, m.grant.npages);
	EXPECT_EQ(2 * 4096, m.grant.data_len);
	EXPECT_EQ(78, m.grant.req_id);
	EXPECT_EQ(3, m.grant.data_pages[0]);
	EXPECT_EQ(0, m.grant.data_pages[7]);
	/* the data is the bytes inside buf, not a copy */
	EXPECT_EQ((const void *)(buf + GRANT_DATA_OFF), m.grant.data);
	EXPECT_EQ(0, memcmp(grant_data(), m.grant.data, 2 * 4096));

	len = make_valid(V_GRANT_NODATA, buf, sizeof(buf), 2);
	ASSERT_EQ(GRANT_DATA_OFF, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(0, m.grant.flags);
	EXPECT_EQ(8, m.grant.page);
	EXPECT_EQ(8, m.grant.npages);
	EXPECT_EQ(0, m.grant.data_len);
	EXPECT_EQ(NULL, m.grant.data);
	EXPECT_EQ(79, m.grant.req_id);
}

TEST(round_trip_largest_grant)
{
	struct pod_wire_ctx ctx;
	unsigned char *buf, *data;
	struct pod_msg m;
	size_t len;

	ctx_init(&ctx);
	data = calloc(1, 512 * 4096);
	buf = malloc(POD_MSG_MAX);
	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, buf);
	data[0] = 1;
	data[512 * 4096 - 1] = 2;
	len = pod_wire_encode_page_grant(buf, POD_MSG_MAX, 0, 1, 0,
					 POD_GRANT_DATA, 512, 512, 1, bits_all,
					 data, 512 * 4096);
	ASSERT_EQ(GRANT_DATA_OFF + 512 * 4096, len);
	ASSERT_EQ(POD_MSG_MAX, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(512 * 4096, m.grant.data_len);
	EXPECT_EQ(0, memcmp(data, m.grant.data, 512 * 4096));
	free(buf);
	free(data);
}

TEST(round_trip_owner_set)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len;

	ctx_init(&ctx);
	len = make_valid(V_OWNER_SET, buf, sizeof(buf), 1);
	ASSERT_EQ(56, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(POD_MSG_OWNER_SET, m.type);
	EXPECT_EQ(1, m.sender);
	EXPECT_EQ(7, m.owner_set.object);
	EXPECT_EQ(16, m.owner_set.page);
	EXPECT_EQ(16, m.owner_set.npages);
	EXPECT_EQ(3, m.owner_set.owner);
	EXPECT_EQ(80, m.owner_set.req_id);
}

TEST(round_trip_page_nack)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	uint32_t e;
	size_t len;

	ctx_init(&ctx);
	len = make_valid(V_NACK, buf, sizeof(buf), 1);
	ASSERT_EQ(56, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(POD_MSG_PAGE_NACK, m.type);
	EXPECT_EQ(0, m.sender);
	EXPECT_EQ(0, m.nack.object);
	EXPECT_EQ(POD_E_BUSY, m.nack.error);
	EXPECT_EQ(4, m.nack.page);
	EXPECT_EQ(4, m.nack.npages);
	EXPECT_EQ(81, m.nack.req_id);
	for (e = POD_E_NOT_OWNER; e <= POD_E_MAX; e++) {
		len = pod_wire_encode_page_nack(buf, sizeof(buf), 0, e + 1, 1,
						e, 0, 1, e);
		check_ok(_metadata, &ctx, buf, len, &m);
		EXPECT_EQ(e, m.nack.error);
	}
}

TEST(round_trip_bye)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len;

	ctx_init(&ctx);
	len = make_valid(V_BYE, buf, sizeof(buf), 1);
	ASSERT_EQ(32, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(POD_MSG_BYE, m.type);
	EXPECT_EQ(3, m.sender);
	EXPECT_EQ(42, m.bye.reason);
}

TEST(round_trip_status)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len;

	ctx_init(&ctx);
	len = make_valid(V_STATUS, buf, sizeof(buf), 1);
	ASSERT_EQ(56, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(POD_MSG_STATUS, m.type);
	EXPECT_EQ(2, m.sender);
	EXPECT_EQ(3ULL << 30, m.status.pool_bytes);
	EXPECT_EQ(0x0102030405060708ULL, m.status.avail_bytes);
	/* one byte short or long: the body size is the type's */
	put_le(buf + OFF_LENGTH, 4, len - 1);
	check_rej(_metadata, &ctx, buf, len - 1, -EMSGSIZE, POD_WIRE_ERR_BODY,
		  "STATUS");
}

TEST(null_out_and_why)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	size_t len;

	ctx_init(&ctx);
	len = make_valid(V_BYE, buf, sizeof(buf), 1);
	EXPECT_EQ(0, pod_wire_check(&ctx, buf, len, NULL, NULL, 0));
	EXPECT_EQ(1, ctx.last_seq);
	EXPECT_EQ(-EPROTO, pod_wire_check(&ctx, buf, len, NULL, NULL, 0));
	EXPECT_EQ(1, ctx.counters[POD_WIRE_ERR_SEQ]);
}

TEST(seq_in_order_replayed_skipped)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len;
	int w;

	ctx_init(&ctx);
	/* the first message must be seq 1 */
	len = make_valid(V_REQ, buf, sizeof(buf), 0);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_SEQ,
		  "seq 0, expected 1");
	len = make_valid(V_REQ, buf, sizeof(buf), 2);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_SEQ,
		  "seq 2, expected 1");
	for (w = 0; w < NR_V; w++) {
		len = make_valid(w, buf, sizeof(buf), (uint64_t)w + 1);
		check_ok(_metadata, &ctx, buf, len, &m);
		EXPECT_EQ((uint64_t)w + 1, m.seq);
	}
	/* the last one again: a replay */
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_SEQ,
		  "replayed");
	/* one skipped */
	len = make_valid(V_BYE, buf, sizeof(buf), NR_V + 2);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_SEQ,
		  "expected 10");
	/* an old one */
	len = make_valid(V_BYE, buf, sizeof(buf), 1);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_SEQ,
		  "seq 1, expected 10");
	len = make_valid(V_BYE, buf, sizeof(buf), NR_V + 1);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(NR_V + 1, ctx.last_seq);
	EXPECT_EQ(5, ctx.counters[POD_WIRE_ERR_SEQ]);
}

TEST(rejected_message_keeps_last_seq)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len;

	ctx_init(&ctx);
	len = make_valid(V_REQ, buf, sizeof(buf), 1);
	check_ok(_metadata, &ctx, buf, len, &m);
	len = pod_wire_encode_page_req(buf, sizeof(buf), 0, 2, 0, 0, 0, 3, 0,
				       0);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_NPAGES,
		  "npages 3");
	EXPECT_EQ(1, ctx.last_seq);
	/* seq 2 is still the one expected */
	len = make_valid(V_REQ, buf, sizeof(buf), 2);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(2, ctx.last_seq);
}

TEST(truncated_at_every_length)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	size_t len, n;
	int w;

	ctx_init(&ctx);
	for (w = 0; w < NR_V; w++) {
		len = make_valid(w, buf, sizeof(buf), 1);
		for (n = 0; n < len; n++) {
			if (n < 24) {
				check_rej(_metadata, &ctx, buf, n, -EMSGSIZE,
					  POD_WIRE_ERR_SHORT, "short message");
			} else {
				check_rej(_metadata, &ctx, buf, n, -EMSGSIZE,
					  POD_WIRE_ERR_LENGTH,
					  "bytes received");
			}
		}
	}
	EXPECT_EQ(0, ctx.last_seq);
}

TEST(truncated_with_matching_length_field)
{
	unsigned char buf[BUF_CAP + 8];
	struct pod_wire_ctx ctx;
	size_t len, n;
	int w;

	ctx_init(&ctx);
	for (w = 0; w < NR_V; w++) {
		len = make_valid(w, buf, sizeof(buf), 1);
		for (n = 24; n < len; n++) {
			put_le(buf + OFF_LENGTH, 4, n);
			check_rej(_metadata, &ctx, buf, n, -EMSGSIZE,
				  POD_WIRE_ERR_BODY, "expected");
		}
		/* and 8 bytes too long */
		len = make_valid(w, buf, BUF_CAP, 1);
		ASSERT_LT(0, len);
		memset(buf + len, 0, 8);
		put_le(buf + OFF_LENGTH, 4, len + 8);
		check_rej(_metadata, &ctx, buf, len + 8, -EMSGSIZE,
			  POD_WIRE_ERR_BODY, pod_wire_type_name(buf[OFF_TYPE]));
	}
}

TEST(length_field_mismatch_and_too_long)
{
	struct pod_wire_ctx ctx;
	unsigned char *buf, *data;
	size_t len, big = POD_MSG_MAX + 1;

	ctx_init(&ctx);
	buf = calloc(1, big);
	data = calloc(1, big);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, data);
	len = make_valid(V_REQ, buf, big, 1);
	put_le(buf + OFF_LENGTH, 4, len + 1);
	check_rej(_metadata, &ctx, buf, len, -EMSGSIZE, POD_WIRE_ERR_LENGTH,
		  "length field 57 != 56 bytes received");
	put_le(buf + OFF_LENGTH, 4, len - 1);
	check_rej(_metadata, &ctx, buf, len, -EMSGSIZE, POD_WIRE_ERR_LENGTH,
		  "length field 55 != 56");
	/* more bytes received than the length field says */
	put_le(buf + OFF_LENGTH, 4, len);
	check_rej(_metadata, &ctx, buf, len + 1, -EMSGSIZE,
		  POD_WIRE_ERR_LENGTH, "!= 57 bytes received");
	/* a grant whose length field and size agree, a byte past the maximum */
	len = pod_wire_encode_page_grant(buf, big, 0, 1, 0, POD_GRANT_DATA,
					 0, 512, 0, bits_all, data,
					 (uint32_t)(big - GRANT_DATA_OFF));
	ASSERT_EQ(big, len);
	check_rej(_metadata, &ctx, buf, len, -EMSGSIZE, POD_WIRE_ERR_LENGTH,
		  "maximum");
	free(data);
	free(buf);
}

TEST(magic_bit_flips)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	size_t len;
	int bit, w;

	ctx_init(&ctx);
	for (w = 0; w < NR_V; w++) {
		len = make_valid(w, buf, sizeof(buf), 1);
		for (bit = 0; bit < 32; bit++) {
			buf[OFF_MAGIC + bit / 8] ^= 1 << (bit % 8);
			check_rej(_metadata, &ctx, buf, len, -EPROTO,
				  POD_WIRE_ERR_MAGIC, "bad magic");
			buf[OFF_MAGIC + bit / 8] ^= 1 << (bit % 8);
		}
	}
	EXPECT_EQ(NR_V * 32, ctx.counters[POD_WIRE_ERR_MAGIC]);
}

TEST(major_bit_flips)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	size_t len;
	int bit, w;

	ctx_init(&ctx);
	for (w = 0; w < NR_V; w++) {
		len = make_valid(w, buf, sizeof(buf), 1);
		for (bit = 0; bit < 8; bit++) {
			buf[OFF_MAJOR] ^= 1 << bit;
			check_rej(_metadata, &ctx, buf, len, -EPROTONOSUPPORT,
				  POD_WIRE_ERR_VERSION, "major version");
			buf[OFF_MAJOR] ^= 1 << bit;
		}
	}
}

/* A higher minor of our major is accepted; every flip of minor 0 is one. */
TEST(minor_bit_flips_accepted)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len;
	int bit;

	ctx_init(&ctx);
	for (bit = 0; bit < 8; bit++) {
		len = make_valid(V_OWNER_SET, buf, sizeof(buf),
				 (uint64_t)bit + 1);
		buf[OFF_MINOR] ^= 1 << bit;
		check_ok(_metadata, &ctx, buf, len, &m);
		EXPECT_EQ(POD_WIRE_MINOR ^ (1 << bit), m.minor);
		EXPECT_EQ(1, m.major);
	}
}

/*
 * Every flip of a type bit is refused: either the type is unknown, or the
 * body has another type's size or content. (For the record, one flip can
 * make a valid message of another valid one: a grant without data, type
 * 4, and an OWNER_SET to member 0, type 5, differ only in that bit. RC's
 * ICRC, not this check, protects against bit errors on the wire.)
 */
TEST(type_bit_flips)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	uint64_t total;
	size_t len;
	int bit, w, k, got;
	uint16_t t;
	char why[256];

	ctx_init(&ctx);
	for (w = 0; w < NR_V; w++) {
		if (w == V_GRANT_NODATA)
			continue;	/* see above */
		len = make_valid(w, buf, sizeof(buf), 1);
		for (bit = 0; bit < 16; bit++) {
			buf[OFF_TYPE + bit / 8] ^= 1 << (bit % 8);
			t = (uint16_t)get_le(buf + OFF_TYPE, 2);
			if (t < POD_MSG_HELLO || t > POD_MSG_STATUS) {
				check_rej(_metadata, &ctx, buf, len, -EPROTO,
					  POD_WIRE_ERR_TYPE, "unknown type");
			} else {
				total = 0;
				for (k = 0; k < POD_WIRE_NR_ERR; k++)
					total += ctx.counters[k];
				got = pod_wire_check(&ctx, buf, len, NULL, why,
						     sizeof(why));
				EXPECT_GT(0, got) TH_LOG("type %u accepted", t);
				for (k = 0; k < POD_WIRE_NR_ERR; k++)
					total -= ctx.counters[k];
				EXPECT_EQ((uint64_t)-1, total);
				EXPECT_EQ(0, ctx.last_seq);
			}
			buf[OFF_TYPE + bit / 8] ^= 1 << (bit % 8);
		}
	}
}

TEST(unknown_types)
{
	static const uint16_t bad[] = { 0, 9, 10, 0x100, 0x8001, 0xffff };
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	char sub[32];
	size_t len, i;

	ctx_init(&ctx);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		len = make_valid(V_BYE, buf, sizeof(buf), 1);
		put_le(buf + OFF_TYPE, 2, bad[i]);
		snprintf(sub, sizeof(sub), "unknown type %u", bad[i]);
		check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_TYPE,
			  sub);
	}
}

TEST(hdr_flags_bit_flips)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	size_t len;
	int bit, w;

	ctx_init(&ctx);
	for (w = 0; w < NR_V; w++) {
		len = make_valid(w, buf, sizeof(buf), 1);
		for (bit = 0; bit < 16; bit++) {
			buf[OFF_HDR_FLAGS + bit / 8] ^= 1 << (bit % 8);
			check_rej(_metadata, &ctx, buf, len, -EPROTO,
				  POD_WIRE_ERR_FLAGS, "hdr_flags");
			buf[OFF_HDR_FLAGS + bit / 8] ^= 1 << (bit % 8);
		}
	}
}

TEST(reserved_fields)
{
	static const struct {
		int which;
		unsigned int off, size;
		const char *name;
	} rsv[] = {
		{ V_HELLO, 4, 4, "pad" },
		{ V_HELLO, 24, 8, "reserved[0]" },
		{ V_HELLO, 32, 8, "reserved[1]" },
		{ V_HELLO_ACK, 4, 4, "pad" },
		{ V_HELLO_ACK, 24, 8, "reserved[0]" },
		{ V_HELLO_ACK, 32, 8, "reserved[1]" },
		{ V_REQ, 22, 2, "pad" },
		{ V_OWNER_SET, 4, 4, "pad" },
		{ V_OWNER_SET, 22, 2, "pad2" },
		{ V_NACK, 20, 4, "pad" },
		{ V_BYE, 4, 4, "pad" },
		{ V_STATUS, 16, 8, "reserved[0]" },
		{ V_STATUS, 24, 8, "reserved[1]" },
	};
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	char sub[64];
	unsigned int b;
	size_t len, i;

	ctx_init(&ctx);
	for (i = 0; i < ARRAY_SIZE(rsv); i++) {
		snprintf(sub, sizeof(sub), "reserved field %s is", rsv[i].name);
		for (b = 0; b < rsv[i].size; b++) {
			len = make_valid(rsv[i].which, buf, sizeof(buf), 1);
			buf[BODY + rsv[i].off + b] = 0x01;
			check_rej(_metadata, &ctx, buf, len, -EPROTO,
				  POD_WIRE_ERR_RESERVED, sub);
			buf[BODY + rsv[i].off + b] = 0x80;
			check_rej(_metadata, &ctx, buf, len, -EPROTO,
				  POD_WIRE_ERR_RESERVED, sub);
		}
	}
}

TEST(unknown_flags)
{
	static const uint32_t bad_req[] = { 0x8, 0xf, 0x100, 0x80000000 };
	static const uint32_t bad_grant[] = { 0x2, 0x3, 0x80000001 };
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len, i;
	uint32_t f;

	ctx_init(&ctx);
	for (i = 0; i < ARRAY_SIZE(bad_req); i++) {
		len = pod_wire_encode_page_req(buf, sizeof(buf), 0, 1, 0,
					       bad_req[i], 0, 1, 0, 0);
		check_rej(_metadata, &ctx, buf, len, -EPROTO,
			  POD_WIRE_ERR_FLAGS, "unknown flags");
	}
	for (i = 0; i < ARRAY_SIZE(bad_grant); i++) {
		len = pod_wire_encode_page_grant(buf, sizeof(buf), 0, 1, 0,
						 bad_grant[i], 0, 1, 0, bits_1,
						 grant_data(), 4096);
		check_rej(_metadata, &ctx, buf, len, -EPROTO,
			  POD_WIRE_ERR_FLAGS, "unknown flags");
	}
	for (f = 0; f <= POD_REQ_FLAGS; f++) {
		len = pod_wire_encode_page_req(buf, sizeof(buf), 0, f + 1, 0,
					       f, 0, 1, 0, 0);
		check_ok(_metadata, &ctx, buf, len, &m);
		EXPECT_EQ(f, m.req.flags);
	}
}

TEST(unknown_nack_error)
{
	static const uint32_t bad[] = { 0, POD_E_MAX + 1, 0xffffffff };
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	char sub[48];
	size_t len, i;

	ctx_init(&ctx);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		len = pod_wire_encode_page_nack(buf, sizeof(buf), 0, 1, 0,
						bad[i], 0, 1, 0);
		snprintf(sub, sizeof(sub), "unknown error code %u", bad[i]);
		check_rej(_metadata, &ctx, buf, len, -EPROTO,
			  POD_WIRE_ERR_VALUE, sub);
	}
}

/* Encode one of the four page messages with the given fields. */
static size_t make_pages(int type, unsigned char *buf, size_t cap,
			 uint64_t seq, uint32_t object, uint64_t page,
			 uint32_t npages)
{
	switch (type) {
	case POD_MSG_PAGE_REQ:
		return pod_wire_encode_page_req(buf, cap, 0, seq, object, 0,
						page, npages, 0, 0);
	case POD_MSG_PAGE_GRANT:
		return pod_wire_encode_page_grant(buf, cap, 0, seq, object, 0,
						  page, npages, 0, NULL, NULL,
						  0);
	case POD_MSG_OWNER_SET:
		return pod_wire_encode_owner_set(buf, cap, 0, seq, object,
						 page, npages, 0, 0);
	case POD_MSG_PAGE_NACK:
		return pod_wire_encode_page_nack(buf, cap, 0, seq, object,
						 POD_E_RANGE, page, npages, 0);
	}
	return 0;
}

static const int page_types[] = {
	POD_MSG_PAGE_REQ, POD_MSG_PAGE_GRANT, POD_MSG_OWNER_SET,
	POD_MSG_PAGE_NACK,
};

TEST(object_out_of_range)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len, i;

	ctx_init(&ctx);
	for (i = 0; i < 4; i++) {
		len = make_pages(page_types[i], buf, sizeof(buf), 1,
				 NR_OBJECTS, 0, 1);
		check_rej(_metadata, &ctx, buf, len, -EPROTO,
			  POD_WIRE_ERR_RANGE, "object 8 out of range");
		len = make_pages(page_types[i], buf, sizeof(buf), 1,
				 UINT32_MAX, 0, 1);
		check_rej(_metadata, &ctx, buf, len, -EPROTO,
			  POD_WIRE_ERR_RANGE, "object 4294967295");
		len = make_pages(page_types[i], buf, sizeof(buf), i + 1,
				 NR_OBJECTS - 1, 0, 1);
		check_ok(_metadata, &ctx, buf, len, &m);
	}
	/* a pod without objects takes no page message */
	ctx_init(&ctx);
	ctx.nr_objects = 0;
	len = make_pages(POD_MSG_PAGE_REQ, buf, sizeof(buf), 1, 0, 0, 1);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_RANGE,
		  "object 0 out of range (0 objects)");
}

TEST(member_out_of_range)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	size_t len;
	int w;

	ctx_init(&ctx);
	/* sender, in every type */
	for (w = 0; w < NR_V; w++) {
		len = make_valid(w, buf, sizeof(buf), 1);
		put_le(buf + OFF_SENDER, 2, NR_MEMBERS);
		if (w == V_HELLO || w == V_HELLO_ACK)
			put_le(buf + BODY, 2, NR_MEMBERS);
		check_rej(_metadata, &ctx, buf, len, -EPROTO,
			  POD_WIRE_ERR_RANGE, "sender 4 out of range");
	}
	len = pod_wire_encode_page_req(buf, sizeof(buf), 0, 1, 0, 0, 0, 1,
				       NR_MEMBERS, 0);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_RANGE,
		  "requester 4 out of range");
	len = pod_wire_encode_owner_set(buf, sizeof(buf), 0, 1, 0, 0, 1,
					0xffff, 0);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_RANGE,
		  "owner 65535 out of range");
	len = make_valid(V_HELLO, buf, sizeof(buf), 1);
	put_le(buf + BODY, 2, NR_MEMBERS);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_RANGE,
		  "member 4 out of range");
}

TEST(hello_member_is_not_sender)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	size_t len;

	ctx_init(&ctx);
	len = make_valid(V_HELLO, buf, sizeof(buf), 1);
	put_le(buf + BODY, 2, 2);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_MEMBER,
		  "member 2 is not the sender 1");
	len = make_valid(V_HELLO_ACK, buf, sizeof(buf), 1);
	put_le(buf + OFF_SENDER, 2, 0);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_MEMBER,
		  "member 2 is not the sender 0");
}

TEST(npages_rules)
{
	static const uint32_t bad[] = {
		0, 3, 5, 6, 511, 513, 1024, 0x80000000, 0xffffffff,
	};
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	uint64_t seq = 1;
	char sub[64];
	uint32_t n;
	size_t len, i, t;

	ctx_init(&ctx);
	for (t = 0; t < 4; t++) {
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			len = make_pages(page_types[t], buf, sizeof(buf), seq,
					 0, 0, bad[i]);
			snprintf(sub, sizeof(sub),
				 "npages %u is not a power of two", bad[i]);
			check_rej(_metadata, &ctx, buf, len, -EPROTO,
				  POD_WIRE_ERR_NPAGES, sub);
		}
		len = make_pages(page_types[t], buf, sizeof(buf), seq, 0, 1,
				 2);
		check_rej(_metadata, &ctx, buf, len, -EPROTO,
			  POD_WIRE_ERR_NPAGES,
			  "page 1 is not a multiple of npages 2");
		len = make_pages(page_types[t], buf, sizeof(buf), seq, 0, 256,
				 512);
		check_rej(_metadata, &ctx, buf, len, -EPROTO,
			  POD_WIRE_ERR_NPAGES,
			  "page 256 is not a multiple of npages 512");
		for (n = 1; n <= 512; n <<= 1) {
			len = make_pages(page_types[t], buf, sizeof(buf), seq,
					 0, 3ULL * n, n);
			check_ok(_metadata, &ctx, buf, len, &m);
			seq++;
		}
	}
}

TEST(grant_data_len)
{
	static const uint64_t bits_0_511[POD_GRANT_BITMAP_WORDS] = {
		1, 0, 0, 0, 0, 0, 0, 1ULL << 63,
	};
	static const uint64_t bit_4[POD_GRANT_BITMAP_WORDS] = { 1 << 4 };
	static const struct {
		uint32_t flags, npages, data_len;
		const uint64_t *bits;
		const char *why;
	} bad[] = {
		{ POD_GRANT_DATA, 1, 4095, bits_1, "data_len 4095, expected" },
		{ POD_GRANT_DATA, 1, 4097, bits_1, "data_len 4097, expected" },
		{ POD_GRANT_DATA, 2, 8191, bits_2, "data_len 8191, expected" },
		{ POD_GRANT_DATA, 2, 4096, bits_2, "data_len 4096, expected" },
		{ POD_GRANT_DATA, 1, 0, bits_1, "data_len 0, expected" },
		{ POD_GRANT_DATA, 1, 0, bits_none, "flags 0x1 but 0 bits" },
		{ 0, 1, 4096, bits_1, "flags 0x0 but 1 bits" },
		{ 0, 1, 1, bits_none, "data_len 1, expected 0" },
		{ POD_GRANT_DATA, 4, 4096, bit_4, "1 bits of data_pages at or beyond npages 4" },
		{ POD_GRANT_DATA, 256, 8192, bits_0_511, "beyond npages 256" },
	};
	unsigned char buf[BUF_CAP + 8];
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	size_t len, i;

	ctx_init(&ctx);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		len = pod_wire_encode_page_grant(buf, sizeof(buf), 0, 1, 0,
						 bad[i].flags, 0,
						 bad[i].npages, 0, bad[i].bits,
						 grant_data(),
						 bad[i].data_len);
		ASSERT_EQ(GRANT_DATA_OFF + bad[i].data_len, len);
		check_rej(_metadata, &ctx, buf, len, -EPROTO,
			  POD_WIRE_ERR_DATA_LEN, bad[i].why);
	}
	/* pages 0 and 511 of 512 with data: two pages, in order */
	len = pod_wire_encode_page_grant(buf, sizeof(buf), 0, 1, 0,
					 POD_GRANT_DATA, 0, 512, 9, bits_0_511,
					 grant_data(), 8192);
	ASSERT_EQ(GRANT_DATA_OFF + 8192, len);
	check_ok(_metadata, &ctx, buf, len, &m);
	EXPECT_EQ(1, m.grant.data_pages[0]);
	EXPECT_EQ(1ULL << 63, m.grant.data_pages[7]);
	EXPECT_EQ(8192, m.grant.data_len);
	EXPECT_EQ((const void *)(buf + GRANT_DATA_OFF), m.grant.data);
}

/* A message with several faults is refused for the first one checked. */
TEST(check_order)
{
	unsigned char buf[BUF_CAP];
	struct pod_wire_ctx ctx;
	size_t len;

	ctx_init(&ctx);
	/* wrong seq, npages, object, reserved and hdr_flags */
	len = pod_wire_encode_owner_set(buf, sizeof(buf), 0, 9, NR_OBJECTS, 1,
					3, 0, 0);
	buf[BODY + 4] = 1;
	put_le(buf + OFF_HDR_FLAGS, 2, 1);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_FLAGS,
		  "hdr_flags");
	put_le(buf + OFF_HDR_FLAGS, 2, 0);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_RESERVED,
		  "pad");
	buf[BODY + 4] = 0;
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_RANGE,
		  "object");
	put_le(buf + BODY, 4, 0);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_NPAGES,
		  "npages 3");
	put_le(buf + BODY + 16, 4, 1);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_SEQ,
		  "seq 9");
	/* a bad magic hides a short length field and everything else */
	put_le(buf + OFF_MAGIC, 4, 0);
	put_le(buf + OFF_LENGTH, 4, 3);
	check_rej(_metadata, &ctx, buf, len, -EPROTO, POD_WIRE_ERR_MAGIC,
		  "magic");
	/* a bad major hides a wrong length */
	put_le(buf + OFF_MAGIC, 4, POD_WIRE_MAGIC);
	buf[OFF_MAJOR] = 2;
	check_rej(_metadata, &ctx, buf, len, -EPROTONOSUPPORT,
		  POD_WIRE_ERR_VERSION, "major version 2 is not ours");
	/* a wrong length hides an unknown type */
	buf[OFF_MAJOR] = 1;
	put_le(buf + OFF_TYPE, 2, 99);
	check_rej(_metadata, &ctx, buf, len, -EMSGSIZE, POD_WIRE_ERR_LENGTH,
		  "length field 3");
}

TEST(names)
{
	static const char * const types[] = {
		"unknown", "HELLO", "HELLO_ACK", "PAGE_REQ", "PAGE_GRANT",
		"OWNER_SET", "PAGE_NACK", "BYE", "STATUS", "unknown",
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		EXPECT_STREQ(types[i], pod_wire_type_name((uint16_t)i));
	EXPECT_STREQ("unknown", pod_wire_type_name(0xffff));
	EXPECT_STREQ("short", pod_wire_err_name(POD_WIRE_ERR_SHORT));
	EXPECT_STREQ("seq", pod_wire_err_name(POD_WIRE_ERR_SEQ));
	EXPECT_STREQ("data_len", pod_wire_err_name(POD_WIRE_ERR_DATA_LEN));
	EXPECT_STREQ("unknown", pod_wire_err_name(-1));
	EXPECT_STREQ("unknown", pod_wire_err_name(POD_WIRE_NR_ERR));
	/* every kind has its own name */
	for (i = 0; i < POD_WIRE_NR_ERR; i++) {
		EXPECT_STRNE("unknown", pod_wire_err_name(i));
		for (j = 0; j < i; j++)
			EXPECT_STRNE(pod_wire_err_name(j),
				     pod_wire_err_name(i));
	}
}

/* xorshift64*: the same sequence on every machine and libc */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/*
 * 100,000 random buffers: a third all random, a third with a valid magic,
 * version and length field, a third a valid message with a few random bytes
 * changed (all of them with a seq the context does not expect). Every one
 * must be refused, with a reason, and the refusals must spread over many
 * kinds (or the generator tests nothing).
 */
TEST(random_garbage)
{
	static unsigned char buf[BUF_CAP];
	uint64_t s = 0x6a09e667f3bcc908ULL, sum = 0;
	unsigned int i, j, accepted = 0, no_reason = 0, kinds = 0;
	struct pod_wire_ctx ctx;
	struct pod_msg m;
	char why[256];
	size_t len;
	int k;

	ctx_init(&ctx);
	ctx.last_seq = 1000;
	for (i = 0; i < 100000; i++) {
		uint64_t r = rnd(&s);

		if (i % 3 == 2) {
			len = make_valid((int)(r % NR_V), buf, sizeof(buf),
					 r >> 60);
			for (j = 0; j < 1 + (r >> 8) % 4; j++)
				buf[rnd(&s) % len] = (unsigned char)rnd(&s);
		} else {
			len = (r >> 8) % 64 ? (r >> 16) % 96 :
				(r >> 16) % sizeof(buf);
			for (j = 0; j < len; j++)
				buf[j] = (unsigned char)rnd(&s);
			if (i % 3 == 1 && len >= 24) {
				put_le(buf + OFF_MAGIC, 4, POD_WIRE_MAGIC);
				buf[OFF_MAJOR] = 1;
				put_le(buf + OFF_LENGTH, 4, len);
				buf[OFF_TYPE] = (unsigned char)((r >> 40) % 9);
				buf[OFF_TYPE + 1] = 0;
				if ((r >> 50) % 2)
					put_le(buf + OFF_HDR_FLAGS, 2, 0);
			}
		}
		why[0] = '\0';
		if (pod_wire_check(&ctx, buf, len, &m, why, sizeof(why)) == 0) {
			if (!accepted)
				TH_LOG("buffer %u accepted", i);
			accepted++;
		}
		if (!why[0])
			no_reason++;
	}
	EXPECT_EQ(0, accepted);
	EXPECT_EQ(0, no_reason);
	EXPECT_EQ(1000, ctx.last_seq);
	for (k = 0; k < POD_WIRE_NR_ERR; k++) {
		sum += ctx.counters[k];
		kinds += ctx.counters[k] != 0;
	}
	EXPECT_EQ(100000, sum);
	EXPECT_LE(10, kinds);
}

TEST_HARNESS_MAIN
