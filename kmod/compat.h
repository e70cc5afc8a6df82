/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows about kernel API changes after 6.1, the kernel
 * this module is written against. A kernel whose API this file does not
 * cover must fail to build here, with a message, not load and misbehave.
 */
#ifndef _TWAMP_COMPAT_H
#define _TWAMP_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "twamp.ko needs Linux 6.1 or later"
#endif

/* Sender statistics keep a 128-bit sum of squares. */
#ifndef CONFIG_ARCH_SUPPORTS_INT128
#error "twamp.ko needs an architecture with 128-bit integers (CONFIG_ARCH_SUPPORTS_INT128)"
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
 * udp_tunnel_xmit_skb() gained an IP-ID/flags parameter in 6.17; the
 * reflector is not yet ported to it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#error "twamp.ko has not been ported to the udp_tunnel API of Linux 6.17+"
#endif

#endif /* _TWAMP_COMPAT_H */
