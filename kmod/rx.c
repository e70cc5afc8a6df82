// SPDX-License-Identifier: GPL-2.0
/*
 * The reflector's receive hook, in softirq: a test packet arrives through
 * the UDP encapsulation hook of a reflector's socket (reflector.c), is
 * checked, finds its session (session.c) and, in an authenticated or
 * encrypted session, is opened; then reply.c turns it into the reply.
 * Every packet dropped here is counted under its reason.
 */

#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include <linux/twamp_packet.h>

#include "clock.h"
#include "compat.h"
#include "crypto.h"
#include "limits.h"
#include "reflector.h"
#include "reply.h"
#include "rx.h"
#include "session.h"
#include "stats.h"
#include "twamp.h"

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
 * What a request must pass before its payload is read: its length, its
 * addresses (never a broadcast or multicast one, either way), the
 * allow-list and the rate limit. Fills in @rx.
 *
 * Return: TWAMP_CNT_RX to go on, or the counter of the reason to drop it.
 */
static enum twamp_counter twamp_rx_check(struct twamp_reflector *r,
					 struct sk_buff *skb,
					 struct twamp_rx *rx, unsigned int len)
{
	if (len < TWAMP_SENDER_SIZE)
		return TWAMP_CNT_DROP_SHORT;
	if (len > TWAMP_MAX_PAYLOAD || skb_is_gso(skb))
		return TWAMP_CNT_DROP_LENGTH;
	if (!twamp_rx_parse(skb, rx) || skb->pkt_type != PACKET_HOST ||
	    !rx->sport)
		return TWAMP_CNT_DROP_INVALID;
	if (r->n_allow && !twamp_rx_allowed(r, rx))
		return TWAMP_CNT_DROP_ACL;
	if (r->rate_limit && !twamp_rx_rate_ok(r, rx))
		return TWAMP_CNT_DROP_RATE;
	return TWAMP_CNT_RX;
}

/*
 * The request's session (*@sp, NULL if none), counted as heard; a packet
 * of an authenticated or encrypted session opened in place. Keys belong to
 * sessions: only such a packet is opened, and it must open (3.3, step 2).
 * A stateful reflector makes a session for a sender it does not know.
 *
 * Return: TWAMP_CNT_RX to go on, or the counter of the reason to drop the
 * packet, *@sp set for the session to count it too.
 */
static enum twamp_counter twamp_rx_session_open(struct twamp_reflector *r,
						const struct twamp_rx *rx,
						u8 *pl, unsigned int len,
						struct twamp_session **sp)
{
	unsigned int ee_off = offsetof(struct twamp_test_sender, error_estimate);
	enum twamp_counter why = TWAMP_CNT_DROP_NO_SESSION;
	struct twamp_session *s;

	s = twamp_rx_session(r, rx, pl, len);
	*sp = s;
	if (s)
		twamp_session_rx(s);
	if (s && s->crypto) {
		if (len < TWAMP_SENDER_AUTH_SIZE)
			return TWAMP_CNT_DROP_SHORT;
		if (!twamp_crypto_open(s->crypto, pl, false))
			return TWAMP_CNT_DROP_AUTH;
		/* authentic, but perhaps captured and sent again: check its seq */
		if (!twamp_replay_check(&s->replay, get_unaligned_be32(pl)))
			return TWAMP_CNT_DROP_REPLAY;
		ee_off = offsetof(struct twamp_test_sender_auth, error_estimate);
	}

	/* RFC 4656 4.1.2: a zero multiplier marks a corrupt packet. */
	if (!(get_unaligned_be16(pl + ee_off) & TWAMP_EE_MULT_MASK))
		return TWAMP_CNT_DROP_INVALID;

	if (!s && r->stateful) {
		s = twamp_rx_session_new(r, rx, pl, len, &why);
		*sp = s;
		if (s)
			twamp_session_rx(s);
	}
	if (!s && (r->stateful || r->sessions_only))
		return why;
	return TWAMP_CNT_RX;
}

/**
 * twamp_reflector_rcv() - UDP encapsulation receive hook of a reflector
 * @sk: the reflector's kernel socket
 * @skb: a UDP datagram, data at the UDP header, checksum verified
 *
 * Runs in softirq under rcu_read_lock(). Validates the request, finds its
 * session and hands it to twamp_reply(). Consumes the skb: it becomes the
 * reply or is dropped and counted under the reason.
 *
 * Return: 0, always.
 */
int twamp_reflector_rcv(struct sock *sk, struct sk_buff *skb)
{
	ktime_t t2 = twamp_rx_time(skb);
	struct twamp_reflector *r = rcu_dereference_sk_user_data(sk);
	struct twamp_session *s = NULL;
	enum twamp_counter res;
	struct twamp_rx rx;
	unsigned int len;

	if (unlikely(!r)) {
		/* being deleted */
		kfree_skb(skb);
		return 0;
	}
	twamp_count(r->counters, TWAMP_CNT_RX);

	len = skb->len - sizeof(struct udphdr);
	res = twamp_rx_check(r, skb, &rx, len);
	if (res != TWAMP_CNT_RX)
		goto drop;

	/* A clone (e.g. one a packet capture holds) gets a private copy. */
	if (skb_linearize(skb) || skb_ensure_writable(skb, skb->len)) {
		res = TWAMP_CNT_DROP_NOMEM;
		goto drop;
	}
	res = twamp_rx_session_open(r, &rx, skb->data + sizeof(struct udphdr),
				    len, &s);
	if (res != TWAMP_CNT_RX)
		goto drop;

	res = twamp_reply(r, s, sk, skb, &rx, len, t2);
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
