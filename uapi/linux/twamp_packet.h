/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * On-the-wire layouts of TWAMP-Test (RFC 5357 section 4) and STAMP
 * (RFC 8762, TLVs from RFC 8972) test packets: the UDP payload only. One
 * definition shared by the kernel module, the daemon, the CLI and the tests,
 * so none of them can disagree about an offset. All fields are big-endian.
 */
#ifndef _UAPI_LINUX_TWAMP_PACKET_H
#define _UAPI_LINUX_TWAMP_PACKET_H

#include <linux/types.h>

/* Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
#define TWAMP_NTP_UNIX_OFFSET	2208988800ULL

/* NTP: seconds and 2^-32 fractions; PTPv2 truncated: seconds and ns. */
struct twamp_timestamp {
	__be32 sec;
	__be32 frac;
};

/* Error Estimate (RFC 4656 4.1.2, Z bit from RFC 8186 / RFC 8762). */
#define TWAMP_EE_S		0x8000	/* synchronized to UTC */
#define TWAMP_EE_Z		0x4000	/* timestamps are PTP, not NTP */
#define TWAMP_EE_SCALE_MASK	0x3f00
#define TWAMP_EE_SCALE_SHIFT	8
#define TWAMP_EE_MULT_MASK	0x00ff

/* Unauthenticated TWAMP-Test Session-Sender packet; padding follows. */
struct twamp_test_sender {
	__be32 seq;
	struct twamp_timestamp ts;
	__be16 error_estimate;
} __attribute__((packed));

#define TWAMP_SENDER_SIZE	14

/*
 * Unauthenticated reflector packet. In TWAMP the padding starts right after
 * sender_ttl (41 octets); STAMP keeps three more MBZ octets (44), and
 * mbz_ssid carries the SSID (RFC 8972).
 */
struct twamp_test_reflector {
	__be32 seq;
	struct twamp_timestamp ts;		/* T3 */
	__be16 error_estimate;
	__be16 mbz_ssid;
	struct twamp_timestamp rx_ts;		/* T2 */
	__be32 sender_seq;
	struct twamp_timestamp sender_ts;	/* T1 */
	__be16 sender_error_estimate;
	__be16 mbz;
	__u8 sender_ttl;
} __attribute__((packed));

#define TWAMP_REFLECTOR_SIZE	41

/* Unauthenticated STAMP Session-Sender packet (RFC 8762 4.2.1). */
struct stamp_test_sender {
	__be32 seq;
	struct twamp_timestamp ts;
	__be16 error_estimate;
	__be16 ssid;
	__u8 mbz[28];
} __attribute__((packed));

#define STAMP_BASE_SIZE		44	/* sender and reflector alike */

/* RFC 8972 TLV header; Length counts the Value only. */
struct stamp_tlv {
	__u8 flags;
	__u8 type;
	__be16 length;
} __attribute__((packed));

#define STAMP_TLV_U		0x80	/* unrecognized */
#define STAMP_TLV_M		0x40	/* malformed */
#define STAMP_TLV_I		0x20	/* integrity (HMAC) failed */

/*
 * Authenticated and encrypted TWAMP-Test packets (RFC 5357 4.1.2, 4.2.1).
 * The reflector header is 112 octets: the RFC's text says 104, its figure
 * and every implementation use 112 (docs/interop.md).
 */
struct twamp_test_sender_auth {
	__be32 seq;
	__u8 mbz1[12];
	struct twamp_timestamp ts;
	__be16 error_estimate;
	__u8 mbz2[6];
	__u8 hmac[16];
} __attribute__((packed));

#define TWAMP_SENDER_AUTH_SIZE		48

struct twamp_test_reflector_auth {
	__be32 seq;
	__u8 mbz1[12];
	struct twamp_timestamp ts;		/* T3 */
	__be16 error_estimate;
	__u8 mbz2[6];
	struct twamp_timestamp rx_ts;		/* T2 */
	__u8 mbz3[8];
	__be32 sender_seq;
	__u8 mbz4[12];
	struct twamp_timestamp sender_ts;	/* T1 */
	__be16 sender_error_estimate;
	__u8 mbz5[6];
	__u8 sender_ttl;
	__u8 mbz6[15];
	__u8 hmac[16];
} __attribute__((packed));

#define TWAMP_REFLECTOR_AUTH_SIZE	112

/* Test-packet crypto: AES-128, HMAC-SHA1 truncated to 16 octets. */
#define TWAMP_AES_KEY_LEN		16
#define TWAMP_HMAC_KEY_LEN		32
#define TWAMP_HMAC_LEN			16
/* Octets covered by the HMAC (and encrypted, in encrypted mode). */
#define TWAMP_AUTH_PROTECTED		16	/* authenticated: block 0 */
#define TWAMP_SENDER_ENC_PROTECTED	32	/* encrypted sender packet */
#define TWAMP_REFLECTOR_ENC_PROTECTED	96	/* encrypted reflector packet */

enum stamp_tlv_type {
	STAMP_TLV_EXTRA_PADDING		= 1,
	STAMP_TLV_LOCATION		= 2,
	STAMP_TLV_TIMESTAMP_INFO	= 3,
	STAMP_TLV_COS			= 4,
	STAMP_TLV_DIRECT_MEASUREMENT	= 5,
	STAMP_TLV_ACCESS_REPORT		= 6,
	STAMP_TLV_FOLLOW_UP		= 7,
	STAMP_TLV_HMAC			= 8,
};

#endif /* _UAPI_LINUX_TWAMP_PACKET_H */
