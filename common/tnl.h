/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A generic netlink socket bound to the "twamp" family, over libmnl: the
 * part twampd's kernel backend and twamp-ctl share. It prints nothing;
 * callers word their own errors.
 */
#ifndef TWAMP_TNL_H
#define TWAMP_TNL_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

/* Large enough for any dump batch the kernel builds. */
#define TNL_BUF_SIZE	32768

/* Multicast groups of the family remembered by tnl_resolve(). */
#define TNL_MAX_GROUPS	4

struct tnl_group {
	char name[GENL_NAMSIZ];
	uint32_t id;
};

struct tnl {
	struct mnl_socket *sock;
	uint16_t family_id;
	uint32_t seq;
	uint32_t portid;
	char *buf;		/* TNL_BUF_SIZE: requests, then replies */
	/* extack text of the last failed request, or "" */
	char ext_msg[256];
	/* extack offset of the attribute it blamed in req, or 0 */
	uint32_t ext_off;
	char *req;		/* TNL_BUF_SIZE: a copy of the last request */
	unsigned int n_groups;
	struct tnl_group groups[TNL_MAX_GROUPS];
};

/*
 * Open a close-on-exec netlink socket asking for extended acks, and its
 * buffers. Returns 0, or -1 with the cause ("netlink socket: ...") in @err.
 */
int tnl_socket(struct tnl *nl, char *err, size_t errlen);

/*
 * Resolve the twamp family and its multicast groups. Returns 0, -ENOENT
 * when there is no such family (the module is not loaded), or another
 * negative errno with nl->ext_msg holding the kernel's extack message.
 */
int tnl_resolve(struct tnl *nl);

/* Close the socket (which removes the objects bound to it) and free. */
void tnl_close(struct tnl *nl);

/* Start a request for @cmd in nl->buf; flags are NLM_F_* beyond REQUEST. */
struct nlmsghdr *tnl_msg(struct tnl *nl, uint8_t cmd, uint16_t flags);

/*
 * Send @nlh and run @cb on each reply until the ack (or dump end).
 * Returns 0, or a negative errno with nl->ext_msg holding the kernel's
 * extack message, if any, and nl->ext_off the offset it blamed.
 */
int tnl_talk(struct tnl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * "<what>: <kernel message>: <strerror>" into @buf for a failed request,
 * leaving out the kernel message when there is none.
 */
void tnl_strerror(const struct tnl *nl, const char *what, int err, char *buf,
		  size_t len);

/* Parse the attributes of a genetlink message / nest into tb[0..max]. */
int tnl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
	      unsigned int max);
int tnl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     unsigned int max);

#endif
