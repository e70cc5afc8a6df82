/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the netlink files share: netlink.c (the family, pre_doit and
 * post_doit, info and clock), nl_reflector.c, nl_session.c and
 * nl_sender.c (one object kind each). Their handlers are declared by the
 * generated netlink-gen.h.
 */
#ifndef _TWAMP_NL_H
#define _TWAMP_NL_H

#include <net/genetlink.h>

#include "stats.h"
#include "twamp.h"

struct twamp_crypto;

extern struct genl_family twamp_nl_family;

/*
 * The highest attribute type of a generated nested policy: the last
 * attribute the operation takes, which may be below the nest's maximum.
 * nla_parse_nested() then clears tb only up to it: the handlers' tb, of the
 * nest's whole space, start cleared.
 */
#define TWAMP_NL_MAXTYPE(policy)	(ARRAY_SIZE(policy) - 1)

/*
 * The namespace whose lock pre_doit holds for an operation on one object
 * (user_ptr[0] is the object, user_ptr[1] the namespace); NULL for the
 * others.
 */
static inline struct twamp_net *twamp_nl_target_net(struct genl_info *info)
{
	return info->user_ptr[1];
}

struct sk_buff *twamp_nl_reply_new(struct genl_info *info, void **hdr);
int twamp_nl_put_counters_sum(struct sk_buff *msg, int attr,
			      const u64 sum[__TWAMP_CNT_MAX]);
int twamp_nl_put_counters(struct sk_buff *msg, int attr,
			  struct twamp_pcpu_counters __percpu *pc);
struct twamp_crypto *twamp_nl_parse_crypto(struct nlattr *security,
					   struct nlattr *aes_key,
					   struct nlattr *hmac_key,
					   struct netlink_ext_ack *extack);

/* The family and the URELEASE notifier, at module init and exit (main.c). */
int twamp_nl_register(void);
void twamp_nl_unregister(void);

#endif /* _TWAMP_NL_H */
