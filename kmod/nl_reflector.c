// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink: REFLECTOR_NEW, _DEL and _GET.
 */

#include <linux/capability.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>

#include <linux/twamp_packet.h>

#include "compat.h"
#include "limits.h"
#include "netlink-gen.h"
#include "nl.h"
#include "reflector.h"
#include "session.h"
#include "twamp.h"

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
		if (r->format != TWAMP_FORMAT_STAMP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TWAMP_A_REFLECTOR_STATEFUL],
					    "stateful reflection is a STAMP mode");
			return -EINVAL;
		}
		r->stateful = true;
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
