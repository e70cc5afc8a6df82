/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd's metrics endpoint (metrics-listen): an HTTP server in a thread
 * of its own that answers GET /metrics with the kernel's objects, read
 * over a netlink socket of its own for each scrape, and twampd's counters
 * below. The loop's thread only ever bumps those counters (relaxed
 * atomics), so no scraper can hold it up. docs/metrics.md.
 */
#ifndef TWAMPD_METRICS_H
#define TWAMPD_METRICS_H

#include <stdint.h>
#include <sys/socket.h>

/* Counted by the loop's thread, read by the metrics thread. */
struct metrics_counters {
	uint64_t conns_accepted, conns_closed, conns_refused;
	uint64_t sessions_accepted, sessions_closed, sessions_refused;
};

extern struct metrics_counters metrics_cnt;

#define METRICS_INC(field) \
	__atomic_fetch_add(&metrics_cnt.field, 1, __ATOMIC_RELAXED)

/*
 * Listen on @addr (its port set) and start the server thread, which
 * reports @backend ("kernel", "user"). Must run after signals_setup(), so
 * that the thread has twampd's signals blocked. Returns 0, or -1 with the
 * cause logged.
 */
int metrics_start(const struct sockaddr_storage *addr, const char *backend);
/* Stop the thread and close the listener; nothing if it never started. */
void metrics_stop(void);

#endif
