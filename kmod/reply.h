/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reflector's reply (reply.c): what the receive hook (rx.c) hands it.
 */
#ifndef _TWAMP_REPLY_H
#define _TWAMP_REPLY_H

#include <linux/in6.h>
#include <linux/ktime.h>
#include <linux/socket.h>
#include <linux/types.h>

#include "stats.h"

struct sk_buff;
struct sock;
struct twamp_reflector;
struct twamp_session;

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

enum twamp_counter twamp_reply(struct twamp_reflector *r,
			       struct twamp_session *s, struct sock *sk,
			       struct sk_buff *skb, const struct twamp_rx *rx,
			       unsigned int len, ktime_t t2);

#endif /* _TWAMP_REPLY_H */
