// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl clock: the namespace's clock state, from which the module
 * derives the Error Estimate of every timestamp it writes.
 */

#include <inttypes.h>
#include <string.h>

#include <linux/twamp.h>

#include "ctl.h"
#include "nl.h"

struct clock_state {
	bool synced;
	uint64_t error_ns;
	uint16_t estimate;
};

static int clock_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TWAMP_A_MAX + 1], *tc[TWAMP_A_CLOCK_MAX + 1];
	struct clock_state *cs = data;

	if (tnl_parse(nlh, tb, TWAMP_A_MAX) || !tb[TWAMP_A_CLOCK] ||
	    tnl_parse_nested(tb[TWAMP_A_CLOCK], tc, TWAMP_A_CLOCK_MAX))
		return MNL_CB_ERROR;
	if (tc[TWAMP_A_CLOCK_SYNCED])
		cs->synced = mnl_attr_get_u8(tc[TWAMP_A_CLOCK_SYNCED]);
	if (tc[TWAMP_A_CLOCK_ERROR_NS])
		cs->error_ns = mnl_attr_get_u64(tc[TWAMP_A_CLOCK_ERROR_NS]);
	if (tc[TWAMP_A_CLOCK_ERROR_ESTIMATE])
		cs->estimate = mnl_attr_get_u16(tc[TWAMP_A_CLOCK_ERROR_ESTIMATE]);
	return MNL_CB_OK;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s clock [show] [-j]\n"
		"       %s clock set [synced yes|no] [error DURATION]\n"
		"Show or set whether this network namespace's clock is synchronized\n"
		"to UTC and the bound on its error; every Error Estimate the module\n"
		"writes is derived from them.\n"
		"  -j  print JSON\n", PROG_NAME, PROG_NAME);
}

static int clock_show(struct tnl *nl, bool json)
{
	struct clock_state cs = { 0 };
	int err;

	err = tnl_talk(nl, tnl_msg(nl, TWAMP_CMD_CLOCK_GET, 0), clock_cb, &cs);
	if (err) {
		tnl_perror(nl, "reading the clock state", err);
		return 1;
	}
	if (json)
		printf("{\"synced\":%s,\"error_ns\":%" PRIu64
		       ",\"error_estimate\":%u}\n", cs.synced ? "true" : "false",
		       cs.error_ns, cs.estimate);
	else
		printf("synchronized: %s\nerror bound: %" PRIu64
		       " ns\nerror estimate: 0x%04x\n", cs.synced ? "yes" : "no",
		       cs.error_ns, cs.estimate);
	return 0;
}

static int clock_set(struct tnl *nl, int argc, char *argv[])
{
	struct nlmsghdr *nlh = tnl_msg(nl, TWAMP_CMD_CLOCK_SET, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, TWAMP_A_CLOCK);
	uint64_t error_ns;
	bool synced;
	int i, err;

	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "%s: clock set: '%s' needs a value\n",
				PROG_NAME, argv[i]);
			return 1;
		}
		if (!strcmp(argv[i], "synced")) {
			if (parse_bool("synced", argv[i + 1], &synced))
				return 1;
			mnl_attr_put_u8(nlh, TWAMP_A_CLOCK_SYNCED, synced);
		} else if (!strcmp(argv[i], "error")) {
			if (parse_duration_ns("error", argv[i + 1], &error_ns))
				return 1;
			mnl_attr_put_u64(nlh, TWAMP_A_CLOCK_ERROR_NS, error_ns);
		} else {
			fprintf(stderr, "%s: clock set: unknown parameter '%s'\n",
				PROG_NAME, argv[i]);
			return 1;
		}
	}
	mnl_attr_nest_end(nlh, nest);

	err = tnl_talk(nl, nlh, NULL, NULL);
	if (err) {
		tnl_perror(nl, "setting the clock state", err);
		return 1;
	}
	return 0;
}

int cmd_clock(int argc, char *argv[])
{
	bool json = ctl_json, set = false;
	struct tnl nl;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
	}
	if (argc > 1 && !strcmp(argv[1], "set")) {
		set = true;
	} else {
		for (i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "-j")) {
				json = true;
			} else if (i != 1 || strcmp(argv[i], "show")) {
				fprintf(stderr, "%s: clock: unexpected argument '%s'\n",
					PROG_NAME, argv[i]);
				usage(stderr);
				return 1;
			}
		}
	}

	if (tnl_open(&nl))
		return 1;
	ret = set ? clock_set(&nl, argc - 1, argv + 1) : clock_show(&nl, json);
	tnl_close(&nl);
	return ret;
}
