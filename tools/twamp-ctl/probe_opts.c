// SPDX-License-Identifier: GPL-2.0
/*
 * The options of twamp-ctl ping and twamp-ctl test. Both run a kernel
 * Session-Sender and read like iputils ping: -c count, -i interval, -s size,
 * -w deadline, -W per-reply timeout, -q, -D, -O. Each command passes its
 * own struct probe_cmd, so neither has to know the other.
 */

#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <string.h>

#include "ctl.h"
#include "probe_opts.h"

enum {
	OPT_STAMP = 256, OPT_SSID, OPT_PTP, OPT_NTP, OPT_POISSON, OPT_SYMMETRIC,
};

static const struct option long_opts[] = {
	{ "stamp", no_argument, NULL, OPT_STAMP },
	{ "ssid", required_argument, NULL, OPT_SSID },
	{ "ptp", no_argument, NULL, OPT_PTP },
	{ "ntp", no_argument, NULL, OPT_NTP },
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
static int parse_via(struct probe_opts *o, const char *arg)
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
			PROG_NAME, o->cmd->name, arg);
		return -1;
	}
	return 0;
}

/* -m: the TWAMP-Control security mode of twamp-ctl test. */
static int parse_mode(struct probe_opts *o, const char *arg)
{
	static const struct {
		const char *name;
		enum probe_mode mode;
	} modes[] = {
		{ "open", PROBE_MODE_OPEN },
		{ "unauthenticated", PROBE_MODE_OPEN },
		{ "auth", PROBE_MODE_AUTH },
		{ "authenticated", PROBE_MODE_AUTH },
		{ "encrypt", PROBE_MODE_ENCRYPT },
		{ "encrypted", PROBE_MODE_ENCRYPT },
		{ "mixed", PROBE_MODE_MIXED },
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
		PROG_NAME, o->cmd->name, arg);
	return -1;
}

/*
 * -i: within the kernel's bounds, said in the message, so that "-i 0" or
 * "-i -1" tells what would do rather than only what does not.
 */
static int parse_interval(const struct probe_opts *o, const char *arg,
			  uint64_t *ns)
{
	char lo[32], hi[32];

	if (arg[0] != '-' && parse_seconds_ns("interval", arg, ns))
		return -1;
	if (arg[0] != '-' && *ns >= PROBE_MIN_INTERVAL_NS &&
	    *ns <= PROBE_MAX_INTERVAL_NS)
		return 0;
	fprintf(stderr,
		"%s: %s: interval '%s' out of range: from %s (0.00001) to %s\n",
		PROG_NAME, o->cmd->name, arg,
		fmt_duration(lo, sizeof(lo), PROBE_MIN_INTERVAL_NS),
		fmt_duration(hi, sizeof(hi), PROBE_MAX_INTERVAL_NS));
	return -1;
}

/* -w and -W: seconds above zero. */
static int parse_positive(const struct probe_opts *o, const char *what,
			  const char *arg, uint64_t *ns)
{
	if (parse_seconds_ns(what, arg, ns))
		return -1;
	if (*ns)
		return 0;
	fprintf(stderr, "%s: %s: %s '%s' must be above 0\n", PROG_NAME,
		o->cmd->name, what, arg);
	return -1;
}

/* What ping takes and test does not, and the reverse. */
static bool opt_allowed(const struct probe_cmd *cmd, int c)
{
	switch (c) {
	case OPT_STAMP:
	case OPT_SSID:
		return !cmd->control;
	case 'm':
	case 'k':
	case 'K':
	case OPT_NTP:
	case OPT_SYMMETRIC:
		return cmd->control;
	}
	return true;
}

/* "-k" or "--ssid": argv[optind - 1] may be the option's value. */
static const char *opt_name(int c, char *buf, size_t len)
{
	size_t i;

	for (i = 0; long_opts[i].name; i++)
		if (c >= 256 && long_opts[i].val == c)
			snprintf(buf, len, "--%s", long_opts[i].name);
	if (c < 256)
		snprintf(buf, len, "-%c", c);
	return buf;
}

static int parse_one(struct probe_opts *o, int c, const char *arg)
{
	const struct probe_cmd *cmd = o->cmd;
	struct sender *s = &o->cfg;
	uint8_t dscp;
	uint64_t v;

	switch (c) {
	case '4':
		o->family = AF_INET;
		break;
	case '6':
		o->family = AF_INET6;
		break;
	case 'c':
		if (parse_u64("count", arg, UINT32_MAX, &v))
			return -1;
		set(s, TWAMP_A_SENDER_COUNT, v);
		break;
	case 'i':
		if (parse_interval(o, arg, &v))
			return -1;
		set(s, TWAMP_A_SENDER_INTERVAL, v);
		break;
	case 's':
		if (parse_u64("size", arg, MAX_TEST_SIZE, &o->size))
			return -1;
		break;
	case 'Q':
		if (parse_dscp(arg, &dscp))
			return -1;
		set(s, TWAMP_A_SENDER_DSCP, dscp);
		break;
	case 't':
		if (parse_u64("ttl", arg, 255, &v))
			return -1;
		set(s, TWAMP_A_SENDER_TTL, v);
		break;
	case 'p':
		if (parse_u64("port", arg, 65535, &v))
			return -1;
		/* test: the server's TWAMP-Control port */
		if (cmd->control)
			o->control_port = v;
		else
			set(s, TWAMP_A_SENDER_REMOTE_PORT, v);
		break;
	case 'I':
		return parse_via(o, arg);
	case 'w':
		return parse_positive(o, "deadline", arg, &o->deadline_ns);
	case 'W':
		if (parse_positive(o, "timeout", arg, &v))
			return -1;
		set(s, TWAMP_A_SENDER_WAIT, v);
		break;
	case 'm':
		return parse_mode(o, arg);
	case 'k':
		o->key_file = arg;
		break;
	case 'K':
		o->key_id = arg;
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'j':
		o->json = true;
		break;
	case 'D':
		o->timestamps = true;
		break;
	case 'O':
		o->outstanding = true;
		break;
	case OPT_STAMP:
		set(s, TWAMP_A_SENDER_FORMAT, TWAMP_FORMAT_STAMP);
		break;
	case OPT_SSID:
		if (parse_u64("SSID", arg, 65535, &v))
			return -1;
		set(s, TWAMP_A_SENDER_SSID, v);
		break;
	case OPT_PTP:
		set(s, TWAMP_A_SENDER_TS_FORMAT, TWAMP_TS_PTP);
		break;
	case OPT_NTP:
		o->ntp = true;
		break;
	case OPT_POISSON:
		set(s, TWAMP_A_SENDER_SCHEDULE, TWAMP_SCHEDULE_POISSON);
		break;
	case OPT_SYMMETRIC:
		o->symmetric = true;
		break;
	}
	return 0;
}

static int check_opts(struct probe_opts *o)
{
	const char *name = o->cmd->name;
	struct sender *s = &o->cfg;
	uint32_t padding;

	if (s->has[TWAMP_A_SENDER_SSID] && !s->has[TWAMP_A_SENDER_FORMAT]) {
		fprintf(stderr, "%s: %s: --ssid needs --stamp\n", PROG_NAME,
			name);
		return -1;
	}
	if (s->local_family && o->family && s->local_family != o->family) {
		fprintf(stderr, "%s: %s: -I %s is not an %s address\n",
			PROG_NAME, name, "ADDR",
			o->family == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	/* test sizes its packets once the mode is settled. */
	if (o->size != UINT64_MAX && !o->cmd->control) {
		if (size_to_padding(s->v[TWAMP_A_SENDER_FORMAT], o->size,
				    &padding))
			return -1;
		set(s, TWAMP_A_SENDER_PADDING, padding);
	}
	return 0;
}

int probe_parse_opts(int argc, char *argv[], struct probe_opts *o,
		     const struct probe_cmd *cmd)
{
	char name[32];
	int c;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->json = ctl_json;
	o->size = UINT64_MAX;
	o->mode = PROBE_MODE_OPEN;
	o->control_port = PROBE_CONTROL_PORT;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":46c:i:s:Q:t:p:I:w:W:m:k:K:qjDOh",
				long_opts, NULL)) != -1) {
		if (c == 'h') {
			cmd->usage(stdout);
			return PROBE_EXIT_OK;
		}
		if (c == ':') {
			fprintf(stderr, "%s: %s: option '%s' needs a value\n",
				PROG_NAME, cmd->name, argv[optind - 1]);
			return PROBE_EXIT_ERROR;
		}
		if (c == '?') {
			fprintf(stderr, "%s: %s: unknown option '%s'\n",
				PROG_NAME, cmd->name, argv[optind - 1]);
			cmd->usage(stderr);
			return PROBE_EXIT_ERROR;
		}
		if (!opt_allowed(cmd, c)) {
			fprintf(stderr, "%s: %s: option '%s' is not for %s\n",
				PROG_NAME, cmd->name,
				opt_name(c, name, sizeof(name)), cmd->name);
			return PROBE_EXIT_ERROR;
		}
		if (parse_one(o, c, optarg))
			return PROBE_EXIT_ERROR;
	}
	if (optind != argc - 1) {
		fprintf(stderr, optind == argc ? "%s: %s: no host given\n" :
			"%s: %s: more than one host given\n", PROG_NAME,
			cmd->name);
		cmd->usage(stderr);
		return PROBE_EXIT_ERROR;
	}
	o->host = argv[optind];
	if (check_opts(o))
		return PROBE_EXIT_ERROR;
	o->cfg.has[TWAMP_A_SENDER_BIND] = true;
	return -1;
}

int probe_exit_status(bool failed, uint64_t received)
{
	if (failed)
		return PROBE_EXIT_ERROR;
	return received ? PROBE_EXIT_OK : PROBE_EXIT_NO_REPLY;
}
