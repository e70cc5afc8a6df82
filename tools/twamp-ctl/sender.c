// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl sender: add, start, stop, delete and show kernel
 * Session-Senders; and the sender and result parsing that ping, stats and
 * monitor share.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netdb.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <linux/twamp_packet.h>

#include "ctl.h"
#include "suggest.h"
#include "sender.h"

/* Octets of each integer attribute; 0 for the others. */
static const uint8_t attr_width[TWAMP_A_SENDER_MAX + 1] = {
	[TWAMP_A_SENDER_ID]		= 4,
	[TWAMP_A_SENDER_IFINDEX]	= 4,
	[TWAMP_A_SENDER_LOCAL_PORT]	= 2,
	[TWAMP_A_SENDER_REMOTE_PORT]	= 2,
	[TWAMP_A_SENDER_FORMAT]		= 1,
	[TWAMP_A_SENDER_TS_FORMAT]	= 1,
	[TWAMP_A_SENDER_SSID]		= 2,
	[TWAMP_A_SENDER_DSCP]		= 1,
	[TWAMP_A_SENDER_TTL]		= 1,
	[TWAMP_A_SENDER_PADDING]	= 4,
	[TWAMP_A_SENDER_COUNT]		= 4,
	[TWAMP_A_SENDER_DURATION]	= 8,
	[TWAMP_A_SENDER_INTERVAL]	= 8,
	[TWAMP_A_SENDER_SCHEDULE]	= 1,
	[TWAMP_A_SENDER_SEED]		= 8,
	[TWAMP_A_SENDER_START_TIME]	= 8,
	[TWAMP_A_SENDER_WAIT]		= 8,
	[TWAMP_A_SENDER_STATE]		= 1,
	[TWAMP_A_SENDER_SECURITY]	= 1,
};

int resolve_host(const char *host, int family, struct host_addr *out)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res, *ai;
	int err;

	memset(out, 0, sizeof(*out));
	/* Say why a literal of the other family does not fit. */
	if (family && inet_pton(family == AF_INET ? AF_INET6 : AF_INET, host,
				out->addr) == 1) {
		fprintf(stderr, "%s: '%s' is not an %s address\n", PROG_NAME,
			host, family == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	err = getaddrinfo(host, NULL, &hints, &res);
	if (err) {
		fprintf(stderr, "%s: cannot resolve '%s': %s\n", PROG_NAME, host,
			err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)ai->ai_addr;

			memcpy(out->addr, &sin->sin_addr, 4);
			break;
		}
		if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const void *)ai->ai_addr;

			memcpy(out->addr, &sin6->sin6_addr, 16);
			out->scope_id = sin6->sin6_scope_id;
			break;
		}
	}
	if (ai) {
		out->family = ai->ai_family;
		inet_ntop(out->family, out->addr, out->text, sizeof(out->text));
	}
	freeaddrinfo(res);
	if (!out->family) {
		fprintf(stderr, "%s: '%s' has no IPv4 or IPv6 address\n",
			PROG_NAME, host);
		return -1;
	}
	return 0;
}

void sender_put(struct nlmsghdr *nlh, const struct sender *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, TWAMP_A_SENDER);
	unsigned int i;

	for (i = 1; i <= TWAMP_A_SENDER_MAX; i++) {
		if (!s->has[i])
			continue;
		switch (attr_width[i]) {
		case 1:
			mnl_attr_put_u8(nlh, i, s->v[i]);
			break;
		case 2:
			mnl_attr_put_u16(nlh, i, s->v[i]);
			break;
		case 4:
			mnl_attr_put_u32(nlh, i, s->v[i]);
			break;
		case 8:
			mnl_attr_put_u64(nlh, i, s->v[i]);
			break;
		}
	}
	if (s->remote_family)
		mnl_attr_put(nlh, s->remote_family == AF_INET ?
			     TWAMP_A_SENDER_REMOTE_IPV4 : TWAMP_A_SENDER_REMOTE_IPV6,
			     s->remote_family == AF_INET ? 4 : 16, s->remote);
	if (s->local_family)
		mnl_attr_put(nlh, s->local_family == AF_INET ?
			     TWAMP_A_SENDER_LOCAL_IPV4 : TWAMP_A_SENDER_LOCAL_IPV6,
			     s->local_family == AF_INET ? 4 : 16, s->local);
	if (s->has[TWAMP_A_SENDER_BIND])
		mnl_attr_put(nlh, TWAMP_A_SENDER_BIND, 0, NULL);
	if (s->has[TWAMP_A_SENDER_SID])
		mnl_attr_put(nlh, TWAMP_A_SENDER_SID, sizeof(s->sid), s->sid);
	if (s->has[TWAMP_A_SENDER_AES_KEY])
		mnl_attr_put(nlh, TWAMP_A_SENDER_AES_KEY, sizeof(s->aes_key),
			     s->aes_key);
	if (s->has[TWAMP_A_SENDER_HMAC_KEY])
		mnl_attr_put(nlh, TWAMP_A_SENDER_HMAC_KEY, sizeof(s->hmac_key),
			     s->hmac_key);
	mnl_attr_nest_end(nlh, nest);
}

void stats_parse(const struct nlattr *nest, struct twamp_stats *st)
{
	const struct nlattr *ts[TWAMP_A_STATS_MAX + 1];
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (!nest || tnl_parse_nested(nest, ts, TWAMP_A_STATS_MAX))
		return;
	for (i = TWAMP_A_STATS_SENT; i <= TWAMP_A_STATS_MAX; i++)
		if (ts[i])
			st->has[i] = !tnl_get_uint(ts[i], &st->v[i]);
}

static void get_addr(const struct nlattr *v4, const struct nlattr *v6,
		     int *family, unsigned char *addr)
{
	if (v4 && mnl_attr_get_payload_len(v4) == 4) {
		*family = AF_INET;
		memcpy(addr, mnl_attr_get_payload(v4), 4);
	} else if (v6 && mnl_attr_get_payload_len(v6) == 16) {
		*family = AF_INET6;
		memcpy(addr, mnl_attr_get_payload(v6), 16);
	}
}

int sender_parse(const struct nlattr *nest, struct sender *s)
{
	const struct nlattr *ta[TWAMP_A_SENDER_MAX + 1];
	unsigned int i;

	memset(s, 0, sizeof(*s));
	if (tnl_parse_nested(nest, ta, TWAMP_A_SENDER_MAX) ||
	    !ta[TWAMP_A_SENDER_ID])
		return -1;
	for (i = 1; i <= TWAMP_A_SENDER_MAX; i++)
		if (ta[i] && attr_width[i])
			s->has[i] = !tnl_get_uint(ta[i], &s->v[i]);
	get_addr(ta[TWAMP_A_SENDER_REMOTE_IPV4], ta[TWAMP_A_SENDER_REMOTE_IPV6],
		 &s->remote_family, s->remote);
	get_addr(ta[TWAMP_A_SENDER_LOCAL_IPV4], ta[TWAMP_A_SENDER_LOCAL_IPV6],
		 &s->local_family, s->local);
	s->has[TWAMP_A_SENDER_BIND] = ta[TWAMP_A_SENDER_BIND];
	stats_parse(ta[TWAMP_A_SENDER_STATS], &s->stats);
	return s->has[TWAMP_A_SENDER_ID] ? 0 : -1;
}

int sender_parse_msg(const struct nlmsghdr *nlh, struct sender *s)
{
	const struct nlattr *tb[TWAMP_A_MAX + 1];

	if (tnl_parse(nlh, tb, TWAMP_A_MAX) || !tb[TWAMP_A_SENDER])
		return -1;
	return sender_parse(tb[TWAMP_A_SENDER], s);
}

int result_parse_msg(const struct nlmsghdr *nlh, struct twamp_result *r)
{
	const struct nlattr *tb[TWAMP_A_MAX + 1], *tr[TWAMP_A_RESULT_MAX + 1];
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (tnl_parse(nlh, tb, TWAMP_A_MAX) || !tb[TWAMP_A_RESULT] ||
	    tnl_parse_nested(tb[TWAMP_A_RESULT], tr, TWAMP_A_RESULT_MAX))
		return -1;
	for (i = TWAMP_A_RESULT_SENDER_ID; i <= TWAMP_A_RESULT_MAX; i++)
		if (tr[i] && i != TWAMP_A_RESULT_ICMP_FROM_IPV4 &&
		    i != TWAMP_A_RESULT_ICMP_FROM_IPV6)
			r->has[i] = !tnl_get_uint(tr[i], &r->v[i]);
	get_addr(tr[TWAMP_A_RESULT_ICMP_FROM_IPV4],
		 tr[TWAMP_A_RESULT_ICMP_FROM_IPV6], &r->icmp_family,
		 r->icmp_from);
	return r->has[TWAMP_A_RESULT_SENDER_ID] && r->has[TWAMP_A_RESULT_SEQ] ?
	       0 : -1;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	return sender_parse_msg(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

int sender_get(struct tnl *nl, uint32_t id, struct sender *s)
{
	struct nlmsghdr *nlh = tnl_msg(nl, TWAMP_CMD_SENDER_GET, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, TWAMP_A_SENDER);

	mnl_attr_put_u32(nlh, TWAMP_A_SENDER_ID, id);
	mnl_attr_nest_end(nlh, nest);
	return tnl_talk(nl, nlh, get_cb, s);
}

char *sender_remote_str(const struct sender *s, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	if (s->remote_family)
		inet_ntop(s->remote_family, s->remote, addr, sizeof(addr));
	if (s->has[TWAMP_A_SENDER_REMOTE_PORT])
		snprintf(buf, len, "%s port %" PRIu64, addr,
			 s->v[TWAMP_A_SENDER_REMOTE_PORT]);
	else
		snprintf(buf, len, "%s", addr);
	return buf;
}

/*
 * The CLI's word for each attribute, to say which one the kernel refused
 * (its messages about an ID say so already).
 */
static const char *const attr_names[TWAMP_A_SENDER_MAX + 1] = {
	[TWAMP_A_SENDER_IFINDEX]	= "dev",
	[TWAMP_A_SENDER_LOCAL_IPV4]	= "local",
	[TWAMP_A_SENDER_LOCAL_IPV6]	= "local",
	[TWAMP_A_SENDER_LOCAL_PORT]	= "local-port",
	[TWAMP_A_SENDER_REMOTE_IPV4]	= "remote",
	[TWAMP_A_SENDER_REMOTE_IPV6]	= "remote",
	[TWAMP_A_SENDER_REMOTE_PORT]	= "port",
	[TWAMP_A_SENDER_FORMAT]		= "format",
	[TWAMP_A_SENDER_TS_FORMAT]	= "ts",
	[TWAMP_A_SENDER_SSID]		= "ssid",
	[TWAMP_A_SENDER_DSCP]		= "dscp",
	[TWAMP_A_SENDER_TTL]		= "ttl",
	[TWAMP_A_SENDER_PADDING]	= "padding",
	[TWAMP_A_SENDER_COUNT]		= "count",
	[TWAMP_A_SENDER_DURATION]	= "duration",
	[TWAMP_A_SENDER_INTERVAL]	= "interval",
	[TWAMP_A_SENDER_SCHEDULE]	= "schedule",
	[TWAMP_A_SENDER_SEED]		= "seed",
	[TWAMP_A_SENDER_START_TIME]	= "start-time",
	[TWAMP_A_SENDER_WAIT]		= "wait",
};

void sender_perror(const struct tnl *nl, const char *what, int err)
{
	uint16_t attr = tnl_err_attr(nl, TWAMP_A_SENDER);
	char buf[128];

	/* genetlink's answer to a command the family does not have */
	if (err == -EOPNOTSUPP && !nl->ext_msg[0]) {
		fprintf(stderr,
			"%s: %s: the loaded twamp module has no Session-Sender: %s\n",
			PROG_NAME, what, strerror(-err));
		return;
	}
	if (attr <= TWAMP_A_SENDER_MAX && attr_names[attr]) {
		snprintf(buf, sizeof(buf), "%s: %s", what, attr_names[attr]);
		what = buf;
	}
	tnl_perror(nl, what, err);
}

void sender_random_seed(struct sender *s)
{
	uint64_t seed;

	if (s->v[TWAMP_A_SENDER_SCHEDULE] != TWAMP_SCHEDULE_POISSON ||
	    s->has[TWAMP_A_SENDER_SEED] ||
	    getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		return;
	s->v[TWAMP_A_SENDER_SEED] = seed;
	s->has[TWAMP_A_SENDER_SEED] = true;
}

/* An authenticated or encrypted sender: the 48-octet header. */
static bool keyed(const struct sender *s)
{
	return s->has[TWAMP_A_SENDER_SECURITY] &&
	       s->v[TWAMP_A_SENDER_SECURITY] != TWAMP_SECURITY_OPEN;
}

static unsigned int header_size(const struct sender *s)
{
	return keyed(s) ? TWAMP_SENDER_AUTH_SIZE :
			  sender_header_size(s->v[TWAMP_A_SENDER_FORMAT]);
}

static const char *const security_names[] = { "open", "auth", "encrypt" };

static const char *security_str(unsigned int mode)
{
	return mode < 3 ? security_names[mode] : "unknown";
}

static void json_uint(const struct sender *s, const char *name,
		      unsigned int attr)
{
	printf(",\"%s\":", name);
	if (s->has[attr])
		printf("%" PRIu64, s->v[attr]);
	else
		printf("null");
}

static void json_enum(const struct sender *s, const char *name,
		      unsigned int attr, const char *(*str)(unsigned int))
{
	printf(",\"%s\":", name);
	if (s->has[attr])
		json_str(stdout, str(s->v[attr]));
	else
		printf("null");
}

/*
 * The same value again as a decimal string, "<name>_str": nanoseconds since
 * the epoch and 64-bit seeds pass 2^53, which jq 1.6 and JavaScript round.
 */
static void json_uint_str(const struct sender *s, const char *name,
			  unsigned int attr)
{
	printf(",\"%s_str\":", name);
	if (s->has[attr])
		printf("\"%" PRIu64 "\"", s->v[attr]);
	else
		printf("null");
}

static void json_addr(const char *name, int family, const unsigned char *a)
{
	char buf[INET6_ADDRSTRLEN];

	printf(",\"%s\":", name);
	if (family && inet_ntop(family, a, buf, sizeof(buf)))
		json_str(stdout, buf);
	else
		printf("null");
}

void sender_print_json_config(const struct sender *s)
{
	char ifname[IF_NAMESIZE];

	printf("\"id\":%" PRIu64, s->v[TWAMP_A_SENDER_ID]);
	json_enum(s, "state", TWAMP_A_SENDER_STATE, state_str);
	json_addr("remote", s->remote_family, s->remote);
	json_uint(s, "remote_port", TWAMP_A_SENDER_REMOTE_PORT);
	json_addr("local", s->local_family, s->local);
	json_uint(s, "local_port", TWAMP_A_SENDER_LOCAL_PORT);
	printf(",\"dev\":");
	if (s->has[TWAMP_A_SENDER_IFINDEX] && s->v[TWAMP_A_SENDER_IFINDEX] &&
	    if_indextoname(s->v[TWAMP_A_SENDER_IFINDEX], ifname))
		json_str(stdout, ifname);
	else
		printf("null");
	json_enum(s, "format", TWAMP_A_SENDER_FORMAT, format_str);
	json_enum(s, "ts_format", TWAMP_A_SENDER_TS_FORMAT, ts_format_str);
	json_enum(s, "security", TWAMP_A_SENDER_SECURITY, security_str);
	json_uint(s, "ssid", TWAMP_A_SENDER_SSID);
	json_uint(s, "dscp", TWAMP_A_SENDER_DSCP);
	json_uint(s, "ttl", TWAMP_A_SENDER_TTL);
	json_uint(s, "padding", TWAMP_A_SENDER_PADDING);
	json_uint(s, "count", TWAMP_A_SENDER_COUNT);
	json_uint(s, "duration_ns", TWAMP_A_SENDER_DURATION);
	json_uint(s, "interval_ns", TWAMP_A_SENDER_INTERVAL);
	json_enum(s, "schedule", TWAMP_A_SENDER_SCHEDULE, schedule_str);
	json_uint(s, "seed", TWAMP_A_SENDER_SEED);
	json_uint_str(s, "seed", TWAMP_A_SENDER_SEED);
	json_uint(s, "start_time_ns", TWAMP_A_SENDER_START_TIME);
	json_uint_str(s, "start_time_ns", TWAMP_A_SENDER_START_TIME);
	json_uint(s, "wait_ns", TWAMP_A_SENDER_WAIT);
	printf(",\"bind\":%s", s->has[TWAMP_A_SENDER_BIND] ? "true" : "false");
}

static void sender_print_json(const struct sender *s)
{
	printf("{");
	sender_print_json_config(s);
	printf(",\"stats\":");
	stats_print_json(stdout, &s->stats);
	printf("}");
}

/* "192.0.2.1:40000", "[2001:db8::1]:862", "*:40000", "*" */
static void print_endpoint(int family, const unsigned char *addr, bool has_port,
			   uint64_t port)
{
	char buf[INET6_ADDRSTRLEN] = "*";

	if (family)
		inet_ntop(family, addr, buf, sizeof(buf));
	printf(family == AF_INET6 ? "[%s]" : "%s", buf);
	if (has_port)
		printf(":%" PRIu64, port);
}

/* Durations and times of 0 mean "none" and are left out. */
static void print_duration(const struct sender *s, const char *name,
			   unsigned int attr)
{
	char buf[32];

	if (s->has[attr] && s->v[attr])
		printf(" %s %s", name, fmt_duration(buf, sizeof(buf), s->v[attr]));
}

static void print_uint(const struct sender *s, const char *name,
		       unsigned int attr)
{
	if (s->has[attr])
		printf(" %s %" PRIu64, name, s->v[attr]);
}

static void print_human(const struct sender *s)
{
	char ifname[IF_NAMESIZE];

	printf("sender %" PRIu64 ": ", s->v[TWAMP_A_SENDER_ID]);
	print_endpoint(s->local_family, s->local,
		       s->has[TWAMP_A_SENDER_LOCAL_PORT],
		       s->v[TWAMP_A_SENDER_LOCAL_PORT]);
	printf(" -> ");
	print_endpoint(s->remote_family, s->remote,
		       s->has[TWAMP_A_SENDER_REMOTE_PORT],
		       s->v[TWAMP_A_SENDER_REMOTE_PORT]);
	if (s->has[TWAMP_A_SENDER_IFINDEX] && s->v[TWAMP_A_SENDER_IFINDEX])
		printf(" dev %s", if_indextoname(s->v[TWAMP_A_SENDER_IFINDEX],
						 ifname) ? ifname : "?");
	if (s->has[TWAMP_A_SENDER_FORMAT])
		printf(" %s", format_str(s->v[TWAMP_A_SENDER_FORMAT]));
	if (s->has[TWAMP_A_SENDER_TS_FORMAT])
		printf(" %s", ts_format_str(s->v[TWAMP_A_SENDER_TS_FORMAT]));
	if (keyed(s))
		printf(" %s", security_str(s->v[TWAMP_A_SENDER_SECURITY]));
	if (s->has[TWAMP_A_SENDER_STATE])
		printf(" %s", state_str(s->v[TWAMP_A_SENDER_STATE]));
	printf("\n ");
	print_uint(s, "count", TWAMP_A_SENDER_COUNT);
	print_duration(s, "duration", TWAMP_A_SENDER_DURATION);
	print_duration(s, "interval", TWAMP_A_SENDER_INTERVAL);
	if (s->has[TWAMP_A_SENDER_SCHEDULE])
		printf(" schedule %s", schedule_str(s->v[TWAMP_A_SENDER_SCHEDULE]));
	if (s->v[TWAMP_A_SENDER_SCHEDULE] == TWAMP_SCHEDULE_POISSON)
		print_uint(s, "seed", TWAMP_A_SENDER_SEED);
	if (s->v[TWAMP_A_SENDER_START_TIME])
		print_uint(s, "start-time", TWAMP_A_SENDER_START_TIME);
	print_duration(s, "wait", TWAMP_A_SENDER_WAIT);
	print_uint(s, "ssid", TWAMP_A_SENDER_SSID);
	print_uint(s, "dscp", TWAMP_A_SENDER_DSCP);
	print_uint(s, "ttl", TWAMP_A_SENDER_TTL);
	print_uint(s, "padding", TWAMP_A_SENDER_PADDING);
	if (s->has[TWAMP_A_SENDER_PADDING])
		printf(" (%" PRIu64 " bytes)",
		       header_size(s) + s->v[TWAMP_A_SENDER_PADDING]);
	if (s->has[TWAMP_A_SENDER_BIND])
		printf(" bind");
	printf("\n");
	stats_print_human(stdout, &s->stats, "  ");
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s sender add REMOTE [port PORT] [local ADDR] [local-port PORT]\n"
		"                  [dev IFNAME] [format light|stamp] [ts ntp|ptp] [ssid N]\n"
		"                  [dscp DSCP] [ttl N] [padding N | size N] [count N]\n"
		"                  [duration DURATION] [interval DURATION]\n"
		"                  [schedule periodic|poisson] [seed N]\n"
		"                  [start-time NS|+DURATION] [wait DURATION]\n"
		"                  [security open|auth|encrypt aes-key HEX hmac-key HEX]\n"
		"                  [sid HEX] [-j]\n"
		"       %s sender start ID\n"
		"       %s sender stop ID\n"
		"       %s sender del ID\n"
		"       %s sender show [ID] [-j]\n"
		"A kernel Session-Sender sends TWAMP Light or STAMP test packets to a\n"
		"reflector at REMOTE (UDP 862 by default) and matches the replies.\n"
		"'add' creates it idle; 'start' sends 'count' packets (0, the default:\n"
		"until 'stop' or 'duration'), one every 'interval' (default 1s), and\n"
		"waits 'wait' (default 1s) for late replies. 'padding' counts the octets\n"
		"after the sender header; 'size' is the whole UDP payload instead.\n"
		"DSCP is 0-63 or a name (ef, af41, cs1, ...). 'start-time' is\n"
		"nanoseconds since the epoch or a delay from now. 'twamp-ctl stats'\n"
		"shows the statistics, 'twamp-ctl monitor' each packet. An\n"
		"authenticated or encrypted TWAMP sender needs the session's test keys\n"
		"(16 octets of AES key, 32 of HMAC key, in hex; never shown); 'sid' is\n"
		"the session's SID, for reference.\n"
		"  -j  print JSON\n",
		PROG_NAME, PROG_NAME, PROG_NAME, PROG_NAME, PROG_NAME);
}

struct show_ctx {
	bool json;
	unsigned int count;
};

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show_ctx *ctx = data;
	struct sender s;

	if (sender_parse_msg(nlh, &s))
		return MNL_CB_ERROR;
	if (ctx->json) {
		json_list_item(ctx->count);
		sender_print_json(&s);
	} else {
		print_human(&s);
	}
	ctx->count++;
	return MNL_CB_OK;
}

/* An enum spelled as one of @names, whose index is the value. */
static int parse_enum(const char *what, const char *val,
		      const char *const *names, unsigned int n, uint64_t *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(val, names[i])) {
			*out = i;
			return 0;
		}
	}
	/* as reflector add words it: "format is light or stamp, not 'x'" */
	fprintf(stderr, "%s: %s is ", PROG_NAME, what);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i ? (i + 1 == n ? " or " : ", ") : "",
			names[i]);
	fprintf(stderr, ", not '%s'\n", val);
	return -1;
}

/* Nanoseconds since the epoch, or "+DURATION" from now. */
static int parse_start_time(const char *val, uint64_t *out)
{
	struct timespec now;
	uint64_t delay;

	if (val[0] != '+')
		return parse_u64("start time", val, UINT64_MAX, out);
	if (parse_duration_ns("start time", val + 1, &delay))
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	*out = (uint64_t)now.tv_sec * NSEC_PER_SEC + now.tv_nsec + delay;
	return 0;
}

enum kw_kind { KW_UINT, KW_DURATION, KW_DSCP, KW_DEV, KW_LOCAL, KW_ENUM,
	       KW_START_TIME, KW_SIZE, KW_HEX };

static const char *const format_names[] = { "light", "stamp" };
static const char *const ts_names[] = { "ntp", "ptp" };
static const char *const schedule_names[] = { "periodic", "poisson" };

static const struct {
	const char *name;
	enum kw_kind kind;
	unsigned int attr;
	uint64_t max;			/* KW_UINT: the largest value */
	const char *const *names;	/* KW_ENUM: the values */
} add_keywords[] = {
	{ "port", KW_UINT, TWAMP_A_SENDER_REMOTE_PORT, 65535, NULL },
	{ "local", KW_LOCAL, 0, 0, NULL },
	{ "local-port", KW_UINT, TWAMP_A_SENDER_LOCAL_PORT, 65535, NULL },
	{ "dev", KW_DEV, TWAMP_A_SENDER_IFINDEX, 0, NULL },
	{ "format", KW_ENUM, TWAMP_A_SENDER_FORMAT, 2, format_names },
	{ "ts", KW_ENUM, TWAMP_A_SENDER_TS_FORMAT, 2, ts_names },
	{ "ssid", KW_UINT, TWAMP_A_SENDER_SSID, 65535, NULL },
	{ "dscp", KW_DSCP, TWAMP_A_SENDER_DSCP, 0, NULL },
	{ "ttl", KW_UINT, TWAMP_A_SENDER_TTL, 255, NULL },
	{ "padding", KW_UINT, TWAMP_A_SENDER_PADDING, UINT32_MAX, NULL },
	{ "size", KW_SIZE, TWAMP_A_SENDER_PADDING, MAX_TEST_SIZE, NULL },
	{ "count", KW_UINT, TWAMP_A_SENDER_COUNT, UINT32_MAX, NULL },
	{ "duration", KW_DURATION, TWAMP_A_SENDER_DURATION, 0, NULL },
	{ "interval", KW_DURATION, TWAMP_A_SENDER_INTERVAL, 0, NULL },
	{ "schedule", KW_ENUM, TWAMP_A_SENDER_SCHEDULE, 2, schedule_names },
	{ "seed", KW_UINT, TWAMP_A_SENDER_SEED, UINT64_MAX, NULL },
	{ "start-time", KW_START_TIME, TWAMP_A_SENDER_START_TIME, 0, NULL },
	{ "wait", KW_DURATION, TWAMP_A_SENDER_WAIT, 0, NULL },
	{ "security", KW_ENUM, TWAMP_A_SENDER_SECURITY, 3, security_names },
	/* KW_HEX: max is the length in octets */
	{ "sid", KW_HEX, TWAMP_A_SENDER_SID, 16, NULL },
	{ "aes-key", KW_HEX, TWAMP_A_SENDER_AES_KEY, 16, NULL },
	{ "hmac-key", KW_HEX, TWAMP_A_SENDER_HMAC_KEY, 32, NULL },
};

/* Exactly @len octets of hex into @out; prints its own errors. */
static int parse_hex(const char *what, const char *val, unsigned char *out,
		     size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned int b;

		if (!isxdigit((unsigned char)val[2 * i]) ||
		    !isxdigit((unsigned char)val[2 * i + 1]) ||
		    sscanf(val + 2 * i, "%2x", &b) != 1)
			break;
		out[i] = b;
	}
	if (i != len || val[2 * len]) {
		fprintf(stderr, "%s: invalid %s (%zu octets in hex)\n",
			PROG_NAME, what, len);
		return -1;
	}
	return 0;
}

static unsigned char *hex_field(struct sender *s, unsigned int attr)
{
	switch (attr) {
	case TWAMP_A_SENDER_SID:
		return s->sid;
	case TWAMP_A_SENDER_AES_KEY:
		return s->aes_key;
	default:
		return s->hmac_key;
	}
}

/* One "keyword value" pair of 'sender add' into @s; prints its own errors. */
static int parse_keyword(struct sender *s, const char *key, const char *val,
			 uint64_t *size)
{
	unsigned int ifindex;
	uint8_t dscp;
	size_t i;

	for (i = 0; i < sizeof(add_keywords) / sizeof(add_keywords[0]); i++)
		if (!strcmp(key, add_keywords[i].name))
			break;
	if (i == sizeof(add_keywords) / sizeof(add_keywords[0])) {
		fprintf(stderr, "%s: sender add: unknown parameter '%s'\n",
			PROG_NAME, key);
		return -1;
	}
	switch (add_keywords[i].kind) {
	case KW_UINT:
		if (parse_u64(key, val, add_keywords[i].max,
			      &s->v[add_keywords[i].attr]))
			return -1;
		break;
	case KW_SIZE:
		if (parse_u64(key, val, add_keywords[i].max, size))
			return -1;
		break;
	case KW_DURATION:
		if (parse_duration_ns(key, val, &s->v[add_keywords[i].attr]))
			return -1;
		break;
	case KW_DSCP:
		if (parse_dscp(val, &dscp))
			return -1;
		s->v[add_keywords[i].attr] = dscp;
		break;
	case KW_DEV:
		ifindex = if_nametoindex(val);
		if (!ifindex) {
			fprintf(stderr, "%s: no device '%s'\n", PROG_NAME, val);
			return -1;
		}
		s->v[add_keywords[i].attr] = ifindex;
		break;
	case KW_LOCAL:
		if (inet_pton(AF_INET, val, s->local) == 1) {
			s->local_family = AF_INET;
		} else if (inet_pton(AF_INET6, val, s->local) == 1) {
			s->local_family = AF_INET6;
		} else {
			fprintf(stderr, "%s: invalid address '%s'\n", PROG_NAME,
				val);
			return -1;
		}
		return 0;
	case KW_ENUM:
		if (parse_enum(key, val, add_keywords[i].names,
			       add_keywords[i].max, &s->v[add_keywords[i].attr]))
			return -1;
		break;
	case KW_START_TIME:
		if (parse_start_time(val, &s->v[add_keywords[i].attr]))
			return -1;
		break;
	case KW_HEX:
		if (parse_hex(key, val, hex_field(s, add_keywords[i].attr),
			      add_keywords[i].max))
			return -1;
		break;
	}
	if (add_keywords[i].kind != KW_SIZE)
		s->has[add_keywords[i].attr] = true;
	return 0;
}

/*
 * Send one request about senders and print what comes back; arguments are
 * checked before this, so that a typo is reported even without the module.
 * @s is the nest to send (NULL: a dump), @what names the request in errors.
 */
static int talk(uint8_t cmd, const struct sender *s, bool print, bool json,
		const char *what)
{
	struct show_ctx ctx = { .json = json };
	struct nlmsghdr *nlh;
	struct tnl nl;
	int err;

	if (tnl_open(&nl))
		return 1;
	nlh = tnl_msg(&nl, cmd, s ? 0 : NLM_F_DUMP);
	if (s)
		sender_put(nlh, s);
	err = tnl_talk(&nl, nlh, print ? show_cb : NULL, &ctx);
	if (json)
		json_list_end(ctx.count, err);
	if (err)
		sender_perror(&nl, what, err);
	tnl_close(&nl);
	return err ? 1 : 0;
}

static int sender_add(int argc, char *argv[])
{
	const char *remote = NULL;
	uint64_t size = UINT64_MAX;
	struct host_addr addr;
	bool json = ctl_json;
	uint32_t padding;
	struct sender s;
	int i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j")) {
			json = true;
		} else if (!remote) {
			remote = argv[i];
		} else if (i + 1 >= argc) {
			fprintf(stderr, "%s: sender add: '%s' needs a value\n",
				PROG_NAME, argv[i]);
			return 1;
		} else {
			if (parse_keyword(&s, argv[i], argv[i + 1], &size))
				return 1;
			i++;
		}
	}
	if (!remote) {
		fprintf(stderr, "%s: sender add: the reflector address is missing\n",
			PROG_NAME);
		usage(stderr);
		return 1;
	}
	if (size != UINT64_MAX) {
		if (s.has[TWAMP_A_SENDER_PADDING]) {
			fprintf(stderr, "%s: sender add: 'size' and 'padding' exclude each other\n",
				PROG_NAME);
			return 1;
		}
		if (keyed(&s) && (size < TWAMP_SENDER_AUTH_SIZE ||
				  size > MAX_TEST_SIZE)) {
			fprintf(stderr, "%s: size %" PRIu64 " out of range (%u to %u with security)\n",
				PROG_NAME, size, TWAMP_SENDER_AUTH_SIZE,
				MAX_TEST_SIZE);
			return 1;
		}
		if (keyed(&s))
			padding = size - TWAMP_SENDER_AUTH_SIZE;
		else if (size_to_padding(s.v[TWAMP_A_SENDER_FORMAT], size,
					 &padding))
			return 1;
		s.v[TWAMP_A_SENDER_PADDING] = padding;
		s.has[TWAMP_A_SENDER_PADDING] = true;
	}
	sender_random_seed(&s);
	/* The reflector in the local address's family, if one was given. */
	if (resolve_host(remote, s.local_family, &addr))
		return 1;
	s.remote_family = addr.family;
	memcpy(s.remote, addr.addr, sizeof(s.remote));
	if (addr.scope_id && !s.has[TWAMP_A_SENDER_IFINDEX]) {
		s.v[TWAMP_A_SENDER_IFINDEX] = addr.scope_id;
		s.has[TWAMP_A_SENDER_IFINDEX] = true;
	}
	i = talk(TWAMP_CMD_SENDER_NEW, &s, true, json, "adding a sender");
	explicit_bzero(s.aes_key, sizeof(s.aes_key));
	explicit_bzero(s.hmac_key, sizeof(s.hmac_key));
	return i;
}

/* ID into @s; prints its own errors. */
static int parse_id(const char *arg, struct sender *s)
{
	memset(s, 0, sizeof(*s));
	if (parse_u64("sender ID", arg, UINT32_MAX,
		      &s->v[TWAMP_A_SENDER_ID]))
		return -1;
	s->has[TWAMP_A_SENDER_ID] = true;
	return 0;
}

/* start, stop and del: a request with the ID and an ack. */
static int sender_simple(int argc, char *argv[], uint8_t cmd,
			 const char *verb, const char *what)
{
	struct sender s;

	if (argc != 1) {
		fprintf(stderr, "%s: sender %s: expected one sender ID\n",
			PROG_NAME, verb);
		return 1;
	}
	if (parse_id(argv[0], &s))
		return 1;
	return talk(cmd, &s, false, false, what);
}

static int sender_start(int argc, char *argv[])
{
	return sender_simple(argc, argv, TWAMP_CMD_SENDER_START, "start",
			     "starting the sender");
}

static int sender_stop(int argc, char *argv[])
{
	return sender_simple(argc, argv, TWAMP_CMD_SENDER_STOP, "stop",
			     "stopping the sender");
}

static int sender_del(int argc, char *argv[])
{
	return sender_simple(argc, argv, TWAMP_CMD_SENDER_DEL, "del",
			     "deleting the sender");
}

static int sender_show(int argc, char *argv[])
{
	const char *id = NULL;
	bool json = ctl_json;
	struct sender s;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j")) {
			json = true;
		} else if (!id) {
			id = argv[i];
		} else {
			fprintf(stderr, "%s: sender show: unexpected argument '%s'\n",
				PROG_NAME, argv[i]);
			return 1;
		}
	}
	if (id && parse_id(id, &s))
		return 1;
	return talk(TWAMP_CMD_SENDER_GET, id ? &s : NULL, true, json,
		    "showing senders");
}

int cmd_sender(int argc, char *argv[])
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char *argv[]);
	} verbs[] = {
		{ "add", sender_add },
		{ "start", sender_start },
		{ "stop", sender_stop },
		{ "del", sender_del },
		{ "show", sender_show },
	};
	const char *verb = argc > 1 ? verb_alias(argv[1]) : "show";
	size_t i;

	for (i = 1; i < (size_t)argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verb, verbs[i].name))
			return verbs[i].fn(argc > 1 ? argc - 2 : 0, argv + 2);
	unknown_command("sender", verb, verbs, sizeof(verbs) / sizeof(verbs[0]),
			sizeof(verbs[0]));
	usage(stderr);
	return 1;
}
