// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl ping: a TWAMP Light or STAMP measurement in the manner of
 * ping(8). A kernel Session-Sender bound to this process's netlink socket
 * does the sending and matching (so it goes away with the process); this
 * file prints what the "results" group reports about it.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/twamp_packet.h>

#include "ctl.h"
#include "ping.h"
#include "probe_out.h"
#include "sender.h"

/* How long the group may stay silent before we ask whether the sender is done. */
#define PING_POLL_MS	1000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s ping [-4|-6] [-c COUNT] [-i INTERVAL] [-s SIZE] [-Q DSCP]\n"
		"                     [-t TTL] [-p PORT] [-I DEV|ADDR] [-w DEADLINE]\n"
		"                     [-W TIMEOUT] [--stamp] [--ssid N] [--ptp] [--poisson]\n"
		"                     [-q] [-D] [-O] [-j] HOST\n"
		"Measure round-trip delay, loss and delay variation to the TWAMP Light or\n"
		"STAMP reflector at HOST with a kernel Session-Sender, until COUNT packets\n"
		"were sent, DEADLINE passed or Ctrl-C, then print statistics.\n"
		"  -c COUNT     stop after COUNT packets (default: until Ctrl-C)\n"
		"  -i INTERVAL  seconds between packets, such as 0.2, or a duration such\n"
		"               as 200ms, 10us to 3600s (default 1; the mean with --poisson)\n"
		"  -s SIZE      UDP payload octets (default 44; at least 14, 44 with --stamp)\n"
		"  -Q DSCP      DSCP 0-63 or a name such as ef or af41 (default 0)\n"
		"  -t TTL       IP TTL or hop limit, 1-255 (default 255)\n"
		"  -p PORT      the reflector's UDP port (default 862)\n"
		"  -I DEV|ADDR  send through a device or VRF, or from a local address\n"
		"  -w DEADLINE  end the run after DEADLINE seconds, whatever came back\n"
		"  -W TIMEOUT   how long to wait for each reply, as INTERVAL (default 1)\n"
		"  --stamp      STAMP (RFC 8762) instead of TWAMP Light (RFC 5357)\n"
		"  --ssid N     the STAMP Session-Sender Identifier, 1-65535\n"
		"  --ptp        PTP timestamps instead of NTP\n"
		"  --poisson    Poisson-distributed gaps (RFC 2330), not periodic\n"
		"  -4, -6       IPv4 or IPv6 only\n"
		"  -q           print only the first and the last lines\n"
		"  -D           print [seconds.microseconds] since the epoch before lines\n"
		"  -O           report a packet still unanswered when the next one goes\n"
		"  -j           print one JSON document at the end\n"
		"Exit status: 0 if a reply came back, 1 if none did, 2 on an error.\n",
		PROG_NAME);
}

static const struct probe_cmd ping_cmd = { "ping", false, usage };

struct ping_ctx {
	uint32_t id;
	bool json;
	struct probe_out out;		/* the per-packet lines */
	/* replies, and first records (one per packet sent) that reached us */
	uint64_t replies, firsts;
	/* -j: every record, printed at the end */
	struct twamp_result *records;
	size_t n_records, cap_records;
	bool done;
	bool aborted;			/* ended by hooks->alive() */
	bool gone;			/* the module went away */
	struct sender final;		/* SENDER_DONE_NTF, or the last GET */
	/* -w and -O, on CLOCK_MONOTONIC */
	uint64_t start_ns, deadline_ns;	/* deadline_ns 0: none */
	uint64_t interval_ns, count;	/* count 0: no limit */
	uint64_t tick;			/* -O: packets known to be sent */
	bool outstanding;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

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
	if (ctx->json ? keep_record(ctx, r) : probe_out_add(&ctx->out, r)) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
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
 * A request failed: when because the module went away under the run, say
 * so rather than what the vanished family made of it.
 */
static void run_perror(struct tnl *nl, struct ping_ctx *ctx, const char *what,
		       int err)
{
	/* The module says "no sender with this ID"; genetlink says nothing. */
	bool bare = err == -ENOENT && !nl->ext_msg[0];

	if (tnl_family_gone(nl)) {
		ctx->gone = true;
		tnl_print_not_loaded();
		return;
	}
	if (bare) {
		/* Unloaded, and loaded again by the family lookup itself. */
		ctx->gone = true;
		fprintf(stderr,
			"%s: %s: the sender is gone: the twamp module was unloaded during the run\n",
			PROG_NAME, what);
		return;
	}
	sender_perror(nl, what, err);
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
	run_perror(nl, ctx, "stopping the sender", err);
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
		run_perror(nl, ctx, "reading the sender", err);
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

/*
 * -O: packet N + 1 leaves about start + (N + 1) * interval (the mean one
 * with --poisson); report N if nothing of it came back by then.
 */
static void report_outstanding(struct ping_ctx *ctx, uint64_t now)
{
	uint64_t due;

	if (!ctx->outstanding || !ctx->interval_ns)
		return;
	due = (now - ctx->start_ns) / ctx->interval_ns;
	if (ctx->count && due > ctx->count - 1)
		due = ctx->count - 1;
	for (; ctx->tick < due; ctx->tick++)
		if (!probe_out_answered(&ctx->out, ctx->tick))
			probe_out_outstanding(&ctx->out, ctx->tick);
}

/* How long to wait for notifications: until the next -O tick or -w. */
static int poll_ms(const struct ping_ctx *ctx, uint64_t now, bool stopped)
{
	uint64_t wait = (uint64_t)PING_POLL_MS * NSEC_PER_MSEC, t;

	if (ctx->deadline_ns) {
		t = ctx->deadline_ns > now ? ctx->deadline_ns - now : 0;
		wait = t < wait ? t : wait;
	}
	if (ctx->outstanding && ctx->interval_ns && !stopped &&
	    (!ctx->count || ctx->tick < ctx->count - 1)) {
		t = ctx->start_ns + (ctx->tick + 1) * ctx->interval_ns;
		t = t > now ? t - now : 0;
		wait = t < wait ? t : wait;
	}
	/* Round up: waking early would only spin. */
	return (wait + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
}

/*
 * Until DONE, a second Ctrl-C or -w DEADLINE, whichever is first. Returns
 * 0 or -1.
 */
static int wait_done(struct tnl *nl, struct tnl *mon, struct ping_ctx *ctx,
		     const sigset_t *wait_mask, const struct ping_hooks *hooks)
{
	bool stopped = false, lost = false;
	uint64_t now, last_check = mono_ns();
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
		now = mono_ns();
		/* As ping -w: the deadline ends the run, replies due or not. */
		if (ctx->deadline_ns && now >= ctx->deadline_ns) {
			if (!stopped && stop(nl, ctx))
				return -1;
			return 0;
		}
		if (interrupted && !stopped) {
			stopped = true;
			if (stop(nl, ctx))
				return -1;
		}
		/* A second Ctrl-C: do not wait for late replies. */
		if (interrupted > 1)
			return 0;
		if (!stopped)
			report_outstanding(ctx, now);
		ret = tnl_recv(mon, poll_ms(ctx, now, stopped), wait_mask,
			       ping_cb, ctx);
		if (ret == -ENOBUFS)
			fprintf(stderr,
				"%s: ping: receive buffer overrun, results were lost\n",
				PROG_NAME);
		if (ret == -ENOBUFS || ret == -ETIMEDOUT) {
			/* Short waits end at -O ticks: ask once a second. */
			now = mono_ns();
			if (ret == -ENOBUFS ||
			    now - last_check >= PING_POLL_MS * NSEC_PER_MSEC) {
				last_check = now;
				if (check_done(nl, mon, ctx) < 0)
					return -1;
			}
		} else if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "%s: ping: receiving results: %s\n",
				PROG_NAME, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

static void set(struct sender *s, unsigned int attr, uint64_t v)
{
	s->v[attr] = v;
	s->has[attr] = true;
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

static void print_json(const struct probe_opts *o, const struct host_addr *addr,
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

static void print_header(const struct probe_opts *o,
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

int ping_resolve(struct probe_opts *o, struct host_addr *addr)
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

int ping_run(struct probe_opts *o, const struct host_addr *addr,
	     const struct ping_hooks *hooks)
{
	struct ping_ctx ctx = { 0 };
	struct sender created, now;
	bool started = false;
	struct nlmsghdr *nlh;
	struct tnl nl, mon;
	sigset_t wait_mask;
	uint64_t received;
	int ret = PROBE_EXIT_ERROR, err;

	/* -w counts from here, as ping's from its start. */
	if (o->deadline_ns)
		ctx.deadline_ns = mono_ns() + o->deadline_ns;
	probe_out_init(&ctx.out, stdout, addr->text, o->timestamps, o->quiet);
	if (tnl_open(&nl))
		return PROBE_EXIT_ERROR;
	/* Notifications get their own socket, joined before anything is sent. */
	if (tnl_open(&mon))
		goto out_nl;
	if (tnl_join(&mon, TWAMP_MCGRP_RESULTS))
		goto out_mon;

	sender_random_seed(&o->cfg);
	nlh = tnl_msg(&nl, TWAMP_CMD_SENDER_NEW, 0);
	sender_put(nlh, &o->cfg);
	err = tnl_talk(&nl, nlh, new_cb, &created);
	if (err) {
		sender_perror(&nl, "creating the sender", err);
		goto out_mon;
	}
	ctx.id = created.v[TWAMP_A_SENDER_ID];
	ctx.json = o->json;
	/* -O prints lines, which a JSON document has no room for. */
	ctx.outstanding = o->outstanding && !o->json;
	ctx.interval_ns = cfg_value(&created, &o->cfg, TWAMP_A_SENDER_INTERVAL,
				    NSEC_PER_SEC);
	ctx.count = cfg_value(&created, &o->cfg, TWAMP_A_SENDER_COUNT, 0);

	if (catch_interrupts(&wait_mask)) {
		fprintf(stderr, "%s: %s: signals: %s\n", PROG_NAME,
			o->cmd->name, strerror(errno));
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
	ctx.start_ns = mono_ns();
	err = tnl_talk(&nl, nlh, NULL, NULL);
	if (err) {
		sender_perror(&nl, "starting the sender", err);
		goto out_mon;
	}

	err = wait_done(&nl, &mon, &ctx, &wait_mask, hooks);
	/* Interrupted twice, past -w, or failed: the statistics so far. */
	if (!ctx.done && !ctx.gone && !sender_get(&nl, ctx.id, &now)) {
		ctx.final = now;
		ctx.done = true;
	}
	if (hooks && hooks->done) {
		hooks->done(hooks->arg);
		started = false;
	}
	probe_out_flush(&ctx.out);
	if (ctx.done) {
		if (o->json) {
			print_json(o, addr, &created, &ctx, hooks);
		} else {
			printf("\n--- %s twamp %s statistics ---\n", o->host,
			       o->cmd->name);
			stats_print_human(stdout, &ctx.final.stats, "");
			if (missed(&ctx))
				printf("%" PRIu64 " per-packet results missed here (receive buffer overrun)\n",
				       missed(&ctx));
		}
	}
	received = ctx.final.stats.has[TWAMP_A_STATS_RECEIVED] ?
		   ctx.final.stats.v[TWAMP_A_STATS_RECEIVED] : ctx.replies;
	ret = probe_exit_status(err || ctx.aborted, received);

out_mon:
	if (started && hooks && hooks->done)
		hooks->done(hooks->arg);
	free(ctx.records);
	probe_out_free(&ctx.out);
	tnl_close(&mon);
out_nl:
	/* Closing the socket that made the sender deletes it (BIND). */
	tnl_close(&nl);
	return ret;
}

int cmd_ping(int argc, char *argv[])
{
	struct host_addr addr;
	struct probe_opts o;
	int ret;

	ret = probe_parse_opts(argc, argv, &o, &ping_cmd);
	if (ret >= 0)
		return ret;
	if (ping_resolve(&o, &addr))
		return PROBE_EXIT_ERROR;
	return ping_run(&o, &addr, NULL);
}
