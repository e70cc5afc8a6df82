// SPDX-License-Identifier: GPL-2.0
/*
 * Output of test packets, shared by the reflector and the sender.
 *
 * A timestamp is only as good as what happens after it: everything the
 * kernel does between T3 (or T1) and the wire is delay the far end cannot
 * tell from the network's. So the UDP and IP headers are built here on the
 * route the caller holds, the UDP checksum is left to the device
 * (CHECKSUM_PARTIAL: the device, or skb_checksum_help() for one without
 * offload, sums the payload after the timestamp is in it), and what IP
 * output does is done before the timestamp is written, so that only the
 * link-layer header copy, the qdisc and the driver come after it.
 *
 * There are three ways out:
 *
 * - direct: no netfilter hook on LOCAL_OUT or POST_ROUTING in the
 *   namespace. The caller writes a first timestamp; twamp_xmit() resolves
 *   the neighbour, writes the timestamp again and calls neigh_output().
 * - hooked: hooks are registered (a firewall, conntrack, or an LSM such as
 *   AppArmor, which hooks POST_ROUTING in every namespace). twamp_xmit()
 *   first runs the hooks as ip_local_out() and ip_output() would; when
 *   they let the packet through at once, it goes on as a direct one. A
 *   packet a hook queues or steals continues later through the ordinary
 *   output path with its first timestamp.
 * - full: the ordinary ip_local_out(), for what needs more than the above
 *   (IPsec, lightweight tunnels, VRF, fragmentation, multicast) and for
 *   authenticated or encrypted packets under hooks, whose timestamp
 *   cannot be rewritten once sealed.
 *
 * selftests/twamp_xmit.sh checks that IPsec and VRF get their packets and
 * that a cgroup egress program keeps the direct way;
 * selftests/twamp_reflector.sh checks netfilter, NAT and fragmentation.
 * docs/reflector.md, "Output paths", has the list and
 * docs/performance.md the figures that make the case for this file.
 *
 * In every case the hooks see every packet, so firewall and NAT rules
 * apply to test packets as to any socket's.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/lwtunnel.h>
#include <net/ndisc.h>
#include <net/neighbour.h>
#include <net/route.h>
#include <net/udp.h>

#include "clock.h"
#include "compat.h"
#include "xmit.h"

/* No hook on the way out of this namespace could see the packet. */
static bool twamp_nf_quiet(const struct net *net, u8 pf)
{
#ifdef CONFIG_NETFILTER
	struct nf_hook_entries __rcu *const *hooks;

	hooks = pf == NFPROTO_IPV4 ? net->nf.hooks_ipv4 : net->nf.hooks_ipv6;
	return !rcu_access_pointer(hooks[NF_INET_LOCAL_OUT]) &&
	       !rcu_access_pointer(hooks[NF_INET_POST_ROUTING]);
#else
	return true;
#endif
}

/*
 * What the direct and hooked ways need of a route: nothing of IP output
 * but the hooks, the neighbour and the device, and no fragmenting.
 *
 * cgroup BPF egress programs are not a reason to leave them: IP output
 * runs one only for a packet its socket owns (BPF_CGROUP_RUN_PROG_INET_EGRESS
 * compares sk with skb->sk in 6.1 and with skb_to_full_sk(skb) in 6.12),
 * and a test packet, like a UDP tunnel's, is owned by no socket
 * (twamp_skb_reset()). Leaving whenever a program is attached anywhere
 * would cost accuracy for nothing on most hosts: systemd attaches one for
 * every unit with IPAddressDeny= (logind, journald, udevd).
 */
static bool twamp_dst_plain4(struct sock *sk, const struct sk_buff *skb)
{
	const struct dst_entry *dst = skb_dst(skb);
	const struct net_device *dev = dst->dev;

	return dst->output == ip_output && !dst_xfrm(dst) &&
	       !lwtunnel_xmit_redirect(dst->lwtstate) &&
	       !netif_is_l3_master(dev) && !netif_is_l3_slave(dev) &&
	       skb_headroom(skb) >= LL_RESERVED_SPACE(dev) &&
	       skb->len <= ip_skb_dst_mtu(sk, skb);
}

static void twamp_push_udp(struct sk_buff *skb, __be16 sport, __be16 dport)
{
	struct udphdr *uh = __skb_push(skb, sizeof(*uh));

	skb_reset_transport_header(skb);
	uh->source = sport;
	uh->dest = dport;
	uh->len = htons(skb->len);
	uh->check = 0;
}

/* Whatever the skb carried as a received packet is forgotten. */
static void twamp_skb_reset(struct sk_buff *skb)
{
	skb_scrub_packet(skb, false);
	skb_clear_hash(skb);
	skb_orphan(skb);
	skb->dev = NULL;
	twamp_skb_clear_tstamp(skb);
	skb->ip_summed = CHECKSUM_NONE;
	/* A request that came in fragments gets a reply that leaves in them. */
	skb->ignore_df = 1;
}

/* The next hop's neighbour: from a route (IPv4) or its gateway (IPv6). */
static struct neighbour *twamp_neigh(struct sk_buff *skb, bool *is_v6gw)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (skb->protocol == htons(ETH_P_IPV6)) {
		struct dst_entry *dst = skb_dst(skb);

		return ip_neigh_gw6(dst->dev,
				    rt6_nexthop((struct rt6_info *)dst,
						&ipv6_hdr(skb)->daddr));
	}
#endif
	return ip_neigh_for_gw(skb_rtable(skb), skb, is_v6gw);
}

/* The timestamp, again, once nothing but the link layer is left. */
static void twamp_xmit_restamp(struct twamp_xmit *x)
{
	ktime_t t = ktime_get_real();

	twamp_put_timestamp(x->ts, t, x->ts_format);
	if (x->t_ns)
		WRITE_ONCE(*x->t_ns, ktime_to_ns(t));
}

/*
 * The end of ip_finish_output2() and ip6_finish_output2() for a plain
 * route, with the timestamp of @x, if any, written right before the link
 * layer.
 */
static int twamp_neigh_xmit(struct sk_buff *skb, struct twamp_xmit *x)
{
	struct net_device *dev = skb_dst(skb)->dev;
	struct neighbour *neigh;
	bool is_v6gw = false;
	int ret;

	if (unlikely(skb_headroom(skb) < LL_RESERVED_SPACE(dev))) {
		skb = skb_expand_head(skb, LL_RESERVED_SPACE(dev));
		if (!skb)
			return -ENOMEM;
	}
	rcu_read_lock();
	neigh = twamp_neigh(skb, &is_v6gw);
	if (IS_ERR(neigh)) {
		rcu_read_unlock();
		kfree_skb(skb);
		return PTR_ERR(neigh);
	}
	if (x && x->ts)
		twamp_xmit_restamp(x);
	ret = neigh_output(neigh, skb, is_v6gw);
	rcu_read_unlock();
	return ret;
}

/* The same, for a packet the hooks handed back later. */
static int twamp_neigh_output(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	return twamp_neigh_xmit(skb, NULL);
}

/**
 * twamp_xmit_prepare4() - make a UDP payload an IPv4 packet ready to go
 * @x: filled in for twamp_xmit()
 * @sk: the socket the packet is sent for (reflector's or sender's)
 * @skb: data at the UDP payload, headroom for UDP, IP and link headers
 * @rt: route to @daddr; its reference passes to the skb
 * @saddr: source address
 * @daddr: destination address
 * @tos: TOS octet
 * @ttl: TTL
 * @sport: UDP source port
 * @dport: UDP destination port
 *
 * Called in softirq. The payload stays where it was; the caller writes its
 * timestamp into it after this, sets @x->ts unless it then seals the
 * packet, and calls twamp_xmit(), or frees the skb instead.
 */
void twamp_xmit_prepare4(struct twamp_xmit *x, struct sock *sk,
			 struct sk_buff *skb, struct rtable *rt,
			 __be32 saddr, __be32 daddr, u8 tos, u8 ttl,
			 __be16 sport, __be16 dport)
{
	struct net *net = sock_net(sk);
	struct iphdr *iph;

	lockdep_assert_in_softirq();
	twamp_skb_reset(skb);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));

	twamp_push_udp(skb, sport, dport);
	udp_set_csum(false, skb, saddr, daddr, skb->len);

	iph = __skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = tos;
	iph->tot_len = htons(skb->len);
	iph->frag_off = 0;
	iph->ttl = ttl;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	__ip_select_ident(net, iph, 1);
	ip_send_check(iph);

	skb->protocol = htons(ETH_P_IP);
	skb_dst_set(skb, &rt->dst);

	*x = (struct twamp_xmit){ .skb = skb, .sk = sk, .net = net };
	x->plain = twamp_dst_plain4(sk, skb);
	if (!x->plain || !twamp_nf_quiet(net, NFPROTO_IPV4))
		return;

	/* as ip_output() would */
	IP_UPD_PO_STATS(net, IPSTATS_MIB_OUT, skb->len);
	skb->dev = rt->dst.dev;
	x->direct = true;
}

/*
 * After POST_ROUTING, as ip_finish_output() would go on: the hooks may
 * have queued the packet and handed it back later, or SNAT may have found
 * an IPsec policy for it.
 */
static int twamp_finish_output4(struct net *net, struct sock *sk,
				struct sk_buff *skb)
{
	if (dst_xfrm(skb_dst(skb))) {
		IPCB(skb)->flags |= IPSKB_REROUTED;
		return dst_output(net, sk, skb);
	}
	if (skb->len > ip_skb_dst_mtu(sk, skb))
		return ip_do_fragment(net, sk, skb, twamp_neigh_output);
	return twamp_neigh_output(net, sk, skb);
}

/* A packet LOCAL_OUT handed back later goes the ordinary way. */
static int twamp_dst_output(struct net *net, struct sock *sk,
			    struct sk_buff *skb)
{
	return dst_output(net, sk, skb);
}

/* ip_local_out() and ip_output() with the timestamp written last. */
static int twamp_xmit_hooked4(struct twamp_xmit *x)
{
	struct sk_buff *skb = x->skb;
	struct net_device *dev;
	struct rtable *rt;
	int ret;

	ret = nf_hook(NFPROTO_IPV4, NF_INET_LOCAL_OUT, x->net, x->sk, skb,
		      NULL, skb_dst(skb)->dev, twamp_dst_output);
	if (ret != 1)
		return ret;
	/* NAT or a mark may have routed it again */
	if (!twamp_dst_plain4(x->sk, skb))
		return dst_output(x->net, x->sk, skb);

	rt = skb_rtable(skb);
	dev = rt->dst.dev;
	IP_UPD_PO_STATS(x->net, IPSTATS_MIB_OUT, skb->len);
	skb->dev = dev;
	ret = nf_hook(NFPROTO_IPV4, NF_INET_POST_ROUTING, x->net, x->sk, skb,
		      NULL, dev, twamp_finish_output4);
	if (ret != 1)
		return ret;
	if (dst_xfrm(&rt->dst))
		return twamp_finish_output4(x->net, x->sk, skb);
	return twamp_neigh_xmit(skb, x);
}

#if IS_ENABLED(CONFIG_IPV6)
static bool twamp_dst_plain6(const struct sk_buff *skb)
{
	const struct dst_entry *dst = skb_dst(skb);
	const struct net_device *dev = dst->dev;
	const struct inet6_dev *idev = ip6_dst_idev((struct dst_entry *)dst);

	return dst->output == ip6_output && !dst_xfrm(dst) &&
	       !lwtunnel_xmit_redirect(dst->lwtstate) &&
	       !netif_is_l3_master(dev) && !netif_is_l3_slave(dev) &&
	       idev && !READ_ONCE(idev->cnf.disable_ipv6) &&
	       !ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr) &&
	       skb_headroom(skb) >= LL_RESERVED_SPACE(dev) &&
	       !twamp_dst_allfrag(dst) && skb->len <= ip6_skb_dst_mtu(skb);
}

/**
 * twamp_xmit_prepare6() - make a UDP payload an IPv6 packet ready to go
 * @x: filled in for twamp_xmit()
 * @sk: the socket the packet is sent for
 * @skb: data at the UDP payload, headroom for UDP, IPv6 and link headers
 * @dst: route to @daddr; its reference passes to the skb
 * @saddr: source address
 * @daddr: destination address
 * @tclass: traffic class
 * @hlim: hop limit
 * @sport: UDP source port
 * @dport: UDP destination port
 *
 * As twamp_xmit_prepare4().
 */
void twamp_xmit_prepare6(struct twamp_xmit *x, struct sock *sk,
			 struct sk_buff *skb, struct dst_entry *dst,
			 const struct in6_addr *saddr,
			 const struct in6_addr *daddr, u8 tclass, u8 hlim,
			 __be16 sport, __be16 dport)
{
	struct net *net = sock_net(sk);
	struct ipv6hdr *ip6h;

	lockdep_assert_in_softirq();
	twamp_skb_reset(skb);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));

	twamp_push_udp(skb, sport, dport);
	udp6_set_csum(false, skb, saddr, daddr, skb->len);

	ip6h = __skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, tclass, 0);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_UDP;
	ip6h->hop_limit = hlim;
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
	IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);

	skb->protocol = htons(ETH_P_IPV6);
	skb_dst_set(skb, dst);

	*x = (struct twamp_xmit){ .skb = skb, .sk = sk, .net = net };
	x->plain = twamp_dst_plain6(skb);
	if (!x->plain || !twamp_nf_quiet(net, NFPROTO_IPV6))
		return;

	IP6_UPD_PO_STATS(net, ip6_dst_idev(dst), IPSTATS_MIB_OUT, skb->len);
	skb->dev = dst->dev;
	x->direct = true;
}

static int twamp_finish_output6(struct net *net, struct sock *sk,
				struct sk_buff *skb)
{
	if (dst_xfrm(skb_dst(skb))) {
		IP6CB(skb)->flags |= IP6SKB_REROUTED;
		return dst_output(net, sk, skb);
	}
	if (skb->len > ip6_skb_dst_mtu(skb) ||
	    twamp_dst_allfrag(skb_dst(skb)))
		return ipv6_stub->ipv6_fragment(net, sk, skb,
						twamp_neigh_output);
	return twamp_neigh_output(net, sk, skb);
}

static int twamp_xmit_hooked6(struct twamp_xmit *x)
{
	struct sk_buff *skb = x->skb;
	struct dst_entry *dst;
	int ret;

	ret = nf_hook(NFPROTO_IPV6, NF_INET_LOCAL_OUT, x->net, x->sk, skb,
		      NULL, skb_dst(skb)->dev, twamp_dst_output);
	if (ret != 1)
		return ret;
	if (!twamp_dst_plain6(skb))
		return dst_output(x->net, x->sk, skb);

	dst = skb_dst(skb);
	IP6_UPD_PO_STATS(x->net, ip6_dst_idev(dst), IPSTATS_MIB_OUT, skb->len);
	skb->dev = dst->dev;
	ret = nf_hook(NFPROTO_IPV6, NF_INET_POST_ROUTING, x->net, x->sk, skb,
		      NULL, dst->dev, twamp_finish_output6);
	if (ret != 1)
		return ret;
	if (dst_xfrm(dst))
		return twamp_finish_output6(x->net, x->sk, skb);
	return twamp_neigh_xmit(skb, x);
}
#endif

/**
 * twamp_xmit() - send a packet made ready by twamp_xmit_prepare4/6()
 * @x: what the prepare call filled in, and the caller's @x->ts
 *
 * Right after the caller's timestamp: straight to the neighbour layer, or
 * through the hooks and then, the timestamp written again, to it, or
 * through the ordinary IP output path (see the top of this file).
 *
 * Return: 0 or a negative errno / NET_XMIT code, as ip_local_out().
 */
int twamp_xmit(struct twamp_xmit *x)
{
	struct sk_buff *skb = x->skb;
	bool v6 = IS_ENABLED(CONFIG_IPV6) &&
		  skb->protocol == htons(ETH_P_IPV6);

	if (likely(x->direct))
		return twamp_neigh_xmit(skb, x);
	if (x->plain && x->ts) {
#if IS_ENABLED(CONFIG_IPV6)
		if (v6)
			return twamp_xmit_hooked6(x);
#endif
		return twamp_xmit_hooked4(x);
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (v6)
		return ip6_local_out(x->net, x->sk, skb);
#endif
	return ip_local_out(x->net, x->sk, skb);
}
