// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ureflect: one TWAMP Light, STAMP or keyed TWAMP-Test session
 * reflected in userspace by daemon/ureflect.c, until SIGINT or SIGTERM (or
 * REFWAIT), then its counters. For hosts where twamp.ko cannot be loaded,
 * and as the baseline the kernel reflector is measured against.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ureflect.h"

#define PROG	"twamp-ureflect"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [-4|-6] [-p PORT] [-a ADDR] [--stamp] [--stateful]\n"
"                      [--security auth|encrypt --aes-key HEX --hmac-key HEX]\n"
"                      [--peer ADDR[:PORT]] [--dscp N] [--reflect-len N]\n"
"                      [--refwait SEC] [--sessions N] [-v]\n"
"Reflect TWAMP-Test packets (TWAMP Light, STAMP, or authenticated or\n"
"encrypted TWAMP-Test with given session keys) in userspace until SIGINT or\n"
"SIGTERM, or until no packet came for --refwait seconds, then print the\n"
"counters (of all sessions). SIGHUP closes and reopens the sockets.\n"
"  -4, -6            IPv4 (the default) or IPv6\n"
"  -p PORT           UDP port to receive on (default 862; 0: any)\n"
"  -a ADDR           local address (default: any)\n"
"  --stamp           STAMP (RFC 8762) packets instead of TWAMP\n"
"  --stateful        the reflector's own Sequence Number from 0 (default:\n"
"                    copy the sender's, as a stateless reflector does)\n"
"  --security MODE   auth or encrypt (RFC 5357 test packets; default open)\n"
"  --aes-key HEX     the session's AES key, 16 octets\n"
"  --hmac-key HEX    the session's HMAC key, 32 octets\n"
"  --peer ADDR[:PORT]  reflect only this sender's packets ([ADDR]:PORT for\n"
"                    IPv6; default: any sender)\n"
"  --dscp N          DSCP of the replies, 0-63 (default: the request's)\n"
"  --reflect-len N   RFC 6038: return the first N padding octets\n"
"  --refwait SEC     stop after SEC seconds without a packet (REFWAIT)\n"
"  --sessions N      N sessions on ports PORT to PORT + N - 1, one thread\n"
"  -v                print the counters every second\n"
"Prints \"listening on ADDR port PORT\" per session once ready, at the end\n"
"\"rx N tx N short N auth N peer N invalid N xmit N\".\n"
"Exit status: 0, or 1 on a bad argument or a setup error.\n");
}

static void __attribute__((noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static unsigned long num(const char *what, const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *s == '-' || errno || *end || v > max)
		die("invalid %s '%s' (0 to %lu)", what, s, max);
	return v;
}

static void hex(const char *what, const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		die("%s must be %zu hex digits", what, 2 * n);
	for (i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
			die("%s must be %zu hex digits", what, 2 * n);
		out[i] = v;
	}
}

/* ADDR (port 0) into @ss, of @family unless it is AF_UNSPEC. */
static void parse_addr(const char *what, const char *s, int family,
		       struct sockaddr_storage *ss)
{
	struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICHOST,
	}, *ai;

	if (getaddrinfo(s, NULL, &hints, &ai) || !ai)
		die("invalid %s '%s'", what, s);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
}

/* ADDR, ADDR:PORT or [ADDR]:PORT */
static void parse_peer(const char *arg, int family,
		       struct sockaddr_storage *ss)
{
	char buf[INET6_ADDRSTRLEN + 16], *port = NULL, *addr = buf, *c;

	if (strlen(arg) >= sizeof(buf))
		die("invalid peer '%s'", arg);
	strcpy(buf, arg);
	if (buf[0] == '[') {
		c = strchr(buf, ']');
		if (!c || (c[1] && c[1] != ':'))
			die("invalid peer '%s'", arg);
		*c = 0;
		addr = buf + 1;
		if (c[1])
			port = c + 2;
	} else if ((c = strchr(buf, ':')) && !strchr(c + 1, ':')) {
		*c = 0;
		port = c + 1;
	}
	parse_addr("peer address", addr, family, ss);
	if (port) {
		uint16_t p = num("peer port", port, 65535);

		if (ss->ss_family == AF_INET)
			((struct sockaddr_in *)ss)->sin_port = htons(p);
		else
			((struct sockaddr_in6 *)ss)->sin6_port = htons(p);
	}
}

static void print_counters(FILE *f, const struct urefl_counters *c)
{
	fprintf(f, "rx %" PRIu64 " tx %" PRIu64 " short %" PRIu64 " auth %"
		PRIu64 " peer %" PRIu64 " invalid %" PRIu64 " xmit %" PRIu64
		"\n", c->rx, c->tx, c->drop_short, c->drop_auth, c->drop_peer,
		c->drop_invalid, c->drop_xmit);
	fflush(f);
}

#define MAX_SESSIONS	1024

struct sess {
	int id;
	uint16_t port;
};

/* Reflect on @port (0: any); a message on standard error if it fails. */
static int open_session(struct urefl *u, struct urefl_session_cfg *cfg,
			struct sess *s, uint16_t port)
{
	if (cfg->local.ss_family == AF_INET)
		((struct sockaddr_in *)&cfg->local)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&cfg->local)->sin6_port = htons(port);
	s->id = urefl_session_add(u, cfg, &s->port);
	if (s->id < 0) {
		fprintf(stderr, PROG ": cannot reflect on port %u: %s\n", port,
			strerror(-s->id));
		return -1;
	}
	return 0;
}

static void add_counters(struct urefl_counters *sum,
			 const struct urefl_counters *c)
{
	sum->rx += c->rx;
	sum->tx += c->tx;
	sum->drop_short += c->drop_short;
	sum->drop_auth += c->drop_auth;
	sum->drop_peer += c->drop_peer;
	sum->drop_invalid += c->drop_invalid;
	sum->drop_xmit += c->drop_xmit;
}

/* Delete a session, its counters added to @carried. */
static int close_session(struct urefl *u, struct sess *s,
			 struct urefl_counters *carried)
{
	struct urefl_counters c;

	if (urefl_session_counters(u, s->id, &c) ||
	    urefl_session_del(u, s->id))
		return -1;
	add_counters(carried, &c);
	return 0;
}

/* Every session's counters and those of closed ones, into @sum. */
static int total(struct urefl *u, const struct sess *sess, unsigned long n,
		 const struct urefl_counters *carried,
		 struct urefl_counters *sum)
{
	struct urefl_counters c;
	unsigned long i;

	*sum = *carried;
	for (i = 0; i < n; i++) {
		if (urefl_session_counters(u, sess[i].id, &c))
			return -1;
		add_counters(sum, &c);
	}
	return 0;
}

enum {
	O_STAMP = 256, O_STATEFUL, O_SECURITY, O_AES, O_HMAC, O_PEER, O_DSCP,
	O_REFLECT_LEN, O_REFWAIT, O_SESSIONS,
};

static const struct option long_opts[] = {
	{ "stamp",	 no_argument,	    NULL, O_STAMP },
	{ "stateful",	 no_argument,	    NULL, O_STATEFUL },
	{ "security",	 required_argument, NULL, O_SECURITY },
	{ "aes-key",	 required_argument, NULL, O_AES },
	{ "hmac-key",	 required_argument, NULL, O_HMAC },
	{ "peer",	 required_argument, NULL, O_PEER },
	{ "dscp",	 required_argument, NULL, O_DSCP },
	{ "reflect-len", required_argument, NULL, O_REFLECT_LEN },
	{ "refwait",	 required_argument, NULL, O_REFWAIT },
	{ "sessions",	 required_argument, NULL, O_SESSIONS },
	{ "verbose",	 no_argument,	    NULL, 'v' },
	{ "help",	 no_argument,	    NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char *argv[])
{
	struct urefl_session_cfg cfg = {
		.dscp = -1,
		.stateless = true,
		.any_peer = true,
	};
	const char *addr = NULL, *peer = NULL, *sec = "open";
	bool have_aes = false, have_hmac = false, verbose = false;
	char err[256], host[INET6_ADDRSTRLEN];
	struct timespec tick = { .tv_nsec = 200000000 };
	unsigned long port = 862, ticks = 0;
	struct urefl_counters cnt = { 0 }, carried = { 0 };
	int family = AF_UNSPEC, c, sig, rc = 0;
	struct sess sess[MAX_SESSIONS];
	unsigned long n_sess = 1, i;
	struct urefl *u;
	sigset_t set;

	while ((c = getopt_long(argc, argv, "46p:a:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case '4': family = AF_INET; break;
		case '6': family = AF_INET6; break;
		case 'p': port = num("port", optarg, 65535); break;
		case 'a': addr = optarg; break;
		case O_STAMP: cfg.stamp = true; break;
		case O_STATEFUL: cfg.stateless = false; break;
		case O_SECURITY:
			sec = optarg;
			if (!strcmp(optarg, "auth"))
				cfg.security = TWC_TEST_AUTH;
			else if (!strcmp(optarg, "encrypt"))
				cfg.security = TWC_TEST_ENCRYPT;
			else if (!strcmp(optarg, "open"))
				cfg.security = TWC_TEST_OPEN;
			else
				die("security is auth, encrypt or open, not '%s'",
				    optarg);
			break;
		case O_AES:
			hex("--aes-key", optarg, cfg.keys.aes, sizeof(cfg.keys.aes));
			have_aes = true;
			break;
		case O_HMAC:
			hex("--hmac-key", optarg, cfg.keys.hmac,
			    sizeof(cfg.keys.hmac));
			have_hmac = true;
			break;
		case O_PEER: peer = optarg; break;
		case O_DSCP: cfg.dscp = num("DSCP", optarg, 63); break;
		case O_REFLECT_LEN:
			cfg.reflect_len = num("reflect length", optarg, 65535);
			break;
		case O_REFWAIT:
			cfg.refwait_ms = num("REFWAIT", optarg, 86400) * 1000;
			if (!cfg.refwait_ms)
				die("REFWAIT must be at least 1 s");
			break;
		case O_SESSIONS:
			n_sess = num("number of sessions", optarg, MAX_SESSIONS);
			if (!n_sess)
				die("at least one session");
			break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (port && port + n_sess - 1 > 65535)
		die("ports %lu to %lu: past 65535", port, port + n_sess - 1);
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (cfg.security != TWC_TEST_OPEN && (!have_aes || !have_hmac))
		die("--security %s needs --aes-key and --hmac-key", sec);
	if (cfg.security == TWC_TEST_OPEN && (have_aes || have_hmac))
		die("keys need --security auth or encrypt");
	if (cfg.stamp && cfg.security != TWC_TEST_OPEN)
		die("STAMP authentication (HMAC-SHA-256) is not supported");

	if (addr) {
		parse_addr("address", addr, family, &cfg.local);
		family = cfg.local.ss_family;
	}
	if (peer) {
		parse_peer(peer, family, &cfg.peer);
		family = cfg.peer.ss_family;
		cfg.any_peer = false;
	}
	if (family == AF_UNSPEC)
		family = AF_INET;
	if (addr && cfg.local.ss_family != family)
		die("the address and the peer are of different families");
	cfg.local.ss_family = family;
	if (family == AF_INET)
		((struct sockaddr_in *)&cfg.local)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&cfg.local)->sin6_port = htons(port);

	/* signals are taken here, not by the reflector thread */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	u = urefl_new(0, 0, err, sizeof(err));
	if (!u)
		die("%s", err);
	if (family == AF_INET)
		inet_ntop(family, &((struct sockaddr_in *)&cfg.local)->sin_addr,
			  host, sizeof(host));
	else
		inet_ntop(family, &((struct sockaddr_in6 *)&cfg.local)->sin6_addr,
			  host, sizeof(host));
	for (i = 0; i < n_sess; i++) {
		if (open_session(u, &cfg, &sess[i], port ? port + i : 0)) {
			urefl_free(u);
			exit(1);
		}
		printf("listening on %s port %u (%s, %s, %s)\n", host,
		       sess[i].port, cfg.stamp ? "stamp" : "twamp", sec,
		       cfg.stateless ? "stateless" : "stateful");
	}
	fflush(stdout);

	for (;;) {
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == SIGHUP) {
			/*
			 * Close every socket and open it again on the same
			 * port, while the reflector thread goes on with the
			 * others: the counters carry over.
			 */
			for (i = 0; i < n_sess; i++) {
				if (close_session(u, &sess[i], &carried) ||
				    open_session(u, &cfg, &sess[i],
						 sess[i].port)) {
					rc = 1;
					goto out;
				}
			}
			continue;
		}
		for (i = 0; i < n_sess; i++)
			if (urefl_session_expired(u, sess[i].id) != 1)
				break;
		if (i == n_sess && cfg.refwait_ms) {
			printf("no packet for %u s (REFWAIT), stopping\n",
			       cfg.refwait_ms / 1000);
			break;
		}
		if (verbose && ++ticks % 5 == 0) {
			total(u, sess, n_sess, &carried, &cnt);
			print_counters(stderr, &cnt);
		}
	}
out:
	if (total(u, sess, n_sess, &carried, &cnt))
		rc = 1;
	urefl_free(u);
	print_counters(stdout, &cnt);
	return rc;
}
