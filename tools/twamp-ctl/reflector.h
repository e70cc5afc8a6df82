/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel reflectors and sessions as twamp-ctl reflector, session and dump
 * read them.
 */
#ifndef TWAMP_CTL_REFLECTOR_H
#define TWAMP_CTL_REFLECTOR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/twamp.h>

#include "nl.h"

/* One reflector, as the kernel reported it. */
struct reflector {
	uint32_t id, ifindex, rate_limit;
	int family;
	char local[INET6_ADDRSTRLEN];
	uint16_t port;
	uint8_t format, ts_format;
	bool stateful, sessions_only;
	bool bound;			/* BIND: goes with its creator's socket */
	uint32_t max_dynamic, max_per_source, dynamic_refwait;
	uint32_t dyn_sessions;
	uint64_t dyn_created, dyn_evicted, dyn_expired;
	int dscp;
	unsigned int n_allow;
	char allow[64][INET6_ADDRSTRLEN + 4];
	uint64_t counters[TWAMP_A_COUNTERS_MAX + 1];
};

/* A REFLECTOR_GET or _NEW reply into @r; 0 or -1. */
int reflector_parse(const struct nlmsghdr *nlh, struct reflector *r);

/* A reflector session, as the kernel reported it. */
struct session {
	uint32_t id, reflector, refwait;
	char peer[INET6_ADDRSTRLEN];
	int family;
	uint16_t peer_port, local_port, ssid, reflect_len;
	int dscp;
	uint8_t security;
	bool bound;
	uint64_t counters[TWAMP_A_COUNTERS_MAX + 1];
};

/* A SESSION_GET or _NEW reply into @s; 0 or -1. */
int session_parse(const struct nlmsghdr *nlh, struct session *s);

/* "open", "auth", "encrypt" */
const char *security_name(uint8_t mode);

#endif
