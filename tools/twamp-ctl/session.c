// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl session: the test sessions of kernel reflectors, negotiated
 * by a TWAMP-Control server or tracked by a stateful STAMP reflector.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/twamp.h>

#include "ctl.h"
#include "nl.h"
#include "reflector.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s session show [ID] [-j]\n"
		"       %s session add reflector ID peer ADDR port PORT [ssid N]\n"
		"                  [dscp 0-63] [refwait DURATION] [reflect-len N]\n"
		"                  [security open|auth|encrypt aes-key HEX hmac-key HEX]\n"
		"                  [-j]\n"
		"       %s session del ID\n"
		"A session gives a sender its own reflector Sequence Number counter,\n"
		"DSCP and idle timeout (REFWAIT, default 900s, 0s: never). Stateful\n"
		"STAMP reflectors make sessions themselves. An authenticated or\n"
		"encrypted session needs its test keys: 16 octets of AES key and 32\n"
		"of HMAC key, in hex; they are never shown.\n"
		"  -j  print JSON\n", PROG_NAME, PROG_NAME, PROG_NAME);
}

struct show_ctx {
	bool json;
	unsigned int count;
};

int session_parse(const struct nlmsghdr *nlh, struct session *s)
{
	const struct nlattr *tb[TWAMP_A_MAX + 1], *ta[TWAMP_A_SESSION_MAX + 1];

	memset(s, 0, sizeof(*s));
	s->dscp = -1;
	if (tnl_parse(nlh, tb, TWAMP_A_MAX) || !tb[TWAMP_A_SESSION] ||
	    tnl_parse_nested(tb[TWAMP_A_SESSION], ta, TWAMP_A_SESSION_MAX) ||
	    !ta[TWAMP_A_SESSION_ID])
		return -1;

	s->id = mnl_attr_get_u32(ta[TWAMP_A_SESSION_ID]);
	if (ta[TWAMP_A_SESSION_REFLECTOR_ID])
		s->reflector = mnl_attr_get_u32(ta[TWAMP_A_SESSION_REFLECTOR_ID]);
	if (ta[TWAMP_A_SESSION_PEER_IPV4]) {
		s->family = AF_INET;
		inet_ntop(AF_INET, mnl_attr_get_payload(ta[TWAMP_A_SESSION_PEER_IPV4]),
			  s->peer, sizeof(s->peer));
	} else if (ta[TWAMP_A_SESSION_PEER_IPV6]) {
		s->family = AF_INET6;
		inet_ntop(AF_INET6, mnl_attr_get_payload(ta[TWAMP_A_SESSION_PEER_IPV6]),
			  s->peer, sizeof(s->peer));
	}
	if (ta[TWAMP_A_SESSION_PEER_PORT])
		s->peer_port = mnl_attr_get_u16(ta[TWAMP_A_SESSION_PEER_PORT]);
	if (ta[TWAMP_A_SESSION_LOCAL_PORT])
		s->local_port = mnl_attr_get_u16(ta[TWAMP_A_SESSION_LOCAL_PORT]);
	if (ta[TWAMP_A_SESSION_SSID])
		s->ssid = mnl_attr_get_u16(ta[TWAMP_A_SESSION_SSID]);
	if (ta[TWAMP_A_SESSION_REFLECT_LEN])
		s->reflect_len = mnl_attr_get_u16(ta[TWAMP_A_SESSION_REFLECT_LEN]);
	if (ta[TWAMP_A_SESSION_REFWAIT])
		s->refwait = mnl_attr_get_u32(ta[TWAMP_A_SESSION_REFWAIT]);
	if (ta[TWAMP_A_SESSION_DSCP])
		s->dscp = mnl_attr_get_u8(ta[TWAMP_A_SESSION_DSCP]);
	if (ta[TWAMP_A_SESSION_SECURITY])
		s->security = mnl_attr_get_u8(ta[TWAMP_A_SESSION_SECURITY]);
	s->bound = ta[TWAMP_A_SESSION_BIND];
	counters_parse(ta[TWAMP_A_SESSION_COUNTERS], s->counters);
	return 0;
}

static const char *const security_names[] = {
	[TWAMP_SECURITY_OPEN]		= "open",
	[TWAMP_SECURITY_AUTH]		= "auth",
	[TWAMP_SECURITY_ENCRYPT]	= "encrypt",
};

const char *security_name(uint8_t mode)
{
	return mode <= TWAMP_SECURITY_MAX ? security_names[mode] : "unknown";
}

/* Exactly LEN octets of hex into OUT. */
static int parse_key(const char *what, const char *s, uint8_t *out,
		     size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned int b;

		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &b) != 1)
			break;
		out[i] = b;
	}
	if (i != len || s[2 * len]) {
		fprintf(stderr, "%s: invalid %s (%zu octets in hex)\n",
			PROG_NAME, what, len);
		return -1;
	}
	return 0;
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show_ctx *ctx = data;
	struct session s;

	if (session_parse(nlh, &s))
		return MNL_CB_ERROR;
	if (ctx->json) {
		json_list_item(ctx->count);
		printf("{\"id\":%" PRIu32 ",\"reflector\":%" PRIu32 ",\"peer\":",
		       s.id, s.reflector);
		json_str(stdout, s.peer);
		printf(",\"peer_port\":%u,\"local_port\":%u,\"ssid\":%u,"
		       "\"dscp\":", s.peer_port, s.local_port, s.ssid);
		if (s.dscp >= 0)
			printf("%d", s.dscp);
		else
			printf("null");
		printf(",\"refwait_ms\":%" PRIu32 ",\"reflect_len\":%u,"
		       "\"security\":\"%s\",\"bound\":%s,\"counters\":",
		       s.refwait, s.reflect_len, security_name(s.security),
		       s.bound ? "true" : "false");
		counters_print_json(s.counters);
		printf("}");
	} else {
		printf("session %" PRIu32 ": reflector %" PRIu32 " peer ",
		       s.id, s.reflector);
		printf(s.family == AF_INET6 ? "[%s]:%u" : "%s:%u", s.peer,
		       s.peer_port);
		if (s.ssid)
			printf(" ssid %u", s.ssid);
		if (s.dscp >= 0)
			printf(" dscp %d", s.dscp);
		if (s.security)
			printf(" security %s", security_name(s.security));
		printf(" refwait %" PRIu32 "ms%s\n", s.refwait,
		       s.bound ? " bound" : "");
		counters_print_human(s.counters);
	}
	ctx->count++;
	return MNL_CB_OK;
}

static int session_add(struct tnl *nl, int argc, char *argv[])
{
	struct nlmsghdr *nlh = tnl_msg(nl, TWAMP_CMD_SESSION_NEW, 0);
	uint8_t aes_key[16], hmac_key[32];
	struct show_ctx ctx = { .json = ctl_json };
	unsigned char addr[16];
	struct nlattr *nest;
	uint64_t v;
	int i, err;

	nest = mnl_attr_nest_start(nlh, TWAMP_A_SESSION);
	for (i = 0; i < argc; i++) {
		const char *key = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(key, "-j")) {
			ctx.json = true;
			continue;
		}
		if (!val) {
			fprintf(stderr, "%s: session add: '%s' needs a value\n",
				PROG_NAME, key);
			return 1;
		}
		i++;
		if (!strcmp(key, "reflector")) {
			if (parse_u64("reflector ID", val, UINT32_MAX, &v))
				return 1;
			mnl_attr_put_u32(nlh, TWAMP_A_SESSION_REFLECTOR_ID, v);
		} else if (!strcmp(key, "peer")) {
			if (inet_pton(AF_INET, val, addr) == 1) {
				mnl_attr_put(nlh, TWAMP_A_SESSION_PEER_IPV4, 4, addr);
			} else if (inet_pton(AF_INET6, val, addr) == 1) {
				mnl_attr_put(nlh, TWAMP_A_SESSION_PEER_IPV6, 16, addr);
			} else {
				fprintf(stderr, "%s: invalid address '%s'\n",
					PROG_NAME, val);
				return 1;
			}
		} else if (!strcmp(key, "port")) {
			if (parse_u64("port", val, 65535, &v))
				return 1;
			mnl_attr_put_u16(nlh, TWAMP_A_SESSION_PEER_PORT, v);
		} else if (!strcmp(key, "ssid")) {
			if (parse_u64("SSID", val, 65535, &v))
				return 1;
			mnl_attr_put_u16(nlh, TWAMP_A_SESSION_SSID, v);
		} else if (!strcmp(key, "dscp")) {
			if (parse_u64("dscp", val, 63, &v))
				return 1;
			mnl_attr_put_u8(nlh, TWAMP_A_SESSION_DSCP, v);
		} else if (!strcmp(key, "refwait")) {
			if (parse_duration_ns("refwait", val, &v))
				return 1;
			if (v / 1000000 > UINT32_MAX) {
				fprintf(stderr, "%s: refwait too long\n", PROG_NAME);
				return 1;
			}
			mnl_attr_put_u32(nlh, TWAMP_A_SESSION_REFWAIT, v / 1000000);
		} else if (!strcmp(key, "reflect-len")) {
			if (parse_u64("reflect length", val, 65535, &v))
				return 1;
			mnl_attr_put_u16(nlh, TWAMP_A_SESSION_REFLECT_LEN, v);
		} else if (!strcmp(key, "security")) {
			for (v = 0; v <= TWAMP_SECURITY_MAX; v++)
				if (!strcmp(val, security_names[v]))
					break;
			if (v > TWAMP_SECURITY_MAX) {
				fprintf(stderr, "%s: invalid security '%s' (open, auth or encrypt)\n",
					PROG_NAME, val);
				return 1;
			}
			mnl_attr_put_u8(nlh, TWAMP_A_SESSION_SECURITY, v);
		} else if (!strcmp(key, "aes-key")) {
			if (parse_key("AES key", val, aes_key, sizeof(aes_key)))
				return 1;
			mnl_attr_put(nlh, TWAMP_A_SESSION_AES_KEY,
				     sizeof(aes_key), aes_key);
			explicit_bzero(aes_key, sizeof(aes_key));
		} else if (!strcmp(key, "hmac-key")) {
			if (parse_key("HMAC key", val, hmac_key, sizeof(hmac_key)))
				return 1;
			mnl_attr_put(nlh, TWAMP_A_SESSION_HMAC_KEY,
				     sizeof(hmac_key), hmac_key);
			explicit_bzero(hmac_key, sizeof(hmac_key));
		} else {
			fprintf(stderr, "%s: session add: unknown parameter '%s'\n",
				PROG_NAME, key);
			usage(stderr);
			return 1;
		}
	}
	mnl_attr_nest_end(nlh, nest);

	err = tnl_talk(nl, nlh, show_cb, &ctx);
	if (ctx.json)
		json_list_end(ctx.count, err);
	if (err) {
		tnl_perror(nl, "adding a session", err);
		return 1;
	}
	return 0;
}

static int session_del(struct tnl *nl, int argc, char *argv[])
{
	struct nlmsghdr *nlh = tnl_msg(nl, TWAMP_CMD_SESSION_DEL, 0);
	int err;

	if (argc != 1) {
		usage(stderr);
		return 1;
	}
	if (put_id(nlh, TWAMP_A_SESSION, TWAMP_A_SESSION_ID, "session ID",
		   argv[0]))
		return 1;
	err = tnl_talk(nl, nlh, NULL, NULL);
	if (err) {
		tnl_perror(nl, "deleting the session", err);
		return 1;
	}
	return 0;
}

static int session_show(struct tnl *nl, int argc, char *argv[])
{
	struct show_ctx ctx = { .json = ctl_json };
	struct nlmsghdr *nlh;
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
		nlh = tnl_msg(nl, TWAMP_CMD_SESSION_GET, 0);
		if (put_id(nlh, TWAMP_A_SESSION, TWAMP_A_SESSION_ID,
			   "session ID", id))
			return 1;
	} else {
		nlh = tnl_msg(nl, TWAMP_CMD_SESSION_GET, NLM_F_DUMP);
	}

	err = tnl_talk(nl, nlh, show_cb, &ctx);
	if (ctx.json)
		json_list_end(ctx.count, err);
	if (err) {
		tnl_perror(nl, "showing sessions", err);
		return 1;
	}
	return 0;
}

int cmd_session(int argc, char *argv[])
{
	static const struct verb verbs[] = {
		{ "add", session_add },
		{ "del", session_del },
		{ "show", session_show },
	};

	return run_verb("session", verbs, sizeof(verbs) / sizeof(verbs[0]), usage,
			argc, argv);
}
