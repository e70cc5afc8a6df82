// SPDX-License-Identifier: GPL-2.0
/*
 * twampd: the TWAMP-Control server (RFC 5357, TCP 862).
 *
 * One thread, one epoll loop: the listening sockets, a signalfd and every
 * control connection, all non-blocking. The control protocol itself is the
 * sans-IO engine of control/; this file moves octets between it and the
 * sockets, keeps the time (SERVWAIT, the Timeout after Stop-Sessions) and
 * turns its session callbacks into backend sessions (kernel or user).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "backend.h"
#include "config.h"
#include "control/control.h"
#include "log.h"

#ifndef TWAMP_VERSION
#define TWAMP_VERSION "unknown"
#endif

#define NSEC_PER_SEC		1000000000ULL
/*
 * Stop reading a client while this much output waits for it: well below
 * the 64 KiB at which the engine gives up on a peer that does not read.
 */
#define OUTPUT_HIGH_WATER	16384
/* How long a failing connection gets to take its last message. */
#define CLOSE_LINGER_NS		(5 * NSEC_PER_SEC)
#define MAX_LISTENERS		(CFG_MAX_LISTEN + 2)
/* How often a testing connection's sessions are checked for REFWAIT. */
#define REFWAIT_CHECK_NS	NSEC_PER_SEC
/* The longest a stopped session is kept for late packets. */
#define TIMEOUT_MAX_NS		(86400 * NSEC_PER_SEC)

enum ev_type { EV_LISTEN, EV_SIGNAL, EV_CONN };

struct ev {
	enum ev_type type;
	int fd;
};

struct session {
	struct session *next;
	uint8_t sid[16];
	uint64_t handle;
	uint16_t port;
	uint64_t timeout_ns;		/* Timeout of the request */
	uint64_t stop_at;		/* monotonic ns; 0: not stopped */
	bool started;
};

struct conn {
	struct ev ev;
	struct conn *next, **pprev;
	unsigned long id;
	struct twc_conn *tc;
	struct sockaddr_storage local, peer;
	char name[64];			/* the peer, for the log */
	uint64_t last_active;		/* monotonic ns */
	uint64_t close_at;		/* closing: give up at this time */
	uint64_t check_at;		/* testing: look at REFWAIT then */
	uint64_t idle_since;		/* testing, every REFWAIT over */
	bool closing;
	bool reading;			/* EPOLLIN wanted */
	bool writing;			/* EPOLLOUT wanted */
	struct session *sessions;
	unsigned int n_sessions;
};

static struct {
	struct twampd_cfg cfg;
	struct twc_server_cfg server;
	struct twc_keyring *keys;
	struct backend *be;
	int epfd;
	struct ev listeners[MAX_LISTENERS];
	unsigned int n_listeners;
	struct ev sig;
	struct conn *conns;
	unsigned int n_conns;
	unsigned long next_id;
	bool stop;
} d;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void sid_str(const uint8_t sid[16], char *buf)
{
	int i;

	for (i = 0; i < 16; i++)
		sprintf(buf + 2 * i, "%02x", sid[i]);
}

/* --- sessions --------------------------------------------------------- */

static void session_free(struct conn *c, struct session *s, const char *why)
{
	char sid[33];

	sid_str(s->sid, sid);
	d.be->session_del(d.be, s->handle);
	log_info("conn %lu: session %s on port %u removed (%s)", c->id, sid,
		 s->port, why);
	free(s);
	c->n_sessions--;
}

static void sessions_free(struct conn *c, const char *why)
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
			       d.cfg.allow_sender, d.cfg.n_allow_sender)) {
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
			       d.cfg.allow_receiver, d.cfg.n_allow_receiver)) {
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

	if (c->n_sessions >= d.cfg.max_sessions)
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
	p.refwait_ms = d.cfg.refwait * 1000;
	p.security = sec;
	if (keys)
		p.keys = *keys;
	ret = d.be->session_add(d.be, &p, &s->port, &s->handle, err,
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
		return accept;
	}
	memcpy(s->sid, p.sid, 16);
	s->timeout_ns = twc_ntp_to_ns(req->timeout);
	s->next = c->sessions;
	c->sessions = s;
	c->n_sessions++;

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
			 twc_port_in_range(req->receiver_port, d.cfg.port_min,
					   d.cfg.port_max) ?
			 "is in use, in port-range" :
			 "is outside port-range", d.cfg.port_min,
			 d.cfg.port_max, s->port);
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

static const struct twc_server_ops server_ops = {
	.request = op_request,
	.start = op_start,
	.stop = op_stop,
	.refused = op_refused,
};

/* --- connections ------------------------------------------------------ */

static void conn_update_events(struct conn *c)
{
	struct epoll_event ev = { .data.ptr = &c->ev };

	if (c->reading)
		ev.events |= EPOLLIN;
	if (c->writing)
		ev.events |= EPOLLOUT;
	epoll_ctl(d.epfd, EPOLL_CTL_MOD, c->ev.fd, &ev);
}

static void conn_free(struct conn *c, const char *why)
{
	unsigned int n = c->n_sessions;

	sessions_free(c, "control connection closed");
	log_info("conn %lu: closed: %s (%u session%s removed)", c->id, why, n,
		 n == 1 ? "" : "s");
	epoll_ctl(d.epfd, EPOLL_CTL_DEL, c->ev.fd, NULL);
	close(c->ev.fd);
	twc_conn_free(c->tc);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	d.n_conns--;
	free(c);
}

/* Send what the engine has queued. Returns -1 if the connection is gone. */
static int conn_flush(struct conn *c)
{
	const void *buf;
	size_t len;
	ssize_t n;

	while ((len = twc_conn_output(c->tc, &buf)) > 0) {
		n = send(c->ev.fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			char why[128];

			snprintf(why, sizeof(why), "send: %s", strerror(errno));
			conn_free(c, why);
			return -1;
		}
		twc_conn_consume(c->tc, n);
	}
	len = twc_conn_output(c->tc, &buf);
	if (!len && c->closing) {
		char junk[512];

		/*
		 * Unread input would make close() reset the connection and
		 * lose the last message in flight: read what has come.
		 */
		while (recv(c->ev.fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
			;
		conn_free(c, twc_conn_error(c->tc) ?: "protocol error");
		return -1;
	}
	c->writing = len > 0;
	/* A client that does not read its answers gets no more of them. */
	c->reading = !c->closing && len < OUTPUT_HIGH_WATER;
	conn_update_events(c);
	return 0;
}

static void conn_fail(struct conn *c)
{
	/* Let the last message (a Server-Start with Accept != 0) out first. */
	c->closing = true;
	c->close_at = now_ns() + CLOSE_LINGER_NS;
	log_debug("conn %lu: closing: %s", c->id,
		  twc_conn_error(c->tc) ?: "protocol error");
}

static void conn_read(struct conn *c)
{
	char buf[4096];
	ssize_t n;

	while (!c->closing) {
		n = recv(c->ev.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			char why[128];

			if (n == 0)
				snprintf(why, sizeof(why), "closed by the client");
			else
				snprintf(why, sizeof(why), "recv: %s",
					 strerror(errno));
			conn_free(c, why);
			return;
		}
		c->last_active = now_ns();
		if (twc_conn_input(c->tc, buf, n) < 0)
			conn_fail(c);
		if (conn_flush(c) < 0)
			return;
		if (!c->reading)
			break;
	}
}

/* A Server-Greeting with Modes 0: "go away", then close. */
static void refuse(int fd, const char *peer, const char *why)
{
	uint8_t greeting[64] = { 0 };
	uint32_t count = htonl(d.cfg.count);

	memcpy(greeting + 48, &count, 4);
	if (send(fd, greeting, sizeof(greeting), MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    sizeof(greeting))
		log_debug("%s: greeting with Modes 0 not sent", peer);
	log_info("connection from %s refused: %s", peer, why);
	close(fd);
}

static void do_accept(struct ev *l)
{
	struct sockaddr_storage peer, local;
	socklen_t plen, llen;
	struct conn *c;
	char name[64];
	int fd;

	for (;;) {
		struct epoll_event ev;

		plen = sizeof(peer);
		fd = accept4(l->fd, (struct sockaddr *)&peer, &plen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		cfg_addr_str((struct sockaddr *)&peer, name, sizeof(name));
		if (!cfg_allowed(&d.cfg, (struct sockaddr *)&peer)) {
			refuse(fd, name, "not in the allowed prefixes");
			continue;
		}
		if (d.n_conns >= d.cfg.max_conns) {
			refuse(fd, name, "too many control connections (max-conns)");
			continue;
		}
		llen = sizeof(local);
		if (getsockname(fd, (struct sockaddr *)&local, &llen)) {
			log_warn("getsockname: %s", strerror(errno));
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			refuse(fd, name, "out of memory");
			continue;
		}
		c->tc = twc_server_new(&d.server, &server_ops, c,
				       (struct sockaddr *)&local,
				       (struct sockaddr *)&peer);
		if (!c->tc) {
			free(c);
			refuse(fd, name, "out of memory");
			continue;
		}
		c->ev.type = EV_CONN;
		c->ev.fd = fd;
		c->id = ++d.next_id;
		c->local = local;
		c->peer = peer;
		memcpy(c->name, name, sizeof(name));
		c->last_active = now_ns();
		c->reading = true;
		ev.events = EPOLLIN;
		ev.data.ptr = &c->ev;
		if (epoll_ctl(d.epfd, EPOLL_CTL_ADD, fd, &ev)) {
			log_warn("epoll_ctl: %s", strerror(errno));
			twc_conn_free(c->tc);
			free(c);
			close(fd);
			continue;
		}
		c->next = d.conns;
		if (d.conns)
			d.conns->pprev = &c->next;
		c->pprev = &d.conns;
		d.conns = c;
		d.n_conns++;
		log_info("conn %lu: accepted from %s", c->id, name);
		/* The Server-Greeting. */
		conn_flush(c);
	}
}

/* --- timers ------------------------------------------------------------ */

/* Does any session of a connection still reflect? */
static bool sessions_alive(struct conn *c)
{
	struct session *s;

	for (s = c->sessions; s; s = s->next)
		if (d.be->session_alive(d.be, s->handle) != 0)
			return true;
	return false;
}

/* Expire what is due; return the next deadline (0: none). */
static uint64_t run_timers(uint64_t now)
{
	uint64_t servwait = d.cfg.servwait * NSEC_PER_SEC, next = 0;
	struct conn *c, *cn;

#define NEXT(t) do { if (!next || (t) < next) next = (t); } while (0)
	for (c = d.conns; c; c = cn) {
		struct session **sp, *s;

		cn = c->next;
		if (c->closing) {
			if (now >= c->close_at) {
				conn_free(c, twc_conn_error(c->tc) ?:
					  "protocol error");
				continue;
			}
			NEXT(c->close_at);
			continue;
		}
		for (sp = &c->sessions; (s = *sp);) {
			if (s->stop_at && now >= s->stop_at) {
				*sp = s->next;
				session_free(c, s, "stopped, Timeout over");
				continue;
			}
			if (s->stop_at)
				NEXT(s->stop_at);
			sp = &s->next;
		}
		/*
		 * SERVWAIT does not run while sessions are being tested; it
		 * starts again from the Stop-Sessions that ends the test, or
		 * once REFWAIT has run out on every session (RFC 5357 4.2).
		 */
		if (servwait && twc_conn_testing(c->tc)) {
			if (now >= c->check_at) {
				c->check_at = now + REFWAIT_CHECK_NS;
				if (sessions_alive(c))
					c->idle_since = 0;
				else if (!c->idle_since)
					c->idle_since = now;
			}
			if (c->idle_since && now >= c->idle_since + servwait) {
				conn_free(c, "SERVWAIT expired after REFWAIT ran out on every session");
				continue;
			}
			NEXT(c->check_at);
			if (c->idle_since)
				NEXT(c->idle_since + servwait);
			continue;
		}
		c->check_at = 0;
		c->idle_since = 0;
		if (!servwait)
			continue;
		if (now >= c->last_active + servwait) {
			conn_free(c, "SERVWAIT expired");
			continue;
		}
		NEXT(c->last_active + servwait);
	}
#undef NEXT
	return next;
}

/* --- start-up ------------------------------------------------------------ */

static int open_listener(const struct sockaddr_storage *ss, bool quiet_v6)
{
	socklen_t len = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
		       sizeof(struct sockaddr_in6);
	struct epoll_event ev;
	char name[64];
	int fd, one = 1;
	struct ev *l;

	cfg_addr_str((const struct sockaddr *)ss, name, sizeof(name));
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		if (quiet_v6 && errno == EAFNOSUPPORT) {
			log_warn("no IPv6 on this host: not listening on %s",
				 name);
			return 0;
		}
		log_err("socket for %s: %s", name, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 128)) {
		log_err("cannot listen on %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	l = &d.listeners[d.n_listeners++];
	l->type = EV_LISTEN;
	l->fd = fd;
	ev.events = EPOLLIN;
	ev.data.ptr = l;
	if (epoll_ctl(d.epfd, EPOLL_CTL_ADD, fd, &ev)) {
		log_err("epoll_ctl: %s", strerror(errno));
		return -1;
	}
	log_info("listening on %s", name);
	return 0;
}

static int open_listeners(void)
{
	struct sockaddr_storage ss;
	unsigned int i;

	if (!d.cfg.n_listen) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		memset(&ss, 0, sizeof(ss));
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons(d.cfg.port);
		if (open_listener(&ss, true))
			return -1;
		memset(&ss, 0, sizeof(ss));
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = htons(d.cfg.port);
		return open_listener(&ss, false);
	}
	for (i = 0; i < d.cfg.n_listen; i++) {
		ss = d.cfg.listen[i].addr;
		if (ss.ss_family == AF_INET &&
		    !((struct sockaddr_in *)&ss)->sin_port)
			((struct sockaddr_in *)&ss)->sin_port = htons(d.cfg.port);
		if (ss.ss_family == AF_INET6 &&
		    !((struct sockaddr_in6 *)&ss)->sin6_port)
			((struct sockaddr_in6 *)&ss)->sin6_port =
				htons(d.cfg.port);
		if (open_listener(&ss, false))
			return -1;
	}
	return 0;
}

/* The key file holds secrets: root's alone, or twampd refuses it. */
static int load_keys(void)
{
	char err[256];
	struct stat st;

	if (!d.cfg.key_file[0]) {
		log_err("modes other than open need a key file (key-file, --key-file)");
		return -1;
	}
	if (stat(d.cfg.key_file, &st)) {
		log_err("key file %s: %s", d.cfg.key_file, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_err("key file %s: not a regular file", d.cfg.key_file);
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IRWXG | S_IRWXO))) {
		log_err("key file %s must be owned by root and not accessible to group or others (chown root %s; chmod 600 %s)",
			d.cfg.key_file, d.cfg.key_file, d.cfg.key_file);
		return -1;
	}
	d.keys = twc_keyring_load(d.cfg.key_file, err, sizeof(err));
	if (!d.keys) {
		log_err("key file %s: %s", d.cfg.key_file, err);
		return -1;
	}
	return 0;
}

static int open_backend(void)
{
	char err[256];

	switch (d.cfg.backend) {
	case CFG_BACKEND_USER:
		d.be = backend_user_new(d.cfg.port_min, d.cfg.port_max, err,
					sizeof(err));
		if (!d.be) {
			log_err("user backend: %s", err);
			return -1;
		}
		log_info("backend: user (userspace reflector), as configured");
		return 0;
	case CFG_BACKEND_KERNEL:
		d.be = backend_kernel_new(d.cfg.port_min, d.cfg.port_max, err,
					  sizeof(err));
		if (!d.be) {
			log_err("kernel backend: %s", err);
			return -1;
		}
		log_info("backend: kernel (twamp.ko), as configured");
		return 0;
	case CFG_BACKEND_AUTO:
		break;
	}
	d.be = backend_kernel_new(d.cfg.port_min, d.cfg.port_max, err,
				  sizeof(err));
	if (d.be) {
		log_info("backend: kernel (twamp.ko)");
		return 0;
	}
	log_info("backend: user (userspace reflector), because the kernel backend is unavailable: %s",
		 err);
	d.be = backend_user_new(d.cfg.port_min, d.cfg.port_max, err,
				sizeof(err));
	if (!d.be) {
		log_err("user backend: %s", err);
		return -1;
	}
	return 0;
}

static int setup_modes(void)
{
	uint32_t want = d.cfg.modes, modes = want & d.be->modes;
	char buf[128];

	if (want & ~d.be->modes)
		log_warn("modes %s: not available with the %s backend, not advertised",
			 cfg_modes_str(want & ~d.be->modes, buf, sizeof(buf)),
			 d.be->name);
	if (!(modes & TWC_MODE_SECURITY)) {
		log_err("none of the configured modes (%s) is available",
			cfg_modes_str(want, buf, sizeof(buf)));
		return -1;
	}
	if ((modes & (TWC_MODE_AUTH | TWC_MODE_ENCRYPT | TWC_MODE_MIXED)) &&
	    load_keys())
		return -1;
	d.server.modes = modes;
	d.server.keys = d.keys;
	d.server.count = d.cfg.count;
	d.server.max_sessions = d.cfg.max_sessions;
	log_info("modes: %s", cfg_modes_str(modes, buf, sizeof(buf)));
	return 0;
}

static int setup_signals(void)
{
	struct epoll_event ev;
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before any thread starts, so only the signalfd sees them. */
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	d.sig.type = EV_SIGNAL;
	d.sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d.sig.fd < 0)
		return -1;
	ev.events = EPOLLIN;
	ev.data.ptr = &d.sig;
	return epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.sig.fd, &ev);
}

static void do_signal(void)
{
	struct signalfd_siginfo si;

	while (read(d.sig.fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: nothing to reload; restart twampd to apply a new configuration");
			continue;
		}
		log_info("%s: shutting down", strsignal(si.ssi_signo));
		d.stop = true;
	}
}

/* systemd's readiness protocol (Type=notify), without libsystemd. */
static void sd_notify_msg(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, path);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun,
	       len);
	close(fd);
}

static int write_pid_file(void)
{
	FILE *f;

	if (!d.cfg.pid_file[0])
		return 0;
	f = fopen(d.cfg.pid_file, "we");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		log_err("pid file %s: %s", d.cfg.pid_file, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Into the background: the parent waits until the child is ready (or has
 * failed) so that the exit status of "twampd" says whether it started.
 */
static int daemonize(int *ready_fd)
{
	int pfd[2];
	char c;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			_exit(1);
		_exit(c == 'R' ? 0 : 1);
	}
	close(pfd[0]);
	setsid();
	if (chdir("/"))
		return -1;
	*ready_fd = pfd[1];
	return 0;
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
}

/* --- options ---------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: twampd [OPTIONS]\n"
		"\n"
		"TWAMP-Control server (RFC 5357): negotiates test sessions and has\n"
		"twamp.ko (or a userspace reflector) reflect them.\n"
		"\n"
		"  -c, --config FILE       config file (default " CFG_DEFAULT_FILE ")\n"
		"  -l, --listen ADDR[:PORT] listen address (repeatable; default [::] and 0.0.0.0)\n"
		"  -p, --port PORT         TCP port (default 862)\n"
		"  -f, --foreground        stay in the foreground, log to standard error\n"
		"  -d, --debug             log debug messages\n"
		"      --backend auto|kernel|user\n"
		"                          where test sessions are reflected (default auto)\n"
		"      --modes LIST        open,auth,encrypt,mixed,individual,reflect-octets,\n"
		"                          symmetric\n"
		"                          (default open)\n"
		"      --key-file FILE     KeyID and secret lines (auth, encrypt, mixed)\n"
		"      --pbkdf2-count N    PBKDF2 iterations in the greeting (default 4096)\n"
		"      --port-range MIN-MAX UDP test ports, the only ones used (default\n"
		"                          20000-20999)\n"
		"      --max-conns N       control connections (default 64)\n"
		"      --max-sessions N    sessions per connection (default 16)\n"
		"      --allow PREFIX      allowed clients (repeatable; default all)\n"
		"      --allow-sender PREFIX\n"
		"                          Sender Addresses allowed besides the client's own\n"
		"                          (repeatable; default none)\n"
		"      --allow-receiver PREFIX\n"
		"                          this host's addresses a session may be reflected\n"
		"                          on besides the one the client connected to\n"
		"                          (repeatable; default none)\n"
		"      --servwait SEC      idle control connection timeout (default 900, 0 never)\n"
		"      --refwait SEC       idle test session timeout (default 900, 0 never)\n"
		"      --pid-file FILE     write the process ID there\n"
		"  -h, --help              this text\n"
		"  -V, --version           print the version\n");
}

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "port", required_argument, NULL, 'p' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "debug", no_argument, NULL, 'd' },
	{ "backend", required_argument, NULL, 'B' },
	{ "modes", required_argument, NULL, 'M' },
	{ "key-file", required_argument, NULL, 'K' },
	{ "pbkdf2-count", required_argument, NULL, 'N' },
	{ "port-range", required_argument, NULL, 'R' },
	{ "max-conns", required_argument, NULL, 'C' },
	{ "max-sessions", required_argument, NULL, 'S' },
	{ "allow", required_argument, NULL, 'A' },
	{ "allow-sender", required_argument, NULL, 'a' },
	{ "allow-receiver", required_argument, NULL, 'r' },
	{ "servwait", required_argument, NULL, 'W' },
	{ "refwait", required_argument, NULL, 'w' },
	{ "pid-file", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char short_opts[] = "c:l:p:fdhV";

/*
 * Two passes: the first finds the config file, which is read before the
 * second applies the options over it. A list given on the command line
 * replaces the file's list instead of adding to it.
 */
static int parse_options(int argc, char **argv)
{
	const char *config = CFG_DEFAULT_FILE;
	bool config_given = false, listen_cleared = false,
	     allow_cleared = false, sender_cleared = false,
	     receiver_cleared = false;
	char err[512];
	int opt;

	cfg_defaults(&d.cfg);
	opterr = 1;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			config_given = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("twampd %s\n", TWAMP_VERSION);
			exit(0);
		case '?':
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "twampd: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	if (cfg_load(&d.cfg, config, config_given, err, sizeof(err))) {
		fprintf(stderr, "twampd: %s\n", err);
		return -1;
	}

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts,
				  NULL)) != -1) {
		const char *key = NULL;
		unsigned int i;

		switch (opt) {
		case 'f':
			d.cfg.foreground = true;
			continue;
		case 'd':
			d.cfg.debug = true;
			continue;
		case 'l':
			if (!listen_cleared)
				d.cfg.n_listen = 0;
			listen_cleared = true;
			break;
		case 'A':
			if (!allow_cleared)
				d.cfg.n_allow = 0;
			allow_cleared = true;
			break;
		case 'a':
			if (!sender_cleared)
				d.cfg.n_allow_sender = 0;
			sender_cleared = true;
			break;
		case 'r':
			if (!receiver_cleared)
				d.cfg.n_allow_receiver = 0;
			receiver_cleared = true;
			break;
		case 'c':
			continue;
		}
		for (i = 0; long_opts[i].name; i++)
			if (long_opts[i].val == opt)
				key = long_opts[i].name;
		if (!key || cfg_set(&d.cfg, key, optarg, err, sizeof(err))) {
			fprintf(stderr, "twampd: --%s\n", key ? err : "?");
			return -1;
		}
	}
	return 0;
}

/* --- main --------------------------------------------------------------- */

static void event_loop(void)
{
	struct epoll_event events[64];
	int i, n, timeout;
	uint64_t next, now;

	while (!d.stop) {
		now = now_ns();
		next = run_timers(now);
		if (!next)
			timeout = -1;
		else if (next <= now)
			timeout = 0;
		else
			timeout = (next - now + 999999) / 1000000;
		n = epoll_wait(d.epfd, events, 64, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			struct ev *ev = events[i].data.ptr;
			struct conn *c;

			switch (ev->type) {
			case EV_LISTEN:
				do_accept(ev);
				break;
			case EV_SIGNAL:
				do_signal();
				break;
			case EV_CONN:
				c = (struct conn *)ev;
				/*
				 * A connection freed earlier in this batch is
				 * never in it: conn_free only runs from its
				 * own event or the timers, after the batch.
				 */
				if (events[i].events & (EPOLLERR | EPOLLHUP) &&
				    !(events[i].events & EPOLLIN)) {
					conn_free(c, "connection reset");
					break;
				}
				if ((events[i].events & EPOLLOUT) &&
				    conn_flush(c) < 0)
					break;
				if (events[i].events & EPOLLIN)
					conn_read(c);
				break;
			}
		}
	}
}

int main(int argc, char **argv)
{
	int ready_fd = -1, status = 1;

	if (parse_options(argc, argv))
		return 2;
	log_init(true, d.cfg.debug);
	if (d.cfg.port_max < d.cfg.port_min) {
		log_err("port-range is empty");
		return 1;
	}

	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0) {
		log_err("epoll: %s", strerror(errno));
		return 1;
	}
	if (open_listeners())
		goto out;
	/* Before any thread (the user backend has one) and any child. */
	if (!d.cfg.foreground && daemonize(&ready_fd)) {
		log_err("cannot go into the background: %s", strerror(errno));
		goto out;
	}
	/*
	 * After the fork: a signalfd polled through epoll wakes up the
	 * process that added it, which would be the parent.
	 */
	if (setup_signals()) {
		log_err("signalfd: %s", strerror(errno));
		goto out;
	}
	if (open_backend() || setup_modes() || write_pid_file())
		goto out;

	log_info("twampd %s ready: max-conns %u, max-sessions %u, servwait %u s, refwait %u s, test ports %u-%u",
		 TWAMP_VERSION, d.cfg.max_conns, d.cfg.max_sessions,
		 d.cfg.servwait, d.cfg.refwait, d.cfg.port_min,
		 d.cfg.port_max);
	sd_notify_msg("READY=1");
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			goto out;
		close(ready_fd);
		ready_fd = -1;
		log_init(false, d.cfg.debug);
		detach_stdio();
	}

	event_loop();
	sd_notify_msg("STOPPING=1");
	status = 0;
out:
	while (d.conns)
		conn_free(d.conns, "twampd is shutting down");
	if (d.be)
		d.be->free(d.be);
	if (d.keys)
		twc_keyring_free(d.keys);
	while (d.n_listeners)
		close(d.listeners[--d.n_listeners].fd);
	if (d.sig.fd > 0)
		close(d.sig.fd);
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.cfg.pid_file[0] && status == 0)
		unlink(d.cfg.pid_file);
	if (ready_fd >= 0) {
		if (write(ready_fd, "F", 1) < 0)
			status = 1;
		close(ready_fd);
	}
	if (status == 0)
		log_info("stopped");
	return status;
}
