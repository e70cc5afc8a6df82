/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a scrape of twampd's metrics endpoint shows, as plain values (a
 * snapshot of the kernel's objects and of twampd's own counters), and its
 * text: the Prometheus text format 0.0.4 or OpenMetrics 1.0.0. Nothing
 * here talks netlink or HTTP (metrics.c does), so the host unit test links
 * metrics_fmt.c alone. docs/metrics.md lists every metric.
 */
#ifndef TWAMPD_METRICS_FMT_H
#define TWAMPD_METRICS_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/twamp.h>

/* INET6_ADDRSTRLEN, and "*" for a wildcard address. */
#define MX_ADDR_LEN	46

/* A kernel reflector: TWAMP_A_REFLECTOR_* and its counters. */
struct mx_reflector {
	uint32_t id;
	char local[MX_ADDR_LEN];	/* "*": every address */
	uint16_t port;
	uint8_t format;			/* enum twamp_format */
	uint64_t c[TWAMP_A_COUNTERS_MAX + 1];
	bool has_dynamic;		/* a stateful reflector's table */
	uint64_t dyn[TWAMP_A_DYNAMIC_MAX + 1];
};

/* A session of a kernel reflector (twampd's, or twamp-ctl's). */
struct mx_session {
	uint32_t id;
	uint32_t reflector_id;
	char peer[MX_ADDR_LEN];
	uint16_t peer_port;
	uint64_t c[TWAMP_A_COUNTERS_MAX + 1];
};

/* A kernel sender and its statistics; has[i]: the kernel gave v[i]. */
struct mx_sender {
	uint32_t id;
	char remote[MX_ADDR_LEN];
	uint16_t remote_port;
	uint8_t format;
	int state;			/* enum twamp_sender_state, -1: ? */
	bool has[TWAMP_A_STATS_MAX + 1];
	uint64_t v[TWAMP_A_STATS_MAX + 1];
};

/* twampd's own counters, all since start. */
struct mx_daemon {
	const char *version;
	const char *backend;		/* "kernel" or "user" */
	uint64_t conns_accepted, conns_closed, conns_refused;
	uint64_t sessions_accepted, sessions_closed, sessions_refused;
	uint64_t scrapes;		/* this one included */
	uint64_t scrape_errors;		/* kernel reads that failed */
};

struct mx_snapshot {
	struct mx_daemon d;
	/* The twamp family answered: the objects below are the kernel's. */
	bool kernel;
	struct mx_reflector *refl;
	size_t n_refl;
	struct mx_session *sess;
	size_t n_sess;
	struct mx_sender *snd;
	size_t n_snd;
	/* How long reading the kernel took, in nanoseconds. */
	uint64_t read_ns;
};

/* The Content-Type of each form. */
#define MX_CONTENT_TYPE_TEXT \
	"text/plain; version=0.0.4; charset=utf-8"
#define MX_CONTENT_TYPE_OPENMETRICS \
	"application/openmetrics-text; version=1.0.0; charset=utf-8"

/*
 * Does an Accept header (NULL: none) ask for OpenMetrics? Only when it
 * names application/openmetrics-text with a q above that of text/plain
 * (and of * / *), as Prometheus' own does.
 */
bool mx_wants_openmetrics(const char *accept);

/*
 * The exposition of @s, NUL-terminated, in a malloc'd buffer of *len
 * octets (the NUL not counted); NULL when out of memory.
 */
char *mx_format(const struct mx_snapshot *s, bool openmetrics, size_t *len);

#endif
