/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TWAMP_CTL_NL_H
#define TWAMP_CTL_NL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "tnl.h"

/*
 * twamp-ctl's side of the plumbing in common/tnl.h: what prints its own
 * errors, notifications, and reading what the kernel sent or blamed.
 */

/*
 * tnl_socket() and tnl_resolve(). On failure prints a message naming the
 * cause (a missing family means the module is not loaded) and returns -1.
 */
int tnl_open(struct tnl *nl);

/* "twamp module not loaded: run 'modprobe twamp'", on stderr. */
void tnl_print_not_loaded(void);

/*
 * Whether the twamp family vanished since @nl resolved it (the module was
 * unloaded): a request that failed mid-run may say why better than errno.
 */
bool tnl_family_gone(struct tnl *nl);

/*
 * Print "twamp-ctl: <what>: <kernel message>: <strerror>" for a failed
 * request, leaving out the kernel message when there is none; EPERM adds
 * "(needs CAP_NET_ADMIN)".
 */
void tnl_perror(const struct tnl *nl, const char *what, int err);

/*
 * Join the family's multicast group @name on this socket. Use a socket of
 * its own for notifications: tnl_talk() would take them for replies.
 * Prints its own errors; returns 0 or -1.
 */
int tnl_join(struct tnl *nl, const char *name);

/*
 * Wait up to @timeout_ms (-1: no limit) for notifications and run @cb on
 * each message of the family in the next batch. The wait is a ppoll() with
 * @sigmask (NULL: the current mask), so a signal blocked outside the wait
 * interrupts it without a race. Returns 0 when a batch was handled, 1 when
 * @cb returned MNL_CB_STOP, -ETIMEDOUT, -EINTR, -ENOBUFS when the socket
 * overran and notifications were lost, or another negative errno.
 */
int tnl_recv(struct tnl *nl, int timeout_ms, const sigset_t *sigmask,
	     mnl_cb_t cb, void *data);

/*
 * The type of the attribute the kernel blamed for the last failure, when it
 * is a member of the request's top-level nest @nest; 0 if none.
 */
uint16_t tnl_err_attr(const struct tnl *nl, uint16_t nest);

/* An unsigned integer attribute of 1, 2, 4 or 8 octets; -1 for another size. */
int tnl_get_uint(const struct nlattr *attr, uint64_t *out);

#endif
