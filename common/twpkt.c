// SPDX-License-Identifier: GPL-2.0
/*
 * Test-packet logic shared by the userspace programs (twpkt.h): Error
 * Estimates and the STAMP TLV walk. Written to compile freestanding and
 * in the kernel: no libc, no allocation, no floating point, and the one
 * 64-bit division through div_u64() there (32-bit kernels have no
 * __udivdi3).
 */

#ifdef __KERNEL__
#include <linux/limits.h>
#include <linux/math64.h>
#define twpkt_div_u64(n, d)	div_u64(n, d)
#define TWPKT_U32_MAX		U32_MAX
#define TWPKT_U64_MAX		U64_MAX
#else
#define twpkt_div_u64(n, d)	((n) / (d))
#define TWPKT_U32_MAX		UINT32_MAX
#define TWPKT_U64_MAX		UINT64_MAX
#endif

#include <linux/twamp_packet.h>

#include "twpkt.h"

#define TWPKT_NSEC_PER_SEC	1000000000U
#define TWPKT_EE_SCALE_MAX	63
#define TWPKT_EE_MULT_MAX	255

uint16_t twpkt_ee_encode(uint64_t error_ns, bool synced)
{
	unsigned int scale = 0;
	uint64_t mult;

	/* Keep error_ns << 32 within 64 bits; each halving is one scale step. */
	while (error_ns > TWPKT_U32_MAX) {
		/* halve, rounding up, without overflowing at 2^64 - 1 */
		error_ns = (error_ns >> 1) + (error_ns & 1);
		scale++;
	}
	mult = twpkt_div_u64((error_ns << 32) + TWPKT_NSEC_PER_SEC - 1,
			     TWPKT_NSEC_PER_SEC);
	while (mult > TWPKT_EE_MULT_MAX) {
		mult = (mult + 1) / 2;
		scale++;
	}
	if (scale > TWPKT_EE_SCALE_MAX) {
		scale = TWPKT_EE_SCALE_MAX;
		mult = TWPKT_EE_MULT_MAX;
	}
	if (!mult)
		mult = 1;
	return (synced ? TWAMP_EE_S : 0) | scale << TWAMP_EE_SCALE_SHIFT | mult;
}

uint64_t twpkt_ee_decode_ns(uint16_t ee)
{
	unsigned int scale = (ee & TWAMP_EE_SCALE_MASK) >> TWAMP_EE_SCALE_SHIFT;
	/* below 2^38: 255 * 10^9 */
	uint64_t ns = (uint64_t)(ee & TWAMP_EE_MULT_MASK) * TWPKT_NSEC_PER_SEC;
	unsigned int shift;

	if (scale >= 32) {
		shift = scale - 32;
		if (ns > TWPKT_U64_MAX >> shift)
			return TWPKT_U64_MAX;
		return ns << shift;
	}
	shift = 32 - scale;
	return (ns + ((1ULL << shift) - 1)) >> shift;
}

static uint16_t twpkt_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

unsigned int twpkt_stamp_tlvs_reflect(uint8_t *p, size_t len)
{
	unsigned int n = 0;

	while (len >= sizeof(struct stamp_tlv)) {
		struct stamp_tlv *tlv = (struct stamp_tlv *)p;
		size_t vlen = twpkt_get_be16(p + 2);

		n++;
		if (vlen > len - sizeof(*tlv)) {
			tlv->flags |= STAMP_TLV_M;
			break;
		}
		if (tlv->type == STAMP_TLV_EXTRA_PADDING)
			tlv->flags &= ~STAMP_TLV_U;
		else
			tlv->flags |= STAMP_TLV_U;
		p += sizeof(*tlv) + vlen;
		len -= sizeof(*tlv) + vlen;
	}
	return n;
}
