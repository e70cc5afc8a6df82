// SPDX-License-Identifier: GPL-2.0
/*
 * A TWAMP-Test / STAMP Session-Sender for the reflector selftests: it sends
 * valid or deliberately broken test packets over UDP (or a raw socket, for
 * what a UDP socket cannot send) and checks every field of every reply
 * against what it sent, on its own reading of RFC 5357, RFC 8762 and
 * RFC 8972. It shares nothing with the module but the wire layouts of
 * uapi/linux/twamp_packet.h.
 *
 * Output: "#"-prefixed lines that nest in the calling script's KTAP, one per
 * failed check (every check with -v), and a summary line. Exit status 0 if
 * every expectation held, 1 if one did not, 2 for a usage or setup error.
 * See usage() for the options.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include <linux/twamp_packet.h>

#define NSEC_PER_SEC		((int64_t)1000000000)
#define NSEC_PER_USEC		((int64_t)1000)
#define NSEC_PER_MSEC		((int64_t)1000000)
#define MAX_PAYLOAD		65507
#define MAX_TLVS		32
#define MAX_LIST		64
#define DEFAULT_PORT		862
#define DEFAULT_EE		0x12a4	/* unsynchronized, 10 ms */
#define DUP_GRACE_NS		(20 * NSEC_PER_MSEC)

#define EXIT_MISMATCH		1
#define EXIT_USAGE		2

enum fmt { FMT_LIGHT, FMT_STAMP };
enum ts { TS_NTP, TS_PTP };

struct tlv_spec {
	uint8_t flags;
	uint8_t type;
	uint16_t len;		/* value octets actually sent */
	uint16_t claim;		/* what the Length field says */
};

static struct {
	/* what to send */
	enum fmt format;
	enum ts ts;
	long size[MAX_LIST];	/* packet i: size[i % n_size] */
	unsigned int n_size;	/* 0: the format's natural size */
	uint32_t seq;
	unsigned long count;
	long interval_us;
	uint16_t ssid;
	struct tlv_spec tlv[MAX_TLVS];
	unsigned int n_tlv;
	long ee[MAX_LIST];	/* packet i: ee[i % n_ee] */
	unsigned int n_ee;	/* 0: DEFAULT_EE */
	bool pad_zero;
	int dscp, ecn, ttl;
	const char *bind_addr;
	int sport;
	bool raw, bad_csum, zero_csum;
	const char *raw_src;
	const char *ifname;
	/* what to expect */
	bool expect_reply;
	long timeout_ms;
	long min_replies, max_replies;	/* -1: one per packet */
	enum fmt refl_format;
	bool refl_format_set;
	uint16_t refl_ee;
	int refl_dscp;		/* -1: the DSCP sent */
	int refl_ttl;
	long refl_size;		/* -1: from the formats */
	uint8_t want_tlv_flags[MAX_TLVS];
	int n_want_tlv_flags;	/* -1: not given */
	long tolerance_ns;
	bool flood, verbose, dump;
	/* where */
	const char *host;
	uint16_t port;
} opt = {
	.format = FMT_LIGHT,
	.count = 0,
	.dscp = 0,
	.ecn = 0,
	.ttl = 64,
	.sport = -1,
	.expect_reply = true,
	.timeout_ms = 1000,
	.min_replies = -1,
	.max_replies = -1,
	.refl_ee = DEFAULT_EE,
	.refl_dscp = -1,
	.refl_ttl = 255,
	.refl_size = -1,
	.n_want_tlv_flags = -1,
	.tolerance_ns = NSEC_PER_MSEC,
	.port = DEFAULT_PORT,
};

/* One packet sent, kept to check its reply against. */
struct sent {
	uint8_t *buf;
	size_t len;
	int64_t t1;		/* CLOCK_REALTIME ns, as written in the packet */
	unsigned int replies;
};

static struct sent *sent;
static unsigned long n_sent, n_replies, n_answered;
static unsigned long n_checks, n_failed;
static int64_t tai_offset_ns;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: twamp_sender [OPTIONS] ADDR [PORT]\n"
"Send TWAMP-Test or STAMP Session-Sender packets to ADDR (IPv4 or IPv6,\n"
"'%%ifname' scope allowed) port PORT (default 862) and check every field of\n"
"every reply. Exit status: 0 all checks passed, 1 a check failed, 2 usage\n"
"or setup error.\n"
"\n"
"Packets:\n"
"  -f, --format light|stamp   sender packet layout (default light)\n"
"  -s, --size N[,N...]        UDP payload octets (default: 14 light, 44 stamp,\n"
"                             plus TLVs); less than 14 sends a truncated header,\n"
"                             more pads (light) or adds raw octets after the\n"
"                             TLVs; a list: one size per packet, in turn\n"
"  -q, --seq N                first Sequence Number (default 0), +1 per packet\n"
"  -n, --count N              packets to send (default 1, or one per value\n"
"                             of the longest of the -s and -e lists)\n"
"  -i, --interval US          microseconds between packets (default 0)\n"
"      --ssid N               STAMP SSID (default 0)\n"
"      --tlv TYPE:LEN[:FLAGS][,...]  append STAMP TLVs with LEN value octets\n"
"                             (repeatable; FLAGS default 0x80, U as a sender\n"
"                             sets it)\n"
"      --bad-tlv TYPE:LEN:CLAIM  append a last TLV with LEN value octets whose\n"
"                             Length says CLAIM > LEN (malformed)\n"
"  -e, --ee VALUE[,VALUE...]  sender Error Estimate (default 0x12a4), one per\n"
"                             packet in turn; the Z bit follows --ts\n"
"  -t, --ts ntp|ptp           sender timestamp format (default ntp)\n"
"      --pad zero|pattern     padding and TLV value octets (default pattern)\n"
"      --dscp N, --ecn N      DSCP and ECN sent (IP_TOS / IPV6_TCLASS)\n"
"      --ttl N                TTL / hop limit sent (default 64)\n"
"  -b, --bind ADDR            source address\n"
"  -p, --sport N              source port (raw: may be 0)\n"
"      --dev IFNAME           bind to this device (SO_BINDTODEVICE)\n"
"      --raw                  build the IP and UDP headers here and send them\n"
"                             through a raw socket\n"
"      --src ADDR             (raw) source address written in the IP header\n"
"      --bad-csum             (raw) send a wrong UDP checksum\n"
"      --zero-csum            (raw) send a UDP checksum of 0\n"
"\n"
"Expectations:\n"
"      --expect reply|none    every packet gets a reply (default), or none;\n"
"                             also --expect-reply, --expect-no-reply\n"
"  -w, --timeout MS           wait this long for replies after the last packet\n"
"                             (default 1000; less once every packet has one)\n"
"      --replies MIN:MAX      accept MIN to MAX replies in all, not one each\n"
"      --refl-format light|stamp  the reflector's format (default --format)\n"
"      --refl-ee VALUE        reflector Error Estimate (default 0x12a4); its Z\n"
"                             bit says how T2 and T3 are read\n"
"      --refl-dscp N          DSCP of the reply (default: the one sent)\n"
"      --refl-ttl N           TTL / hop limit of the reply (default 255)\n"
"      --refl-size N          reply size (default: max(sent, 41 or 44))\n"
"      --tlv-flags F[,F...]   flags of the reply's TLVs, in order\n"
"      --tolerance US         slack on the timestamp order (default 1000)\n"
"      --flood                background traffic: ignore send errors and\n"
"                             replies, check nothing\n"
"  -v, --verbose              print every check\n"
"      --dump                 print each reply's decoded fields\n");
}

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static void __attribute__((noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "twamp_sender: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(EXIT_USAGE);
}

/* Record one check; print it if it failed or when verbose. */
static bool check(bool ok, uint32_t seq, const char *what, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	n_checks++;
	if (ok && !opt.verbose)
		return ok;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!ok)
		n_failed++;
	say("%s seq %" PRIu32 ": %s: %s", ok ? "ok  " : "FAIL", seq, what, buf);
	return ok;
}

static bool check_u(uint64_t got, uint64_t want, uint32_t seq, const char *what)
{
	return check(got == want, seq, what, "got %" PRIu64 " (0x%" PRIx64
		     "), want %" PRIu64 " (0x%" PRIx64 ")", got, got, want, want);
}

/* --- parsing ---------------------------------------------------------- */

static unsigned long long num(const char *what, const char *s,
			      unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *s == '-' || errno || *end || v > max)
		die("invalid %s '%s' (0 to %llu)", what, s, max);
	return v;
}

static void parse_one_tlv(const char *arg, bool bad)
{
	struct tlv_spec *t;
	char *copy, *f[3] = { 0 };
	unsigned int n = 0;
	char *save = NULL, *tok;

	if (opt.n_tlv == MAX_TLVS)
		die("at most %d TLVs", MAX_TLVS);
	t = &opt.tlv[opt.n_tlv];
	copy = strdup(arg);
	if (!copy)
		die("out of memory");
	for (tok = strtok_r(copy, ":", &save); tok && n < 3;
	     tok = strtok_r(NULL, ":", &save))
		f[n++] = tok;
	if (n < 2 || (bad && n != 3) || tok)
		die("bad TLV '%s' (TYPE:LEN[:FLAGS] or, malformed, TYPE:LEN:CLAIM)",
		    arg);
	t->type = num("TLV type", f[0], 255);
	t->len = num("TLV length", f[1], 65535);
	t->claim = t->len;
	t->flags = STAMP_TLV_U;
	if (bad) {
		t->claim = num("TLV claimed length", f[2], 65535);
		if (t->claim <= t->len)
			die("a malformed TLV claims more than it carries");
	} else if (f[2]) {
		t->flags = num("TLV flags", f[2], 255);
	}
	if (opt.n_tlv && opt.tlv[opt.n_tlv - 1].claim != opt.tlv[opt.n_tlv - 1].len)
		die("the malformed TLV must be the last one");
	opt.n_tlv++;
	free(copy);
}

/* N[,N...] into @v, at most MAX_LIST values */
static void parse_list(const char *what, const char *arg, unsigned long long max,
		       long *v, unsigned int *n)
{
	char *copy = strdup(arg), *save = NULL, *tok;

	if (!copy)
		die("out of memory");
	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n == MAX_LIST)
			die("at most %d values of %s", MAX_LIST, what);
		v[(*n)++] = num(what, tok, max);
	}
	if (!*n)
		die("no %s in '%s'", what, arg);
	free(copy);
}

/* TLV[,TLV...] */
static void parse_tlv(const char *arg, bool bad)
{
	char *copy = strdup(arg), *save = NULL, *tok;

	if (!copy)
		die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		parse_one_tlv(tok, bad);
	free(copy);
}

static void parse_tlv_flags(const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *tok;

	if (!copy)
		die("out of memory");
	opt.n_want_tlv_flags = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (opt.n_want_tlv_flags == MAX_TLVS)
			die("at most %d TLV flags", MAX_TLVS);
		opt.want_tlv_flags[opt.n_want_tlv_flags++] =
			num("TLV flags", tok, 255);
	}
	free(copy);
}

static enum fmt parse_format(const char *s)
{
	if (!strcmp(s, "light"))
		return FMT_LIGHT;
	if (!strcmp(s, "stamp"))
		return FMT_STAMP;
	die("format is light or stamp, not '%s'", s);
}

enum {
	O_SSID = 256, O_TLV, O_BAD_TLV, O_PAD, O_DSCP, O_ECN, O_TTL, O_DEV,
	O_RAW, O_SRC, O_BAD_CSUM, O_ZERO_CSUM, O_EXPECT, O_REPLIES,
	O_REFL_FORMAT, O_REFL_EE, O_REFL_DSCP, O_REFL_TTL, O_REFL_SIZE,
	O_TLV_FLAGS, O_TOLERANCE, O_FLOOD, O_DUMP, O_EXPECT_REPLY,
	O_EXPECT_NO_REPLY,
};

static const struct option long_opts[] = {
	{ "format",	required_argument, NULL, 'f' },
	{ "size",	required_argument, NULL, 's' },
	{ "seq",	required_argument, NULL, 'q' },
	{ "count",	required_argument, NULL, 'n' },
	{ "interval",	required_argument, NULL, 'i' },
	{ "ssid",	required_argument, NULL, O_SSID },
	{ "tlv",	required_argument, NULL, O_TLV },
	{ "bad-tlv",	required_argument, NULL, O_BAD_TLV },
	{ "ee",		required_argument, NULL, 'e' },
	{ "ts",		required_argument, NULL, 't' },
	{ "pad",	required_argument, NULL, O_PAD },
	{ "dscp",	required_argument, NULL, O_DSCP },
	{ "ecn",	required_argument, NULL, O_ECN },
	{ "ttl",	required_argument, NULL, O_TTL },
	{ "bind",	required_argument, NULL, 'b' },
	{ "sport",	required_argument, NULL, 'p' },
	{ "dev",	required_argument, NULL, O_DEV },
	{ "raw",	no_argument,	   NULL, O_RAW },
	{ "src",	required_argument, NULL, O_SRC },
	{ "bad-csum",	no_argument,	   NULL, O_BAD_CSUM },
	{ "zero-csum",	no_argument,	   NULL, O_ZERO_CSUM },
	{ "expect",	required_argument, NULL, O_EXPECT },
	{ "expect-reply", no_argument,	   NULL, O_EXPECT_REPLY },
	{ "expect-no-reply", no_argument,  NULL, O_EXPECT_NO_REPLY },
	{ "timeout",	required_argument, NULL, 'w' },
	{ "replies",	required_argument, NULL, O_REPLIES },
	{ "refl-format", required_argument, NULL, O_REFL_FORMAT },
	{ "refl-ee",	required_argument, NULL, O_REFL_EE },
	{ "refl-dscp",	required_argument, NULL, O_REFL_DSCP },
	{ "refl-ttl",	required_argument, NULL, O_REFL_TTL },
	{ "refl-size",	required_argument, NULL, O_REFL_SIZE },
	{ "tlv-flags",	required_argument, NULL, O_TLV_FLAGS },
	{ "tolerance",	required_argument, NULL, O_TOLERANCE },
	{ "flood",	no_argument,	   NULL, O_FLOOD },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "dump",	no_argument,	   NULL, O_DUMP },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(int argc, char *argv[])
{
	unsigned int i;
	char *colon;
	int c;

	while ((c = getopt_long(argc, argv, "f:s:q:n:i:e:t:b:p:w:vh",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 'f': opt.format = parse_format(optarg); break;
		case 's': parse_list("size", optarg, MAX_PAYLOAD, opt.size, &opt.n_size); break;
		case 'q': opt.seq = num("sequence number", optarg, UINT32_MAX); break;
		case 'n': opt.count = num("count", optarg, 10000000); break;
		case 'i': opt.interval_us = num("interval", optarg, 10000000); break;
		case O_SSID: opt.ssid = num("SSID", optarg, 65535); break;
		case O_TLV: parse_tlv(optarg, false); break;
		case O_BAD_TLV: parse_tlv(optarg, true); break;
		case 'e': parse_list("error estimate", optarg, 65535, opt.ee, &opt.n_ee); break;
		case 't':
			if (!strcmp(optarg, "ntp"))
				opt.ts = TS_NTP;
			else if (!strcmp(optarg, "ptp"))
				opt.ts = TS_PTP;
			else
				die("ts is ntp or ptp, not '%s'", optarg);
			break;
		case O_PAD:
			if (strcmp(optarg, "zero") && strcmp(optarg, "pattern"))
				die("pad is zero or pattern, not '%s'", optarg);
			opt.pad_zero = !strcmp(optarg, "zero");
			break;
		case O_DSCP: opt.dscp = num("DSCP", optarg, 63); break;
		case O_ECN: opt.ecn = num("ECN", optarg, 3); break;
		case O_TTL: opt.ttl = num("TTL", optarg, 255); break;
		case 'b': opt.bind_addr = optarg; break;
		case 'p': opt.sport = num("source port", optarg, 65535); break;
		case O_DEV: opt.ifname = optarg; break;
		case O_RAW: opt.raw = true; break;
		case O_SRC: opt.raw_src = optarg; opt.raw = true; break;
		case O_BAD_CSUM: opt.bad_csum = opt.raw = true; break;
		case O_ZERO_CSUM: opt.zero_csum = opt.raw = true; break;
		case O_EXPECT:
			if (strcmp(optarg, "reply") && strcmp(optarg, "none"))
				die("expect reply or none, not '%s'", optarg);
			opt.expect_reply = !strcmp(optarg, "reply");
			break;
		case O_EXPECT_REPLY: opt.expect_reply = true; break;
		case O_EXPECT_NO_REPLY: opt.expect_reply = false; break;
		case 'w': opt.timeout_ms = num("timeout", optarg, 600000); break;
		case O_REPLIES:
			colon = strchr(optarg, ':');
			if (!colon)
				die("replies is MIN:MAX");
			*colon = '\0';
			opt.min_replies = num("minimum replies", optarg, LONG_MAX);
			opt.max_replies = num("maximum replies", colon + 1, LONG_MAX);
			break;
		case O_REFL_FORMAT:
			opt.refl_format = parse_format(optarg);
			opt.refl_format_set = true;
			break;
		case O_REFL_EE: opt.refl_ee = num("reflector error estimate", optarg, 65535); break;
		case O_REFL_DSCP: opt.refl_dscp = num("reflector DSCP", optarg, 63); break;
		case O_REFL_TTL: opt.refl_ttl = num("reflector TTL", optarg, 255); break;
		case O_REFL_SIZE: opt.refl_size = num("reply size", optarg, MAX_PAYLOAD); break;
		case O_TLV_FLAGS: parse_tlv_flags(optarg); break;
		case O_TOLERANCE: opt.tolerance_ns = num("tolerance", optarg, 60000000) * NSEC_PER_USEC; break;
		case O_FLOOD: opt.flood = true; break;
		case 'v': opt.verbose = true; break;
		case O_DUMP: opt.dump = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind >= argc || argc - optind > 2) {
		usage(stderr);
		exit(EXIT_USAGE);
	}
	opt.host = argv[optind];
	if (optind + 1 < argc)
		opt.port = num("port", argv[optind + 1], 65535);
	if (!opt.refl_format_set)
		opt.refl_format = opt.format;
	if (opt.n_tlv && opt.format != FMT_STAMP)
		die("TLVs are for --format stamp");
	if (opt.bad_csum && opt.zero_csum)
		die("--bad-csum or --zero-csum, not both");
	if (opt.sport == 0 && !opt.raw)
		die("source port 0 needs --raw");
	if (!opt.n_ee)
		opt.ee[opt.n_ee++] = DEFAULT_EE;
	if (opt.ts == TS_PTP)
		for (i = 0; i < opt.n_ee; i++)
			opt.ee[i] |= TWAMP_EE_Z;
	/* one packet per listed value, unless told otherwise */
	if (!opt.count)
		opt.count = opt.n_size > opt.n_ee ? opt.n_size : opt.n_ee;
	if (opt.refl_dscp < 0)
		opt.refl_dscp = opt.dscp;
	if (opt.flood)
		opt.expect_reply = false;
}

/* --- time --------------------------------------------------------------- */

static int64_t now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* TAI - UTC as the kernel knows it: what PTP timestamps add to UTC. */
static int64_t tai_offset(void)
{
	struct timex tx = { .modes = 0 };

	if (adjtimex(&tx) < 0)
		die("adjtimex: %s", strerror(errno));
	return (int64_t)tx.tai * NSEC_PER_SEC;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Write a CLOCK_REALTIME time as an NTP or truncated PTP timestamp. */
static void put_ts(uint8_t *p, int64_t ns, enum ts ts)
{
	uint64_t sec, frac;

	if (ts == TS_PTP) {
		ns += tai_offset_ns;
		put_be32(p, (uint32_t)(ns / NSEC_PER_SEC));
		put_be32(p + 4, (uint32_t)(ns % NSEC_PER_SEC));
		return;
	}
	sec = ns / NSEC_PER_SEC + TWAMP_NTP_UNIX_OFFSET;
	frac = ((uint64_t)(ns % NSEC_PER_SEC) << 32) / NSEC_PER_SEC;
	put_be32(p, (uint32_t)sec);
	put_be32(p + 4, (uint32_t)frac);
}

/*
 * Read a timestamp back onto the CLOCK_REALTIME scale. NTP seconds wrap in
 * 2036: a value below the Unix epoch's is taken to be in the next era.
 */
static bool get_ts(const uint8_t *p, enum ts ts, int64_t *ns)
{
	uint64_t sec = get_be32(p), frac = get_be32(p + 4);

	if (ts == TS_PTP) {
		if (frac >= NSEC_PER_SEC)
			return false;
		*ns = (int64_t)(sec * NSEC_PER_SEC + frac) - tai_offset_ns;
		return true;
	}
	if (sec < TWAMP_NTP_UNIX_OFFSET)
		sec += 1ULL << 32;
	*ns = (int64_t)((sec - TWAMP_NTP_UNIX_OFFSET) * NSEC_PER_SEC +
			((frac * NSEC_PER_SEC) >> 32));
	return true;
}

static void fmt_ns(char *buf, size_t size, int64_t ns)
{
	snprintf(buf, size, "%" PRId64 ".%09" PRId64, ns / NSEC_PER_SEC,
		 ns % NSEC_PER_SEC);
}

/* --- packets ------------------------------------------------------------ */

static size_t base_size(enum fmt f)
{
	return f == FMT_STAMP ? STAMP_BASE_SIZE : TWAMP_SENDER_SIZE;
}

static size_t refl_base_size(enum fmt f)
{
	return f == FMT_STAMP ? STAMP_BASE_SIZE : TWAMP_REFLECTOR_SIZE;
}

static size_t tlvs_size(void)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < opt.n_tlv; i++)
		n += sizeof(struct stamp_tlv) + opt.tlv[i].len;
	return n;
}

static size_t packet_size(unsigned long i)
{
	if (opt.n_size)
		return opt.size[i % opt.n_size];
	return base_size(opt.format) + tlvs_size();
}

static size_t max_packet_size(void)
{
	size_t max = base_size(opt.format) + tlvs_size();
	unsigned int i;

	for (i = 0; i < opt.n_size; i++)
		if ((size_t)opt.size[i] > max)
			max = opt.size[i];
	return max;
}

/* Padding and TLV values: a pattern that differs per octet and per packet. */
static uint8_t pad_octet(uint32_t seq, size_t off)
{
	return opt.pad_zero ? 0 : (uint8_t)(off * 31 + seq * 7 + 0x5a);
}

/*
 * The sender packet with Sequence Number @seq, @len octets long, into @buf
 * (room for max(len, base + TLVs)); the timestamp is written at send time.
 */
static void build_packet(uint8_t *buf, size_t len, uint32_t seq, uint16_t ee)
{
	size_t full = base_size(opt.format) + tlvs_size(), off, i;
	unsigned int t;

	if (full < len)
		full = len;
	for (i = 0; i < full; i++)
		buf[i] = pad_octet(seq, i);
	put_be32(buf, seq);
	put_be16(buf + offsetof(struct twamp_test_sender, error_estimate), ee);
	if (opt.format == FMT_STAMP) {
		put_be16(buf + offsetof(struct stamp_test_sender, ssid), opt.ssid);
		memset(buf + offsetof(struct stamp_test_sender, mbz), 0,
		       sizeof(((struct stamp_test_sender *)0)->mbz));
		off = STAMP_BASE_SIZE;
		for (t = 0; t < opt.n_tlv; t++) {
			buf[off] = opt.tlv[t].flags;
			buf[off + 1] = opt.tlv[t].type;
			put_be16(buf + off + 2, opt.tlv[t].claim);
			off += sizeof(struct stamp_tlv) + opt.tlv[t].len;
		}
	}
}

/*
 * The reflector's TLV processing as RFC 8972 section 4 describes it, on a
 * copy of what was sent: Extra Padding is understood (U cleared), any other
 * type is not (U set), a TLV running past the end is malformed (M set) and
 * ends the processing; what follows is returned unchanged.
 */
static void expect_tlvs(uint8_t *p, size_t len)
{
	while (len >= sizeof(struct stamp_tlv)) {
		size_t vlen = get_be16(p + 2);

		if (vlen > len - sizeof(struct stamp_tlv)) {
			p[0] |= STAMP_TLV_M;
			return;
		}
		if (p[1] == STAMP_TLV_EXTRA_PADDING)
			p[0] &= ~STAMP_TLV_U;
		else
			p[0] |= STAMP_TLV_U;
		p += sizeof(struct stamp_tlv) + vlen;
		len -= sizeof(struct stamp_tlv) + vlen;
	}
}

/* --- sockets ---------------------------------------------------------- */

static struct sockaddr_storage dst;
static socklen_t dst_len;
static int family;

static void resolve(const char *host, uint16_t port, struct sockaddr_storage *ss,
		    socklen_t *len)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST,
		.ai_socktype = SOCK_DGRAM,
	};
	struct addrinfo *ai;
	char service[8];
	int err;

	snprintf(service, sizeof(service), "%u", port);
	err = getaddrinfo(host, service, &hints, &ai);
	if (err)
		die("address '%s': %s", host, gai_strerror(err));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
}

static void setopt(int fd, int level, int name, int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)))
		die("setsockopt %s: %s", what, strerror(errno));
}

/* The UDP socket: sends (unless raw) and receives the replies. */
static int udp_socket(void)
{
	struct sockaddr_storage src;
	socklen_t src_len;
	int fd;

	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
	if (opt.ifname &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, opt.ifname,
		       strlen(opt.ifname)))
		die("SO_BINDTODEVICE %s: %s", opt.ifname, strerror(errno));
	if (family == AF_INET) {
		setopt(fd, IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL");
		setopt(fd, IPPROTO_IP, IP_RECVTOS, 1, "IP_RECVTOS");
		setopt(fd, IPPROTO_IP, IP_TOS, opt.dscp << 2 | opt.ecn, "IP_TOS");
		setopt(fd, IPPROTO_IP, IP_TTL, opt.ttl, "IP_TTL");
		setopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, opt.ttl, "IP_MULTICAST_TTL");
		setopt(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST");
	} else {
		setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY");
		setopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
		setopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, 1, "IPV6_RECVTCLASS");
		setopt(fd, IPPROTO_IPV6, IPV6_TCLASS, opt.dscp << 2 | opt.ecn, "IPV6_TCLASS");
		setopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, opt.ttl, "IPV6_UNICAST_HOPS");
		setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, opt.ttl, "IPV6_MULTICAST_HOPS");
	}
	/* raw: the replies come here, to a port of our own */
	if (opt.bind_addr || opt.sport > 0 || opt.raw) {
		resolve(opt.bind_addr ? opt.bind_addr :
			family == AF_INET ? "0.0.0.0" : "::",
			opt.sport > 0 ? opt.sport : 0, &src, &src_len);
		if (src.ss_family != family)
			die("--bind and the destination differ in family");
		if (bind(fd, (struct sockaddr *)&src, src_len))
			die("bind %s port %d: %s", opt.bind_addr ?: "*",
			    opt.sport > 0 ? opt.sport : 0, strerror(errno));
	}
	return fd;
}

/*
 * Where a raw packet comes from: the UDP socket's port, and --src, else the
 * address it is bound to, else the one the kernel would pick.
 */
static void raw_source(int udp_fd, struct sockaddr_storage *src)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(*src);
	int fd;

	if (getsockname(udp_fd, (struct sockaddr *)src, &len))
		die("getsockname: %s", strerror(errno));
	if (opt.raw_src) {
		resolve(opt.raw_src, 0, &addr, &len);
		if (addr.ss_family != family)
			die("--src and the destination differ in family");
	} else if (!opt.bind_addr) {
		fd = socket(family, SOCK_DGRAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&dst, dst_len))
			die("no route to %s: %s", opt.host, strerror(errno));
		len = sizeof(addr);
		if (getsockname(fd, (struct sockaddr *)&addr, &len))
			die("getsockname: %s", strerror(errno));
		close(fd);
	} else {
		return;
	}
	if (family == AF_INET)
		((struct sockaddr_in *)src)->sin_addr =
			((struct sockaddr_in *)&addr)->sin_addr;
	else
		((struct sockaddr_in6 *)src)->sin6_addr =
			((struct sockaddr_in6 *)&addr)->sin6_addr;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Wrap @pl in UDP and IP headers from @src to the destination, into @out.
 * Returns the datagram's length.
 */
static size_t raw_build(uint8_t *out, const uint8_t *pl, size_t len,
			const struct sockaddr_storage *src, uint16_t sport)
{
	size_t iphl = family == AF_INET ? sizeof(struct iphdr) :
					  sizeof(struct ip6_hdr);
	struct udphdr *uh = (struct udphdr *)(out + iphl);
	uint16_t udp_len = sizeof(*uh) + len, sum;
	uint32_t acc = 0;

	memcpy(uh + 1, pl, len);
	uh->source = htons(sport);
	uh->dest = htons(opt.port);
	uh->len = htons(udp_len);
	uh->check = 0;

	if (family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)out;

		memset(ip, 0, sizeof(*ip));
		ip->version = 4;
		ip->ihl = 5;
		ip->tos = opt.dscp << 2 | opt.ecn;
		ip->tot_len = htons(iphl + udp_len);
		ip->frag_off = htons(IP_DF);
		ip->ttl = opt.ttl;
		ip->protocol = IPPROTO_UDP;
		ip->saddr = ((const struct sockaddr_in *)src)->sin_addr.s_addr;
		ip->daddr = ((struct sockaddr_in *)&dst)->sin_addr.s_addr;
		/* the kernel fills in the header checksum */
		acc = csum_add(acc, &ip->saddr, 8);
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)out;
		uint8_t tclass = opt.dscp << 2 | opt.ecn;

		memset(ip6, 0, sizeof(*ip6));
		ip6->ip6_flow = htonl(6u << 28 | (uint32_t)tclass << 20);
		ip6->ip6_plen = htons(udp_len);
		ip6->ip6_nxt = IPPROTO_UDP;
		ip6->ip6_hlim = opt.ttl;
		ip6->ip6_src = ((const struct sockaddr_in6 *)src)->sin6_addr;
		ip6->ip6_dst = ((struct sockaddr_in6 *)&dst)->sin6_addr;
		acc = csum_add(acc, &ip6->ip6_src, 32);
	}
	acc += IPPROTO_UDP + udp_len;
	acc = csum_add(acc, uh, udp_len);
	sum = csum_fold(acc);
	if (!sum)
		sum = 0xffff;		/* 0 means "no checksum" */
	if (opt.zero_csum)
		sum = 0;
	else if (opt.bad_csum)
		sum = sum == 0x1234 ? 0x4321 : 0x1234;
	uh->check = htons(sum);
	return iphl + udp_len;
}

static int raw_socket(void)
{
	int fd = socket(family, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0)
		die("raw socket: %s", strerror(errno));
	if (opt.ifname &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, opt.ifname,
		       strlen(opt.ifname)))
		die("SO_BINDTODEVICE %s: %s", opt.ifname, strerror(errno));
	return fd;
}

/* --- checking a reply --------------------------------------------------- */

struct rx_meta {
	int64_t t4;		/* SO_TIMESTAMPNS, -1 if absent */
	int ttl;		/* -1 if absent */
	int tos;		/* -1 if absent */
	struct sockaddr_storage from;
};

static void check_reply(const uint8_t *r, size_t len, const struct rx_meta *m)
{
	enum ts refl_ts = opt.refl_ee & TWAMP_EE_Z ? TS_PTP : TS_NTP;
	const struct twamp_test_reflector *h = (const void *)r;
	uint8_t exp[MAX_PAYLOAD + 64];
	size_t exp_len, i;
	int64_t t2 = 0, t3 = 0;
	char s1[32], s2[32], s3[32], s4[32];
	struct sent *s;
	uint32_t seq;
	bool ok;

	n_replies++;
	if (len < sizeof(uint32_t)) {
		check(false, 0, "reply size", "%zu octets, no sequence number", len);
		return;
	}
	seq = get_be32(r);
	if (seq - opt.seq >= n_sent) {
		check(false, seq, "sequence number",
		      "reply to a packet never sent (sent %" PRIu32 "..%" PRIu32 ")",
		      opt.seq, (uint32_t)(opt.seq + n_sent - 1));
		return;
	}
	s = &sent[seq - opt.seq];
	s->replies++;
	if (s->replies == 1)
		n_answered++;
	check(s->replies == 1, seq, "duplicate", "reply number %u", s->replies);

	/* The reply the sent packet calls for, padding and TLVs included. */
	exp_len = s->len;
	if (exp_len < refl_base_size(opt.refl_format))
		exp_len = refl_base_size(opt.refl_format);
	if (opt.refl_size >= 0)
		exp_len = opt.refl_size;
	memset(exp, 0, exp_len);
	memcpy(exp, s->buf, s->len < exp_len ? s->len : exp_len);

	if (!check_u(len, exp_len, seq, "reply size (UDP payload)"))
		return;
	if (len < TWAMP_REFLECTOR_SIZE)
		return;

	check_u(get_be32((const uint8_t *)&h->seq), seq, seq,
		"reflector Sequence Number (stateless: the sender's)");
	check_u(get_be16((const uint8_t *)&h->error_estimate), opt.refl_ee, seq,
		"reflector Error Estimate");
	check_u(get_be16((const uint8_t *)&h->mbz_ssid),
		opt.refl_format == FMT_STAMP && s->len >= 16 ?
		get_be16(s->buf + offsetof(struct stamp_test_sender, ssid)) : 0,
		seq, opt.refl_format == FMT_STAMP ? "SSID echoed" : "MBZ (14-15)");
	check_u(get_be32((const uint8_t *)&h->sender_seq), seq, seq,
		"Sender Sequence Number");
	check(!memcmp(&h->sender_ts, exp + 4, 8), seq, "Sender Timestamp echoed",
	      "%08x.%08x, sent %08x.%08x", get_be32((const uint8_t *)&h->sender_ts),
	      get_be32((const uint8_t *)&h->sender_ts + 4), get_be32(exp + 4),
	      get_be32(exp + 8));
	check_u(get_be16((const uint8_t *)&h->sender_error_estimate),
		get_be16(exp + 12), seq, "Sender Error Estimate echoed");
	check_u(get_be16((const uint8_t *)&h->mbz), 0, seq, "MBZ (38-39)");
	check_u(h->sender_ttl, opt.ttl, seq, "Sender TTL (the TTL sent)");

	/* T1 <= T2 <= T3 <= T4, one clock, up to the conversions' rounding */
	ok = check(get_ts((const uint8_t *)&h->rx_ts, refl_ts, &t2), seq,
		   "Receive Timestamp (T2) format", "%s %08x.%08x",
		   refl_ts == TS_PTP ? "PTP" : "NTP",
		   get_be32((const uint8_t *)&h->rx_ts),
		   get_be32((const uint8_t *)&h->rx_ts + 4));
	ok &= check(get_ts((const uint8_t *)&h->ts, refl_ts, &t3), seq,
		    "Timestamp (T3) format", "%s %08x.%08x",
		    refl_ts == TS_PTP ? "PTP" : "NTP",
		    get_be32((const uint8_t *)&h->ts),
		    get_be32((const uint8_t *)&h->ts + 4));
	if (ok) {
		fmt_ns(s1, sizeof(s1), s->t1);
		fmt_ns(s2, sizeof(s2), t2);
		fmt_ns(s3, sizeof(s3), t3);
		fmt_ns(s4, sizeof(s4), m->t4);
		check(t2 >= s->t1 - opt.tolerance_ns, seq, "T1 <= T2",
		      "T1 %s, T2 %s (%+" PRId64 " ns)", s1, s2, t2 - s->t1);
		check(t2 <= t3, seq, "T2 <= T3", "T2 %s, T3 %s (%+" PRId64 " ns)",
		      s2, s3, t3 - t2);
		check(t2 - s->t1 < (opt.timeout_ms + 1000) * NSEC_PER_MSEC, seq,
		      "T2 - T1 plausible", "%" PRId64 " ns", t2 - s->t1);
		if (check(m->t4 >= 0, seq, "receive time (SO_TIMESTAMPNS)",
			  "%s", m->t4 >= 0 ? "present" : "absent"))
			check(t3 <= m->t4 + opt.tolerance_ns, seq, "T3 <= T4",
			      "T3 %s, T4 %s (%+" PRId64 " ns)", s3, s4,
			      m->t4 - t3);
	}

	if (check(m->ttl >= 0, seq, "received TTL/hop limit", "%s",
		  m->ttl >= 0 ? "present" : "no cmsg"))
		check_u(m->ttl, opt.refl_ttl, seq, "reply TTL/hop limit");
	if (check(m->tos >= 0, seq, "received TOS/traffic class", "%s",
		  m->tos >= 0 ? "present" : "no cmsg"))
		check_u(m->tos, opt.refl_dscp << 2, seq,
			"reply DS field (DSCP, ECN cleared)");

	if (opt.refl_format == FMT_LIGHT) {
		/* padding: the sender's own octets, or zeros past its end */
		for (i = TWAMP_REFLECTOR_SIZE; i < len && r[i] == exp[i]; i++)
			;
		check(i == len, seq, "padding unchanged",
		      i == len ? "%zu octets" : "octet %zu is 0x%02x, sent 0x%02x",
		      i == len ? len - TWAMP_REFLECTOR_SIZE : i, r[i < len ? i : 0],
		      exp[i < len ? i : 0]);
		return;
	}

	for (i = TWAMP_REFLECTOR_SIZE; i < STAMP_BASE_SIZE && i < len && !r[i]; i++)
		;
	check(i >= STAMP_BASE_SIZE || i >= len, seq, "MBZ (41-43)",
	      "octet %zu is 0x%02x", i, r[i < len ? i : 0]);
	if (len <= STAMP_BASE_SIZE)
		return;
	expect_tlvs(exp + STAMP_BASE_SIZE, len - STAMP_BASE_SIZE);
	for (i = STAMP_BASE_SIZE; i < len && r[i] == exp[i]; i++)
		;
	check(i == len, seq, "TLVs as RFC 8972 returns them",
	      i == len ? "%zu octets" : "octet %zu is 0x%02x, want 0x%02x",
	      i == len ? len - STAMP_BASE_SIZE : i, r[i < len ? i : 0],
	      exp[i < len ? i : 0]);
	if (opt.n_want_tlv_flags >= 0) {
		char got[MAX_TLVS * 5 + 8] = "", want[MAX_TLVS * 5 + 8] = "";
		size_t off = STAMP_BASE_SIZE, n = 0, w = 0, g = 0;
		int k;

		/* walk the reply's own TLVs, as a sender would */
		while (off + sizeof(struct stamp_tlv) <= len && n < MAX_TLVS) {
			g += snprintf(got + g, sizeof(got) - g, "%s0x%02x",
				      n ? "," : "", r[off]);
			n++;
			if (r[off] & STAMP_TLV_M)
				break;
			off += sizeof(struct stamp_tlv) + get_be16(r + off + 2);
		}
		for (k = 0; k < opt.n_want_tlv_flags; k++)
			w += snprintf(want + w, sizeof(want) - w, "%s0x%02x",
				      k ? "," : "", opt.want_tlv_flags[k]);
		check(!strcmp(got, want), seq, "TLV flags", "got %s, want %s",
		      got, want);
	}
}

static void dump_reply(const uint8_t *r, size_t len, const struct rx_meta *m)
{
	enum ts refl_ts = opt.refl_ee & TWAMP_EE_Z ? TS_PTP : TS_NTP;
	const struct twamp_test_reflector *h = (const void *)r;
	char s1[32], s2[32], s3[32], s4[32];
	int64_t t1 = 0, t2 = 0, t3 = 0;
	uint32_t seq;

	if (len < TWAMP_REFLECTOR_SIZE)
		return;
	seq = get_be32(r);
	if (seq - opt.seq < n_sent)
		t1 = sent[seq - opt.seq].t1;
	get_ts((const uint8_t *)&h->rx_ts, refl_ts, &t2);
	get_ts((const uint8_t *)&h->ts, refl_ts, &t3);
	fmt_ns(s1, sizeof(s1), t1);
	fmt_ns(s2, sizeof(s2), t2);
	fmt_ns(s3, sizeof(s3), t3);
	fmt_ns(s4, sizeof(s4), m->t4);
	say("reply seq=%" PRIu32 " size=%zu ee=0x%04x ssid=%u sender_seq=%" PRIu32
	    " sender_ee=0x%04x sender_ttl=%u ttl=%d tos=0x%02x t1=%s t2=%s t3=%s t4=%s",
	    seq, len, get_be16((const uint8_t *)&h->error_estimate),
	    get_be16((const uint8_t *)&h->mbz_ssid),
	    get_be32((const uint8_t *)&h->sender_seq),
	    get_be16((const uint8_t *)&h->sender_error_estimate), h->sender_ttl,
	    m->ttl, m->tos, s1, s2, s3, s4);
}

static bool same_peer(const struct sockaddr_storage *a)
{
	if (a->ss_family != family)
		return false;
	if (family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)&dst;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)&dst;

	return x->sin6_port == y->sin6_port &&
	       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
}

/* Read every datagram waiting on @fd, or wait until @deadline for one. */
static void receive(int fd, int64_t deadline)
{
	static uint8_t buf[MAX_PAYLOAD + 64];
	char cbuf[512];

	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		struct rx_meta m = { .t4 = -1, .ttl = -1, .tos = -1 };
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct cmsghdr *c;
		int64_t left;
		ssize_t n;

		/*
		 * Every packet answered: no need to wait the whole timeout,
		 * just a moment for a duplicate.
		 */
		if (opt.expect_reply && opt.min_replies < 0 &&
		    n_sent == opt.count && n_answered == n_sent &&
		    deadline > now_real() + DUP_GRACE_NS)
			deadline = now_real() + DUP_GRACE_NS;
		left = deadline - now_real();

		if (poll(&pfd, 1, left > 0 ? (int)((left + NSEC_PER_MSEC - 1) /
						    NSEC_PER_MSEC) : 0) <= 0)
			return;
		msg.msg_name = &m.from;
		msg.msg_namelen = sizeof(m.from);
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			/* e.g. ECONNREFUSED: an ICMP error, not a reply */
			say("recvmsg: %s", strerror(errno));
			if (!opt.flood)
				n_failed++;
			continue;
		}
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				m.t4 = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
			} else if ((c->cmsg_level == IPPROTO_IP &&
				    c->cmsg_type == IP_TTL) ||
				   (c->cmsg_level == IPPROTO_IPV6 &&
				    c->cmsg_type == IPV6_HOPLIMIT)) {
				memcpy(&m.ttl, CMSG_DATA(c), sizeof(int));
			} else if (c->cmsg_level == IPPROTO_IP &&
				   c->cmsg_type == IP_TOS) {
				m.tos = *(uint8_t *)CMSG_DATA(c);
			} else if (c->cmsg_level == IPPROTO_IPV6 &&
				   c->cmsg_type == IPV6_TCLASS) {
				memcpy(&m.tos, CMSG_DATA(c), sizeof(int));
			}
		}
		if (opt.flood)
			continue;
		if (!opt.expect_reply) {
			n_replies++;
			check(false, n >= 4 ? get_be32(buf) : 0, "no reply expected",
			      "got %zd octets", n);
			continue;
		}
		check(same_peer(&m.from), n >= 4 ? get_be32(buf) : 0,
		      "reply source", "from the reflector's address and port");
		if (opt.dump)
			dump_reply(buf, n, &m);
		check_reply(buf, n, &m);
	}
}

int main(int argc, char *argv[])
{
	struct sockaddr_storage src;
	size_t len, room, raw_len;
	uint8_t *raw_buf = NULL;
	int fd, raw_fd = -1;
	uint16_t raw_sport = 0;
	int64_t t_first = 0, t_last = 0;
	unsigned long i;
	int64_t next;
	bool ok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	tai_offset_ns = tai_offset();

	resolve(opt.host, opt.port, &dst, &dst_len);
	family = dst.ss_family;
	fd = udp_socket();
	if (opt.raw) {
		raw_fd = raw_socket();
		raw_source(fd, &src);
		raw_sport = opt.sport >= 0 ? opt.sport :
			    ntohs(family == AF_INET ?
				  ((struct sockaddr_in *)&src)->sin_port :
				  ((struct sockaddr_in6 *)&src)->sin6_port);
		raw_buf = malloc(MAX_PAYLOAD + 128);
		if (!raw_buf)
			die("out of memory");
	}
	/*
	 * Not connected: a reply from any address reaches us, which is what
	 * --expect none must see (a reflector answering a broadcast would
	 * answer from its unicast address); check_reply() checks the source.
	 */

	room = max_packet_size();
	if (!opt.flood) {
		sent = calloc(opt.count, sizeof(*sent));
		if (!sent)
			die("out of memory");
	}

	next = now_real();
	for (i = 0; i < opt.count; i++) {
		uint32_t seq = opt.seq + (uint32_t)i;
		uint8_t *buf = malloc(room);
		int64_t t1;
		ssize_t n;

		if (!buf)
			die("out of memory");
		len = packet_size(i);
		build_packet(buf, len, seq, opt.ee[i % opt.n_ee]);
		/* T1: as late as possible before the packet leaves */
		t1 = now_real();
		if (len >= 12)
			put_ts(buf + 4, t1, opt.ts);
		if (!i)
			t_first = t1;
		t_last = t1;
		if (opt.raw) {
			struct sockaddr_storage to = dst;

			raw_len = raw_build(raw_buf, buf, len, &src, raw_sport);
			if (family == AF_INET6)
				((struct sockaddr_in6 *)&to)->sin6_port = 0;
			else
				((struct sockaddr_in *)&to)->sin_port = 0;
			n = sendto(raw_fd, raw_buf, raw_len, 0,
				   (struct sockaddr *)&to, dst_len);
		} else {
			n = sendto(fd, buf, len, 0, (struct sockaddr *)&dst,
				   dst_len);
		}
		if (n < 0 && !opt.flood)
			die("send packet %lu: %s", i, strerror(errno));
		if (opt.flood) {
			free(buf);
		} else {
			sent[i] = (struct sent){ .buf = buf, .len = len, .t1 = t1 };
			n_sent++;
		}
		/* keep up with replies so that the socket never overflows */
		if (opt.interval_us) {
			next += opt.interval_us * NSEC_PER_USEC;
			receive(fd, next);
		} else {
			receive(fd, 0);
		}
	}
	receive(fd, now_real() + opt.timeout_ms * NSEC_PER_MSEC);

	if (opt.flood) {
		say("twamp_sender: flood of %lu packets sent", opt.count);
		return 0;
	}

	if (opt.expect_reply && opt.min_replies < 0) {
		for (i = 0; i < n_sent; i++)
			check(sent[i].replies > 0, opt.seq + (uint32_t)i,
			      "reply received", "%u replies", sent[i].replies);
	} else if (opt.expect_reply) {
		check(n_replies >= (unsigned long)opt.min_replies &&
		      n_replies <= (unsigned long)opt.max_replies, 0,
		      "number of replies", "%lu, want %ld to %ld", n_replies,
		      opt.min_replies, opt.max_replies);
	}

	ok = !n_failed;
	/* "in N us": from the first packet to the last, for rate checks */
	say("twamp_sender: %s: sent %lu in %" PRId64 " us to %s port %u, %lu replies, %lu checks, %lu failed",
	    ok ? "ok" : "FAIL", n_sent, (t_last - t_first) / NSEC_PER_USEC,
	    opt.host, opt.port, n_replies, n_checks, n_failed);
	return ok ? 0 : EXIT_MISMATCH;
}
