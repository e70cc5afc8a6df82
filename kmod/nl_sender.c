// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink: SENDER_NEW, _START, _STOP, _DEL and _GET, and the
 * results group (results.h).
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
#include "results.h"
#include "sender.h"
#include "twamp.h"

/* SENDER_NEW / _START / _STOP / _DEL / _GET, and the results group */

static int twamp_nl_put_stats(struct sk_buff *msg,
			      const struct twamp_sender *s,
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
	    PUT(AUTH_FAILED, st->auth_failed) || PUT(SKIPPED, st->skipped) ||
	    PUT(ICMP_ERRORS, st->icmp_errors) ||
	    PUT(REPLIES_SHORT, st->bad[TWAMP_BAD_SHORT]) ||
	    PUT(REPLIES_INVALID, st->bad[TWAMP_BAD_INVALID]) ||
	    PUT(REPLIES_BAD_SSID, st->bad[TWAMP_BAD_SSID]) ||
	    PUT(REPLIES_UNKNOWN_SEQ, st->bad[TWAMP_BAD_UNKNOWN_SEQ]) ||
	    PUT(REPLIES_LATE, st->bad[TWAMP_BAD_LATE]) ||
	    PUT(REPLIES_FOREIGN, st->bad[TWAMP_BAD_FOREIGN]))
		return -EMSGSIZE;
	/* what the short ones lacked: the shortest against the header */
	if (st->bad[TWAMP_BAD_SHORT] &&
	    (nla_put_u32(msg, TWAMP_A_STATS_REPLIES_SHORT_MIN, st->short_min) ||
	     nla_put_u32(msg, TWAMP_A_STATS_REPLY_HEADER_SIZE,
			 twamp_sender_reply_len(s))))
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
	    twamp_nl_put_stats(msg, s, snap))
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
	       nla_total_size(sizeof(u16)) +		/* REFLECTOR_ERR */
	       2 * nla_total_size(sizeof(u8)) +		/* ICMP type, code */
	       nla_total_size(sizeof(u32)) +		/* ICMP_INFO */
	       nla_total_size(sizeof(struct in6_addr));	/* ICMP_FROM */
}

/**
 * twamp_results_packet() - multicast one per-packet record
 * @s: the sender
 * @res: the record
 *
 * Return: 0, or -ENOBUFS when a listener missed it.
 */
int twamp_results_packet(struct twamp_sender *s,
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
	if ((res->flags & TWAMP_RESULT_ICMP_ERROR) &&
	    (nla_put_u8(msg, TWAMP_A_RESULT_ICMP_TYPE, res->icmp_type) ||
	     nla_put_u8(msg, TWAMP_A_RESULT_ICMP_CODE, res->icmp_code) ||
	     (res->icmp_info &&
	      nla_put_u32(msg, TWAMP_A_RESULT_ICMP_INFO, res->icmp_info)) ||
	     (s->family == AF_INET ?
	      nla_put_in_addr(msg, TWAMP_A_RESULT_ICMP_FROM_IPV4,
			      res->icmp_from4) :
	      nla_put_in6_addr(msg, TWAMP_A_RESULT_ICMP_FROM_IPV6,
			       &res->icmp_from6))))
		goto err_free;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return twamp_nl_multicast(s, msg);

err_free:
	nlmsg_free(msg);
	return -ENOBUFS;
}

/**
 * twamp_results_done() - multicast that a sender finished, with stats
 * @s: the sender
 * @snap: its final statistics
 *
 * Return: 0 or a negative errno.
 */
int twamp_results_done(struct twamp_sender *s,
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
