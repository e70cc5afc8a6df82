/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TWAMP_CTL_NL_H
#define TWAMP_CTL_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* Large enough for any dump batch the kernel builds. */
#define TNL_BUF_SIZE	32768

/* A netlink socket bound to the "twamp" generic netlink family. */
struct tnl {
	struct mnl_socket *sock;
	uint16_t family_id;
	uint32_t seq;
	uint32_t portid;
	char *buf;
	/* extack text of the last failed request, or "" */
	char ext_msg[256];
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

/* Parse the attributes of a genetlink message / nest into tb[0..max]. */
int tnl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
	      unsigned int max);
int tnl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     unsigned int max);

#endif
