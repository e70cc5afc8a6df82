// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink: SESSION_NEW, _DEL and _GET.
 */

#include <linux/capability.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>

#include <linux/twamp_packet.h>

#include "compat.h"
#include "crypto.h"
#include "limits.h"
#include "netlink-gen.h"
#include "nl.h"
#include "reflector.h"
#include "session.h"
#include "stats.h"
#include "twamp.h"

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
