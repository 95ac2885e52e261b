/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pod_wire: the messages dormantd daemons exchange over RDMA
 * reliable-connected SENDs. This header is the protocol's documentation.
 *
 * Every integer is little-endian with an explicit width. Every field is at
 * its natural alignment and every struct's size is a multiple of 8, so the
 * layout has no padding the compiler chooses (checked below). The structs
 * are never sent as they are in memory: pod_wire_encode_*() write them and
 * pod_wire_check() reads them, converting each field.
 *
 * Header (24 bytes), in front of every message:
 *
 *   off size field      value
 *     0    4 magic      0x444f5044: the bytes 'D' 'P' 'O' 'D'
 *     4    1 major      1: a peer refuses another major version
 *     5    1 minor      0: a peer accepts a higher minor of its major
 *     6    2 type       POD_MSG_*
 *     8    4 length     of the whole message, header included
 *    12    2 sender     the sender's member index in the pod
 *    14    2 hdr_flags  0
 *    16    8 seq        per connection and direction: 1 for the first
 *                       message, then exactly +1
 *
 * Bodies, after the header (every pad and reserved field is 0):
 *
 *   1 HELLO, 2 HELLO_ACK (40 bytes): the first message of each side
 *     0 u16 member (== sender)  2 u16 nr_members  4 u32 pad
 *     8 u64 features  16 u64 pod_id  24 u64 reserved[2]
 *   3 PAGE_REQ (32 bytes): give me these pages
 *     0 u32 object  4 u32 flags (POD_REQ_*)  8 u64 page
 *    16 u32 npages  20 u16 requester  22 u16 pad  24 u64 req_id
 *   4 PAGE_GRANT (96 bytes + data_len): these pages are yours
 *     0 u32 object  4 u32 flags (POD_GRANT_*)  8 u64 page
 *    16 u32 npages  20 u32 data_len  24 u64 req_id
 *    32 u64 data_pages[8]: bit i (word i / 64, bit i % 64) set if page i
 *       of the range holds data; no bit at or beyond npages
 *    96 data_len bytes: the pages whose bit is set, in page order, 4096
 *       bytes each (data_len = 4096 * bits set). POD_GRANT_DATA is set if
 *       and only if a bit is: the other pages are dormant (read as zero)
 *       and move as ownership alone
 *   5 OWNER_SET (32 bytes): these pages now belong to owner
 *     0 u32 object  4 u32 pad  8 u64 page
 *    16 u32 npages  20 u16 owner  22 u16 pad2  24 u64 req_id
 *       req_id 0 (wire 1.1): not the end of a move but a report, sent to
 *       the pages' home when a connection is made (again): the sender
 *       owns these pages
 *   6 PAGE_NACK (32 bytes): a request refused
 *     0 u32 object  4 u32 error (POD_E_*)  8 u64 page
 *    16 u32 npages  20 u32 pad  24 u64 req_id
 *   7 BYE (8 bytes): the sender closes the connection
 *     0 u32 reason (for logs; 0: an orderly shutdown)  4 u32 pad
 *   8 STATUS (32 bytes, wire 1.2): what memory the sender has for guests,
 *     sent once a second, only to peers whose HELLO has POD_FEAT_STATUS
 *     0 u64 pool_bytes: pre-zeroed pool memory ready now, all nodes
 *     8 u64 avail_bytes: its kernel's MemAvailable  16 u64 reserved[2]
 *
 * object is an index in the pod's objects; member, sender, requester and
 * owner are indexes in its members. page is the index of a 4 KiB page in
 * the object; npages is a power of two from 1 to POD_MAX_NPAGES and page is
 * a multiple of npages.
 */
#ifndef _POD_WIRE_H
#define _POD_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#define POD_WIRE_MAGIC		0x444f5044U
#define POD_WIRE_MAJOR		1
#define POD_WIRE_MINOR		2
#define POD_WIRE_PAGE_SIZE	4096U
#define POD_MAX_NPAGES		512U

enum pod_msg_type {
	POD_MSG_HELLO = 1,
	POD_MSG_HELLO_ACK = 2,
	POD_MSG_PAGE_REQ = 3,
	POD_MSG_PAGE_GRANT = 4,
	POD_MSG_OWNER_SET = 5,
	POD_MSG_PAGE_NACK = 6,
	POD_MSG_BYE = 7,
	POD_MSG_STATUS = 8,
};

/* HELLO features */
#define POD_FEAT_STATUS		0x1ULL	/* (wire 1.2) takes STATUS messages */

/* PAGE_REQ flags */
#define POD_REQ_WRITE		0x1U	/* the fault is a write */
/* The faulting instruction overwrites the whole page with zeros. */
#define POD_REQ_ZEROING		0x2U
/*
 * (wire 1.1) sent by the pages' owner to their home: move them to
 * requester, who did not ask (a drain)
 */
#define POD_REQ_PUSH		0x4U
#define POD_REQ_FLAGS		(POD_REQ_WRITE | POD_REQ_ZEROING | POD_REQ_PUSH)

/* PAGE_GRANT flags */
#define POD_GRANT_DATA		0x1U	/* page data follows the body */
#define POD_GRANT_FLAGS		POD_GRANT_DATA
/* Words of a grant's bitmap of pages with data: one bit per page. */
#define POD_GRANT_BITMAP_WORDS	8

/* PAGE_NACK errors */
enum pod_nack_error {
	POD_E_NOT_OWNER = 1,	/* the receiver does not own the pages */
	POD_E_BUSY = 2,		/* they are moving: ask again */
	POD_E_NO_OBJECT = 3,	/* no such object on the receiver */
	POD_E_RANGE = 4,	/* the pages are past the object's end */
	POD_E_TIMEOUT = 5,	/* the receiver gave up waiting for them */
	POD_E_LOST = 6,		/* their owner left the pod (wire 1.1) */
	POD_E_MAX = POD_E_LOST,
};

/**
 * struct pod_wire_hdr - the header on the wire (little-endian)
 * @magic: POD_WIRE_MAGIC
 * @major: POD_WIRE_MAJOR
 * @minor: POD_WIRE_MINOR
 * @type: enum pod_msg_type
 * @length: bytes of the whole message, header included
 * @sender: member index of the sender
 * @hdr_flags: 0
 * @seq: 1 for a connection's first message in one direction, then +1
 */
struct pod_wire_hdr {
	__le32 magic;
	__u8 major;
	__u8 minor;
	__le16 type;
	__le32 length;
	__le16 sender;
	__le16 hdr_flags;
	__le64 seq;
};

/**
 * struct pod_wire_hello - HELLO and HELLO_ACK body on the wire
 * @member: the sender's member index (== header's sender)
 * @nr_members: members in the sender's pod file
 * @pad: 0
 * @features: feature bits the sender supports (none defined yet)
 * @pod_id: &pod.id of the sender's pod file
 * @reserved: 0
 */
struct pod_wire_hello {
	__le16 member;
	__le16 nr_members;
	__le32 pad;
	__le64 features;
	__le64 pod_id;
	__le64 reserved[2];
};

/**
 * struct pod_wire_page_req - PAGE_REQ body on the wire
 * @object: object index
 * @flags: POD_REQ_*
 * @page: first 4 KiB page, a multiple of @npages
 * @npages: a power of two, 1..POD_MAX_NPAGES
 * @requester: member index of the host whose guest faulted
 * @pad: 0
 * @req_id: chosen by the requester, echoed in the answer
 */
struct pod_wire_page_req {
	__le32 object;
	__le32 flags;
	__le64 page;
	__le32 npages;
	__le16 requester;
	__le16 pad;
	__le64 req_id;
};

/**
 * struct pod_wire_page_grant - PAGE_GRANT body on the wire, before the data
 * @object: object index
 * @flags: POD_GRANT_*
 * @page: first 4 KiB page, a multiple of @npages
 * @npages: a power of two, 1..POD_MAX_NPAGES
 * @data_len: 4096 times the bits set in @data_pages
 * @req_id: of the request this answers
 * @data_pages: which pages of the range follow with their data
 */
struct pod_wire_page_grant {
	__le32 object;
	__le32 flags;
	__le64 page;
	__le32 npages;
	__le32 data_len;
	__le64 req_id;
	__le64 data_pages[POD_GRANT_BITMAP_WORDS];
};

/**
 * struct pod_wire_owner_set - OWNER_SET body on the wire
 * @object: object index
 * @pad: 0
 * @page: first 4 KiB page, a multiple of @npages
 * @npages: a power of two, 1..POD_MAX_NPAGES
 * @owner: member index of the new owner
 * @pad2: 0
 * @req_id: of the request that moved the pages
 */
struct pod_wire_owner_set {
	__le32 object;
	__le32 pad;
	__le64 page;
	__le32 npages;
	__le16 owner;
	__le16 pad2;
	__le64 req_id;
};

/**
 * struct pod_wire_page_nack - PAGE_NACK body on the wire
 * @object: object index
 * @error: enum pod_nack_error
 * @page: first 4 KiB page, a multiple of @npages
 * @npages: a power of two, 1..POD_MAX_NPAGES
 * @pad: 0
 * @req_id: of the request refused
 */
struct pod_wire_page_nack {
	__le32 object;
	__le32 error;
	__le64 page;
	__le32 npages;
	__le32 pad;
	__le64 req_id;
};

/**
 * struct pod_wire_bye - BYE body on the wire
 * @reason: free for the sender, for logs (0: an orderly shutdown)
 * @pad: 0
 */
struct pod_wire_bye {
	__le32 reason;
	__le32 pad;
};

/**
 * struct pod_wire_status - STATUS body on the wire
 * @pool_bytes: pre-zeroed pool memory the sender has ready, all nodes
 * @avail_bytes: the sender's MemAvailable (/proc/meminfo), in bytes
 * @reserved: 0
 */
struct pod_wire_status {
	__le64 pool_bytes;
	__le64 avail_bytes;
	__le64 reserved[2];
};

#define POD_WIRE_ASSERT_OFF(s, f, off) \
	_Static_assert(offsetof(struct s, f) == (off), #s "." #f)
#define POD_WIRE_ASSERT_SIZE(s, size) \
	_Static_assert(sizeof(struct s) == (size), #s)

POD_WIRE_ASSERT_SIZE(pod_wire_hdr, 24);
POD_WIRE_ASSERT_OFF(pod_wire_hdr, magic, 0);
POD_WIRE_ASSERT_OFF(pod_wire_hdr, major, 4);
POD_WIRE_ASSERT_OFF(pod_wire_hdr, minor, 5);
POD_WIRE_ASSERT_OFF(pod_wire_hdr, type, 6);
POD_WIRE_ASSERT_OFF(pod_wire_hdr, length, 8);
POD_WIRE_ASSERT_OFF(pod_wire_hdr, sender, 12);
POD_WIRE_ASSERT_OFF(pod_wire_hdr, hdr_flags, 14);
POD_WIRE_ASSERT_OFF(pod_wire_hdr, seq, 16);

POD_WIRE_ASSERT_SIZE(pod_wire_hello, 40);
POD_WIRE_ASSERT_OFF(pod_wire_hello, member, 0);
POD_WIRE_ASSERT_OFF(pod_wire_hello, nr_members, 2);
POD_WIRE_ASSERT_OFF(pod_wire_hello, pad, 4);
POD_WIRE_ASSERT_OFF(pod_wire_hello, features, 8);
POD_WIRE_ASSERT_OFF(pod_wire_hello, pod_id, 16);
POD_WIRE_ASSERT_OFF(pod_wire_hello, reserved, 24);

POD_WIRE_ASSERT_SIZE(pod_wire_page_req, 32);
POD_WIRE_ASSERT_OFF(pod_wire_page_req, object, 0);
POD_WIRE_ASSERT_OFF(pod_wire_page_req, flags, 4);
POD_WIRE_ASSERT_OFF(pod_wire_page_req, page, 8);
POD_WIRE_ASSERT_OFF(pod_wire_page_req, npages, 16);
POD_WIRE_ASSERT_OFF(pod_wire_page_req, requester, 20);
POD_WIRE_ASSERT_OFF(pod_wire_page_req, pad, 22);
POD_WIRE_ASSERT_OFF(pod_wire_page_req, req_id, 24);

POD_WIRE_ASSERT_SIZE(pod_wire_page_grant, 96);
POD_WIRE_ASSERT_OFF(pod_wire_page_grant, object, 0);
POD_WIRE_ASSERT_OFF(pod_wire_page_grant, flags, 4);
POD_WIRE_ASSERT_OFF(pod_wire_page_grant, page, 8);
POD_WIRE_ASSERT_OFF(pod_wire_page_grant, npages, 16);
POD_WIRE_ASSERT_OFF(pod_wire_page_grant, data_len, 20);
POD_WIRE_ASSERT_OFF(pod_wire_page_grant, req_id, 24);
POD_WIRE_ASSERT_OFF(pod_wire_page_grant, data_pages, 32);

POD_WIRE_ASSERT_SIZE(pod_wire_owner_set, 32);
POD_WIRE_ASSERT_OFF(pod_wire_owner_set, object, 0);
POD_WIRE_ASSERT_OFF(pod_wire_owner_set, pad, 4);
POD_WIRE_ASSERT_OFF(pod_wire_owner_set, page, 8);
POD_WIRE_ASSERT_OFF(pod_wire_owner_set, npages, 16);
POD_WIRE_ASSERT_OFF(pod_wire_owner_set, owner, 20);
POD_WIRE_ASSERT_OFF(pod_wire_owner_set, pad2, 22);
POD_WIRE_ASSERT_OFF(pod_wire_owner_set, req_id, 24);

POD_WIRE_ASSERT_SIZE(pod_wire_page_nack, 32);
POD_WIRE_ASSERT_OFF(pod_wire_page_nack, object, 0);
POD_WIRE_ASSERT_OFF(pod_wire_page_nack, error, 4);
POD_WIRE_ASSERT_OFF(pod_wire_page_nack, page, 8);
POD_WIRE_ASSERT_OFF(pod_wire_page_nack, npages, 16);
POD_WIRE_ASSERT_OFF(pod_wire_page_nack, pad, 20);
POD_WIRE_ASSERT_OFF(pod_wire_page_nack, req_id, 24);

POD_WIRE_ASSERT_SIZE(pod_wire_status, 32);
POD_WIRE_ASSERT_OFF(pod_wire_status, pool_bytes, 0);
POD_WIRE_ASSERT_OFF(pod_wire_status, avail_bytes, 8);
POD_WIRE_ASSERT_OFF(pod_wire_status, reserved, 16);

POD_WIRE_ASSERT_SIZE(pod_wire_bye, 8);
POD_WIRE_ASSERT_OFF(pod_wire_bye, reason, 0);
POD_WIRE_ASSERT_OFF(pod_wire_bye, pad, 4);

#define POD_WIRE_HDR_LEN	sizeof(struct pod_wire_hdr)
/* The largest message: header, the largest body, 512 pages of data. */
#define POD_MSG_MAX	(sizeof(struct pod_wire_hdr) + \
			 sizeof(struct pod_wire_page_grant) + \
			 POD_MAX_NPAGES * POD_WIRE_PAGE_SIZE)

/**
 * struct pod_hello - a decoded HELLO or HELLO_ACK
 * @member: the sender's member index
 * @nr_members: members in the sender's pod file
 * @features: the sender's feature bits
 * @pod_id: the sender's &pod.id
 */
struct pod_hello {
	uint16_t member;
	uint16_t nr_members;
	uint64_t features;
	uint64_t pod_id;
};

/**
 * struct pod_page_req - a decoded PAGE_REQ
 * @object: object index
 * @flags: POD_REQ_*
 * @page: first page
 * @npages: number of pages
 * @requester: member index
 * @req_id: request id
 */
struct pod_page_req {
	uint32_t object;
	uint32_t flags;
	uint64_t page;
	uint32_t npages;
	uint16_t requester;
	uint64_t req_id;
};

/**
 * struct pod_page_grant - a decoded PAGE_GRANT
 * @object: object index
 * @flags: POD_GRANT_*
 * @page: first page
 * @npages: number of pages
 * @data_len: bytes at @data
 * @req_id: request id
 * @data_pages: bit i set if page i of the range is among @data
 * @data: the pages with data, packed, inside the checked buffer; NULL if
 *	@data_len is 0
 */
struct pod_page_grant {
	uint32_t object;
	uint32_t flags;
	uint64_t page;
	uint32_t npages;
	uint32_t data_len;
	uint64_t req_id;
	uint64_t data_pages[POD_GRANT_BITMAP_WORDS];
	const void *data;
};

/**
 * struct pod_owner_set - a decoded OWNER_SET
 * @object: object index
 * @page: first page
 * @npages: number of pages
 * @owner: member index of the new owner
 * @req_id: request id
 */
struct pod_owner_set {
	uint32_t object;
	uint64_t page;
	uint32_t npages;
	uint16_t owner;
	uint64_t req_id;
};

/**
 * struct pod_page_nack - a decoded PAGE_NACK
 * @object: object index
 * @error: enum pod_nack_error
 * @page: first page
 * @npages: number of pages
 * @req_id: request id
 */
struct pod_page_nack {
	uint32_t object;
	uint32_t error;
	uint64_t page;
	uint32_t npages;
	uint64_t req_id;
};

/**
 * struct pod_bye - a decoded BYE
 * @reason: the sender's reason
 */
struct pod_bye {
	uint32_t reason;
};

/**
 * struct pod_status - a decoded STATUS
 * @pool_bytes: pre-zeroed pool memory the sender has ready
 * @avail_bytes: the sender's MemAvailable, in bytes
 */
struct pod_status {
	uint64_t pool_bytes;
	uint64_t avail_bytes;
};

/**
 * struct pod_msg - a checked message, decoded to host byte order
 * @type: enum pod_msg_type: which member of the union is valid
 * @major: the sender's major version (POD_WIRE_MAJOR)
 * @minor: the sender's minor version (may be higher than ours)
 * @sender: member index of the sender
 * @length: bytes of the whole message
 * @seq: its sequence number
 * @hello: for POD_MSG_HELLO and POD_MSG_HELLO_ACK
 * @req: for POD_MSG_PAGE_REQ
 * @grant: for POD_MSG_PAGE_GRANT
 * @owner_set: for POD_MSG_OWNER_SET
 * @nack: for POD_MSG_PAGE_NACK
 * @bye: for POD_MSG_BYE
 * @status: for POD_MSG_STATUS
 */
struct pod_msg {
	uint16_t type;
	uint8_t major;
	uint8_t minor;
	uint16_t sender;
	uint32_t length;
	uint64_t seq;
	union {
		struct pod_hello hello;
		struct pod_page_req req;
		struct pod_page_grant grant;
		struct pod_owner_set owner_set;
		struct pod_page_nack nack;
		struct pod_bye bye;
		struct pod_status status;
	};
};

/* Why pod_wire_check() refused a message: indexes of pod_wire_ctx.counters */
enum pod_wire_err {
	POD_WIRE_ERR_SHORT,	/* shorter than a header */
	POD_WIRE_ERR_MAGIC,	/* not POD_WIRE_MAGIC */
	POD_WIRE_ERR_VERSION,	/* another major version */
	POD_WIRE_ERR_LENGTH,	/* length field != bytes received, or > max */
	POD_WIRE_ERR_TYPE,	/* unknown type */
	POD_WIRE_ERR_BODY,	/* body (and data) size wrong for the type */
	POD_WIRE_ERR_FLAGS,	/* hdr_flags not 0, or unknown flag bits */
	POD_WIRE_ERR_RESERVED,	/* a pad or reserved field not 0 */
	POD_WIRE_ERR_VALUE,	/* unknown NACK error code */
	POD_WIRE_ERR_RANGE,	/* object or member index out of range */
	POD_WIRE_ERR_MEMBER,	/* HELLO's member is not the header's sender */
	POD_WIRE_ERR_NPAGES,	/* npages not a power of two 1..512, page not
				 * a multiple of npages
				 */
	POD_WIRE_ERR_DATA_LEN,	/* GRANT's data_len, flags and bitmap disagree */
	POD_WIRE_ERR_SEQ,	/* seq is not last_seq + 1 */
	POD_WIRE_NR_ERR
};

/**
 * struct pod_wire_ctx - what pod_wire_check() knows of one connection
 * @nr_members: members in the pod: member indexes must be below it
 * @nr_objects: objects in the pod: object indexes must be below it
 * @last_seq: seq of the peer's last accepted message (0 before the first);
 *	updated only when a message is accepted
 * @counters: refused messages, by enum pod_wire_err
 */
struct pod_wire_ctx {
	uint16_t nr_members;
	uint32_t nr_objects;
	uint64_t last_seq;
	uint64_t counters[POD_WIRE_NR_ERR];
};

/**
 * pod_wire_encode_hello() - write a HELLO or HELLO_ACK
 * @buf: where to write
 * @cap: bytes available at @buf
 * @type: POD_MSG_HELLO or POD_MSG_HELLO_ACK
 * @sender: the sender's member index (also the body's member)
 * @seq: the message's sequence number
 * @nr_members: members in the sender's pod file
 * @features: the sender's feature bits
 * @pod_id: &pod.id of the sender's pod file
 *
 * The encoders write what they are given, valid or not: pod_wire_check()
 * is the one that judges.
 *
 * Return: the message's length, or 0 if @cap is too small or @type is
 * neither HELLO nor HELLO_ACK.
 */
size_t pod_wire_encode_hello(void *buf, size_t cap, uint16_t type,
			     uint16_t sender, uint64_t seq,
			     uint16_t nr_members, uint64_t features,
			     uint64_t pod_id);

/**
 * pod_wire_encode_page_req() - write a PAGE_REQ
 * @buf: where to write
 * @cap: bytes available at @buf
 * @sender: the sender's member index
 * @seq: the message's sequence number
 * @object: object index
 * @flags: POD_REQ_*
 * @page: first page
 * @npages: number of pages
 * @requester: member index of the host whose guest faulted
 * @req_id: request id
 *
 * Return: the message's length, or 0 if @cap is too small.
 */
size_t pod_wire_encode_page_req(void *buf, size_t cap, uint16_t sender,
				uint64_t seq, uint32_t object, uint32_t flags,
				uint64_t page, uint32_t npages,
				uint16_t requester, uint64_t req_id);

/**
 * pod_wire_encode_page_grant() - write a PAGE_GRANT and its data
 * @buf: where to write
 * @cap: bytes available at @buf
 * @sender: the sender's member index
 * @seq: the message's sequence number
 * @object: object index
 * @flags: POD_GRANT_*
 * @page: first page
 * @npages: number of pages
 * @req_id: request id
 * @data_pages: POD_GRANT_BITMAP_WORDS words, bit i set if page i of the
 *	range is in @data (NULL: none)
 * @data: @data_len bytes copied after the body (may be NULL if 0): the
 *	pages of @data_pages, packed in page order
 * @data_len: their number
 *
 * Return: the message's length, or 0 if @cap is too small, the message
 * would be longer than 4 GiB or @data is NULL with a non-zero @data_len.
 */
size_t pod_wire_encode_page_grant(void *buf, size_t cap, uint16_t sender,
				  uint64_t seq, uint32_t object,
				  uint32_t flags, uint64_t page,
				  uint32_t npages, uint64_t req_id,
				  const uint64_t *data_pages,
				  const void *data, uint32_t data_len);

/**
 * pod_wire_encode_owner_set() - write an OWNER_SET
 * @buf: where to write
 * @cap: bytes available at @buf
 * @sender: the sender's member index
 * @seq: the message's sequence number
 * @object: object index
 * @page: first page
 * @npages: number of pages
 * @owner: member index of the new owner
 * @req_id: request id
 *
 * Return: the message's length, or 0 if @cap is too small.
 */
size_t pod_wire_encode_owner_set(void *buf, size_t cap, uint16_t sender,
				 uint64_t seq, uint32_t object, uint64_t page,
				 uint32_t npages, uint16_t owner,
				 uint64_t req_id);

/**
 * pod_wire_encode_page_nack() - write a PAGE_NACK
 * @buf: where to write
 * @cap: bytes available at @buf
 * @sender: the sender's member index
 * @seq: the message's sequence number
 * @object: object index
 * @error: enum pod_nack_error
 * @page: first page
 * @npages: number of pages
 * @req_id: request id
 *
 * Return: the message's length, or 0 if @cap is too small.
 */
size_t pod_wire_encode_page_nack(void *buf, size_t cap, uint16_t sender,
				 uint64_t seq, uint32_t object, uint32_t error,
				 uint64_t page, uint32_t npages,
				 uint64_t req_id);

/**
 * pod_wire_encode_bye() - write a BYE
 * @buf: where to write
 * @cap: bytes available at @buf
 * @sender: the sender's member index
 * @seq: the message's sequence number
 * @reason: for the peer's logs (0: an orderly shutdown)
 *
 * Return: the message's length, or 0 if @cap is too small.
 */
size_t pod_wire_encode_bye(void *buf, size_t cap, uint16_t sender,
			   uint64_t seq, uint32_t reason);

/**
 * pod_wire_encode_status() - write a STATUS (to peers with POD_FEAT_STATUS)
 * @buf: where to write
 * @cap: bytes available at @buf
 * @sender: the sender's member index
 * @seq: the message's sequence number
 * @pool_bytes: pre-zeroed pool memory ready on the sender
 * @avail_bytes: the sender's MemAvailable in bytes
 *
 * Return: the message's length, or 0 if @cap is too small.
 */
size_t pod_wire_encode_status(void *buf, size_t cap, uint16_t sender,
			      uint64_t seq, uint64_t pool_bytes,
			      uint64_t avail_bytes);

/**
 * pod_wire_check() - check and decode a received message
 * @ctx: the connection: its pod's sizes, the peer's last seq, counters
 * @buf: the message as received (any alignment)
 * @len: bytes received
 * @out: the decoded message on success (may be NULL); for a grant,
 *	out->grant.data points into @buf
 * @why: on failure, one line saying why (may be NULL)
 * @whylen: size of @why
 *
 * Checks, in this order: @len holds a header; magic; major version; the
 * length field equals @len and is at most POD_MSG_MAX; a known type; the
 * exact body size for the type (plus data for a grant); hdr_flags is 0;
 * every pad and reserved field is 0; flags have only known bits, a NACK's
 * error is known; object < nr_objects; sender, member, requester and owner
 * < nr_members, and HELLO's member == sender; npages is a power of two
 * 1..512 and page a multiple of it; a grant's bitmap has no bit at or
 * beyond npages, POD_GRANT_DATA is set if and only if a bit is, and its
 * data_len is 4096 per bit;
 * seq == last_seq + 1. On failure it counts the cause in ctx->counters and
 * leaves ctx->last_seq alone; on success ctx->last_seq becomes seq.
 *
 * Return: 0, -EMSGSIZE (too short, length mismatch, too long, wrong body
 * size), -EPROTONOSUPPORT (another major version) or -EPROTO (any other
 * content).
 */
int pod_wire_check(struct pod_wire_ctx *ctx, const void *buf, size_t len,
		   struct pod_msg *out, char *why, size_t whylen);

/**
 * pod_wire_type_name() - name of a message type
 * @type: enum pod_msg_type
 *
 * Return: "HELLO", "PAGE_REQ", ..., or "unknown".
 */
const char *pod_wire_type_name(uint16_t type);

/**
 * pod_wire_err_name() - name of a rejection kind, for counters' output
 * @kind: enum pod_wire_err
 *
 * Return: "short", "magic", ..., or "unknown".
 */
const char *pod_wire_err_name(int kind);

#endif /* _POD_WIRE_H */
