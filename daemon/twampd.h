/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd's state, one per process, and the objects of its event loop: the
 * epoll set's entries (listeners, the signalfd, connections), control
 * connections and their sessions. Owned by twampd.c (main and the loop);
 * conn.c, session.c and timers.c work on the connections and sessions,
 * setup.c, signals.c and options.c fill in the rest at start-up.
 */
#ifndef TWAMPD_TWAMPD_H
#define TWAMPD_TWAMPD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "backend.h"
#include "config.h"
#include "control/control.h"

#define NSEC_PER_SEC		1000000000ULL
#define MAX_LISTENERS		(CFG_MAX_LISTEN + 2)

enum ev_type { EV_LISTEN, EV_SIGNAL, EV_CONN };

/* What an epoll event's data.ptr points to; a struct conn begins with one. */
struct ev {
	enum ev_type type;
	int fd;
};

/* A test session of a connection: a backend session (session.c). */
struct session {
	struct session *next;
	uint8_t sid[16];
	uint64_t handle;
	uint16_t port;
	uint64_t timeout_ns;		/* Timeout of the request */
	uint64_t stop_at;		/* monotonic ns; 0: not stopped */
	bool started;
};

/* A control connection, in twd.conns (conn.c). */
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

/* Everything twampd has, from start-up to exit. */
struct twampd {
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
};

/* The daemon: one thread works on it, the event loop's. */
extern struct twampd twd;

/* CLOCK_MONOTONIC in nanoseconds: every deadline of the loop. */
uint64_t now_ns(void);

#endif /* TWAMPD_TWAMPD_H */
