/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-packet logic that does not depend on where it runs: the RFC 4656
 * Error Estimate and the reflector's walk over STAMP TLVs (RFC 8972).
 * Freestanding C (no libc beyond its types) so that the kernel could
 * compile common/twpkt.c as it is; userspace uses it through the control
 * library (build/common/libtwcontrol.a).
 */
#ifndef TWAMP_TWPKT_H
#define TWAMP_TWPKT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

/*
 * The Error Estimate of a bound of @error_ns on the clock's error: S when
 * @synced, Z clear (NTP timestamps; the caller sets it), Scale and
 * Multiplier rounded up so that it never claims more accuracy than
 * @error_ns, Multiplier never 0 (which receivers take for corrupt).
 * Host byte order. kmod/clock.c's twamp_error_estimate() computes the same.
 */
uint16_t twpkt_ee_encode(uint64_t error_ns, bool synced);

/*
 * The error an Error Estimate states, Multiplier * 2^(Scale - 32) s, in
 * nanoseconds rounded up; UINT64_MAX when it does not fit, 0 for a
 * Multiplier of 0. The S and Z bits are ignored.
 */
uint64_t twpkt_ee_decode_ns(uint16_t ee);

/*
 * The reflector's pass over the TLVs of a STAMP request (RFC 8972 section
 * 4), in place, @len octets at @p (the packet after its 44-octet base):
 * every TLV comes back, U cleared on the one implemented (Extra Padding)
 * and set on the others; M set on a TLV whose Length runs past @len, and
 * the walk stops there. Fewer than 4 octets left are not a TLV and stay
 * as they are. Returns the number of TLV headers it marked.
 */
unsigned int twpkt_stamp_tlvs_reflect(uint8_t *p, size_t len);

#endif /* TWAMP_TWPKT_H */
