/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pod: the pod description, one JSON file that every member host of a pod
 * reads (dormantd, dormantctl): which hosts are members and how to reach
 * them, which guest memory objects the pod holds and which member initially
 * owns each of their pages. Documentation/examples/pod.json is an example;
 * pod.c has the rules. The same bytes must be on every member: pod->id, a
 * hash of them, is compared when two members connect.
 */
#ifndef _POD_H
#define _POD_H

#include <stddef.h>
#include <stdint.h>

#define POD_VERSION		1
#define POD_DEFAULT_PORT	7471
#define POD_MAX_MEMBERS		64
#define POD_MAX_OBJECTS		1024
#define POD_MAX_FILE_SIZE	(1024 * 1024)
#define POD_PAGE_SIZE		4096ULL
/* Object sizes and interleave chunks are multiples of this (2 MiB). */
#define POD_ALIGN		(2ULL << 20)
#define POD_MAX_OBJECT_SIZE	(64ULL << 40)

/**
 * struct pod_member - one host of the pod
 * @name: [a-z0-9][a-z0-9_-]{0,30}, unique in the pod
 * @addr: numeric IPv4 or IPv6 address, as written in the file
 * @port: port of its dormantd (POD_DEFAULT_PORT if the file has none)
 */
struct pod_member {
	char name[32];
	char addr[64];
	uint16_t port;
};

/**
 * struct pod_object - one guest memory object of the pod
 * @name: [A-Za-z0-9][A-Za-z0-9._-]{0,62}, unique in the pod: its file name
 *	in the dormant mount
 * @size: bytes, a positive multiple of POD_ALIGN, at most POD_MAX_OBJECT_SIZE
 * @chunk: interleave chunk in bytes (a multiple of POD_ALIGN, at most @size),
 *	or 0 when one member owns the whole object
 * @nr_owners: number of entries in @owners: 1 for a single owner
 * @owners: member indexes; chunk k of the object starts owned by
 *	owners[k % nr_owners]
 */
struct pod_object {
	char name[64];
	uint64_t size;
	uint64_t chunk;
	unsigned int nr_owners;
	uint16_t owners[POD_MAX_MEMBERS];
};

/**
 * struct pod - a parsed pod description
 * @nr_members: 1..POD_MAX_MEMBERS
 * @members: in the file's order: a member's index is its position there
 * @nr_objects: 0..POD_MAX_OBJECTS
 * @objects: in the file's order
 * @id: 64-bit FNV-1a hash of the file's exact bytes
 */
struct pod {
	unsigned int nr_members;
	struct pod_member *members;
	unsigned int nr_objects;
	struct pod_object *objects;
	uint64_t id;
};

/**
 * pod_load() - read and check a pod file
 * @path: the file
 * @out: on success, the pod (free it with pod_free()); NULL on failure
 * @err: on failure, one line naming the file, the JSON path and the reason
 *	("pod.json: objects[1].size: ..."); may be NULL
 * @errlen: size of @err
 *
 * Return: 0, -EFBIG if the file is larger than POD_MAX_FILE_SIZE, -EINVAL
 * if its content breaks a rule, -ENOMEM, or the -errno of open() or read().
 */
int pod_load(const char *path, struct pod **out, char *err, size_t errlen);

/**
 * pod_parse() - check the text of a pod file
 * @text: the file's bytes (need not be NUL-terminated)
 * @len: their number
 * @name: the file name, used in messages (NULL: "pod")
 * @out: on success, the pod (free it with pod_free()); NULL on failure
 * @err: on failure, one line naming @name, the JSON path and the reason;
 *	may be NULL
 * @errlen: size of @err
 *
 * Return: 0, -EFBIG if @len is larger than POD_MAX_FILE_SIZE, -EINVAL if
 * the content breaks a rule, or -ENOMEM.
 */
int pod_parse(const char *text, size_t len, const char *name,
	      struct pod **out, char *err, size_t errlen);

/**
 * pod_free() - free a pod from pod_load() or pod_parse()
 * @pod: the pod, or NULL
 */
void pod_free(struct pod *pod);

/**
 * pod_member_index() - find a member by name
 * @pod: the pod
 * @name: the member's name
 *
 * Return: its index in @pod->members, or -1 if none has that name.
 */
int pod_member_index(const struct pod *pod, const char *name);

/**
 * pod_object_index() - find an object by name
 * @pod: the pod
 * @name: the object's name
 *
 * Return: its index in @pod->objects, or -1 if none has that name.
 */
int pod_object_index(const struct pod *pod, const char *name);

/**
 * pod_home() - the member that initially owns a page of an object
 * @pod: the pod
 * @object: index in @pod->objects
 * @page: index of a 4 KiB page in the object
 *
 * Return: the member's index, or -1 if @object or @page is out of range.
 */
int pod_home(const struct pod *pod, unsigned int object, uint64_t page);

/**
 * pod_parse_size() - parse a size string of a pod file
 * @s: digits with an optional single suffix K, M, G or T (powers of 1024),
 *	nothing else: no spaces, no sign ("16G", "4096")
 * @out: the number of bytes (0 is accepted here: the caller checks ranges)
 *
 * Return: 0, -EINVAL if @s is not of that form, -ERANGE if the value does
 * not fit in 64 bits.
 */
int pod_parse_size(const char *s, uint64_t *out);

/**
 * pod_fnv1a64() - 64-bit FNV-1a hash, as used for &pod.id
 * @buf: the bytes
 * @len: their number
 *
 * Return: the hash.
 */
uint64_t pod_fnv1a64(const void *buf, size_t len);

#endif /* _POD_H */
