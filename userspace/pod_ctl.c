// SPDX-License-Identifier: GPL-2.0
/*
 * pod_ctl: dormantd's control socket (pod_ctl.h has the protocol). The
 * requests are small JSON objects checked key by key; anything else is
 * refused with a reason the client prints and the daemon logs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pod_ctl.h"

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* One whole, strict JSON value of @len bytes, or NULL with @err. */
static struct json_object *parse_text(const char *buf, size_t len, char *err,
				      size_t errlen)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	if (memchr(buf, '\0', len)) {
		fail(err, errlen, 0, "a NUL byte in the JSON text");
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		fail(err, errlen, 0, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success || !o || end != len) {
		fail(err, errlen, 0, "not one JSON value (at byte %zu: %s)", end,
		     jerr == json_tokener_success ? "data after the value" :
		     jerr == json_tokener_continue ? "unexpected end" :
		     json_tokener_error_desc(jerr));
		json_object_put(o);
		return NULL;
	}
	return o;
}

static bool member_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= POD_CTL_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      (i && (s[i] == '_' || s[i] == '-'))))
			return false;
	return true;
}

int pod_ctl_parse(const char *buf, size_t len, struct pod_ctl_req *req,
		  char *err, size_t errlen)
{
	struct json_object *o, *v;
	const char *cmd, *name;
	int ret = -EPROTO;

	memset(req, 0, sizeof(*req));
	if (len > POD_CTL_REQ_MAX)
		return fail(err, errlen, -EPROTO,
			    "request of %zu bytes: at most %d", len,
			    POD_CTL_REQ_MAX);
	o = parse_text(buf, len, err, errlen);
	if (!o)
		return -EPROTO;
	if (!json_object_is_type(o, json_type_object)) {
		fail(err, errlen, 0, "the request is not a JSON object");
		goto out;
	}
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "version") && strcmp(key, "command") &&
		    strcmp(key, "member")) {
			fail(err, errlen, 0, "unknown key \"%.40s\"", key);
			goto out;
		}
	}
	if (!json_object_object_get_ex(o, "version", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		fail(err, errlen, 0, "\"version\" is missing or not a number");
		goto out;
	}
	if (json_object_get_int64(v) != POD_CTL_VERSION) {
		fail(err, errlen, 0, "version %lld: this dormantd speaks %d",
		     (long long)json_object_get_int64(v), POD_CTL_VERSION);
		goto out;
	}
	if (!json_object_object_get_ex(o, "command", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		fail(err, errlen, 0, "\"command\" is missing or not a string");
		goto out;
	}
	cmd = json_object_get_string(v);
	if (!strcmp(cmd, "stats")) {
		req->cmd = POD_CTL_STATS;
	} else if (!strcmp(cmd, "drain")) {
		req->cmd = POD_CTL_DRAIN;
	} else {
		fail(err, errlen, 0, "unknown command \"%.40s\"", cmd);
		goto out;
	}
	v = NULL;
	json_object_object_get_ex(o, "member", &v);
	if (req->cmd == POD_CTL_STATS) {
		if (v) {
			fail(err, errlen, 0, "\"stats\" takes no member");
			goto out;
		}
	} else {
		if (!v || !json_object_is_type(v, json_type_string)) {
			fail(err, errlen, 0, "\"drain\" needs a member's name in \"member\"");
			goto out;
		}
		name = json_object_get_string(v);
		if (!member_name_ok(name, json_object_get_string_len(v))) {
			fail(err, errlen, 0, "\"%.40s\" is not a member's name", name);
			goto out;
		}
		strcpy(req->member, name);
	}
	ret = 0;
out:
	json_object_put(o);
	return ret;
}

static int sock_addr(const char *path, struct sockaddr_un *sa, char *err,
		     size_t errlen)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sa->sun_path))
		return fail(err, errlen, -1,
			    "control socket path '%s' is empty or longer than %zu bytes",
			    path, sizeof(sa->sun_path) - 1);
	strcpy(sa->sun_path, path);
	return 0;
}

int pod_ctl_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd, c;

	if (sock_addr(path, &sa, err, errlen))
		return -1;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return fail(err, errlen, -1,
				    "%s exists and is not a socket: not removing it",
				    path);
		c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (c >= 0 && connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(c);
			return fail(err, errlen, -1,
				    "%s: another dormantd answers there", path);
		}
		if (c >= 0)
			close(c);
		unlink(path);	/* a dead daemon's */
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail(err, errlen, -1, "socket: %s", strerror(errno));
	old = umask(0177);
	c = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (c || listen(fd, 8)) {
		fail(err, errlen, 0, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int pod_ctl_read(int fd, struct pod_ctl_req *req, char *err, size_t errlen)
{
	char buf[POD_CTL_REQ_MAX + 1];
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	ssize_t len;

	/* taken before anything else: a reply then goes out before close */
	len = recv(fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	if (len < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -ENODATA;
	if (len == 0)
		return -ENODATA;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) ||
	    (cr.uid != 0 && cr.uid != geteuid())) {
		fail(err, errlen, 0, "user %u may not ask (root or user %u only)",
		     (unsigned int)cr.uid, (unsigned int)geteuid());
		return -EPERM;
	}
	if ((size_t)len > POD_CTL_REQ_MAX)
		return fail(err, errlen, -EPROTO,
			    "request of %zd bytes: at most %d", len,
			    POD_CTL_REQ_MAX);
	return pod_ctl_parse(buf, len, req, err, errlen);
}

int pod_ctl_reply(int fd, struct json_object *result, const char *error)
{
	struct json_object *o = json_object_new_object();
	const char *text;
	size_t len;
	int ret;

	json_object_object_add(o, "version",
			       json_object_new_int(POD_CTL_VERSION));
	json_object_object_add(o, "ok", json_object_new_boolean(!error));
	if (error) {
		json_object_put(result);
		json_object_object_add(o, "error",
				       json_object_new_string(error));
	} else {
		json_object_object_add(o, "result", result);
	}
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	ret = len > POD_CTL_REPLY_MAX ? -EMSGSIZE :
	      send(fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len ?
	      0 : -errno;
	json_object_put(o);
	return ret;
}

int pod_ctl_call(const char *path, const char *request, int timeout_ms,
		 struct json_object **result, char *err, size_t errlen)
{
	struct json_object *o = NULL, *v;
	struct sockaddr_un sa;
	struct pollfd pfd;
	char *buf = NULL;
	ssize_t len;
	int fd, ret = -1;

	*result = NULL;
	if (sock_addr(path, &sa, err, errlen))
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errlen, -1, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fail(err, errlen, 0, "%s: %s (is dormantd running?)", path,
		     strerror(errno));
		goto out;
	}
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) < 0) {
		fail(err, errlen, 0, "%s: send: %s", path, strerror(errno));
		goto out;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, timeout_ms) != 1) {
		fail(err, errlen, 0, "%s: no reply within %d ms", path,
		     timeout_ms);
		goto out;
	}
	buf = malloc(POD_CTL_REPLY_MAX + 1);
	if (!buf) {
		fail(err, errlen, 0, "out of memory");
		goto out;
	}
	len = recv(fd, buf, POD_CTL_REPLY_MAX + 1, MSG_TRUNC);
	if (len <= 0 || len > POD_CTL_REPLY_MAX) {
		fail(err, errlen, 0, "%s: %s", path, len < 0 ? strerror(errno) :
		     len ? "a reply over 1 MiB" : "dormantd closed without a reply");
		goto out;
	}
	o = parse_text(buf, len, err, errlen);
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "version", &v) ||
	    json_object_get_int64(v) != POD_CTL_VERSION ||
	    !json_object_object_get_ex(o, "ok", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		fail(err, errlen, 0, "%s: the reply is not one of dormantd's (control protocol %d)",
		     path, POD_CTL_VERSION);
		goto out;
	}
	if (!json_object_get_boolean(v)) {
		fail(err, errlen, 0, "dormantd: %s",
		     json_object_object_get_ex(o, "error", &v) ?
		     json_object_get_string(v) : "refused, with no reason");
		goto out;
	}
	if (!json_object_object_get_ex(o, "result", &v)) {
		fail(err, errlen, 0, "%s: the reply has no result", path);
		goto out;
	}
	*result = json_object_get(v);
	ret = 0;
out:
	json_object_put(o);
	free(buf);
	close(fd);
	return ret;
}
