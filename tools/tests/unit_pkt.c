// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of common/twpkt.c: the Error Estimate encoding against
 * known answers and its decoding (never more accuracy than asked for), and
 * the STAMP TLV walk on well-formed and malformed TLV sequences: zero
 * Length, a Length past the end, a partial header, thousands of tiny TLVs.
 * Linked into build/unit-control with the library; unit_control.c's main()
 * calls unit_pkt() and adds its counts to the KTAP stream.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/twamp_packet.h>

#include "twpkt.h"
#include "unit_check.h"

void unit_pkt(int *test_no, int *failed);

static int *no, *nfailed;

#define CHECK(name, cond) UNIT_CHECK(*no, *nfailed, name, cond)


static void test_ee_known(void)
{
	static const struct {
		uint64_t ns;
		bool synced;
		uint16_t ee;
	} v[] = {
		/* 0 still gets Multiplier 1: 0 means corrupt */
		{ 0, false, 0x0001 },
		/* 1 ns rounds up to 2^-32 s (0.23 ns would claim too much) */
		{ 1, false, 0x0005 },
		/* 1 s: 128 * 2^(25 - 32) */
		{ 1000000000, true, 0x8000 | 25 << 8 | 128 },
		/* 1 ms synchronized, docs/ureflect.md's example */
		{ 1000000, true, 0x8f84 },
		/* 10 ms, kmod's and ureflect's unsynchronized default */
		{ 10000000, false, 0x0000 | 18 << 8 | 164 },
		/* the largest bound: 138 * 2^27 s, rounded up */
		{ UINT64_MAX, false, 59 << 8 | 138 },
		{ UINT64_MAX, true, 0x8000 | 59 << 8 | 138 },
	};
	char name[96];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		uint16_t ee = twpkt_ee_encode(v[i].ns, v[i].synced);

		snprintf(name, sizeof(name),
			 "ee: %llu ns%s encodes as 0x%04x (got 0x%04x)",
			 (unsigned long long)v[i].ns,
			 v[i].synced ? " synced" : "", v[i].ee, ee);
		CHECK(name, ee == v[i].ee);
	}
}

static void test_ee_decode(void)
{
	CHECK("ee decode: Multiplier 0 is 0", twpkt_ee_decode_ns(0x3f00) == 0);
	CHECK("ee decode: 1 * 2^-32 s rounds up to 1 ns",
	      twpkt_ee_decode_ns(0x0001) == 1);
	CHECK("ee decode: 128 * 2^-7 s is 1 s",
	      twpkt_ee_decode_ns(25 << 8 | 128) == 1000000000);
	CHECK("ee decode: S and Z bits ignored",
	      twpkt_ee_decode_ns(TWAMP_EE_S | TWAMP_EE_Z | 25 << 8 | 128) ==
	      1000000000);
	CHECK("ee decode: 1 * 2^0 s (Scale 32)",
	      twpkt_ee_decode_ns(32 << 8 | 1) == 1000000000);
	CHECK("ee decode: 3 * 2^24 s fits",
	      twpkt_ee_decode_ns(56 << 8 | 3) == 3000000000ULL << 24);
	CHECK("ee decode: 255 * 2^31 s saturates",
	      twpkt_ee_decode_ns(63 << 8 | 255) == UINT64_MAX);
	CHECK("ee decode: the encoding of the largest bound saturates",
	      twpkt_ee_decode_ns(59 << 8 | 138) == UINT64_MAX);
}

/*
 * decode(encode(x)) is never below x (no more accuracy claimed than
 * there is), and not far above: within 1/128 plus the rounding of the
 * halvings once the Multiplier is normalized.
 */
static void test_ee_roundtrip(void)
{
	uint64_t x, lo_bad = 0, hi_bad = 0, n = 0;
	unsigned int i, shift;

	for (shift = 0; shift < 64; shift++) {
		for (i = 0; i < 64; i++) {
			uint64_t d, slack;

			x = (1ULL << shift) + (uint64_t)i * ((1ULL << shift) / 37 + 1);
			if (x < (1ULL << shift))	/* wrapped */
				continue;
			d = twpkt_ee_decode_ns(twpkt_ee_encode(x, false));
			slack = x / 64 + 2;
			n++;
			if (d < x)
				lo_bad++;
			else if (x > 1000 && d - x > slack && d != UINT64_MAX)
				hi_bad++;
		}
	}
	CHECK("ee round trip: never below the bound", n > 3000 && !lo_bad);
	CHECK("ee round trip: within 1/64 above it", !hi_bad);
}

static void tlv_put(uint8_t *p, uint8_t flags, uint8_t type, uint16_t len)
{
	p[0] = flags;
	p[1] = type;
	p[2] = len >> 8;
	p[3] = len;
}

static void test_tlv_wellformed(void)
{
	uint8_t b[64], want[64];
	unsigned int n;

	memset(b, 0xaa, sizeof(b));
	/* Extra Padding (U cleared), Location (U set), HMAC of 0 Length */
	tlv_put(b, STAMP_TLV_U, STAMP_TLV_EXTRA_PADDING, 8);
	tlv_put(b + 12, 0, STAMP_TLV_LOCATION, 4);
	tlv_put(b + 20, 0, STAMP_TLV_HMAC, 0);
	memcpy(want, b, sizeof(want));
	want[0] = 0;
	want[12] = STAMP_TLV_U;
	want[20] = STAMP_TLV_U;
	n = twpkt_stamp_tlvs_reflect(b, 24);
	CHECK("tlv: three TLVs walked", n == 3);
	CHECK("tlv: U cleared on Extra Padding, set on the others, values kept",
	      !memcmp(b, want, sizeof(b)));

	/* exactly to the end, then nothing */
	memset(b, 0, sizeof(b));
	tlv_put(b, 0, STAMP_TLV_EXTRA_PADDING, 60);
	n = twpkt_stamp_tlvs_reflect(b, 64);
	CHECK("tlv: a TLV filling the rest exactly is not malformed",
	      n == 1 && b[0] == 0);

	CHECK("tlv: nothing to walk in 0 octets",
	      twpkt_stamp_tlvs_reflect(b, 0) == 0);
}

static void test_tlv_malformed(void)
{
	uint8_t b[64], want[64];
	unsigned int n;

	/* Length one past the end: M, and the walk stops there */
	memset(b, 0x55, sizeof(b));
	tlv_put(b, 0, STAMP_TLV_EXTRA_PADDING, 4);
	tlv_put(b + 8, 0, STAMP_TLV_COS, 9);
	memcpy(want, b, sizeof(want));
	want[0] = 0;
	want[8] = STAMP_TLV_M;
	n = twpkt_stamp_tlvs_reflect(b, 20);
	CHECK("tlv: Length one past the end marked M",
	      n == 2 && !memcmp(b, want, sizeof(b)));

	/* Length 0xffff in a short packet: nothing read or written past */
	memset(b, 0, sizeof(b));
	tlv_put(b, 0, STAMP_TLV_TIMESTAMP_INFO, 0xffff);
	n = twpkt_stamp_tlvs_reflect(b, 4);
	CHECK("tlv: Length 65535 in 4 octets marked M, U left alone",
	      n == 1 && b[0] == STAMP_TLV_M);

	/* 1 to 3 octets: not a TLV, left untouched */
	memset(b, 0x11, sizeof(b));
	tlv_put(b, 0, STAMP_TLV_LOCATION, 0);
	n = twpkt_stamp_tlvs_reflect(b, 7);
	CHECK("tlv: a partial header after a TLV is left as it is",
	      n == 1 && b[0] == STAMP_TLV_U && b[4] == 0x11 && b[5] == 0x11 &&
	      b[6] == 0x11);
	memset(b, 0x11, sizeof(b));
	n = twpkt_stamp_tlvs_reflect(b, 3);
	CHECK("tlv: 3 octets are no TLV", n == 0 && b[0] == 0x11);

	/* a TLV after the malformed one is not looked at */
	memset(b, 0, sizeof(b));
	tlv_put(b, 0, STAMP_TLV_LOCATION, 20);
	tlv_put(b + 4, 0, STAMP_TLV_LOCATION, 0);
	n = twpkt_stamp_tlvs_reflect(b, 16);
	CHECK("tlv: nothing inside a malformed TLV is walked",
	      n == 1 && b[0] == STAMP_TLV_M && b[4] == 0);
}

/* The most TLVs a packet can carry: every one of 0 Length, 4 octets. */
static void test_tlv_many(void)
{
	size_t len = 65532, i, bad = 0;
	unsigned int n;
	uint8_t *b = malloc(len);

	if (!b) {
		CHECK("tlv: many tiny TLVs (out of memory)", false);
		return;
	}
	for (i = 0; i < len; i += 4)
		tlv_put(b + i, STAMP_TLV_I, i % 8 ? STAMP_TLV_EXTRA_PADDING :
			STAMP_TLV_COS, 0);
	n = twpkt_stamp_tlvs_reflect(b, len);
	for (i = 0; i < len; i += 4) {
		uint8_t want = i % 8 ? STAMP_TLV_I : STAMP_TLV_I | STAMP_TLV_U;

		if (b[i] != want || b[i + 2] || b[i + 3])
			bad++;
	}
	CHECK("tlv: 16383 TLVs of Length 0 all walked", n == len / 4);
	CHECK("tlv: each marked, other flags and Lengths kept", !bad);
	free(b);
}

void unit_pkt(int *test_no, int *failed)
{
	no = test_no;
	nfailed = failed;
	test_ee_known();
	test_ee_decode();
	test_ee_roundtrip();
	test_tlv_wellformed();
	test_tlv_malformed();
	test_tlv_many();
}
