// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "twamp": the configuration ABI of twamp.ko.
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

#include "compat.h"
#include "netlink-gen.h"
#include "twamp.h"

/*
 * The highest attribute type of a generated nested policy: the last
 * attribute the operation takes, which may be below the nest's maximum.
 * nla_parse_nested() then clears tb only up to it: the handlers' tb, of the
 * nest's whole space, start cleared.
 */
#define TWAMP_NL_MAXTYPE(policy)	(ARRAY_SIZE(policy) - 1)

static struct genl_family twamp_nl_family;

/*
 * The namespace whose lock pre_doit holds for an operation on one object
 * (user_ptr[0] is the object, user_ptr[1] the namespace); NULL for the
 * others.
 */
static struct twamp_net *twamp_nl_target_net(struct genl_info *info)
{
	return info->user_ptr[1];
}

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

/* REFLECTOR_NEW / _DEL / _GET */

static int twamp_nl_put_counters_sum(struct sk_buff *msg, int attr,
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

static int twamp_nl_put_counters(struct sk_buff *msg, int attr,
				 struct twamp_pcpu_counters __percpu *pc)
{
	u64 sum[__TWAMP_CNT_MAX];

	twamp_counters_sum(pc, sum);
	return twamp_nl_put_counters_sum(msg, attr, sum);
}

/* A stateful reflector's limits and the state of its table. */
static int twamp_nl_put_dynamic(struct sk_buff *msg, struct twamp_reflector *r)
{
	struct twamp_dynamic_stats st;
	struct nlattr *nest;

	if (nla_put_u32(msg, TWAMP_A_REFLECTOR_MAX_DYNAMIC, r->max_dynamic) ||
	    nla_put_u32(msg, TWAMP_A_REFLECTOR_MAX_PER_SOURCE,
			r->max_per_source) ||
	    nla_put_u32(msg, TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT,
			r->dynamic_refwait_ms))
		return -EMSGSIZE;
	twamp_dynamic_stats(r, &st);
	nest = nla_nest_start(msg, TWAMP_A_REFLECTOR_DYNAMIC);
	if (!nest ||
	    nla_put_u32(msg, TWAMP_A_DYNAMIC_SESSIONS, st.sessions) ||
	    nla_put_u64_64bit(msg, TWAMP_A_DYNAMIC_CREATED, st.created,
			      TWAMP_A_DYNAMIC_PAD) ||
	    nla_put_u64_64bit(msg, TWAMP_A_DYNAMIC_EVICTED, st.evicted,
			      TWAMP_A_DYNAMIC_PAD) ||
	    nla_put_u64_64bit(msg, TWAMP_A_DYNAMIC_EXPIRED, st.expired,
			      TWAMP_A_DYNAMIC_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int twamp_nl_put_allow(struct sk_buff *msg,
			      const struct twamp_reflector *r)
{
	struct nlattr *list, *entry;
	unsigned int i;

	list = nla_nest_start(msg, TWAMP_A_REFLECTOR_ALLOW);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < r->n_allow; i++) {
		const struct twamp_prefix *p = &r->allow[i];

		entry = nla_nest_start(msg, i + 1);
		if (!entry)
			return -EMSGSIZE;
		if (p->family == AF_INET ?
		    nla_put_in_addr(msg, TWAMP_A_PREFIX_IPV4, p->v4) :
		    nla_put_in6_addr(msg, TWAMP_A_PREFIX_IPV6, &p->v6))
			return -EMSGSIZE;
		if (nla_put_u8(msg, TWAMP_A_PREFIX_LEN, p->len))
			return -EMSGSIZE;
		nla_nest_end(msg, entry);
	}
	nla_nest_end(msg, list);
	return 0;
}

static int twamp_nl_fill_reflector(struct sk_buff *msg,
				   struct twamp_reflector *r,
				   u32 portid, u32 seq, int flags, u8 cmd)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &twamp_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	nest = nla_nest_start(msg, TWAMP_A_REFLECTOR);
	if (!nest)
		goto nla_put_failure;
	if (nla_put_u32(msg, TWAMP_A_REFLECTOR_ID, r->id) ||
	    (r->ifindex &&
	     nla_put_u32(msg, TWAMP_A_REFLECTOR_IFINDEX, r->ifindex)) ||
	    (r->family == AF_INET &&
	     nla_put_in_addr(msg, TWAMP_A_REFLECTOR_LOCAL_IPV4, r->local4)) ||
	    (r->family == AF_INET6 &&
	     nla_put_in6_addr(msg, TWAMP_A_REFLECTOR_LOCAL_IPV6, &r->local6)) ||
	    nla_put_u16(msg, TWAMP_A_REFLECTOR_PORT, r->port) ||
	    nla_put_u8(msg, TWAMP_A_REFLECTOR_FORMAT, r->format) ||
	    nla_put_u8(msg, TWAMP_A_REFLECTOR_TS_FORMAT, r->ts_format) ||
	    (r->stateful && nla_put_flag(msg, TWAMP_A_REFLECTOR_STATEFUL)) ||
	    (r->sessions_only &&
	     nla_put_flag(msg, TWAMP_A_REFLECTOR_SESSIONS_ONLY)) ||
	    (r->bind_portid && nla_put_flag(msg, TWAMP_A_REFLECTOR_BIND)) ||
	    (r->dscp >= 0 && nla_put_u8(msg, TWAMP_A_REFLECTOR_DSCP, r->dscp)) ||
	    (r->n_allow && twamp_nl_put_allow(msg, r)) ||
	    nla_put_u32(msg, TWAMP_A_REFLECTOR_RATE_LIMIT, r->rate_limit) ||
	    twamp_nl_put_counters(msg, TWAMP_A_REFLECTOR_COUNTERS, r->counters) ||
	    (r->stateful && twamp_nl_put_dynamic(msg, r)))
		goto nla_put_failure;
	nla_nest_end(msg, nest);

	genlmsg_end(msg, hdr);
	return 0;

nla_put_failure:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int twamp_nl_parse_allow(struct twamp_reflector *r, struct nlattr *list,
				struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TWAMP_A_PREFIX_MAX + 1], *entry;
	unsigned int n = 0;
	int rem, err;

	nla_for_each_nested(entry, list, rem)
		n++;
	if (!n || n > TWAMP_MAX_ALLOW) {
		NL_SET_ERR_MSG_ATTR(extack, list,
				    "allow list needs 1 to 64 prefixes");
		return -EINVAL;
	}
	r->allow = kcalloc(n, sizeof(*r->allow), GFP_KERNEL_ACCOUNT);
	if (!r->allow)
		return -ENOMEM;

	nla_for_each_nested(entry, list, rem) {
		struct twamp_prefix *p = &r->allow[r->n_allow];

		err = nla_parse_nested(tb, TWAMP_NL_MAXTYPE(twamp_prefix_nl_policy),
				       entry,
				       twamp_prefix_nl_policy, extack);
		if (err)
			return err;
		if (!!tb[TWAMP_A_PREFIX_IPV4] == !!tb[TWAMP_A_PREFIX_IPV6]) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "a prefix needs exactly one of an IPv4 or IPv6 address");
			return -EINVAL;
		}
		if (tb[TWAMP_A_PREFIX_IPV4]) {
			p->family = AF_INET;
			p->v4 = nla_get_in_addr(tb[TWAMP_A_PREFIX_IPV4]);
			p->len = 32;
		} else {
			p->family = AF_INET6;
			p->v6 = nla_get_in6_addr(tb[TWAMP_A_PREFIX_IPV6]);
			p->len = 128;
		}
		if (tb[TWAMP_A_PREFIX_LEN])
			p->len = nla_get_u8(tb[TWAMP_A_PREFIX_LEN]);
		if (p->family == AF_INET && p->len > 32) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_PREFIX_LEN],
					    "IPv4 prefix length above 32");
			return -EINVAL;
		}
		r->n_allow++;
	}
	return 0;
}

static int twamp_nl_parse_reflector(struct twamp_reflector *r,
				    struct nlattr **tb, struct net *net,
				    struct netlink_ext_ack *extack)
{
	unsigned int i;

	if (tb[TWAMP_A_REFLECTOR_LOCAL_IPV4] && tb[TWAMP_A_REFLECTOR_LOCAL_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_REFLECTOR_LOCAL_IPV6],
				    "give one local address, or none for a dual-stack wildcard");
		return -EINVAL;
	}
	if (tb[TWAMP_A_REFLECTOR_LOCAL_IPV4]) {
		r->family = AF_INET;
		r->local4 = nla_get_in_addr(tb[TWAMP_A_REFLECTOR_LOCAL_IPV4]);
	} else if (tb[TWAMP_A_REFLECTOR_LOCAL_IPV6]) {
		r->family = AF_INET6;
		r->local6 = nla_get_in6_addr(tb[TWAMP_A_REFLECTOR_LOCAL_IPV6]);
	}
	if (tb[TWAMP_A_REFLECTOR_IFINDEX]) {
		struct net_device *dev;

		r->ifindex = nla_get_u32(tb[TWAMP_A_REFLECTOR_IFINDEX]);
		rcu_read_lock();
		dev = dev_get_by_index_rcu(net, r->ifindex);
		rcu_read_unlock();
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_REFLECTOR_IFINDEX],
					    "no such device in this namespace");
			return -ENODEV;
		}
	}
	if (tb[TWAMP_A_REFLECTOR_PORT])
		r->port = nla_get_u16(tb[TWAMP_A_REFLECTOR_PORT]);
	if (tb[TWAMP_A_REFLECTOR_FORMAT])
		r->format = nla_get_u8(tb[TWAMP_A_REFLECTOR_FORMAT]);
	if (tb[TWAMP_A_REFLECTOR_TS_FORMAT])
		r->ts_format = nla_get_u8(tb[TWAMP_A_REFLECTOR_TS_FORMAT]);
	if (tb[TWAMP_A_REFLECTOR_DSCP])
		r->dscp = nla_get_u8(tb[TWAMP_A_REFLECTOR_DSCP]);
	if (tb[TWAMP_A_REFLECTOR_STATEFUL]) {
		int err;

		if (r->format != TWAMP_FORMAT_STAMP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_REFLECTOR_STATEFUL],
					    "stateful reflection is a STAMP mode");
			return -EINVAL;
		}
		err = twamp_reflector_set_stateful(r);
		if (err)
			return err;
	}
	for (i = TWAMP_A_REFLECTOR_MAX_DYNAMIC;
	     i <= TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT; i++) {
		if (tb[i] && !r->stateful) {
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "stateful session limits need a stateful reflector");
			return -EINVAL;
		}
	}
	if (tb[TWAMP_A_REFLECTOR_MAX_DYNAMIC])
		r->max_dynamic = nla_get_u32(tb[TWAMP_A_REFLECTOR_MAX_DYNAMIC]);
	if (tb[TWAMP_A_REFLECTOR_MAX_PER_SOURCE])
		r->max_per_source = nla_get_u32(tb[TWAMP_A_REFLECTOR_MAX_PER_SOURCE]);
	if (tb[TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT])
		r->dynamic_refwait_ms =
			nla_get_u32(tb[TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT]);
	r->sessions_only = nla_get_flag(tb[TWAMP_A_REFLECTOR_SESSIONS_ONLY]);
	if (tb[TWAMP_A_REFLECTOR_ALLOW]) {
		int err = twamp_nl_parse_allow(r, tb[TWAMP_A_REFLECTOR_ALLOW],
					       extack);

		if (err)
			return err;
	}
	if (tb[TWAMP_A_REFLECTOR_RATE_LIMIT])
		r->rate_limit = nla_get_u32(tb[TWAMP_A_REFLECTOR_RATE_LIMIT]);
	if (r->rate_limit) {
		u64 now = ktime_get_mono_fast_ns();

		r->buckets = kcalloc(TWAMP_RATE_BUCKETS, sizeof(*r->buckets),
				     GFP_KERNEL_ACCOUNT);
		if (!r->buckets)
			return -ENOMEM;
		for (i = 0; i < TWAMP_RATE_BUCKETS; i++) {
			spin_lock_init(&r->buckets[i].lock);
			r->buckets[i].last_ns = now;
			r->buckets[i].credit = (u64)r->rate_limit * NSEC_PER_SEC;
		}
	}
	return 0;
}

int twamp_nl_reflector_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct twamp_net *tn = twamp_pernet(genl_info_net(info));
	struct nlattr *tb[TWAMP_A_REFLECTOR_MAX + 1] = {};
	struct twamp_reflector *r;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, TWAMP_A_REFLECTOR)) {
		NL_SET_ERR_MSG(info->extack, "missing reflector attributes");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, TWAMP_NL_MAXTYPE(twamp_reflector_new_input_nl_policy),
			       info->attrs[TWAMP_A_REFLECTOR],
			       twamp_reflector_new_input_nl_policy, info->extack);
	if (err)
		return err;

	r = twamp_reflector_alloc();
	if (!r)
		return -ENOMEM;
	err = twamp_nl_parse_reflector(r, tb, genl_info_net(info),
				       info->extack);
	if (err)
		goto err_free;
	if (nla_get_flag(tb[TWAMP_A_REFLECTOR_BIND]))
		r->bind_portid = info->snd_portid;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_free;
	}

	mutex_lock(&tn->lock);
	err = twamp_limits_object(tn, info->extack);
	if (!err)
		err = twamp_reflector_start(tn, r, info->extack);
	if (err) {
		mutex_unlock(&tn->lock);
		nlmsg_free(msg);
		goto err_free;
	}
	tn->gen++;
	err = twamp_nl_fill_reflector(msg, r, info->snd_portid, info->snd_seq,
				      0, TWAMP_CMD_REFLECTOR_NEW);
	mutex_unlock(&tn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);

err_free:
	twamp_reflector_free(r);
	return err;
}

/* DEL and GET: pre_doit found the reflector and holds tn->lock. */
int twamp_nl_reflector_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct twamp_net *tn = twamp_nl_target_net(info);

	twamp_reflector_del(info->user_ptr[0]);
	tn->gen++;
	return 0;
}

int twamp_nl_reflector_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	err = twamp_nl_fill_reflector(msg, info->user_ptr[0], info->snd_portid,
				      info->snd_seq, 0, TWAMP_CMD_REFLECTOR_GET);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int twamp_nl_reflector_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct twamp_net *tn = twamp_pernet(sock_net(skb->sk));
	struct twamp_reflector *r;
	unsigned long id;

	mutex_lock(&tn->lock);
	/* Lets userspace see NLM_F_DUMP_INTR when objects come and go. */
	cb->seq = twamp_dump_gen(tn);
	xa_for_each_start(&tn->reflectors, id, r, cb->args[0]) {
		if (twamp_nl_fill_reflector(skb, r,
					    NETLINK_CB(cb->skb).portid,
					    cb->nlh->nlmsg_seq, NLM_F_MULTI,
					    TWAMP_CMD_REFLECTOR_GET))
			break;
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	}
	/* Resume at the reflector that did not fit, or past the last. */
	cb->args[0] = r ? id : id + 1;
	mutex_unlock(&tn->lock);
	return skb->len;
}

/*
 * The test keys of an authenticated or encrypted session or sender: both
 * keys, and only then. They are kept in the object alone and never put
 * into a message.
 *
 * Return: the keys, NULL for an open session, or an ERR_PTR.
 */
static struct twamp_crypto *twamp_nl_parse_crypto(struct nlattr *security,
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

/* SESSION_NEW / _DEL / _GET */

static int twamp_nl_fill_session(struct sk_buff *msg,
				 const struct twamp_session *s,
				 u32 portid, u32 seq, int flags, u8 cmd)
{
	const struct twamp_session_key *k = &s->key;
	u64 sum[__TWAMP_CNT_MAX];
	struct nlattr *nest;
	void *hdr;

	twamp_session_counters_sum(s, sum);
	hdr = genlmsg_put(msg, portid, seq, &twamp_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	nest = nla_nest_start(msg, TWAMP_A_SESSION);
	if (!nest)
		goto nla_put_failure;
	if (nla_put_u32(msg, TWAMP_A_SESSION_ID, s->id) ||
	    nla_put_u32(msg, TWAMP_A_SESSION_REFLECTOR_ID, s->r->id) ||
	    (k->family == AF_INET ?
	     nla_put_in_addr(msg, TWAMP_A_SESSION_PEER_IPV4, k->v4) :
	     nla_put_in6_addr(msg, TWAMP_A_SESSION_PEER_IPV6, &k->v6)) ||
	    nla_put_u16(msg, TWAMP_A_SESSION_PEER_PORT, ntohs(k->port)) ||
	    nla_put_u16(msg, TWAMP_A_SESSION_LOCAL_PORT, s->r->port) ||
	    (s->has_sid && nla_put(msg, TWAMP_A_SESSION_SID, sizeof(s->sid),
				   s->sid)) ||
	    (k->ssid && nla_put_u16(msg, TWAMP_A_SESSION_SSID, k->ssid)) ||
	    nla_put_u32(msg, TWAMP_A_SESSION_PADDING, s->padding) ||
	    nla_put_u16(msg, TWAMP_A_SESSION_REFLECT_OCTETS, s->reflect_octets) ||
	    nla_put_u16(msg, TWAMP_A_SESSION_REFLECT_LEN, s->reflect_len) ||
	    nla_put_u16(msg, TWAMP_A_SESSION_SERVER_OCTETS, s->server_octets) ||
	    (s->symmetric && nla_put_flag(msg, TWAMP_A_SESSION_SYMMETRIC)) ||
	    nla_put_u32(msg, TWAMP_A_SESSION_REFWAIT, s->refwait_ms) ||
	    (s->bind_portid && nla_put_flag(msg, TWAMP_A_SESSION_BIND)) ||
	    (s->dscp >= 0 && nla_put_u8(msg, TWAMP_A_SESSION_DSCP, s->dscp)) ||
	    nla_put_u8(msg, TWAMP_A_SESSION_SECURITY,
		       s->crypto ? s->crypto->mode : TWAMP_SECURITY_OPEN) ||
	    twamp_nl_put_counters_sum(msg, TWAMP_A_SESSION_COUNTERS, sum))
		goto nla_put_failure;
	nla_nest_end(msg, nest);

	genlmsg_end(msg, hdr);
	return 0;

nla_put_failure:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int twamp_nl_parse_session(struct twamp_session *s,
				  struct twamp_reflector *r, struct nlattr **tb,
				  struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[TWAMP_A_SESSION];

	if (!!tb[TWAMP_A_SESSION_PEER_IPV4] == !!tb[TWAMP_A_SESSION_PEER_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "give exactly one peer address, IPv4 or IPv6");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, TWAMP_A_SESSION_PEER_PORT)) {
		NL_SET_ERR_MSG(extack, "missing peer port");
		return -EINVAL;
	}
	if (tb[TWAMP_A_SESSION_PEER_IPV4]) {
		s->key.family = AF_INET;
		s->key.v4 = nla_get_in_addr(tb[TWAMP_A_SESSION_PEER_IPV4]);
	} else {
		s->key.family = AF_INET6;
		s->key.v6 = nla_get_in6_addr(tb[TWAMP_A_SESSION_PEER_IPV6]);
	}
	if (r->family != AF_UNSPEC && r->family != s->key.family) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "the reflector does not serve this address family");
		return -EINVAL;
	}
	s->key.port = htons(nla_get_u16(tb[TWAMP_A_SESSION_PEER_PORT]));

	if (tb[TWAMP_A_SESSION_SSID]) {
		if (r->format != TWAMP_FORMAT_STAMP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_SESSION_SSID],
					    "an SSID needs a STAMP reflector");
			return -EINVAL;
		}
		s->key.ssid = nla_get_u16(tb[TWAMP_A_SESSION_SSID]);
	}
	if (tb[TWAMP_A_SESSION_SID]) {
		nla_memcpy(s->sid, tb[TWAMP_A_SESSION_SID], sizeof(s->sid));
		s->has_sid = true;
	}
	if (tb[TWAMP_A_SESSION_REFLECT_LEN] &&
	    r->format != TWAMP_FORMAT_LIGHT) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_SESSION_REFLECT_LEN],
				    "reflect octets (RFC 6038) is a TWAMP mode");
		return -EINVAL;
	}
	if (tb[TWAMP_A_SESSION_SECURITY] &&
	    nla_get_u8(tb[TWAMP_A_SESSION_SECURITY]) != TWAMP_SECURITY_OPEN &&
	    r->format != TWAMP_FORMAT_LIGHT) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_SESSION_SECURITY],
				    "authenticated and encrypted sessions need a TWAMP reflector");
		return -EINVAL;
	}
	s->crypto = twamp_nl_parse_crypto(tb[TWAMP_A_SESSION_SECURITY],
					  tb[TWAMP_A_SESSION_AES_KEY],
					  tb[TWAMP_A_SESSION_HMAC_KEY], extack);
	if (IS_ERR(s->crypto)) {
		int err = PTR_ERR(s->crypto);

		s->crypto = NULL;
		return err;
	}
	if (tb[TWAMP_A_SESSION_PADDING])
		s->padding = nla_get_u32(tb[TWAMP_A_SESSION_PADDING]);
	if (tb[TWAMP_A_SESSION_REFLECT_OCTETS])
		s->reflect_octets = nla_get_u16(tb[TWAMP_A_SESSION_REFLECT_OCTETS]);
	if (tb[TWAMP_A_SESSION_REFLECT_LEN])
		s->reflect_len = nla_get_u16(tb[TWAMP_A_SESSION_REFLECT_LEN]);
	if (tb[TWAMP_A_SESSION_SERVER_OCTETS])
		s->server_octets = nla_get_u16(tb[TWAMP_A_SESSION_SERVER_OCTETS]);
	s->symmetric = nla_get_flag(tb[TWAMP_A_SESSION_SYMMETRIC]);
	if (tb[TWAMP_A_SESSION_REFWAIT])
		s->refwait_ms = nla_get_u32(tb[TWAMP_A_SESSION_REFWAIT]);
	if (tb[TWAMP_A_SESSION_DSCP])
		s->dscp = nla_get_u8(tb[TWAMP_A_SESSION_DSCP]);
	if (nla_get_flag(tb[TWAMP_A_SESSION_BIND]))
		s->bind_portid = info->snd_portid;
	return 0;
}

int twamp_nl_session_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct twamp_net *tn = twamp_pernet(genl_info_net(info));
	struct nlattr *tb[TWAMP_A_SESSION_MAX + 1] = {};
	struct twamp_reflector *r;
	struct twamp_session *s;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, TWAMP_A_SESSION)) {
		NL_SET_ERR_MSG(info->extack, "missing session attributes");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, TWAMP_NL_MAXTYPE(twamp_session_new_input_nl_policy),
			       info->attrs[TWAMP_A_SESSION],
			       twamp_session_new_input_nl_policy, info->extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[TWAMP_A_SESSION], tb,
			      TWAMP_A_SESSION_REFLECTOR_ID)) {
		NL_SET_ERR_MSG(info->extack, "missing reflector ID");
		return -EINVAL;
	}

	s = twamp_session_alloc(GFP_KERNEL);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!s || !msg) {
		err = -ENOMEM;
		goto err_free;
	}

	mutex_lock(&tn->lock);
	r = xa_load(&tn->reflectors,
		    nla_get_u32(tb[TWAMP_A_SESSION_REFLECTOR_ID]));
	if (!r) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[TWAMP_A_SESSION_REFLECTOR_ID],
				    "no reflector with this ID");
		err = -ENOENT;
		goto err_unlock;
	}
	err = twamp_nl_parse_session(s, r, tb, info);
	if (err)
		goto err_unlock;
	err = twamp_session_add(r, s);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(info->extack,
				       "a session with this peer address, port and SSID exists");
		else if (err == -ENOSPC)
			NL_SET_ERR_MSG(info->extack,
				       "the reflector has the most sessions it allows");
		if (err == -EDQUOT) {
			twamp_limits_session_msg(info->extack);
			err = -ENOSPC;
		}
		goto err_unlock;
	}
	/* From here on, the session belongs to the reflector. */
	err = twamp_nl_fill_session(msg, s, info->snd_portid, info->snd_seq,
				    0, TWAMP_CMD_SESSION_NEW);
	mutex_unlock(&tn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);

err_unlock:
	mutex_unlock(&tn->lock);
err_free:
	nlmsg_free(msg);
	if (s)
		twamp_session_free(s);
	return err;
}

/* DEL and GET: pre_doit found the session and holds tn->lock. */
int twamp_nl_session_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	twamp_session_del(info->user_ptr[0]);
	return 0;
}

int twamp_nl_session_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	err = twamp_nl_fill_session(msg, info->user_ptr[0], info->snd_portid,
				    info->snd_seq, 0, TWAMP_CMD_SESSION_GET);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Dump cursor: args[0] is the reflector ID, args[1] how many of its
 * sessions (in creation order) were already sent.
 */
int twamp_nl_session_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct twamp_net *tn = twamp_pernet(sock_net(skb->sk));
	struct twamp_reflector *r;
	struct twamp_session *s;
	unsigned long rid;
	long skip;
	int err = 0;

	mutex_lock(&tn->lock);
	cb->seq = twamp_dump_gen(tn);
	xa_for_each_start(&tn->reflectors, rid, r, cb->args[0]) {
		if (rid != cb->args[0]) {
			cb->args[0] = rid;
			cb->args[1] = 0;
		}
		skip = cb->args[1];
		spin_lock_bh(&r->sessions_lock);
		list_for_each_entry(s, &r->sessions, node) {
			if (skip-- > 0)
				continue;
			err = twamp_nl_fill_session(skb, s,
						    NETLINK_CB(cb->skb).portid,
						    cb->nlh->nlmsg_seq,
						    NLM_F_MULTI,
						    TWAMP_CMD_SESSION_GET);
			if (err)
				break;
			nl_dump_check_consistent(cb, nlmsg_hdr(skb));
			cb->args[1]++;
		}
		spin_unlock_bh(&r->sessions_lock);
		if (err)
			break;
	}
	if (!err)
		cb->args[0] = ULONG_MAX;
	mutex_unlock(&tn->lock);
	return skb->len;
}

/* SENDER_NEW / _START / _STOP / _DEL / _GET, and the results group */

static int twamp_nl_put_stats(struct sk_buff *msg,
			      const struct twamp_stats_snapshot *snap)
{
	const struct twamp_stats *st = &snap->st;
	struct nlattr *nest;
	u64 n = st->received;

#define PUT(attr, v) \
	nla_put_u64_64bit(msg, TWAMP_A_STATS_##attr, (u64)(v), TWAMP_A_STATS_PAD)

	nest = nla_nest_start(msg, TWAMP_A_SENDER_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (PUT(SENT, st->sent) || PUT(RECEIVED, st->received) ||
	    PUT(LOST, st->lost) || PUT(DUPLICATE, st->duplicates) ||
	    PUT(REORDERED, st->reordered) ||
	    PUT(REORDER_EXTENT_MAX, st->reorder_extent_max) ||
	    PUT(LATE_SENDS, st->late_sends) || PUT(LATE_MAX, st->late_max) ||
	    PUT(RESULTS_DROPPED, st->results_dropped) ||
	    PUT(AUTH_FAILED, st->auth_failed) || PUT(SKIPPED, st->skipped))
		return -EMSGSIZE;
	if (n &&
	    (PUT(RTT_MIN, st->rtt_min) || PUT(RTT_MAX, st->rtt_max) ||
	     PUT(RTT_MEAN, div64_s64(st->rtt_sum, n)) ||
	     PUT(RTT_STDDEV, snap->rtt_stddev) ||
	     PUT(RTT_P50, snap->rtt_p50) || PUT(RTT_P90, snap->rtt_p90) ||
	     PUT(RTT_P99, snap->rtt_p99) ||
	     PUT(PDV_P99, snap->rtt_p99 - st->rtt_min) ||
	     PUT(JITTER_FWD, st->jitter_fwd >> 4) ||
	     PUT(JITTER_BWD, st->jitter_bwd >> 4) ||
	     PUT(JITTER_RTT, st->jitter_rtt >> 4) ||
	     PUT(RESIDENCE_MIN, st->res_min) ||
	     PUT(RESIDENCE_MAX, st->res_max) ||
	     PUT(RESIDENCE_MEAN, div64_s64(st->res_sum, n))))
		return -EMSGSIZE;
	if (st->ipdv_n &&
	    (PUT(IPDV_MEAN, div64_u64(st->ipdv_abs_sum, st->ipdv_n)) ||
	     PUT(IPDV_MAX, st->ipdv_abs_max)))
		return -EMSGSIZE;
	/* One-way delays only when every reply said both clocks are synced. */
	if (n && st->owd_n == n &&
	    (PUT(OWD_FWD_MEAN, div64_s64(st->owd_fwd_sum, n)) ||
	     PUT(OWD_BWD_MEAN, div64_s64(st->owd_bwd_sum, n))))
		return -EMSGSIZE;
	/* Directional loss needs the reflector's own sequence numbers. */
	if (snap->state == TWAMP_SENDER_DONE && st->refl_stateful &&
	    st->sent >= st->refl_seq_max + 1 && st->refl_seq_max + 1 >= n &&
	    (PUT(LOST_FORWARD, st->sent - (st->refl_seq_max + 1)) ||
	     PUT(LOST_BACKWARD, st->refl_seq_max + 1 - n)))
		return -EMSGSIZE;
#undef PUT
	nla_nest_end(msg, nest);
	return 0;
}

static int twamp_nl_fill_sender(struct sk_buff *msg,
				const struct twamp_sender *s,
				const struct twamp_stats_snapshot *snap,
				u32 portid, u32 seq, int flags, u8 cmd)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &twamp_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	nest = nla_nest_start(msg, TWAMP_A_SENDER);
	if (!nest)
		goto nla_put_failure;
	if (nla_put_u32(msg, TWAMP_A_SENDER_ID, s->id) ||
	    (s->ifindex && nla_put_u32(msg, TWAMP_A_SENDER_IFINDEX, s->ifindex)) ||
	    (s->has_local && s->family == AF_INET &&
	     nla_put_in_addr(msg, TWAMP_A_SENDER_LOCAL_IPV4, s->local4)) ||
	    (s->has_local && s->family == AF_INET6 &&
	     nla_put_in6_addr(msg, TWAMP_A_SENDER_LOCAL_IPV6, &s->local6)) ||
	    nla_put_u16(msg, TWAMP_A_SENDER_LOCAL_PORT, ntohs(s->local_port)) ||
	    (s->family == AF_INET ?
	     nla_put_in_addr(msg, TWAMP_A_SENDER_REMOTE_IPV4, s->remote4) :
	     nla_put_in6_addr(msg, TWAMP_A_SENDER_REMOTE_IPV6, &s->remote6)) ||
	    nla_put_u16(msg, TWAMP_A_SENDER_REMOTE_PORT, ntohs(s->remote_port)) ||
	    nla_put_u8(msg, TWAMP_A_SENDER_FORMAT, s->format) ||
	    nla_put_u8(msg, TWAMP_A_SENDER_TS_FORMAT, s->ts_format) ||
	    (s->ssid && nla_put_u16(msg, TWAMP_A_SENDER_SSID, s->ssid)) ||
	    nla_put_u8(msg, TWAMP_A_SENDER_DSCP, s->dscp) ||
	    nla_put_u8(msg, TWAMP_A_SENDER_TTL, s->ttl) ||
	    nla_put_u32(msg, TWAMP_A_SENDER_PADDING, s->padding) ||
	    nla_put_u32(msg, TWAMP_A_SENDER_COUNT, s->count) ||
	    nla_put_u64_64bit(msg, TWAMP_A_SENDER_DURATION, s->duration,
			      TWAMP_A_SENDER_PAD) ||
	    nla_put_u64_64bit(msg, TWAMP_A_SENDER_INTERVAL, s->interval,
			      TWAMP_A_SENDER_PAD) ||
	    nla_put_u8(msg, TWAMP_A_SENDER_SCHEDULE, s->schedule) ||
	    nla_put_u64_64bit(msg, TWAMP_A_SENDER_SEED, s->seed,
			      TWAMP_A_SENDER_PAD) ||
	    nla_put_u64_64bit(msg, TWAMP_A_SENDER_START_TIME, s->start_time,
			      TWAMP_A_SENDER_PAD) ||
	    nla_put_u64_64bit(msg, TWAMP_A_SENDER_WAIT, s->wait,
			      TWAMP_A_SENDER_PAD) ||
	    (s->bind_portid && nla_put_flag(msg, TWAMP_A_SENDER_BIND)) ||
	    nla_put_u8(msg, TWAMP_A_SENDER_SECURITY,
		       s->crypto ? s->crypto->mode : TWAMP_SECURITY_OPEN) ||
	    (s->has_sid && nla_put(msg, TWAMP_A_SENDER_SID, sizeof(s->sid),
				   s->sid)) ||
	    nla_put_u8(msg, TWAMP_A_SENDER_STATE, snap->state) ||
	    twamp_nl_put_stats(msg, snap))
		goto nla_put_failure;
	nla_nest_end(msg, nest);

	genlmsg_end(msg, hdr);
	return 0;

nla_put_failure:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/* The statistics are copied into @snap under the sender's lock. */
static int twamp_nl_fill_sender_snap(struct sk_buff *msg,
				     struct twamp_sender *s,
				     struct twamp_stats_snapshot *snap,
				     u32 portid, u32 seq, int flags, u8 cmd)
{
	spin_lock_bh(&s->lock);
	twamp_sender_snapshot(s, snap);
	spin_unlock_bh(&s->lock);
	return twamp_nl_fill_sender(msg, s, snap, portid, seq, flags, cmd);
}

/* Caller may sleep. */
static int twamp_nl_fill_sender_now(struct sk_buff *msg,
				    struct twamp_sender *s, u32 portid,
				    u32 seq, int flags, u8 cmd)
{
	struct twamp_stats_snapshot *snap;
	int err;

	snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	err = twamp_nl_fill_sender_snap(msg, s, snap, portid, seq, flags, cmd);
	kfree(snap);
	return err;
}

static int twamp_nl_parse_sender(struct twamp_sender *s, struct nlattr **tb,
				 struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[TWAMP_A_SENDER];

	if (!!tb[TWAMP_A_SENDER_REMOTE_IPV4] == !!tb[TWAMP_A_SENDER_REMOTE_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "give exactly one remote address, IPv4 or IPv6");
		return -EINVAL;
	}
	if (tb[TWAMP_A_SENDER_REMOTE_IPV4]) {
		s->family = AF_INET;
		s->remote4 = nla_get_in_addr(tb[TWAMP_A_SENDER_REMOTE_IPV4]);
		if (ipv4_is_multicast(s->remote4) || ipv4_is_lbcast(s->remote4) ||
		    ipv4_is_zeronet(s->remote4)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_SENDER_REMOTE_IPV4],
					    "the remote address must be unicast");
			return -EINVAL;
		}
	} else {
		s->family = AF_INET6;
		s->remote6 = nla_get_in6_addr(tb[TWAMP_A_SENDER_REMOTE_IPV6]);
		if (ipv6_addr_is_multicast(&s->remote6) ||
		    ipv6_addr_any(&s->remote6)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_SENDER_REMOTE_IPV6],
					    "the remote address must be unicast");
			return -EINVAL;
		}
	}
	if (tb[TWAMP_A_SENDER_LOCAL_IPV4] || tb[TWAMP_A_SENDER_LOCAL_IPV6]) {
		if (!tb[s->family == AF_INET ? TWAMP_A_SENDER_LOCAL_IPV4 :
					       TWAMP_A_SENDER_LOCAL_IPV6]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "local and remote addresses of different families");
			return -EINVAL;
		}
		s->has_local = true;
		if (s->family == AF_INET)
			s->local4 = nla_get_in_addr(tb[TWAMP_A_SENDER_LOCAL_IPV4]);
		else
			s->local6 = nla_get_in6_addr(tb[TWAMP_A_SENDER_LOCAL_IPV6]);
	}
	if (tb[TWAMP_A_SENDER_SID]) {
		nla_memcpy(s->sid, tb[TWAMP_A_SENDER_SID], sizeof(s->sid));
		s->has_sid = true;
	}
	if (tb[TWAMP_A_SENDER_IFINDEX])
		s->ifindex = nla_get_u32(tb[TWAMP_A_SENDER_IFINDEX]);
	if (tb[TWAMP_A_SENDER_LOCAL_PORT])
		s->local_port = htons(nla_get_u16(tb[TWAMP_A_SENDER_LOCAL_PORT]));
	if (tb[TWAMP_A_SENDER_REMOTE_PORT])
		s->remote_port = htons(nla_get_u16(tb[TWAMP_A_SENDER_REMOTE_PORT]));
	if (tb[TWAMP_A_SENDER_FORMAT])
		s->format = nla_get_u8(tb[TWAMP_A_SENDER_FORMAT]);
	if (tb[TWAMP_A_SENDER_TS_FORMAT])
		s->ts_format = nla_get_u8(tb[TWAMP_A_SENDER_TS_FORMAT]);
	if (tb[TWAMP_A_SENDER_SSID]) {
		if (s->format != TWAMP_FORMAT_STAMP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_SENDER_SSID],
					    "an SSID needs the STAMP format");
			return -EINVAL;
		}
		s->ssid = nla_get_u16(tb[TWAMP_A_SENDER_SSID]);
	}
	if (tb[TWAMP_A_SENDER_SECURITY] &&
	    nla_get_u8(tb[TWAMP_A_SENDER_SECURITY]) != TWAMP_SECURITY_OPEN &&
	    s->format != TWAMP_FORMAT_LIGHT) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_SENDER_SECURITY],
				    "authenticated and encrypted sessions need the TWAMP format");
		return -EINVAL;
	}
	s->crypto = twamp_nl_parse_crypto(tb[TWAMP_A_SENDER_SECURITY],
					  tb[TWAMP_A_SENDER_AES_KEY],
					  tb[TWAMP_A_SENDER_HMAC_KEY], extack);
	if (IS_ERR(s->crypto)) {
		int err = PTR_ERR(s->crypto);

		s->crypto = NULL;
		return err;
	}
	if (tb[TWAMP_A_SENDER_DSCP])
		s->dscp = nla_get_u8(tb[TWAMP_A_SENDER_DSCP]);
	if (tb[TWAMP_A_SENDER_TTL])
		s->ttl = nla_get_u8(tb[TWAMP_A_SENDER_TTL]);
	if (tb[TWAMP_A_SENDER_PADDING])
		s->padding = nla_get_u32(tb[TWAMP_A_SENDER_PADDING]);
	if (tb[TWAMP_A_SENDER_COUNT])
		s->count = nla_get_u32(tb[TWAMP_A_SENDER_COUNT]);
	if (tb[TWAMP_A_SENDER_DURATION])
		s->duration = nla_get_u64(tb[TWAMP_A_SENDER_DURATION]);
	if (tb[TWAMP_A_SENDER_INTERVAL])
		s->interval = nla_get_u64(tb[TWAMP_A_SENDER_INTERVAL]);
	if (tb[TWAMP_A_SENDER_SCHEDULE])
		s->schedule = nla_get_u8(tb[TWAMP_A_SENDER_SCHEDULE]);
	/* Without a seed, senders must not all follow one schedule. */
	s->seed = tb[TWAMP_A_SENDER_SEED] ? nla_get_u64(tb[TWAMP_A_SENDER_SEED]) :
					   get_random_u64();
	if (tb[TWAMP_A_SENDER_START_TIME])
		s->start_time = nla_get_u64(tb[TWAMP_A_SENDER_START_TIME]);
	if (tb[TWAMP_A_SENDER_WAIT])
		s->wait = nla_get_u64(tb[TWAMP_A_SENDER_WAIT]);
	if (nla_get_flag(tb[TWAMP_A_SENDER_BIND]))
		s->bind_portid = info->snd_portid;
	return 0;
}

int twamp_nl_sender_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct twamp_net *tn = twamp_pernet(genl_info_net(info));
	struct nlattr *tb[TWAMP_A_SENDER_MAX + 1] = {};
	struct twamp_stats_snapshot *snap = NULL;
	struct sk_buff *msg = NULL;
	struct twamp_sender *s;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, TWAMP_A_SENDER)) {
		NL_SET_ERR_MSG(info->extack, "missing sender attributes");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, TWAMP_NL_MAXTYPE(twamp_sender_new_input_nl_policy),
			       info->attrs[TWAMP_A_SENDER],
			       twamp_sender_new_input_nl_policy, info->extack);
	if (err)
		return err;

	s = twamp_sender_alloc();
	if (!s)
		return -ENOMEM;
	err = twamp_nl_parse_sender(s, tb, info);
	if (err)
		goto err_free;
	/* Everything the reply needs, before the sender exists. */
	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	if (!msg || !snap)
		goto err_free;

	mutex_lock(&tn->lock);
	err = twamp_limits_object(tn, info->extack);
	if (!err)
		err = twamp_limits_sender(tn, s, skb, info->extack);
	if (!err)
		err = twamp_sender_create(tn, s, info->extack);
	if (err) {
		mutex_unlock(&tn->lock);
		goto err_free;
	}
	err = twamp_nl_fill_sender_snap(msg, s, snap, info->snd_portid,
					info->snd_seq, 0, TWAMP_CMD_SENDER_NEW);
	/* A new sender always fits NLMSG_GOODSIZE: never leave one behind */
	if (WARN_ON_ONCE(err))
		twamp_sender_del(s);
	mutex_unlock(&tn->lock);
	kfree(snap);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	kfree(snap);
	if (s->sock)
		udp_tunnel_sock_release(s->sock);
	twamp_sender_free(s);
	return err;
}

/* START, STOP, DEL and GET: pre_doit found the sender, holds tn->lock. */
int twamp_nl_sender_start_doit(struct sk_buff *skb, struct genl_info *info)
{
	return twamp_sender_start(info->user_ptr[0], info->extack);
}

int twamp_nl_sender_stop_doit(struct sk_buff *skb, struct genl_info *info)
{
	return twamp_sender_stop(info->user_ptr[0], info->extack);
}

int twamp_nl_sender_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	twamp_sender_del(info->user_ptr[0]);
	return 0;
}

int twamp_nl_sender_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	err = twamp_nl_fill_sender_now(msg, info->user_ptr[0], info->snd_portid,
				       info->snd_seq, 0, TWAMP_CMD_SENDER_GET);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int twamp_nl_sender_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	struct twamp_net *tn = twamp_pernet(sock_net(skb->sk));
	struct twamp_sender *s;
	unsigned long id;

	mutex_lock(&tn->lock);
	cb->seq = twamp_dump_gen(tn);
	xa_for_each_start(&tn->senders, id, s, cb->args[0]) {
		if (twamp_nl_fill_sender_now(skb, s, NETLINK_CB(cb->skb).portid,
					     cb->nlh->nlmsg_seq, NLM_F_MULTI,
					     TWAMP_CMD_SENDER_GET))
			break;
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	}
	cb->args[0] = s ? id : id + 1;
	mutex_unlock(&tn->lock);
	return skb->len;
}

static int twamp_nl_multicast(struct twamp_sender *s, struct sk_buff *msg)
{
	int err = genlmsg_multicast_netns(&twamp_nl_family, s->tn->net, msg, 0,
					  TWAMP_NLGRP_RESULTS, GFP_ATOMIC);

	/* -ESRCH: nobody listens, which is no loss. */
	return err == -ESRCH ? 0 : err;
}

/* Every attribute a result record can carry: allocated in softirq. */
static size_t twamp_nl_result_size(void)
{
	return nla_total_size(0) +			/* TWAMP_A_RESULT */
	       4 * nla_total_size(sizeof(u32)) +	/* ids, seqs, flags */
	       nla_total_size(sizeof(u32)) +		/* SIZE */
	       5 * nla_total_size_64bit(sizeof(u64)) +	/* T1..T4, DROPPED */
	       3 * nla_total_size(sizeof(u8)) +		/* TTLs, DSCP */
	       nla_total_size(sizeof(u16));		/* REFLECTOR_ERR */
}

/**
 * twamp_nl_notify_result() - multicast one per-packet record
 * @s: the sender
 * @res: the record
 *
 * Return: 0, or -ENOBUFS when a listener missed it.
 */
int twamp_nl_notify_result(struct twamp_sender *s,
			   const struct twamp_result *res)
{
	bool lost = res->flags & TWAMP_RESULT_LOST;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&twamp_nl_family, s->tn->net,
				TWAMP_NLGRP_RESULTS))
		return 0;
	msg = genlmsg_new(twamp_nl_result_size(), GFP_ATOMIC);
	if (!msg)
		return -ENOBUFS;
	hdr = genlmsg_put(msg, 0, 0, &twamp_nl_family, 0, TWAMP_CMD_RESULT_NTF);
	if (!hdr)
		goto err_free;
	nest = nla_nest_start(msg, TWAMP_A_RESULT);
	if (!nest ||
	    nla_put_u32(msg, TWAMP_A_RESULT_SENDER_ID, res->sender_id) ||
	    nla_put_u32(msg, TWAMP_A_RESULT_SEQ, res->seq) ||
	    nla_put_u64_64bit(msg, TWAMP_A_RESULT_T1, ktime_to_ns(res->t1),
			      TWAMP_A_RESULT_PAD) ||
	    nla_put_u32(msg, TWAMP_A_RESULT_FLAGS, res->flags) ||
	    nla_put_u64_64bit(msg, TWAMP_A_RESULT_DROPPED,
			      s->st.results_dropped, TWAMP_A_RESULT_PAD))
		goto err_free;
	if (!lost &&
	    (nla_put_u32(msg, TWAMP_A_RESULT_REFLECTOR_SEQ, res->refl_seq) ||
	     nla_put_u64_64bit(msg, TWAMP_A_RESULT_T2, ktime_to_ns(res->t2),
			       TWAMP_A_RESULT_PAD) ||
	     nla_put_u64_64bit(msg, TWAMP_A_RESULT_T3, ktime_to_ns(res->t3),
			       TWAMP_A_RESULT_PAD) ||
	     nla_put_u64_64bit(msg, TWAMP_A_RESULT_T4, ktime_to_ns(res->t4),
			       TWAMP_A_RESULT_PAD) ||
	     nla_put_u8(msg, TWAMP_A_RESULT_SENDER_TTL, res->sender_ttl) ||
	     nla_put_u8(msg, TWAMP_A_RESULT_REFLECTOR_TTL, res->refl_ttl) ||
	     nla_put_u8(msg, TWAMP_A_RESULT_DSCP, res->dscp) ||
	     nla_put_u32(msg, TWAMP_A_RESULT_SIZE, res->size) ||
	     nla_put_u16(msg, TWAMP_A_RESULT_REFLECTOR_ERR, res->refl_err)))
		goto err_free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return twamp_nl_multicast(s, msg);

err_free:
	nlmsg_free(msg);
	return -ENOBUFS;
}

/**
 * twamp_nl_notify_done() - multicast that a sender finished, with stats
 * @s: the sender
 * @snap: its final statistics
 *
 * Return: 0 or a negative errno.
 */
int twamp_nl_notify_done(struct twamp_sender *s,
			 const struct twamp_stats_snapshot *snap)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&twamp_nl_family, s->tn->net,
				TWAMP_NLGRP_RESULTS))
		return 0;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return -ENOMEM;
	if (twamp_nl_fill_sender(msg, s, snap, 0, 0, 0,
				 TWAMP_CMD_SENDER_DONE_NTF)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return twamp_nl_multicast(s, msg);
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
 * path that deletes an object holds too: the object stays until post_doit
 * drops it. The same refusals, messages and errnos for every kind.
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
		obj = twamp_session_find_id(tn, id);
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
 * ID under tn->lock and keep the lock, so that the object cannot go away,
 * until post_doit: user_ptr[0] is the object, user_ptr[1] the namespace.
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

	if (tn)
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

static struct genl_family twamp_nl_family __ro_after_init = {
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
