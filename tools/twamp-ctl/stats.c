// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl stats: the statistics the kernel keeps for one sender or all
 * senders of the namespace, in the form ping prints at its end.
 */

#include <inttypes.h>
#include <string.h>

#include "ctl.h"
#include "sender.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s stats [ID] [-j]\n"
		"Show the statistics of one sender, or of every sender of this\n"
		"network namespace: loss, duplicates, reordering, round-trip delay\n"
		"and its percentiles, jitter, IPDV, PDV, reflector residence time\n"
		"and, on synchronized clocks, one-way delays. Times in JSON are in\n"
		"nanoseconds; null marks what cannot be computed yet.\n"
		"  -j  print JSON\n", PROG_NAME);
}

struct stats_ctx {
	bool json;
	unsigned int count;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats_ctx *ctx = data;
	char remote[96];
	struct sender s;

	if (sender_parse_msg(nlh, &s))
		return MNL_CB_ERROR;
	if (ctx->json) {
		json_list_item(ctx->count);
		printf("{\"id\":%" PRIu64, s.v[TWAMP_A_SENDER_ID]);
		printf(",\"state\":");
		json_str(stdout, s.has[TWAMP_A_SENDER_STATE] ?
			 state_str(s.v[TWAMP_A_SENDER_STATE]) : "?");
		printf(",\"remote\":");
		json_str(stdout, sender_remote_str(&s, remote, sizeof(remote)));
		printf(",\"stats\":");
		stats_print_json(stdout, &s.stats);
		printf("}");
	} else {
		printf("%s--- sender %" PRIu64 " (%s, %s) statistics ---\n",
		       ctx->count ? "\n" : "", s.v[TWAMP_A_SENDER_ID],
		       sender_remote_str(&s, remote, sizeof(remote)),
		       s.has[TWAMP_A_SENDER_STATE] ?
		       state_str(s.v[TWAMP_A_SENDER_STATE]) : "?");
		stats_print_human(stdout, &s.stats, "");
	}
	ctx->count++;
	return MNL_CB_OK;
}

int cmd_stats(int argc, char *argv[])
{
	struct stats_ctx ctx = { 0 };
	const char *id = NULL;
	struct nlmsghdr *nlh;
	struct tnl nl;
	int ret, err;

	ret = parse_id_json_args("stats", argc, argv, usage, &id, &ctx.json);
	if (ret >= 0)
		return ret;

	if (tnl_open(&nl))
		return 1;
	if (id) {
		nlh = tnl_msg(&nl, TWAMP_CMD_SENDER_GET, 0);
		if (put_id(nlh, TWAMP_A_SENDER, TWAMP_A_SENDER_ID, "sender ID",
			   id)) {
			tnl_close(&nl);
			return 1;
		}
	} else {
		nlh = tnl_msg(&nl, TWAMP_CMD_SENDER_GET, NLM_F_DUMP);
	}
	err = tnl_talk(&nl, nlh, stats_cb, &ctx);
	if (ctx.json)
		json_list_end(ctx.count, err);
	if (err) {
		sender_perror(&nl, "reading sender statistics", err);
		tnl_close(&nl);
		return 1;
	}
	tnl_close(&nl);
	return 0;
}
