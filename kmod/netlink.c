// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "twamp": the configuration ABI of twamp.ko.
 *
 * Every operation has its own policy that lists only the attributes it
 * accepts, so anything else is rejected by the core with an extack message
 * before a handler runs. Handlers add their own messages for the semantic
 * checks a policy cannot express.
 */

#include <linux/capability.h>
#include <net/genetlink.h>

#include "twamp.h"

static struct genl_family twamp_nl_family;

static struct sk_buff *twamp_nl_reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return NULL;

	*hdr = genlmsg_put_reply(msg, info, &twamp_nl_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* INFO_GET */

static u64 twamp_features(void)
{
	return 0;
}

static int twamp_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = twamp_nl_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;

	nest = nla_nest_start(msg, TWAMP_A_INFO);
	if (!nest ||
	    nla_put_string(msg, TWAMP_A_INFO_VERSION, TWAMP_VERSION) ||
	    nla_put_u32(msg, TWAMP_A_INFO_ABI_VERSION, TWAMP_GENL_VERSION) ||
	    nla_put_u64_64bit(msg, TWAMP_A_INFO_FEATURES, twamp_features(),
			      TWAMP_A_INFO_PAD))
		goto nla_put_failure;
	nla_nest_end(msg, nest);

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* CLOCK_GET / CLOCK_SET */

static const struct nla_policy twamp_clock_set_policy[TWAMP_A_CLOCK_MAX + 1] = {
	[TWAMP_A_CLOCK_SYNCED]		= NLA_POLICY_MAX(NLA_U8, 1),
	[TWAMP_A_CLOCK_ERROR_NS]	= { .type = NLA_U64 },
};

static const struct nla_policy twamp_nl_clock_set_policy[TWAMP_A_MAX + 1] = {
	[TWAMP_A_CLOCK] = NLA_POLICY_NESTED(twamp_clock_set_policy),
};

static int twamp_nl_clock_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct twamp_net *tn = twamp_pernet(genl_info_net(info));
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = twamp_nl_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&tn->lock);
	nest = nla_nest_start(msg, TWAMP_A_CLOCK);
	if (!nest ||
	    nla_put_u8(msg, TWAMP_A_CLOCK_SYNCED, tn->clock_synced) ||
	    nla_put_u64_64bit(msg, TWAMP_A_CLOCK_ERROR_NS, tn->clock_error_ns,
			      TWAMP_A_CLOCK_PAD) ||
	    nla_put_u16(msg, TWAMP_A_CLOCK_ERROR_ESTIMATE, tn->error_estimate))
		goto nla_put_failure;
	mutex_unlock(&tn->lock);
	nla_nest_end(msg, nest);

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	mutex_unlock(&tn->lock);
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int twamp_nl_clock_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct twamp_net *tn = twamp_pernet(genl_info_net(info));
	struct nlattr *tb[TWAMP_A_CLOCK_MAX + 1];
	bool synced;
	u64 error_ns;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, TWAMP_A_CLOCK)) {
		NL_SET_ERR_MSG(info->extack, "missing clock attributes");
		return -EINVAL;
	}

	err = nla_parse_nested(tb, TWAMP_A_CLOCK_MAX, info->attrs[TWAMP_A_CLOCK],
			       twamp_clock_set_policy, info->extack);
	if (err)
		return err;

	if (!tb[TWAMP_A_CLOCK_SYNCED] && !tb[TWAMP_A_CLOCK_ERROR_NS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[TWAMP_A_CLOCK],
				    "nothing to set: give synced and/or error");
		return -EINVAL;
	}

	mutex_lock(&tn->lock);
	synced = tb[TWAMP_A_CLOCK_SYNCED] ?
		 nla_get_u8(tb[TWAMP_A_CLOCK_SYNCED]) : tn->clock_synced;
	error_ns = tb[TWAMP_A_CLOCK_ERROR_NS] ?
		   nla_get_u64(tb[TWAMP_A_CLOCK_ERROR_NS]) : tn->clock_error_ns;
	twamp_clock_set(tn, synced, error_ns);
	mutex_unlock(&tn->lock);

	return 0;
}

static const struct genl_ops twamp_nl_ops[] = {
	{
		/* no policy: the core rejects any attribute */
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
		.cmd	= TWAMP_CMD_CLOCK_SET,
		.doit	= twamp_nl_clock_set_doit,
		.policy	= twamp_nl_clock_set_policy,
		.maxattr = TWAMP_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group twamp_nl_mcgrps[] = {
	{ .name = TWAMP_MCGRP_RESULTS, .flags = GENL_UNS_ADMIN_PERM, },
};

static struct genl_family twamp_nl_family __ro_after_init = {
	.name		= TWAMP_GENL_NAME,
	.version	= TWAMP_GENL_VERSION,
	.maxattr	= TWAMP_A_MAX,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= twamp_nl_ops,
	.n_ops		= ARRAY_SIZE(twamp_nl_ops),
	.resv_start_op	= TWAMP_CMD_INFO_GET,
	.mcgrps		= twamp_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(twamp_nl_mcgrps),
};

/**
 * twamp_nl_register() - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int twamp_nl_register(void)
{
	return genl_register_family(&twamp_nl_family);
}

/**
 * twamp_nl_unregister() - unregister the generic netlink family
 */
void twamp_nl_unregister(void)
{
	genl_unregister_family(&twamp_nl_family);
}
