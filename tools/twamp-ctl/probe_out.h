/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-packet lines of twamp-ctl ping and test, in the order the packets
 * were sent. The kernel reports a reply as it comes and a loss only once
 * WAIT has passed, so a loss would print after the replies to later
 * packets: lines wait here until those of every earlier packet printed.
 * Nothing here talks netlink (host unit tests link it).
 */
#ifndef TWAMP_CTL_PROBE_OUT_H
#define TWAMP_CTL_PROBE_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics.h"

/* Lines held at most; past that the oldest prints, gap or not. */
#define PROBE_OUT_MAX_PENDING	4096

struct probe_out {
	FILE *f;
	const char *from;		/* the reflector's address */
	bool timestamps;		/* -D */
	bool quiet;			/* -q: no per-packet lines */
	uint32_t next;			/* the sequence number to print next */
	struct twamp_result *pend;	/* held, in arrival order */
	size_t n, cap;
	/* CLOCK_REALTIME in ns for -D where a line has no T4; tests set it. */
	uint64_t (*now_ns)(void);
};

void probe_out_init(struct probe_out *po, FILE *f, const char *from,
		    bool timestamps, bool quiet);
void probe_out_free(struct probe_out *po);

/* A record of the results group: print it, now or once in order; 0 or -1. */
int probe_out_add(struct probe_out *po, const struct twamp_result *r);

/* Whether a record of packet @seq came already (printed or held). */
bool probe_out_answered(const struct probe_out *po, uint32_t seq);

/* -O: "no answer yet for seq=N", before the next packet goes. */
void probe_out_outstanding(struct probe_out *po, uint32_t seq);

/* The run is over: print every held line, in order, gaps or not. */
void probe_out_flush(struct probe_out *po);

/* -D: "[1733140000.123456] " for @ns since the epoch, into @buf. */
char *probe_out_stamp(char *buf, size_t len, uint64_t ns);

#endif
