/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What twamp-ctl ping and twamp-ctl test share: the run of a kernel
 * Session-Sender and the loop that prints its results (their options are
 * probe_opts.h's). test wraps the run in a TWAMP-Control exchange through
 * hooks.
 */
#ifndef TWAMP_CTL_PING_H
#define TWAMP_CTL_PING_H

#include "probe_opts.h"
#include "sender.h"

struct ping_hooks {
	/* Header line, e.g. "TWAMP-TEST"; and a note after the format. */
	const char *title;
	const char *note;
	/* After the sender exists and before it starts; 0 or -1. */
	int (*start)(void *arg, const struct sender *created);
	/* Once the sender is done (or the run failed after start()). */
	void (*done)(void *arg);
	/*
	 * While the sender runs: 0, or -1 (having said why) when the run
	 * must end, e.g. because the TWAMP server went away.
	 */
	int (*alive)(void *arg);
	/* Extra JSON members, each starting with a comma. */
	void (*json)(void *arg);
	void *arg;
};

/* Resolve o->host into o->cfg and @addr; 0 or -1. */
int ping_resolve(struct probe_opts *o, struct host_addr *addr);
/*
 * Create, start and follow the sender until it is done, -w DEADLINE passes
 * or Ctrl-C; the exit status (PROBE_EXIT_*).
 */
int ping_run(struct probe_opts *o, const struct host_addr *addr,
	     const struct ping_hooks *hooks);

#endif
