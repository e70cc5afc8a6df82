/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TWAMP_CTL_NL_H
#define TWAMP_CTL_NL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

/* Large enough for any dump batch the kernel builds. */
#define TNL_BUF_SIZE	32768

/* Multicast groups of the family remembered by tnl_open(). */
#define TNL_MAX_GROUPS	4

struct tnl_group {
	char name[GENL_NAMSIZ];
	uint32_t id;
};

/* A netlink socket bound to the "twamp" generic netlink family. */
struct tnl {
	struct mnl_socket *sock;
	uint16_t family_id;
	uint32_t seq;
	uint32_t portid;
	char *buf;
	/* extack text of the last failed request, or "" */
	char ext_msg[256];
	/* extack offset of the attribute it blamed in req, or 0 */
	uint32_t ext_off;
	char *req;		/* a copy of the last request */
	unsigned int n_groups;
	struct tnl_group groups[TNL_MAX_GROUPS];
};

/*
 * Open a socket and resolve the family. On failure prints a message naming
 * the cause (a missing family means the module is not loaded) and returns -1.
 */
int tnl_open(struct tnl *nl);
void tnl_close(struct tnl *nl);

/* Start a request for @cmd in nl->buf; flags are NLM_F_* beyond REQUEST. */
struct nlmsghdr *tnl_msg(struct tnl *nl, uint8_t cmd, uint16_t flags);

/*
 * Send @nlh and run @cb on each reply until the ack (or dump end).
 * Returns 0, or a negative errno with nl->ext_msg holding the kernel's
 * extack message, if any.
 */
int tnl_talk(struct tnl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * Print "twamp-ctl: <what>: <kernel message>: <strerror>" for a failed
 * request, leaving out the kernel message when there is none.
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

/* Parse the attributes of a genetlink message / nest into tb[0..max]. */
int tnl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
	      unsigned int max);
int tnl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     unsigned int max);

/* An unsigned integer attribute of 1, 2, 4 or 8 octets; -1 for another size. */
int tnl_get_uint(const struct nlattr *attr, uint64_t *out);

#endif
