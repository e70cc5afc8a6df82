/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line of twamp-ctl ping and twamp-ctl test: one parser for
 * the options they share (in the manner of iputils ping) and those of each,
 * and the exit status both return. Nothing here talks netlink, so the host
 * unit tests link it with util.c and metrics.c alone.
 */
#ifndef TWAMP_CTL_PROBE_OPTS_H
#define TWAMP_CTL_PROBE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sender.h"

/* Exit status, as iputils ping: a reply came back, none did, an error. */
#define PROBE_EXIT_OK		0
#define PROBE_EXIT_NO_REPLY	1
#define PROBE_EXIT_ERROR	2

/* The TWAMP-Control security mode that test asks for. */
enum probe_mode {
	PROBE_MODE_OPEN,
	PROBE_MODE_AUTH,
	PROBE_MODE_ENCRYPT,
	PROBE_MODE_MIXED,
};

/* RFC 5357: the well-known TWAMP-Control port. */
#define PROBE_CONTROL_PORT	862

/* The kernel's bounds of a sender's INTERVAL (kmod/netlink.c). */
#define PROBE_MIN_INTERVAL_NS	(10 * NSEC_PER_USEC)
#define PROBE_MAX_INTERVAL_NS	(3600 * NSEC_PER_SEC)

/* Which command parses: what it takes, and its usage text. */
struct probe_cmd {
	const char *name;		/* "ping" or "test" */
	bool control;	/* test: -m -k -K --symmetric --ntp, -p is TCP */
	void (*usage)(FILE *f);
};

struct probe_opts {
	const struct probe_cmd *cmd;
	int family;
	bool json, quiet;
	bool timestamps;		/* -D */
	bool outstanding;		/* -O */
	const char *host;
	uint64_t size;			/* UINT64_MAX: the default */
	uint64_t deadline_ns;		/* -w; 0: none */
	struct sender cfg;
	/* test only */
	enum probe_mode mode;
	bool symmetric;			/* RFC 6038 Symmetrical Size */
	bool ntp;			/* --ntp: decline RFC 8186 PTP */
	const char *key_file, *key_id;
	uint16_t control_port;
};

/*
 * Parse @argv into @o. Returns -1 for the command to go on, else its exit
 * status: PROBE_EXIT_OK once -h printed the usage, PROBE_EXIT_ERROR once a
 * bad option was reported. Global -j (ctl_json) is taken as the command's.
 */
int probe_parse_opts(int argc, char *argv[], struct probe_opts *o,
		     const struct probe_cmd *cmd);

/*
 * The exit status of a run: @failed when it could not be carried out (or
 * its reason to exist went away), else whether any reply came back.
 */
int probe_exit_status(bool failed, uint64_t received);

#endif
