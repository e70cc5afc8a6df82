// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl version: the tool's version and what the kernel module reports.
 */

#include <inttypes.h>
#include <string.h>

#include <linux/twamp.h>

#include "ctl.h"
#include "nl.h"

struct module_info {
	char version[64];
	uint32_t abi;
	uint64_t features;
};

static const char *const feature_names[] = {
	"reflector", "stamp", "stateful", "sender", "auth", "encrypt", "ptp",
	"hw-timestamp",
};

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TWAMP_A_MAX + 1], *ti[TWAMP_A_INFO_MAX + 1];
	struct module_info *mi = data;

	if (tnl_parse(nlh, tb, TWAMP_A_MAX) || !tb[TWAMP_A_INFO] ||
	    tnl_parse_nested(tb[TWAMP_A_INFO], ti, TWAMP_A_INFO_MAX))
		return MNL_CB_ERROR;
	if (ti[TWAMP_A_INFO_VERSION])
		snprintf(mi->version, sizeof(mi->version), "%s",
			 mnl_attr_get_str(ti[TWAMP_A_INFO_VERSION]));
	if (ti[TWAMP_A_INFO_ABI_VERSION])
		mi->abi = mnl_attr_get_u32(ti[TWAMP_A_INFO_ABI_VERSION]);
	if (ti[TWAMP_A_INFO_FEATURES])
		mi->features = mnl_attr_get_u64(ti[TWAMP_A_INFO_FEATURES]);
	return MNL_CB_OK;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s version [-j]\n"
		"Show the version of %s and of the loaded twamp kernel module.\n"
		"  -j  print JSON\n", PROG_NAME, PROG_NAME);
}

int cmd_version(int argc, char *argv[])
{
	struct module_info mi = { .version = "" };
	bool json = false;
	struct tnl nl;
	size_t i;
	int err;

	for (i = 1; i < (size_t)argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-j")) {
			json = true;
		} else {
			fprintf(stderr, "%s: version: unexpected argument '%s'\n",
				PROG_NAME, argv[i]);
			usage(stderr);
			return 1;
		}
	}

	if (!json)
		printf("%s %s\n", PROG_NAME, TWAMP_VERSION);
	if (tnl_open(&nl))
		return 1;
	err = tnl_talk(&nl, tnl_msg(&nl, TWAMP_CMD_INFO_GET, 0), info_cb, &mi);
	if (err) {
		tnl_perror(&nl, "querying the module", err);
		tnl_close(&nl);
		return 1;
	}
	tnl_close(&nl);

	if (json) {
		printf("{\"tool\":");
		json_str(stdout, TWAMP_VERSION);
		printf(",\"module\":");
		json_str(stdout, mi.version);
		printf(",\"abi\":%" PRIu32 ",\"features\":[", mi.abi);
		for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
			if (mi.features & (1ULL << i))
				printf("%s\"%s\"", (mi.features & ((1ULL << i) - 1)) ?
				       "," : "", feature_names[i]);
		printf("]}\n");
		return 0;
	}

	printf("twamp.ko %s (netlink ABI %" PRIu32 ")\nfeatures:", mi.version,
	       mi.abi);
	if (!mi.features)
		printf(" none");
	for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		if (mi.features & (1ULL << i))
			printf(" %s", feature_names[i]);
	printf("\n");
	return 0;
}
