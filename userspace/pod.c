// SPDX-License-Identifier: GPL-2.0
/*
 * pod: read and check a pod description; see pod.h and
 * Documentation/examples/pod.json.
 *
 * The rules, every one enforced here (anything else is refused with a
 * message "FILE: JSON.PATH: reason"):
 *
 * - the top level is an object with exactly the keys "version" (the
 *   integer 1), "members" and "objects"; an unknown key anywhere is an error;
 * - members: 1..64 objects { "name", "addr", "port"? }: name matches
 *   [a-z0-9][a-z0-9_-]{0,30} and is unique; addr is a numeric IPv4 or IPv6
 *   address; port is an integer 1..65535 (default 7471); (addr, port) is
 *   unique (compared as addresses: "::1" and "0::1" are the same);
 * - objects: 0..1024 objects { "name", "size", "owner" | "interleave" }:
 *   name matches [A-Za-z0-9][A-Za-z0-9._-]{0,62} and is unique; size is a
 *   positive multiple of 2 MiB, at most 64 TiB, given as an integer or a
 *   size string (pod_parse_size()); owner is a member name; interleave is
 *   { "chunk": size, "members": [names] } with a chunk that is a multiple of
 *   2 MiB no larger than the object and 1..64 distinct member names;
 * - JSON types are strict: an integer is never a string, a boolean or a
 *   number written with a fraction or an exponent (1.0); only size and
 *   chunk take a string too;
 * - the file is at most 1 MiB of UTF-8 without NUL bytes.
 *
 * A key given twice in one JSON object is not detected: json-c keeps the
 * last one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "pod.h"

#define PATH_LEN	160

/* What a parse carries along: where to say what went wrong. */
struct pod_parser {
	const char *file;
	char *err;
	size_t errlen;
};

/* A member's address in binary, IPv4 as IPv4-mapped IPv6, for comparing. */
struct pod_addr {
	unsigned char a[16];
	uint16_t port;
};

static int pod_fail(struct pod_parser *p, int ret, const char *path,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Write "FILE: PATH: reason" (or "FILE: reason" without a path) to the
 * error buffer and return @ret.
 */
static int pod_fail(struct pod_parser *p, int ret, const char *path,
		    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return ret;
	if (path && *path)
		n = snprintf(p->err, p->errlen, "%s: %s: ", p->file, path);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->file);
	if (n < 0 || (size_t)n >= p->errlen)
		return ret;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * Copy @len bytes of @s into @dst for a message: printable ASCII as is,
 * anything else as '?', cut with "..." past 40 characters.
 */
static const char *pod_quote(char *dst, size_t dstlen, const char *s,
			     size_t len)
{
	size_t i, n = 0, max = 40;

	if (dstlen < max + 4)
		max = dstlen > 4 ? dstlen - 4 : 0;
	for (i = 0; i < len && n < max; i++)
		dst[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i < len) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
	return dst;
}

uint64_t pod_fnv1a64(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int pod_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	const char *c = s;

	if (!s || !*s)
		return -EINVAL;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (c == s)
		return -EINVAL;
	switch (*c) {
	case '\0':
		break;
	case 'K':
		mult = 1ULL << 10;
		break;
	case 'M':
		mult = 1ULL << 20;
		break;
	case 'G':
		mult = 1ULL << 30;
		break;
	case 'T':
		mult = 1ULL << 40;
		break;
	default:
		return -EINVAL;
	}
	if (*c && c[1])
		return -EINVAL;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

static const char *pod_type_desc(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction or an exponent";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "a value of unknown type";
}

static int pod_want(struct pod_parser *p, const char *path,
		    struct json_object *v, enum json_type type,
		    const char *desc)
{
	if (json_object_is_type(v, type))
		return 0;
	return pod_fail(p, -EINVAL, path, "expected %s, got %s", desc,
			pod_type_desc(v));
}

/*
 * A non-negative JSON integer. json-c reads any integer past 64 bits as
 * UINT64_MAX, a value no rule allows: it is refused as too large.
 */
static int pod_get_uint(struct pod_parser *p, const char *path,
			struct json_object *v, uint64_t *out)
{
	int ret = pod_want(p, path, v, json_type_int, "an integer");

	if (ret)
		return ret;
	if (json_object_get_int64(v) < 0)
		return pod_fail(p, -EINVAL, path, "%lld is negative",
				(long long)json_object_get_int64(v));
	*out = json_object_get_uint64(v);
	if (*out == UINT64_MAX)
		return pod_fail(p, -EINVAL, path, "integer too large");
	return 0;
}

/* A string without NUL bytes inside; its length in *len. */
static int pod_get_string(struct pod_parser *p, const char *path,
			  struct json_object *v, const char **s, size_t *len)
{
	int ret = pod_want(p, path, v, json_type_string, "a string");

	if (ret)
		return ret;
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (strlen(*s) != *len)
		return pod_fail(p, -EINVAL, path, "contains a NUL character");
	return 0;
}

/*
 * A size or chunk: an integer or a size string, positive, a multiple of
 * POD_ALIGN and at most @max (whose name for messages is @maxdesc).
 */
static int pod_get_size(struct pod_parser *p, const char *path,
			struct json_object *v, uint64_t max,
			const char *maxdesc, uint64_t *out)
{
	char q[48];
	const char *s;
	size_t len;
	int ret;

	if (json_object_is_type(v, json_type_int)) {
		ret = pod_get_uint(p, path, v, out);
		if (ret)
			return ret;
	} else if (json_object_is_type(v, json_type_string)) {
		ret = pod_get_string(p, path, v, &s, &len);
		if (ret)
			return ret;
		ret = pod_parse_size(s, out);
		if (ret == -ERANGE)
			return pod_fail(p, -EINVAL, path,
					"\"%s\" does not fit in 64 bits",
					pod_quote(q, sizeof(q), s, len));
		if (ret)
			return pod_fail(p, -EINVAL, path,
					"\"%s\" is not a size (digits with an optional K, M, G or T suffix)",
					pod_quote(q, sizeof(q), s, len));
	} else {
		return pod_fail(p, -EINVAL, path,
				"expected an integer or a size string, got %s",
				pod_type_desc(v));
	}
	if (!*out)
		return pod_fail(p, -EINVAL, path, "must be positive");
	if (*out % POD_ALIGN)
		return pod_fail(p, -EINVAL, path,
				"%llu bytes is not a multiple of 2 MiB",
				(unsigned long long)*out);
	if (*out > max)
		return pod_fail(p, -EINVAL, path,
				"%llu bytes is larger than %s",
				(unsigned long long)*out, maxdesc);
	return 0;
}

/*
 * Every key of the JSON object @o must be in @keys (NULL-terminated), and
 * the first @nr_required of them must be present.
 */
static int pod_check_keys(struct pod_parser *p, const char *path,
			  struct json_object *o, const char * const *keys,
			  int nr_required)
{
	char sub[PATH_LEN], q[48], list[128];
	int i, n = 0;

	list[0] = '\0';
	for (i = 0; keys[i]; i++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s",
			      i ? ", " : "", keys[i]);

	json_object_object_foreach(o, key, val) {
		for (i = 0; keys[i]; i++)
			if (!strcmp(key, keys[i]))
				break;
		if (keys[i])
			continue;
		pod_quote(q, sizeof(q), key, strlen(key));
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", q);
		return pod_fail(p, -EINVAL, sub, "unknown key (expected %s)",
				list);
	}
	for (i = 0; i < nr_required; i++)
		if (!json_object_object_get_ex(o, keys[i], NULL))
			return pod_fail(p, -EINVAL, *path ? path : "top level",
					"missing key \"%s\"", keys[i]);
	return 0;
}

static bool pod_member_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > 31)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i && (c == '_' || c == '-'))
			continue;
		return false;
	}
	return true;
}

static bool pod_object_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > 63)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (i && (c == '.' || c == '_' || c == '-'))
			continue;
		return false;
	}
	return true;
}

/* Index of the member named by the JSON string @v, or -EINVAL. */
static int pod_get_member_ref(struct pod_parser *p, const char *path,
			      struct json_object *v, const struct pod *pod)
{
	char q[48];
	const char *s;
	size_t len;
	int ret, idx;

	ret = pod_get_string(p, path, v, &s, &len);
	if (ret)
		return ret;
	idx = pod_member_index(pod, s);
	if (idx < 0)
		return pod_fail(p, -EINVAL, path,
				"\"%s\" is not the name of a member",
				pod_quote(q, sizeof(q), s, len));
	return idx;
}

static int pod_parse_member(struct pod_parser *p, struct pod *pod,
			    unsigned int i, struct json_object *o,
			    struct pod_addr *addrs)
{
	static const char * const keys[] = { "name", "addr", "port", NULL };
	struct pod_member *m = &pod->members[i];
	char path[32], sub[PATH_LEN], q[48];
	unsigned char a4[4];
	struct json_object *v;
	uint64_t port = POD_DEFAULT_PORT;
	const char *s;
	size_t len;
	unsigned int j;
	int ret;

	snprintf(path, sizeof(path), "members[%u]", i);
	ret = pod_want(p, path, o, json_type_object, "an object");
	if (!ret)
		ret = pod_check_keys(p, path, o, keys, 2);
	if (ret)
		return ret;

	snprintf(sub, sizeof(sub), "%s.name", path);
	json_object_object_get_ex(o, "name", &v);
	ret = pod_get_string(p, sub, v, &s, &len);
	if (ret)
		return ret;
	if (!pod_member_name_ok(s, len))
		return pod_fail(p, -EINVAL, sub,
				"\"%s\" is not a member name ([a-z0-9][a-z0-9_-]{0,30})",
				pod_quote(q, sizeof(q), s, len));
	for (j = 0; j < i; j++)
		if (!strcmp(pod->members[j].name, s))
			return pod_fail(p, -EINVAL, sub,
					"\"%s\" is already the name of members[%u]",
					s, j);
	memcpy(m->name, s, len + 1);

	snprintf(sub, sizeof(sub), "%s.addr", path);
	json_object_object_get_ex(o, "addr", &v);
	ret = pod_get_string(p, sub, v, &s, &len);
	if (ret)
		return ret;
	memset(&addrs[i], 0, sizeof(addrs[i]));
	if (len < sizeof(m->addr) && inet_pton(AF_INET, s, a4) == 1) {
		addrs[i].a[10] = 0xff;
		addrs[i].a[11] = 0xff;
		memcpy(&addrs[i].a[12], a4, 4);
	} else if (len >= sizeof(m->addr) ||
		   inet_pton(AF_INET6, s, addrs[i].a) != 1) {
		return pod_fail(p, -EINVAL, sub,
				"\"%s\" is not a numeric IPv4 or IPv6 address",
				pod_quote(q, sizeof(q), s, len));
	}
	memcpy(m->addr, s, len + 1);

	if (json_object_object_get_ex(o, "port", &v)) {
		snprintf(sub, sizeof(sub), "%s.port", path);
		ret = pod_get_uint(p, sub, v, &port);
		if (ret)
			return ret;
		if (port < 1 || port > 65535)
			return pod_fail(p, -EINVAL, sub,
					"%llu is not a port (1..65535)",
					(unsigned long long)port);
	}
	m->port = (uint16_t)port;
	addrs[i].port = m->port;
	for (j = 0; j < i; j++)
		if (!memcmp(addrs[j].a, addrs[i].a, sizeof(addrs[i].a)) &&
		    addrs[j].port == addrs[i].port)
			return pod_fail(p, -EINVAL, path,
					"address %s port %u is already that of members[%u]",
					m->addr, m->port, j);
	return 0;
}

static int pod_parse_interleave(struct pod_parser *p, struct pod *pod,
				struct pod_object *obj, const char *path,
				struct json_object *o)
{
	static const char * const keys[] = { "chunk", "members", NULL };
	char sub[PATH_LEN];
	struct json_object *v;
	size_t n, i, j;
	int ret;

	ret = pod_want(p, path, o, json_type_object, "an object");
	if (!ret)
		ret = pod_check_keys(p, path, o, keys, 2);
	if (ret)
		return ret;

	snprintf(sub, sizeof(sub), "%s.chunk", path);
	json_object_object_get_ex(o, "chunk", &v);
	ret = pod_get_size(p, sub, v, obj->size, "the object", &obj->chunk);
	if (ret)
		return ret;

	snprintf(sub, sizeof(sub), "%s.members", path);
	json_object_object_get_ex(o, "members", &v);
	ret = pod_want(p, sub, v, json_type_array, "an array");
	if (ret)
		return ret;
	n = json_object_array_length(v);
	if (!n)
		return pod_fail(p, -EINVAL, sub, "empty");
	if (n > pod->nr_members)
		return pod_fail(p, -EINVAL, sub,
				"%zu entries, more than the pod has members (%u)",
				n, pod->nr_members);
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s.members[%zu]", path, i);
		ret = pod_get_member_ref(p, sub,
					 json_object_array_get_idx(v, i), pod);
		if (ret < 0)
			return ret;
		for (j = 0; j < i; j++)
			if (obj->owners[j] == ret)
				return pod_fail(p, -EINVAL, sub,
						"\"%s\" is already in members[%zu]",
						pod->members[ret].name, j);
		obj->owners[i] = (uint16_t)ret;
	}
	obj->nr_owners = (unsigned int)n;
	return 0;
}

static int pod_parse_object(struct pod_parser *p, struct pod *pod,
			    unsigned int i, struct json_object *o)
{
	static const char * const keys[] = {
		"name", "size", "owner", "interleave", NULL
	};
	struct pod_object *obj = &pod->objects[i];
	char path[32], ipath[48], sub[PATH_LEN], q[48];
	struct json_object *v, *owner, *inter;
	bool has_owner, has_inter;
	const char *s;
	size_t len;
	unsigned int j;
	int ret;

	snprintf(path, sizeof(path), "objects[%u]", i);
	ret = pod_want(p, path, o, json_type_object, "an object");
	if (!ret)
		ret = pod_check_keys(p, path, o, keys, 2);
	if (ret)
		return ret;

	snprintf(sub, sizeof(sub), "%s.name", path);
	json_object_object_get_ex(o, "name", &v);
	ret = pod_get_string(p, sub, v, &s, &len);
	if (ret)
		return ret;
	if (!pod_object_name_ok(s, len))
		return pod_fail(p, -EINVAL, sub,
				"\"%s\" is not an object name ([A-Za-z0-9][A-Za-z0-9._-]{0,62})",
				pod_quote(q, sizeof(q), s, len));
	for (j = 0; j < i; j++)
		if (!strcmp(pod->objects[j].name, s))
			return pod_fail(p, -EINVAL, sub,
					"\"%s\" is already the name of objects[%u]",
					s, j);
	memcpy(obj->name, s, len + 1);

	snprintf(sub, sizeof(sub), "%s.size", path);
	json_object_object_get_ex(o, "size", &v);
	ret = pod_get_size(p, sub, v, POD_MAX_OBJECT_SIZE, "64 TiB",
			   &obj->size);
	if (ret)
		return ret;

	has_owner = json_object_object_get_ex(o, "owner", &owner);
	has_inter = json_object_object_get_ex(o, "interleave", &inter);
	if (has_owner == has_inter)
		return pod_fail(p, -EINVAL, path,
				has_owner ?
				"has both \"owner\" and \"interleave\": give exactly one" :
				"needs \"owner\" or \"interleave\"");
	if (has_owner) {
		snprintf(sub, sizeof(sub), "%s.owner", path);
		ret = pod_get_member_ref(p, sub, owner, pod);
		if (ret < 0)
			return ret;
		obj->chunk = 0;
		obj->nr_owners = 1;
		obj->owners[0] = (uint16_t)ret;
		return 0;
	}
	snprintf(ipath, sizeof(ipath), "%s.interleave", path);
	return pod_parse_interleave(p, pod, obj, ipath, inter);
}

static int pod_parse_root(struct pod_parser *p, struct pod *pod,
			  struct json_object *root)
{
	static const char * const keys[] = {
		"version", "members", "objects", NULL
	};
	struct pod_addr *addrs;
	struct json_object *v;
	uint64_t version;
	size_t n, i;
	int ret;

	ret = pod_want(p, "top level", root, json_type_object, "an object");
	if (!ret)
		ret = pod_check_keys(p, "", root, keys, 3);
	if (ret)
		return ret;

	json_object_object_get_ex(root, "version", &v);
	if (json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) < 0)
		return pod_fail(p, -EINVAL, "version",
				"%lld is not a version this dormant reads (%d)",
				(long long)json_object_get_int64(v),
				POD_VERSION);
	ret = pod_get_uint(p, "version", v, &version);
	if (ret)
		return ret;
	if (version != POD_VERSION)
		return pod_fail(p, -EINVAL, "version",
				"%llu is not a version this dormant reads (%d)",
				(unsigned long long)version, POD_VERSION);

	json_object_object_get_ex(root, "members", &v);
	ret = pod_want(p, "members", v, json_type_array, "an array");
	if (ret)
		return ret;
	n = json_object_array_length(v);
	if (!n)
		return pod_fail(p, -EINVAL, "members",
				"empty: a pod needs at least one member");
	if (n > POD_MAX_MEMBERS)
		return pod_fail(p, -EINVAL, "members",
				"%zu entries, more than %d", n,
				POD_MAX_MEMBERS);
	pod->members = calloc(n, sizeof(*pod->members));
	addrs = calloc(n, sizeof(*addrs));
	if (!pod->members || !addrs) {
		free(addrs);
		return pod_fail(p, -ENOMEM, NULL, "out of memory");
	}
	pod->nr_members = (unsigned int)n;
	for (i = 0; i < n && !ret; i++)
		ret = pod_parse_member(p, pod, (unsigned int)i,
				       json_object_array_get_idx(v, i), addrs);
	free(addrs);
	if (ret)
		return ret;

	json_object_object_get_ex(root, "objects", &v);
	ret = pod_want(p, "objects", v, json_type_array, "an array");
	if (ret)
		return ret;
	n = json_object_array_length(v);
	if (n > POD_MAX_OBJECTS)
		return pod_fail(p, -EINVAL, "objects",
				"%zu entries, more than %d", n,
				POD_MAX_OBJECTS);
	pod->objects = calloc(n ? n : 1, sizeof(*pod->objects));
	if (!pod->objects)
		return pod_fail(p, -ENOMEM, NULL, "out of memory");
	pod->nr_objects = (unsigned int)n;
	for (i = 0; i < n && !ret; i++)
		ret = pod_parse_object(p, pod, (unsigned int)i,
				       json_object_array_get_idx(v, i));
	return ret;
}

/* The JSON value of the whole text, or NULL with a message. */
static struct json_object *pod_parse_json(struct pod_parser *p,
					  const char *text, size_t len,
					  int *ret)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	struct json_object *root;
	const char *nul;
	size_t end;

	*ret = -EINVAL;
	nul = memchr(text, '\0', len);
	if (nul) {
		pod_fail(p, -EINVAL, NULL, "NUL byte at byte offset %zu",
			 (size_t)(nul - text));
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		*ret = pod_fail(p, -ENOMEM, NULL, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		pod_fail(p, -EINVAL, NULL,
			 "JSON parse error at byte offset %zu: unexpected end of file",
			 len);
		return NULL;
	}
	if (jerr != json_tokener_success || !root) {
		pod_fail(p, -EINVAL, NULL,
			 "JSON parse error at byte offset %zu: %s", end,
			 json_tokener_error_desc(jerr));
		json_object_put(root);
		return NULL;
	}
	if (end != len) {
		pod_fail(p, -EINVAL, NULL,
			 "JSON parse error at byte offset %zu: data after the end of the top-level value",
			 end);
		json_object_put(root);
		return NULL;
	}
	*ret = 0;
	return root;
}

int pod_parse(const char *text, size_t len, const char *name,
	      struct pod **out, char *err, size_t errlen)
{
	struct pod_parser p = {
		.file = name ? name : "pod",
		.err = err,
		.errlen = errlen,
	};
	struct json_object *root;
	struct pod *pod;
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > POD_MAX_FILE_SIZE)
		return pod_fail(&p, -EFBIG, NULL,
				"%zu bytes, larger than the 1 MiB a pod file may have",
				len);
	root = pod_parse_json(&p, text, len, &ret);
	if (!root)
		return ret;
	pod = calloc(1, sizeof(*pod));
	if (!pod) {
		json_object_put(root);
		return pod_fail(&p, -ENOMEM, NULL, "out of memory");
	}
	ret = pod_parse_root(&p, pod, root);
	json_object_put(root);
	if (ret) {
		pod_free(pod);
		return ret;
	}
	pod->id = pod_fnv1a64(text, len);
	*out = pod;
	return 0;
}

int pod_load(const char *path, struct pod **out, char *err, size_t errlen)
{
	struct pod_parser p = { .file = path, .err = err, .errlen = errlen };
	size_t len = 0;
	char *buf;
	ssize_t n;
	int fd, ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return pod_fail(&p, ret, NULL, "cannot open: %s",
				strerror(-ret));
	}
	/* One byte more than allowed, to tell a file that is too large. */
	buf = malloc(POD_MAX_FILE_SIZE + 1);
	if (!buf) {
		close(fd);
		return pod_fail(&p, -ENOMEM, NULL, "out of memory");
	}
	for (;;) {
		n = read(fd, buf + len, POD_MAX_FILE_SIZE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > POD_MAX_FILE_SIZE)
			break;
	}
	if (n < 0) {
		ret = -errno;
		pod_fail(&p, ret, NULL, "cannot read: %s", strerror(-ret));
	} else if (len > POD_MAX_FILE_SIZE) {
		ret = pod_fail(&p, -EFBIG, NULL,
			       "larger than the 1 MiB a pod file may have");
	} else {
		ret = pod_parse(buf, len, path, out, err, errlen);
	}
	free(buf);
	close(fd);
	return ret;
}

void pod_free(struct pod *pod)
{
	if (!pod)
		return;
	free(pod->members);
	free(pod->objects);
	free(pod);
}

int pod_member_index(const struct pod *pod, const char *name)
{
	unsigned int i;

	for (i = 0; i < pod->nr_members; i++)
		if (!strcmp(pod->members[i].name, name))
			return (int)i;
	return -1;
}

int pod_object_index(const struct pod *pod, const char *name)
{
	unsigned int i;

	for (i = 0; i < pod->nr_objects; i++)
		if (!strcmp(pod->objects[i].name, name))
			return (int)i;
	return -1;
}

int pod_home(const struct pod *pod, unsigned int object, uint64_t page)
{
	const struct pod_object *obj;

	if (object >= pod->nr_objects)
		return -1;
	obj = &pod->objects[object];
	if (page >= obj->size / POD_PAGE_SIZE || !obj->nr_owners)
		return -1;
	if (!obj->chunk)
		return obj->owners[0];
	return obj->owners[(page / (obj->chunk / POD_PAGE_SIZE)) %
			   obj->nr_owners];
}
