// SPDX-License-Identifier: GPL-2.0
/*
 * The reflector's data path, in softirq: a test packet arrives through the
 * UDP encapsulation hook, is rewritten in place into the reply and sent
 * back, without ever reaching a socket queue.
 *
 * T2 comes from the packet's receive timestamp; T3 is taken as the last
 * thing before the reply goes to the link layer (xmit.c). The reply is as
 * long as the request, or the format's base size when the request was
 * shorter.
 */

#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>

#include <linux/twamp_packet.h>

#include "clock.h"
#include "compat.h"
#include "crypto.h"
#include "limits.h"
#include "reflector.h"
#include "session.h"
#include "stats.h"
#include "twamp.h"
#include "xmit.h"

/* Where the packet came from and how, read before the skb is rewritten. */
struct twamp_rx {
	sa_family_t family;
	union {
		struct { __be32 saddr, daddr; } v4;
		struct { struct in6_addr saddr, daddr; } v6;
	};
	__be16 sport;
	__be16 dport;
	u8 ttl;
	u8 dsfield;
	int iif;
};

static bool twamp_rx_parse(struct sk_buff *skb, struct twamp_rx *rx)
{
	const struct udphdr *uh = udp_hdr(skb);

	rx->sport = uh->source;
	rx->dport = uh->dest;
	rx->iif = skb->skb_iif;

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		rx->family = AF_INET;
		rx->v4.saddr = iph->saddr;
		rx->v4.daddr = iph->daddr;
		rx->ttl = iph->ttl;
		rx->dsfield = ipv4_get_dsfield(iph);
		return !(ipv4_is_multicast(iph->saddr) ||
			 ipv4_is_lbcast(iph->saddr) ||
			 ipv4_is_zeronet(iph->saddr));
	}

	if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		rx->family = AF_INET6;
		rx->v6.saddr = ip6h->saddr;
		rx->v6.daddr = ip6h->daddr;
		rx->ttl = ip6h->hop_limit;
		rx->dsfield = ipv6_get_dsfield(ip6h);
		return !(ipv6_addr_is_multicast(&ip6h->saddr) ||
			 ipv6_addr_any(&ip6h->saddr));
	}
	return false;
}

static bool twamp_rx_allowed(const struct twamp_reflector *r,
			     const struct twamp_rx *rx)
{
	unsigned int i;

	for (i = 0; i < r->n_allow; i++) {
		const struct twamp_prefix *p = &r->allow[i];

		if (p->family != rx->family)
			continue;
		if (p->family == AF_INET &&
		    !((rx->v4.saddr ^ p->v4) & inet_make_mask(p->len)))
			return true;
		if (p->family == AF_INET6 &&
		    ipv6_prefix_equal(&rx->v6.saddr, &p->v6, p->len))
			return true;
	}
	return false;
}

/* The reflector's per-source rate limit (limits.c). */
static bool twamp_rx_rate_ok(struct twamp_reflector *r,
			     const struct twamp_rx *rx)
{
	u32 h;

	if (rx->family == AF_INET)
		h = jhash_1word((__force u32)rx->v4.saddr, r->hash_seed);
	else
		h = jhash2((const u32 *)&rx->v6.saddr, 4, r->hash_seed);
	return twamp_rate_ok(r->buckets, r->rate_limit, h);
}

/*
 * RFC 8972 section 4: the reflector returns every TLV, marking those it
 * does not implement with U and a malformed one (running past the end of
 * the packet) with M, after which it stops.
 */
static void twamp_stamp_tlvs(u8 *p, unsigned int len)
{
	while (len >= sizeof(struct stamp_tlv)) {
		struct stamp_tlv *tlv = (struct stamp_tlv *)p;
		unsigned int vlen = get_unaligned_be16(&tlv->length);

		if (vlen > len - sizeof(*tlv)) {
			tlv->flags |= STAMP_TLV_M;
			return;
		}
		if (tlv->type == STAMP_TLV_EXTRA_PADDING)
			tlv->flags &= ~STAMP_TLV_U;
		else
			tlv->flags |= STAMP_TLV_U;
		p += sizeof(*tlv) + vlen;
		len -= sizeof(*tlv) + vlen;
	}
}

/* The reflector's Error Estimate: the namespace's clock, and its Z bit. */
static u16 twamp_reflector_ee(const struct twamp_reflector *r)
{
	u16 ee = READ_ONCE(r->tn->error_estimate);

	if (r->ts_format == TWAMP_TS_PTP)
		ee |= TWAMP_EE_Z;
	return ee;
}

/*
 * The same for an authenticated or encrypted session, whose request was
 * opened in place: the 112-octet header (RFC 5357 4.2.1), then as much of
 * the sender's padding as fits, first octets first (which also returns
 * RFC 6038 reflected octets where they belong). T3 and the HMAC come last,
 * in twamp_reply_finish().
 */
static void twamp_build_reply_auth(const struct twamp_reflector *r,
				   struct twamp_session *s, u8 *pl,
				   unsigned int len, const struct twamp_rx *rx,
				   ktime_t t2)
{
	const struct twamp_test_sender_auth *snd = (const void *)pl;
	struct twamp_test_reflector_auth h = {};

	h.seq = cpu_to_be32(atomic_inc_return(&s->seq) - 1);
	h.error_estimate = cpu_to_be16(twamp_reflector_ee(r));
	twamp_put_timestamp(&h.rx_ts, t2, r->ts_format);
	h.sender_seq = snd->seq;
	h.sender_ts = snd->ts;
	h.sender_error_estimate = snd->error_estimate;
	h.sender_ttl = rx->ttl;

	/* longer than the header only if the request was as long */
	if (len > TWAMP_REFLECTOR_AUTH_SIZE)
		memmove(pl + TWAMP_REFLECTOR_AUTH_SIZE,
			pl + TWAMP_SENDER_AUTH_SIZE,
			len - TWAMP_REFLECTOR_AUTH_SIZE);
	memcpy(pl, &h, sizeof(h));
}

/*
 * Turn the sender packet at @pl (@req_len octets, room for @len) around.
 * With a session, the Sequence Number is the session's own counter (RFC
 * 5357 4.2.1, and a stateful STAMP reflector); without, it is copied.
 */
static void twamp_build_reply(const struct twamp_reflector *r,
			      struct twamp_session *s, u8 *pl,
			      unsigned int req_len, unsigned int len,
			      const struct twamp_rx *rx, ktime_t t2)
{
	struct twamp_test_reflector *refl = (struct twamp_test_reflector *)pl;
	struct twamp_timestamp t1;
	__be16 sender_ee, ssid = 0;
	__be32 seq;
	u16 ee;

	seq = get_unaligned((__be32 *)pl);
	memcpy(&t1, pl + offsetof(struct twamp_test_sender, ts), sizeof(t1));
	sender_ee = get_unaligned((__be16 *)(pl + offsetof(struct twamp_test_sender,
							   error_estimate)));
	if (r->format == TWAMP_FORMAT_STAMP) {
		ssid = get_unaligned((__be16 *)(pl + offsetof(struct stamp_test_sender,
							      ssid)));
		if (len > STAMP_BASE_SIZE)
			twamp_stamp_tlvs(pl + STAMP_BASE_SIZE,
					 len - STAMP_BASE_SIZE);
		/* MBZ up to the TLVs, after the reflector fields */
		memset(pl + TWAMP_REFLECTOR_SIZE, 0,
		       STAMP_BASE_SIZE - TWAMP_REFLECTOR_SIZE);
	}

	/*
	 * RFC 6038 Reflect Octets: the first octets of the sender's padding
	 * come back right after the reflector header.
	 */
	if (s && s->reflect_len && r->format == TWAMP_FORMAT_LIGHT &&
	    len > TWAMP_REFLECTOR_SIZE)
		memmove(pl + TWAMP_REFLECTOR_SIZE, pl + TWAMP_SENDER_SIZE,
			min3((unsigned int)s->reflect_len,
			     req_len - TWAMP_SENDER_SIZE,
			     len - TWAMP_REFLECTOR_SIZE));

	ee = twamp_reflector_ee(r);

	put_unaligned(s ? cpu_to_be32(atomic_inc_return(&s->seq) - 1) : seq,
		      &refl->seq);
	put_unaligned_be16(ee, &refl->error_estimate);
	put_unaligned(ssid, &refl->mbz_ssid);
	twamp_put_timestamp(&refl->rx_ts, t2, r->ts_format);
	put_unaligned(seq, &refl->sender_seq);
	memcpy(&refl->sender_ts, &t1, sizeof(t1));
	put_unaligned(sender_ee, &refl->sender_error_estimate);
	put_unaligned(0, &refl->mbz);
	refl->sender_ttl = rx->ttl;
}

static void twamp_rx_key(const struct twamp_reflector *r,
			 const struct twamp_rx *rx, const u8 *pl,
			 unsigned int len, struct twamp_session_key *key)
{
	*key = (struct twamp_session_key){
		.family	= rx->family,
		.port	= rx->sport,
	};
	if (rx->family == AF_INET)
		key->v4 = rx->v4.saddr;
	else
		key->v6 = rx->v6.saddr;
	if (r->format == TWAMP_FORMAT_STAMP &&
	    len >= offsetof(struct stamp_test_sender, ssid) + 2)
		key->ssid = get_unaligned_be16(pl + offsetof(struct stamp_test_sender,
							     ssid));
}

/* The session this packet belongs to, if there is one already. */
static struct twamp_session *twamp_rx_session(struct twamp_reflector *r,
					      const struct twamp_rx *rx,
					      const u8 *pl, unsigned int len)
{
	struct twamp_session_key key;

	if (!READ_ONCE(r->n_sessions))
		return NULL;
	twamp_rx_key(r, rx, pl, len, &key);
	return twamp_session_lookup(r, &key);
}

/* A stateful reflector makes a session for a sender it does not know. */
static struct twamp_session *twamp_rx_session_new(struct twamp_reflector *r,
						  const struct twamp_rx *rx,
						  const u8 *pl,
						  unsigned int len,
						  enum twamp_counter *why)
{
	struct twamp_session_key key;

	twamp_rx_key(r, rx, pl, len, &key);
	return twamp_session_dynamic(r, &key, why);
}

static void twamp_session_rx(struct twamp_session *s)
{
	twamp_session_count(s, TWAMP_CNT_RX);
	twamp_session_heard(s);
}

/*
 * T3, as the last thing before the link layer; in an authenticated or
 * encrypted session the HMAC and encryption follow it (3.3, step 6).
 */
static int twamp_reply_finish(const struct twamp_reflector *r,
			      const struct twamp_session *s, u8 *pl,
			      struct twamp_xmit *x)
{
	if (!s || !s->crypto) {
		x->ts = pl + offsetof(struct twamp_test_reflector, ts);
		x->ts_format = r->ts_format;
		twamp_put_timestamp(x->ts, ktime_get_real(), r->ts_format);
		return 0;
	}
	twamp_put_timestamp(pl + offsetof(struct twamp_test_reflector_auth, ts),
			    ktime_get_real(), r->ts_format);
	return twamp_crypto_seal(s->crypto, pl, true);
}

/*
 * The route back: a session caches it (valid while the sender keeps
 * writing to the same local address); other packets look it up.
 */
static enum twamp_counter twamp_xmit4(struct twamp_reflector *r,
				      struct twamp_session *s,
				      struct sock *sk, struct sk_buff *skb,
				      const struct twamp_rx *rx, u8 tos)
{
	struct flowi4 fl4 = {
		.daddr		= rx->v4.saddr,
		.saddr		= rx->v4.daddr,
		.flowi4_oif	= r->ifindex,
		.flowi4_tos	= RT_TOS(tos),
		.flowi4_proto	= IPPROTO_UDP,
		.fl4_sport	= rx->dport,
		.fl4_dport	= rx->sport,
	};
	struct rtable *rt = NULL;
	struct twamp_xmit x;
	__be32 saddr;
	u8 *pl;

	if (s) {
		rt = dst_cache_get_ip4(&s->dst_cache, &saddr);
		if (rt && saddr != fl4.saddr) {
			ip_rt_put(rt);
			rt = NULL;
		}
	}
	if (!rt) {
		rt = ip_route_output_flow(sock_net(sk), &fl4, sk);
		if (IS_ERR(rt))
			return TWAMP_CNT_DROP_XMIT;
		/*
		 * A subnet's broadcast address as the source passes the IP
		 * layer; answering it would broadcast the reply.
		 */
		if (rt->rt_type != RTN_UNICAST && rt->rt_type != RTN_LOCAL) {
			ip_rt_put(rt);
			return TWAMP_CNT_DROP_INVALID;
		}
		if (s)
			dst_cache_set_ip4(&s->dst_cache, &rt->dst, fl4.saddr);
	}
	if (skb_cow_head(skb, sizeof(struct iphdr) + sizeof(struct udphdr) +
			 LL_RESERVED_SPACE(rt->dst.dev))) {
		ip_rt_put(rt);
		return TWAMP_CNT_DROP_NOMEM;
	}
	pl = skb->data;
	twamp_xmit_prepare4(&x, sk, skb, rt, fl4.saddr, fl4.daddr, tos, 255,
			    rx->dport, rx->sport);

	/* T3, and again by twamp_xmit() right before the link layer */
	if (twamp_reply_finish(r, s, pl, &x))
		return TWAMP_CNT_DROP_AUTH;
	twamp_xmit(&x);
	return TWAMP_CNT_TX;
}

#if IS_ENABLED(CONFIG_IPV6)
static enum twamp_counter twamp_xmit6(struct twamp_reflector *r,
				      struct twamp_session *s,
				      struct sock *sk, struct sk_buff *skb,
				      const struct twamp_rx *rx, u8 tos)
{
	struct flowi6 fl6 = {
		.daddr		= rx->v6.saddr,
		.saddr		= rx->v6.daddr,
		.flowi6_oif	= r->ifindex,
		.flowi6_proto	= IPPROTO_UDP,
		.fl6_sport	= rx->dport,
		.fl6_dport	= rx->sport,
	};
	struct dst_entry *dst = NULL;
	struct twamp_xmit x;
	struct in6_addr saddr;
	u8 *pl;

	/* Link-local peers are only reachable through the arrival device. */
	if (!fl6.flowi6_oif &&
	    ipv6_addr_type(&fl6.daddr) & IPV6_ADDR_LINKLOCAL)
		fl6.flowi6_oif = rx->iif;

	if (s) {
		dst = dst_cache_get_ip6(&s->dst_cache, &saddr);
		if (dst && !ipv6_addr_equal(&saddr, &fl6.saddr)) {
			dst_release(dst);
			dst = NULL;
		}
	}
	if (!dst) {
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, &fl6,
						      NULL);
		if (IS_ERR(dst))
			return TWAMP_CNT_DROP_XMIT;
		if (s)
			dst_cache_set_ip6(&s->dst_cache, dst, &fl6.saddr);
	}
	if (skb_cow_head(skb, sizeof(struct ipv6hdr) + sizeof(struct udphdr) +
			 LL_RESERVED_SPACE(dst->dev))) {
		dst_release(dst);
		return TWAMP_CNT_DROP_NOMEM;
	}
	pl = skb->data;
	twamp_xmit_prepare6(&x, sk, skb, dst, &fl6.saddr, &fl6.daddr, tos, 255,
			    rx->dport, rx->sport);

	if (twamp_reply_finish(r, s, pl, &x))
		return TWAMP_CNT_DROP_AUTH;
	twamp_xmit(&x);
	return TWAMP_CNT_TX;
}
#endif

/**
 * twamp_reflector_rcv() - UDP encapsulation receive hook of a reflector
 * @sk: the reflector's kernel socket
 * @skb: a UDP datagram, data at the UDP header, checksum verified
 *
 * Runs in softirq under rcu_read_lock(). Consumes the skb: it becomes the
 * reply or is dropped and counted under the reason.
 *
 * Return: 0, always.
 */
int twamp_reflector_rcv(struct sock *sk, struct sk_buff *skb)
{
	ktime_t t2 = twamp_rx_time(skb);
	struct twamp_reflector *r = rcu_dereference_sk_user_data(sk);
	unsigned int len, reply_len, base, ee_off;
	struct twamp_session *s = NULL;
	enum twamp_counter res;
	struct twamp_rx rx;
	u8 *pl, tos;

	if (unlikely(!r)) {
		/* being deleted */
		kfree_skb(skb);
		return 0;
	}
	twamp_count(r->counters, TWAMP_CNT_RX);

	len = skb->len - sizeof(struct udphdr);
	if (len < TWAMP_SENDER_SIZE) {
		res = TWAMP_CNT_DROP_SHORT;
		goto drop;
	}
	if (len > TWAMP_MAX_PAYLOAD || skb_is_gso(skb)) {
		res = TWAMP_CNT_DROP_LENGTH;
		goto drop;
	}
	/* Never answer to, or from, a broadcast or multicast address. */
	if (!twamp_rx_parse(skb, &rx) || skb->pkt_type != PACKET_HOST ||
	    !rx.sport) {
		res = TWAMP_CNT_DROP_INVALID;
		goto drop;
	}
	if (r->n_allow && !twamp_rx_allowed(r, &rx)) {
		res = TWAMP_CNT_DROP_ACL;
		goto drop;
	}
	if (r->rate_limit && !twamp_rx_rate_ok(r, &rx)) {
		res = TWAMP_CNT_DROP_RATE;
		goto drop;
	}

	/* A clone (e.g. one a packet capture holds) gets a private copy. */
	if (skb_linearize(skb) || skb_ensure_writable(skb, skb->len)) {
		res = TWAMP_CNT_DROP_NOMEM;
		goto drop;
	}
	pl = skb->data + sizeof(struct udphdr);

	ee_off = offsetof(struct twamp_test_sender, error_estimate);
	s = twamp_rx_session(r, &rx, pl, len);
	if (s)
		twamp_session_rx(s);
	/*
	 * Keys belong to sessions: only a packet of an authenticated or
	 * encrypted session is opened, and it must open (3.3, step 2).
	 */
	if (s && s->crypto) {
		if (len < TWAMP_SENDER_AUTH_SIZE) {
			res = TWAMP_CNT_DROP_SHORT;
			goto drop;
		}
		if (!twamp_crypto_open(s->crypto, pl, false)) {
			res = TWAMP_CNT_DROP_AUTH;
			goto drop;
		}
		/* authentic, but perhaps captured and sent again: check its seq */
		if (!twamp_replay_check(&s->replay, get_unaligned_be32(pl))) {
			res = TWAMP_CNT_DROP_REPLAY;
			goto drop;
		}
		ee_off = offsetof(struct twamp_test_sender_auth, error_estimate);
	}

	/* RFC 4656 4.1.2: a zero multiplier marks a corrupt packet. */
	if (!(get_unaligned_be16(pl + ee_off) & TWAMP_EE_MULT_MASK)) {
		res = TWAMP_CNT_DROP_INVALID;
		goto drop;
	}

	res = TWAMP_CNT_DROP_NO_SESSION;
	if (!s && r->stateful) {
		s = twamp_rx_session_new(r, &rx, pl, len, &res);
		if (s)
			twamp_session_rx(s);
	}
	if (!s && (r->stateful || r->sessions_only))
		goto drop;

	/*
	 * Shorter than the reflector header: grow to it, never beyond. An
	 * authenticated or encrypted reply of a request padded by at least
	 * 64 octets is as long as the request: those 64 octets of padding
	 * are the ones left out (3.4, as owamp does).
	 */
	if (s && s->crypto)
		base = TWAMP_REFLECTOR_AUTH_SIZE;
	else if (r->format == TWAMP_FORMAT_STAMP)
		base = STAMP_BASE_SIZE;
	else
		base = TWAMP_REFLECTOR_SIZE;
	reply_len = max(len, base);
	if (reply_len > len) {
		unsigned int grow = reply_len - len;

		if (skb_tailroom(skb) < grow &&
		    pskb_expand_head(skb, 0, grow, GFP_ATOMIC)) {
			res = TWAMP_CNT_DROP_NOMEM;
			goto drop;
		}
		memset(skb_put(skb, grow), 0, grow);
		pl = skb->data + sizeof(struct udphdr);
	}

	if (s && s->crypto)
		twamp_build_reply_auth(r, s, pl, reply_len, &rx, t2);
	else
		twamp_build_reply(r, s, pl, len, reply_len, &rx, t2);

	if (s && s->dscp >= 0)
		tos = s->dscp << 2;
	else if (r->dscp >= 0)
		tos = r->dscp << 2;
	else
		tos = rx.dsfield & ~INET_ECN_MASK;

	/* From here on the skb is a new packet leaving this host. */
	__skb_pull(skb, sizeof(struct udphdr));

	if (rx.family == AF_INET)
		res = twamp_xmit4(r, s, sk, skb, &rx, tos);
#if IS_ENABLED(CONFIG_IPV6)
	else
		res = twamp_xmit6(r, s, sk, skb, &rx, tos);
#endif
	if (res != TWAMP_CNT_TX)
		goto drop;
	twamp_count(r->counters, TWAMP_CNT_TX);
	if (s)
		twamp_session_count(s, TWAMP_CNT_TX);
	return 0;

drop:
	twamp_count(r->counters, res);
	if (s)
		twamp_session_count(s, res);
	kfree_skb(skb);
	return 0;
}
