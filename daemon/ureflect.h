/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace TWAMP-Test reflector: the backend twampd uses when twamp.ko
 * cannot be loaded, and the baseline the kernel data path is benchmarked
 * against. It runs its own thread, so a busy control connection never
 * delays a reflected packet. T2 is the socket's receive timestamp
 * (SO_TIMESTAMPNS); T3 is read just before sendmsg(). See docs/ureflect.md.
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
	/*
	 * The Session-Sender: only its packets are reflected. Same family as
	 * local; port 0: any port of that address. Unused with any_peer.
	 */
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
	/*
	 * STAMP (RFC 8762/8972) formats: 44-octet base packets, the SSID
	 * echoed, TLVs returned with their U/M flags. Open mode only.
	 */
	bool stamp;
};

/*
 * Every datagram received is counted in rx and then either in tx or in
 * exactly one drop: short (below the sender header), auth (decryption or
 * HMAC failed), peer (not from the configured peer), invalid (broadcast,
 * multicast or port 0 ends, zero Error Estimate multiplier), xmit
 * (sendmsg failed).
 */
struct urefl_counters {
	uint64_t rx, tx, drop_short, drop_auth, drop_peer, drop_invalid;
	uint64_t drop_xmit;
};

/*
 * Start the reflector thread; ports are taken from [port_min, port_max]
 * (0-0: whatever the kernel picks).
 */
struct urefl *urefl_new(uint16_t port_min, uint16_t port_max, char *err,
			size_t errlen);
/* Add a session: returns its id (> 0) and the bound port, or -errno. */
int urefl_session_add(struct urefl *u, const struct urefl_session_cfg *cfg,
		      uint16_t *port);
int urefl_session_del(struct urefl *u, int id);
int urefl_session_counters(struct urefl *u, int id,
			   struct urefl_counters *c);
/*
 * 1 if REFWAIT ran out (the session's socket is closed, its counters stay
 * until urefl_session_del), 0 if not, -ENOENT for an unknown ID.
 */
int urefl_session_expired(struct urefl *u, int id);
/* Stop the thread, close every socket. */
void urefl_free(struct urefl *u);

/*
 * The RFC 4656 Error Estimate the reflector writes (encoded by
 * twpkt_ee_encode(), common/twpkt.h): S and the estimated error (adjtimex
 * esterror) when the clock is synchronized, else 10 ms unsynced.
 */
uint16_t urefl_clock_error_estimate(void);

#endif /* TWAMP_UREFLECT_H */
