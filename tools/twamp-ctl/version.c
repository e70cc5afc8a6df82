// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl version: the tool's version and what the kernel module reports.
 */

#include <inttypes.h>
#include <string.h>

#include <linux/twamp.h>

#include "ctl.h"
#include "nl.h"

/* The namespace's limits (docs/security.md), by TWAMP_A_LIMITS_* type. */
static const char *const limit_names[TWAMP_A_LIMITS_MAX + 1] = {
	[TWAMP_A_LIMITS_MAX_OBJECTS]	= "max_objects",
	[TWAMP_A_LIMITS_OBJECTS]	= "objects",
	[TWAMP_A_LIMITS_MAX_SESSIONS]	= "max_sessions",
	[TWAMP_A_LIMITS_SESSIONS]	= "sessions",
	[TWAMP_A_LIMITS_MAX_SENDER_PPS]	= "max_sender_pps",
	[TWAMP_A_LIMITS_SENDER_PPS]	= "sender_pps",
};

struct module_info {
	char version[64];
	uint32_t abi;
	uint64_t features;
	bool has_limits;
	bool rate_exempt;
	uint64_t limit[TWAMP_A_LIMITS_MAX + 1];
};

static void parse_limits(const struct nlattr *nest, struct module_info *mi)
{
	const struct nlattr *tl[TWAMP_A_LIMITS_MAX + 1];
	int t;

	if (tnl_parse_nested(nest, tl, TWAMP_A_LIMITS_MAX))
		return;
	mi->has_limits = true;
	mi->rate_exempt = tl[TWAMP_A_LIMITS_RATE_EXEMPT];
	for (t = 0; t <= TWAMP_A_LIMITS_MAX; t++) {
		if (!limit_names[t] || !tl[t])
			continue;
		mi->limit[t] = mnl_attr_get_payload_len(tl[t]) == 8 ?
			       mnl_attr_get_u64(tl[t]) : mnl_attr_get_u32(tl[t]);
	}
}

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
	if (ti[TWAMP_A_INFO_LIMITS])
		parse_limits(ti[TWAMP_A_INFO_LIMITS], mi);
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
	bool json = ctl_json;
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
		printf("]");
		if (mi.has_limits) {
			int t, n = 0;

			printf(",\"limits\":{");
			for (t = 0; t <= TWAMP_A_LIMITS_MAX; t++)
				if (limit_names[t])
					printf("%s\"%s\":%" PRIu64, n++ ? "," : "",
					       limit_names[t], mi.limit[t]);
			printf(",\"rate_exempt\":%s}",
			       mi.rate_exempt ? "true" : "false");
		}
		printf("}\n");
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
	if (mi.has_limits)
		printf("limits of this namespace: objects %" PRIu64 "/%" PRIu64
		       ", sessions %" PRIu64 "/%" PRIu64
		       ", sender rate %" PRIu64 "/%" PRIu64 " packets/s%s\n",
		       mi.limit[TWAMP_A_LIMITS_OBJECTS],
		       mi.limit[TWAMP_A_LIMITS_MAX_OBJECTS],
		       mi.limit[TWAMP_A_LIMITS_SESSIONS],
		       mi.limit[TWAMP_A_LIMITS_MAX_SESSIONS],
		       mi.limit[TWAMP_A_LIMITS_SENDER_PPS],
		       mi.limit[TWAMP_A_LIMITS_MAX_SENDER_PPS],
		       mi.rate_exempt ? " (your senders are exempt)" : "");
	return 0;
}
