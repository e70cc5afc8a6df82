/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timestamps and the namespace's clock (clock.c): T1 to T4 in the two
 * wire formats, receive times, and the RFC 4656 Error Estimate.
 */
#ifndef _TWAMP_CLOCK_H
#define _TWAMP_CLOCK_H

#include <linux/ktime.h>
#include <linux/types.h>

struct sk_buff;
struct twamp_net;

/* Clock state assumed until userspace says otherwise: unsynchronized. */
#define TWAMP_CLOCK_DEFAULT_ERROR_NS	(10 * NSEC_PER_MSEC)

void twamp_put_timestamp(void *p, ktime_t t, u8 ts_format);
ktime_t twamp_get_timestamp(const void *p, u8 ts_format);
ktime_t twamp_rx_time(struct sk_buff *skb);

u16 twamp_error_estimate(u64 error_ns, bool synced);
void twamp_clock_init(struct twamp_net *tn);
void twamp_clock_set(struct twamp_net *tn, bool synced, u64 error_ns);

#endif /* _TWAMP_CLOCK_H */
