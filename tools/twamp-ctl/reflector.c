// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl reflector: add, delete and show kernel reflectors.
 */

#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <string.h>

#include <linux/twamp.h>

#include "ctl.h"
#include "nl.h"
#include "reflector.h"


static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s reflector add [local ADDR] [port PORT] [dev IFNAME]\n"
		"                  [format light|stamp] [ts ntp|ptp] [dscp 0-63|keep]\n"
		"                  [allow PREFIX]... [rate-limit PPS] [stateful]\n"
		"                  [sessions-only] [max-dynamic N] [max-per-source N]\n"
		"                  [dynamic-refwait DURATION] [-j]\n"
		"       %s reflector del ID\n"
		"       %s reflector show [ID] [-j]\n"
		"Kernel reflectors answer TWAMP Light or STAMP test packets in softirq.\n"
		"Without 'local' a reflector listens on every IPv4 and IPv6 address.\n"
		"'allow' may repeat; without it every source is answered.\n"
		"'rate-limit' caps packets per second per source (0: off).\n"
		"'stateful' (STAMP) keeps a session and sequence counter per sender;\n"
		"'sessions-only' answers only senders that have a session.\n"
		"A stateful reflector keeps at most 'max-dynamic' sessions (default\n"
		"4096), evicting the least recently heard one for a new sender; at most\n"
		"'max-per-source' of them per IPv4 address or IPv6 /64 (default 64);\n"
		"and ends one idle for 'dynamic-refwait' (default 60s).\n"
		"  -j  print JSON\n", PROG_NAME, PROG_NAME, PROG_NAME);
}

struct show_ctx {
	bool json;
	unsigned int count;
};

static void parse_allow(const struct nlattr *list, struct reflector *r)
{
	const struct nlattr *entry, *tp[TWAMP_A_PREFIX_MAX + 1];
	char addr[INET6_ADDRSTRLEN] = "";

	mnl_attr_for_each_nested(entry, list) {
		if (r->n_allow >= sizeof(r->allow) / sizeof(r->allow[0]) ||
		    tnl_parse_nested(entry, tp, TWAMP_A_PREFIX_MAX))
			break;
		if (tp[TWAMP_A_PREFIX_IPV4])
			inet_ntop(AF_INET, mnl_attr_get_payload(tp[TWAMP_A_PREFIX_IPV4]),
				  addr, sizeof(addr));
		else if (tp[TWAMP_A_PREFIX_IPV6])
			inet_ntop(AF_INET6, mnl_attr_get_payload(tp[TWAMP_A_PREFIX_IPV6]),
				  addr, sizeof(addr));
		snprintf(r->allow[r->n_allow++], sizeof(r->allow[0]), "%s/%u",
			 addr, tp[TWAMP_A_PREFIX_LEN] ?
			 mnl_attr_get_u8(tp[TWAMP_A_PREFIX_LEN]) : 0);
	}
}

int reflector_parse(const struct nlmsghdr *nlh, struct reflector *r)
{
	const struct nlattr *tb[TWAMP_A_MAX + 1], *ta[TWAMP_A_REFLECTOR_MAX + 1];

	memset(r, 0, sizeof(*r));
	r->dscp = -1;
	if (tnl_parse(nlh, tb, TWAMP_A_MAX) || !tb[TWAMP_A_REFLECTOR] ||
	    tnl_parse_nested(tb[TWAMP_A_REFLECTOR], ta, TWAMP_A_REFLECTOR_MAX) ||
	    !ta[TWAMP_A_REFLECTOR_ID])
		return -1;

	r->id = mnl_attr_get_u32(ta[TWAMP_A_REFLECTOR_ID]);
	if (ta[TWAMP_A_REFLECTOR_IFINDEX])
		r->ifindex = mnl_attr_get_u32(ta[TWAMP_A_REFLECTOR_IFINDEX]);
	if (ta[TWAMP_A_REFLECTOR_LOCAL_IPV4]) {
		r->family = AF_INET;
		inet_ntop(AF_INET, mnl_attr_get_payload(ta[TWAMP_A_REFLECTOR_LOCAL_IPV4]),
			  r->local, sizeof(r->local));
	} else if (ta[TWAMP_A_REFLECTOR_LOCAL_IPV6]) {
		r->family = AF_INET6;
		inet_ntop(AF_INET6, mnl_attr_get_payload(ta[TWAMP_A_REFLECTOR_LOCAL_IPV6]),
			  r->local, sizeof(r->local));
	}
	if (ta[TWAMP_A_REFLECTOR_PORT])
		r->port = mnl_attr_get_u16(ta[TWAMP_A_REFLECTOR_PORT]);
	if (ta[TWAMP_A_REFLECTOR_FORMAT])
		r->format = mnl_attr_get_u8(ta[TWAMP_A_REFLECTOR_FORMAT]);
	if (ta[TWAMP_A_REFLECTOR_TS_FORMAT])
		r->ts_format = mnl_attr_get_u8(ta[TWAMP_A_REFLECTOR_TS_FORMAT]);
	if (ta[TWAMP_A_REFLECTOR_DSCP])
		r->dscp = mnl_attr_get_u8(ta[TWAMP_A_REFLECTOR_DSCP]);
	r->stateful = ta[TWAMP_A_REFLECTOR_STATEFUL];
	r->sessions_only = ta[TWAMP_A_REFLECTOR_SESSIONS_ONLY];
	r->bound = ta[TWAMP_A_REFLECTOR_BIND];
	if (ta[TWAMP_A_REFLECTOR_RATE_LIMIT])
		r->rate_limit = mnl_attr_get_u32(ta[TWAMP_A_REFLECTOR_RATE_LIMIT]);
	if (ta[TWAMP_A_REFLECTOR_ALLOW])
		parse_allow(ta[TWAMP_A_REFLECTOR_ALLOW], r);
	counters_parse(ta[TWAMP_A_REFLECTOR_COUNTERS], r->counters);
	if (ta[TWAMP_A_REFLECTOR_MAX_DYNAMIC])
		r->max_dynamic = mnl_attr_get_u32(ta[TWAMP_A_REFLECTOR_MAX_DYNAMIC]);
	if (ta[TWAMP_A_REFLECTOR_MAX_PER_SOURCE])
		r->max_per_source = mnl_attr_get_u32(ta[TWAMP_A_REFLECTOR_MAX_PER_SOURCE]);
	if (ta[TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT])
		r->dynamic_refwait = mnl_attr_get_u32(ta[TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT]);
	if (ta[TWAMP_A_REFLECTOR_DYNAMIC]) {
		const struct nlattr *td[TWAMP_A_DYNAMIC_MAX + 1];

		if (!tnl_parse_nested(ta[TWAMP_A_REFLECTOR_DYNAMIC], td,
				      TWAMP_A_DYNAMIC_MAX)) {
			if (td[TWAMP_A_DYNAMIC_SESSIONS])
				r->dyn_sessions = mnl_attr_get_u32(td[TWAMP_A_DYNAMIC_SESSIONS]);
			if (td[TWAMP_A_DYNAMIC_CREATED])
				r->dyn_created = mnl_attr_get_u64(td[TWAMP_A_DYNAMIC_CREATED]);
			if (td[TWAMP_A_DYNAMIC_EVICTED])
				r->dyn_evicted = mnl_attr_get_u64(td[TWAMP_A_DYNAMIC_EVICTED]);
			if (td[TWAMP_A_DYNAMIC_EXPIRED])
				r->dyn_expired = mnl_attr_get_u64(td[TWAMP_A_DYNAMIC_EXPIRED]);
		}
	}
	return 0;
}

static const char *format_name(uint8_t f)
{
	return f == TWAMP_FORMAT_STAMP ? "stamp" : "light";
}

static const char *ts_name(uint8_t t)
{
	return t == TWAMP_TS_PTP ? "ptp" : "ntp";
}

static void print_json(const struct reflector *r)
{
	char ifname[IF_NAMESIZE] = "";
	unsigned int i;

	printf("{\"id\":%" PRIu32 ",\"local\":", r->id);
	if (r->family)
		json_str(stdout, r->local);
	else
		printf("null");
	printf(",\"port\":%u,\"dev\":", r->port);
	if (r->ifindex && if_indextoname(r->ifindex, ifname))
		json_str(stdout, ifname);
	else
		printf("null");
	printf(",\"format\":\"%s\",\"ts_format\":\"%s\",\"stateful\":%s,"
	       "\"sessions_only\":%s,\"dscp\":", format_name(r->format),
	       ts_name(r->ts_format), r->stateful ? "true" : "false",
	       r->sessions_only ? "true" : "false");
	if (r->dscp >= 0)
		printf("%d", r->dscp);
	else
		printf("\"keep\"");
	printf(",\"allow\":[");
	for (i = 0; i < r->n_allow; i++) {
		printf(i ? "," : "");
		json_str(stdout, r->allow[i]);
	}
	printf("],\"rate_limit\":%" PRIu32 ",\"counters\":", r->rate_limit);
	counters_print_json(r->counters);
	if (r->stateful)
		printf(",\"max_dynamic\":%" PRIu32 ",\"max_per_source\":%" PRIu32
		       ",\"dynamic_refwait_ms\":%" PRIu32 ",\"dynamic\":{"
		       "\"sessions\":%" PRIu32 ",\"created\":%" PRIu64
		       ",\"evicted\":%" PRIu64 ",\"expired\":%" PRIu64 "}",
		       r->max_dynamic, r->max_per_source, r->dynamic_refwait,
		       r->dyn_sessions, r->dyn_created, r->dyn_evicted,
		       r->dyn_expired);
	printf("}");
}

static void print_human(const struct reflector *r)
{
	char ifname[IF_NAMESIZE];
	unsigned int i;

	printf("reflector %" PRIu32 ": ", r->id);
	if (r->family == AF_INET6)
		printf("[%s]:%u", r->local, r->port);
	else if (r->family == AF_INET)
		printf("%s:%u", r->local, r->port);
	else
		printf("*:%u", r->port);
	if (r->ifindex)
		printf(" dev %s", if_indextoname(r->ifindex, ifname) ?
		       ifname : "?");
	printf(" %s %s dscp ", format_name(r->format), ts_name(r->ts_format));
	if (r->dscp >= 0)
		printf("%d", r->dscp);
	else
		printf("keep");
	if (r->rate_limit)
		printf(" rate-limit %" PRIu32 "/s", r->rate_limit);
	if (r->stateful)
		printf(" stateful");
	if (r->sessions_only)
		printf(" sessions-only");
	printf("\n");
	if (r->n_allow) {
		printf("  allow");
		for (i = 0; i < r->n_allow; i++)
			printf(" %s", r->allow[i]);
		printf("\n");
	}
	if (r->stateful)
		printf("  dynamic %" PRIu32 "/%" PRIu32 " per-source %" PRIu32
		       " refwait %" PRIu32 "ms: created %" PRIu64 " evicted %"
		       PRIu64 " expired %" PRIu64 "\n", r->dyn_sessions,
		       r->max_dynamic, r->max_per_source, r->dynamic_refwait,
		       r->dyn_created, r->dyn_evicted, r->dyn_expired);
	counters_print_human(r->counters);
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show_ctx *ctx = data;
	struct reflector r;

	if (reflector_parse(nlh, &r))
		return MNL_CB_ERROR;
	if (ctx->json) {
		json_list_item(ctx->count);
		print_json(&r);
	} else {
		print_human(&r);
	}
	ctx->count++;
	return MNL_CB_OK;
}

static int put_prefix(struct nlmsghdr *nlh, uint16_t type, const char *arg)
{
	char buf[INET6_ADDRSTRLEN + 4], *slash;
	unsigned char addr[16];
	uint64_t len;
	int family;
	struct nlattr *nest;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, buf, addr) != 1) {
		fprintf(stderr, "%s: invalid prefix '%s'\n", PROG_NAME, arg);
		return -1;
	}
	len = family == AF_INET ? 32 : 128;
	if (slash && parse_u64("prefix length", slash, len, &len))
		return -1;

	nest = mnl_attr_nest_start(nlh, type);
	mnl_attr_put(nlh, family == AF_INET ? TWAMP_A_PREFIX_IPV4 :
		     TWAMP_A_PREFIX_IPV6, family == AF_INET ? 4 : 16, addr);
	mnl_attr_put_u8(nlh, TWAMP_A_PREFIX_LEN, len);
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static int reflector_add(struct tnl *nl, int argc, char *argv[])
{
	struct nlmsghdr *nlh = tnl_msg(nl, TWAMP_CMD_REFLECTOR_NEW, 0);
	const char *allow[64];
	unsigned int n_allow = 0, j;
	struct show_ctx ctx = { .json = ctl_json };
	struct nlattr *refl, *nest;
	unsigned char addr[16];
	uint64_t v;
	int i, err;

	refl = mnl_attr_nest_start(nlh, TWAMP_A_REFLECTOR);
	for (i = 0; i < argc; i++) {
		const char *key = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(key, "-j")) {
			ctx.json = true;
			continue;
		}
		if (!strcmp(key, "stateful")) {
			mnl_attr_put(nlh, TWAMP_A_REFLECTOR_STATEFUL, 0, NULL);
			continue;
		}
		if (!strcmp(key, "sessions-only")) {
			mnl_attr_put(nlh, TWAMP_A_REFLECTOR_SESSIONS_ONLY, 0, NULL);
			continue;
		}
		if (!val) {
			fprintf(stderr, "%s: reflector add: '%s' needs a value\n",
				PROG_NAME, key);
			return 1;
		}
		i++;
		if (!strcmp(key, "local")) {
			if (inet_pton(AF_INET, val, addr) == 1) {
				mnl_attr_put(nlh, TWAMP_A_REFLECTOR_LOCAL_IPV4, 4, addr);
			} else if (inet_pton(AF_INET6, val, addr) == 1) {
				mnl_attr_put(nlh, TWAMP_A_REFLECTOR_LOCAL_IPV6, 16, addr);
			} else {
				fprintf(stderr, "%s: invalid address '%s'\n",
					PROG_NAME, val);
				return 1;
			}
		} else if (!strcmp(key, "port")) {
			if (parse_u64("port", val, 65535, &v))
				return 1;
			mnl_attr_put_u16(nlh, TWAMP_A_REFLECTOR_PORT, v);
		} else if (!strcmp(key, "dev")) {
			unsigned int ifindex = if_nametoindex(val);

			if (!ifindex) {
				fprintf(stderr, "%s: no device '%s'\n", PROG_NAME, val);
				return 1;
			}
			mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_IFINDEX, ifindex);
		} else if (!strcmp(key, "format")) {
			if (strcmp(val, "light") && strcmp(val, "stamp")) {
				fprintf(stderr, "%s: format is light or stamp, not '%s'\n",
					PROG_NAME, val);
				return 1;
			}
			mnl_attr_put_u8(nlh, TWAMP_A_REFLECTOR_FORMAT,
					strcmp(val, "light") ? TWAMP_FORMAT_STAMP :
							       TWAMP_FORMAT_LIGHT);
		} else if (!strcmp(key, "ts")) {
			if (strcmp(val, "ntp") && strcmp(val, "ptp")) {
				fprintf(stderr, "%s: ts is ntp or ptp, not '%s'\n",
					PROG_NAME, val);
				return 1;
			}
			mnl_attr_put_u8(nlh, TWAMP_A_REFLECTOR_TS_FORMAT,
					strcmp(val, "ntp") ? TWAMP_TS_PTP : TWAMP_TS_NTP);
		} else if (!strcmp(key, "dscp")) {
			if (strcmp(val, "keep")) {
				if (parse_u64("dscp", val, 63, &v))
					return 1;
				mnl_attr_put_u8(nlh, TWAMP_A_REFLECTOR_DSCP, v);
			}
		} else if (!strcmp(key, "allow")) {
			if (n_allow == sizeof(allow) / sizeof(allow[0])) {
				fprintf(stderr, "%s: at most 64 'allow' prefixes\n",
					PROG_NAME);
				return 1;
			}
			allow[n_allow++] = val;
		} else if (!strcmp(key, "max-dynamic")) {
			if (parse_u64("max-dynamic", val, UINT32_MAX, &v))
				return 1;
			mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_MAX_DYNAMIC, v);
		} else if (!strcmp(key, "max-per-source")) {
			if (parse_u64("max-per-source", val, UINT32_MAX, &v))
				return 1;
			mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_MAX_PER_SOURCE, v);
		} else if (!strcmp(key, "dynamic-refwait")) {
			if (parse_duration_ns("dynamic-refwait", val, &v))
				return 1;
			if (v / 1000000 > UINT32_MAX) {
				fprintf(stderr, "%s: dynamic-refwait too long\n",
					PROG_NAME);
				return 1;
			}
			mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT,
					 v / 1000000);
		} else if (!strcmp(key, "rate-limit")) {
			if (parse_u64("rate limit", val, UINT32_MAX, &v))
				return 1;
			mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_RATE_LIMIT, v);
		} else {
			fprintf(stderr, "%s: reflector add: unknown parameter '%s'\n",
				PROG_NAME, key);
			usage(stderr);
			return 1;
		}
	}
	if (n_allow) {
		nest = mnl_attr_nest_start(nlh, TWAMP_A_REFLECTOR_ALLOW);
		for (j = 0; j < n_allow; j++)
			if (put_prefix(nlh, j + 1, allow[j]))
				return 1;
		mnl_attr_nest_end(nlh, nest);
	}
	mnl_attr_nest_end(nlh, refl);

	err = tnl_talk(nl, nlh, show_cb, &ctx);
	if (ctx.json)
		json_list_end(ctx.count, err);
	if (err) {
		tnl_perror(nl, "adding a reflector", err);
		return 1;
	}
	return 0;
}


static int reflector_del(struct tnl *nl, int argc, char *argv[])
{
	struct nlmsghdr *nlh = tnl_msg(nl, TWAMP_CMD_REFLECTOR_DEL, 0);
	int err;

	if (argc != 1) {
		usage(stderr);
		return 1;
	}
	if (put_id(nlh, TWAMP_A_REFLECTOR, TWAMP_A_REFLECTOR_ID, "reflector ID", argv[0]))
		return 1;
	err = tnl_talk(nl, nlh, NULL, NULL);
	if (err) {
		tnl_perror(nl, "deleting the reflector", err);
		return 1;
	}
	return 0;
}

static int reflector_show(struct tnl *nl, int argc, char *argv[])
{
	struct show_ctx ctx = { .json = ctl_json };
	struct nlmsghdr *nlh = NULL;
	const char *id = NULL;
	int i, err;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j")) {
			ctx.json = true;
		} else if (!id) {
			id = argv[i];
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (id) {
		nlh = tnl_msg(nl, TWAMP_CMD_REFLECTOR_GET, 0);
		if (put_id(nlh, TWAMP_A_REFLECTOR, TWAMP_A_REFLECTOR_ID, "reflector ID", id))
			return 1;
	} else {
		nlh = tnl_msg(nl, TWAMP_CMD_REFLECTOR_GET, NLM_F_DUMP);
	}

	err = tnl_talk(nl, nlh, show_cb, &ctx);
	if (ctx.json)
		json_list_end(ctx.count, err);
	if (err) {
		tnl_perror(nl, "showing reflectors", err);
		return 1;
	}
	return 0;
}

int cmd_reflector(int argc, char *argv[])
{
	static const struct verb verbs[] = {
		{ "add", reflector_add },
		{ "del", reflector_del },
		{ "show", reflector_show },
	};

	return run_verb("reflector", verbs, sizeof(verbs) / sizeof(verbs[0]), usage,
			argc, argv);
}
