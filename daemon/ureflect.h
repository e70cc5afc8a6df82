/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace TWAMP-Test reflector: the backend twampd uses when twamp.ko
 * cannot be loaded, and the baseline the kernel data path is benchmarked
 * against. It runs its own thread, so a busy control connection never
 * delays a reflected packet. T2 is the socket's receive timestamp
 * (SO_TIMESTAMPNS); T3 is read just before sendmsg().
 */
#ifndef TWAMP_UREFLECT_H
#define TWAMP_UREFLECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "control/control.h"

struct urefl;

struct urefl_session_cfg {
	/* Local address and port to receive on; port 0: any in the range. */
	struct sockaddr_storage local;
	/* The Session-Sender: only its packets are reflected. */
	struct sockaddr_storage peer;
	enum twc_test_security security;
	struct twc_test_keys keys;	/* authenticated/encrypted */
	int dscp;			/* -1: keep received */
	bool stateless;			/* TWAMP Light: copy Sequence Number */
	bool any_peer;			/* TWAMP Light: reflect any sender */
	uint16_t reflect_len;		/* RFC 6038 padding octets to reflect */
	uint16_t server_octets;
	uint32_t refwait_ms;		/* 0: never expire */
	uint8_t sid[16];
};

struct urefl_counters {
	uint64_t rx, tx, drop_short, drop_auth, drop_peer, drop_invalid;
};

/* Start the reflector thread; ports are taken from [port_min, port_max]. */
struct urefl *urefl_new(uint16_t port_min, uint16_t port_max, char *err,
			size_t errlen);
/* Add a session: returns its id (> 0) and the bound port, or -errno. */
int urefl_session_add(struct urefl *u, const struct urefl_session_cfg *cfg,
		      uint16_t *port);
int urefl_session_del(struct urefl *u, int id);
int urefl_session_counters(struct urefl *u, int id,
			   struct urefl_counters *c);
/* Stop the thread, close every socket. */
void urefl_free(struct urefl *u);

#endif /* TWAMP_UREFLECT_H */
