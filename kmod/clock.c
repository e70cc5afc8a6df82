// SPDX-License-Identifier: GPL-2.0
/*
 * Clock state of a namespace and the RFC 4656 Error Estimate derived from it.
 */

#include <linux/math64.h>
#include <linux/ktime.h>
#include <linux/skbuff.h>

#include <linux/twamp_packet.h>

#include "clock.h"
#include "compat.h"
#include "twamp.h"

#define TWAMP_EE_SYNC		0x8000
#define TWAMP_EE_SCALE_MAX	63
#define TWAMP_EE_MULT_MAX	255

/**
 * twamp_error_estimate() - encode an error bound as an Error Estimate
 * @error_ns: bound on the clock error in nanoseconds
 * @synced: clock synchronized to UTC by an external source (S bit)
 *
 * The error is Multiplier * 2^(Scale - 32) seconds (RFC 4656 4.1.2). The
 * encoding rounds up, so it never claims more accuracy than @error_ns, and
 * the Multiplier is never zero, which receivers treat as corrupt.
 * The Z bit (timestamp format) is left clear for the caller to set.
 *
 * Return: the 16-bit Error Estimate in host byte order.
 */
u16 twamp_error_estimate(u64 error_ns, bool synced)
{
	unsigned int scale = 0;
	u64 mult;

	/* Keep error_ns << 32 within 64 bits; each halving is one scale step. */
	while (error_ns > U32_MAX) {
		/* halve, rounding up, without overflowing at U64_MAX */
		error_ns = (error_ns >> 1) + (error_ns & 1);
		scale++;
	}
	mult = DIV_ROUND_UP_ULL(error_ns << 32, NSEC_PER_SEC);
	while (mult > TWAMP_EE_MULT_MAX) {
		mult = DIV_ROUND_UP_ULL(mult, 2);
		scale++;
	}
	if (scale > TWAMP_EE_SCALE_MAX) {
		scale = TWAMP_EE_SCALE_MAX;
		mult = TWAMP_EE_MULT_MAX;
	}
	if (!mult)
		mult = 1;

	return (synced ? TWAMP_EE_SYNC : 0) | scale << 8 | mult;
}

void twamp_clock_init(struct twamp_net *tn)
{
	twamp_clock_set(tn, false, TWAMP_CLOCK_DEFAULT_ERROR_NS);
}

/* Caller holds tn->lock, or owns tn exclusively (namespace init). */
void twamp_clock_set(struct twamp_net *tn, bool synced, u64 error_ns)
{
	tn->clock_synced = synced;
	tn->clock_error_ns = error_ns;
	WRITE_ONCE(tn->error_estimate, twamp_error_estimate(error_ns, synced));
}

/* TAI - UTC as the kernel knows it (0 until set through adjtimex). */
static s64 twamp_tai_offset_ns(void)
{
	return ktime_to_ns(ktime_sub(ktime_mono_to_any(0, TK_OFFS_TAI),
				     ktime_mono_to_any(0, TK_OFFS_REAL)));
}

/**
 * twamp_put_timestamp() - write a TWAMP timestamp
 * @p: where, 8 octets, any alignment
 * @t: the time on the CLOCK_REALTIME scale
 * @ts_format: TWAMP_TS_NTP (seconds since 1900, 2^-32 s fractions) or
 *             TWAMP_TS_PTP (TAI seconds and nanoseconds since 1970)
 */
void twamp_put_timestamp(void *p, ktime_t t, u8 ts_format)
{
	u64 ns = ktime_to_ns(t);
	u64 sec;
	u32 rem;

	if (ts_format == TWAMP_TS_PTP) {
		ns += twamp_tai_offset_ns();
		sec = div_u64_rem(ns, NSEC_PER_SEC, &rem);
		put_unaligned_be32((u32)sec, p);
		put_unaligned_be32(rem, p + 4);
		return;
	}

	sec = div_u64_rem(ns, NSEC_PER_SEC, &rem) + TWAMP_NTP_UNIX_OFFSET;
	put_unaligned_be32((u32)sec, p);
	put_unaligned_be32((u32)div_u64((u64)rem << 32, NSEC_PER_SEC), p + 4);
}

/**
 * twamp_get_timestamp() - read a TWAMP timestamp
 * @p: 8 octets, any alignment
 * @ts_format: the format its Error Estimate's Z bit says it is in
 *
 * Return: the time on the CLOCK_REALTIME scale. NTP seconds are taken to
 * be in the era that began in 1900.
 */
ktime_t twamp_get_timestamp(const void *p, u8 ts_format)
{
	u64 sec = get_unaligned_be32(p);
	u32 sub = get_unaligned_be32(p + 4);

	if (ts_format == TWAMP_TS_PTP)
		return ns_to_ktime(sec * NSEC_PER_SEC + sub -
				   twamp_tai_offset_ns());
	return ns_to_ktime((s64)(sec - TWAMP_NTP_UNIX_OFFSET) * NSEC_PER_SEC +
			   (((u64)sub * NSEC_PER_SEC) >> 32));
}

/**
 * twamp_rx_time() - when a packet arrived
 * @skb: a received packet
 *
 * Return: the device's hardware receive timestamp when it took one, else
 * the stack's software receive timestamp, else the current time.
 */
ktime_t twamp_rx_time(struct sk_buff *skb)
{
	ktime_t hw = skb_hwtstamps(skb)->hwtstamp, sw;

	if (hw)
		return hw;
	/* A delivery time is a transmit schedule, not an arrival. */
	sw = skb_tstamp(skb);
	if (sw)
		return sw;
	return ktime_get_real();
}
