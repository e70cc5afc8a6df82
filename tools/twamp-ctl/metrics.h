/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sender statistics and per-packet results as plain values, and their human
 * and JSON forms. Nothing here talks netlink, so the host unit tests link
 * metrics.c with util.c alone.
 */
#ifndef TWAMP_CTL_METRICS_H
#define TWAMP_CTL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/twamp.h>

#define NSEC_PER_USEC	((uint64_t)1000)
#define NSEC_PER_MSEC	((uint64_t)1000000)
#define NSEC_PER_SEC	((uint64_t)1000000000)

/* Largest UDP payload over IPv4, and so the largest test packet. */
#define MAX_TEST_SIZE	65507

/* TWAMP_A_STATS_* values; has[i] is false where the kernel left one out. */
struct twamp_stats {
	bool has[TWAMP_A_STATS_MAX + 1];
	uint64_t v[TWAMP_A_STATS_MAX + 1];
};

/*
 * One per-packet record: TWAMP_A_RESULT_* values, likewise; with an ICMP
 * error, who sent it (icmp_family 0: the kernel did not say).
 */
struct twamp_result {
	bool has[TWAMP_A_RESULT_MAX + 1];
	uint64_t v[TWAMP_A_RESULT_MAX + 1];
	int icmp_family;
	unsigned char icmp_from[16];
};

/* Names of ABI enums as the CLI spells them; "?" for unknown values. */
const char *format_str(unsigned int format);	/* "light", "stamp" */
const char *format_title(unsigned int format);	/* "TWAMP Light", "STAMP" */
const char *ts_format_str(unsigned int ts);	/* "ntp", "ptp" */
const char *schedule_str(unsigned int schedule); /* "periodic", "poisson" */
const char *state_str(unsigned int state);	/* "idle" ... "done" */

/*
 * Test packet sizes: the sender header (14 octets for TWAMP, the 44-octet
 * base for STAMP) and the PADDING that makes a UDP payload of @size octets.
 * size_to_padding() prints its own error and returns -1 when @size is
 * below the header or above MAX_TEST_SIZE.
 */
unsigned int sender_header_size(unsigned int format);
int size_to_padding(unsigned int format, uint64_t size, uint32_t *padding);

/*
 * @v nanoseconds in @unit (NSEC_PER_MSEC, ...) with @decimals digits,
 * rounded half away from zero: (5123456, NSEC_PER_MSEC, 3) is "5.123".
 * @unit must be a multiple of 10^@decimals. Returns @buf.
 */
char *fmt_fixed(char *buf, size_t len, int64_t v, uint64_t unit,
		unsigned int decimals);

/* The shortest exact form parse_duration_ns() reads back: "1.5s", "200ms". */
char *fmt_duration(char *buf, size_t len, uint64_t ns);

/* Per-packet derived values; false when the record lacks the timestamps. */
bool result_lost(const struct twamp_result *r);
/*
 * An ICMP error answered the packet: ping's words for it into @buf
 * ("Destination Port Unreachable", "Time to live exceeded", ...), and
 * true; false for any other record.
 */
bool result_icmp(const struct twamp_result *r, char *buf, size_t len);
bool result_rtt(const struct twamp_result *r, int64_t *rtt);
bool result_residence(const struct twamp_result *r, int64_t *res);

/*
 * "seq=3 rtt=5.123 ms residence=12.3 us ttl=64/64 (DUP!) (reordered)",
 * "seq=4 lost" or "From 192.0.2.1 seq=5 Destination Port Unreachable";
 * no newline.
 */
void result_print_human(FILE *f, const struct twamp_result *r);
/*
 * One JSON object: the record's attributes and rtt/residence/one-way delays;
 * @prefix (members and a trailing comma, or "") goes first.
 */
void result_print_json(FILE *f, const struct twamp_result *r,
		       const char *prefix);

/*
 * "N packets transmitted, N received, [+N errors, ]X% packet loss,
 * N duplicates, N reordered"; no newline.
 */
void stats_print_counts(FILE *f, const struct twamp_stats *s);
/* The summary block of ping and stats, each line prefixed with @indent. */
void stats_print_human(FILE *f, const struct twamp_stats *s, const char *indent);
/* A JSON object with every statistic; null where the kernel left one out. */
void stats_print_json(FILE *f, const struct twamp_stats *s);

#endif
