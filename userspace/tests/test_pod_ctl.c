// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pod_ctl: dormantd's control socket. Every malformed
 * request is checked for its return code and the reason it gives; the
 * socket's life (stale sockets, a second daemon, a client of another
 * user) and a whole request and reply go through real AF_UNIX sockets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pod_ctl.h"

static int parse(const char *text, struct pod_ctl_req *req, char *err)
{
	return pod_ctl_parse(text, strlen(text), req, err, 256);
}

TEST(good_requests)
{
	struct pod_ctl_req req;
	char err[256];

	ASSERT_EQ(0, parse("{\"version\":1,\"command\":\"stats\"}", &req, err));
	EXPECT_EQ(POD_CTL_STATS, req.cmd);
	ASSERT_EQ(0, parse(" { \"command\" : \"drain\", \"member\": \"b-2\", \"version\": 1 }\n",
			   &req, err));
	EXPECT_EQ(POD_CTL_DRAIN, req.cmd);
	EXPECT_STREQ("b-2", req.member);
}

/* garbage: each refused with -EPROTO and a reason that names its fault */
TEST(garbage)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "", "not one JSON value" },
		{ "stats", "not one JSON value" },
		{ "{\"version\":1,\"command\":\"stats\"", "unexpected end" },
		{ "{\"version\":1,\"command\":\"stats\"} {}", "not one JSON value" },
		{ "[1]", "not a JSON object" },
		{ "{\"command\":\"stats\"}", "\"version\" is missing" },
		{ "{\"version\":\"1\",\"command\":\"stats\"}", "\"version\" is missing or not a number" },
		{ "{\"version\":2,\"command\":\"stats\"}", "version 2: this dormantd speaks 1" },
		{ "{\"version\":1}", "\"command\" is missing" },
		{ "{\"version\":1,\"command\":7}", "\"command\" is missing or not a string" },
		{ "{\"version\":1,\"command\":\"reboot\"}", "unknown command \"reboot\"" },
		{ "{\"version\":1,\"command\":\"stats\",\"x\":1}", "unknown key \"x\"" },
		{ "{\"version\":1,\"command\":\"stats\",\"member\":\"a\"}", "takes no member" },
		{ "{\"version\":1,\"command\":\"drain\"}", "needs a member" },
		{ "{\"version\":1,\"command\":\"drain\",\"member\":1}", "needs a member" },
		{ "{\"version\":1,\"command\":\"drain\",\"member\":\"\"}", "is not a member's name" },
		{ "{\"version\":1,\"command\":\"drain\",\"member\":\"B\"}", "is not a member's name" },
		{ "{\"version\":1,\"command\":\"drain\",\"member\":\"-a\"}", "is not a member's name" },
		{ "{\"version\":1,\"command\":\"drain\",\"member\":\"a/../b\"}", "is not a member's name" },
		{ "{\"version\":1,\"command\":\"drain\",\"member\":\"abcdefghijabcdefghijabcdefghijab\"}",
		  "is not a member's name" },
		{ "{'version':1}", "\"command\" is missing" },
	};
	struct pod_ctl_req req;
	char err[256];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		EXPECT_EQ(-EPROTO, parse(cases[i].text, &req, err))
			TH_LOG("accepted: %s", cases[i].text);
		EXPECT_NE(NULL, strstr(err, cases[i].why))
			TH_LOG("'%s': said '%s', not '%s'", cases[i].text, err,
			       cases[i].why);
	}
}

TEST(nul_and_size)
{
	static const char nul[] = "{\"version\":1,\"command\":\"stats\"}\0";
	char big[POD_CTL_REQ_MAX + 2], err[256];
	struct pod_ctl_req req;

	EXPECT_EQ(-EPROTO, pod_ctl_parse(nul, sizeof(nul) - 1, &req, err,
					 sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "NUL byte"));
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"version\":1,\"command\":\"stats\"}", 31);
	EXPECT_EQ(-EPROTO, pod_ctl_parse(big, sizeof(big), &req, err,
					 sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "at most 1024"));
}

FIXTURE(sock)
{
	char dir[64];
	char path[128];
};

FIXTURE_SETUP(sock)
{
	strcpy(self->dir, "/tmp/pod_ctl.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/ctl.sock", self->dir);
}

FIXTURE_TEARDOWN(sock)
{
	unlink(self->path);
	rmdir(self->dir);
}

/* The daemon's side, in a child: serve @n requests, each with serve_one. */
static void serve(int lfd, int n, int mode)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	struct pod_ctl_req req;
	struct json_object *r;
	char err[256];
	int fd, ret;

	while (n--) {
		if (poll(&pfd, 1, 5000) != 1)
			_exit(10);
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			_exit(11);
		do {
			struct pollfd c = { .fd = fd, .events = POLLIN };

			poll(&c, 1, 5000);
			ret = pod_ctl_read(fd, &req, err, sizeof(err));
		} while (ret == -EAGAIN);
		if (mode == 1) {	/* close without a reply */
			close(fd);
			continue;
		}
		if (ret) {
			pod_ctl_reply(fd, NULL, err);
		} else {
			r = json_object_new_object();
			json_object_object_add(r, "cmd",
					       json_object_new_int(req.cmd));
			pod_ctl_reply(fd, r, NULL);
		}
		close(fd);
	}
	_exit(0);
}

static int reap(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST_F(sock, request_and_reply)
{
	struct json_object *r, *v;
	char err[512];
	pid_t pid;
	int lfd;

	lfd = pod_ctl_listen(self->path, err, sizeof(err));
	ASSERT_LE(0, lfd) TH_LOG("%s", err);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		serve(lfd, 3, 0);
	ASSERT_EQ(0, pod_ctl_call(self->path, "{\"version\":1,\"command\":\"stats\"}",
				  5000, &r, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_TRUE(json_object_object_get_ex(r, "cmd", &v));
	EXPECT_EQ(POD_CTL_STATS, json_object_get_int(v));
	json_object_put(r);
	/* the daemon's refusal comes back as the call's error */
	EXPECT_EQ(-1, pod_ctl_call(self->path, "{\"version\":9}", 5000, &r,
				   err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "dormantd: version 9")) TH_LOG("%s", err);
	EXPECT_EQ(NULL, r);
	/* a request too long for the daemon: refused whole, not cut */
	{
		char big[POD_CTL_REQ_MAX + 100];

		memset(big, ' ', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		memcpy(big, "{\"version\":1,\"command\":\"stats\"}", 31);
		EXPECT_EQ(-1, pod_ctl_call(self->path, big, 5000, &r, err,
					   sizeof(err)));
		EXPECT_NE(NULL, strstr(err, "request of 1123 bytes"))
			TH_LOG("%s", err);
	}
	EXPECT_EQ(0, reap(pid));
	close(lfd);
}

TEST_F(sock, no_reply)
{
	struct json_object *r;
	char err[512];
	pid_t pid;
	int lfd;

	lfd = pod_ctl_listen(self->path, err, sizeof(err));
	ASSERT_LE(0, lfd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		serve(lfd, 1, 1);
	EXPECT_EQ(-1, pod_ctl_call(self->path, "{\"version\":1,\"command\":\"stats\"}",
				   5000, &r, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "closed without a reply")) TH_LOG("%s", err);
	EXPECT_EQ(0, reap(pid));
	close(lfd);
	/* and no daemon at all */
	unlink(self->path);
	EXPECT_EQ(-1, pod_ctl_call(self->path, "{}", 1000, &r, err,
				   sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "is dormantd running?")) TH_LOG("%s", err);
}

TEST_F(sock, not_a_reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct json_object *r;
	char err[512];
	pid_t pid;
	int lfd, fd;

	/* a listener that answers with something that is not a reply */
	strcpy(sa.sun_path, self->path);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(lfd, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char buf[64];

		fd = accept(lfd, NULL, NULL);
		if (fd < 0 || recv(fd, buf, sizeof(buf), 0) <= 0)
			_exit(1);
		send(fd, "{\"version\":1,\"result\":{}}", 25, 0);
		_exit(0);
	}
	EXPECT_EQ(-1, pod_ctl_call(self->path, "{\"version\":1,\"command\":\"stats\"}",
				   5000, &r, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not one of dormantd's")) TH_LOG("%s", err);
	EXPECT_EQ(0, reap(pid));
	close(lfd);
}

TEST_F(sock, socket_life)
{
	char err[512];
	int lfd, fd;

	/* a stale socket (its daemon gone) is taken over */
	lfd = pod_ctl_listen(self->path, err, sizeof(err));
	ASSERT_LE(0, lfd);
	/* a live one is not */
	EXPECT_EQ(-1, pod_ctl_listen(self->path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "another dormantd answers there"))
		TH_LOG("%s", err);
	close(lfd);
	lfd = pod_ctl_listen(self->path, err, sizeof(err));
	EXPECT_LE(0, lfd) TH_LOG("stale socket not taken over: %s", err);
	close(lfd);
	/* only its owner may use it */
	{
		struct stat st;

		ASSERT_EQ(0, stat(self->path, &st));
		EXPECT_EQ(0600, st.st_mode & 0777);
	}
	/* a file that is not a socket stays */
	unlink(self->path);
	fd = open(self->path, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-1, pod_ctl_listen(self->path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "is not a socket")) TH_LOG("%s", err);
	/* a path too long for sun_path */
	{
		char longp[200];

		memset(longp, 'x', sizeof(longp) - 1);
		longp[0] = '/';
		longp[sizeof(longp) - 1] = 0;
		EXPECT_EQ(-1, pod_ctl_listen(longp, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, "longer than")) TH_LOG("%s", err);
	}
}

/* a client of another user is refused (needs root to be one) */
TEST_F(sock, other_user)
{
	struct pod_ctl_req req;
	struct json_object *r;
	char err[512];
	pid_t pid;
	int lfd, fd;

	if (geteuid() != 0)
		SKIP(return, "needs root to connect as another user");
	lfd = pod_ctl_listen(self->path, err, sizeof(err));
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, chmod(self->path, 0666));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setuid(65534))
			_exit(20);
		pod_ctl_call(self->path, "{\"version\":1,\"command\":\"stats\"}",
			     5000, &r, err, sizeof(err));
		if (!strstr(err, "may not ask")) {
			fprintf(stderr, "# the client heard: %s\n", err);
			_exit(21);
		}
		_exit(0);
	}
	{
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };

		ASSERT_EQ(1, poll(&pfd, 1, 5000));
	}
	fd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, fd);
	{
		/* the client may not have sent yet: wait for its request */
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		ASSERT_EQ(1, poll(&pfd, 1, 5000));
	}
	EXPECT_EQ(-EPERM, pod_ctl_read(fd, &req, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "user 65534 may not ask")) TH_LOG("%s", err);
	pod_ctl_reply(fd, NULL, err);
	close(fd);
	EXPECT_EQ(0, reap(pid));
	close(lfd);
}

TEST_HARNESS_MAIN
