// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/twamp.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/twamp.h>
#include <twamp.h>
#include <linux/twamp_packet.h>

/* Integer value ranges */
static struct netlink_range_validation twamp_a_reflector_rate_limit_range = {
	.max	= 10000000ULL,
};

static struct netlink_range_validation twamp_a_reflector_max_dynamic_range = {
	.min	= 1ULL,
	.max	= TWAMP_MAX_SESSIONS,
};

static struct netlink_range_validation twamp_a_reflector_max_per_source_range = {
	.min	= 1ULL,
	.max	= TWAMP_MAX_SESSIONS,
};

static struct netlink_range_validation twamp_a_reflector_dynamic_refwait_range = {
	.min	= TWAMP_MIN_DYNAMIC_REFWAIT_MS,
	.max	= TWAMP_MAX_DYNAMIC_REFWAIT_MS,
};

static struct netlink_range_validation twamp_a_sender_interval_range = {
	.min	= 10000ULL,
	.max	= 3600000000000ULL,
};

static struct netlink_range_validation twamp_a_sender_wait_range = {
	.max	= 3600000000000ULL,
};

/* Common nested types */
const struct nla_policy twamp_clock_set_input_nl_policy[TWAMP_A_CLOCK_ERROR_NS + 1] = {
	[TWAMP_A_CLOCK_SYNCED] = NLA_POLICY_MAX(NLA_U8, 1),
	[TWAMP_A_CLOCK_ERROR_NS] = { .type = NLA_U64, },
};

const struct nla_policy twamp_prefix_nl_policy[TWAMP_A_PREFIX_LEN + 1] = {
	[TWAMP_A_PREFIX_IPV4] = { .type = NLA_BE32, },
	[TWAMP_A_PREFIX_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[TWAMP_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

const struct nla_policy twamp_reflector_id_input_nl_policy[TWAMP_A_REFLECTOR_ID + 1] = {
	[TWAMP_A_REFLECTOR_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy twamp_reflector_new_input_nl_policy[TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT + 1] = {
	[TWAMP_A_REFLECTOR_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TWAMP_A_REFLECTOR_LOCAL_IPV4] = { .type = NLA_BE32, },
	[TWAMP_A_REFLECTOR_LOCAL_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[TWAMP_A_REFLECTOR_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[TWAMP_A_REFLECTOR_FORMAT] = NLA_POLICY_MAX(NLA_U8, 1),
	[TWAMP_A_REFLECTOR_STATEFUL] = { .type = NLA_FLAG, },
	[TWAMP_A_REFLECTOR_TS_FORMAT] = NLA_POLICY_MAX(NLA_U8, 1),
	[TWAMP_A_REFLECTOR_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[TWAMP_A_REFLECTOR_ALLOW] = NLA_POLICY_NESTED_ARRAY(twamp_prefix_nl_policy),
	[TWAMP_A_REFLECTOR_RATE_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U32, &twamp_a_reflector_rate_limit_range),
	[TWAMP_A_REFLECTOR_SESSIONS_ONLY] = { .type = NLA_FLAG, },
	[TWAMP_A_REFLECTOR_BIND] = { .type = NLA_FLAG, },
	[TWAMP_A_REFLECTOR_MAX_DYNAMIC] = NLA_POLICY_FULL_RANGE(NLA_U32, &twamp_a_reflector_max_dynamic_range),
	[TWAMP_A_REFLECTOR_MAX_PER_SOURCE] = NLA_POLICY_FULL_RANGE(NLA_U32, &twamp_a_reflector_max_per_source_range),
	[TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT] = NLA_POLICY_FULL_RANGE(NLA_U32, &twamp_a_reflector_dynamic_refwait_range),
};

const struct nla_policy twamp_sender_id_input_nl_policy[TWAMP_A_SENDER_ID + 1] = {
	[TWAMP_A_SENDER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy twamp_sender_new_input_nl_policy[TWAMP_A_SENDER_HMAC_KEY + 1] = {
	[TWAMP_A_SENDER_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TWAMP_A_SENDER_LOCAL_IPV4] = { .type = NLA_BE32, },
	[TWAMP_A_SENDER_LOCAL_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[TWAMP_A_SENDER_LOCAL_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[TWAMP_A_SENDER_REMOTE_IPV4] = { .type = NLA_BE32, },
	[TWAMP_A_SENDER_REMOTE_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[TWAMP_A_SENDER_REMOTE_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[TWAMP_A_SENDER_FORMAT] = NLA_POLICY_MAX(NLA_U8, 1),
	[TWAMP_A_SENDER_TS_FORMAT] = NLA_POLICY_MAX(NLA_U8, 1),
	[TWAMP_A_SENDER_SSID] = NLA_POLICY_MIN(NLA_U16, 1),
	[TWAMP_A_SENDER_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[TWAMP_A_SENDER_TTL] = NLA_POLICY_MIN(NLA_U8, 1),
	[TWAMP_A_SENDER_PADDING] = NLA_POLICY_MAX(NLA_U32, TWAMP_MAX_PAYLOAD),
	[TWAMP_A_SENDER_COUNT] = { .type = NLA_U32, },
	[TWAMP_A_SENDER_DURATION] = { .type = NLA_U64, },
	[TWAMP_A_SENDER_INTERVAL] = NLA_POLICY_FULL_RANGE(NLA_U64, &twamp_a_sender_interval_range),
	[TWAMP_A_SENDER_SCHEDULE] = NLA_POLICY_MAX(NLA_U8, 1),
	[TWAMP_A_SENDER_SEED] = { .type = NLA_U64, },
	[TWAMP_A_SENDER_START_TIME] = { .type = NLA_U64, },
	[TWAMP_A_SENDER_WAIT] = NLA_POLICY_FULL_RANGE(NLA_U64, &twamp_a_sender_wait_range),
	[TWAMP_A_SENDER_BIND] = { .type = NLA_FLAG, },
	[TWAMP_A_SENDER_SECURITY] = NLA_POLICY_MAX(NLA_U8, 2),
	[TWAMP_A_SENDER_SID] = NLA_POLICY_EXACT_LEN(16),
	[TWAMP_A_SENDER_AES_KEY] = NLA_POLICY_EXACT_LEN(TWAMP_AES_KEY_LEN),
	[TWAMP_A_SENDER_HMAC_KEY] = NLA_POLICY_EXACT_LEN(TWAMP_HMAC_KEY_LEN),
};

const struct nla_policy twamp_session_id_input_nl_policy[TWAMP_A_SESSION_ID + 1] = {
	[TWAMP_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy twamp_session_new_input_nl_policy[TWAMP_A_SESSION_HMAC_KEY + 1] = {
	[TWAMP_A_SESSION_REFLECTOR_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[TWAMP_A_SESSION_PEER_IPV4] = { .type = NLA_BE32, },
	[TWAMP_A_SESSION_PEER_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[TWAMP_A_SESSION_PEER_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[TWAMP_A_SESSION_SID] = NLA_POLICY_EXACT_LEN(16),
	[TWAMP_A_SESSION_SSID] = NLA_POLICY_MIN(NLA_U16, 1),
	[TWAMP_A_SESSION_PADDING] = NLA_POLICY_MAX(NLA_U32, TWAMP_MAX_PAYLOAD),
	[TWAMP_A_SESSION_REFLECT_OCTETS] = { .type = NLA_U16, },
	[TWAMP_A_SESSION_REFLECT_LEN] = NLA_POLICY_MAX(NLA_U16, TWAMP_MAX_PAYLOAD),
	[TWAMP_A_SESSION_SERVER_OCTETS] = { .type = NLA_U16, },
	[TWAMP_A_SESSION_SYMMETRIC] = { .type = NLA_FLAG, },
	[TWAMP_A_SESSION_REFWAIT] = { .type = NLA_U32, },
	[TWAMP_A_SESSION_BIND] = { .type = NLA_FLAG, },
	[TWAMP_A_SESSION_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[TWAMP_A_SESSION_SECURITY] = NLA_POLICY_MAX(NLA_U8, 2),
	[TWAMP_A_SESSION_AES_KEY] = NLA_POLICY_EXACT_LEN(TWAMP_AES_KEY_LEN),
	[TWAMP_A_SESSION_HMAC_KEY] = NLA_POLICY_EXACT_LEN(TWAMP_HMAC_KEY_LEN),
};

/* TWAMP_CMD_CLOCK_SET - do */
const struct nla_policy twamp_clock_set_nl_policy[TWAMP_A_CLOCK + 1] = {
	[TWAMP_A_CLOCK] = NLA_POLICY_NESTED(twamp_clock_set_input_nl_policy),
};

/* TWAMP_CMD_REFLECTOR_NEW - do */
const struct nla_policy twamp_reflector_new_nl_policy[TWAMP_A_REFLECTOR + 1] = {
	[TWAMP_A_REFLECTOR] = NLA_POLICY_NESTED(twamp_reflector_new_input_nl_policy),
};

/* TWAMP_CMD_REFLECTOR_DEL - do */
const struct nla_policy twamp_reflector_del_nl_policy[TWAMP_A_REFLECTOR + 1] = {
	[TWAMP_A_REFLECTOR] = NLA_POLICY_NESTED(twamp_reflector_id_input_nl_policy),
};

/* TWAMP_CMD_REFLECTOR_GET - do */
const struct nla_policy twamp_reflector_get_nl_policy[TWAMP_A_REFLECTOR + 1] = {
	[TWAMP_A_REFLECTOR] = NLA_POLICY_NESTED(twamp_reflector_id_input_nl_policy),
};

/* TWAMP_CMD_SESSION_NEW - do */
const struct nla_policy twamp_session_new_nl_policy[TWAMP_A_SESSION + 1] = {
	[TWAMP_A_SESSION] = NLA_POLICY_NESTED(twamp_session_new_input_nl_policy),
};

/* TWAMP_CMD_SESSION_DEL - do */
const struct nla_policy twamp_session_del_nl_policy[TWAMP_A_SESSION + 1] = {
	[TWAMP_A_SESSION] = NLA_POLICY_NESTED(twamp_session_id_input_nl_policy),
};

/* TWAMP_CMD_SESSION_GET - do */
const struct nla_policy twamp_session_get_nl_policy[TWAMP_A_SESSION + 1] = {
	[TWAMP_A_SESSION] = NLA_POLICY_NESTED(twamp_session_id_input_nl_policy),
};

/* TWAMP_CMD_SENDER_NEW - do */
const struct nla_policy twamp_sender_new_nl_policy[TWAMP_A_SENDER + 1] = {
	[TWAMP_A_SENDER] = NLA_POLICY_NESTED(twamp_sender_new_input_nl_policy),
};

/* TWAMP_CMD_SENDER_START - do */
const struct nla_policy twamp_sender_start_nl_policy[TWAMP_A_SENDER + 1] = {
	[TWAMP_A_SENDER] = NLA_POLICY_NESTED(twamp_sender_id_input_nl_policy),
};

/* TWAMP_CMD_SENDER_STOP - do */
const struct nla_policy twamp_sender_stop_nl_policy[TWAMP_A_SENDER + 1] = {
	[TWAMP_A_SENDER] = NLA_POLICY_NESTED(twamp_sender_id_input_nl_policy),
};

/* TWAMP_CMD_SENDER_DEL - do */
const struct nla_policy twamp_sender_del_nl_policy[TWAMP_A_SENDER + 1] = {
	[TWAMP_A_SENDER] = NLA_POLICY_NESTED(twamp_sender_id_input_nl_policy),
};

/* TWAMP_CMD_SENDER_GET - do */
const struct nla_policy twamp_sender_get_nl_policy[TWAMP_A_SENDER + 1] = {
	[TWAMP_A_SENDER] = NLA_POLICY_NESTED(twamp_sender_id_input_nl_policy),
};

/* Ops table for twamp */
const struct genl_ops twamp_nl_ops[14] = {
	{
		.cmd	= TWAMP_CMD_INFO_GET,
		.doit	= twamp_nl_info_get_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TWAMP_CMD_CLOCK_GET,
		.doit	= twamp_nl_clock_get_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_CLOCK_SET,
		.doit		= twamp_nl_clock_set_doit,
		.policy		= twamp_clock_set_nl_policy,
		.maxattr	= TWAMP_A_CLOCK,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_REFLECTOR_NEW,
		.doit		= twamp_nl_reflector_new_doit,
		.policy		= twamp_reflector_new_nl_policy,
		.maxattr	= TWAMP_A_REFLECTOR,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_REFLECTOR_DEL,
		.doit		= twamp_nl_reflector_del_doit,
		.policy		= twamp_reflector_del_nl_policy,
		.maxattr	= TWAMP_A_REFLECTOR,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_REFLECTOR_GET,
		.doit		= twamp_nl_reflector_get_doit,
		.dumpit		= twamp_nl_reflector_get_dumpit,
		.policy		= twamp_reflector_get_nl_policy,
		.maxattr	= TWAMP_A_REFLECTOR,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_SESSION_NEW,
		.doit		= twamp_nl_session_new_doit,
		.policy		= twamp_session_new_nl_policy,
		.maxattr	= TWAMP_A_SESSION,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_SESSION_DEL,
		.doit		= twamp_nl_session_del_doit,
		.policy		= twamp_session_del_nl_policy,
		.maxattr	= TWAMP_A_SESSION,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_SESSION_GET,
		.doit		= twamp_nl_session_get_doit,
		.dumpit		= twamp_nl_session_get_dumpit,
		.policy		= twamp_session_get_nl_policy,
		.maxattr	= TWAMP_A_SESSION,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_SENDER_NEW,
		.doit		= twamp_nl_sender_new_doit,
		.policy		= twamp_sender_new_nl_policy,
		.maxattr	= TWAMP_A_SENDER,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_SENDER_START,
		.doit		= twamp_nl_sender_start_doit,
		.policy		= twamp_sender_start_nl_policy,
		.maxattr	= TWAMP_A_SENDER,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_SENDER_STOP,
		.doit		= twamp_nl_sender_stop_doit,
		.policy		= twamp_sender_stop_nl_policy,
		.maxattr	= TWAMP_A_SENDER,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_SENDER_DEL,
		.doit		= twamp_nl_sender_del_doit,
		.policy		= twamp_sender_del_nl_policy,
		.maxattr	= TWAMP_A_SENDER,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TWAMP_CMD_SENDER_GET,
		.doit		= twamp_nl_sender_get_doit,
		.dumpit		= twamp_nl_sender_get_dumpit,
		.policy		= twamp_sender_get_nl_policy,
		.maxattr	= TWAMP_A_SENDER,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};

const struct genl_multicast_group twamp_nl_mcgrps[] = {
	[TWAMP_NLGRP_RESULTS] = { .name = "results", .flags = GENL_MCAST_CAP_NET_ADMIN, },
};
