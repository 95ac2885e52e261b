/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qmp: a client of QEMU's machine protocol (docs/interop/qmp-spec.rst in
 * QEMU): a UNIX socket, one JSON object per line, a greeting, then
 * qmp_capabilities; replies carry "return" or "error", and events may come
 * between them. Used by `dormantctl move` to drive QEMU's own migration.
 */
#ifndef _QMP_H
#define _QMP_H

#include <stddef.h>

struct json_object;
struct qmp;

/*
 * Connect to the QMP socket at @path and leave capabilities negotiation;
 * NULL with the reason in @err. Every reply must come whole within
 * @timeout_s seconds of its command (0: no limit).
 */
struct qmp *qmp_open(const char *path, unsigned int timeout_s, char *err,
		     size_t errlen);
void qmp_close(struct qmp *q);

/*
 * Run @name with @args (NULL: none; not taken over). 0 with the "return"
 * value in *@ret (the caller puts it; @ret may be NULL), -EIO with QEMU's
 * error description in @err, or another -errno if the socket failed or
 * QEMU sent something that is not QMP (one JSON object per line): then the
 * handle is out of step with QEMU, and every later call fails with -EPIPE
 * (close it).
 */
int qmp_cmd(struct qmp *q, const char *name, struct json_object *args,
	    struct json_object **ret, char *err, size_t errlen);

#endif /* _QMP_H */
