// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "twamp": the configuration ABI of twamp.ko. This
 * file has the family, its pre_doit and post_doit, INFO_GET and the clock,
 * and what the object files share (nl.h); nl_reflector.c, nl_session.c
 * and nl_sender.c have the operations on each kind of object.
 *
 * Every operation has its own policy that lists only the attributes it
 * accepts, so anything else is rejected by the core with an extack message
 * before a handler runs. Handlers add their own messages for the semantic
 * checks a policy cannot express.
 *
 * The policies and the operation table are generated from the spec,
 * Documentation/netlink/specs/twamp.yaml, into netlink-gen.[ch] (make
 * regen). They are per-operation policies in a table of struct genl_ops
 * (kernel-policy: per-op), not split ops: struct genl_split_ops came in
 * Linux 6.2, and the module builds on 6.1 from the same generated table.
 * The family itself is defined here, where its pre_doit and the rest of
 * what the generator does not describe are.
 */

#include <linux/capability.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>

#include <linux/twamp_packet.h>

#include "clock.h"
#include "compat.h"
#include "crypto.h"
#include "limits.h"
#include "netlink-gen.h"
#include "nl.h"
#include "reflector.h"
#include "sender.h"
#include "session.h"
#include "stats.h"
#include "twamp.h"

struct sk_buff *twamp_nl_reply_new(struct genl_info *info, void **hdr)
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

/* Counters of a reflector or a session, summed over CPUs. */

int twamp_nl_put_counters_sum(struct sk_buff *msg, int attr,
			      const u64 sum[__TWAMP_CNT_MAX])
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(msg, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __TWAMP_CNT_MAX; i++)
		if (nla_put_u64_64bit(msg, TWAMP_A_COUNTERS_RX + i, sum[i],
				      TWAMP_A_COUNTERS_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int twamp_nl_put_counters(struct sk_buff *msg, int attr,
			  struct twamp_pcpu_counters __percpu *pc)
{
	u64 sum[__TWAMP_CNT_MAX];

	twamp_counters_sum(pc, sum);
	return twamp_nl_put_counters_sum(msg, attr, sum);
}

/*
 * The test keys of an authenticated or encrypted session or sender: both
 * keys, and only then. They are kept in the object alone and never put
 * into a message.
 *
 * Return: the keys, NULL for an open session, or an ERR_PTR.
 */
struct twamp_crypto *twamp_nl_parse_crypto(struct nlattr *security,
					   struct nlattr *aes_key,
					   struct nlattr *hmac_key,
					   struct netlink_ext_ack *extack)
{
	u8 mode = security ? nla_get_u8(security) : TWAMP_SECURITY_OPEN;
	struct twamp_crypto *c;

	if (mode == TWAMP_SECURITY_OPEN) {
		if (aes_key || hmac_key) {
			NL_SET_ERR_MSG_ATTR(extack, aes_key ?: hmac_key,
					    "keys are only for authenticated and encrypted sessions");
			return ERR_PTR(-EINVAL);
		}
		return NULL;
	}
	if (!aes_key || !hmac_key) {
		NL_SET_ERR_MSG_ATTR(extack, security,
				    "authenticated and encrypted sessions need an AES key (16 octets) and an HMAC key (32 octets)");
		return ERR_PTR(-EINVAL);
	}
	c = twamp_crypto_new(mode, nla_data(aes_key), nla_data(hmac_key));
	if (IS_ERR(c))
		NL_SET_ERR_MSG(extack, "cannot set up AES-128 and HMAC-SHA1");
	return c;
}

/* INFO_GET */

static u64 twamp_features(void)
{
	return TWAMP_FEATURE_REFLECTOR | TWAMP_FEATURE_STAMP |
	       TWAMP_FEATURE_STATEFUL | TWAMP_FEATURE_SENDER |
	       TWAMP_FEATURE_AUTH | TWAMP_FEATURE_ENCRYPT | TWAMP_FEATURE_PTP;
}

int twamp_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info)
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
			      TWAMP_A_INFO_PAD) ||
	    twamp_limits_fill(msg, twamp_pernet(genl_info_net(info)), skb))
		goto nla_put_failure;
	nla_nest_end(msg, nest);

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* CLOCK_GET / CLOCK_SET */

int twamp_nl_clock_get_doit(struct sk_buff *skb, struct genl_info *info)
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

int twamp_nl_clock_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct twamp_net *tn = twamp_pernet(genl_info_net(info));
	struct nlattr *tb[TWAMP_A_CLOCK_MAX + 1] = {};
	bool synced;
	u64 error_ns;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, TWAMP_A_CLOCK)) {
		NL_SET_ERR_MSG(info->extack, "missing clock attributes");
		return -EINVAL;
	}

	err = nla_parse_nested(tb, TWAMP_NL_MAXTYPE(twamp_clock_set_input_nl_policy),
			       info->attrs[TWAMP_A_CLOCK],
			       twamp_clock_set_input_nl_policy, info->extack);
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

/*
 * nla_parse() resolves an attribute given twice to its last copy without
 * a word; a request that says two things is refused instead. Types past a
 * policy's maximum never get here: validation has rejected them.
 */
#define TWAMP_NL_TYPES	64

static int twamp_nl_once(const struct nlattr *head, int len,
			 struct netlink_ext_ack *extack)
{
	DECLARE_BITMAP(seen, TWAMP_NL_TYPES) = { 0 };
	const struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, head, len, rem) {
		int type = nla_type(nla);

		if (type < TWAMP_NL_TYPES && __test_and_set_bit(type, seen)) {
			NL_SET_ERR_MSG_ATTR(extack, nla, "attribute given twice");
			return -EINVAL;
		}
	}
	return 0;
}

/* A top-level attribute; info->attrs has only ops->maxattr + 1 entries. */
static struct nlattr *twamp_nl_top(const struct twamp_genl_pre_op *ops,
				   struct genl_info *info, int type)
{
	return info->attrs && type <= ops->maxattr ? info->attrs[type] : NULL;
}

/* No attribute twice at the top level, in the object's nest, or in a prefix. */
static int twamp_nl_check_once(const struct twamp_genl_pre_op *ops,
			       struct genl_info *info)
{
	static const int nests[] = {
		TWAMP_A_CLOCK, TWAMP_A_REFLECTOR, TWAMP_A_SESSION, TWAMP_A_SENDER,
	};
	struct nlattr *nest, *allow, *entry;
	unsigned int i;
	int err, rem;

	BUILD_BUG_ON(max3(TWAMP_A_MAX, TWAMP_A_CLOCK_MAX, TWAMP_A_PREFIX_MAX) >=
		     TWAMP_NL_TYPES);
	BUILD_BUG_ON(max3(TWAMP_A_REFLECTOR_MAX, TWAMP_A_SESSION_MAX,
			  TWAMP_A_SENDER_MAX) >= TWAMP_NL_TYPES);

	err = twamp_nl_once(nlmsg_attrdata(info->nlhdr, GENL_HDRLEN),
			    nlmsg_attrlen(info->nlhdr, GENL_HDRLEN),
			    info->extack);
	for (i = 0; !err && i < ARRAY_SIZE(nests); i++) {
		nest = twamp_nl_top(ops, info, nests[i]);
		if (nest)
			err = twamp_nl_once(nla_data(nest), nla_len(nest),
					    info->extack);
	}
	nest = twamp_nl_top(ops, info, TWAMP_A_REFLECTOR);
	allow = nest ? nla_find_nested(nest, TWAMP_A_REFLECTOR_ALLOW) : NULL;
	if (err || !allow)
		return err;
	nla_for_each_nested(entry, allow, rem) {
		err = twamp_nl_once(nla_data(entry), nla_len(entry),
				    info->extack);
		if (err)
			return err;
	}
	return 0;
}

/* The object an operation acts on, named by its ID in the object's nest. */
enum twamp_nl_target {
	TWAMP_NL_TARGET_NONE,
	TWAMP_NL_TARGET_REFLECTOR,
	TWAMP_NL_TARGET_SESSION,
	TWAMP_NL_TARGET_SENDER,
};

static enum twamp_nl_target twamp_nl_target_of(u8 cmd)
{
	switch (cmd) {
	case TWAMP_CMD_REFLECTOR_DEL:
	case TWAMP_CMD_REFLECTOR_GET:
		return TWAMP_NL_TARGET_REFLECTOR;
	case TWAMP_CMD_SESSION_DEL:
	case TWAMP_CMD_SESSION_GET:
		return TWAMP_NL_TARGET_SESSION;
	case TWAMP_CMD_SENDER_START:
	case TWAMP_CMD_SENDER_STOP:
	case TWAMP_CMD_SENDER_DEL:
	case TWAMP_CMD_SENDER_GET:
		return TWAMP_NL_TARGET_SENDER;
	default:
		return TWAMP_NL_TARGET_NONE;
	}
}

/*
 * Each kind's nest and the generated policy of its ID (the only member an
 * ID operation takes); the ID is member 1 of every nest.
 */
static const struct {
	int nest;
	const struct nla_policy *policy;
} twamp_nl_targets[] = {
	[TWAMP_NL_TARGET_REFLECTOR] = {
		TWAMP_A_REFLECTOR, twamp_reflector_id_input_nl_policy,
	},
	[TWAMP_NL_TARGET_SESSION] = {
		TWAMP_A_SESSION, twamp_session_id_input_nl_policy,
	},
	[TWAMP_NL_TARGET_SENDER] = {
		TWAMP_A_SENDER, twamp_sender_id_input_nl_policy,
	},
};

#define TWAMP_NL_ID	1

/*
 * Find the object of an ID operation; caller holds tn->lock, which every
 * path that deletes a reflector, a sender or a programmed session holds
 * too. A stateful session can be evicted by a packet without it, so a
 * session is also held by a reference (twamp_session_get_id()). Either
 * way the object stays until post_doit drops it. The same refusals,
 * messages and errnos for every kind.
 */
static void *twamp_nl_target_find(struct twamp_net *tn,
				  enum twamp_nl_target kind,
				  struct genl_info *info)
{
	struct nlattr *nest = info->attrs[twamp_nl_targets[kind].nest];
	struct nlattr *tb[TWAMP_NL_ID + 1];
	void *obj;
	u32 id;

	BUILD_BUG_ON(TWAMP_NL_ID != TWAMP_A_REFLECTOR_ID);
	BUILD_BUG_ON(TWAMP_NL_ID != TWAMP_A_SESSION_ID);
	BUILD_BUG_ON(TWAMP_NL_ID != TWAMP_A_SENDER_ID);
	BUILD_BUG_ON(ARRAY_SIZE(twamp_reflector_id_input_nl_policy) != ARRAY_SIZE(tb) ||
		     ARRAY_SIZE(twamp_session_id_input_nl_policy) != ARRAY_SIZE(tb) ||
		     ARRAY_SIZE(twamp_sender_id_input_nl_policy) != ARRAY_SIZE(tb));

	if (!nest ||
	    nla_parse_nested(tb, TWAMP_NL_ID, nest, twamp_nl_targets[kind].policy,
			     info->extack) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, TWAMP_NL_ID)) {
		if (!nest)
			GENL_REQ_ATTR_CHECK(info, twamp_nl_targets[kind].nest);
		if (kind == TWAMP_NL_TARGET_REFLECTOR)
			NL_SET_ERR_MSG(info->extack, "missing reflector ID");
		else if (kind == TWAMP_NL_TARGET_SESSION)
			NL_SET_ERR_MSG(info->extack, "missing session ID");
		else
			NL_SET_ERR_MSG(info->extack, "missing sender ID");
		return ERR_PTR(-EINVAL);
	}

	id = nla_get_u32(tb[TWAMP_NL_ID]);
	if (kind == TWAMP_NL_TARGET_REFLECTOR)
		obj = xa_load(&tn->reflectors, id);
	else if (kind == TWAMP_NL_TARGET_SESSION)
		obj = twamp_session_get_id(tn, id);
	else
		obj = xa_load(&tn->senders, id);
	if (obj)
		return obj;

	if (kind == TWAMP_NL_TARGET_REFLECTOR)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TWAMP_NL_ID],
				    "no reflector with this ID");
	else if (kind == TWAMP_NL_TARGET_SESSION)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TWAMP_NL_ID],
				    "no session with this ID");
	else
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TWAMP_NL_ID],
				    "no sender with this ID");
	return ERR_PTR(-ENOENT);
}

/*
 * Before every doit, after policy validation: no attribute twice; then,
 * for an operation on one object (DEL, GET, START, STOP), find it by its
 * ID under tn->lock and keep the lock (and a session's reference), so
 * that the object cannot go away, until post_doit: user_ptr[0] is the
 * object, user_ptr[1] the namespace.
 * The handlers then only act on it.
 */
static int twamp_nl_pre_doit(const struct twamp_genl_pre_op *ops,
			     struct sk_buff *skb, struct genl_info *info)
{
	enum twamp_nl_target kind = twamp_nl_target_of(ops->cmd);
	struct twamp_net *tn;
	void *obj;
	int err;

	info->user_ptr[0] = NULL;
	info->user_ptr[1] = NULL;
	err = twamp_nl_check_once(ops, info);
	if (err || kind == TWAMP_NL_TARGET_NONE)
		return err;

	tn = twamp_pernet(genl_info_net(info));
	mutex_lock(&tn->lock);
	obj = twamp_nl_target_find(tn, kind, info);
	if (IS_ERR(obj)) {
		mutex_unlock(&tn->lock);
		return PTR_ERR(obj);
	}
	info->user_ptr[0] = obj;
	info->user_ptr[1] = tn;
	return 0;
}

/* After every doit whose pre_doit succeeded: drop what pre_doit took. */
static void twamp_nl_post_doit(const struct twamp_genl_pre_op *ops,
			       struct sk_buff *skb, struct genl_info *info)
{
	struct twamp_net *tn = twamp_nl_target_net(info);

	if (!tn)
		return;
	if (twamp_nl_target_of(ops->cmd) == TWAMP_NL_TARGET_SESSION)
		twamp_session_put(info->user_ptr[0]);
	mutex_unlock(&tn->lock);
}

/*
 * Results name the peers and timings of every sender in the namespace:
 * joining needs CAP_NET_ADMIN in the namespace's user namespace, as every
 * operation does. GENL_MCAST_CAP_NET_ADMIN came in Linux 6.7 and went to
 * the stable trees (Debian's 6.1 has it); before it, genl_bind() let
 * anyone join, and the flags of a group meant nothing.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "twamp needs GENL_MCAST_CAP_NET_ADMIN (Linux 6.7, or a stable kernel with it)"
#endif

struct genl_family twamp_nl_family __ro_after_init = {
	.name		= TWAMP_GENL_NAME,
	.version	= TWAMP_GENL_VERSION,
	.maxattr	= TWAMP_A_MAX,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.pre_doit	= twamp_nl_pre_doit,
	.post_doit	= twamp_nl_post_doit,
	.ops		= twamp_nl_ops,	/* netlink-gen.c */
	.n_ops		= ARRAY_SIZE(twamp_nl_ops),
	.resv_start_op	= TWAMP_CMD_INFO_GET,
	.mcgrps		= twamp_nl_mcgrps,	/* netlink-gen.c */
	.n_mcgrps	= ARRAY_SIZE(twamp_nl_mcgrps),
};

/*
 * Objects created with the BIND flag go away with the netlink socket that
 * created them, so that a daemon that dies leaves nothing behind.
 */
static int twamp_nl_notify(struct notifier_block *nb, unsigned long state,
			   void *ptr)
{
	struct netlink_notify *n = ptr;
	struct twamp_net *tn;

	if (state != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	tn = twamp_pernet(n->net);
	mutex_lock(&tn->lock);
	twamp_sessions_unbind(tn, n->portid);
	twamp_reflectors_unbind(tn, n->portid);
	twamp_senders_unbind(tn, n->portid);
	mutex_unlock(&tn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block twamp_nl_notifier = {
	.notifier_call = twamp_nl_notify,
};

/**
 * twamp_nl_register() - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int twamp_nl_register(void)
{
	int err;

	err = netlink_register_notifier(&twamp_nl_notifier);
	if (err)
		return err;
	err = genl_register_family(&twamp_nl_family);
	if (err)
		netlink_unregister_notifier(&twamp_nl_notifier);
	return err;
}

/**
 * twamp_nl_unregister() - unregister the generic netlink family
 */
void twamp_nl_unregister(void)
{
	genl_unregister_family(&twamp_nl_family);
	netlink_unregister_notifier(&twamp_nl_notifier);
}
