// SPDX-License-Identifier: GPL-2.0
/*
 * The Session-Sender's transmit path: test packets sent from an hrtimer
 * at absolute deadlines (periodic or Poisson), T1 taken as the last thing
 * before IP output, and packets given up on after WAIT, all in softirq.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/log2.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>

#include "clock.h"
#include "compat.h"
#include "crypto.h"
#include "results.h"
#include "sender.h"
#include "twamp.h"
#include "xmit.h"

/*
 * -log2(u / 2^32) in 16.16 fixed point, for u in [1, 2^32 - 1]: the integer
 * part from the highest set bit, the fraction by repeated squaring.
 */
static u64 twamp_neg_log2_q16(u32 u)
{
	unsigned int l = ilog2(u), i;
	u64 m = (u64)u << (31 - l), frac = 0;	/* m / 2^31 in [1, 2) */

	for (i = 0; i < 16; i++) {
		m = (m * m) >> 31;
		frac <<= 1;
		if (m >= (1ULL << 32)) {
			m >>= 1;
			frac |= 1;
		}
	}
	/* log2(u) = l + frac / 2^16, so -log2(u / 2^32) = 32 - that. */
	return ((u64)(32 - l) << 16) - frac;
}

/* The gap to the next packet: fixed, or exponential (RFC 2330 Poisson). */
static u64 twamp_sender_gap(struct twamp_sender *s)
{
	u32 u;

	if (s->schedule != TWAMP_SCHEDULE_POISSON)
		return s->interval;
	do {
		u = prandom_u32_state(&s->rnd);
	} while (!u);
	/* -ln(U) / lambda = -log2(U) * ln(2) * mean; ln(2) ~ 45426 / 2^16 */
	return mul_u64_u32_shr(s->interval,
			       (u32)min_t(u64, (twamp_neg_log2_q16(u) * 45426) >> 16,
					  U32_MAX), 16);
}

static int twamp_sender_route4(struct twamp_sender *s, struct rtable **rtp,
			       __be32 *saddr)
{
	struct flowi4 fl4 = {
		.daddr		= s->remote4,
		.saddr		= s->has_local ? s->local4 : 0,
		.flowi4_oif	= s->ifindex,
		.flowi4_tos	= RT_TOS(s->dscp << 2),
		.flowi4_proto	= IPPROTO_UDP,
		.fl4_sport	= s->local_port,
		.fl4_dport	= s->remote_port,
	};
	struct rtable *rt;

	rt = dst_cache_get_ip4(&s->dst_cache, saddr);
	if (rt) {
		*rtp = rt;
		return 0;
	}
	rt = ip_route_output_flow(sock_net(s->sock->sk), &fl4, s->sock->sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_type != RTN_UNICAST && rt->rt_type != RTN_LOCAL) {
		ip_rt_put(rt);
		return -EHOSTUNREACH;	/* a broadcast address */
	}
	dst_cache_set_ip4(&s->dst_cache, &rt->dst, fl4.saddr);
	*saddr = fl4.saddr;
	*rtp = rt;
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static int twamp_sender_route6(struct twamp_sender *s,
			       struct dst_entry **dstp, struct in6_addr *saddr)
{
	struct flowi6 fl6 = {
		.daddr		= s->remote6,
		.flowi6_oif	= s->ifindex,
		.flowi6_proto	= IPPROTO_UDP,
		.fl6_sport	= s->local_port,
		.fl6_dport	= s->remote_port,
	};
	struct dst_entry *dst;

	if (s->has_local)
		fl6.saddr = s->local6;
	dst = dst_cache_get_ip6(&s->dst_cache, saddr);
	if (dst) {
		*dstp = dst;
		return 0;
	}
	dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(s->sock->sk),
					      s->sock->sk, &fl6, NULL);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	dst_cache_set_ip6(&s->dst_cache, dst, &fl6.saddr);
	*saddr = fl6.saddr;
	*dstp = dst;
	return 0;
}
#endif

/* The route, then the headers: the packet is ready for T1. */
static int twamp_sender_prepare4(struct twamp_sender *s, struct sk_buff *skb,
				 struct twamp_xmit *x)
{
	struct rtable *rt;
	__be32 saddr;
	int err;

	err = twamp_sender_route4(s, &rt, &saddr);
	if (err)
		return err;
	twamp_xmit_prepare4(x, s->sock->sk, skb, rt, saddr, s->remote4,
			    s->dscp << 2, s->ttl, s->local_port, s->remote_port);
	return 0;
}

static int twamp_sender_prepare6(struct twamp_sender *s, struct sk_buff *skb,
				 struct twamp_xmit *x)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct dst_entry *dst;
	struct in6_addr saddr;
	int err;

	err = twamp_sender_route6(s, &dst, &saddr);
	if (err)
		return err;
	twamp_xmit_prepare6(x, s->sock->sk, skb, dst, &saddr, &s->remote6,
			    s->dscp << 2, s->ttl, s->local_port, s->remote_port);
	return 0;
#else
	return -EAFNOSUPPORT;
#endif
}

/* Caller holds s->lock; the slot's packet got no reply in time. */
static void twamp_sender_lost(struct twamp_sender *s, struct twamp_slot *slot)
{
	struct twamp_result res = {
		.sender_id	= s->id,
		.seq		= slot->seq,
		.t1		= ns_to_ktime(slot->t1),
		.flags		= TWAMP_RESULT_LOST,
	};

	slot->lost = true;
	s->st.lost++;
	if (twamp_results_packet(s, &res) == -ENOBUFS)
		s->st.results_dropped++;
}

/*
 * RFC 6673: a packet is lost when no reply came within WAIT of sending
 * it. Walks from the oldest unresolved packet while WAIT is over.
 */
static void twamp_sender_expire(struct twamp_sender *s, u64 now)
{
	struct twamp_slot *slot;

	/* Older packets had their slot reused: already counted lost. */
	if ((u32)s->st.sent - s->expire_seq > s->n_slots)
		s->expire_seq = (u32)s->st.sent - s->n_slots;
	while (s->expire_seq != (u32)s->st.sent) {
		slot = &s->slots[s->expire_seq & (s->n_slots - 1)];
		if (slot->seq == s->expire_seq && !slot->received &&
		    !slot->lost) {
			if (slot->t1 + s->wait > now)
				break;
			twamp_sender_lost(s, slot);
		}
		s->expire_seq++;
	}
}

/*
 * Send the next packet. Caller holds s->lock, which is dropped around the
 * output; the slot is filled before, so a reply racing on another CPU
 * finds it.
 */
static void twamp_sender_xmit(struct twamp_sender *s)
{
	unsigned int len = twamp_sender_len(s);
	struct twamp_slot *slot;
	unsigned int ts_off = offsetof(struct twamp_test_sender, ts);
	struct twamp_xmit x;
	struct sk_buff *skb;
	u32 seq = s->st.sent;
	ktime_t t1;
	u16 ee;
	u8 *p;
	int err;

	/*
	 * A slot is reused after n_slots packets, normally long after its
	 * packet's WAIT; if a burst of short Poisson gaps got here first, the
	 * old packet is given up on now.
	 */
	twamp_sender_expire(s, ktime_get_real_ns());
	/* Half the table waiting for replies: grow it before it runs out. */
	if (s->n_slots < s->max_slots && !s->grow_pending &&
	    (u32)s->st.sent - s->expire_seq >= s->n_slots / 2) {
		s->grow_pending = true;
		queue_work(system_unbound_wq, &s->grow_work);
	}
	slot = &s->slots[seq & (s->n_slots - 1)];
	if (slot->t1 && !slot->received && !slot->lost)
		twamp_sender_lost(s, slot);
	s->st.sent++;

	skb = alloc_skb(LL_MAX_HEADER + sizeof(struct ipv6hdr) +
			sizeof(struct udphdr) + len, GFP_ATOMIC);
	if (!skb) {
		/* never sent, so never lost: a skipped deadline */
		s->st.sent--;
		s->st.skipped++;
		return;
	}
	skb_reserve(skb, LL_MAX_HEADER + sizeof(struct ipv6hdr) +
		    sizeof(struct udphdr));
	p = skb_put_zero(skb, len);
	put_unaligned_be32(seq, p);
	ee = READ_ONCE(s->tn->error_estimate);
	if (s->ts_format == TWAMP_TS_PTP)
		ee |= TWAMP_EE_Z;
	if (s->crypto) {
		ts_off = offsetof(struct twamp_test_sender_auth, ts);
		put_unaligned_be16(ee, p + offsetof(struct twamp_test_sender_auth,
						    error_estimate));
	} else {
		put_unaligned_be16(ee, p + offsetof(struct twamp_test_sender,
						    error_estimate));
	}
	if (s->format == TWAMP_FORMAT_STAMP)
		put_unaligned_be16(s->ssid, p + offsetof(struct stamp_test_sender,
							 ssid));

	if (s->family == AF_INET)
		err = twamp_sender_prepare4(s, skb, &x);
	else
		err = twamp_sender_prepare6(s, skb, &x);
	if (err)
		goto err_route;

	/* T1, and again by twamp_xmit() right before the link layer */
	t1 = ktime_get_real();
	twamp_put_timestamp(p + ts_off, t1, s->ts_format);
	if (s->crypto && twamp_crypto_seal(s->crypto, p, false))
		goto err_route;
	*slot = (struct twamp_slot){ .t1 = ktime_to_ns(t1), .seq = seq };
	s->xmit_t1 = slot->t1;
	if (!s->crypto) {
		x.ts = p + ts_off;
		x.ts_format = s->ts_format;
		x.t_ns = &s->xmit_t1;
	}
	spin_unlock(&s->lock);
	twamp_xmit(&x);
	spin_lock(&s->lock);
	/* the T1 output wrote, into the table as it is now */
	slot = &s->slots[seq & (s->n_slots - 1)];
	if (slot->seq == seq && slot->t1)
		slot->t1 = s->xmit_t1;
	return;

err_route:
	/* No route: the packet counts as sent and, without reply, lost. */
	*slot = (struct twamp_slot){ .t1 = ktime_get_real_ns(), .seq = seq };
	kfree_skb(skb);
}

/**
 * twamp_sender_drain() - wait for late replies until WAIT after the last
 * @s: the sender; caller holds s->lock
 * @now: CLOCK_MONOTONIC
 */
void twamp_sender_drain(struct twamp_sender *s, ktime_t now)
{
	s->state = TWAMP_SENDER_DRAINING;
	s->drain_end = ktime_add_ns(now, s->wait);
	hrtimer_set_expires(&s->timer, s->drain_end);
}

/*
 * The snapshot is the sender's own, allocated at creation: it is over a
 * kilobyte, too much for a softirq's stack on 32-bit, and the timer must
 * not fail to say that the sender is done. Caller holds s->lock.
 */
static void twamp_sender_finish(struct twamp_sender *s)
{
	struct twamp_stats_snapshot *snap = s->done_snap;
	u32 i;

	for (i = 0; i < s->n_slots; i++)
		if (s->slots[i].t1 && !s->slots[i].received &&
		    !s->slots[i].lost)
			twamp_sender_lost(s, &s->slots[i]);
	s->state = TWAMP_SENDER_DONE;
	twamp_sender_snapshot(s, snap);
	twamp_results_done(s, snap);
}

/* Every deadline of the schedule has passed: COUNT of them, or DURATION. */
static bool twamp_sender_last(const struct twamp_sender *s)
{
	return (s->count && s->st.sent + s->st.skipped >= s->count) ||
	       (s->end && ktime_after(s->next, s->end));
}

/* A send at the deadline s->next, made at @now: how late. */
static void twamp_sender_late(struct twamp_sender *s, ktime_t now)
{
	u64 late = max_t(s64, ktime_to_ns(ktime_sub(now, s->next)), 0);

	s->st.late_max = max(s->st.late_max, late);
	if (late * 10 > s->interval)
		s->st.late_sends++;
}

/*
 * Skip the deadlines up to @now: they send nothing and take no sequence
 * number, and count in st.skipped. A periodic schedule skips them all at
 * once; a Poisson one draws at most TWAMP_SENDER_SKIP_DRAWS gaps per
 * expiry, so that even a schedule hours behind costs a bounded time in
 * one softirq pass.
 *
 * Return: true when the next deadline is after @now (or none is left).
 */
static bool twamp_sender_skip(struct twamp_sender *s, ktime_t now)
{
	unsigned int i;
	u64 n;

	if (s->schedule != TWAMP_SCHEDULE_POISSON) {
		n = div64_u64(ktime_to_ns(ktime_sub(now, s->next)),
			      s->interval) + 1;
		if (s->count)
			n = min(n, s->count - s->st.sent - s->st.skipped);
		if (s->end)
			n = min(n, div64_u64(ktime_to_ns(ktime_sub(s->end, s->next)),
					     s->interval) + 1);
		s->st.skipped += n;
		s->next = ktime_add_ns(s->next, n * s->interval);
		return true;
	}
	for (i = 0; i < TWAMP_SENDER_SKIP_DRAWS; i++) {
		s->st.skipped++;
		s->next = ktime_add_ns(s->next, twamp_sender_gap(s));
		if (ktime_after(s->next, now) || twamp_sender_last(s))
			return true;
	}
	return false;
}

/*
 * One expiry sends what is due, but never more than TWAMP_SENDER_BURST
 * packets: a timer that fell behind (a loaded CPU, an interval shorter
 * than a send takes) catches up on a few deadlines back to back and skips
 * the rest. It is then re-armed after the @now it read, which is no
 * earlier than the hrtimer base's, so it never runs twice in one softirq
 * pass: the work of a pass is bounded whatever the configuration.
 *
 * Caller holds s->lock. Return: false when the sender was stopped while
 * the lock was dropped.
 */
static bool twamp_sender_run(struct twamp_sender *s, ktime_t now)
{
	unsigned int burst;

	for (burst = 0; !s->skipping && burst < TWAMP_SENDER_BURST; burst++) {
		twamp_sender_late(s, now);
		twamp_sender_xmit(s);
		if (s->state != TWAMP_SENDER_RUNNING)
			return false;
		s->next = ktime_add_ns(s->next, twamp_sender_gap(s));
		if (twamp_sender_last(s)) {
			twamp_sender_drain(s, ktime_get());
			return true;
		}
		if (ktime_after(s->next, now)) {
			hrtimer_set_expires(&s->timer, s->next);
			return true;
		}
	}
	s->skipping = !twamp_sender_skip(s, now);
	if (twamp_sender_last(s))
		twamp_sender_drain(s, ktime_get());
	else if (s->skipping)
		/* still behind: skip more at the next pass */
		hrtimer_set_expires(&s->timer, ktime_add_ns(now, 1));
	else
		hrtimer_set_expires(&s->timer, s->next);
	return true;
}

/**
 * twamp_sender_timer() - the sender's hrtimer, in softirq
 * @timer: the sender's timer
 *
 * Return: HRTIMER_RESTART while there is something left to send or wait for.
 */
enum hrtimer_restart twamp_sender_timer(struct hrtimer *timer)
{
	struct twamp_sender *s = container_of(timer, struct twamp_sender, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	ktime_t now = ktime_get();

	spin_lock(&s->lock);
	switch (s->state) {
	case TWAMP_SENDER_RUNNING:
		if (twamp_sender_run(s, now))
			ret = HRTIMER_RESTART;
		break;
	case TWAMP_SENDER_DRAINING:
		if (ktime_before(now, s->drain_end)) {
			hrtimer_set_expires(timer, s->drain_end);
			ret = HRTIMER_RESTART;
		} else {
			twamp_sender_finish(s);
		}
		break;
	}
	spin_unlock(&s->lock);
	return ret;
}
