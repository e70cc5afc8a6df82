// SPDX-License-Identifier: GPL-2.0
/*
 * The Session-Sender's receive path: replies taken back through the
 * socket's encapsulation hook in softirq, T4 from their receive
 * timestamp, matched to their packet by Sender Sequence Number; what is
 * not a reply counted by reason; and ICMP errors that quote a test
 * packet, matched to it the same way and reported like ping does.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>

#include <crypto/aes.h>

#include "clock.h"
#include "compat.h"
#include "crypto.h"
#include "results.h"
#include "sender.h"
#include "twamp.h"

/*
 * The reply of an authenticated or encrypted session, decrypted into a
 * copy on the stack: the skb may be shared with a packet capture.
 */
static enum twamp_bad_reply twamp_sender_parse_auth(struct twamp_sender *s,
						    struct sk_buff *skb,
						    struct twamp_result *res)
{
	struct twamp_test_reflector_auth refl;
	u8 fmt;

	/* most often an unauthenticated reflector answering */
	if (res->size < TWAMP_REFLECTOR_AUTH_SIZE ||
	    skb_copy_bits(skb, sizeof(struct udphdr), &refl, sizeof(refl)))
		return TWAMP_BAD_SHORT;
	if (!twamp_crypto_open(s->crypto, (u8 *)&refl, true)) {
		memzero_explicit(&refl, sizeof(refl));
		return TWAMP_BAD_AUTH;
	}
	res->refl_seq = be32_to_cpu(refl.seq);
	res->refl_err = be16_to_cpu(refl.error_estimate);
	fmt = res->refl_err & TWAMP_EE_Z ? TWAMP_TS_PTP : TWAMP_TS_NTP;
	res->t3 = twamp_get_timestamp(&refl.ts, fmt);
	res->t2 = twamp_get_timestamp(&refl.rx_ts, fmt);
	res->seq = be32_to_cpu(refl.sender_seq);
	res->sender_ttl = refl.sender_ttl;
	memzero_explicit(&refl, sizeof(refl));
	if (!(res->refl_err & TWAMP_EE_MULT_MASK))
		return TWAMP_BAD_INVALID;
	return TWAMP_BAD_NONE;
}

/* Reflected packet fields the sender needs, or why it is no reply. */
static enum twamp_bad_reply twamp_sender_parse(struct twamp_sender *s,
					       struct sk_buff *skb,
					       struct twamp_result *res)
{
	const struct twamp_test_reflector *refl;
	const struct udphdr *uh = udp_hdr(skb);
	u16 ssid;
	u8 fmt;

	if (uh->source != s->remote_port)
		return TWAMP_BAD_FOREIGN;
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		if (s->family != AF_INET || iph->saddr != s->remote4)
			return TWAMP_BAD_FOREIGN;
		res->refl_ttl = iph->ttl;
		res->dscp = ipv4_get_dsfield(iph) >> 2;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (s->family != AF_INET6 ||
		    !ipv6_addr_equal(&ip6h->saddr, &s->remote6))
			return TWAMP_BAD_FOREIGN;
		res->refl_ttl = ip6h->hop_limit;
		res->dscp = ipv6_get_dsfield(ip6h) >> 2;
	}

	res->size = skb->len - sizeof(struct udphdr);
	if (s->crypto)
		return twamp_sender_parse_auth(s, skb, res);
	if (res->size < twamp_sender_reply_len(s) ||
	    !pskb_may_pull(skb, sizeof(struct udphdr) + TWAMP_REFLECTOR_SIZE))
		return TWAMP_BAD_SHORT;
	refl = (const struct twamp_test_reflector *)(skb->data +
						       sizeof(struct udphdr));
	res->refl_seq = get_unaligned_be32(&refl->seq);
	res->refl_err = get_unaligned_be16(&refl->error_estimate);
	if (!(res->refl_err & TWAMP_EE_MULT_MASK))
		return TWAMP_BAD_INVALID;	/* corrupt, RFC 4656 4.1.2 */
	/*
	 * RFC 8972 3: a STAMP reflector returns the SSID. Zero is taken
	 * too: a TWAMP Light reflector answers MBZ there.
	 */
	ssid = get_unaligned_be16(&refl->mbz_ssid);
	if (s->format == TWAMP_FORMAT_STAMP && ssid && ssid != s->ssid)
		return TWAMP_BAD_SSID;
	fmt = res->refl_err & TWAMP_EE_Z ? TWAMP_TS_PTP : TWAMP_TS_NTP;
	res->t3 = twamp_get_timestamp(&refl->ts, fmt);
	res->t2 = twamp_get_timestamp(&refl->rx_ts, fmt);
	res->seq = get_unaligned_be32(&refl->sender_seq);
	res->sender_ttl = refl->sender_ttl;
	return TWAMP_BAD_NONE;
}

/* Caller holds s->lock: a datagram that is no reply, counted by @why. */
static void twamp_sender_bad(struct twamp_sender *s, enum twamp_bad_reply why,
			     u32 size)
{
	if (why == TWAMP_BAD_AUTH) {
		s->st.auth_failed++;
		return;
	}
	s->st.bad[why]++;
	if (why == TWAMP_BAD_SHORT && (!s->st.short_min || size < s->st.short_min))
		s->st.short_min = size;
}

/*
 * Caller holds s->lock. The slot of packet @seq if it is in flight: sent,
 * within its WAIT (at @now, CLOCK_REALTIME ns), neither answered by an
 * ICMP error nor counted lost, and the sender not done. Otherwise NULL,
 * and @why says whether @seq was never sent or came too late.
 */
static struct twamp_slot *twamp_sender_slot(struct twamp_sender *s, u32 seq,
					    u64 now,
					    enum twamp_bad_reply *why)
{
	struct twamp_slot *slot = &s->slots[seq & (s->n_slots - 1)];

	if (slot->t1 && slot->seq == seq && !slot->lost &&
	    now - slot->t1 <= s->wait && s->state != TWAMP_SENDER_DONE)
		return slot;
	/* After 2^32 packets every number has been sent. */
	if (s->st.sent <= U32_MAX && seq >= s->st.sent)
		*why = TWAMP_BAD_UNKNOWN_SEQ;
	else
		*why = TWAMP_BAD_LATE;
	return NULL;
}

/*
 * The UDP encapsulation receive hook of a sender, for a datagram whose
 * data is at the UDP header. Runs in softirq under RCU. Matches a reply
 * to its packet by Sender Sequence Number and accounts for it; anything
 * else is counted by the reason it is not a reply. The skb is consumed.
 */
static int twamp_sender_rcv(struct sock *sk, struct sk_buff *skb)
{
	ktime_t t4 = twamp_rx_time(skb);
	struct twamp_sender *s = rcu_dereference_sk_user_data(sk);
	struct twamp_result res = { .t4 = t4 };
	enum twamp_bad_reply why;
	struct twamp_slot *slot;
	bool synced;

	if (!s)
		goto out;
	why = twamp_sender_parse(s, skb, &res);
	if (why != TWAMP_BAD_NONE) {
		spin_lock(&s->lock);
		twamp_sender_bad(s, why, res.size);
		spin_unlock(&s->lock);
		goto out;
	}
	res.sender_id = s->id;
	synced = READ_ONCE(s->tn->clock_synced) && (res.refl_err & TWAMP_EE_S);
	if (synced)
		res.flags |= TWAMP_RESULT_SYNCED;

	spin_lock(&s->lock);
	slot = twamp_sender_slot(s, res.seq, ktime_to_ns(t4), &why);
	if (!slot) {
		twamp_sender_bad(s, why, res.size);
		goto unlock;
	}
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
 * The ICMP error's type, code and MTU, and who sent it: the skb's network
 * header is the ICMP packet's own IP header, its transport header the ICMP
 * header, and its data the quoted packet. Only errors about the path
 * (unreachable, too big, time exceeded, parameter problem) get here: the
 * UDP error handler keeps redirects and source quench for itself.
 */
static bool twamp_sender_icmp_hdr(const struct twamp_sender *s,
				  const struct sk_buff *skb,
				  struct twamp_result *res)
{
	if (s->family == AF_INET) {
		const struct icmphdr *ih = icmp_hdr(skb);

		if (ip_hdr(skb)->version != 4)
			return false;
		res->icmp_type = ih->type;
		res->icmp_code = ih->code;
		if (ih->type == ICMP_DEST_UNREACH && ih->code == ICMP_FRAG_NEEDED)
			res->icmp_info = ntohs(ih->un.frag.mtu);
		res->icmp_from4 = ip_hdr(skb)->saddr;
	} else {
		const struct icmp6hdr *ih = icmp6_hdr(skb);

		if (ip_hdr(skb)->version != 6)
			return false;
		res->icmp_type = ih->icmp6_type;
		res->icmp_code = ih->icmp6_code;
		if (ih->icmp6_type == ICMPV6_PKT_TOOBIG)
			res->icmp_info = ntohl(ih->icmp6_mtu);
		res->icmp_from6 = ipv6_hdr(skb)->saddr;
	}
	return true;
}

/*
 * Whether the quoted packet went to the reflector: the socket lookup that
 * found the sender matched its source address and port.
 */
static bool twamp_sender_icmp_quote(const struct twamp_sender *s,
				    const struct sk_buff *skb,
				    unsigned int udp_offset)
{
	const struct udphdr *uh = (const struct udphdr *)(skb->data + udp_offset);

	if (uh->dest != s->remote_port)
		return false;
	if (s->family == AF_INET)
		return ((const struct iphdr *)skb->data)->daddr == s->remote4;
	return ipv6_addr_equal(&((const struct ipv6hdr *)skb->data)->daddr,
			       &s->remote6);
}

/*
 * The quoted Sender Sequence Number. In an authenticated or encrypted
 * session it is in the first block, which is encrypted alone in both
 * modes (ECB, or CBC whose IV is 0).
 */
static bool twamp_sender_icmp_seq(const struct twamp_sender *s,
				  const struct sk_buff *skb,
				  unsigned int offset, u32 *seq)
{
	u8 buf[AES_BLOCK_SIZE];
	const u8 *p;

	p = skb_header_pointer(skb, offset, s->crypto ? AES_BLOCK_SIZE : 4, buf);
	if (!p)
		return false;		/* the error quoted too little */
	if (s->crypto) {
		aes_decrypt(&s->crypto->aes, buf, p);
		p = buf;
	}
	*seq = get_unaligned_be32(p);
	memzero_explicit(buf, sizeof(buf));
	return true;
}

/*
 * An ICMP error about a test packet: @skb's data is the quoted IP
 * header, the UDP header @udp_offset octets in. Runs in softirq under
 * RCU, and must not free @skb. The packet it names is lost, reported at
 * once with the error, like ping's "From ... Destination Unreachable".
 */
static void twamp_sender_icmp(struct sock *sk, struct sk_buff *skb,
			      unsigned int udp_offset)
{
	struct twamp_sender *s = rcu_dereference_sk_user_data(sk);
	struct twamp_result res = {
		.flags	= TWAMP_RESULT_LOST | TWAMP_RESULT_ICMP_ERROR,
	};
	enum twamp_bad_reply why;
	struct twamp_slot *slot;

	if (!s || !twamp_sender_icmp_hdr(s, skb, &res) ||
	    !twamp_sender_icmp_quote(s, skb, udp_offset) ||
	    !twamp_sender_icmp_seq(s, skb, udp_offset + sizeof(struct udphdr),
				   &res.seq))
		return;
	res.sender_id = s->id;

	spin_lock(&s->lock);
	slot = twamp_sender_slot(s, res.seq, ktime_get_real_ns(), &why);
	/* answered already (a reply, or an error), or no packet of ours */
	if (!slot || slot->received)
		goto unlock;
	slot->lost = true;
	s->st.lost++;
	s->st.icmp_errors++;
	res.t1 = ns_to_ktime(slot->t1);
	if (twamp_results_packet(s, &res) == -ENOBUFS)
		s->st.results_dropped++;
unlock:
	spin_unlock(&s->lock);
}

TWAMP_ENCAP_ERR_RCV(twamp_sender_err_rcv, twamp_sender_icmp)

/**
 * twamp_sender_rx_hooks() - the receive hooks of a sender's socket
 * @cfg: the socket's tunnel configuration, to fill in
 */
void twamp_sender_rx_hooks(struct udp_tunnel_sock_cfg *cfg)
{
	cfg->encap_rcv = twamp_sender_rcv;
	cfg->encap_err_rcv = twamp_sender_err_rcv;
}
