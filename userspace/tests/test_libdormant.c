// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of libdormant (no module needed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libdormant.h"

TEST(nodemask_to_list)
{
	char buf[64];

	EXPECT_EQ(0, dmt_nodemask_to_list(0, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_EQ(1, dmt_nodemask_to_list(1, buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	dmt_nodemask_to_list(0x3, buf, sizeof(buf));
	EXPECT_STREQ("0-1", buf);
	dmt_nodemask_to_list(0x2d, buf, sizeof(buf));
	EXPECT_STREQ("0,2-3,5", buf);
	dmt_nodemask_to_list(1ULL << 63, buf, sizeof(buf));
	EXPECT_STREQ("63", buf);
	dmt_nodemask_to_list(~0ULL, buf, sizeof(buf));
	EXPECT_STREQ("0-63", buf);
}

TEST(nodemask_to_list_too_small)
{
	char buf[4];

	EXPECT_EQ(-ENOSPC, dmt_nodemask_to_list(0x2d, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_EQ(-ENOSPC, dmt_nodemask_to_list(1, buf, 0));
	EXPECT_EQ(-ENOSPC, dmt_nodemask_to_list(1, buf, 1));
}

/* nodes past 63, from the bitmap of DORMANT_F_NODE_BITMAP */
TEST(nodes_to_list_wide)
{
	uint64_t w[17] = { 0 };
	char buf[64];

	w[0] = 0x3;
	w[1] = 1ULL << 6;			/* node 70 */
	w[15] = 1ULL << 40 | 1ULL << 41;	/* nodes 1000, 1001 */
	w[16] = 1ULL << 63;			/* node 1087 */
	EXPECT_LT(0, dmt_nodes_to_list(w, 17 * 64, buf, sizeof(buf)));
	EXPECT_STREQ("0-1,70,1000-1001,1087", buf);
	/* only the bits asked for are read */
	EXPECT_LT(0, dmt_nodes_to_list(w, 64, buf, sizeof(buf)));
	EXPECT_STREQ("0-1", buf);
	EXPECT_EQ(-ENOSPC, dmt_nodes_to_list(w, 17 * 64, buf, 8));
}

/* another major number is refused; missing features are named */
TEST(check_abi)
{
	struct dormant_version v = { 0 };
	char err[256];

	v.abi_major = DORMANT_ABI_MAJOR;
	v.abi_minor = DORMANT_ABI_MINOR;
	v.features = DORMANT_F_ALL;
	EXPECT_EQ(0, dmt_check_abi(&v, DORMANT_F_POD, err, sizeof(err)));
	v.abi_major = DORMANT_ABI_MAJOR + 1;
	EXPECT_EQ(-EPROTO, dmt_check_abi(&v, 0, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "major numbers differ")) TH_LOG("%s", err);
	v.abi_major = DORMANT_ABI_MAJOR;
	v.features = DORMANT_F_MEMFS;
	EXPECT_EQ(-EOPNOTSUPP, dmt_check_abi(&v, DORMANT_F_MEMFS | DORMANT_F_POD,
					     err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "lacks feature bits 0x4")) TH_LOG("%s", err);
}

TEST(parse_abi)
{
	unsigned int maj = 99, min = 99;

	EXPECT_EQ(0, dmt_parse_abi("0.1\n", &maj, &min));
	EXPECT_EQ(0, maj);
	EXPECT_EQ(1, min);
	EXPECT_EQ(0, dmt_parse_abi("12.345", &maj, &min));
	EXPECT_EQ(12, maj);
	EXPECT_EQ(345, min);
}

TEST(parse_abi_garbage)
{
	static const char * const bad[] = {
		"", "1", "1.", ".1", "a.b", "1.2.3", "-1.2", "1.-2", " 1.2",
		"1.2 ", "1.2\n\n", "4294967296.0", "1.99999999999999999999",
	};
	unsigned int maj, min;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = dmt_parse_abi(bad[i], &maj, &min);

		if (ret != -EINVAL)
			printf("# accepted bad input #%zu: %d\n", i, ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	EXPECT_EQ(-EINVAL, dmt_parse_abi(NULL, &maj, &min));
}

TEST(parse_count)
{
	static const char * const bad[] = {
		"", "0", "86401", "-1", "+1", " 1", "1 ", "1s", "0x10", "1.5",
		"4294967296", "99999999999999999999",
	};
	unsigned int v = 7;
	size_t i;

	EXPECT_EQ(0, dmt_parse_count("1", 1, 86400, &v));
	EXPECT_EQ(1, v);
	EXPECT_EQ(0, dmt_parse_count("86400", 1, 86400, &v));
	EXPECT_EQ(86400, v);
	EXPECT_EQ(0, dmt_parse_count("007", 1, 86400, &v));
	EXPECT_EQ(7, v);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 5;
		EXPECT_EQ(-EINVAL, dmt_parse_count(bad[i], 1, 86400, &v))
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_EQ(5, v);
	}
	EXPECT_EQ(-EINVAL, dmt_parse_count(NULL, 1, 2, &v));
}

TEST(read_line)
{
	char path[] = "/tmp/dmt-unit-XXXXXX";
	char buf[16];
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ(6, write(fd, "0.1.0\n", 6));
	close(fd);
	EXPECT_EQ(0, dmt_read_line(path, buf, sizeof(buf)));
	EXPECT_STREQ("0.1.0", buf);
	EXPECT_EQ(-EINVAL, dmt_read_line(path, buf, 0));
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-ENODATA, dmt_read_line(path, buf, sizeof(buf)));
	unlink(path);
	EXPECT_EQ(-ENOENT, dmt_read_line(path, buf, sizeof(buf)));
}

TEST(info_json)
{
	struct dmt_info info = { .module_version = "0.1.0" };
	struct json_object *o, *p, *v;

	info.v.abi_major = 0;
	info.v.abi_minor = 1;
	info.v.nr_nodes = 2;
	info.v.node_mask = 0x3;
	strcpy(info.nodes, "0-1");	/* dmt_get_info() lists them */
	o = dmt_info_to_json(&info);
	ASSERT_NE(NULL, o);
	/* round trip through text, as a consumer of --json sees it */
	p = json_tokener_parse(json_object_to_json_string(o));
	ASSERT_NE(NULL, p);
	ASSERT_TRUE(json_object_object_get_ex(p, "nr_nodes", &v));
	EXPECT_EQ(2, json_object_get_int(v));
	ASSERT_TRUE(json_object_object_get_ex(p, "nodes", &v));
	EXPECT_STREQ("0-1", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(p, "module_version", &v));
	EXPECT_STREQ("0.1.0", json_object_get_string(v));
	ASSERT_TRUE(json_object_object_get_ex(p, "abi_minor", &v));
	EXPECT_EQ(1, json_object_get_int(v));
	json_object_put(p);
	json_object_put(o);
}

TEST(open_ctl_missing)
{
	EXPECT_EQ(-ENOENT, dmt_open_ctl("/nonexistent/dormant"));
}

TEST(ioctl_on_wrong_file)
{
	struct dormant_version v;
	int fd = open("/dev/null", O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTTY, dmt_get_version(fd, &v));
	close(fd);
}

TEST(parse_node_stats)
{
	struct dmt_node_stats st;

	ASSERT_EQ(0, dmt_parse_node_stats("zeroed 12\nzeroed_2m 3\nfault_alloc 18446744073709551615\n", &st));
	EXPECT_EQ(3, st.n);
	EXPECT_EQ(12, dmt_node_stat(&st, "zeroed"));
	EXPECT_EQ(3, dmt_node_stat(&st, "zeroed_2m"));
	EXPECT_EQ(-1, dmt_node_stat(&st, "missing"));
	EXPECT_EQ(18446744073709551615ULL, st.value[2]);
	/* no trailing newline is fine too */
	ASSERT_EQ(0, dmt_parse_node_stats("a 1", &st));
	EXPECT_EQ(1, st.n);
}

TEST(parse_node_stats_garbage)
{
	static const char * const bad[] = {
		"", "\n", "a\n", "a b\n", "a 1 2\n", "a -1\n", "a 1\n\n",
		" 1\n", "a 1x\n",
	};
	struct dmt_node_stats st;
	char many[4096] = "";
	size_t i;
	int n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = dmt_parse_node_stats(bad[i], &st);

		if (ret != -EINVAL)
			printf("# accepted bad stats #%zu: %d\n", i, ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	for (n = 0; n <= DMT_MAX_STATS; n++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "s%d %d\n", n, n);
	EXPECT_EQ(-E2BIG, dmt_parse_node_stats(many, &st));
}

TEST(objects_json)
{
	struct dmt_object o = { .pid = 42, .comm = "qemu", .path = "/run/dormant/x" };
	struct json_object *j, *e, *v;

	o.st.size = 1 << 20;
	o.st.present = 3;
	o.st.dormant = 253;
	j = dmt_objects_to_json(&o, 1);
	ASSERT_NE(NULL, j);
	ASSERT_EQ(1, (int)json_object_array_length(j));
	e = json_object_array_get_idx(j, 0);
	ASSERT_TRUE(json_object_object_get_ex(e, "dormant", &v));
	EXPECT_EQ(253, json_object_get_int(v));
	ASSERT_TRUE(json_object_object_get_ex(e, "pid", &v));
	EXPECT_EQ(42, json_object_get_int(v));
	json_object_put(j);
}

TEST_HARNESS_MAIN
