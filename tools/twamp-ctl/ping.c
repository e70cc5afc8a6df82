// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl ping: a TWAMP Light or STAMP measurement in the manner of
 * ping(8). A kernel Session-Sender bound to this process's netlink socket
 * does the sending and matching (so it goes away with the process); this
 * file prints what the "results" group reports about it.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ping.h"
#include "sender.h"

/* How long the group may stay silent before we ask whether the sender is done. */
#define PING_POLL_MS	1000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s ping [-4|-6] [-c COUNT] [-i INTERVAL] [-s SIZE] [-Q DSCP]\n"
		"                     [-t TTL] [-p PORT] [-I DEV|ADDR] [-w WAIT] [--stamp]\n"
		"                     [--ssid N] [--ptp] [--poisson] [-q] [-j] HOST\n"
		"Measure round-trip delay, loss and delay variation to the TWAMP Light or\n"
		"STAMP reflector at HOST with a kernel Session-Sender, until COUNT packets\n"
		"were sent or Ctrl-C, then print statistics.\n"
		"  -c COUNT     stop after COUNT packets (default: until Ctrl-C)\n"
		"  -i INTERVAL  seconds between packets, such as 0.2, or a duration such\n"
		"               as 200ms (default 1; the mean with --poisson)\n"
		"  -s SIZE      UDP payload octets (default 44; at least 14, 44 with --stamp)\n"
		"  -Q DSCP      DSCP 0-63 or a name such as ef or af41 (default 0)\n"
		"  -t TTL       IP TTL or hop limit, 1-255 (default 255)\n"
		"  -p PORT      the reflector's UDP port (default 862)\n"
		"  -I DEV|ADDR  send through a device or VRF, or from a local address\n"
		"  -w WAIT      how long to wait for a reply, as INTERVAL (default 1)\n"
		"  --stamp      STAMP (RFC 8762) instead of TWAMP Light (RFC 5357)\n"
		"  --ssid N     the STAMP Session-Sender Identifier, 1-65535\n"
		"  --ptp        PTP timestamps instead of NTP\n"
		"  --poisson    Poisson-distributed gaps (RFC 2330), not periodic\n"
		"  -4, -6       IPv4 or IPv6 only\n"
		"  -q           print only the first and the last lines\n"
		"  -j           print one JSON document at the end\n"
		"Exit status: 0 if a reply came back, else 1.\n", PROG_NAME);
}

struct ping_ctx {
	uint32_t id;
	bool json, quiet;
	const char *from;		/* the reflector's address */
	/* replies, and first records (one per packet sent) that reached us */
	uint64_t replies, firsts;
	/* -j: every record, printed at the end */
	struct twamp_result *records;
	size_t n_records, cap_records;
	bool done;
	bool aborted;			/* ended by hooks->alive() */
	struct sender final;		/* SENDER_DONE_NTF, or the last GET */
};

static int keep_record(struct ping_ctx *ctx, const struct twamp_result *r)
{
	struct twamp_result *p;
	size_t cap;

	if (ctx->n_records == ctx->cap_records) {
		cap = ctx->cap_records ? 2 * ctx->cap_records : 64;
		p = realloc(ctx->records, cap * sizeof(*p));
		if (!p)
			return -1;
		ctx->records = p;
		ctx->cap_records = cap;
	}
	ctx->records[ctx->n_records++] = *r;
	return 0;
}

static int on_result(struct ping_ctx *ctx, const struct twamp_result *r)
{
	if (!(r->has[TWAMP_A_RESULT_FLAGS] &&
	      (r->v[TWAMP_A_RESULT_FLAGS] & TWAMP_RESULT_DUPLICATE))) {
		ctx->firsts++;
		if (!result_lost(r))
			ctx->replies++;
	}
	if (ctx->json) {
		if (keep_record(ctx, r)) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		return MNL_CB_OK;
	}
	if (ctx->quiet)
		return MNL_CB_OK;
	if (!result_lost(r))
		printf("%" PRIu64 " bytes from %s: ", r->v[TWAMP_A_RESULT_SIZE],
		       ctx->from);
	result_print_human(stdout, r);
	printf("\n");
	return MNL_CB_OK;
}

static int ping_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct ping_ctx *ctx = data;
	struct twamp_result r;
	struct sender s;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return MNL_CB_OK;
	switch (genl->cmd) {
	case TWAMP_CMD_RESULT_NTF:
		if (!result_parse_msg(nlh, &r) &&
		    r.v[TWAMP_A_RESULT_SENDER_ID] == ctx->id)
			return on_result(ctx, &r);
		break;
	case TWAMP_CMD_SENDER_DONE_NTF:
		if (!sender_parse_msg(nlh, &s) &&
		    s.v[TWAMP_A_SENDER_ID] == ctx->id) {
			ctx->final = s;
			ctx->done = true;
			return MNL_CB_STOP;
		}
		break;
	}
	return MNL_CB_OK;
}

static void put_id_u32(struct nlmsghdr *nlh, uint32_t id)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, TWAMP_A_SENDER);

	mnl_attr_put_u32(nlh, TWAMP_A_SENDER_ID, id);
	mnl_attr_nest_end(nlh, nest);
}

static int new_cb(const struct nlmsghdr *nlh, void *data)
{
	return sender_parse_msg(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

/* Take every notification already queued, up to and including DONE. */
static void drain(struct tnl *mon, struct ping_ctx *ctx)
{
	while (!ctx->done && tnl_recv(mon, 0, NULL, ping_cb, ctx) >= 0)
		;
}

/*
 * Stop sending; the sender then waits for late replies and reports DONE.
 * It may have finished by itself meanwhile, which is no error.
 */
static int stop(struct tnl *nl, struct ping_ctx *ctx)
{
	struct nlmsghdr *nlh = tnl_msg(nl, TWAMP_CMD_SENDER_STOP, 0);
	struct sender s;
	int err;

	put_id_u32(nlh, ctx->id);
	err = tnl_talk(nl, nlh, NULL, NULL);
	if (!err)
		return 0;
	if (!sender_get(nl, ctx->id, &s) && s.has[TWAMP_A_SENDER_STATE] &&
	    s.v[TWAMP_A_SENDER_STATE] >= TWAMP_SENDER_DRAINING)
		return 0;
	sender_perror(nl, "stopping the sender", err);
	return -1;
}

/*
 * Nothing for a while, or the socket overran and DONE may have been lost:
 * ask. Returns 1 when the sender is done, 0 if not, -1 on failure.
 */
static int check_done(struct tnl *nl, struct tnl *mon, struct ping_ctx *ctx)
{
	struct sender s;
	int err;

	err = sender_get(nl, ctx->id, &s);
	if (err) {
		sender_perror(nl, "reading the sender", err);
		return -1;
	}
	if (!s.has[TWAMP_A_SENDER_STATE] ||
	    s.v[TWAMP_A_SENDER_STATE] != TWAMP_SENDER_DONE)
		return 0;
	drain(mon, ctx);
	if (!ctx->done) {
		ctx->final = s;
		ctx->done = true;
	}
	return 1;
}

/* Until DONE, or a second Ctrl-C. Returns 0 or -1. */
static int wait_done(struct tnl *nl, struct tnl *mon, struct ping_ctx *ctx,
		     const sigset_t *wait_mask, const struct ping_hooks *hooks)
{
	bool stopped = false, lost = false;
	int ret;

	while (!ctx->done) {
		/* The run's reason to exist is gone: stop as Ctrl-C does. */
		if (!lost && hooks && hooks->alive &&
		    hooks->alive(hooks->arg)) {
			lost = true;
			ctx->aborted = true;
			if (!interrupted)
				interrupted = 1;
		}
		if (interrupted && !stopped) {
			stopped = true;
			if (stop(nl, ctx))
				return -1;
		}
		/* A second Ctrl-C: do not wait for late replies. */
		if (interrupted > 1)
			return 0;
		ret = tnl_recv(mon, PING_POLL_MS, wait_mask, ping_cb, ctx);
		if (ret == -ENOBUFS)
			fprintf(stderr,
				"%s: ping: receive buffer overrun, results were lost\n",
				PROG_NAME);
		if (ret == -ENOBUFS || ret == -ETIMEDOUT) {
			if (check_done(nl, mon, ctx) < 0)
				return -1;
		} else if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "%s: ping: receiving results: %s\n",
				PROG_NAME, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

enum { OPT_STAMP = 256, OPT_SSID, OPT_PTP, OPT_POISSON, OPT_SYMMETRIC };

static const struct option long_opts[] = {
	{ "stamp", no_argument, NULL, OPT_STAMP },
	{ "ssid", required_argument, NULL, OPT_SSID },
	{ "ptp", no_argument, NULL, OPT_PTP },
	{ "poisson", no_argument, NULL, OPT_POISSON },
	{ "symmetric", no_argument, NULL, OPT_SYMMETRIC },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void set(struct sender *s, unsigned int attr, uint64_t v)
{
	s->v[attr] = v;
	s->has[attr] = true;
}

/* -I: a device or VRF by name, else a local address. */
static int parse_via(struct ping_opts *o, const char *arg)
{
	struct sender *s = &o->cfg;
	unsigned int ifindex = if_nametoindex(arg);

	if (ifindex) {
		set(s, TWAMP_A_SENDER_IFINDEX, ifindex);
	} else if (inet_pton(AF_INET, arg, s->local) == 1) {
		s->local_family = AF_INET;
	} else if (inet_pton(AF_INET6, arg, s->local) == 1) {
		s->local_family = AF_INET6;
	} else {
		fprintf(stderr, "%s: %s: no device or address '%s'\n",
			PROG_NAME, o->cmd, arg);
		return -1;
	}
	return 0;
}

/* -m: the TWAMP-Control security mode of twamp-ctl test. */
static int parse_mode(struct ping_opts *o, const char *arg)
{
	static const struct {
		const char *name;
		uint32_t mode;
	} modes[] = {
		{ "open", TWC_MODE_OPEN },
		{ "unauthenticated", TWC_MODE_OPEN },
		{ "auth", TWC_MODE_AUTH },
		{ "authenticated", TWC_MODE_AUTH },
		{ "encrypt", TWC_MODE_ENCRYPT },
		{ "encrypted", TWC_MODE_ENCRYPT },
		{ "mixed", TWC_MODE_MIXED },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(arg, modes[i].name)) {
			o->mode = modes[i].mode;
			return 0;
		}
	}
	fprintf(stderr,
		"%s: %s: unknown mode '%s' (open, auth, encrypt or mixed)\n",
		PROG_NAME, o->cmd, arg);
	return -1;
}

/* What ping takes and test does not, and the reverse. */
static bool opt_allowed(const struct ping_opts *o, int c)
{
	bool test = !strcmp(o->cmd, "test");

	switch (c) {
	case OPT_STAMP:
	case OPT_SSID:
		return !test;
	case 'm':
	case 'k':
	case 'K':
	case OPT_SYMMETRIC:
		return test;
	}
	return true;
}

static void cmd_usage(const struct ping_opts *o, FILE *f)
{
	if (!strcmp(o->cmd, "test"))
		test_usage(f);
	else
		usage(f);
}

int ping_parse_opts(int argc, char *argv[], struct ping_opts *o,
		    const char *cmd)
{
	struct sender *s = &o->cfg;
	uint8_t dscp;
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->size = UINT64_MAX;
	o->mode = TWC_MODE_OPEN;
	o->control_port = TWC_PORT;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":46c:i:s:Q:t:p:I:w:m:k:K:qjh",
				long_opts, NULL)) != -1) {
		if (!opt_allowed(o, c)) {
			fprintf(stderr, "%s: %s: option '%s' is not for %s\n",
				PROG_NAME, cmd, argv[optind - 1], cmd);
			return 1;
		}
		switch (c) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'c':
			if (parse_u64("count", optarg, UINT32_MAX, &v))
				return 1;
			set(s, TWAMP_A_SENDER_COUNT, v);
			break;
		case 'i':
			if (parse_seconds_ns("interval", optarg, &v))
				return 1;
			set(s, TWAMP_A_SENDER_INTERVAL, v);
			break;
		case 's':
			if (parse_u64("size", optarg, MAX_TEST_SIZE, &o->size))
				return 1;
			break;
		case 'Q':
			if (parse_dscp(optarg, &dscp))
				return 1;
			set(s, TWAMP_A_SENDER_DSCP, dscp);
			break;
		case 't':
			if (parse_u64("ttl", optarg, 255, &v))
				return 1;
			set(s, TWAMP_A_SENDER_TTL, v);
			break;
		case 'p':
			if (parse_u64("port", optarg, 65535, &v))
				return 1;
			/* test: the server's TWAMP-Control port */
			if (!strcmp(cmd, "test"))
				o->control_port = v;
			else
				set(s, TWAMP_A_SENDER_REMOTE_PORT, v);
			break;
		case 'I':
			if (parse_via(o, optarg))
				return 1;
			break;
		case 'w':
			if (parse_seconds_ns("wait", optarg, &v))
				return 1;
			set(s, TWAMP_A_SENDER_WAIT, v);
			break;
		case 'm':
			if (parse_mode(o, optarg))
				return 1;
			break;
		case 'k':
			o->key_file = optarg;
			break;
		case 'K':
			o->key_id = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			cmd_usage(o, stdout);
			return 2;
		case OPT_STAMP:
			set(s, TWAMP_A_SENDER_FORMAT, TWAMP_FORMAT_STAMP);
			break;
		case OPT_SSID:
			if (parse_u64("SSID", optarg, 65535, &v))
				return 1;
			set(s, TWAMP_A_SENDER_SSID, v);
			break;
		case OPT_PTP:
			set(s, TWAMP_A_SENDER_TS_FORMAT, TWAMP_TS_PTP);
			break;
		case OPT_POISSON:
			set(s, TWAMP_A_SENDER_SCHEDULE, TWAMP_SCHEDULE_POISSON);
			break;
		case OPT_SYMMETRIC:
			o->symmetric = true;
			break;
		case ':':
			fprintf(stderr, "%s: %s: option '%s' needs a value\n",
				PROG_NAME, cmd, argv[optind - 1]);
			return 1;
		default:
			fprintf(stderr, "%s: %s: unknown option '%s'\n",
				PROG_NAME, cmd, argv[optind - 1]);
			cmd_usage(o, stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, optind == argc ? "%s: %s: no host given\n" :
			"%s: %s: more than one host given\n", PROG_NAME, cmd);
		cmd_usage(o, stderr);
		return 1;
	}
	o->host = argv[optind];
	if (s->has[TWAMP_A_SENDER_SSID] && !s->has[TWAMP_A_SENDER_FORMAT]) {
		fprintf(stderr, "%s: %s: --ssid needs --stamp\n", PROG_NAME,
			cmd);
		return 1;
	}
	if (s->local_family && o->family && s->local_family != o->family) {
		fprintf(stderr, "%s: %s: -I %s is not an %s address\n",
			PROG_NAME, cmd, "ADDR",
			o->family == AF_INET ? "IPv4" : "IPv6");
		return 1;
	}
	/* test sizes its packets once the mode is settled. */
	if (o->size != UINT64_MAX && strcmp(cmd, "test")) {
		uint32_t padding;

		if (size_to_padding(s->v[TWAMP_A_SENDER_FORMAT], o->size,
				    &padding))
			return 1;
		set(s, TWAMP_A_SENDER_PADDING, padding);
	}
	sender_random_seed(s);
	s->has[TWAMP_A_SENDER_BIND] = true;
	return 0;
}

/*
 * Records of a finished sender that never reached this socket: the kernel
 * sends one first record (reply or lost) per packet sent.
 */
static uint64_t missed(const struct ping_ctx *ctx)
{
	const struct sender *s = &ctx->final;
	uint64_t sent = s->stats.v[TWAMP_A_STATS_SENT];

	if (!s->has[TWAMP_A_SENDER_STATE] ||
	    s->v[TWAMP_A_SENDER_STATE] != TWAMP_SENDER_DONE ||
	    sent < ctx->firsts)
		return 0;
	return sent - ctx->firsts;
}

static void print_json(const struct ping_opts *o, const struct host_addr *addr,
		       const struct sender *created, struct ping_ctx *ctx,
		       const struct ping_hooks *hooks)
{
	struct sender config = *created;
	size_t i;

	if (ctx->final.has[TWAMP_A_SENDER_STATE])
		set(&config, TWAMP_A_SENDER_STATE,
		    ctx->final.v[TWAMP_A_SENDER_STATE]);
	printf("{\"host\":");
	json_str(stdout, o->host);
	printf(",\"address\":");
	json_str(stdout, addr->text);
	if (hooks && hooks->json)
		hooks->json(hooks->arg);
	printf(",\"config\":{");
	sender_print_json_config(&config);
	printf("},\"results\":[");
	for (i = 0; i < ctx->n_records; i++) {
		printf(i ? "," : "");
		result_print_json(stdout, &ctx->records[i], "");
	}
	printf("],\"stats\":");
	stats_print_json(stdout, &ctx->final.stats);
	printf(",\"results_missed\":%" PRIu64 "}\n", missed(ctx));
}

static uint64_t cfg_value(const struct sender *created,
			  const struct sender *asked, unsigned int attr,
			  uint64_t dflt)
{
	if (created->has[attr])
		return created->v[attr];
	if (asked->has[attr])
		return asked->v[attr];
	return dflt;
}

static void print_header(const struct ping_opts *o,
			 const struct host_addr *addr,
			 const struct sender *created,
			 const struct ping_hooks *hooks)
{
	const struct sender *c = &o->cfg;
	unsigned int format = cfg_value(created, c, TWAMP_A_SENDER_FORMAT,
					TWAMP_FORMAT_LIGHT);
	bool keyed = cfg_value(created, c, TWAMP_A_SENDER_SECURITY,
			       TWAMP_SECURITY_OPEN) != TWAMP_SECURITY_OPEN;
	unsigned int header = keyed ? TWAMP_SENDER_AUTH_SIZE :
			      sender_header_size(format);
	uint64_t port, padding;

	port = cfg_value(created, c, TWAMP_A_SENDER_REMOTE_PORT,
			 TWAMP_DEFAULT_PORT);
	/*
	 * The module's defaults make 44-octet packets in either format, and
	 * keyed ones as large as their 112-octet replies.
	 */
	padding = cfg_value(created, c, TWAMP_A_SENDER_PADDING,
			    keyed ? 112 - header : 44 - header);

	printf("%s %s", hooks && hooks->title ? hooks->title : "TWAMP-PING",
	       o->host);
	if (strcmp(o->host, addr->text))
		printf(" (%s)", addr->text);
	printf(" port %" PRIu64 " (%s, %" PRIu64 " bytes)\n", port,
	       hooks && hooks->note ? hooks->note : format_title(format),
	       header + padding);
}

int ping_resolve(struct ping_opts *o, struct host_addr *addr)
{
	/* -I ADDR decides the family as -4 or -6 would. */
	if (resolve_host(o->host, o->family ? o->family : o->cfg.local_family,
			 addr))
		return -1;
	o->cfg.remote_family = addr->family;
	memcpy(o->cfg.remote, addr->addr, sizeof(o->cfg.remote));
	if (addr->scope_id && !o->cfg.has[TWAMP_A_SENDER_IFINDEX])
		set(&o->cfg, TWAMP_A_SENDER_IFINDEX, addr->scope_id);
	return 0;
}

int ping_run(struct ping_opts *o, const struct host_addr *addr,
	     const struct ping_hooks *hooks)
{
	struct ping_ctx ctx = { 0 };
	struct sender created, now;
	bool started = false;
	struct nlmsghdr *nlh;
	struct tnl nl, mon;
	sigset_t wait_mask;
	uint64_t received;
	int ret = 1, err;

	if (tnl_open(&nl))
		return 1;
	/* Notifications get their own socket, joined before anything is sent. */
	if (tnl_open(&mon))
		goto out_nl;
	if (tnl_join(&mon, TWAMP_MCGRP_RESULTS))
		goto out_mon;

	nlh = tnl_msg(&nl, TWAMP_CMD_SENDER_NEW, 0);
	sender_put(nlh, &o->cfg);
	err = tnl_talk(&nl, nlh, new_cb, &created);
	if (err) {
		sender_perror(&nl, "creating the sender", err);
		goto out_mon;
	}
	ctx.id = created.v[TWAMP_A_SENDER_ID];
	ctx.json = o->json;
	ctx.quiet = o->quiet;
	ctx.from = addr->text;

	if (catch_interrupts(&wait_mask)) {
		fprintf(stderr, "%s: %s: signals: %s\n", PROG_NAME, o->cmd,
			strerror(errno));
		goto out_mon;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!o->json)
		print_header(o, addr, &created, hooks);

	if (hooks && hooks->start && hooks->start(hooks->arg, &created))
		goto out_mon;
	started = true;
	nlh = tnl_msg(&nl, TWAMP_CMD_SENDER_START, 0);
	put_id_u32(nlh, ctx.id);
	err = tnl_talk(&nl, nlh, NULL, NULL);
	if (err) {
		sender_perror(&nl, "starting the sender", err);
		goto out_mon;
	}

	err = wait_done(&nl, &mon, &ctx, &wait_mask, hooks);
	/* Interrupted twice, or failed: the statistics so far. */
	if (!ctx.done && !sender_get(&nl, ctx.id, &now)) {
		ctx.final = now;
		ctx.done = true;
	}
	if (hooks && hooks->done) {
		hooks->done(hooks->arg);
		started = false;
	}
	if (ctx.done) {
		if (o->json) {
			print_json(o, addr, &created, &ctx, hooks);
		} else {
			printf("\n--- %s twamp %s statistics ---\n", o->host,
			       o->cmd);
			stats_print_human(stdout, &ctx.final.stats, "");
			if (missed(&ctx))
				printf("%" PRIu64 " per-packet results missed here (receive buffer overrun)\n",
				       missed(&ctx));
		}
	}
	received = ctx.final.stats.has[TWAMP_A_STATS_RECEIVED] ?
		   ctx.final.stats.v[TWAMP_A_STATS_RECEIVED] : ctx.replies;
	ret = !err && received && !ctx.aborted ? 0 : 1;

out_mon:
	if (started && hooks && hooks->done)
		hooks->done(hooks->arg);
	free(ctx.records);
	tnl_close(&mon);
out_nl:
	/* Closing the socket that made the sender deletes it (BIND). */
	tnl_close(&nl);
	return ret;
}

int cmd_ping(int argc, char *argv[])
{
	struct host_addr addr;
	struct ping_opts o;
	int err;

	err = ping_parse_opts(argc, argv, &o, "ping");
	if (err)
		return err == 2 ? 0 : 1;
	if (ping_resolve(&o, &addr))
		return 1;
	return ping_run(&o, &addr, NULL);
}
