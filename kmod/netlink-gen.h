/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/twamp.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_TWAMP_GEN_H
#define _LINUX_TWAMP_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/twamp.h>
#include <twamp.h>
#include <linux/twamp_packet.h>

/* Common nested types */
extern const struct nla_policy twamp_clock_set_input_nl_policy[TWAMP_A_CLOCK_ERROR_NS + 1];
extern const struct nla_policy twamp_prefix_nl_policy[TWAMP_A_PREFIX_LEN + 1];
extern const struct nla_policy twamp_reflector_id_input_nl_policy[TWAMP_A_REFLECTOR_ID + 1];
extern const struct nla_policy twamp_reflector_new_input_nl_policy[TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT + 1];
extern const struct nla_policy twamp_sender_id_input_nl_policy[TWAMP_A_SENDER_ID + 1];
extern const struct nla_policy twamp_sender_new_input_nl_policy[TWAMP_A_SENDER_HMAC_KEY + 1];
extern const struct nla_policy twamp_session_id_input_nl_policy[TWAMP_A_SESSION_ID + 1];
extern const struct nla_policy twamp_session_new_input_nl_policy[TWAMP_A_SESSION_HMAC_KEY + 1];

extern const struct nla_policy twamp_clock_set_nl_policy[TWAMP_A_CLOCK + 1];

extern const struct nla_policy twamp_reflector_new_nl_policy[TWAMP_A_REFLECTOR + 1];

extern const struct nla_policy twamp_reflector_del_nl_policy[TWAMP_A_REFLECTOR + 1];

extern const struct nla_policy twamp_reflector_get_nl_policy[TWAMP_A_REFLECTOR + 1];

extern const struct nla_policy twamp_session_new_nl_policy[TWAMP_A_SESSION + 1];

extern const struct nla_policy twamp_session_del_nl_policy[TWAMP_A_SESSION + 1];

extern const struct nla_policy twamp_session_get_nl_policy[TWAMP_A_SESSION + 1];

extern const struct nla_policy twamp_sender_new_nl_policy[TWAMP_A_SENDER + 1];

extern const struct nla_policy twamp_sender_start_nl_policy[TWAMP_A_SENDER + 1];

extern const struct nla_policy twamp_sender_stop_nl_policy[TWAMP_A_SENDER + 1];

extern const struct nla_policy twamp_sender_del_nl_policy[TWAMP_A_SENDER + 1];

extern const struct nla_policy twamp_sender_get_nl_policy[TWAMP_A_SENDER + 1];

/* Ops table for twamp */
extern const struct genl_ops twamp_nl_ops[14];

int twamp_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_clock_get_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_clock_set_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_reflector_new_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_reflector_del_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_reflector_get_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_reflector_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int twamp_nl_session_new_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_session_del_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_session_get_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_session_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int twamp_nl_sender_new_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_sender_start_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_sender_stop_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_sender_del_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_sender_get_doit(struct sk_buff *skb, struct genl_info *info);
int twamp_nl_sender_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);

enum {
	TWAMP_NLGRP_RESULTS,
};

extern const struct genl_multicast_group twamp_nl_mcgrps[1];

#endif /* _LINUX_TWAMP_GEN_H */
