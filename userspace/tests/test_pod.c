// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pod: the pod description file. Every rejection is checked
 * for its return code and for a message "t.json: PATH: reason" that names
 * the file, the JSON path and the cause.
 *
 * JSON in this file is written with ' for " (see J()), for legibility.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "pod.h"

/* Two members, as most cases need them. */
#define M2 "'members':[{'name':'a','addr':'10.0.0.1'}," \
	"{'name':'b','addr':'10.0.0.2'}]"
#define V1 "'version':1"

/* A malloc'ed copy of @s with every ' turned into " */
static char *J(const char *s)
{
	char *d = strdup(s), *c;

	for (c = d; c && *c; c++)
		if (*c == '\'')
			*c = '"';
	return d;
}

/* Parse @json (in J() form) as "t.json"; 0 or -errno, *out set on 0. */
static int parse(const char *json, struct pod **out, char *err,
		 size_t errlen)
{
	char *t = J(json);
	int ret = pod_parse(t, strlen(t), "t.json", out, err, errlen);

	free(t);
	return ret;
}

struct reject {
	const char *json;
	const char *path;	/* "" for a message without a JSON path */
	const char *reason;
};

/*
 * Each case must give -EINVAL, no pod, and a message that starts with
 * "t.json: PATH: " and contains the reason.
 */
static void check_rejects(struct __test_metadata *_metadata,
			  const struct reject *r, size_t n)
{
	char err[512], prefix[128];
	struct pod *pod;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		pod = (struct pod *)1;
		memset(err, 0, sizeof(err));
		ret = parse(r[i].json, &pod, err, sizeof(err));
		EXPECT_EQ(-EINVAL, ret) TH_LOG("case %zu: %s", i, r[i].json);
		EXPECT_EQ(NULL, pod);
		if (r[i].path[0])
			snprintf(prefix, sizeof(prefix), "t.json: %s: ",
				 r[i].path);
		else
			snprintf(prefix, sizeof(prefix), "t.json: ");
		EXPECT_EQ(0, strncmp(err, prefix, strlen(prefix)))
			TH_LOG("case %zu: \"%s\" does not start with \"%s\"",
			       i, err, prefix);
		EXPECT_NE(NULL, strstr(err, r[i].reason))
			TH_LOG("case %zu: \"%s\" lacks \"%s\"", i, err,
			       r[i].reason);
		EXPECT_EQ(NULL, strchr(err, '\n'));
		if (pod != (struct pod *)1)
			pod_free(pod);
	}
}

#define CHECK_REJECTS(tab) \
	check_rejects(_metadata, tab, ARRAY_SIZE(tab))

/* The path of a file of the source tree, from this file's path. */
static void src_path(char *buf, size_t len, const char *rel)
{
	char here[] = __FILE__;

	snprintf(buf, len, "%s/../../%s", dirname(here), rel);
}

TEST(example_file)
{
	char path[4096], err[512] = "x";
	struct pod *pod = NULL;
	const struct pod_object *o;
	struct stat st;
	char *text;
	int fd;

	src_path(path, sizeof(path), "Documentation/examples/pod.json");
	ASSERT_EQ(0, pod_load(path, &pod, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_STREQ("", err);
	ASSERT_NE(NULL, pod);
	ASSERT_EQ(3, pod->nr_members);
	EXPECT_STREQ("a", pod->members[0].name);
	EXPECT_STREQ("10.0.2.15", pod->members[0].addr);
	EXPECT_EQ(7471, pod->members[0].port);
	EXPECT_STREQ("b", pod->members[1].name);
	EXPECT_STREQ("10.0.2.16", pod->members[1].addr);
	EXPECT_EQ(POD_DEFAULT_PORT, pod->members[1].port);
	EXPECT_STREQ("c", pod->members[2].name);
	EXPECT_STREQ("fd00:2::17", pod->members[2].addr);
	EXPECT_EQ(7472, pod->members[2].port);

	ASSERT_EQ(3, pod->nr_objects);
	o = &pod->objects[0];
	EXPECT_STREQ("vm1", o->name);
	EXPECT_EQ(16ULL << 30, o->size);
	EXPECT_EQ(0, o->chunk);
	EXPECT_EQ(1, o->nr_owners);
	EXPECT_EQ(0, o->owners[0]);
	o = &pod->objects[1];
	EXPECT_STREQ("vm2", o->name);
	EXPECT_EQ(4294967296ULL, o->size);
	EXPECT_EQ(1ULL << 30, o->chunk);
	EXPECT_EQ(2, o->nr_owners);
	EXPECT_EQ(0, o->owners[0]);
	EXPECT_EQ(1, o->owners[1]);
	o = &pod->objects[2];
	EXPECT_STREQ("vm3.ram", o->name);
	EXPECT_EQ(6ULL << 30, o->size);
	EXPECT_EQ(2ULL << 20, o->chunk);
	EXPECT_EQ(3, o->nr_owners);
	EXPECT_EQ(2, o->owners[0]);
	EXPECT_EQ(1, o->owners[1]);
	EXPECT_EQ(0, o->owners[2]);

	/* the id is the hash of the file's bytes */
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	text = malloc(st.st_size);
	ASSERT_NE(NULL, text);
	ASSERT_EQ(st.st_size, read(fd, text, st.st_size));
	close(fd);
	EXPECT_EQ(pod_fnv1a64(text, st.st_size), pod->id);
	free(text);
	pod_free(pod);
}

TEST(minimal_and_key_order)
{
	struct pod *pod;
	char err[256];

	ASSERT_EQ(0, parse("{" V1 ",'members':[{'name':'x0','addr':'::1'}],"
			   "'objects':[]}", &pod, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(1, pod->nr_members);
	EXPECT_EQ(0, pod->nr_objects);
	EXPECT_STREQ("::1", pod->members[0].addr);
	EXPECT_EQ(7471, pod->members[0].port);
	pod_free(pod);

	/* objects before members, whitespace, port bounds */
	ASSERT_EQ(0, parse(" \n\t{ 'objects' : [ { 'owner' : 'b' , "
			   "'size' : 2097152 , 'name' : 'Z' } ] , "
			   "'members' : [ { 'port' : 1 , 'addr' : '10.0.0.1' ,"
			   " 'name' : 'a' } , { 'addr' : '10.0.0.1' , "
			   "'name' : 'b' , 'port' : 65535 } ] , "
			   "'version' : 1 } \r\n", &pod, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(1, pod->members[0].port);
	EXPECT_EQ(65535, pod->members[1].port);
	EXPECT_STREQ("Z", pod->objects[0].name);
	EXPECT_EQ(1, pod->objects[0].owners[0]);
	pod_free(pod);
}

TEST(names_at_their_limits)
{
	char json[1024], err[256];
	const char *m31 = "a234567890123456789012345678901";
	const char *o63 = "A23456789.123456789_123456789-123456789"
			  "01234567890123456789012a";
	struct pod *pod;

	ASSERT_EQ(31, strlen(m31));
	ASSERT_EQ(63, strlen(o63));
	snprintf(json, sizeof(json),
		 "{" V1 ",'members':[{'name':'%s','addr':'1.2.3.4'},"
		 "{'name':'0_-','addr':'1.2.3.5'}],'objects':[{'name':'%s',"
		 "'size':'64T','owner':'0_-'},{'name':'0..','size':'2M',"
		 "'interleave':{'chunk':2097152,'members':['0_-','%s']}}]}",
		 m31, o63, m31);
	ASSERT_EQ(0, parse(json, &pod, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_STREQ(m31, pod->members[0].name);
	EXPECT_STREQ(o63, pod->objects[0].name);
	EXPECT_EQ(POD_MAX_OBJECT_SIZE, pod->objects[0].size);
	EXPECT_EQ(1, pod->objects[0].owners[0]);
	EXPECT_EQ(2097152, pod->objects[1].chunk);
	pod_free(pod);
}

/* A pod with @nm members and @no objects, in J() form. */
static char *big_pod(unsigned int nm, unsigned int no)
{
	size_t cap = 128 + nm * 64 + no * 64, n;
	char *s = malloc(cap);
	unsigned int i;

	n = snprintf(s, cap, "{" V1 ",'members':[");
	for (i = 0; i < nm; i++)
		n += snprintf(s + n, cap - n,
			      "%s{'name':'m%u','addr':'10.0.%u.%u'}",
			      i ? "," : "", i, i / 200, i % 200 + 1);
	n += snprintf(s + n, cap - n, "],'objects':[");
	for (i = 0; i < no; i++)
		n += snprintf(s + n, cap - n,
			      "%s{'name':'o%u','size':'2M','owner':'m%u'}",
			      i ? "," : "", i, nm - 1);
	snprintf(s + n, cap - n, "]}");
	return s;
}

TEST(member_and_object_counts)
{
	struct pod *pod;
	char err[256], *s;

	s = big_pod(POD_MAX_MEMBERS, POD_MAX_OBJECTS);
	ASSERT_EQ(0, parse(s, &pod, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(64, pod->nr_members);
	EXPECT_EQ(1024, pod->nr_objects);
	EXPECT_EQ(63, pod->objects[1023].owners[0]);
	EXPECT_EQ(1023, pod_object_index(pod, "o1023"));
	pod_free(pod);
	free(s);

	s = big_pod(POD_MAX_MEMBERS + 1, 1);
	EXPECT_EQ(-EINVAL, parse(s, &pod, err, sizeof(err)));
	EXPECT_STREQ("t.json: members: 65 entries, more than 64", err);
	free(s);

	s = big_pod(2, POD_MAX_OBJECTS + 1);
	EXPECT_EQ(-EINVAL, parse(s, &pod, err, sizeof(err)));
	EXPECT_STREQ("t.json: objects: 1025 entries, more than 1024", err);
	free(s);
}

TEST(lookups)
{
	struct pod *pod;
	char err[256];

	ASSERT_EQ(0, parse("{" V1 "," M2 ",'objects':[{'name':'vm1',"
			   "'size':'2M','owner':'b'},{'name':'VM1','size':"
			   "'4M','owner':'a'}]}", &pod, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(0, pod_member_index(pod, "a"));
	EXPECT_EQ(1, pod_member_index(pod, "b"));
	EXPECT_EQ(-1, pod_member_index(pod, "c"));
	EXPECT_EQ(-1, pod_member_index(pod, "A"));
	EXPECT_EQ(-1, pod_member_index(pod, ""));
	EXPECT_EQ(0, pod_object_index(pod, "vm1"));
	EXPECT_EQ(1, pod_object_index(pod, "VM1"));
	EXPECT_EQ(-1, pod_object_index(pod, "vm"));
	EXPECT_EQ(-1, pod_object_index(pod, "vm10"));
	pod_free(pod);
}

TEST(home_single_owner)
{
	struct pod *pod;
	char err[256];

	ASSERT_EQ(0, parse("{" V1 "," M2 ",'objects':[{'name':'o','size':"
			   "'4M','owner':'b'}]}", &pod, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(1, pod_home(pod, 0, 0));
	EXPECT_EQ(1, pod_home(pod, 0, 1023));
	EXPECT_EQ(-1, pod_home(pod, 0, 1024));
	EXPECT_EQ(-1, pod_home(pod, 0, UINT64_MAX));
	EXPECT_EQ(-1, pod_home(pod, 1, 0));
	EXPECT_EQ(-1, pod_home(pod, UINT32_MAX, 0));
	pod_free(pod);
}

TEST(home_interleave)
{
	struct pod *pod;
	char err[256];

	/* 4 GiB in 1 GiB chunks over b, a: 262144 pages a chunk */
	ASSERT_EQ(0, parse("{" V1 "," M2 ",'objects':[{'name':'o','size':"
			   "4294967296,'interleave':{'chunk':'1G',"
			   "'members':['b','a']}},{'name':'p','size':'6M',"
			   "'interleave':{'chunk':'4M','members':['a','b']}},"
			   "{'name':'q','size':'2M','interleave':{'chunk':"
			   "'2M','members':['b']}}]}", &pod, err,
			   sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(1, pod_home(pod, 0, 0));
	EXPECT_EQ(1, pod_home(pod, 0, 262143));
	EXPECT_EQ(0, pod_home(pod, 0, 262144));
	EXPECT_EQ(0, pod_home(pod, 0, 524287));
	EXPECT_EQ(1, pod_home(pod, 0, 524288));
	EXPECT_EQ(0, pod_home(pod, 0, 1048575));
	EXPECT_EQ(-1, pod_home(pod, 0, 1048576));
	/* a last chunk shorter than the others */
	EXPECT_EQ(0, pod_home(pod, 1, 1023));
	EXPECT_EQ(1, pod_home(pod, 1, 1024));
	EXPECT_EQ(1, pod_home(pod, 1, 1535));
	EXPECT_EQ(-1, pod_home(pod, 1, 1536));
	EXPECT_EQ(1, pod_home(pod, 2, 0));
	EXPECT_EQ(1, pod_home(pod, 2, 511));
	EXPECT_EQ(-1, pod_home(pod, 2, 512));
	pod_free(pod);
}

TEST(parse_size_good)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 }, { "1", 1 }, { "4096", 4096 }, { "1K", 1024 },
		{ "2M", 2ULL << 20 }, { "16G", 16ULL << 30 },
		{ "64T", 64ULL << 40 }, { "0002M", 2ULL << 20 },
		{ "18446744073709551615", UINT64_MAX },
		{ "17179869183G", 17179869183ULL << 30 },
		{ "16777215T", 16777215ULL << 40 },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		v = 12345;
		EXPECT_EQ(0, pod_parse_size(good[i].s, &v))
			TH_LOG("%s", good[i].s);
		EXPECT_EQ(good[i].v, v) TH_LOG("%s", good[i].s);
	}
}

TEST(parse_size_bad)
{
	static const char * const inval[] = {
		"", "K", "1k", "1m", "1g", "1t", "1P", "1 G", " 1G", "1G ",
		"+1G", "-1", "-1G", "1.5G", "1GB", "1KK", "1GK", "0x10",
		"1e3", "G1", "1_000", "1,000", "1\n",
	};
	static const char * const range[] = {
		"18446744073709551616", "99999999999999999999999",
		"16777216T", "17179869184G", "18014398509481984K",
	};
	uint64_t v = 777;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(inval); i++)
		EXPECT_EQ(-EINVAL, pod_parse_size(inval[i], &v))
			TH_LOG("inval case %zu", i);
	for (i = 0; i < ARRAY_SIZE(range); i++)
		EXPECT_EQ(-ERANGE, pod_parse_size(range[i], &v))
			TH_LOG("range case %zu", i);
	EXPECT_EQ(-EINVAL, pod_parse_size(NULL, &v));
	EXPECT_EQ(777, v);
}

TEST(id_is_fnv1a_of_the_bytes)
{
	static const char text[] =
		"{\"version\":1,\"members\":[{\"name\":\"a\","
		"\"addr\":\"10.0.0.1\"}],\"objects\":[]}";
	struct pod *p1, *p2, *p3;
	char err[256], *spaced;

	/* published FNV-1a 64 test vectors */
	EXPECT_EQ(0xcbf29ce484222325ULL, pod_fnv1a64("", 0));
	EXPECT_EQ(0xaf63dc4c8601ec8cULL, pod_fnv1a64("a", 1));
	EXPECT_EQ(0x85944171f73967e8ULL, pod_fnv1a64("foobar", 6));

	ASSERT_EQ(0, pod_parse(text, strlen(text), "t", &p1, err,
			       sizeof(err)));
	ASSERT_EQ(0, pod_parse(text, strlen(text), "u", &p2, err,
			       sizeof(err)));
	EXPECT_EQ(pod_fnv1a64(text, strlen(text)), p1->id);
	EXPECT_EQ(p1->id, p2->id);
	/* the same pod with one more space is another file */
	spaced = malloc(sizeof(text) + 1);
	ASSERT_NE(NULL, spaced);
	snprintf(spaced, sizeof(text) + 1, "%s ", text);
	ASSERT_EQ(0, pod_parse(spaced, strlen(spaced), "t", &p3, err,
			       sizeof(err)));
	EXPECT_NE(p1->id, p3->id);
	free(spaced);
	pod_free(p1);
	pod_free(p2);
	pod_free(p3);
}

TEST(reject_top_level)
{
	static const struct reject r[] = {
		{ "[]", "top level", "expected an object, got an array" },
		{ "1", "", "unexpected end of file" },
		{ "'x'", "top level", "expected an object, got a string" },
		{ "{" V1 "," M2 ",'objects':[],'extra':1}", "extra",
		  "unknown key (expected version, members, objects)" },
		{ "{'verison':1," M2 ",'objects':[]}", "verison",
		  "unknown key" },
		{ "{" V1 "," M2 "}", "top level",
		  "missing key \"objects\"" },
		{ "{" M2 ",'objects':[]}", "top level",
		  "missing key \"version\"" },
		{ "{" V1 ",'objects':[]}", "top level",
		  "missing key \"members\"" },
		{ "{}", "top level", "missing key \"version\"" },
		{ "{'version':2," M2 ",'objects':[]}", "version",
		  "2 is not a version this dormant reads (1)" },
		{ "{'version':0," M2 ",'objects':[]}", "version",
		  "0 is not a version" },
		{ "{'version':-1," M2 ",'objects':[]}", "version",
		  "-1 is not a version" },
		{ "{'version':'1'," M2 ",'objects':[]}", "version",
		  "expected an integer, got a string" },
		{ "{'version':1.0," M2 ",'objects':[]}", "version",
		  "expected an integer, got a number with a fraction" },
		{ "{'version':1e0," M2 ",'objects':[]}", "version",
		  "got a number with a fraction or an exponent" },
		{ "{'version':true," M2 ",'objects':[]}", "version",
		  "expected an integer, got a boolean" },
		{ "{'version':null," M2 ",'objects':[]}", "version",
		  "expected an integer, got null" },
		{ "{'version':18446744073709551617," M2 ",'objects':[]}",
		  "version", "integer too large" },
		{ "{'version':18446744073709551614," M2 ",'objects':[]}",
		  "version", "18446744073709551614 is not a version" },
	};

	CHECK_REJECTS(r);
}

TEST(reject_json_syntax)
{
	static const struct reject r[] = {
		{ "", "", "JSON parse error at byte offset 0: unexpected end" },
		{ "   ", "", "at byte offset 3: unexpected end of file" },
		{ "{" V1 ",,}", "", "JSON parse error at byte offset 13: " },
		{ "{" V1 "," M2 ",'objects':[],}", "",
		  "JSON parse error at byte offset" },
		{ "{" V1 "," M2 ",'objects':[]} x", "",
		  "JSON parse error at byte offset" },
		{ "{" V1 "," M2 ",'objects':[]}{}", "",
		  "JSON parse error at byte offset" },
		{ "{" V1 "," M2 ",'objects':[]", "", "unexpected end" },
		{ "{'version':01}", "", "JSON parse error" },
		{ "{'version':+1}", "", "JSON parse error" },
		{ "{'version':1 /* c */}", "", "JSON parse error" },
		{ "{'version':True}", "", "JSON parse error" },
		{ "{'name':'\xff'}", "", "invalid utf-8" },
	};
	const char *t = "{\"version\":1,,}";
	enum json_tokener_error jerr;
	char err[256], want[128];
	struct pod *pod;

	CHECK_REJECTS(r);
	/* json-c's own words, at its own offset */
	EXPECT_EQ(-EINVAL, pod_parse(t, strlen(t), "t.json", &pod, err,
				     sizeof(err)));
	jerr = json_tokener_error_parse_object_key_name;
	snprintf(want, sizeof(want),
		 "t.json: JSON parse error at byte offset 13: %s",
		 json_tokener_error_desc(jerr));
	EXPECT_STREQ(want, err);
	/* a NUL byte, even after a complete value */
	t = "{\"version\":1}\0";
	EXPECT_EQ(-EINVAL, pod_parse(t, 14, "t.json", &pod, err, sizeof(err)));
	EXPECT_STREQ("t.json: NUL byte at byte offset 13", err);
}

TEST(reject_members)
{
	static const struct reject r[] = {
		{ "{" V1 ",'members':{},'objects':[]}", "members",
		  "expected an array, got an object" },
		{ "{" V1 ",'members':[],'objects':[]}", "members",
		  "empty: a pod needs at least one member" },
		{ "{" V1 ",'members':['a'],'objects':[]}", "members[0]",
		  "expected an object, got a string" },
		{ "{" V1 ",'members':[{'name':'a','addr':'10.0.0.1'},"
		  "{'nmae':'b','addr':'10.0.0.2'}],'objects':[]}",
		  "members[1].nmae",
		  "unknown key (expected name, addr, port)" },
		{ "{" V1 ",'members':[{'addr':'10.0.0.1'}],'objects':[]}",
		  "members[0]", "missing key \"name\"" },
		{ "{" V1 ",'members':[{'name':'a'}],'objects':[]}",
		  "members[0]", "missing key \"addr\"" },
		{ "{" V1 ",'members':[{'name':'a','addr':'10.0.0.1',"
		  "'Port':1}],'objects':[]}", "members[0].Port",
		  "unknown key" },
		{ "{" V1 ",'members':[{'name':'a\\n','addr':'1.2.3.4',"
		  "'\\u0001':1}],'objects':[]}", "members[0].?",
		  "unknown key" },
	};

	CHECK_REJECTS(r);
}

#define MEMBER(x) "{" V1 ",'members':[" x "],'objects':[]}"

TEST(reject_member_names)
{
	static const struct reject r[] = {
		{ MEMBER("{'name':'A','addr':'1.2.3.4'}"), "members[0].name",
		  "\"A\" is not a member name ([a-z0-9][a-z0-9_-]{0,30})" },
		{ MEMBER("{'name':'-a','addr':'1.2.3.4'}"), "members[0].name",
		  "\"-a\" is not a member name" },
		{ MEMBER("{'name':'_a','addr':'1.2.3.4'}"), "members[0].name",
		  "\"_a\" is not a member name" },
		{ MEMBER("{'name':'','addr':'1.2.3.4'}"), "members[0].name",
		  "\"\" is not a member name" },
		{ MEMBER("{'name':'a.b','addr':'1.2.3.4'}"), "members[0].name",
		  "is not a member name" },
		{ MEMBER("{'name':'a b','addr':'1.2.3.4'}"), "members[0].name",
		  "is not a member name" },
		{ MEMBER("{'name':'\xc3\xa4','addr':'1.2.3.4'}"),
		  "members[0].name", "\"??\" is not a member name" },
		{ MEMBER("{'name':'a2345678901234567890123456789012',"
			 "'addr':'1.2.3.4'}"), "members[0].name",
		  "is not a member name" },
		{ MEMBER("{'name':'a\\u0000b','addr':'1.2.3.4'}"),
		  "members[0].name", "contains a NUL character" },
		{ MEMBER("{'name':1,'addr':'1.2.3.4'}"), "members[0].name",
		  "expected a string, got an integer" },
		{ MEMBER("{'name':['a'],'addr':'1.2.3.4'}"), "members[0].name",
		  "expected a string, got an array" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4'},"
			 "{'name':'b','addr':'1.2.3.5'},"
			 "{'name':'a','addr':'1.2.3.6'}"), "members[2].name",
		  "\"a\" is already the name of members[0]" },
	};

	CHECK_REJECTS(r);
}

TEST(reject_member_addrs)
{
	static const struct reject r[] = {
		{ MEMBER("{'name':'a','addr':'localhost'}"), "members[0].addr",
		  "\"localhost\" is not a numeric IPv4 or IPv6 address" },
		{ MEMBER("{'name':'a','addr':'host.example.org'}"),
		  "members[0].addr", "is not a numeric IPv4 or IPv6 address" },
		{ MEMBER("{'name':'a','addr':'10.0.2'}"), "members[0].addr",
		  "is not a numeric" },
		{ MEMBER("{'name':'a','addr':'10.0.2.256'}"),
		  "members[0].addr", "is not a numeric" },
		{ MEMBER("{'name':'a','addr':' 10.0.2.1'}"),
		  "members[0].addr", "is not a numeric" },
		{ MEMBER("{'name':'a','addr':'10.0.2.1:7471'}"),
		  "members[0].addr", "is not a numeric" },
		{ MEMBER("{'name':'a','addr':'[::1]'}"), "members[0].addr",
		  "is not a numeric" },
		{ MEMBER("{'name':'a','addr':'fe80::1%eth0'}"),
		  "members[0].addr", "is not a numeric" },
		{ MEMBER("{'name':'a','addr':'1:2:3:4:5:6:7:8:9'}"),
		  "members[0].addr", "is not a numeric" },
		{ MEMBER("{'name':'a','addr':''}"), "members[0].addr",
		  "\"\" is not a numeric" },
		{ MEMBER("{'name':'a','addr':'0000:0000:0000:0000:0000:0000:"
			 "0000:0000:0000:0000:0000:1'}"), "members[0].addr",
		  "...\" is not a numeric" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4\\u0000x'}"),
		  "members[0].addr", "contains a NUL character" },
		{ MEMBER("{'name':'a','addr':167772161}"), "members[0].addr",
		  "expected a string, got an integer" },
		/* (addr, port) is unique, compared as addresses */
		{ MEMBER("{'name':'a','addr':'10.0.0.1'},"
			 "{'name':'b','addr':'10.0.0.1'}"), "members[1]",
		  "address 10.0.0.1 port 7471 is already that of members[0]" },
		{ MEMBER("{'name':'a','addr':'10.0.0.1','port':7000},"
			 "{'name':'b','addr':'10.0.0.2'},"
			 "{'name':'c','addr':'10.0.0.1','port':7000}"),
		  "members[2]", "port 7000 is already that of members[0]" },
		{ MEMBER("{'name':'a','addr':'::1'},"
			 "{'name':'b','addr':'0:0:0::1'}"), "members[1]",
		  "address 0:0:0::1 port 7471 is already that of members[0]" },
		{ MEMBER("{'name':'a','addr':'10.0.0.1'},"
			 "{'name':'b','addr':'::ffff:10.0.0.1'}"), "members[1]",
		  "is already that of members[0]" },
		{ MEMBER("{'name':'a','addr':'FD00::1'},"
			 "{'name':'b','addr':'fd00::1','port':7471}"),
		  "members[1]", "is already that of members[0]" },
	};

	CHECK_REJECTS(r);
}

TEST(reject_member_ports)
{
	static const struct reject r[] = {
		{ MEMBER("{'name':'a','addr':'1.2.3.4','port':0}"),
		  "members[0].port", "0 is not a port (1..65535)" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4','port':65536}"),
		  "members[0].port", "65536 is not a port" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4','port':-1}"),
		  "members[0].port", "-1 is negative" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4','port':'7471'}"),
		  "members[0].port", "expected an integer, got a string" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4','port':7471.0}"),
		  "members[0].port", "expected an integer, got a number" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4','port':true}"),
		  "members[0].port", "expected an integer, got a boolean" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4','port':null}"),
		  "members[0].port", "expected an integer, got null" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4','port':"
			 "18446744073709551616}"),
		  "members[0].port", "integer too large" },
		{ MEMBER("{'name':'a','addr':'1.2.3.4','port':"
			 "9223372036854775808}"),
		  "members[0].port", "9223372036854775808 is not a port" },
	};

	CHECK_REJECTS(r);
}

#define OBJ(x) "{" V1 "," M2 ",'objects':[" x "]}"

TEST(reject_objects)
{
	static const struct reject r[] = {
		{ "{" V1 "," M2 ",'objects':{}}", "objects",
		  "expected an array, got an object" },
		{ "{" V1 "," M2 ",'objects':null}", "objects",
		  "expected an array, got null" },
		{ OBJ("'vm1'"), "objects[0]",
		  "expected an object, got a string" },
		{ OBJ("{'name':'o','size':'2M','owner':'a','ownr':'b'}"),
		  "objects[0].ownr",
		  "unknown key (expected name, size, owner, interleave)" },
		{ OBJ("{'size':'2M','owner':'a'}"), "objects[0]",
		  "missing key \"name\"" },
		{ OBJ("{'name':'o','owner':'a'}"), "objects[0]",
		  "missing key \"size\"" },
		{ OBJ("{'name':'o','size':'2M'}"), "objects[0]",
		  "needs \"owner\" or \"interleave\"" },
		{ OBJ("{'name':'o','size':'2M','owner':'a','interleave':"
		      "{'chunk':'2M','members':['a']}}"), "objects[0]",
		  "has both \"owner\" and \"interleave\"" },
		{ OBJ("{'name':'o','size':'2M','owner':'z'}"),
		  "objects[0].owner", "\"z\" is not the name of a member" },
		{ OBJ("{'name':'o','size':'2M','owner':'A'}"),
		  "objects[0].owner", "\"A\" is not the name of a member" },
		{ OBJ("{'name':'o','size':'2M','owner':0}"),
		  "objects[0].owner", "expected a string, got an integer" },
		{ OBJ("{'name':'o','size':'2M','owner':['a']}"),
		  "objects[0].owner", "expected a string, got an array" },
		{ OBJ("{'name':'o','size':'2M','owner':'a'},"
		      "{'name':'p','size':'2M','owner':'c'}"),
		  "objects[1].owner", "\"c\" is not the name of a member" },
	};

	CHECK_REJECTS(r);
}

TEST(reject_object_names)
{
	static const struct reject r[] = {
		{ OBJ("{'name':'.hidden','size':'2M','owner':'a'}"),
		  "objects[0].name",
		  "\".hidden\" is not an object name ([A-Za-z0-9][A-Za-z0-9._-]{0,62})" },
		{ OBJ("{'name':'..','size':'2M','owner':'a'}"),
		  "objects[0].name", "is not an object name" },
		{ OBJ("{'name':'-o','size':'2M','owner':'a'}"),
		  "objects[0].name", "is not an object name" },
		{ OBJ("{'name':'a/b','size':'2M','owner':'a'}"),
		  "objects[0].name", "\"a/b\" is not an object name" },
		{ OBJ("{'name':'a b','size':'2M','owner':'a'}"),
		  "objects[0].name", "is not an object name" },
		{ OBJ("{'name':'','size':'2M','owner':'a'}"),
		  "objects[0].name", "\"\" is not an object name" },
		{ OBJ("{'name':'vm\xc3\xa4','size':'2M','owner':'a'}"),
		  "objects[0].name", "\"vm??\" is not an object name" },
		{ OBJ("{'name':'A234567890123456789012345678901234567890"
		      "123456789012345678901234','size':'2M','owner':'a'}"),
		  "objects[0].name", "...\" is not an object name" },
		{ OBJ("{'name':'o\\u0000','size':'2M','owner':'a'}"),
		  "objects[0].name", "contains a NUL character" },
		{ OBJ("{'name':7,'size':'2M','owner':'a'}"),
		  "objects[0].name", "expected a string, got an integer" },
		{ OBJ("{'name':'o','size':'2M','owner':'a'},"
		      "{'name':'p','size':'2M','owner':'a'},"
		      "{'name':'o','size':'4M','owner':'b'}"),
		  "objects[2].name", "\"o\" is already the name of objects[0]" },
	};

	CHECK_REJECTS(r);
}

#define SIZE(x) OBJ("{'name':'o','size':" x ",'owner':'a'}")

TEST(reject_sizes)
{
	static const struct reject r[] = {
		{ SIZE("0"), "objects[0].size", "must be positive" },
		{ SIZE("'0G'"), "objects[0].size", "must be positive" },
		{ SIZE("1048576"), "objects[0].size",
		  "1048576 bytes is not a multiple of 2 MiB" },
		{ SIZE("'1M'"), "objects[0].size",
		  "1048576 bytes is not a multiple of 2 MiB" },
		{ SIZE("'3M'"), "objects[0].size", "not a multiple of 2 MiB" },
		{ SIZE("2097153"), "objects[0].size",
		  "not a multiple of 2 MiB" },
		{ SIZE("'4096K'"), NULL, NULL },	/* 4 MiB: fine */
		{ SIZE("'65T'"), "objects[0].size",
		  "71468255805440 bytes is larger than 64 TiB" },
		{ SIZE("70368746274816"), "objects[0].size",
		  "is larger than 64 TiB" },
		{ SIZE("'16g'"), "objects[0].size",
		  "\"16g\" is not a size (digits with an optional K, M, G or T suffix)" },
		{ SIZE("'16 G'"), "objects[0].size", "\"16 G\" is not a size" },
		{ SIZE("'-2M'"), "objects[0].size", "\"-2M\" is not a size" },
		{ SIZE("'+2M'"), "objects[0].size", "\"+2M\" is not a size" },
		{ SIZE("'2MiB'"), "objects[0].size", "is not a size" },
		{ SIZE("''"), "objects[0].size", "\"\" is not a size" },
		{ SIZE("' 2M'"), "objects[0].size", "is not a size" },
		{ SIZE("'2M\\u0000x'"), "objects[0].size",
		  "contains a NUL character" },
		{ SIZE("'99999999999999999999999'"), "objects[0].size",
		  "\"99999999999999999999999\" does not fit in 64 bits" },
		{ SIZE("'16777216T'"), "objects[0].size",
		  "does not fit in 64 bits" },
		{ SIZE("-2097152"), "objects[0].size", "-2097152 is negative" },
		{ SIZE("99999999999999999999999"), "objects[0].size",
		  "integer too large" },
		{ SIZE("18446744073709551614"), "objects[0].size",
		  "18446744073709551614 bytes is not a multiple of 2 MiB" },
		{ SIZE("18446744073707454464"), "objects[0].size",
		  "18446744073707454464 bytes is larger than 64 TiB" },
		{ SIZE("2097152.0"), "objects[0].size",
		  "expected an integer or a size string, got a number with a fraction" },
		{ SIZE("2e6"), "objects[0].size",
		  "got a number with a fraction or an exponent" },
		{ SIZE("true"), "objects[0].size",
		  "expected an integer or a size string, got a boolean" },
		{ SIZE("null"), "objects[0].size",
		  "expected an integer or a size string, got null" },
		{ SIZE("['2M']"), "objects[0].size",
		  "expected an integer or a size string, got an array" },
	};
	struct reject bad[ARRAY_SIZE(r)];
	struct pod *pod;
	char err[256];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		if (r[i].path) {
			bad[n++] = r[i];
			continue;
		}
		EXPECT_EQ(0, parse(r[i].json, &pod, err, sizeof(err)))
			TH_LOG("%s", err);
		pod_free(pod);
	}
	check_rejects(_metadata, bad, n);
}

#define INTER(x) OBJ("{'name':'o','size':'8M','interleave':" x "}")

TEST(reject_interleave)
{
	static const struct reject r[] = {
		{ INTER("['a','b']"), "objects[0].interleave",
		  "expected an object, got an array" },
		{ INTER("{'chnk':'2M','members':['a']}"),
		  "objects[0].interleave.chnk",
		  "unknown key (expected chunk, members)" },
		{ INTER("{'members':['a']}"), "objects[0].interleave",
		  "missing key \"chunk\"" },
		{ INTER("{'chunk':'2M'}"), "objects[0].interleave",
		  "missing key \"members\"" },
		{ INTER("{'chunk':'1M','members':['a']}"),
		  "objects[0].interleave.chunk",
		  "1048576 bytes is not a multiple of 2 MiB" },
		{ INTER("{'chunk':0,'members':['a']}"),
		  "objects[0].interleave.chunk", "must be positive" },
		{ INTER("{'chunk':'10M','members':['a']}"),
		  "objects[0].interleave.chunk",
		  "10485760 bytes is larger than the object" },
		{ INTER("{'chunk':'2m','members':['a']}"),
		  "objects[0].interleave.chunk", "\"2m\" is not a size" },
		{ INTER("{'chunk':2.0,'members':['a']}"),
		  "objects[0].interleave.chunk",
		  "expected an integer or a size string, got a number" },
		{ INTER("{'chunk':'2M','members':[]}"),
		  "objects[0].interleave.members", "empty" },
		{ INTER("{'chunk':'2M','members':'a'}"),
		  "objects[0].interleave.members",
		  "expected an array, got a string" },
		{ INTER("{'chunk':'2M','members':['a','a']}"),
		  "objects[0].interleave.members[1]",
		  "\"a\" is already in members[0]" },
		{ INTER("{'chunk':'2M','members':['b','a','b']}"),
		  "objects[0].interleave.members",
		  "3 entries, more than the pod has members (2)" },
		{ INTER("{'chunk':'2M','members':['a','z']}"),
		  "objects[0].interleave.members[1]",
		  "\"z\" is not the name of a member" },
		{ INTER("{'chunk':'2M','members':[0]}"),
		  "objects[0].interleave.members[0]",
		  "expected a string, got an integer" },
		{ INTER("{'chunk':'2M','members':[null]}"),
		  "objects[0].interleave.members[0]",
		  "expected a string, got null" },
	};

	CHECK_REJECTS(r);
}

TEST(load_errors)
{
	static const char small[] = "{\"version\":1,\"members\":[{\"name\":"
		"\"a\",\"addr\":\"1.2.3.4\"}],\"objects\":[]}";
	char dir[] = "/tmp/pod-unit-XXXXXX", path[64], err[256], want[128];
	struct pod *pod = (struct pod *)1;
	char *big;
	size_t n = POD_MAX_FILE_SIZE;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/none.json", dir);
	EXPECT_EQ(-ENOENT, pod_load(path, &pod, err, sizeof(err)));
	EXPECT_EQ(NULL, pod);
	EXPECT_NE(NULL, strstr(err, path)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "cannot open: No such file"))
		TH_LOG("%s", err);

	EXPECT_EQ(-EISDIR, pod_load(dir, &pod, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "cannot read: Is a directory"))
		TH_LOG("%s", err);

	/* exactly 1 MiB is allowed, one byte more is not */
	big = malloc(n + 1);
	ASSERT_NE(NULL, big);
	memset(big, ' ', n + 1);
	memcpy(big, small, strlen(small));
	snprintf(path, sizeof(path), "%s/pod.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)n, write(fd, big, n));
	EXPECT_EQ(0, pod_load(path, &pod, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(pod_fnv1a64(big, n), pod->id);
	pod_free(pod);
	ASSERT_EQ(1, write(fd, " ", 1));
	close(fd);
	EXPECT_EQ(-EFBIG, pod_load(path, &pod, err, sizeof(err)));
	EXPECT_EQ(NULL, pod);
	snprintf(want, sizeof(want),
		 "%s: larger than the 1 MiB a pod file may have", path);
	EXPECT_STREQ(want, err);
	EXPECT_EQ(-EFBIG, pod_parse(big, n + 1, "big.json", &pod, err,
				    sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "big.json: 1048577 bytes, larger than"))
		TH_LOG("%s", err);
	unlink(path);

	/* content errors come back from pod_load with the path in them */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(11, write(fd, "{\"version\"}", 11));
	close(fd);
	EXPECT_EQ(-EINVAL, pod_load(path, &pod, err, sizeof(err)));
	EXPECT_EQ(0, strncmp(err, path, strlen(path))) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "JSON parse error at byte offset 10"))
		TH_LOG("%s", err);
	unlink(path);
	rmdir(dir);
	free(big);
}

TEST(small_or_no_error_buffer)
{
	char err[16];
	struct pod *pod;
	char *t = J("{'version':2}");

	memset(err, 'x', sizeof(err));
	EXPECT_EQ(-EINVAL, pod_parse(t, strlen(t), "a-long-file-name.json",
				     &pod, err, sizeof(err)));
	EXPECT_EQ(15, strlen(err));
	EXPECT_EQ(0, strncmp(err, "a-long-file-nam", 15));
	EXPECT_EQ(-EINVAL, pod_parse(t, strlen(t), "t", &pod, NULL, 0));
	EXPECT_EQ(-EINVAL, pod_parse(t, strlen(t), NULL, &pod, err, 1));
	EXPECT_STREQ("", err);
	free(t);
}

TEST_HARNESS_MAIN
