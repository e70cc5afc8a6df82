// SPDX-License-Identifier: GPL-2.0
/*
 * Sender statistics and per-packet results: how ping, stats, sender show and
 * monitor print them. The kernel computes the aggregates (docs/netlink.md);
 * this file only derives RTT, residence and one-way delays of single
 * records from T1..T4 and formats integers of nanoseconds.
 */

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#include "ctl.h"
#include "metrics.h"

const char *format_str(unsigned int format)
{
	return format == TWAMP_FORMAT_LIGHT ? "light" :
	       format == TWAMP_FORMAT_STAMP ? "stamp" : "?";
}

const char *format_title(unsigned int format)
{
	return format == TWAMP_FORMAT_LIGHT ? "TWAMP Light" :
	       format == TWAMP_FORMAT_STAMP ? "STAMP" : "?";
}

const char *ts_format_str(unsigned int ts)
{
	return ts == TWAMP_TS_NTP ? "ntp" : ts == TWAMP_TS_PTP ? "ptp" : "?";
}

const char *schedule_str(unsigned int schedule)
{
	return schedule == TWAMP_SCHEDULE_PERIODIC ? "periodic" :
	       schedule == TWAMP_SCHEDULE_POISSON ? "poisson" : "?";
}

const char *state_str(unsigned int state)
{
	static const char *const names[] = {
		[TWAMP_SENDER_IDLE]	= "idle",
		[TWAMP_SENDER_RUNNING]	= "running",
		[TWAMP_SENDER_DRAINING]	= "draining",
		[TWAMP_SENDER_DONE]	= "done",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

unsigned int sender_header_size(unsigned int format)
{
	return format == TWAMP_FORMAT_STAMP ? 44 : 14;
}

int size_to_padding(unsigned int format, uint64_t size, uint32_t *padding)
{
	unsigned int header = sender_header_size(format);

	if (size < header || size > MAX_TEST_SIZE) {
		fprintf(stderr,
			"%s: invalid size %" PRIu64 " (%s packets take %u to %u octets)\n",
			PROG_NAME, size, format_title(format), header,
			MAX_TEST_SIZE);
		return -1;
	}
	*padding = size - header;
	return 0;
}

char *fmt_fixed(char *buf, size_t len, int64_t v, uint64_t unit,
		unsigned int decimals)
{
	uint64_t scale = 1, step, mag, r;
	unsigned int i;

	for (i = 0; i < decimals; i++)
		scale *= 10;
	step = unit / scale;
	/* |v| without overflowing on INT64_MIN */
	mag = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;
	r = mag / step + (step > 1 && mag % step * 2 >= step);
	if (decimals)
		snprintf(buf, len, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "",
			 r / scale, (int)decimals, r % scale);
	else
		snprintf(buf, len, "%s%" PRIu64, v < 0 ? "-" : "", r);
	return buf;
}

char *fmt_duration(char *buf, size_t len, uint64_t ns)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
		int digits;
	} units[] = {
		{ "s", NSEC_PER_SEC, 9 },
		{ "ms", NSEC_PER_MSEC, 6 },
		{ "us", NSEC_PER_USEC, 3 },
	};
	char frac[16];
	size_t i, n;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns < units[i].ns)
			continue;
		snprintf(frac, sizeof(frac), ".%0*" PRIu64, units[i].digits,
			 ns % units[i].ns);
		for (n = strlen(frac); frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
		if (n == 1)
			frac[0] = '\0';
		snprintf(buf, len, "%" PRIu64 "%s%s", ns / units[i].ns, frac,
			 units[i].suffix);
		return buf;
	}
	snprintf(buf, len, ns ? "%" PRIu64 "ns" : "0s", ns);
	return buf;
}

bool result_lost(const struct twamp_result *r)
{
	return r->has[TWAMP_A_RESULT_FLAGS] &&
	       (r->v[TWAMP_A_RESULT_FLAGS] & TWAMP_RESULT_LOST);
}

static bool has_times(const struct twamp_result *r)
{
	return r->has[TWAMP_A_RESULT_T1] && r->has[TWAMP_A_RESULT_T2] &&
	       r->has[TWAMP_A_RESULT_T3] && r->has[TWAMP_A_RESULT_T4];
}

/* Differences of two timestamps on one clock; wraps like the kernel's s64. */
static int64_t tdiff(const struct twamp_result *r, int later, int earlier)
{
	return (int64_t)(r->v[later] - r->v[earlier]);
}

bool result_rtt(const struct twamp_result *r, int64_t *rtt)
{
	if (!has_times(r))
		return false;
	*rtt = tdiff(r, TWAMP_A_RESULT_T4, TWAMP_A_RESULT_T1) -
	       tdiff(r, TWAMP_A_RESULT_T3, TWAMP_A_RESULT_T2);
	return true;
}

bool result_residence(const struct twamp_result *r, int64_t *res)
{
	if (!has_times(r))
		return false;
	*res = tdiff(r, TWAMP_A_RESULT_T3, TWAMP_A_RESULT_T2);
	return true;
}

static bool flag(const struct twamp_result *r, unsigned int bit)
{
	return r->has[TWAMP_A_RESULT_FLAGS] && (r->v[TWAMP_A_RESULT_FLAGS] & bit);
}

/* ICMP (RFC 792, RFC 1812) Destination Unreachable codes, as ping says them. */
static const char *const unreach4[] = {
	"Destination Net Unreachable", "Destination Host Unreachable",
	"Destination Protocol Unreachable", "Destination Port Unreachable",
	"Frag needed and DF set", "Source Route Failed",
	"Destination Net Unknown", "Destination Host Unknown",
	"Source Host Isolated", "Destination Net Prohibited",
	"Destination Host Prohibited",
	"Destination Net Unreachable for Type of Service",
	"Destination Host Unreachable for Type of Service",
	"Packet filtered", "Precedence Violation", "Precedence Cutoff",
};

/* ICMPv6 (RFC 4443) Destination Unreachable codes. */
static const char *const unreach6[] = {
	"No route", "Administratively prohibited",
	"Beyond scope of source address", "Address unreachable",
	"Port unreachable", "Source address failed ingress/egress policy",
	"Reject route to destination",
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static void icmp4_str(char *buf, size_t len, unsigned int type,
		      unsigned int code, const struct twamp_result *r)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code == ICMP_FRAG_NEEDED && r->has[TWAMP_A_RESULT_ICMP_INFO])
			snprintf(buf, len, "Frag needed and DF set (mtu = %" PRIu64 ")",
				 r->v[TWAMP_A_RESULT_ICMP_INFO]);
		else if (code < N(unreach4))
			snprintf(buf, len, "%s", unreach4[code]);
		else
			snprintf(buf, len, "Dest Unreachable, Bad Code: %u", code);
		break;
	case ICMP_TIME_EXCEEDED:
		snprintf(buf, len, "%s", code == ICMP_EXC_FRAGTIME ?
			 "Frag reassembly time exceeded" : "Time to live exceeded");
		break;
	case ICMP_PARAMETERPROB:
		snprintf(buf, len, "Parameter problem");
		break;
	default:
		snprintf(buf, len, "ICMP type %u code %u", type, code);
	}
}

static void icmp6_str(char *buf, size_t len, unsigned int type,
		      unsigned int code, const struct twamp_result *r)
{
	switch (type) {
	case ICMP6_DST_UNREACH:
		if (code < N(unreach6))
			snprintf(buf, len, "Destination unreachable: %s",
				 unreach6[code]);
		else
			snprintf(buf, len, "Destination unreachable: Unknown code %u",
				 code);
		break;
	case ICMP6_PACKET_TOO_BIG:
		snprintf(buf, len, "Packet too big: mtu=%" PRIu64,
			 r->has[TWAMP_A_RESULT_ICMP_INFO] ?
			 r->v[TWAMP_A_RESULT_ICMP_INFO] : 0);
		break;
	case ICMP6_TIME_EXCEEDED:
		snprintf(buf, len, "Time exceeded: %s", code == 0 ?
			 "Hop limit" : "Defragmentation failure");
		break;
	case ICMP6_PARAM_PROB:
		snprintf(buf, len, "Parameter problem");
		break;
	default:
		snprintf(buf, len, "ICMPv6 type %u code %u", type, code);
	}
}

bool result_icmp(const struct twamp_result *r, char *buf, size_t len)
{
	unsigned int type, code;

	if (!(r->has[TWAMP_A_RESULT_FLAGS] &&
	      (r->v[TWAMP_A_RESULT_FLAGS] & TWAMP_RESULT_ICMP_ERROR)) ||
	    !r->has[TWAMP_A_RESULT_ICMP_TYPE] || !r->has[TWAMP_A_RESULT_ICMP_CODE])
		return false;
	type = r->v[TWAMP_A_RESULT_ICMP_TYPE];
	code = r->v[TWAMP_A_RESULT_ICMP_CODE];
	if (r->icmp_family == AF_INET6)
		icmp6_str(buf, len, type, code, r);
	else
		icmp4_str(buf, len, type, code, r);
	return true;
}

void result_print_human(FILE *f, const struct twamp_result *r)
{
	char buf[64], from[INET6_ADDRSTRLEN];
	int64_t ns;

	if (result_icmp(r, buf, sizeof(buf))) {
		if (!r->icmp_family ||
		    !inet_ntop(r->icmp_family, r->icmp_from, from, sizeof(from)))
			snprintf(from, sizeof(from), "?");
		fprintf(f, "From %s seq=%" PRIu64 " %s", from,
			r->v[TWAMP_A_RESULT_SEQ], buf);
		return;
	}
	fprintf(f, "seq=%" PRIu64, r->v[TWAMP_A_RESULT_SEQ]);
	if (result_lost(r)) {
		fprintf(f, " lost");
		return;
	}
	if (result_rtt(r, &ns))
		fprintf(f, " rtt=%s ms", fmt_fixed(buf, sizeof(buf), ns,
						   NSEC_PER_MSEC, 3));
	if (result_residence(r, &ns))
		fprintf(f, " residence=%s us", fmt_fixed(buf, sizeof(buf), ns,
							 NSEC_PER_USEC, 1));
	if (r->has[TWAMP_A_RESULT_SENDER_TTL] &&
	    r->has[TWAMP_A_RESULT_REFLECTOR_TTL])
		fprintf(f, " ttl=%" PRIu64 "/%" PRIu64,
			r->v[TWAMP_A_RESULT_SENDER_TTL],
			r->v[TWAMP_A_RESULT_REFLECTOR_TTL]);
	if (flag(r, TWAMP_RESULT_DUPLICATE))
		fprintf(f, " (DUP!)");
	if (flag(r, TWAMP_RESULT_REORDERED))
		fprintf(f, " (reordered)");
}

void result_print_json(FILE *f, const struct twamp_result *r,
		       const char *prefix)
{
	static const struct {
		unsigned int attr;
		const char *name;
	} fields[] = {
		{ TWAMP_A_RESULT_SENDER_ID, "sender" },
		{ TWAMP_A_RESULT_SEQ, "seq" },
		{ TWAMP_A_RESULT_REFLECTOR_SEQ, "reflector_seq" },
		{ TWAMP_A_RESULT_T1, "t1_ns" },
		{ TWAMP_A_RESULT_T2, "t2_ns" },
		{ TWAMP_A_RESULT_T3, "t3_ns" },
		{ TWAMP_A_RESULT_T4, "t4_ns" },
		{ TWAMP_A_RESULT_SENDER_TTL, "sender_ttl" },
		{ TWAMP_A_RESULT_REFLECTOR_TTL, "reflector_ttl" },
		{ TWAMP_A_RESULT_DSCP, "dscp" },
		{ TWAMP_A_RESULT_SIZE, "size" },
		{ TWAMP_A_RESULT_REFLECTOR_ERR, "reflector_error_estimate" },
	};
	char text[64], from[INET6_ADDRSTRLEN];
	const char *sep = "";
	int64_t ns;
	size_t i;

	fprintf(f, "{%s", prefix);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!r->has[fields[i].attr])
			continue;
		fprintf(f, "%s\"%s\":%" PRIu64, sep, fields[i].name,
			r->v[fields[i].attr]);
		sep = ",";
		/* Past 2^53: exact as a string too (docs/json.md). */
		if (fields[i].attr >= TWAMP_A_RESULT_T1 &&
		    fields[i].attr <= TWAMP_A_RESULT_T4)
			fprintf(f, ",\"%s_str\":\"%" PRIu64 "\"",
				fields[i].name, r->v[fields[i].attr]);
	}
	if (result_rtt(r, &ns)) {
		fprintf(f, "%s\"rtt_ns\":%" PRId64, sep, ns);
		sep = ",";
	}
	if (result_residence(r, &ns)) {
		fprintf(f, "%s\"residence_ns\":%" PRId64, sep, ns);
		sep = ",";
	}
	/* One-way delays mean something only on synchronized clocks. */
	if (has_times(r) && flag(r, TWAMP_RESULT_SYNCED)) {
		fprintf(f, "%s\"owd_fwd_ns\":%" PRId64 ",\"owd_bwd_ns\":%" PRId64,
			sep, tdiff(r, TWAMP_A_RESULT_T2, TWAMP_A_RESULT_T1),
			tdiff(r, TWAMP_A_RESULT_T4, TWAMP_A_RESULT_T3));
		sep = ",";
	}
	fprintf(f, "%s\"lost\":%s,\"duplicate\":%s,\"reordered\":%s,\"synced\":%s",
		sep, flag(r, TWAMP_RESULT_LOST) ? "true" : "false",
		flag(r, TWAMP_RESULT_DUPLICATE) ? "true" : "false",
		flag(r, TWAMP_RESULT_REORDERED) ? "true" : "false",
		flag(r, TWAMP_RESULT_SYNCED) ? "true" : "false");
	if (r->has[TWAMP_A_RESULT_DROPPED])
		fprintf(f, ",\"dropped\":%" PRIu64, r->v[TWAMP_A_RESULT_DROPPED]);
	if (result_icmp(r, text, sizeof(text))) {
		fprintf(f, ",\"icmp_type\":%" PRIu64 ",\"icmp_code\":%" PRIu64,
			r->v[TWAMP_A_RESULT_ICMP_TYPE],
			r->v[TWAMP_A_RESULT_ICMP_CODE]);
		if (r->has[TWAMP_A_RESULT_ICMP_INFO])
			fprintf(f, ",\"icmp_mtu\":%" PRIu64,
				r->v[TWAMP_A_RESULT_ICMP_INFO]);
		if (r->icmp_family &&
		    inet_ntop(r->icmp_family, r->icmp_from, from, sizeof(from)))
			fprintf(f, ",\"icmp_from\":\"%s\"", from);
		/* ping's words: ASCII without quotes or backslashes */
		fprintf(f, ",\"icmp_error\":\"%s\"", text);
	}
	fprintf(f, "}");
}

/* JSON names; _ns marks nanoseconds, the rest are counts. */
static const struct {
	const char *name;
	bool is_signed;
} stat_fields[TWAMP_A_STATS_MAX + 1] = {
	[TWAMP_A_STATS_SENT]			= { "sent", false },
	[TWAMP_A_STATS_RECEIVED]		= { "received", false },
	[TWAMP_A_STATS_LOST]			= { "lost", false },
	[TWAMP_A_STATS_LOST_FORWARD]		= { "lost_forward", false },
	[TWAMP_A_STATS_LOST_BACKWARD]		= { "lost_backward", false },
	[TWAMP_A_STATS_DUPLICATE]		= { "duplicates", false },
	[TWAMP_A_STATS_REORDERED]		= { "reordered", false },
	[TWAMP_A_STATS_REORDER_EXTENT_MAX]	= { "reorder_extent_max", false },
	[TWAMP_A_STATS_LATE_SENDS]		= { "late_sends", false },
	[TWAMP_A_STATS_LATE_MAX]		= { "late_max_ns", false },
	[TWAMP_A_STATS_RTT_MIN]			= { "rtt_min_ns", true },
	[TWAMP_A_STATS_RTT_MEAN]		= { "rtt_mean_ns", true },
	[TWAMP_A_STATS_RTT_MAX]			= { "rtt_max_ns", true },
	[TWAMP_A_STATS_RTT_STDDEV]		= { "rtt_stddev_ns", false },
	[TWAMP_A_STATS_RTT_P50]			= { "rtt_p50_ns", true },
	[TWAMP_A_STATS_RTT_P90]			= { "rtt_p90_ns", true },
	[TWAMP_A_STATS_RTT_P99]			= { "rtt_p99_ns", true },
	[TWAMP_A_STATS_IPDV_MEAN]		= { "ipdv_mean_ns", true },
	[TWAMP_A_STATS_IPDV_MAX]		= { "ipdv_max_ns", true },
	[TWAMP_A_STATS_PDV_P99]			= { "pdv_p99_ns", false },
	[TWAMP_A_STATS_JITTER_FWD]		= { "jitter_fwd_ns", false },
	[TWAMP_A_STATS_JITTER_BWD]		= { "jitter_bwd_ns", false },
	[TWAMP_A_STATS_JITTER_RTT]		= { "jitter_rtt_ns", false },
	[TWAMP_A_STATS_RESIDENCE_MIN]		= { "residence_min_ns", true },
	[TWAMP_A_STATS_RESIDENCE_MEAN]		= { "residence_mean_ns", true },
	[TWAMP_A_STATS_RESIDENCE_MAX]		= { "residence_max_ns", true },
	[TWAMP_A_STATS_OWD_FWD_MEAN]		= { "owd_fwd_mean_ns", true },
	[TWAMP_A_STATS_OWD_BWD_MEAN]		= { "owd_bwd_mean_ns", true },
	[TWAMP_A_STATS_RESULTS_DROPPED]		= { "results_dropped", false },
	[TWAMP_A_STATS_AUTH_FAILED]		= { "auth_failed", false },
	[TWAMP_A_STATS_SKIPPED]			= { "skipped", false },
	[TWAMP_A_STATS_ICMP_ERRORS]		= { "icmp_errors", false },
	[TWAMP_A_STATS_REPLIES_SHORT]		= { "replies_short", false },
	[TWAMP_A_STATS_REPLIES_SHORT_MIN]	= { "replies_short_min", false },
	[TWAMP_A_STATS_REPLY_HEADER_SIZE]	= { "reply_header_size", false },
	[TWAMP_A_STATS_REPLIES_INVALID]		= { "replies_invalid", false },
	[TWAMP_A_STATS_REPLIES_BAD_SSID]	= { "replies_bad_ssid", false },
	[TWAMP_A_STATS_REPLIES_UNKNOWN_SEQ]	= { "replies_unknown_seq", false },
	[TWAMP_A_STATS_REPLIES_LATE]		= { "replies_late", false },
	[TWAMP_A_STATS_REPLIES_FOREIGN]		= { "replies_foreign", false },
};

void stats_print_json(FILE *f, const struct twamp_stats *s)
{
	const char *sep = "";
	unsigned int i;

	fprintf(f, "{");
	for (i = 0; i <= TWAMP_A_STATS_MAX; i++) {
		if (!stat_fields[i].name)
			continue;
		fprintf(f, "%s\"%s\":", sep, stat_fields[i].name);
		if (!s->has[i])
			fprintf(f, "null");
		else if (stat_fields[i].is_signed)
			fprintf(f, "%" PRId64, (int64_t)s->v[i]);
		else
			fprintf(f, "%" PRIu64, s->v[i]);
		sep = ",";
	}
	fprintf(f, "}");
}

static uint64_t count(const struct twamp_stats *s, unsigned int attr)
{
	return s->has[attr] ? s->v[attr] : 0;
}

void stats_print_counts(FILE *f, const struct twamp_stats *s)
{
	uint64_t sent = count(s, TWAMP_A_STATS_SENT);

	fprintf(f, "%" PRIu64 " packets transmitted, %" PRIu64 " received, ",
		sent, count(s, TWAMP_A_STATS_RECEIVED));
	/* as ping counts them: packets answered by an ICMP error */
	if (count(s, TWAMP_A_STATS_ICMP_ERRORS))
		fprintf(f, "+%" PRIu64 " errors, ",
			s->v[TWAMP_A_STATS_ICMP_ERRORS]);
	fprintf(f, "%g%% packet loss, %" PRIu64 " duplicates, %" PRIu64
		" reordered",
		sent ? count(s, TWAMP_A_STATS_LOST) * 100.0 / sent : 0.0,
		count(s, TWAMP_A_STATS_DUPLICATE),
		count(s, TWAMP_A_STATS_REORDERED));
}

static bool any(const struct twamp_stats *s, const unsigned int *attrs,
		size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s->has[attrs[i]])
			return true;
	return false;
}

/* "a/b/c" in @unit with @decimals digits, "-" for a missing value. */
static void print_values(FILE *f, const struct twamp_stats *s,
			 const unsigned int *attrs, size_t n, uint64_t unit,
			 unsigned int decimals)
{
	char buf[32];
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "/" : "", !s->has[attrs[i]] ? "-" :
			fmt_fixed(buf, sizeof(buf), (int64_t)s->v[attrs[i]],
				  unit, decimals));
}

/*
 * Datagrams that were no reply, by reason: "3 short replies (38 octets <
 * 41)". A short reply to an authenticated session is most often an
 * unauthenticated reflector's.
 */
static void print_bad_replies(FILE *f, const struct twamp_stats *s,
			      const char *indent)
{
	static const struct {
		unsigned int attr;
		const char *what;
	} reasons[] = {
		{ TWAMP_A_STATS_REPLIES_INVALID,
		  "invalid replies (Error Estimate multiplier 0)" },
		{ TWAMP_A_STATS_REPLIES_BAD_SSID, "replies with another SSID" },
		{ TWAMP_A_STATS_REPLIES_UNKNOWN_SEQ,
		  "replies to a sequence number never sent" },
		{ TWAMP_A_STATS_REPLIES_LATE,
		  "late replies (after WAIT, the packet counted lost)" },
		{ TWAMP_A_STATS_REPLIES_FOREIGN,
		  "datagrams from another address or port than the reflector's" },
	};
	uint64_t n = count(s, TWAMP_A_STATS_REPLIES_SHORT);
	size_t i;

	if (n) {
		fprintf(f, "%s%" PRIu64 " short %s", indent, n,
			n == 1 ? "reply" : "replies");
		if (s->has[TWAMP_A_STATS_REPLIES_SHORT_MIN] &&
		    s->has[TWAMP_A_STATS_REPLY_HEADER_SIZE])
			fprintf(f, " (%" PRIu64 " octets < %" PRIu64 "%s)",
				s->v[TWAMP_A_STATS_REPLIES_SHORT_MIN],
				s->v[TWAMP_A_STATS_REPLY_HEADER_SIZE],
				s->v[TWAMP_A_STATS_REPLY_HEADER_SIZE] > 44 ?
				": an unauthenticated reflector?" : "");
		fprintf(f, ", dropped\n");
	}
	for (i = 0; i < N(reasons); i++)
		if (count(s, reasons[i].attr))
			fprintf(f, "%s%" PRIu64 " %s, dropped\n", indent,
				s->v[reasons[i].attr], reasons[i].what);
}

void stats_print_human(FILE *f, const struct twamp_stats *s, const char *indent)
{
	static const unsigned int dir_loss[] = {
		TWAMP_A_STATS_LOST_FORWARD, TWAMP_A_STATS_LOST_BACKWARD,
	};
	static const unsigned int rtt[] = {
		TWAMP_A_STATS_RTT_MIN, TWAMP_A_STATS_RTT_MEAN,
		TWAMP_A_STATS_RTT_MAX, TWAMP_A_STATS_RTT_STDDEV,
	};
	static const unsigned int pct[] = {
		TWAMP_A_STATS_RTT_P50, TWAMP_A_STATS_RTT_P90,
		TWAMP_A_STATS_RTT_P99,
	};
	static const unsigned int jitter[] = { TWAMP_A_STATS_JITTER_RTT };
	static const unsigned int ipdv[] = {
		TWAMP_A_STATS_IPDV_MEAN, TWAMP_A_STATS_IPDV_MAX,
	};
	static const unsigned int pdv[] = { TWAMP_A_STATS_PDV_P99 };
	static const unsigned int var[] = {
		TWAMP_A_STATS_JITTER_RTT, TWAMP_A_STATS_IPDV_MEAN,
		TWAMP_A_STATS_IPDV_MAX, TWAMP_A_STATS_PDV_P99,
	};
	static const unsigned int res[] = {
		TWAMP_A_STATS_RESIDENCE_MIN, TWAMP_A_STATS_RESIDENCE_MEAN,
		TWAMP_A_STATS_RESIDENCE_MAX,
	};
	static const unsigned int owd[] = {
		TWAMP_A_STATS_OWD_FWD_MEAN, TWAMP_A_STATS_OWD_BWD_MEAN,
	};
	static const unsigned int owd_jitter[] = {
		TWAMP_A_STATS_JITTER_FWD, TWAMP_A_STATS_JITTER_BWD,
	};
	char buf[32];

	fprintf(f, "%s", indent);
	stats_print_counts(f, s);
	fprintf(f, "\n");
	if (any(s, dir_loss, N(dir_loss))) {
		fprintf(f, "%slost forward/backward = ", indent);
		print_values(f, s, dir_loss, N(dir_loss), 1, 0);
		fprintf(f, "\n");
	}
	if (count(s, TWAMP_A_STATS_REORDERED) &&
	    s->has[TWAMP_A_STATS_REORDER_EXTENT_MAX])
		fprintf(f, "%sreorder extent max = %" PRIu64 "\n", indent,
			s->v[TWAMP_A_STATS_REORDER_EXTENT_MAX]);
	if (any(s, rtt, N(rtt))) {
		fprintf(f, "%srtt min/avg/max/stddev = ", indent);
		print_values(f, s, rtt, N(rtt), NSEC_PER_MSEC, 3);
		fprintf(f, " ms\n");
	}
	if (any(s, pct, N(pct))) {
		fprintf(f, "%srtt p50/p90/p99 = ", indent);
		print_values(f, s, pct, N(pct), NSEC_PER_MSEC, 3);
		fprintf(f, " ms\n");
	}
	if (any(s, var, N(var))) {
		fprintf(f, "%sjitter (RFC 3550) = ", indent);
		print_values(f, s, jitter, N(jitter), NSEC_PER_MSEC, 3);
		fprintf(f, " ms, ipdv mean/max = ");
		print_values(f, s, ipdv, N(ipdv), NSEC_PER_MSEC, 3);
		fprintf(f, " ms, pdv p99 = ");
		print_values(f, s, pdv, N(pdv), NSEC_PER_MSEC, 3);
		fprintf(f, " ms\n");
	}
	if (any(s, res, N(res))) {
		fprintf(f, "%sreflector residence min/avg/max = ", indent);
		print_values(f, s, res, N(res), NSEC_PER_USEC, 1);
		fprintf(f, " us\n");
	}
	/* A constant clock offset cancels out of these, so no sync needed. */
	if (any(s, owd_jitter, N(owd_jitter))) {
		fprintf(f, "%sjitter fwd/bwd = ", indent);
		print_values(f, s, owd_jitter, N(owd_jitter), NSEC_PER_MSEC, 3);
		fprintf(f, " ms\n");
	}
	if (any(s, owd, N(owd))) {
		fprintf(f, "%sone-way delay fwd/bwd = ", indent);
		print_values(f, s, owd, N(owd), NSEC_PER_MSEC, 3);
		fprintf(f, " ms\n");
	} else if (count(s, TWAMP_A_STATS_RECEIVED)) {
		fprintf(f, "%sone-way delay: unavailable (clocks not synchronized)\n",
			indent);
	}
	if (count(s, TWAMP_A_STATS_LATE_SENDS))
		fprintf(f, "%slate sends = %" PRIu64 ", max %s us late\n", indent,
			s->v[TWAMP_A_STATS_LATE_SENDS],
			fmt_fixed(buf, sizeof(buf),
				  (int64_t)count(s, TWAMP_A_STATS_LATE_MAX),
				  NSEC_PER_USEC, 1));
	if (count(s, TWAMP_A_STATS_SKIPPED))
		fprintf(f, "%sskipped sends (deadlines beyond the catch-up burst) = %" PRIu64 "\n",
			indent, s->v[TWAMP_A_STATS_SKIPPED]);
	if (count(s, TWAMP_A_STATS_RESULTS_DROPPED))
		fprintf(f, "%sper-packet results some listener missed = %" PRIu64 "\n",
			indent, s->v[TWAMP_A_STATS_RESULTS_DROPPED]);
	if (count(s, TWAMP_A_STATS_AUTH_FAILED))
		fprintf(f, "%sreplies failing authentication (dropped) = %" PRIu64 "\n",
			indent, s->v[TWAMP_A_STATS_AUTH_FAILED]);
	print_bad_replies(f, s, indent);
}
