/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pod_ctl: dormantd's control socket, through which dormantctl asks the
 * local daemon for its counters and tells it to drain.
 *
 * An AF_UNIX SOCK_SEQPACKET socket (default POD_CTL_PATH, mode 0600), one
 * request and one reply per connection, each one packet of JSON:
 *
 *   request  {"version": 1, "command": "stats"}
 *            {"version": 1, "command": "drain", "member": "b"}
 *   reply    {"version": 1, "ok": true, "result": { ... }}
 *            {"version": 1, "ok": false, "error": "why, in words"}
 *
 * A request is at most POD_CTL_REQ_MAX bytes; the daemon takes only
 * requests from root or its own user (SO_PEERCRED). Every malformed
 * request gets an error reply naming its fault, and is counted and
 * logged by the daemon (Documentation/user-guide.rst, "dormantctl pod").
 */
#ifndef _POD_CTL_H
#define _POD_CTL_H

#include <stddef.h>
#include <sys/types.h>

#define POD_CTL_VERSION		1
#define POD_CTL_PATH		"/run/dormantd.sock"
#define POD_CTL_REQ_MAX		1024
#define POD_CTL_REPLY_MAX	(1024 * 1024)
#define POD_CTL_NAME_MAX	32	/* a member's name, with its NUL */

struct json_object;

enum pod_ctl_cmd {
	POD_CTL_STATS = 1,
	POD_CTL_DRAIN,
};

/**
 * struct pod_ctl_req - a request, parsed and checked for form
 * @cmd: what is asked
 * @member: for POD_CTL_DRAIN, the member to drain to (not yet checked
 *	against the pod: the daemon does that)
 */
struct pod_ctl_req {
	enum pod_ctl_cmd cmd;
	char member[POD_CTL_NAME_MAX];
};

/* Parse one request of @len bytes; 0, or -EPROTO with the reason in @err. */
int pod_ctl_parse(const char *buf, size_t len, struct pod_ctl_req *req,
		  char *err, size_t errlen);

/*
 * The daemon's side. pod_ctl_listen() makes the socket at @path, taking
 * over a stale one a dead daemon left, refusing one a live daemon answers
 * on; a listening fd or -1 with @err. pod_ctl_read() takes one request
 * from a connection: 0 (@req filled), -EPROTO (@err says why: reply with
 * it), -ENODATA (the client went without asking), -EPERM (a user that may
 * not ask) or -EAGAIN (nothing yet). pod_ctl_reply() sends the reply:
 * @result (ok) or @error, never both; it takes @result over.
 */
int pod_ctl_listen(const char *path, char *err, size_t errlen);
int pod_ctl_read(int fd, struct pod_ctl_req *req, char *err, size_t errlen);
int pod_ctl_reply(int fd, struct json_object *result, const char *error);

/*
 * The client's side: send @request (a JSON text) to the daemon at @path
 * and wait up to @timeout_ms for the reply. 0 with the reply's result in
 * *@result (the caller puts it), or -1 with @err saying why: no daemon,
 * no reply, a reply that is not one, or the daemon's own error.
 */
int pod_ctl_call(const char *path, const char *request, int timeout_ms,
		 struct json_object **result, char *err, size_t errlen);

#endif /* _POD_CTL_H */
