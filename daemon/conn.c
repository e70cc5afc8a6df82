// SPDX-License-Identifier: GPL-2.0
/*
 * twampd's control connections: non-blocking sockets in the epoll set,
 * the engine's output queued and sent as the socket takes it, no more
 * input read from a client that does not read its answers, and a failing
 * connection closed only once its last message is out (or after a linger).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "conn.h"
#include "log.h"
#include "metrics.h"
#include "session.h"

/*
 * Stop reading a client while this much output waits for it: well below
 * the 64 KiB at which the engine gives up on a peer that does not read.
 */
#define OUTPUT_HIGH_WATER	16384
/* How long a failing connection gets to take its last message. */
#define CLOSE_LINGER_NS		(5 * NSEC_PER_SEC)

static void conn_update_events(struct conn *c)
{
	struct epoll_event ev = { .data.ptr = &c->ev };

	if (c->reading)
		ev.events |= EPOLLIN;
	if (c->writing)
		ev.events |= EPOLLOUT;
	epoll_ctl(twd.epfd, EPOLL_CTL_MOD, c->ev.fd, &ev);
}

void conn_free(struct conn *c, const char *why)
{
	unsigned int n = c->n_sessions;

	sessions_free(c, "control connection closed");
	log_info("conn %lu: closed: %s (%u session%s removed)", c->id, why, n,
		 n == 1 ? "" : "s");
	epoll_ctl(twd.epfd, EPOLL_CTL_DEL, c->ev.fd, NULL);
	close(c->ev.fd);
	twc_conn_free(c->tc);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	twd.n_conns--;
	METRICS_INC(conns_closed);
	free(c);
}

int conn_flush(struct conn *c)
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

void conn_read(struct conn *c)
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
	uint32_t count = htonl(twd.cfg.count);

	memcpy(greeting + 48, &count, 4);
	if (send(fd, greeting, sizeof(greeting), MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    sizeof(greeting))
		log_debug("%s: greeting with Modes 0 not sent", peer);
	log_info("connection from %s refused: %s", peer, why);
	METRICS_INC(conns_refused);
	close(fd);
}

void conn_accept(struct ev *l)
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
		if (!cfg_allowed(&twd.cfg, (struct sockaddr *)&peer)) {
			refuse(fd, name, "not in the allowed prefixes");
			continue;
		}
		if (twd.n_conns >= twd.cfg.max_conns) {
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
		c->tc = twc_server_new(&twd.server, &session_server_ops, c,
				       (struct sockaddr *)&local,
				       (struct sockaddr *)&peer);
		if (!c->tc) {
			free(c);
			refuse(fd, name, "out of memory");
			continue;
		}
		c->ev.type = EV_CONN;
		c->ev.fd = fd;
		c->id = ++twd.next_id;
		c->local = local;
		c->peer = peer;
		memcpy(c->name, name, sizeof(name));
		c->last_active = now_ns();
		c->reading = true;
		ev.events = EPOLLIN;
		ev.data.ptr = &c->ev;
		if (epoll_ctl(twd.epfd, EPOLL_CTL_ADD, fd, &ev)) {
			log_warn("epoll_ctl: %s", strerror(errno));
			twc_conn_free(c->tc);
			free(c);
			close(fd);
			continue;
		}
		c->next = twd.conns;
		if (twd.conns)
			twd.conns->pprev = &c->next;
		c->pprev = &twd.conns;
		twd.conns = c;
		twd.n_conns++;
		METRICS_INC(conns_accepted);
		log_info("conn %lu: accepted from %s", c->id, name);
		/* The Server-Greeting. */
		conn_flush(c);
	}
}
