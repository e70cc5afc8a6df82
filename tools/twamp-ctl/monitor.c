// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl monitor: stream the per-packet results of the namespace's
 * senders from the "results" multicast group until interrupted.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "sender.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s monitor [ID] [-j]\n"
		"Print a line for every test packet of every sender of this network\n"
		"namespace (or of sender ID) as the kernel matches its reply or gives\n"
		"it up as lost, and one when a sender is done; until Ctrl-C.\n"
		"  -j  print one JSON object per line\n", PROG_NAME);
}

struct monitor_ctx {
	bool json, filter;
	uint32_t id;
};

static void print_time(uint64_t ns)
{
	printf("[%" PRIu64 ".%06" PRIu64 "] ", ns / NSEC_PER_SEC,
	       ns % NSEC_PER_SEC / NSEC_PER_USEC);
}

static void print_result(struct monitor_ctx *ctx, const struct twamp_result *r)
{
	if (ctx->json) {
		result_print_json(stdout, r, "\"type\":\"result\",");
		printf("\n");
		return;
	}
	print_time(r->v[TWAMP_A_RESULT_T1]);
	printf("sender %" PRIu64 ": ", r->v[TWAMP_A_RESULT_SENDER_ID]);
	if (!result_lost(r) && r->has[TWAMP_A_RESULT_SIZE])
		printf("%" PRIu64 " bytes ", r->v[TWAMP_A_RESULT_SIZE]);
	result_print_human(stdout, r);
	printf("\n");
}

static void print_done(struct monitor_ctx *ctx, const struct sender *s)
{
	struct timespec now;

	if (ctx->json) {
		/* "sender" is the ID, as in the records */
		printf("{\"type\":\"done\",\"sender\":%" PRIu64 ",\"state\":",
		       s->v[TWAMP_A_SENDER_ID]);
		json_str(stdout, state_str(s->v[TWAMP_A_SENDER_STATE]));
		printf(",\"stats\":");
		stats_print_json(stdout, &s->stats);
		printf("}\n");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	print_time((uint64_t)now.tv_sec * NSEC_PER_SEC + now.tv_nsec);
	printf("sender %" PRIu64 ": done, ", s->v[TWAMP_A_SENDER_ID]);
	stats_print_counts(stdout, &s->stats);
	printf("\n");
}

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor_ctx *ctx = data;
	struct twamp_result r;
	struct sender s;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return MNL_CB_OK;
	switch (genl->cmd) {
	case TWAMP_CMD_RESULT_NTF:
		if (!result_parse_msg(nlh, &r) &&
		    (!ctx->filter || r.v[TWAMP_A_RESULT_SENDER_ID] == ctx->id))
			print_result(ctx, &r);
		break;
	case TWAMP_CMD_SENDER_DONE_NTF:
		if (!sender_parse_msg(nlh, &s) &&
		    (!ctx->filter || s.v[TWAMP_A_SENDER_ID] == ctx->id))
			print_done(ctx, &s);
		break;
	}
	return MNL_CB_OK;
}

int cmd_monitor(int argc, char *argv[])
{
	struct monitor_ctx ctx = { 0 };
	const char *id = NULL;
	struct nlmsghdr *nlh;
	sigset_t wait_mask;
	struct sender s;
	struct tnl nl;
	uint64_t v;
	int ret, err;

	ret = parse_id_json_args("monitor", argc, argv, usage, &id, &ctx.json);
	if (ret >= 0)
		return ret;
	if (id) {
		if (parse_u64("sender ID", id, UINT32_MAX, &v))
			return 1;
		ctx.filter = true;
		ctx.id = v;
	}

	if (tnl_open(&nl))
		return 1;
	/*
	 * Ask first, on the socket that will listen (before it joins, so no
	 * notification mixes with the answer): the sender must exist, and a
	 * module without senders says so here rather than staying silent.
	 */
	if (id) {
		err = sender_get(&nl, ctx.id, &s);
	} else {
		nlh = tnl_msg(&nl, TWAMP_CMD_SENDER_GET, NLM_F_DUMP);
		err = tnl_talk(&nl, nlh, NULL, NULL);
	}
	if (err) {
		sender_perror(&nl, id ? "monitoring the sender" :
			      "monitoring senders", err);
		goto err_close;
	}
	if (tnl_join(&nl, TWAMP_MCGRP_RESULTS) || catch_interrupts(&wait_mask))
		goto err_close;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!interrupted) {
		err = tnl_recv(&nl, -1, &wait_mask, monitor_cb, &ctx);
		if (err == -ENOBUFS) {
			fprintf(stderr,
				"%s: monitor: receive buffer overrun, results were lost\n",
				PROG_NAME);
		} else if (err < 0 && err != -EINTR) {
			fprintf(stderr, "%s: monitor: receiving results: %s\n",
				PROG_NAME, strerror(-err));
			goto err_close;
		}
	}
	tnl_close(&nl);
	return 0;

err_close:
	tnl_close(&nl);
	return 1;
}
