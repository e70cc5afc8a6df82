// SPDX-License-Identifier: GPL-2.0
/*
 * twampd: the TWAMP-Control server (RFC 5357, TCP 862).
 *
 * One thread, one epoll loop: the listening sockets, a signalfd and every
 * control connection, all non-blocking. The control protocol itself is the
 * sans-IO engine of common/control/; conn.c moves octets between it and
 * the sockets, session.c turns its session callbacks into backend sessions
 * (kernel or user), timers.c keeps the time (SERVWAIT, the Timeout after
 * Stop-Sessions). This file holds the state, the start-up order and the
 * loop; daemon/README.md says which file owns what.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "conn.h"
#include "log.h"
#include "metrics.h"
#include "options.h"
#include "reflectors.h"
#include "reload.h"
#include "service.h"
#include "setup.h"
#include "signals.h"
#include "timers.h"
#include "twampd.h"

#ifndef TWAMP_VERSION
#define TWAMP_VERSION "unknown"
#endif

struct twampd twd;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void event_loop(void)
{
	struct epoll_event events[64];
	int i, n, timeout;
	uint64_t next, now;

	while (!twd.stop) {
		now = now_ns();
		next = timers_run(now);
		if (!next)
			timeout = -1;
		else if (next <= now)
			timeout = 0;
		else
			timeout = (next - now + 999999) / 1000000;
		n = epoll_wait(twd.epfd, events, 64, timeout);
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
				conn_accept(ev);
				break;
			case EV_SIGNAL:
				signals_read();
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
	char err[2048];

	if (options_parse(argc, argv))
		return 2;
	log_init(true, twd.cfg.debug);
	if (twd.cfg.port_max < twd.cfg.port_min) {
		log_err("port-range is empty");
		return 1;
	}

	twd.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (twd.epfd < 0) {
		log_err("epoll: %s", strerror(errno));
		return 1;
	}
	if (setup_listeners())
		goto out;
	/* Before any thread (the user backend has one) and any child. */
	if (!twd.cfg.foreground && service_daemonize(&ready_fd)) {
		log_err("cannot go into the background: %s", strerror(errno));
		goto out;
	}
	/*
	 * After the fork: a signalfd polled through epoll wakes up the
	 * process that added it, which would be the parent.
	 */
	if (signals_setup()) {
		log_err("signalfd: %s", strerror(errno));
		goto out;
	}
	if (setup_backend() || setup_modes())
		goto out;
	/* A thread: after signals_setup(), which blocks the signals. */
	if (twd.cfg.metrics_listen.ss_family &&
	    metrics_start(&twd.cfg.metrics_listen, twd.be->name))
		goto out;
	if (reflectors_apply(&twd.cfg, options_config_path(), err,
			     sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	if (service_write_pid())
		goto out;

	log_info("twampd %s ready: max-conns %u, max-sessions %u, servwait %u s, refwait %u s, test ports %u-%u",
		 TWAMP_VERSION, twd.cfg.max_conns, twd.cfg.max_sessions,
		 twd.cfg.servwait, twd.cfg.refwait, twd.cfg.port_min,
		 twd.cfg.port_max);
	service_notify("READY=1");
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			goto out;
		close(ready_fd);
		ready_fd = -1;
		log_init(false, twd.cfg.debug);
		service_detach_stdio();
	}

	event_loop();
	service_notify("STOPPING=1");
	status = 0;
out:
	metrics_stop();
	while (twd.conns)
		conn_free(twd.conns, "twampd is shutting down");
	reflectors_stop();
	if (twd.be)
		twd.be->free(twd.be);
	if (twd.keys)
		twc_keyring_free(twd.keys);
	reload_cleanup();
	while (twd.n_listeners)
		close(twd.listeners[--twd.n_listeners].fd);
	if (twd.sig.fd > 0)
		close(twd.sig.fd);
	if (twd.epfd >= 0)
		close(twd.epfd);
	if (twd.cfg.pid_file[0] && status == 0)
		unlink(twd.cfg.pid_file);
	if (ready_fd >= 0) {
		if (write(ready_fd, "F", 1) < 0)
			status = 1;
		close(ready_fd);
	}
	if (status == 0)
		log_info("stopped");
	return status;
}
