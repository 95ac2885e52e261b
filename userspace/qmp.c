// SPDX-License-Identifier: GPL-2.0
/*
 * qmp: a small client of QEMU's machine protocol (qmp.h). json-c's
 * tokenizer reads the replies; each must be one JSON object on its line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

/* A QMP line longer than this is not one we expect (query-migrate: ~1 KiB). */
#define QMP_LINE_MAX	(1024 * 1024)

/*
 * @timeout_s: how long one reply may take (0: no limit)
 * @dead: a read or a send failed: the stream is out of step, nothing more
 *	goes out on it
 */
struct qmp {
	int fd;
	FILE *in;
	char *line;
	size_t cap;
	unsigned int timeout_s;
	int dead;
};

static int qmp_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * The next line from QEMU as one JSON object, by @deadline (0: none), or
 * NULL with @err (and the handle dead).
 */
static struct json_object *qmp_read(struct qmp *q, time_t deadline, int *ret,
				    char *err, size_t errlen)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	struct json_object *o;
	struct timeval tv = { 0 };
	ssize_t len;

	if (deadline) {
		tv.tv_sec = deadline - time(NULL);
		if (tv.tv_sec <= 0)
			tv.tv_sec = 0, tv.tv_usec = 1000;
		setsockopt(q->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	errno = 0;
	len = getline(&q->line, &q->cap, q->in);
	if (len < 0 || (len > 0 && q->line[len - 1] != '\n')) {
		/* nothing, or a line cut off by the deadline or the end */
		q->dead = 1;
		*ret = errno ? -errno : -ECONNRESET;
		qmp_fail(err, errlen, 0, "%s", errno == EAGAIN ?
			 "QEMU did not answer in time" :
			 errno ? strerror(errno) : "QEMU closed the QMP socket");
		return NULL;
	}
	if (len > QMP_LINE_MAX) {
		q->dead = 1;
		*ret = -EPROTO;
		qmp_fail(err, errlen, 0, "a QMP line of %zd bytes", len);
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		*ret = -ENOMEM;
		qmp_fail(err, errlen, 0, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, q->line, (int)len - 1);
	jerr = json_tokener_get_error(tok);
	/* one whole object, nothing after it on the line */
	if (jerr != json_tokener_success || !o ||
	    json_tokener_get_parse_end(tok) != (size_t)len - 1 ||
	    !json_object_is_type(o, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(o);
		q->dead = 1;
		*ret = -EPROTO;
		qmp_fail(err, errlen, 0, "not QMP: '%.60s'", q->line);
		return NULL;
	}
	json_tokener_free(tok);
	return o;
}

struct qmp *qmp_open(const char *path, unsigned int timeout_s, char *err,
		     size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };
	struct json_object *o, *v;
	time_t deadline = timeout_s ? time(NULL) + timeout_s : 0;
	struct qmp *q;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		qmp_fail(err, errlen, 0, "%s: path too long for a socket", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	q = calloc(1, sizeof(*q));
	if (!q) {
		qmp_fail(err, errlen, 0, "out of memory");
		return NULL;
	}
	q->timeout_s = timeout_s;
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 ||
	    setsockopt(q->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(q->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(q->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		qmp_fail(err, errlen, 0, "%s: %s", path, strerror(errno));
		goto fail;
	}
	q->in = fdopen(q->fd, "r");
	if (!q->in) {
		qmp_fail(err, errlen, 0, "%s: %s", path, strerror(errno));
		goto fail;
	}
	o = qmp_read(q, deadline, &ret, err, errlen);
	if (!o)
		goto fail;
	if (!json_object_object_get_ex(o, "QMP", &v)) {
		qmp_fail(err, errlen, 0, "%s: no QMP greeting (is it QEMU's -qmp socket?)",
			 path);
		json_object_put(o);
		goto fail;
	}
	json_object_put(o);
	if (qmp_cmd(q, "qmp_capabilities", NULL, NULL, err, errlen))
		goto fail;
	return q;
fail:
	qmp_close(q);
	return NULL;
}

void qmp_close(struct qmp *q)
{
	if (!q)
		return;
	if (q->in)
		fclose(q->in);
	else if (q->fd >= 0)
		close(q->fd);
	free(q->line);
	free(q);
}

int qmp_cmd(struct qmp *q, const char *name, struct json_object *args,
	    struct json_object **ret, char *err, size_t errlen)
{
	struct json_object *msg, *o, *v, *desc;
	const char *text;
	size_t len, off;
	ssize_t n;
	int rc;

	time_t deadline = q->timeout_s ? time(NULL) + q->timeout_s : 0;

	if (q->dead)
		return qmp_fail(err, errlen, -EPIPE, "%s: the QMP connection failed before",
				name);
	msg = json_object_new_object();
	json_object_object_add(msg, "execute", json_object_new_string(name));
	if (args)
		json_object_object_add(msg, "arguments", json_object_get(args));
	text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	for (off = 0; off < len; off += (size_t)n) {
		n = send(q->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0) {
			rc = -errno;
			q->dead = 1;
			qmp_fail(err, errlen, 0, "%s: %s", name, strerror(errno));
			json_object_put(msg);
			return rc;
		}
	}
	json_object_put(msg);
	if (send(q->fd, "\n", 1, MSG_NOSIGNAL) != 1) {
		rc = -errno;
		q->dead = 1;
		return qmp_fail(err, errlen, rc, "%s: %s", name, strerror(errno));
	}
	for (;;) {
		o = qmp_read(q, deadline, &rc, err, errlen);
		if (!o)
			return rc;
		if (json_object_object_get_ex(o, "return", &v)) {
			if (ret)
				*ret = json_object_get(v);
			json_object_put(o);
			return 0;
		}
		if (json_object_object_get_ex(o, "error", &v)) {
			json_object_object_get_ex(v, "desc", &desc);
			qmp_fail(err, errlen, 0, "%s: %s", name, desc ?
				 json_object_get_string(desc) : "an error");
			json_object_put(o);
			return -EIO;
		}
		json_object_put(o);	/* an event: not an answer */
	}
}
