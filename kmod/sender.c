// SPDX-License-Identifier: GPL-2.0
/*
 * The Session-Sender: test packets sent from an hrtimer at absolute
 * deadlines, T1 taken as the last thing before IP output, replies taken
 * back through the socket's encapsulation hook with T4 from their receive
 * timestamp, all in softirq.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include <linux/twamp_packet.h>

#include "compat.h"
#include "results.h"
#include "twamp.h"

static enum hrtimer_restart twamp_sender_timer(struct hrtimer *timer);

/*
 * Enlarge the slot table four times (up to max_slots), in process context
 * and charged to the creator's memory cgroup. The table is only used under
 * s->lock: the packet being output writes its T1 to s->xmit_t1, not into
 * the table, so the old one can go as soon as it is replaced.
 */
static void twamp_sender_grow_work(struct work_struct *work)
{
	struct twamp_sender *s = container_of(work, struct twamp_sender,
					      grow_work);
	struct twamp_slot *slots, *old;
	struct mem_cgroup *memcg;
	u32 n, i;

	spin_lock_bh(&s->lock);
	n = min(s->n_slots * 4, s->max_slots);
	spin_unlock_bh(&s->lock);

	memcg = set_active_memcg(s->memcg);
	slots = kvcalloc(n, sizeof(*slots), GFP_KERNEL_ACCOUNT);
	set_active_memcg(memcg);

	spin_lock_bh(&s->lock);
	old = slots;
	if (slots && n > s->n_slots) {
		/*
		 * The old table holds the last n_slots sequence numbers at
		 * most, distinct modulo the larger size too.
		 */
		for (i = 0; i < s->n_slots; i++)
			if (s->slots[i].t1)
				slots[s->slots[i].seq & (n - 1)] = s->slots[i];
		old = s->slots;
		s->slots = slots;
		s->n_slots = n;
	}
	/* on failure, the next packet past half the table tries again */
	s->grow_pending = false;
	spin_unlock_bh(&s->lock);
	kvfree(old);
}

/**
 * twamp_sender_alloc() - allocate a sender with its defaults
 *
 * Return: the sender or NULL.
 */
struct twamp_sender *twamp_sender_alloc(void)
{
	struct twamp_sender *s;

	/*
	 * Everything a sender holds is charged to the memory cgroup of the
	 * process that creates it, so a container's senders count against
	 * its own memory.max.
	 */
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return NULL;
	s->hist = kvcalloc(TWAMP_HIST_BUCKETS, sizeof(*s->hist),
			   GFP_KERNEL_ACCOUNT);
	s->done_snap = kmalloc(sizeof(*s->done_snap), GFP_KERNEL_ACCOUNT);
	if (!s->hist || !s->done_snap ||
	    dst_cache_init(&s->dst_cache, GFP_KERNEL_ACCOUNT)) {
		kfree(s->done_snap);
		kvfree(s->hist);
		kfree(s);
		return NULL;
	}
	spin_lock_init(&s->lock);
	twamp_hrtimer_setup(&s->timer, twamp_sender_timer, CLOCK_MONOTONIC,
			    HRTIMER_MODE_ABS_SOFT);
	INIT_WORK(&s->grow_work, twamp_sender_grow_work);
	s->remote_port = htons(TWAMP_DEFAULT_PORT);
	s->format = TWAMP_FORMAT_LIGHT;
	s->ts_format = TWAMP_TS_NTP;
	s->ttl = 255;
	s->padding = U32_MAX;		/* the format's default, see create */
	s->interval = NSEC_PER_SEC;
	s->wait = NSEC_PER_SEC;
	s->state = TWAMP_SENDER_IDLE;
	return s;
}

/**
 * twamp_sender_free() - free a sender without socket or timer
 * @s: the sender
 */
void twamp_sender_free(struct twamp_sender *s)
{
	twamp_crypto_free(s->crypto);
	dst_cache_destroy(&s->dst_cache);
	kvfree(s->slots);
	kvfree(s->hist);
	kfree(s->done_snap);
	mem_cgroup_put(s->memcg);
	kfree(s);
}

static void twamp_sender_free_rcu(struct rcu_head *head)
{
	twamp_sender_free(container_of(head, struct twamp_sender, rcu));
}

static unsigned int twamp_sender_header_len(const struct twamp_sender *s)
{
	if (s->crypto)
		return TWAMP_SENDER_AUTH_SIZE;
	return s->format == TWAMP_FORMAT_STAMP ? STAMP_BASE_SIZE :
						 TWAMP_SENDER_SIZE;
}

static unsigned int twamp_sender_len(const struct twamp_sender *s)
{
	return twamp_sender_header_len(s) + s->padding;
}

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

/* Everything sent: wait for late replies until WAIT after the last. */
static void twamp_sender_drain(struct twamp_sender *s, ktime_t now)
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

static enum hrtimer_restart twamp_sender_timer(struct hrtimer *timer)
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

/*
 * The reply of an authenticated or encrypted session, decrypted into a
 * copy on the stack: the skb may be shared with a packet capture.
 */
static bool twamp_sender_parse_auth(struct twamp_sender *s,
				    struct sk_buff *skb,
				    struct twamp_result *res, bool *auth_failed)
{
	struct twamp_test_reflector_auth refl;
	u8 fmt;

	if (res->size < TWAMP_REFLECTOR_AUTH_SIZE ||
	    skb_copy_bits(skb, sizeof(struct udphdr), &refl, sizeof(refl)))
		return false;
	if (!twamp_crypto_open(s->crypto, (u8 *)&refl, true)) {
		*auth_failed = true;
		memzero_explicit(&refl, sizeof(refl));
		return false;
	}
	res->refl_seq = be32_to_cpu(refl.seq);
	res->refl_err = be16_to_cpu(refl.error_estimate);
	fmt = res->refl_err & TWAMP_EE_Z ? TWAMP_TS_PTP : TWAMP_TS_NTP;
	res->t3 = twamp_get_timestamp(&refl.ts, fmt);
	res->t2 = twamp_get_timestamp(&refl.rx_ts, fmt);
	res->seq = be32_to_cpu(refl.sender_seq);
	res->sender_ttl = refl.sender_ttl;
	memzero_explicit(&refl, sizeof(refl));
	return res->refl_err & TWAMP_EE_MULT_MASK;
}

/* Reflected packet fields the sender needs. */
static bool twamp_sender_parse(struct twamp_sender *s, struct sk_buff *skb,
			       struct twamp_result *res, bool *auth_failed)
{
	unsigned int base = s->format == TWAMP_FORMAT_STAMP ? STAMP_BASE_SIZE :
							      TWAMP_REFLECTOR_SIZE;
	const struct twamp_test_reflector *refl;
	const struct udphdr *uh = udp_hdr(skb);
	u8 fmt;

	if (uh->source != s->remote_port)
		return false;
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		if (s->family != AF_INET || iph->saddr != s->remote4)
			return false;
		res->refl_ttl = iph->ttl;
		res->dscp = ipv4_get_dsfield(iph) >> 2;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (s->family != AF_INET6 ||
		    !ipv6_addr_equal(&ip6h->saddr, &s->remote6))
			return false;
		res->refl_ttl = ip6h->hop_limit;
		res->dscp = ipv6_get_dsfield(ip6h) >> 2;
	}

	res->size = skb->len - sizeof(struct udphdr);
	if (s->crypto)
		return twamp_sender_parse_auth(s, skb, res, auth_failed);
	if (res->size < base ||
	    !pskb_may_pull(skb, sizeof(struct udphdr) + TWAMP_REFLECTOR_SIZE))
		return false;
	refl = (const struct twamp_test_reflector *)(skb->data +
						       sizeof(struct udphdr));
	res->refl_seq = get_unaligned_be32(&refl->seq);
	res->refl_err = get_unaligned_be16(&refl->error_estimate);
	if (!(res->refl_err & TWAMP_EE_MULT_MASK))
		return false;		/* corrupt, RFC 4656 4.1.2 */
	fmt = res->refl_err & TWAMP_EE_Z ? TWAMP_TS_PTP : TWAMP_TS_NTP;
	res->t3 = twamp_get_timestamp(&refl->ts, fmt);
	res->t2 = twamp_get_timestamp(&refl->rx_ts, fmt);
	res->seq = get_unaligned_be32(&refl->sender_seq);
	res->sender_ttl = refl->sender_ttl;
	return true;
}

/**
 * twamp_sender_rcv() - UDP encapsulation receive hook of a sender
 * @sk: the sender's socket
 * @skb: a datagram, data at the UDP header
 *
 * Runs in softirq under RCU. Matches a reply to its packet by Sender
 * Sequence Number and accounts for it.
 *
 * Return: 0, the skb is consumed.
 */
static int twamp_sender_rcv(struct sock *sk, struct sk_buff *skb)
{
	ktime_t t4 = twamp_rx_time(skb);
	struct twamp_sender *s = rcu_dereference_sk_user_data(sk);
	struct twamp_result res = { .t4 = t4 };
	bool synced, auth_failed = false;
	struct twamp_slot *slot;

	if (!s)
		goto out;
	if (!twamp_sender_parse(s, skb, &res, &auth_failed)) {
		if (auth_failed) {
			spin_lock(&s->lock);
			s->st.auth_failed++;
			spin_unlock(&s->lock);
		}
		goto out;
	}
	res.sender_id = s->id;
	synced = READ_ONCE(s->tn->clock_synced) && (res.refl_err & TWAMP_EE_S);
	if (synced)
		res.flags |= TWAMP_RESULT_SYNCED;

	spin_lock(&s->lock);
	slot = &s->slots[res.seq & (s->n_slots - 1)];
	/*
	 * Never sent, or after its WAIT (then it was or will be counted
	 * lost), or after the end: not a reply.
	 */
	if (!slot->t1 || slot->seq != res.seq || slot->lost ||
	    ktime_to_ns(t4) - slot->t1 > s->wait ||
	    s->state == TWAMP_SENDER_DONE)
		goto unlock;
	res.t1 = ns_to_ktime(slot->t1);
	if (slot->received) {
		s->st.duplicates++;
		res.flags |= TWAMP_RESULT_DUPLICATE;
	} else {
		slot->received = true;
		slot->rtt = ktime_to_ns(ktime_sub(ktime_sub(res.t4, res.t1),
						  ktime_sub(res.t3, res.t2)));
		twamp_stats_reply(s, slot, &res, synced);
	}
	if (twamp_results_packet(s, &res) == -ENOBUFS)
		s->st.results_dropped++;
unlock:
	spin_unlock(&s->lock);
out:
	consume_skb(skb);
	return 0;
}

/*
 * How many packets the schedule can send in @span ns, deadlines at both
 * ends included; Poisson gaps are often shorter than their mean, so four
 * times as many.
 */
static u64 twamp_sender_packets_in(const struct twamp_sender *s, u64 span)
{
	u64 n = div64_u64(span, s->interval) + 2;

	if (s->schedule == TWAMP_SCHEDULE_POISSON)
		n = n * 4 + 16;
	return n;
}

/*
 * A start time is CLOCK_REALTIME: refused beyond TWAMP_SENDER_MAX_AHEAD,
 * which keeps every deadline and sum derived from it far from overflow
 * (and a u64 past S64_MAX from reading as a time in the past).
 */
static int twamp_sender_check_start(const struct twamp_sender *s,
				    struct netlink_ext_ack *extack)
{
	u64 now = ktime_get_real_ns();

	if (s->start_time > now &&
	    s->start_time - now > TWAMP_SENDER_MAX_AHEAD) {
		NL_SET_ERR_MSG(extack,
			       "start time more than 366 days ahead of CLOCK_REALTIME (a fixed limit)");
		return -ERANGE;
	}
	return 0;
}

/**
 * twamp_sender_create() - open the socket and publish a configured sender
 * @tn: namespace state; caller holds @tn->lock
 * @s: the sender
 * @extack: for the reason of a failure
 *
 * Return: 0 or a negative errno.
 */
int twamp_sender_create(struct twamp_net *tn, struct twamp_sender *s,
			struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= s,
		.encap_type	= 1,
		.encap_rcv	= twamp_sender_rcv,
	};
	struct udp_port_cfg cfg = {
		.family		= s->family,
		.local_udp_port	= s->local_port,
		.bind_ifindex	= s->ifindex,
		.ipv6_v6only	= 1,
		/* UDP over IPv6 needs a checksum (RFC 8200 8.1) */
		.use_udp6_rx_checksums = 1,
		.use_udp6_tx_checksums = 1,
	};
	u64 window;
	int err;

	lockdep_assert_held(&tn->lock);

	/*
	 * An authenticated or encrypted request is padded by default to the
	 * length of the 112-octet reply header, so both directions carry
	 * the same size (3.4).
	 */
	if (s->padding == U32_MAX && s->crypto)
		s->padding = TWAMP_REFLECTOR_AUTH_SIZE - TWAMP_SENDER_AUTH_SIZE;
	else if (s->padding == U32_MAX)
		s->padding = s->format == TWAMP_FORMAT_STAMP ? 0 :
			     STAMP_BASE_SIZE - TWAMP_SENDER_SIZE;
	if (twamp_sender_len(s) > TWAMP_MAX_PAYLOAD) {
		NL_SET_ERR_MSG(extack, "packet larger than 9000 octets");
		return -EINVAL;
	}
	err = twamp_sender_check_start(s, extack);
	if (err)
		return err;

	/*
	 * At most enough slots for every packet that can be within its WAIT,
	 * and no more than the whole test can send: COUNT packets, or those
	 * of DURATION. It starts smaller and grows when replies are slow to
	 * come (twamp_sender_grow_work()), charged to the creator's memory
	 * cgroup.
	 */
	window = twamp_sender_packets_in(s, s->wait);
	if (s->count)
		window = min_t(u64, window, s->count);
	if (s->duration)
		window = min(window, twamp_sender_packets_in(s, s->duration));
	s->max_slots = min_t(u64, roundup_pow_of_two(window),
			     TWAMP_SENDER_MAX_SLOTS);
	s->n_slots = min_t(u32, s->max_slots, TWAMP_SENDER_INIT_SLOTS);
	s->slots = kvcalloc(s->n_slots, sizeof(*s->slots), GFP_KERNEL_ACCOUNT);
	s->memcg = get_mem_cgroup_from_mm(current->mm);
	if (!s->slots)
		return -ENOMEM;
	prandom_seed_state(&s->rnd, s->seed);

	if (s->has_local) {
		if (s->family == AF_INET)
			cfg.local_ip.s_addr = s->local4;
		else
			cfg.local_ip6 = s->local6;
	}
	err = udp_sock_create(tn->net, &cfg, &s->sock);
	if (err) {
		if (err == -EADDRINUSE)
			NL_SET_ERR_MSG(extack, "local address and port already in use");
		else
			NL_SET_ERR_MSG(extack, "cannot open the sender socket");
		return err;
	}
	s->sock->sk->sk_rcvbuf = SOCK_MIN_RCVBUF;
	s->local_port = inet_sk(s->sock->sk)->inet_sport;

	s->tn = tn;
	err = xa_alloc_cyclic(&tn->senders, &s->id, s, xa_limit_32b,
			      &tn->next_sender_id, GFP_KERNEL);
	if (err < 0) {
		udp_tunnel_sock_release(s->sock);
		s->sock = NULL;
		NL_SET_ERR_MSG(extack, "no sender ID available");
		return err;
	}
	setup_udp_tunnel_sock(tn->net, s->sock, &tcfg);
	tn->gen++;
	return 0;
}

/**
 * twamp_sender_start() - start sending
 * @s: an idle sender; caller holds its namespace's lock
 * @extack: for the reason of a failure
 *
 * Return: 0, or -EBUSY when the sender is not idle.
 */
int twamp_sender_start(struct twamp_sender *s, struct netlink_ext_ack *extack)
{
	ktime_t now = ktime_get(), start = now, end = 0;
	u64 real;
	int err;

	/* The clock may have been set back since NEW. */
	err = twamp_sender_check_start(s, extack);
	if (err)
		return err;
	/* A start time in the past starts now: nothing to catch up on. */
	real = ktime_get_real_ns();
	if (s->start_time > real)
		start = ktime_add_ns(now, s->start_time - real);
	if (s->duration)
		end = ktime_add_safe(start, min_t(u64, s->duration, KTIME_MAX));

	spin_lock_bh(&s->lock);
	if (s->state != TWAMP_SENDER_IDLE) {
		spin_unlock_bh(&s->lock);
		NL_SET_ERR_MSG(extack, "the sender has already been started");
		return -EBUSY;
	}
	s->state = TWAMP_SENDER_RUNNING;
	s->next = start;
	s->end = end;
	s->skipping = false;
	spin_unlock_bh(&s->lock);

	hrtimer_start(&s->timer, start, HRTIMER_MODE_ABS_SOFT);
	return 0;
}

/**
 * twamp_sender_stop() - stop sending and wait for late replies
 * @s: the sender; caller holds its namespace's lock
 * @extack: for the reason of a failure
 *
 * Return: 0, or -EINVAL when the sender is not running.
 */
int twamp_sender_stop(struct twamp_sender *s, struct netlink_ext_ack *extack)
{
	spin_lock_bh(&s->lock);
	if (s->state != TWAMP_SENDER_RUNNING) {
		spin_unlock_bh(&s->lock);
		NL_SET_ERR_MSG(extack, "the sender is not running");
		return -EINVAL;
	}
	twamp_sender_drain(s, ktime_get());
	spin_unlock_bh(&s->lock);

	/* Restart the timer at the end of the drain, wherever it was. */
	hrtimer_cancel(&s->timer);
	hrtimer_start(&s->timer, s->drain_end, HRTIMER_MODE_ABS_SOFT);
	return 0;
}

/**
 * twamp_sender_del() - stop and unpublish a sender, free it after RCU
 * @s: the sender; caller holds its namespace's lock
 */
void twamp_sender_del(struct twamp_sender *s)
{
	lockdep_assert_held(&s->tn->lock);

	xa_erase(&s->tn->senders, s->id);
	s->tn->gen++;
	hrtimer_cancel(&s->timer);
	cancel_work_sync(&s->grow_work);
	udp_tunnel_sock_release(s->sock);
	call_rcu(&s->rcu, twamp_sender_free_rcu);
}

/**
 * twamp_senders_flush() - delete every sender of a namespace
 * @tn: namespace state; caller holds @tn->lock
 */
void twamp_senders_flush(struct twamp_net *tn)
{
	struct twamp_sender *s;
	unsigned long id;

	xa_for_each(&tn->senders, id, s)
		twamp_sender_del(s);
}

/**
 * twamp_senders_unbind() - delete the senders a netlink socket owned
 * @tn: namespace state; caller holds @tn->lock
 * @portid: the socket that closed
 */
void twamp_senders_unbind(struct twamp_net *tn, u32 portid)
{
	struct twamp_sender *s;
	unsigned long id;

	xa_for_each(&tn->senders, id, s)
		if (s->bind_portid == portid)
			twamp_sender_del(s);
}
