// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of what twamp-ctl ping, stats, sender and monitor compute
 * and print without the kernel: interval and DSCP parsing, size to padding,
 * the formatting of nanoseconds, per-packet lines and the summary block.
 * Linked with tools/twamp-ctl/{util,metrics}.c; unit.c's main() calls
 * unit_ping() and adds its counts to the KTAP stream.
 */

#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "ctl.h"
#include "metrics.h"
#include "unit_check.h"

void unit_ping(int *test_no, int *failed);

static int *no, *nfailed;

#define CHECK(name, cond) UNIT_CHECK(*no, *nfailed, name, cond)

/* What @fn printed into a memory stream; free() it. */
#define CAPTURE(buf, call) do {						\
	size_t len_ = 0;						\
	FILE *f = open_memstream(&(buf), &len_);			\
									\
	if (f) {							\
		call;							\
		fclose(f);						\
	}								\
} while (0)

static void test_seconds(void)
{
	static const struct {
		const char *in;
		uint64_t ns;
	} good[] = {
		{ "0.2", 200000000 }, { "200ms", 200000000 }, { "1", 1000000000 },
		{ "1.5", 1500000000 }, { ".5", 500000000 }, { "10us", 10000 },
		{ "0.00001", 10000 }, { "2s", 2000000000 }, { "0", 0 },
	};
	static const char *const bad[] = {
		"", "s", "0.2x", "-1", "1e3", " 1", "1 ", ".", "ms", "1..2",
		"18446744073709551616",
	};
	char name[96];
	uint64_t ns;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ns = 12345;
		snprintf(name, sizeof(name), "seconds '%s'", good[i].in);
		CHECK(name, parse_seconds_ns("i", good[i].in, &ns) == 0 &&
		      ns == good[i].ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns = 12345;
		snprintf(name, sizeof(name), "seconds '%s' rejected", bad[i]);
		CHECK(name, parse_seconds_ns("i", bad[i], &ns) == -1 &&
		      ns == 12345);
	}
	/* A duration still needs its unit. */
	CHECK("duration '0.2' still rejected",
	      parse_duration_ns("d", "0.2", &ns) == -1);
	CHECK("duration '.5s'", parse_duration_ns("d", ".5s", &ns) == 0 &&
	      ns == 500000000);
}

static void test_dscp(void)
{
	uint8_t d = 99;

	CHECK("dscp 46", parse_dscp("46", &d) == 0 && d == 46);
	CHECK("dscp ef", parse_dscp("ef", &d) == 0 && d == 46);
	CHECK("dscp AF41", parse_dscp("AF41", &d) == 0 && d == 34);
	CHECK("dscp cs1", parse_dscp("cs1", &d) == 0 && d == 8);
	CHECK("dscp 0x3f", parse_dscp("0x3f", &d) == 0 && d == 63);
	d = 99;
	CHECK("dscp 64 rejected", parse_dscp("64", &d) == -1 && d == 99);
	CHECK("dscp junk rejected", parse_dscp("fast", &d) == -1 && d == 99);
	CHECK("dscp empty rejected", parse_dscp("", &d) == -1);
}

static void test_padding(void)
{
	uint32_t p = 7;

	CHECK("light 44 -> padding 30",
	      size_to_padding(TWAMP_FORMAT_LIGHT, 44, &p) == 0 && p == 30);
	CHECK("light 14 -> padding 0",
	      size_to_padding(TWAMP_FORMAT_LIGHT, 14, &p) == 0 && p == 0);
	CHECK("stamp 44 -> padding 0",
	      size_to_padding(TWAMP_FORMAT_STAMP, 44, &p) == 0 && p == 0);
	CHECK("stamp 1500 -> padding 1456",
	      size_to_padding(TWAMP_FORMAT_STAMP, 1500, &p) == 0 && p == 1456);
	p = 7;
	CHECK("light 13 rejected",
	      size_to_padding(TWAMP_FORMAT_LIGHT, 13, &p) == -1 && p == 7);
	CHECK("stamp 43 rejected",
	      size_to_padding(TWAMP_FORMAT_STAMP, 43, &p) == -1 && p == 7);
	CHECK("size above 65507 rejected",
	      size_to_padding(TWAMP_FORMAT_LIGHT, 65508, &p) == -1);
	CHECK("header sizes", sender_header_size(TWAMP_FORMAT_LIGHT) == 14 &&
	      sender_header_size(TWAMP_FORMAT_STAMP) == 44);
}

static void test_fmt(void)
{
	static const struct {
		int64_t v;
		uint64_t unit;
		unsigned int decimals;
		const char *out;
	} fixed[] = {
		{ 5123456, NSEC_PER_MSEC, 3, "5.123" },
		{ 5123500, NSEC_PER_MSEC, 3, "5.124" },
		{ 5123499, NSEC_PER_MSEC, 3, "5.123" },
		{ 12345, NSEC_PER_USEC, 1, "12.3" },
		{ 12350, NSEC_PER_USEC, 1, "12.4" },
		{ 999999, NSEC_PER_MSEC, 3, "1.000" },
		{ 0, NSEC_PER_MSEC, 3, "0.000" },
		{ -500000, NSEC_PER_MSEC, 3, "-0.500" },
		{ -1500, NSEC_PER_USEC, 0, "-2" },
		{ 42, 1, 0, "42" },
		{ INT64_MIN, NSEC_PER_SEC, 0, "-9223372037" },
	};
	static const struct {
		uint64_t ns;
		const char *out;
	} dur[] = {
		{ 0, "0s" }, { 1, "1ns" }, { 999, "999ns" }, { 1000, "1us" },
		{ 10000, "10us" }, { 200000000, "200ms" }, { 1000000000, "1s" },
		{ 1500000000, "1.5s" }, { 1234567, "1.234567ms" },
		{ 2000000001, "2.000000001s" },
	};
	char buf[32], name[96];
	uint64_t back;
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		fmt_fixed(buf, sizeof(buf), fixed[i].v, fixed[i].unit,
			  fixed[i].decimals);
		snprintf(name, sizeof(name), "fixed %s", fixed[i].out);
		CHECK(name, !strcmp(buf, fixed[i].out));
	}
	for (i = 0; i < sizeof(dur) / sizeof(dur[0]); i++) {
		fmt_duration(buf, sizeof(buf), dur[i].ns);
		snprintf(name, sizeof(name), "duration %s", dur[i].out);
		CHECK(name, !strcmp(buf, dur[i].out) &&
		      !parse_duration_ns("d", buf, &back) && back == dur[i].ns);
	}
}

static void set_r(struct twamp_result *r, unsigned int attr, uint64_t v)
{
	r->has[attr] = true;
	r->v[attr] = v;
}

/* A reply: 5.123 ms round trip around 12.3 us in the reflector. */
static void reply(struct twamp_result *r, uint32_t seq, uint32_t flags)
{
	const uint64_t t1 = 1700000000000000000ULL;

	memset(r, 0, sizeof(*r));
	set_r(r, TWAMP_A_RESULT_SENDER_ID, 7);
	set_r(r, TWAMP_A_RESULT_SEQ, seq);
	set_r(r, TWAMP_A_RESULT_REFLECTOR_SEQ, seq);
	set_r(r, TWAMP_A_RESULT_T1, t1);
	set_r(r, TWAMP_A_RESULT_T2, t1 + 2000000);
	set_r(r, TWAMP_A_RESULT_T3, t1 + 2012300);
	set_r(r, TWAMP_A_RESULT_T4, t1 + 5135300);
	set_r(r, TWAMP_A_RESULT_SENDER_TTL, 64);
	set_r(r, TWAMP_A_RESULT_REFLECTOR_TTL, 63);
	set_r(r, TWAMP_A_RESULT_DSCP, 0);
	set_r(r, TWAMP_A_RESULT_SIZE, 44);
	set_r(r, TWAMP_A_RESULT_FLAGS, flags);
	set_r(r, TWAMP_A_RESULT_DROPPED, 0);
}

static void test_result(void)
{
	struct twamp_result r;
	char *out = NULL;
	int64_t ns;

	reply(&r, 3, 0);
	CHECK("result rtt", result_rtt(&r, &ns) && ns == 5123000);
	CHECK("result residence", result_residence(&r, &ns) && ns == 12300);
	CAPTURE(out, result_print_human(f, &r));
	CHECK("result line", out &&
	      !strcmp(out, "seq=3 rtt=5.123 ms residence=12.3 us ttl=64/63"));
	free(out);
	out = NULL;

	reply(&r, 3, TWAMP_RESULT_DUPLICATE | TWAMP_RESULT_REORDERED);
	CAPTURE(out, result_print_human(f, &r));
	CHECK("result line DUP! reordered", out &&
	      !strcmp(out, "seq=3 rtt=5.123 ms residence=12.3 us ttl=64/63 (DUP!) (reordered)"));
	free(out);
	out = NULL;

	memset(&r, 0, sizeof(r));
	set_r(&r, TWAMP_A_RESULT_SENDER_ID, 7);
	set_r(&r, TWAMP_A_RESULT_SEQ, 4);
	set_r(&r, TWAMP_A_RESULT_T1, 1000);
	set_r(&r, TWAMP_A_RESULT_FLAGS, TWAMP_RESULT_LOST);
	CHECK("lost has no rtt", result_lost(&r) && !result_rtt(&r, &ns));
	CAPTURE(out, result_print_human(f, &r));
	CHECK("lost line", out && !strcmp(out, "seq=4 lost"));
	free(out);
	out = NULL;
	CAPTURE(out, result_print_json(f, &r, ""));
	CHECK("lost json", out && !strcmp(out,
	      "{\"sender\":7,\"seq\":4,\"t1_ns\":1000,\"t1_ns_str\":\"1000\","
	      "\"lost\":true,"
	      "\"duplicate\":false,\"reordered\":false,\"synced\":false}"));
	free(out);
	out = NULL;

	/* An ICMP error, as ping prints it (IPv4, then IPv6). */
	set_r(&r, TWAMP_A_RESULT_FLAGS, TWAMP_RESULT_LOST |
	      TWAMP_RESULT_ICMP_ERROR);
	set_r(&r, TWAMP_A_RESULT_ICMP_TYPE, 3);
	set_r(&r, TWAMP_A_RESULT_ICMP_CODE, 3);
	r.icmp_family = AF_INET;
	memcpy(r.icmp_from, "\x0a\x00\x00\x02", 4);
	CAPTURE(out, result_print_human(f, &r));
	CHECK("icmp port unreachable line", out &&
	      !strcmp(out, "From 10.0.0.2 seq=4 Destination Port Unreachable"));
	free(out);
	out = NULL;
	CAPTURE(out, result_print_json(f, &r, ""));
	CHECK("icmp json", out && strstr(out, "\"lost\":true,") &&
	      strstr(out, ",\"icmp_type\":3,\"icmp_code\":3,"
		     "\"icmp_from\":\"10.0.0.2\","
		     "\"icmp_error\":\"Destination Port Unreachable\"}"));
	free(out);
	out = NULL;
	set_r(&r, TWAMP_A_RESULT_ICMP_TYPE, 11);
	set_r(&r, TWAMP_A_RESULT_ICMP_CODE, 0);
	CAPTURE(out, result_print_human(f, &r));
	CHECK("icmp ttl exceeded line", out &&
	      !strcmp(out, "From 10.0.0.2 seq=4 Time to live exceeded"));
	free(out);
	out = NULL;
	set_r(&r, TWAMP_A_RESULT_ICMP_TYPE, 3);
	set_r(&r, TWAMP_A_RESULT_ICMP_CODE, 4);
	set_r(&r, TWAMP_A_RESULT_ICMP_INFO, 1400);
	CAPTURE(out, result_print_human(f, &r));
	CHECK("icmp frag needed line", out &&
	      !strcmp(out, "From 10.0.0.2 seq=4 Frag needed and DF set (mtu = 1400)"));
	free(out);
	out = NULL;
	r.has[TWAMP_A_RESULT_ICMP_INFO] = false;
	set_r(&r, TWAMP_A_RESULT_ICMP_TYPE, 1);
	set_r(&r, TWAMP_A_RESULT_ICMP_CODE, 1);
	r.icmp_family = AF_INET6;
	memset(r.icmp_from, 0, 16);
	memcpy(r.icmp_from, "\x20\x01\x0d\xb8", 4);
	r.icmp_from[15] = 1;
	CAPTURE(out, result_print_human(f, &r));
	CHECK("icmp6 prohibited line", out &&
	      !strcmp(out, "From 2001:db8::1 seq=4 Destination unreachable: Administratively prohibited"));
	free(out);
	out = NULL;
	set_r(&r, TWAMP_A_RESULT_ICMP_TYPE, 3);
	set_r(&r, TWAMP_A_RESULT_ICMP_CODE, 0);
	CAPTURE(out, result_print_human(f, &r));
	CHECK("icmp6 hop limit line", out &&
	      !strcmp(out, "From 2001:db8::1 seq=4 Time exceeded: Hop limit"));
	free(out);
	out = NULL;

	reply(&r, 5, TWAMP_RESULT_SYNCED);
	CAPTURE(out, result_print_json(f, &r, "\"type\":\"result\","));
	CHECK("synced json", out && !strcmp(out,
	      "{\"type\":\"result\",\"sender\":7,\"seq\":5,\"reflector_seq\":5,"
	      "\"t1_ns\":1700000000000000000,"
	      "\"t1_ns_str\":\"1700000000000000000\","
	      "\"t2_ns\":1700000000002000000,"
	      "\"t2_ns_str\":\"1700000000002000000\","
	      "\"t3_ns\":1700000000002012300,"
	      "\"t3_ns_str\":\"1700000000002012300\","
	      "\"t4_ns\":1700000000005135300,"
	      "\"t4_ns_str\":\"1700000000005135300\","
	      "\"sender_ttl\":64,\"reflector_ttl\":63,\"dscp\":0,\"size\":44,"
	      "\"rtt_ns\":5123000,\"residence_ns\":12300,"
	      "\"owd_fwd_ns\":2000000,\"owd_bwd_ns\":3123000,\"lost\":false,"
	      "\"duplicate\":false,\"reordered\":false,\"synced\":true,"
	      "\"dropped\":0}"));
	free(out);
}

static void set_s(struct twamp_stats *s, unsigned int attr, int64_t v)
{
	s->has[attr] = true;
	s->v[attr] = (uint64_t)v;
}

static void test_stats(void)
{
	struct twamp_stats s;
	char *out = NULL;

	memset(&s, 0, sizeof(s));
	set_s(&s, TWAMP_A_STATS_SENT, 10);
	set_s(&s, TWAMP_A_STATS_RECEIVED, 9);
	set_s(&s, TWAMP_A_STATS_LOST, 1);
	set_s(&s, TWAMP_A_STATS_DUPLICATE, 0);
	set_s(&s, TWAMP_A_STATS_REORDERED, 0);
	set_s(&s, TWAMP_A_STATS_LATE_SENDS, 0);
	set_s(&s, TWAMP_A_STATS_RTT_MIN, 1000000);
	set_s(&s, TWAMP_A_STATS_RTT_MEAN, 1500000);
	set_s(&s, TWAMP_A_STATS_RTT_MAX, 2000000);
	set_s(&s, TWAMP_A_STATS_RTT_STDDEV, 250000);
	set_s(&s, TWAMP_A_STATS_RTT_P50, 1490000);
	set_s(&s, TWAMP_A_STATS_RTT_P90, 1900000);
	set_s(&s, TWAMP_A_STATS_RTT_P99, 1990000);
	set_s(&s, TWAMP_A_STATS_IPDV_MEAN, 100000);
	set_s(&s, TWAMP_A_STATS_IPDV_MAX, 500000);
	set_s(&s, TWAMP_A_STATS_PDV_P99, 990000);
	set_s(&s, TWAMP_A_STATS_JITTER_RTT, 80000);
	set_s(&s, TWAMP_A_STATS_RESIDENCE_MIN, 10100);
	set_s(&s, TWAMP_A_STATS_RESIDENCE_MEAN, 12340);
	set_s(&s, TWAMP_A_STATS_RESIDENCE_MAX, 15000);
	set_s(&s, TWAMP_A_STATS_RESULTS_DROPPED, 0);
	CAPTURE(out, stats_print_human(f, &s, ""));
	CHECK("summary, clocks not synchronized", out && !strcmp(out,
	      "10 packets transmitted, 9 received, 10% packet loss, 0 duplicates, 0 reordered\n"
	      "rtt min/avg/max/stddev = 1.000/1.500/2.000/0.250 ms\n"
	      "rtt p50/p90/p99 = 1.490/1.900/1.990 ms\n"
	      "jitter (RFC 3550) = 0.080 ms, ipdv mean/max = 0.100/0.500 ms, pdv p99 = 0.990 ms\n"
	      "reflector residence min/avg/max = 10.1/12.3/15.0 us\n"
	      "one-way delay: unavailable (clocks not synchronized)\n"));
	free(out);
	out = NULL;

	set_s(&s, TWAMP_A_STATS_OWD_FWD_MEAN, 700000);
	set_s(&s, TWAMP_A_STATS_OWD_BWD_MEAN, 800000);
	set_s(&s, TWAMP_A_STATS_JITTER_FWD, 40000);
	set_s(&s, TWAMP_A_STATS_LOST_FORWARD, 1);
	set_s(&s, TWAMP_A_STATS_LOST_BACKWARD, 0);
	set_s(&s, TWAMP_A_STATS_LATE_SENDS, 2);
	set_s(&s, TWAMP_A_STATS_LATE_MAX, 150000);
	set_s(&s, TWAMP_A_STATS_RESULTS_DROPPED, 3);
	CAPTURE(out, stats_print_human(f, &s, "  "));
	CHECK("summary, synchronized, indented", out && !strcmp(out,
	      "  10 packets transmitted, 9 received, 10% packet loss, 0 duplicates, 0 reordered\n"
	      "  lost forward/backward = 1/0\n"
	      "  rtt min/avg/max/stddev = 1.000/1.500/2.000/0.250 ms\n"
	      "  rtt p50/p90/p99 = 1.490/1.900/1.990 ms\n"
	      "  jitter (RFC 3550) = 0.080 ms, ipdv mean/max = 0.100/0.500 ms, pdv p99 = 0.990 ms\n"
	      "  reflector residence min/avg/max = 10.1/12.3/15.0 us\n"
	      "  jitter fwd/bwd = 0.040/- ms\n"
	      "  one-way delay fwd/bwd = 0.700/0.800 ms\n"
	      "  late sends = 2, max 150.0 us late\n"
	      "  per-packet results some listener missed = 3\n"));
	free(out);
	out = NULL;

	/* Nothing came back: counts only, 100% loss. */
	memset(&s, 0, sizeof(s));
	set_s(&s, TWAMP_A_STATS_SENT, 3);
	set_s(&s, TWAMP_A_STATS_RECEIVED, 0);
	set_s(&s, TWAMP_A_STATS_LOST, 3);
	CAPTURE(out, stats_print_human(f, &s, ""));
	CHECK("summary, no reply", out && !strcmp(out,
	      "3 packets transmitted, 0 received, 100% packet loss, 0 duplicates, 0 reordered\n"));
	free(out);
	out = NULL;

	/* Fractional loss, as ping prints it. */
	set_s(&s, TWAMP_A_STATS_LOST, 1);
	CAPTURE(out, stats_print_counts(f, &s));
	CHECK("loss 1/3", out && strstr(out, " 33.3333% packet loss"));
	free(out);
	out = NULL;

	/* Keyed replies that failed their HMAC are said, not hidden. */
	set_s(&s, TWAMP_A_STATS_AUTH_FAILED, 2);
	CAPTURE(out, stats_print_human(f, &s, ""));
	CHECK("auth failures", out &&
	      strstr(out, "replies failing authentication (dropped) = 2\n"));
	free(out);
	out = NULL;

	/* Deadlines a sender that fell behind skipped are said too. */
	set_s(&s, TWAMP_A_STATS_SKIPPED, 7);
	CAPTURE(out, stats_print_human(f, &s, ""));
	CHECK("skipped sends", out &&
	      strstr(out, "skipped sends (deadlines beyond the catch-up burst) = 7\n"));
	free(out);
	out = NULL;

	/* Packets answered by ICMP errors: "+N errors" as ping says. */
	memset(&s, 0, sizeof(s));
	set_s(&s, TWAMP_A_STATS_SENT, 3);
	set_s(&s, TWAMP_A_STATS_RECEIVED, 0);
	set_s(&s, TWAMP_A_STATS_LOST, 3);
	set_s(&s, TWAMP_A_STATS_ICMP_ERRORS, 3);
	CAPTURE(out, stats_print_counts(f, &s));
	CHECK("summary, errors", out && !strcmp(out,
	      "3 packets transmitted, 0 received, +3 errors, 100% packet loss, 0 duplicates, 0 reordered"));
	free(out);
	out = NULL;

	/* Datagrams that were no reply are named with their reason. */
	set_s(&s, TWAMP_A_STATS_REPLIES_SHORT, 3);
	set_s(&s, TWAMP_A_STATS_REPLIES_SHORT_MIN, 38);
	set_s(&s, TWAMP_A_STATS_REPLY_HEADER_SIZE, 41);
	set_s(&s, TWAMP_A_STATS_REPLIES_FOREIGN, 1);
	set_s(&s, TWAMP_A_STATS_REPLIES_LATE, 2);
	CAPTURE(out, stats_print_human(f, &s, ""));
	CHECK("short replies", out &&
	      strstr(out, "\n3 short replies (38 octets < 41), dropped\n") &&
	      strstr(out, "\n2 late replies (after WAIT, the packet counted lost), dropped\n") &&
	      strstr(out, "\n1 datagrams from another address or port than the reflector's, dropped\n"));
	free(out);
	out = NULL;
	set_s(&s, TWAMP_A_STATS_REPLIES_SHORT_MIN, 44);
	set_s(&s, TWAMP_A_STATS_REPLY_HEADER_SIZE, 112);
	CAPTURE(out, stats_print_human(f, &s, ""));
	CHECK("short replies, authenticated", out &&
	      strstr(out, "3 short replies (44 octets < 112: an unauthenticated reflector?), dropped\n"));
	free(out);
	out = NULL;

	memset(&s, 0, sizeof(s));
	set_s(&s, TWAMP_A_STATS_SENT, 2);
	set_s(&s, TWAMP_A_STATS_RTT_MIN, -5);
	CAPTURE(out, stats_print_json(f, &s));
	CHECK("stats json", out &&
	      !strncmp(out, "{\"sent\":2,\"received\":null,\"lost\":null,",
		       strlen("{\"sent\":2,\"received\":null,\"lost\":null,")) &&
	      strstr(out, ",\"rtt_min_ns\":-5,") &&
	      strstr(out, ",\"results_dropped\":null,") &&
	      strstr(out, ",\"auth_failed\":null,\"skipped\":null,") &&
	      strstr(out, ",\"icmp_errors\":null,\"replies_short\":null,"
		     "\"replies_short_min\":null,\"reply_header_size\":null,"
		     "\"replies_invalid\":null,\"replies_bad_ssid\":null,"
		     "\"replies_unknown_seq\":null,\"replies_late\":null,"
		     "\"replies_foreign\":null}"));
	free(out);

	CHECK("enum names", !strcmp(format_str(TWAMP_FORMAT_STAMP), "stamp") &&
	      !strcmp(state_str(TWAMP_SENDER_DRAINING), "draining") &&
	      !strcmp(state_str(99), "?") &&
	      !strcmp(schedule_str(TWAMP_SCHEDULE_POISSON), "poisson") &&
	      !strcmp(ts_format_str(TWAMP_TS_PTP), "ptp"));
}

void unit_ping(int *test_no, int *failed)
{
	no = test_no;
	nfailed = failed;
	test_seconds();
	test_dscp();
	test_padding();
	test_fmt();
	test_result();
	test_stats();
}
