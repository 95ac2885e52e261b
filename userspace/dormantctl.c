// SPDX-License-Identifier: GPL-2.0
/*
 * dormantctl: show what the dormant module is doing.
 *
 *   dormantctl [--json] [--device PATH] info
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libdormant.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dormantctl [options] <command>\n"
		"\n"
		"commands:\n"
		"  info            module version, ABI, features and NUMA nodes served\n"
		"\n"
		"options:\n"
		"  -j, --json      print JSON instead of a table\n"
		"  -d, --device P  control device (default %s)\n"
		"  -h, --help      this text\n",
		DORMANT_CTL_PATH);
}

static int cmd_info(const char *dev, int json)
{
	struct dmt_info info;
	int fd, ret;

	fd = dmt_open_ctl(dev);
	if (fd < 0)
		return 1;
	ret = dmt_get_info(fd, NULL, &info);
	close(fd);
	if (ret)
		return 1;
	if (json) {
		struct json_object *o = dmt_info_to_json(&info);

		if (!o) {
			fprintf(stderr, "dormantctl: out of memory\n");
			return 1;
		}
		printf("%s\n", json_object_to_json_string_ext(o,
				JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		return 0;
	}
	return dmt_info_print_table(&info, stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL;
	int json = 0, c;

	while ((c = getopt_long(argc, argv, "jd:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "dormantctl: no command given\n");
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "info") && optind + 1 == argc)
		return cmd_info(dev, json);
	if (!strcmp(argv[optind], "info"))
		fprintf(stderr, "dormantctl: 'info' takes no arguments\n");
	else
		fprintf(stderr, "dormantctl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
