/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-namespace limits on objects, sessions and sender rates, and a
 * reflector's per-source rate limit (limits.c). Callers of the
 * per-namespace ones hold tn->lock but where noted.
 */
#ifndef _TWAMP_LIMITS_H
#define _TWAMP_LIMITS_H

#include <linux/spinlock.h>
#include <linux/types.h>

struct netlink_ext_ack;
struct sk_buff;
struct twamp_net;
struct twamp_sender;

int twamp_limits_object(struct twamp_net *tn, struct netlink_ext_ack *extack);
int twamp_limits_sender(struct twamp_net *tn, struct twamp_sender *s,
			const struct sk_buff *skb,
			struct netlink_ext_ack *extack);
bool twamp_limits_session_get(struct twamp_net *tn);	/* any context */
void twamp_limits_session_put(struct twamp_net *tn);	/* any context */
void twamp_limits_session_msg(struct netlink_ext_ack *extack);
int twamp_limits_fill(struct sk_buff *msg, struct twamp_net *tn,
		      const struct sk_buff *skb);	/* takes tn->lock */

/*
 * A reflector's per-source rate limit: a token bucket per hash slot of
 * source addresses.
 */
struct twamp_rate_bucket {
	/* protects the two fields below */
	spinlock_t lock;
	u64 last_ns;
	u64 credit;
};

#define TWAMP_RATE_BUCKETS	256

struct twamp_rate_bucket *twamp_rate_alloc(u32 rate);
bool twamp_rate_ok(struct twamp_rate_bucket *buckets, u32 rate, u32 hash);

#endif /* _TWAMP_LIMITS_H */
