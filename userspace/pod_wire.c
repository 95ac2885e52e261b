// SPDX-License-Identifier: GPL-2.0
/*
 * pod_wire: encode and check the messages between dormantd daemons; the
 * format is in pod_wire.h.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pod_wire.h"

/* Write the header for a message of @length bytes in total. */
static void pod_wire_put_hdr(void *buf, uint16_t type, uint32_t length,
			     uint16_t sender, uint64_t seq)
{
	struct pod_wire_hdr h = {
		.magic = htole32(POD_WIRE_MAGIC),
		.major = POD_WIRE_MAJOR,
		.minor = POD_WIRE_MINOR,
		.type = htole16(type),
		.length = htole32(length),
		.sender = htole16(sender),
		.hdr_flags = 0,
		.seq = htole64(seq),
	};

	memcpy(buf, &h, sizeof(h));
}

size_t pod_wire_encode_hello(void *buf, size_t cap, uint16_t type,
			     uint16_t sender, uint64_t seq,
			     uint16_t nr_members, uint64_t features,
			     uint64_t pod_id)
{
	struct pod_wire_hello b = {
		.member = htole16(sender),
		.nr_members = htole16(nr_members),
		.features = htole64(features),
		.pod_id = htole64(pod_id),
	};
	size_t len = POD_WIRE_HDR_LEN + sizeof(b);

	if (cap < len || (type != POD_MSG_HELLO && type != POD_MSG_HELLO_ACK))
		return 0;
	pod_wire_put_hdr(buf, type, len, sender, seq);
	memcpy((char *)buf + POD_WIRE_HDR_LEN, &b, sizeof(b));
	return len;
}

size_t pod_wire_encode_page_req(void *buf, size_t cap, uint16_t sender,
				uint64_t seq, uint32_t object, uint32_t flags,
				uint64_t page, uint32_t npages,
				uint16_t requester, uint64_t req_id)
{
	struct pod_wire_page_req b = {
		.object = htole32(object),
		.flags = htole32(flags),
		.page = htole64(page),
		.npages = htole32(npages),
		.requester = htole16(requester),
		.req_id = htole64(req_id),
	};
	size_t len = POD_WIRE_HDR_LEN + sizeof(b);

	if (cap < len)
		return 0;
	pod_wire_put_hdr(buf, POD_MSG_PAGE_REQ, len, sender, seq);
	memcpy((char *)buf + POD_WIRE_HDR_LEN, &b, sizeof(b));
	return len;
}

size_t pod_wire_encode_page_grant(void *buf, size_t cap, uint16_t sender,
				  uint64_t seq, uint32_t object,
				  uint32_t flags, uint64_t page,
				  uint32_t npages, uint64_t req_id,
				  const uint64_t *data_pages,
				  const void *data, uint32_t data_len)
{
	struct pod_wire_page_grant b = {
		.object = htole32(object),
		.flags = htole32(flags),
		.page = htole64(page),
		.npages = htole32(npages),
		.data_len = htole32(data_len),
		.req_id = htole64(req_id),
	};
	uint64_t len = POD_WIRE_HDR_LEN + sizeof(b) + (uint64_t)data_len;
	int i;

	for (i = 0; data_pages && i < POD_GRANT_BITMAP_WORDS; i++)
		b.data_pages[i] = htole64(data_pages[i]);
	if (cap < len || len > UINT32_MAX || (!data && data_len))
		return 0;
	pod_wire_put_hdr(buf, POD_MSG_PAGE_GRANT, (uint32_t)len, sender, seq);
	memcpy((char *)buf + POD_WIRE_HDR_LEN, &b, sizeof(b));
	if (data_len)
		memcpy((char *)buf + POD_WIRE_HDR_LEN + sizeof(b), data,
		       data_len);
	return (size_t)len;
}

size_t pod_wire_encode_owner_set(void *buf, size_t cap, uint16_t sender,
				 uint64_t seq, uint32_t object, uint64_t page,
				 uint32_t npages, uint16_t owner,
				 uint64_t req_id)
{
	struct pod_wire_owner_set b = {
		.object = htole32(object),
		.page = htole64(page),
		.npages = htole32(npages),
		.owner = htole16(owner),
		.req_id = htole64(req_id),
	};
	size_t len = POD_WIRE_HDR_LEN + sizeof(b);

	if (cap < len)
		return 0;
	pod_wire_put_hdr(buf, POD_MSG_OWNER_SET, len, sender, seq);
	memcpy((char *)buf + POD_WIRE_HDR_LEN, &b, sizeof(b));
	return len;
}

size_t pod_wire_encode_page_nack(void *buf, size_t cap, uint16_t sender,
				 uint64_t seq, uint32_t object, uint32_t error,
				 uint64_t page, uint32_t npages,
				 uint64_t req_id)
{
	struct pod_wire_page_nack b = {
		.object = htole32(object),
		.error = htole32(error),
		.page = htole64(page),
		.npages = htole32(npages),
		.req_id = htole64(req_id),
	};
	size_t len = POD_WIRE_HDR_LEN + sizeof(b);

	if (cap < len)
		return 0;
	pod_wire_put_hdr(buf, POD_MSG_PAGE_NACK, len, sender, seq);
	memcpy((char *)buf + POD_WIRE_HDR_LEN, &b, sizeof(b));
	return len;
}

size_t pod_wire_encode_bye(void *buf, size_t cap, uint16_t sender,
			   uint64_t seq, uint32_t reason)
{
	struct pod_wire_bye b = { .reason = htole32(reason) };
	size_t len = POD_WIRE_HDR_LEN + sizeof(b);

	if (cap < len)
		return 0;
	pod_wire_put_hdr(buf, POD_MSG_BYE, len, sender, seq);
	memcpy((char *)buf + POD_WIRE_HDR_LEN, &b, sizeof(b));
	return len;
}

size_t pod_wire_encode_status(void *buf, size_t cap, uint16_t sender,
			      uint64_t seq, uint64_t pool_bytes,
			      uint64_t avail_bytes)
{
	struct pod_wire_status b = {
		.pool_bytes = htole64(pool_bytes),
		.avail_bytes = htole64(avail_bytes),
	};
	size_t len = POD_WIRE_HDR_LEN + sizeof(b);

	if (cap < len)
		return 0;
	pod_wire_put_hdr(buf, POD_MSG_STATUS, len, sender, seq);
	memcpy((char *)buf + POD_WIRE_HDR_LEN, &b, sizeof(b));
	return len;
}

const char *pod_wire_type_name(uint16_t type)
{
	switch (type) {
	case POD_MSG_HELLO:
		return "HELLO";
	case POD_MSG_HELLO_ACK:
		return "HELLO_ACK";
	case POD_MSG_PAGE_REQ:
		return "PAGE_REQ";
	case POD_MSG_PAGE_GRANT:
		return "PAGE_GRANT";
	case POD_MSG_OWNER_SET:
		return "OWNER_SET";
	case POD_MSG_PAGE_NACK:
		return "PAGE_NACK";
	case POD_MSG_BYE:
		return "BYE";
	case POD_MSG_STATUS:
		return "STATUS";
	}
	return "unknown";
}

const char *pod_wire_err_name(int kind)
{
	static const char * const names[POD_WIRE_NR_ERR] = {
		[POD_WIRE_ERR_SHORT] = "short",
		[POD_WIRE_ERR_MAGIC] = "magic",
		[POD_WIRE_ERR_VERSION] = "version",
		[POD_WIRE_ERR_LENGTH] = "length",
		[POD_WIRE_ERR_TYPE] = "type",
		[POD_WIRE_ERR_BODY] = "body",
		[POD_WIRE_ERR_FLAGS] = "flags",
		[POD_WIRE_ERR_RESERVED] = "reserved",
		[POD_WIRE_ERR_VALUE] = "value",
		[POD_WIRE_ERR_RANGE] = "range",
		[POD_WIRE_ERR_MEMBER] = "member",
		[POD_WIRE_ERR_NPAGES] = "npages",
		[POD_WIRE_ERR_DATA_LEN] = "data_len",
		[POD_WIRE_ERR_SEQ] = "seq",
	};

	if (kind < 0 || kind >= POD_WIRE_NR_ERR || !names[kind])
		return "unknown";
	return names[kind];
}

/* Size of a type's body on the wire, data excluded; 0 for unknown types. */
static size_t pod_wire_body_len(uint16_t type)
{
	switch (type) {
	case POD_MSG_HELLO:
	case POD_MSG_HELLO_ACK:
		return sizeof(struct pod_wire_hello);
	case POD_MSG_PAGE_REQ:
		return sizeof(struct pod_wire_page_req);
	case POD_MSG_PAGE_GRANT:
		return sizeof(struct pod_wire_page_grant);
	case POD_MSG_OWNER_SET:
		return sizeof(struct pod_wire_owner_set);
	case POD_MSG_PAGE_NACK:
		return sizeof(struct pod_wire_page_nack);
	case POD_MSG_BYE:
		return sizeof(struct pod_wire_bye);
	case POD_MSG_STATUS:
		return sizeof(struct pod_wire_status);
	}
	return 0;
}

/*
 * The fields of a decoded body that the generic checks look at, so that
 * each check runs once for every type, in the documented order.
 */
struct pod_wire_view {
	int nr_rsv;
	const char *rsv_name[3];
	uint64_t rsv[3];
	const char *flags_name;		/* NULL: no flags field */
	uint32_t flags;
	uint32_t known_flags;
	bool has_object;
	uint32_t object;
	int nr_idx;			/* member indexes besides sender */
	const char *idx_name[1];
	uint16_t idx[1];
	bool has_pages;
	uint64_t page;
	uint32_t npages;
};

/* Decode the body at @p (of the length the type needs) into @m and @v. */
static void pod_wire_decode(const unsigned char *p, struct pod_msg *m,
			    struct pod_wire_view *v)
{
	int i;

	memset(v, 0, sizeof(*v));
	switch (m->type) {
	case POD_MSG_HELLO:
	case POD_MSG_HELLO_ACK: {
		struct pod_wire_hello b;

		memcpy(&b, p, sizeof(b));
		m->hello.member = le16toh(b.member);
		m->hello.nr_members = le16toh(b.nr_members);
		m->hello.features = le64toh(b.features);
		m->hello.pod_id = le64toh(b.pod_id);
		v->rsv_name[0] = "pad";
		v->rsv[0] = le32toh(b.pad);
		v->rsv_name[1] = "reserved[0]";
		v->rsv[1] = le64toh(b.reserved[0]);
		v->rsv_name[2] = "reserved[1]";
		v->rsv[2] = le64toh(b.reserved[1]);
		v->nr_rsv = 3;
		v->idx_name[0] = "member";
		v->idx[0] = m->hello.member;
		v->nr_idx = 1;
		break;
	}
	case POD_MSG_PAGE_REQ: {
		struct pod_wire_page_req b;

		memcpy(&b, p, sizeof(b));
		m->req.object = le32toh(b.object);
		m->req.flags = le32toh(b.flags);
		m->req.page = le64toh(b.page);
		m->req.npages = le32toh(b.npages);
		m->req.requester = le16toh(b.requester);
		m->req.req_id = le64toh(b.req_id);
		v->rsv_name[0] = "pad";
		v->rsv[0] = le16toh(b.pad);
		v->nr_rsv = 1;
		v->flags_name = "flags";
		v->flags = m->req.flags;
		v->known_flags = POD_REQ_FLAGS;
		v->has_object = true;
		v->object = m->req.object;
		v->idx_name[0] = "requester";
		v->idx[0] = m->req.requester;
		v->nr_idx = 1;
		v->has_pages = true;
		v->page = m->req.page;
		v->npages = m->req.npages;
		break;
	}
	case POD_MSG_PAGE_GRANT: {
		struct pod_wire_page_grant b;

		memcpy(&b, p, sizeof(b));
		m->grant.object = le32toh(b.object);
		m->grant.flags = le32toh(b.flags);
		m->grant.page = le64toh(b.page);
		m->grant.npages = le32toh(b.npages);
		m->grant.data_len = le32toh(b.data_len);
		m->grant.req_id = le64toh(b.req_id);
		for (i = 0; i < POD_GRANT_BITMAP_WORDS; i++)
			m->grant.data_pages[i] = le64toh(b.data_pages[i]);
		m->grant.data = m->grant.data_len ? p + sizeof(b) : NULL;
		v->flags_name = "flags";
		v->flags = m->grant.flags;
		v->known_flags = POD_GRANT_FLAGS;
		v->has_object = true;
		v->object = m->grant.object;
		v->has_pages = true;
		v->page = m->grant.page;
		v->npages = m->grant.npages;
		break;
	}
	case POD_MSG_OWNER_SET: {
		struct pod_wire_owner_set b;

		memcpy(&b, p, sizeof(b));
		m->owner_set.object = le32toh(b.object);
		m->owner_set.page = le64toh(b.page);
		m->owner_set.npages = le32toh(b.npages);
		m->owner_set.owner = le16toh(b.owner);
		m->owner_set.req_id = le64toh(b.req_id);
		v->rsv_name[0] = "pad";
		v->rsv[0] = le32toh(b.pad);
		v->rsv_name[1] = "pad2";
		v->rsv[1] = le16toh(b.pad2);
		v->nr_rsv = 2;
		v->has_object = true;
		v->object = m->owner_set.object;
		v->idx_name[0] = "owner";
		v->idx[0] = m->owner_set.owner;
		v->nr_idx = 1;
		v->has_pages = true;
		v->page = m->owner_set.page;
		v->npages = m->owner_set.npages;
		break;
	}
	case POD_MSG_PAGE_NACK: {
		struct pod_wire_page_nack b;

		memcpy(&b, p, sizeof(b));
		m->nack.object = le32toh(b.object);
		m->nack.error = le32toh(b.error);
		m->nack.page = le64toh(b.page);
		m->nack.npages = le32toh(b.npages);
		m->nack.req_id = le64toh(b.req_id);
		v->rsv_name[0] = "pad";
		v->rsv[0] = le32toh(b.pad);
		v->nr_rsv = 1;
		v->has_object = true;
		v->object = m->nack.object;
		v->has_pages = true;
		v->page = m->nack.page;
		v->npages = m->nack.npages;
		break;
	}
	case POD_MSG_BYE: {
		struct pod_wire_bye b;

		memcpy(&b, p, sizeof(b));
		m->bye.reason = le32toh(b.reason);
		v->rsv_name[0] = "pad";
		v->rsv[0] = le32toh(b.pad);
		v->nr_rsv = 1;
		break;
	}
	case POD_MSG_STATUS: {
		struct pod_wire_status b;

		memcpy(&b, p, sizeof(b));
		m->status.pool_bytes = le64toh(b.pool_bytes);
		m->status.avail_bytes = le64toh(b.avail_bytes);
		v->rsv_name[0] = "reserved[0]";
		v->rsv[0] = le64toh(b.reserved[0]);
		v->rsv_name[1] = "reserved[1]";
		v->rsv[1] = le64toh(b.reserved[1]);
		v->nr_rsv = 2;
		break;
	}
	}
}

static int pod_wire_reject(struct pod_wire_ctx *ctx, int kind, int ret,
			   char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Count a refusal of kind @kind, say why, return @ret. */
static int pod_wire_reject(struct pod_wire_ctx *ctx, int kind, int ret,
			   char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	ctx->counters[kind]++;
	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int pod_wire_check(struct pod_wire_ctx *ctx, const void *buf, size_t len,
		   struct pod_msg *out, char *why, size_t whylen)
{
	const unsigned char *p = buf;
	struct pod_wire_view v;
	struct pod_wire_hdr h;
	struct pod_msg m;
	const char *tn;
	uint64_t want;
	uint16_t hdr_flags;
	int i;

	if (why && whylen)
		why[0] = '\0';
	if (len < POD_WIRE_HDR_LEN)
		return pod_wire_reject(ctx, POD_WIRE_ERR_SHORT, -EMSGSIZE,
				       why, whylen,
				       "short message: %zu bytes, less than a %zu-byte header",
				       len, POD_WIRE_HDR_LEN);
	memcpy(&h, p, sizeof(h));
	memset(&m, 0, sizeof(m));
	if (le32toh(h.magic) != POD_WIRE_MAGIC)
		return pod_wire_reject(ctx, POD_WIRE_ERR_MAGIC, -EPROTO,
				       why, whylen,
				       "bad magic 0x%08x (expected 0x%08x)",
				       le32toh(h.magic), POD_WIRE_MAGIC);
	if (h.major != POD_WIRE_MAJOR)
		return pod_wire_reject(ctx, POD_WIRE_ERR_VERSION,
				       -EPROTONOSUPPORT, why, whylen,
				       "protocol version %u.%u: major version %u is not ours (%u)",
				       h.major, h.minor, h.major,
				       POD_WIRE_MAJOR);
	m.type = le16toh(h.type);
	m.major = h.major;
	m.minor = h.minor;
	m.length = le32toh(h.length);
	m.sender = le16toh(h.sender);
	m.seq = le64toh(h.seq);
	if (m.length != len)
		return pod_wire_reject(ctx, POD_WIRE_ERR_LENGTH, -EMSGSIZE,
				       why, whylen,
				       "length field %u != %zu bytes received",
				       m.length, len);
	if (m.length > POD_MSG_MAX)
		return pod_wire_reject(ctx, POD_WIRE_ERR_LENGTH, -EMSGSIZE,
				       why, whylen,
				       "length %u is more than the %zu-byte maximum",
				       m.length, POD_MSG_MAX);
	if (!pod_wire_body_len(m.type))
		return pod_wire_reject(ctx, POD_WIRE_ERR_TYPE, -EPROTO,
				       why, whylen, "unknown type %u", m.type);
	tn = pod_wire_type_name(m.type);

	want = POD_WIRE_HDR_LEN + pod_wire_body_len(m.type);
	if (m.type == POD_MSG_PAGE_GRANT && len >= want) {
		struct pod_wire_page_grant g;

		memcpy(&g, p + POD_WIRE_HDR_LEN, sizeof(g));
		want += le32toh(g.data_len);
	}
	if (len != want)
		return pod_wire_reject(ctx, POD_WIRE_ERR_BODY, -EMSGSIZE,
				       why, whylen,
				       "%s: %zu bytes, expected %llu%s", tn,
				       len, (unsigned long long)want,
				       m.type == POD_MSG_PAGE_GRANT ?
				       " (header, body and data_len)" : "");
	pod_wire_decode(p + POD_WIRE_HDR_LEN, &m, &v);

	hdr_flags = le16toh(h.hdr_flags);
	if (hdr_flags)
		return pod_wire_reject(ctx, POD_WIRE_ERR_FLAGS, -EPROTO,
				       why, whylen,
				       "%s: hdr_flags 0x%x is not 0", tn,
				       hdr_flags);
	for (i = 0; i < v.nr_rsv; i++)
		if (v.rsv[i])
			return pod_wire_reject(ctx, POD_WIRE_ERR_RESERVED,
					       -EPROTO, why, whylen,
					       "%s: reserved field %s is 0x%llx, not 0",
					       tn, v.rsv_name[i],
					       (unsigned long long)v.rsv[i]);
	if (v.flags_name && (v.flags & ~v.known_flags))
		return pod_wire_reject(ctx, POD_WIRE_ERR_FLAGS, -EPROTO,
				       why, whylen,
				       "%s: unknown flags 0x%x in %s 0x%x", tn,
				       v.flags & ~v.known_flags, v.flags_name,
				       v.flags);
	if (m.type == POD_MSG_PAGE_NACK &&
	    (m.nack.error < 1 || m.nack.error > POD_E_MAX))
		return pod_wire_reject(ctx, POD_WIRE_ERR_VALUE, -EPROTO,
				       why, whylen,
				       "%s: unknown error code %u", tn,
				       m.nack.error);
	if (v.has_object && v.object >= ctx->nr_objects)
		return pod_wire_reject(ctx, POD_WIRE_ERR_RANGE, -EPROTO,
				       why, whylen,
				       "%s: object %u out of range (%u objects)",
				       tn, v.object, ctx->nr_objects);
	if (m.sender >= ctx->nr_members)
		return pod_wire_reject(ctx, POD_WIRE_ERR_RANGE, -EPROTO,
				       why, whylen,
				       "%s: sender %u out of range (%u members)",
				       tn, m.sender, ctx->nr_members);
	for (i = 0; i < v.nr_idx; i++)
		if (v.idx[i] >= ctx->nr_members)
			return pod_wire_reject(ctx, POD_WIRE_ERR_RANGE,
					       -EPROTO, why, whylen,
					       "%s: %s %u out of range (%u members)",
					       tn, v.idx_name[i], v.idx[i],
					       ctx->nr_members);
	if ((m.type == POD_MSG_HELLO || m.type == POD_MSG_HELLO_ACK) &&
	    m.hello.member != m.sender)
		return pod_wire_reject(ctx, POD_WIRE_ERR_MEMBER, -EPROTO,
				       why, whylen,
				       "%s: member %u is not the sender %u",
				       tn, m.hello.member, m.sender);
	if (v.has_pages) {
		if (!v.npages || v.npages > POD_MAX_NPAGES ||
		    (v.npages & (v.npages - 1)))
			return pod_wire_reject(ctx, POD_WIRE_ERR_NPAGES,
					       -EPROTO, why, whylen,
					       "%s: npages %u is not a power of two from 1 to %u",
					       tn, v.npages, POD_MAX_NPAGES);
		if (v.page & (v.npages - 1))
			return pod_wire_reject(ctx, POD_WIRE_ERR_NPAGES,
					       -EPROTO, why, whylen,
					       "%s: page %llu is not a multiple of npages %u",
					       tn, (unsigned long long)v.page,
					       v.npages);
	}
	if (m.type == POD_MSG_PAGE_GRANT) {
		unsigned int i, bits = 0, beyond = 0;

		for (i = 0; i < POD_MAX_NPAGES; i++) {
			if (!(m.grant.data_pages[i / 64] & (1ULL << (i % 64))))
				continue;
			bits++;
			if (i >= m.grant.npages)
				beyond++;
		}
		if (beyond)
			return pod_wire_reject(ctx, POD_WIRE_ERR_DATA_LEN,
					       -EPROTO, why, whylen,
					       "%s: %u bits of data_pages at or beyond npages %u",
					       tn, beyond, m.grant.npages);
		if (!(m.grant.flags & POD_GRANT_DATA) != !bits)
			return pod_wire_reject(ctx, POD_WIRE_ERR_DATA_LEN,
					       -EPROTO, why, whylen,
					       "%s: flags 0x%x but %u bits set in data_pages",
					       tn, m.grant.flags, bits);
		want = (uint64_t)bits * POD_WIRE_PAGE_SIZE;
		if (m.grant.data_len != want)
			return pod_wire_reject(ctx, POD_WIRE_ERR_DATA_LEN,
					       -EPROTO, why, whylen,
					       "%s: data_len %u, expected %llu (%u pages with data, npages %u)",
					       tn, m.grant.data_len,
					       (unsigned long long)want, bits,
					       m.grant.npages);
	}
	if (m.seq != ctx->last_seq + 1)
		return pod_wire_reject(ctx, POD_WIRE_ERR_SEQ, -EPROTO,
				       why, whylen,
				       "%s: seq %llu, expected %llu (a message replayed, lost or reordered)",
				       tn, (unsigned long long)m.seq,
				       (unsigned long long)ctx->last_seq + 1);
	ctx->last_seq = m.seq;
	if (out)
		*out = m;
	return 0;
}
