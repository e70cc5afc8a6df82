// SPDX-License-Identifier: GPL-2.0
/*
 * Counters nests (enum twamp_a_counters), shared by reflectors and
 * sessions; object ID nests; and the dispatch of their verbs.
 */

#include <inttypes.h>
#include <string.h>

#include <linux/twamp.h>

#include "ctl.h"
#include "suggest.h"
#include "nl.h"

static const char *const counter_names[TWAMP_A_COUNTERS_MAX + 1] = {
	[TWAMP_A_COUNTERS_RX]			= "rx",
	[TWAMP_A_COUNTERS_TX]			= "tx",
	[TWAMP_A_COUNTERS_DROP_SHORT]		= "short",
	[TWAMP_A_COUNTERS_DROP_LENGTH]		= "length",
	[TWAMP_A_COUNTERS_DROP_ACL]		= "acl",
	[TWAMP_A_COUNTERS_DROP_RATE]		= "rate",
	[TWAMP_A_COUNTERS_DROP_NO_SESSION]	= "no_session",
	[TWAMP_A_COUNTERS_DROP_CSUM]		= "csum",
	[TWAMP_A_COUNTERS_DROP_AUTH]		= "auth",
	[TWAMP_A_COUNTERS_DROP_INVALID]		= "invalid",
	[TWAMP_A_COUNTERS_DROP_NOMEM]		= "nomem",
	[TWAMP_A_COUNTERS_DROP_XMIT]		= "xmit",
	[TWAMP_A_COUNTERS_DROP_REPLAY]		= "replay",
	[TWAMP_A_COUNTERS_DROP_SOURCE_LIMIT]	= "source_limit",
};

void counters_parse(const struct nlattr *nest, uint64_t c[])
{
	const struct nlattr *tc[TWAMP_A_COUNTERS_MAX + 1];
	unsigned int i;

	for (i = 0; i <= TWAMP_A_COUNTERS_MAX; i++)
		c[i] = 0;
	if (!nest || tnl_parse_nested(nest, tc, TWAMP_A_COUNTERS_MAX))
		return;
	for (i = TWAMP_A_COUNTERS_RX; i <= TWAMP_A_COUNTERS_MAX; i++)
		if (tc[i])
			c[i] = mnl_attr_get_u64(tc[i]);
}

void counters_print_json(const uint64_t c[])
{
	unsigned int i;

	printf("{");
	for (i = TWAMP_A_COUNTERS_RX; i <= TWAMP_A_COUNTERS_MAX; i++)
		printf("%s\"%s\":%" PRIu64, i == TWAMP_A_COUNTERS_RX ? "" : ",",
		       counter_names[i], c[i]);
	printf("}");
}

/* "rx N tx N drop N" and each non-zero drop reason. */
void counters_print_human(const uint64_t c[])
{
	uint64_t drops = 0;
	unsigned int i;

	for (i = TWAMP_A_COUNTERS_DROP_SHORT; i <= TWAMP_A_COUNTERS_MAX; i++)
		drops += c[i];
	printf("  rx %" PRIu64 " tx %" PRIu64 " drop %" PRIu64,
	       c[TWAMP_A_COUNTERS_RX], c[TWAMP_A_COUNTERS_TX], drops);
	for (i = TWAMP_A_COUNTERS_DROP_SHORT; i <= TWAMP_A_COUNTERS_MAX; i++)
		if (c[i])
			printf(" %s %" PRIu64, counter_names[i], c[i]);
	printf("\n");
}

int put_id(struct nlmsghdr *nlh, uint16_t nest_type, uint16_t id_type,
	   const char *what, const char *arg)
{
	struct nlattr *nest;
	uint64_t id;

	if (parse_u64(what, arg, UINT32_MAX, &id))
		return -1;
	nest = mnl_attr_nest_start(nlh, nest_type);
	mnl_attr_put_u32(nlh, id_type, id);
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int run_verb(const char *object, const struct verb *verbs, size_t n_verbs,
	     void (*usage)(FILE *f), int argc, char *argv[])
{
	const char *name = argc > 1 ? verb_alias(argv[1]) : "show";
	struct tnl nl;
	size_t i;
	int ret;

	for (i = 1; i < (size_t)argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
	}
	for (i = 0; i < n_verbs; i++) {
		if (strcmp(name, verbs[i].name))
			continue;
		if (tnl_open(&nl))
			return 1;
		ret = verbs[i].fn(&nl, argc > 1 ? argc - 2 : 0, argv + 2);
		tnl_close(&nl);
		return ret;
	}
	unknown_command(object, name, verbs, n_verbs, sizeof(*verbs));
	usage(stderr);
	return 1;
}
