// SPDX-License-Identifier: GPL-2.0
/*
 * The Session-Sender's receive path: replies taken back through the
 * socket's encapsulation hook in softirq, T4 from their receive
 * timestamp, matched to their packet by Sender Sequence Number.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "compat.h"
#include "results.h"
#include "sender.h"
#include "twamp.h"

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
int twamp_sender_rcv(struct sock *sk, struct sk_buff *skb)
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
