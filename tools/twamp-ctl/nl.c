// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl's side of the netlink plumbing (the shared part is
 * common/tnl.c): opening with errors printed, multicast notifications,
 * the attribute an extended ack blamed, integer attributes.
 */

#define _GNU_SOURCE		/* ppoll */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twamp.h>

#include "nl.h"

int tnl_get_uint(const struct nlattr *attr, uint64_t *out)
{
	switch (mnl_attr_get_payload_len(attr)) {
	case 1:
		*out = mnl_attr_get_u8(attr);
		return 0;
	case 2:
		*out = mnl_attr_get_u16(attr);
		return 0;
	case 4:
		*out = mnl_attr_get_u32(attr);
		return 0;
	case 8:
		*out = mnl_attr_get_u64(attr);
		return 0;
	}
	return -1;
}

void tnl_print_not_loaded(void)
{
	fprintf(stderr,
		"twamp-ctl: twamp module not loaded: run 'modprobe twamp'\n");
}

bool tnl_family_gone(struct tnl *nl)
{
	uint16_t id = nl->family_id;
	bool gone;

	/* Resolving again overwrites the groups: only the id matters here. */
	gone = tnl_resolve(nl) == -ENOENT;
	if (!gone && !nl->family_id)
		nl->family_id = id;
	return gone;
}

int tnl_open(struct tnl *nl)
{
	char err[256];
	int ret;

	if (tnl_socket(nl, err, sizeof(err))) {
		fprintf(stderr, "twamp-ctl: %s\n", err);
		return -1;
	}
	ret = tnl_resolve(nl);
	if (!ret)
		return 0;
	if (ret == -ENOENT)
		tnl_print_not_loaded();
	else
		tnl_perror(nl, "resolving the twamp netlink family", ret);
	tnl_close(nl);
	return -1;
}

int tnl_join(struct tnl *nl, const char *name)
{
	/* Room for bursts of per-packet records; raised past rmem_max if allowed. */
	int rcvbuf = 4 << 20;
	unsigned int i;
	int id, one = 1;

	for (i = 0; i < nl->n_groups; i++)
		if (!strcmp(nl->groups[i].name, name))
			break;
	if (i == nl->n_groups) {
		fprintf(stderr,
			"twamp-ctl: the twamp module has no '%s' multicast group (is it older than this tool?)\n",
			name);
		return -1;
	}
	id = nl->groups[i].id;
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	/*
	 * Without this, an overrun of this socket is invisible to the kernel,
	 * which then cannot count the records we missed (DROPPED).
	 */
	mnl_socket_setsockopt(nl->sock, NETLINK_BROADCAST_ERROR, &one,
			      sizeof(one));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &id,
				  sizeof(id)) < 0) {
		fprintf(stderr, "twamp-ctl: joining the '%s' multicast group: %s%s\n",
			name, strerror(errno),
			errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return -1;
	}
	return 0;
}

struct recv_ctx {
	const struct tnl *nl;
	mnl_cb_t cb;
	void *data;
};

/* Only the family's own notifications reach the caller. */
static int recv_cb(const struct nlmsghdr *nlh, void *data)
{
	struct recv_ctx *ctx = data;

	if (nlh->nlmsg_type != ctx->nl->family_id)
		return MNL_CB_OK;
	return ctx->cb(nlh, ctx->data);
}

int tnl_recv(struct tnl *nl, int timeout_ms, const sigset_t *sigmask,
	     mnl_cb_t cb, void *data)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(nl->sock), .events = POLLIN };
	struct recv_ctx ctx = { nl, cb, data };
	struct timespec ts, *tsp = NULL;
	ssize_t len;
	int ret;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	ret = ppoll(&pfd, 1, tsp, sigmask);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;

	len = recv(pfd.fd, nl->buf, TNL_BUF_SIZE, MSG_DONTWAIT);
	if (len < 0)
		return errno == EAGAIN ? 0 : -errno;
	errno = 0;
	/* Notifications carry sequence number 0 and port ID 0. */
	ret = mnl_cb_run(nl->buf, len, 0, 0, recv_cb, &ctx);
	if (ret < 0)
		return errno ? -errno : -EIO;
	return ret == MNL_CB_STOP ? 1 : 0;
}

uint16_t tnl_err_attr(const struct tnl *nl, uint16_t nest)
{
	const struct nlmsghdr *req = (const struct nlmsghdr *)nl->req;
	const struct nlattr *outer, *inner;

	if (!nl->ext_off || nl->ext_off >= req->nlmsg_len)
		return 0;
	mnl_attr_for_each(outer, req, GENL_HDRLEN) {
		if (mnl_attr_get_type(outer) != nest)
			continue;
		mnl_attr_for_each_nested(inner, outer)
			if ((const char *)inner - nl->req == (long)nl->ext_off)
				return mnl_attr_get_type(inner);
	}
	return 0;
}

void tnl_perror(const struct tnl *nl, const char *what, int err)
{
	char msg[1024];

	tnl_strerror(nl, what, err, msg, sizeof(msg));
	/* The family's commands that change state are GENL_UNS_ADMIN_PERM. */
	if (err == -EPERM)
		fprintf(stderr, "twamp-ctl: %s (needs CAP_NET_ADMIN)\n", msg);
	else
		fprintf(stderr, "twamp-ctl: %s\n", msg);
}
