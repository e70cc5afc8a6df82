/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of every test packet (xmit.c), for the reflector's replies and
 * the sender's requests: headers, hooks, neighbour, and the timestamp
 * written last.
 */
#ifndef _TWAMP_XMIT_H
#define _TWAMP_XMIT_H

#include <linux/in6.h>
#include <linux/types.h>

struct dst_entry;
struct net;
struct rtable;
struct sk_buff;
struct sock;

/**
 * struct twamp_xmit - a test packet between its headers and its timestamp
 * @skb: the packet, data at the IP header
 * @sk: the socket it is sent for
 * @net: its namespace
 * @direct: no netfilter hook to run: straight to the neighbour layer
 * @plain: its route needs nothing of IP output but hooks and neighbour
 * @ts: set by the caller: the timestamp to write again right before the
 *      link layer, NULL if it must not be (a sealed packet)
 * @ts_format: TWAMP_TS_NTP or TWAMP_TS_PTP, for @ts
 * @t_ns: set by the caller: where the time written to @ts goes, or NULL
 */
struct twamp_xmit {
	struct sk_buff *skb;
	struct sock *sk;
	struct net *net;
	bool direct;
	bool plain;
	u8 *ts;
	u8 ts_format;
	u64 *t_ns;
};

void twamp_xmit_prepare4(struct twamp_xmit *x, struct sock *sk,
			 struct sk_buff *skb, struct rtable *rt,
			 __be32 saddr, __be32 daddr, u8 tos, u8 ttl,
			 __be16 sport, __be16 dport);
void twamp_xmit_prepare6(struct twamp_xmit *x, struct sock *sk,
			 struct sk_buff *skb, struct dst_entry *dst,
			 const struct in6_addr *saddr,
			 const struct in6_addr *daddr, u8 tclass, u8 hlim,
			 __be16 sport, __be16 dport);
int twamp_xmit(struct twamp_xmit *x);

#endif /* _TWAMP_XMIT_H */
