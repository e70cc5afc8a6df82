/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-namespace limits on objects, sessions and sender rates (limits.c).
 * Callers hold tn->lock but where noted.
 */
#ifndef _TWAMP_LIMITS_H
#define _TWAMP_LIMITS_H

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

#endif /* _TWAMP_LIMITS_H */
