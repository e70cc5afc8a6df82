// SPDX-License-Identifier: GPL-2.0
/*
 * Counters nests (enum twamp_a_counters), shared by reflectors and
 * sessions; and object ID nests.
 */

#include <inttypes.h>

#include <linux/twamp.h>

#include "ctl.h"
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
