/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows about kernel API changes after 6.1, the kernel
 * this module is written against. Each change names the release that made
 * it. There is no upper version limit: a kernel that removes or changes an
 * API the module calls fails to compile, and the compiler's error names
 * that API.
 *
 * Covered, from the upstream sources up to the mainline of 2026:
 * - skb timestamps: skb->tstamp_type (6.11), twamp_skb_clear_tstamp();
 *   reading goes through skb_tstamp(), the same in all.
 * - routes: dst_allfrag() gone (6.7), twamp_dst_allfrag().
 * - headers: <linux/unaligned.h> (6.12).
 * - generic netlink: split ops in pre_doit() (6.2), twamp_genl_pre_op.
 * - hrtimers: hrtimer_setup() (6.13; hrtimer_init() removed in 6.15),
 *   twamp_hrtimer_setup().
 * - UDP tunnels: udp_tunnel_xmit_skb() changed in 6.17, but the module
 *   does not call it (test packets leave through xmit.c); the socket
 *   calls it makes (udp_sock_create(), setup_udp_tunnel_sock(),
 *   udp_tunnel_sock_release()) build on 6.1 and 6.12.
 * - UDP tunnels: the ICMP error hook encap_err_rcv took the quoted UDP
 *   header's offset until 6.2 gave it ip_icmp_error()'s arguments,
 *   TWAMP_ENCAP_ERR_RCV().
 * - AES library: mainline added struct aes_key and keeps struct
 *   crypto_aes_ctx with aes_expandkey(), aes_encrypt() and aes_decrypt(),
 *   which the module uses.
 * Built and tested on 6.1, 6.12 and 6.12 PREEMPT_RT (docs/install.md).
 */
#ifndef _TWAMP_COMPAT_H
#define _TWAMP_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/skbuff.h>
#include <linux/version.h>
#include <net/dst.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "twamp.ko needs Linux 6.1 or later"
#endif

/* <asm/unaligned.h> moved to <linux/unaligned.h> in 6.12. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* Generic netlink's pre_doit() takes the split op since 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define twamp_genl_pre_op	genl_split_ops
#else
#define twamp_genl_pre_op	genl_ops
#endif

/*
 * skb->mono_delivery_time (one bit: tstamp is a monotonic transmit time)
 * became the two-bit skb->tstamp_type (SKB_CLOCK_REALTIME, _MONOTONIC or
 * _TAI) in 6.11. Reading needs nothing here: skb_tstamp(), in both, gives
 * the receive timestamp, or 0 when tstamp is a delivery time of any clock.
 * This clears both: no timestamp, and the next one set is a receive
 * (realtime) one.
 */
static inline void twamp_skb_clear_tstamp(struct sk_buff *skb)
{
	skb->tstamp = 0;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	skb->tstamp_type = SKB_CLOCK_REALTIME;
#else
	skb->mono_delivery_time = 0;
#endif
}

/*
 * The RTAX_FEATURE_ALLFRAG route feature (fragment every IPv6 packet,
 * set by a Packet Too Big below the minimum MTU) and dst_allfrag() were
 * removed in 6.7; since then no route asks for it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline bool twamp_dst_allfrag(const struct dst_entry *dst)
{
	return false;
}
#else
#define twamp_dst_allfrag(dst)	dst_allfrag(dst)
#endif

/*
 * hrtimer_setup(), which takes the callback, came in 6.13; hrtimer_init()
 * and setting timer->function directly went in 6.15.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define twamp_hrtimer_setup	hrtimer_setup
#else
static inline void
twamp_hrtimer_setup(struct hrtimer *timer,
		    enum hrtimer_restart (*function)(struct hrtimer *),
		    clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * A UDP tunnel socket's ICMP error hook, encap_err_rcv (6.0), took the
 * offset from skb->data (the quoted IP header) to the quoted UDP header
 * until 6.2 ("net: Change the udp encap_err_rcv to allow use of
 * {ip,ipv6}_icmp_error()") gave it ip_icmp_error()'s arguments instead,
 * among them the payload after that header. Both are called the same way
 * on 6.1 and 6.12 otherwise: from the UDP error handler, in softirq under
 * RCU, for every ICMP or ICMPv6 error but redirect and source quench
 * about a datagram the socket sent. TWAMP_ENCAP_ERR_RCV(name, fn) defines
 * the hook @name, which calls
 *	void fn(struct sock *sk, struct sk_buff *skb, unsigned int udp_offset)
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define TWAMP_ENCAP_ERR_RCV(name, fn)					\
static void name(struct sock *sk, struct sk_buff *skb, int err,	\
		 __be16 port, u32 info, u8 *payload)			\
{									\
	fn(sk, skb, payload - skb->data - sizeof(struct udphdr));	\
}
#else
#define TWAMP_ENCAP_ERR_RCV(name, fn)					\
static void name(struct sock *sk, struct sk_buff *skb,			\
		 unsigned int udp_offset)				\
{									\
	fn(sk, skb, udp_offset);					\
}
#endif

#endif /* _TWAMP_COMPAT_H */
