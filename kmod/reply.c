// SPDX-License-Identifier: GPL-2.0
/*
 * The reflector's reply, in softirq: the request that rx.c checked (and,
 * in an authenticated or encrypted session, opened) is rewritten in place
 * into the reply, routed back and handed to xmit.c, without ever reaching
 * a socket queue.
 *
 * T2 comes from the packet's receive timestamp; T3 is taken as the last
 * thing before the reply goes to the link layer (xmit.c). The reply is as
 * long as the request, or the format's base size when the request was
 * shorter.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>

#include <linux/twamp_packet.h>

#include "clock.h"
#include "compat.h"
#include "crypto.h"
#include "reflector.h"
#include "reply.h"
#include "session.h"
#include "stats.h"
#include "twamp.h"
#include "xmit.h"

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
 * twamp_reply() - turn a request into its reply, in place, and send it
 * @r: the reflector
 * @s: the request's session, or NULL
 * @sk: the reflector's socket it came to
 * @skb: the request, private and linear, data at the UDP header
 * @rx: where it came from
 * @len: its UDP payload length
 * @t2: when it arrived
 *
 * Called in softirq by twamp_reflector_rcv().
 *
 * Return: TWAMP_CNT_TX when the reply left, the skb consumed; else the
 * counter of the reason, the skb still the caller's to free.
 */
enum twamp_counter twamp_reply(struct twamp_reflector *r,
			       struct twamp_session *s, struct sock *sk,
			       struct sk_buff *skb, const struct twamp_rx *rx,
			       unsigned int len, ktime_t t2)
{
	u8 *pl = skb->data + sizeof(struct udphdr), tos;
	unsigned int reply_len, base;

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
		    pskb_expand_head(skb, 0, grow, GFP_ATOMIC))
			return TWAMP_CNT_DROP_NOMEM;
		memset(skb_put(skb, grow), 0, grow);
		pl = skb->data + sizeof(struct udphdr);
	}

	if (s && s->crypto)
		twamp_build_reply_auth(r, s, pl, reply_len, rx, t2);
	else
		twamp_build_reply(r, s, pl, len, reply_len, rx, t2);

	if (s && s->dscp >= 0)
		tos = s->dscp << 2;
	else if (r->dscp >= 0)
		tos = r->dscp << 2;
	else
		tos = rx->dsfield & ~INET_ECN_MASK;

	/* From here on the skb is a new packet leaving this host. */
	__skb_pull(skb, sizeof(struct udphdr));

	if (rx->family == AF_INET)
		return twamp_xmit4(r, s, sk, skb, rx, tos);
#if IS_ENABLED(CONFIG_IPV6)
	return twamp_xmit6(r, s, sk, skb, rx, tos);
#else
	return TWAMP_CNT_DROP_INVALID;	/* rx.c takes no IPv6 packet then */
#endif
}
