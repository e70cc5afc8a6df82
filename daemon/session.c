// SPDX-License-Identifier: GPL-2.0
/*
 * twampd's test sessions: what the engine's server callbacks do with a
 * Request-TW-Session (the address policy of common/control/policy.c, the
 * Symmetrical Size check, a backend session on a port of port-range),
 * Start-Sessions and Stop-Sessions (the Timeout kept for late packets).
 * The sessions hang off their control connection and die with it.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "log.h"
#include "metrics.h"
#include "session.h"

/* The longest a stopped session is kept for late packets. */
#define TIMEOUT_MAX_NS		(86400 * NSEC_PER_SEC)

static void sid_str(const uint8_t sid[16], char *buf)
{
	int i;

	for (i = 0; i < 16; i++)
		sprintf(buf + 2 * i, "%02x", sid[i]);
}

void session_free(struct conn *c, struct session *s, const char *why)
{
	char sid[33];

	sid_str(s->sid, sid);
	twd.be->session_del(twd.be, s->handle);
	log_info("conn %lu: session %s on port %u removed (%s)", c->id, sid,
		 s->port, why);
	free(s);
	c->n_sessions--;
	METRICS_INC(sessions_closed);
}

void sessions_free(struct conn *c, const char *why)
{
	while (c->sessions) {
		struct session *s = c->sessions;

		c->sessions = s->next;
		session_free(c, s, why);
	}
}

static struct session *session_find(struct conn *c, const uint8_t sid[16])
{
	struct session *s;

	for (s = c->sessions; s; s = s->next)
		if (!memcmp(s->sid, sid, 16))
			return s;
	return NULL;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static uint8_t session_refuse(const struct conn *c, uint8_t accept,
			      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Log why a session is refused, and return the Accept value to send. */
static uint8_t session_refuse(const struct conn *c, uint8_t accept,
			      const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_info("conn %lu: session refused (Accept %u): %s", c->id, accept,
		 why);
	METRICS_INC(sessions_refused);
	return accept;
}

/* The engine's own refusals (IPVN, Type-P, max-sessions ...). */
static void op_refused(void *ctx, uint8_t accept, const char *why)
{
	session_refuse(ctx, accept, "%s", why);
}

/*
 * Symmetrical Size (RFC 6038, mode 64): both backends answer a request
 * that is at least as long as their reply header with a reply exactly as
 * long, so the session only has to pad enough for that: 27 octets past
 * the open header (14 + 27 = 41), 64 past the keyed one (48 + 64 = 112),
 * and the reflected octets on top (RFC 6038 4.3: else Accept 3).
 */
static bool symmetric_padding_ok(const struct conn *c,
				 const struct twc_session_req *req,
				 enum twc_test_security sec)
{
	uint32_t need = sec == TWC_TEST_OPEN ? 27 : 64;

	if (!(twc_conn_mode(c->tc) & TWC_MODE_SYMMETRIC))
		return true;
	need += req->reflect_len;
	if (req->padding >= need)
		return true;
	session_refuse(c, TWC_ACCEPT_UNSUPPORTED,
		       "symmetrical size needs padding of at least %u, not %u",
		       need, req->padding);
	return false;
}

/*
 * The Accept value of a session that the address policy refuses: 1,
 * "Failure, reason unspecified" (RFC 4656 3.3, which RFC 5357 3.5 uses).
 * The request is well formed and of a kind twampd implements, so not 3;
 * no resource is short, so not 4 or 5, which tell the client that the same
 * request may succeed elsewhere or later. The administrator does not allow
 * it, and 1 is what owamp answers when its policy refuses a test
 * (OWP_CNTRL_REJECT, "Test not allowed"). Clients treat any Accept other
 * than 0 as a refusal, so the choice costs no interoperability.
 */
#define ACCEPT_POLICY		TWC_ACCEPT_FAILURE

/* Is @sa an address of one of this host's interfaces (in this netns)? */
static bool host_has_addr(const struct sockaddr *sa)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa)) {
		log_warn("getifaddrs: %s", strerror(errno));
		return false;
	}
	for (i = ifa; i && !found; i = i->ifa_next)
		found = i->ifa_addr && twc_addr_equal(i->ifa_addr, sa);
	freeifaddrs(ifa);
	return found;
}

/*
 * The session's Session-Sender (@peer) and the address it is reflected on
 * (@local), ports set: 0, or the Accept value of a refusal, logged.
 *
 * RFC 5357 3.5 lets a request name any Sender and Receiver Address.
 * twampd does not let it name someone else's: the reflector answers every
 * test packet to the Sender Address, so another host's there aims it at a
 * third party (the client forging that host as the source of its test
 * packets), and a Receiver Address of the client's choosing binds a
 * reflector on an address the server uses for something else (loopback,
 * a tunnel endpoint). Both must be the control connection's (which a
 * zero address stands for) unless the administrator allows other ones by
 * prefix: allow-sender, and allow-receiver for a multi-homed server,
 * where the address must also be one of this host's.
 */
static uint8_t session_addrs(const struct conn *c,
			     const struct twc_session_req *req,
			     struct sockaddr_storage *peer,
			     struct sockaddr_storage *local)
{
	struct sockaddr_storage cpeer = c->peer, clocal = c->local;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const struct sockaddr *sa;

	*peer = req->sender;
	*local = req->receiver;
	/* IPVN 6 naming an IPv4 host v4-mapped: the IPv4 host it is. */
	twc_addr_unmap(peer);
	twc_addr_unmap(local);
	twc_addr_unmap(&cpeer);
	twc_addr_unmap(&clocal);

	sa = (const struct sockaddr *)peer;
	cfg_ip_str(sa, a, sizeof(a));
	switch (twc_addr_check(sa, (struct sockaddr *)&cpeer,
			       twd.cfg.allow_sender, twd.cfg.n_allow_sender)) {
	case TWC_ADDR_CONN:
		/* The connection's own, with its scope if link-local. */
		*peer = cpeer;
		break;
	case TWC_ADDR_ALLOWED:
		log_info("conn %lu: Sender Address %s is not the client's, allowed by allow-sender",
			 c->id, a);
		break;
	case TWC_ADDR_NOT_UNICAST:
		return session_refuse(c, ACCEPT_POLICY,
				      "Sender Address %s is not a unicast address",
				      a);
	case TWC_ADDR_REFUSED:
		return session_refuse(c, ACCEPT_POLICY,
				      "Sender Address %s is not the client's address %s (\"allow-sender %s\" in the config, or --allow-sender, would allow it)",
				      a, cfg_ip_str((struct sockaddr *)&cpeer,
						    b, sizeof(b)), a);
	}
	set_port(peer, req->sender_port);

	sa = (const struct sockaddr *)local;
	cfg_ip_str(sa, a, sizeof(a));
	switch (twc_addr_check(sa, (struct sockaddr *)&clocal,
			       twd.cfg.allow_receiver, twd.cfg.n_allow_receiver)) {
	case TWC_ADDR_CONN:
		*local = clocal;
		break;
	case TWC_ADDR_ALLOWED:
		if (!host_has_addr(sa))
			return session_refuse(c, ACCEPT_POLICY,
					      "Receiver Address %s is in allow-receiver but is not an address of this host",
					      a);
		break;
	case TWC_ADDR_NOT_UNICAST:
		return session_refuse(c, ACCEPT_POLICY,
				      "Receiver Address %s is not a unicast address",
				      a);
	case TWC_ADDR_REFUSED:
		return session_refuse(c, ACCEPT_POLICY,
				      "Receiver Address %s is not the address the client connected to, %s (\"allow-receiver %s\" in the config, or --allow-receiver, would allow it if it is this host's)",
				      a, cfg_ip_str((struct sockaddr *)&clocal,
						    b, sizeof(b)), a);
	}
	set_port(local, req->receiver_port);

	if (peer->ss_family != local->ss_family)
		return session_refuse(c, TWC_ACCEPT_UNSUPPORTED,
				      "Sender Address %s and Receiver Address %s are of different families",
				      cfg_ip_str((struct sockaddr *)peer, b,
						 sizeof(b)), a);
	return TWC_ACCEPT_OK;
}

static uint8_t op_request(void *ctx, const struct twc_session_req *req,
			  enum twc_test_security sec,
			  const struct twc_test_keys *keys,
			  struct twc_session_acc *acc)
{
	struct conn *c = ctx;
	struct be_session_params p;
	struct session *s;
	char err[256], sid[33], peer[64];
	uint8_t accept;
	int ret;

	if (c->n_sessions >= twd.cfg.max_sessions)
		return session_refuse(c, TWC_ACCEPT_PERM_LIMIT,
				      "already %u sessions on this connection (max-sessions)",
				      c->n_sessions);
	memset(&p, 0, sizeof(p));
	accept = session_addrs(c, req, &p.peer, &p.local);
	if (accept != TWC_ACCEPT_OK)
		return accept;
	if (!symmetric_padding_ok(c, req, sec))
		return TWC_ACCEPT_UNSUPPORTED;
	s = calloc(1, sizeof(*s));
	if (!s)
		return session_refuse(c, TWC_ACCEPT_TEMP_LIMIT,
				      "out of memory");

	/* Made by the engine, which derived the test keys from it. */
	memcpy(p.sid, acc->sid, 16);
	p.dscp = req->dscp;
	p.padding = req->padding;
	p.reflect_octets = req->reflect_octets;
	p.reflect_len = req->reflect_len;
	p.refwait_ms = twd.cfg.refwait * 1000;
	/* RFC 8186: the client chose PTP for the whole connection. */
	p.ptp = twc_conn_mode(c->tc) & TWC_MODE_PTP;
	p.security = sec;
	if (keys)
		p.keys = *keys;
	ret = twd.be->session_add(twd.be, &p, &s->port, &s->handle, err,
				sizeof(err));
	explicit_bzero(&p.keys, sizeof(p.keys));
	cfg_addr_str((const struct sockaddr *)&p.peer, peer, sizeof(peer));
	if (ret) {
		free(s);
		switch (ret) {
		case -EADDRINUSE:
		case -ENOMEM:
		case -ENOBUFS:
		case -ENOSPC:
			accept = TWC_ACCEPT_TEMP_LIMIT;
			break;
		case -EOPNOTSUPP:
			accept = TWC_ACCEPT_UNSUPPORTED;
			break;
		case -EADDRNOTAVAIL:
		case -EINVAL:
			accept = TWC_ACCEPT_FAILURE;
			break;
		default:
			accept = TWC_ACCEPT_INTERNAL;
			break;
		}
		log_warn("conn %lu: session for %s refused (Accept %u): %s",
			 c->id, peer, accept, err);
		METRICS_INC(sessions_refused);
		return accept;
	}
	memcpy(s->sid, p.sid, 16);
	s->timeout_ns = twc_ntp_to_ns(req->timeout);
	s->next = c->sessions;
	c->sessions = s;
	c->n_sessions++;
	METRICS_INC(sessions_accepted);

	/*
	 * Another port than the one asked for is an alternate port, which
	 * RFC 5357 3.5 lets the server offer with Accept 0: the client
	 * sends to it, or gives up the session and asks again. Test ports
	 * only ever come from port-range, so that a client cannot have a
	 * reflector take another service's port (4789, 5353 ...).
	 */
	if (req->receiver_port && s->port != req->receiver_port)
		log_info("conn %lu: Receiver Port %u %s %u-%u: port %u offered instead",
			 c->id, req->receiver_port,
			 twc_port_in_range(req->receiver_port, twd.cfg.port_min,
					   twd.cfg.port_max) ?
			 "is in use, in port-range" :
			 "is outside port-range", twd.cfg.port_min,
			 twd.cfg.port_max, s->port);
	acc->port = s->port;
	sid_str(s->sid, sid);
	log_info("conn %lu: session %s: reflecting %s on port %u (%s, dscp %u, padding %u)",
		 c->id, sid, peer, s->port,
		 sec == TWC_TEST_OPEN ? "open" :
		 sec == TWC_TEST_AUTH ? "authenticated" : "encrypted",
		 req->dscp, req->padding);
	return TWC_ACCEPT_OK;
}

static uint8_t op_start(void *ctx, const uint8_t (*sids)[16], unsigned int n)
{
	struct conn *c = ctx;
	struct session *s;
	unsigned int i, started = 0;

	if (!n) {
		for (s = c->sessions; s; s = s->next, started++)
			s->started = true;
	} else {
		for (i = 0; i < n; i++) {
			s = session_find(c, sids[i]);
			if (!s)
				return TWC_ACCEPT_FAILURE;
		}
		for (i = 0; i < n; i++, started++)
			session_find(c, sids[i])->started = true;
	}
	log_info("conn %lu: %u session%s started", c->id, started,
		 started == 1 ? "" : "s");
	return TWC_ACCEPT_OK;
}

static void op_stop(void *ctx, const uint8_t (*sids)[16], unsigned int n,
		    uint64_t timeout_ns)
{
	struct conn *c = ctx;
	uint64_t now = now_ns();
	struct session *s;
	unsigned int i, stopped = 0;

	for (s = c->sessions; s; s = s->next) {
		uint64_t t = s->timeout_ns > timeout_ns ? s->timeout_ns :
			     timeout_ns;

		/* A Timeout of centuries would overflow the deadline. */
		if (t > TIMEOUT_MAX_NS)
			t = TIMEOUT_MAX_NS;

		if (n) {
			for (i = 0; i < n; i++)
				if (!memcmp(sids[i], s->sid, 16))
					break;
			if (i == n)
				continue;
		}
		if (s->stop_at)
			continue;
		/* Keep reflecting for the Timeout, for late packets. */
		s->stop_at = now + t;
		if (!s->stop_at)
			s->stop_at = 1;
		stopped++;
	}
	log_info("conn %lu: %u session%s stopped", c->id, stopped,
		 stopped == 1 ? "" : "s");
}

const struct twc_server_ops session_server_ops = {
	.request = op_request,
	.start = op_start,
	.stop = op_stop,
	.refused = op_refused,
};

/* Does any session of a connection still reflect? */
bool sessions_alive(struct conn *c)
{
	struct session *s;

	for (s = c->sessions; s; s = s->next)
		if (twd.be->session_alive(twd.be, s->handle) != 0)
			return true;
	return false;
}
