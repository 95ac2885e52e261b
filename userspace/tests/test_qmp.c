// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of qmp: the client of QEMU's machine protocol. A fake QEMU in
 * a child process listens on a UNIX socket in a temporary directory, says
 * the lines of a script and writes down every line the client sends; the
 * tests check what qmp_open and qmp_cmd return, the reasons they give, and
 * that what reached the "QEMU" was one JSON command per line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "qmp.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, " \
	"\"minor\": 2, \"major\": 8}, \"package\": \"\"}, " \
	"\"capabilities\": [\"oob\"]}}\n"
#define RETURN_EMPTY "{\"return\": {}}\n"
#define EVENT "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, " \
	"\"event\": \"MIGRATION\", \"data\": {\"status\": \"setup\"}}\n"

/* One step of the fake QEMU's script. */
enum step_op {
	STEP_END,	/* close the connection and exit */
	STEP_SEND,	/* send text as it is (the newline is part of it) */
	STEP_RECV,	/* read one line from the client and write it down */
	STEP_DRAIN,	/* write down all the client sends until it closes */
	STEP_HANG,	/* say nothing until killed */
};

struct step {
	enum step_op op;
	const char *text;
};

#define SEND(t)	{ STEP_SEND, t }
#define RECV	{ STEP_RECV, NULL }
#define DRAIN	{ STEP_DRAIN, NULL }
#define HANG	{ STEP_HANG, NULL }
#define END	{ STEP_END, NULL }

FIXTURE(qemu)
{
	char dir[64];
	char path[128];
	char log[128];
	pid_t pid;
};

FIXTURE_SETUP(qemu)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/test_qmp.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/qmp.sock", self->dir);
	snprintf(self->log, sizeof(self->log), "%s/sent", self->dir);
	self->pid = -1;
}

FIXTURE_TEARDOWN(qemu)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	unlink(self->path);
	unlink(self->log);
	rmdir(self->dir);
}

/* Wait up to 5 s for @fd to be readable; 0 if it is. */
static int wait_in(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 5000) == 1 ? 0 : -1;
}

/* The fake QEMU's side of one connection, in the child. */
static void play(int lfd, const char *log, const struct step *s)
{
	FILE *out;
	char c;
	ssize_t n;
	int fd;

	out = fopen(log, "w");
	if (!out || wait_in(lfd))
		_exit(10);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		_exit(11);
	close(lfd);
	for (; s->op != STEP_END; s++) {
		switch (s->op) {
		case STEP_SEND:
			n = strlen(s->text);
			if (send(fd, s->text, n, MSG_NOSIGNAL) != n)
				_exit(12);
			break;
		case STEP_RECV:
			do {
				if (wait_in(fd) || read(fd, &c, 1) != 1)
					_exit(13);
				fputc(c, out);
			} while (c != '\n');
			fflush(out);
			break;
		case STEP_DRAIN:
			while (!wait_in(fd) && read(fd, &c, 1) == 1)
				fputc(c, out);
			fflush(out);
			break;
		case STEP_HANG:
			for (;;)
				pause();
		default:
			_exit(14);
		}
	}
	close(fd);
	fclose(out);
	_exit(0);
}

/* Start a fake QEMU that plays @script to the first client. */
static pid_t start(const char *path, const char *log, const struct step *script)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	pid_t pid;
	int lfd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 1))
		return -1;
	pid = fork();
	if (!pid)
		play(lfd, log, script);
	close(lfd);
	return pid;
}

/* The fake QEMU's exit status; it is reaped, so teardown leaves it be. */
static int reap(pid_t *pid)
{
	int st;

	if (waitpid(*pid, &st, 0) != *pid)
		return -1;
	*pid = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * The lines the client sent, each checked to be exactly one JSON object
 * ended by a newline; NULL (and a log line) if one is not. @n gets the
 * number of lines.
 */
static struct json_object **sent(const char *log, int *n)
{
	struct json_object **lines = NULL, *o;
	struct json_tokener *tok;
	size_t cap = 0;
	char *line = NULL;
	ssize_t len;
	FILE *f;

	*n = 0;
	f = fopen(log, "r");
	if (!f)
		return NULL;
	tok = json_tokener_new();
	while ((len = getline(&line, &cap, f)) > 0) {
		json_tokener_reset(tok);
		o = NULL;
		if (line[len - 1] == '\n')
			o = json_tokener_parse_ex(tok, line, len - 1);
		if (!o || json_tokener_get_error(tok) != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != (size_t)len - 1 ||
		    !json_object_is_type(o, json_type_object)) {
			fprintf(stderr, "# not one JSON object on its line: '%s'\n",
				line);
			json_object_put(o);
			goto fail;
		}
		lines = realloc(lines, (*n + 1) * sizeof(*lines));
		lines[(*n)++] = o;
	}
	json_tokener_free(tok);
	free(line);
	fclose(f);
	return lines;
fail:
	while (*n)
		json_object_put(lines[--*n]);
	free(lines);
	json_tokener_free(tok);
	free(line);
	fclose(f);
	return NULL;
}

static void put_sent(struct json_object **lines, int n)
{
	while (n)
		json_object_put(lines[--n]);
	free(lines);
}

/* "execute" of line @o, or "" if it has none or not a string. */
static const char *execute(struct json_object *o)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, "execute", &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* "arguments" of line @o as plain JSON text, or NULL if it has none. */
static const char *arguments(struct json_object *o)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, "arguments", &v))
		return NULL;
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A whole session: greeting, capabilities, a command with arguments whose
 * answer comes after an event, and one without arguments or a place for
 * the answer.
 */
TEST_F(qemu, good_session)
{
	static const struct step script[] = {
		SEND(GREETING),
		RECV,
		SEND(RETURN_EMPTY),
		RECV,
		SEND(EVENT),
		SEND("{\"return\": {\"status\": \"running\", \"running\": true}}\n"),
		RECV,
		SEND(EVENT),
		SEND(EVENT),
		SEND(RETURN_EMPTY),
		DRAIN,
		END,
	};
	struct json_object *args, *ret = NULL, *v, **lines;
	char err[256] = "";
	struct qmp *q;
	int n;

	self->pid = start(self->path, self->log, script);
	ASSERT_LT(0, self->pid);
	q = qmp_open(self->path, 5, err, sizeof(err));
	ASSERT_NE(NULL, q) TH_LOG("%s", err);

	args = json_object_new_object();
	json_object_object_add(args, "uri",
			       json_object_new_string("tcp:10.0.0.2:4444"));
	json_object_object_add(args, "detach", json_object_new_boolean(1));
	ASSERT_EQ(0, qmp_cmd(q, "query-status", args, &ret, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_NE(NULL, ret);
	ASSERT_TRUE(json_object_is_type(ret, json_type_object));
	ASSERT_TRUE(json_object_object_get_ex(ret, "status", &v));
	EXPECT_STREQ("running", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(ret, "running", &v));
	EXPECT_TRUE(json_object_get_boolean(v));
	json_object_put(ret);
	/* @args is not taken over: still the caller's */
	EXPECT_EQ(2, json_object_object_length(args));
	json_object_put(args);

	EXPECT_EQ(0, qmp_cmd(q, "stop", NULL, NULL, err, sizeof(err)))
		TH_LOG("%s", err);
	qmp_close(q);
	ASSERT_EQ(0, reap(&self->pid));

	/* what QEMU heard: three commands, one JSON object a line */
	lines = sent(self->log, &n);
	ASSERT_NE(NULL, lines);
	ASSERT_EQ(3, n);
	EXPECT_STREQ("qmp_capabilities", execute(lines[0]));
	EXPECT_EQ(NULL, arguments(lines[0]));
	EXPECT_STREQ("query-status", execute(lines[1]));
	EXPECT_STREQ("{\"uri\":\"tcp:10.0.0.2:4444\",\"detach\":true}",
		     arguments(lines[1]));
	EXPECT_STREQ("stop", execute(lines[2]));
	EXPECT_EQ(NULL, arguments(lines[2]));
	EXPECT_EQ(1, json_object_object_length(lines[2]));
	put_sent(lines, n);
}

/* A "return" that is not an object is still the answer. */
TEST_F(qemu, return_not_object)
{
	static const struct step script[] = {
		SEND(GREETING),
		RECV,
		SEND(RETURN_EMPTY),
		RECV,
		SEND("{\"return\": [1, 2, 3], \"id\": \"x\"}\n"),
		DRAIN,
		END,
	};
	struct json_object *ret = NULL;
	char err[256] = "";
	struct qmp *q;

	self->pid = start(self->path, self->log, script);
	ASSERT_LT(0, self->pid);
	q = qmp_open(self->path, 5, err, sizeof(err));
	ASSERT_NE(NULL, q) TH_LOG("%s", err);
	ASSERT_EQ(0, qmp_cmd(q, "query-x", NULL, &ret, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_NE(NULL, ret);
	EXPECT_TRUE(json_object_is_type(ret, json_type_array));
	EXPECT_EQ(3, json_object_array_length(ret));
	json_object_put(ret);
	qmp_close(q);
	EXPECT_EQ(0, reap(&self->pid));
}

/* QEMU's error: -EIO with its description and the command's name. */
TEST_F(qemu, error_reply)
{
	static const struct step script[] = {
		SEND(GREETING),
		RECV,
		SEND(RETURN_EMPTY),
		RECV,
		SEND(EVENT),
		SEND("{\"error\": {\"class\": \"GenericError\", \"desc\": \"boom\"}}\n"),
		RECV,
		SEND("{\"error\": {\"class\": \"GenericError\"}}\n"),
		RECV,
		SEND(RETURN_EMPTY),
		DRAIN,
		END,
	};
	struct json_object *args, *ret = NULL, **lines;
	char err[256] = "";
	struct qmp *q;
	int n;

	self->pid = start(self->path, self->log, script);
	ASSERT_LT(0, self->pid);
	q = qmp_open(self->path, 5, err, sizeof(err));
	ASSERT_NE(NULL, q) TH_LOG("%s", err);
	args = json_object_new_object();
	json_object_object_add(args, "uri", json_object_new_string("x:y"));
	EXPECT_EQ(-EIO, qmp_cmd(q, "migrate", args, &ret, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "boom")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "migrate")) TH_LOG("%s", err);
	EXPECT_EQ(NULL, ret);
	json_object_put(args);
	/* an error without a description still fails, with the name */
	err[0] = 0;
	EXPECT_EQ(-EIO, qmp_cmd(q, "cont", NULL, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "cont")) TH_LOG("%s", err);
	/* and the session goes on */
	EXPECT_EQ(0, qmp_cmd(q, "stop", NULL, &ret, err, sizeof(err)))
		TH_LOG("%s", err);
	json_object_put(ret);
	qmp_close(q);
	ASSERT_EQ(0, reap(&self->pid));

	lines = sent(self->log, &n);
	ASSERT_NE(NULL, lines);
	ASSERT_EQ(4, n);
	EXPECT_STREQ("migrate", execute(lines[1]));
	EXPECT_STREQ("{\"uri\":\"x:y\"}", arguments(lines[1]));
	EXPECT_STREQ("cont", execute(lines[2]));
	EXPECT_STREQ("stop", execute(lines[3]));
	put_sent(lines, n);
}

/* What is not QEMU's greeting: qmp_open fails and says why. */
TEST_F(qemu, bad_greeting)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
		{ "hello, I am not QEMU\n", "not QMP" },
		{ "{\"QMP\":\n", "not QMP" },
		{ "[{\"QMP\": {}}]\n", "not QMP" },
		{ "\"QMP\"\n", "not QMP" },
		{ "42\n", "not QMP" },
		{ "\n", "not QMP" },
		{ "{\"foo\": 1}\n", "no QMP greeting" },
		{ RETURN_EMPTY, "no QMP greeting" },
		{ "", "closed the QMP socket" },
	};
	struct step script[] = { SEND(NULL), DRAIN, END };
	char err[256];
	unsigned int i;
	struct qmp *q;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unlink(self->path);
		script[0].text = cases[i].line;
		/* nothing said: close at once, or both sides wait */
		script[1].op = STEP_DRAIN;
		if (!cases[i].line[0])
			script[1].op = STEP_END;
		self->pid = start(self->path, self->log, script);
		ASSERT_LT(0, self->pid);
		err[0] = 0;
		q = qmp_open(self->path, 5, err, sizeof(err));
		EXPECT_EQ(NULL, q) TH_LOG("accepted: %s", cases[i].line);
		qmp_close(q);
		EXPECT_NE(NULL, strstr(err, cases[i].why))
			TH_LOG("'%s': said '%s', not '%s'", cases[i].line, err,
			       cases[i].why);
		EXPECT_EQ(0, reap(&self->pid));
	}
}

/* Garbage instead of the answer to qmp_capabilities, or to a command. */
TEST_F(qemu, bad_reply)
{
	static const char * const bad[] = {
		"not json at all\n",
		"[\"return\", {}]\n",
		"{\"return\":\n",
	};
	struct step open_script[] = {
		SEND(GREETING), RECV, SEND(NULL), DRAIN, END,
	};
	struct step cmd_script[] = {
		SEND(GREETING), RECV, SEND(RETURN_EMPTY), RECV, SEND(NULL),
		DRAIN, END,
	};
	struct json_object *ret;
	char err[256];
	unsigned int i;
	struct qmp *q;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		unlink(self->path);
		open_script[2].text = bad[i];
		self->pid = start(self->path, self->log, open_script);
		ASSERT_LT(0, self->pid);
		err[0] = 0;
		q = qmp_open(self->path, 5, err, sizeof(err));
		EXPECT_EQ(NULL, q) TH_LOG("accepted: %s", bad[i]);
		qmp_close(q);
		EXPECT_NE(NULL, strstr(err, "not QMP")) TH_LOG("%s", err);
		EXPECT_EQ(0, reap(&self->pid));

		unlink(self->path);
		cmd_script[4].text = bad[i];
		self->pid = start(self->path, self->log, cmd_script);
		ASSERT_LT(0, self->pid);
		q = qmp_open(self->path, 5, err, sizeof(err));
		ASSERT_NE(NULL, q) TH_LOG("%s", err);
		err[0] = 0;
		ret = NULL;
		EXPECT_EQ(-EPROTO, qmp_cmd(q, "query-status", NULL, &ret, err,
					   sizeof(err)))
			TH_LOG("accepted: %s", bad[i]);
		EXPECT_EQ(NULL, ret);
		EXPECT_NE(NULL, strstr(err, "not QMP")) TH_LOG("%s", err);
		qmp_close(q);
		EXPECT_EQ(0, reap(&self->pid));
	}
}

/* QEMU goes away before it answers: an error, not a hang. */
TEST_F(qemu, closed_early)
{
	static const struct step at_caps[] = {
		SEND(GREETING), RECV, END,
	};
	static const struct step at_cmd[] = {
		SEND(GREETING), RECV, SEND(RETURN_EMPTY), RECV, SEND(EVENT), END,
	};
	static const struct step gone[] = {
		SEND(GREETING), RECV, SEND(RETURN_EMPTY), END,
	};
	struct json_object *ret = NULL, **lines;
	char err[256] = "";
	struct qmp *q;
	double t;
	int n;

	/* after the greeting, without an answer to qmp_capabilities */
	self->pid = start(self->path, self->log, at_caps);
	ASSERT_LT(0, self->pid);
	t = now();
	EXPECT_EQ(NULL, qmp_open(self->path, 5, err, sizeof(err)));
	EXPECT_LT(now() - t, 2);
	EXPECT_NE(NULL, strstr(err, "closed the QMP socket")) TH_LOG("%s", err);
	EXPECT_EQ(0, reap(&self->pid));

	/* after a command (and an event), without its answer */
	unlink(self->path);
	self->pid = start(self->path, self->log, at_cmd);
	ASSERT_LT(0, self->pid);
	q = qmp_open(self->path, 5, err, sizeof(err));
	ASSERT_NE(NULL, q) TH_LOG("%s", err);
	err[0] = 0;
	t = now();
	EXPECT_EQ(-ECONNRESET, qmp_cmd(q, "migrate-cancel", NULL, &ret, err,
				       sizeof(err)));
	EXPECT_LT(now() - t, 2);
	EXPECT_EQ(NULL, ret);
	EXPECT_NE(NULL, strstr(err, "closed the QMP socket")) TH_LOG("%s", err);
	qmp_close(q);
	EXPECT_EQ(0, reap(&self->pid));
	lines = sent(self->log, &n);
	ASSERT_NE(NULL, lines);
	ASSERT_EQ(2, n);
	EXPECT_STREQ("migrate-cancel", execute(lines[1]));
	put_sent(lines, n);

	/* gone before the command is sent: no SIGPIPE, an error */
	unlink(self->path);
	self->pid = start(self->path, self->log, gone);
	ASSERT_LT(0, self->pid);
	q = qmp_open(self->path, 5, err, sizeof(err));
	ASSERT_NE(NULL, q) TH_LOG("%s", err);
	ASSERT_EQ(0, reap(&self->pid));
	err[0] = 0;
	n = qmp_cmd(q, "stop", NULL, NULL, err, sizeof(err));
	EXPECT_TRUE(n == -EPIPE || n == -ECONNRESET) TH_LOG("%d: %s", n, err);
	EXPECT_NE(NULL, strstr(err, "stop")) TH_LOG("%s", err);
	qmp_close(q);
}

/* A QEMU that never answers: NULL within about the timeout. */
TEST_F(qemu, no_answer)
{
	static const struct step silent[] = { HANG, END };
	static const struct step mute[] = {
		SEND(GREETING), RECV, SEND(RETURN_EMPTY), RECV, SEND(EVENT),
		HANG, END,
	};
	char err[256] = "";
	struct qmp *q;
	double t;

	self->pid = start(self->path, self->log, silent);
	ASSERT_LT(0, self->pid);
	t = now();
	q = qmp_open(self->path, 1, err, sizeof(err));
	t = now() - t;
	EXPECT_EQ(NULL, q);
	qmp_close(q);
	EXPECT_LT(t, 2) TH_LOG("waited %.2f s", t);
	EXPECT_LT(0.9, t) TH_LOG("waited only %.2f s", t);
	EXPECT_NE(NULL, strstr(err, "did not answer in time")) TH_LOG("%s", err);
	kill(self->pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, reap(&self->pid));

	/* and a command that is never answered (an event does not count) */
	unlink(self->path);
	self->pid = start(self->path, self->log, mute);
	ASSERT_LT(0, self->pid);
	q = qmp_open(self->path, 1, err, sizeof(err));
	ASSERT_NE(NULL, q) TH_LOG("%s", err);
	err[0] = 0;
	t = now();
	EXPECT_EQ(-EAGAIN, qmp_cmd(q, "query-migrate", NULL, NULL, err,
				   sizeof(err)));
	t = now() - t;
	EXPECT_LT(t, 2) TH_LOG("waited %.2f s", t);
	EXPECT_NE(NULL, strstr(err, "did not answer in time")) TH_LOG("%s", err);
	qmp_close(q);
	kill(self->pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, reap(&self->pid));
}

/* No socket there, or a path no socket can have. */
TEST_F(qemu, bad_path)
{
	char longp[200], err[256] = "";
	struct sockaddr_un sa;

	EXPECT_EQ(NULL, qmp_open(self->path, 1, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "No such file")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, self->path)) TH_LOG("%s", err);

	/* one byte more than sun_path holds with its NUL, and far more */
	memset(longp, 'x', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(sa.sun_path)] = 0;
	err[0] = 0;
	EXPECT_EQ(NULL, qmp_open(longp, 1, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "too long")) TH_LOG("%s", err);
	longp[sizeof(longp) - 1] = 0;
	err[0] = 0;
	EXPECT_EQ(NULL, qmp_open(longp, 1, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "too long")) TH_LOG("%s", err);
	/* the longest that fits gets as far as connect */
	longp[sizeof(sa.sun_path) - 1] = 0;
	err[0] = 0;
	EXPECT_EQ(NULL, qmp_open(longp, 1, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "No such file")) TH_LOG("%s", err);
	/* and qmp_close takes NULL */
	qmp_close(NULL);
}

TEST_HARNESS_MAIN
