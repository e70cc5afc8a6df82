// SPDX-License-Identifier: GPL-2.0
/*
 * The twamp generic netlink family over libmnl: the socket, family and
 * multicast group resolution, requests with extended ack, attribute parsing.
 * Shared by twampd (daemon/backend_kernel.c) and twamp-ctl.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twamp.h>

#include "tnl.h"

struct parse_ctx {
	const struct nlattr **tb;
	unsigned int max;
};

static int parse_attr_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *ctx = data;
	unsigned int type = mnl_attr_get_type(attr);

	/* Attributes newer than this tool are ignored, not an error. */
	if (type <= ctx->max)
		ctx->tb[type] = attr;
	return MNL_CB_OK;
}

int tnl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
	      unsigned int max)
{
	struct parse_ctx ctx = { tb, max };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	return mnl_attr_parse(nlh, GENL_HDRLEN, parse_attr_cb, &ctx) < 0 ?
	       -EINVAL : 0;
}

int tnl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		     unsigned int max)
{
	struct parse_ctx ctx = { tb, max };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	return mnl_attr_parse_nested(nest, parse_attr_cb, &ctx) < 0 ?
	       -EINVAL : 0;
}

/* CTRL_ATTR_MCAST_GROUPS: a nest of nests { name, id }. */
static void parse_groups(struct tnl *nl, const struct nlattr *list)
{
	const struct nlattr *entry, *tg[CTRL_ATTR_MCAST_GRP_MAX + 1];

	mnl_attr_for_each_nested(entry, list) {
		if (nl->n_groups == TNL_MAX_GROUPS)
			break;
		if (tnl_parse_nested(entry, tg, CTRL_ATTR_MCAST_GRP_MAX) ||
		    !tg[CTRL_ATTR_MCAST_GRP_NAME] || !tg[CTRL_ATTR_MCAST_GRP_ID] ||
		    mnl_attr_validate(tg[CTRL_ATTR_MCAST_GRP_NAME],
				      MNL_TYPE_NUL_STRING) ||
		    mnl_attr_validate(tg[CTRL_ATTR_MCAST_GRP_ID], MNL_TYPE_U32))
			continue;
		snprintf(nl->groups[nl->n_groups].name, GENL_NAMSIZ, "%s",
			 mnl_attr_get_str(tg[CTRL_ATTR_MCAST_GRP_NAME]));
		nl->groups[nl->n_groups++].id =
			mnl_attr_get_u32(tg[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct tnl *nl = data;

	if (tnl_parse(nlh, tb, CTRL_ATTR_MAX))
		return MNL_CB_ERROR;
	if (tb[CTRL_ATTR_FAMILY_ID] &&
	    mnl_attr_validate(tb[CTRL_ATTR_FAMILY_ID], MNL_TYPE_U16) == 0)
		nl->family_id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		parse_groups(nl, tb[CTRL_ATTR_MCAST_GROUPS]);
	return MNL_CB_OK;
}

int tnl_socket(struct tnl *nl, char *err, size_t errlen)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(TNL_BUF_SIZE);
	nl->req = malloc(TNL_BUF_SIZE);
	if (!nl->buf || !nl->req) {
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		goto err_free;
	}
	/* Without extended acks the kernel's reasons would be lost. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink bind: %s", strerror(errno));
		goto err_free;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	return 0;

err_free:
	tnl_close(nl);
	return -1;
}

int tnl_resolve(struct tnl *nl)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *genl;
	int err;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TWAMP_GENL_NAME);

	nl->family_id = 0;
	nl->n_groups = 0;
	err = tnl_talk(nl, nlh, family_cb, nl);
	if (!err && !nl->family_id)
		err = -EPROTO;
	return err;
}

void tnl_close(struct tnl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl->req);
	nl->sock = NULL;
	nl->buf = NULL;
	nl->req = NULL;
}

struct nlmsghdr *tnl_msg(struct tnl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TWAMP_GENL_VERSION;
	return nlh;
}

struct talk_ctx {
	struct tnl *nl;
	mnl_cb_t cb;
	void *data;
};

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct tnl *nl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s",
			 mnl_attr_get_str(attr));
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_OFFS &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		nl->ext_off = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

/* Error and ack messages, with the extack TLVs that follow them. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct talk_ctx *ctx = data;
	unsigned int off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* Without NLM_F_CAPPED the offending request is echoed too. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		mnl_attr_parse(nlh, off, extack_attr_cb, ctx->nl);
	}
	if (e->error) {
		errno = -e->error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* The end of a dump, which may carry an error and extack of its own. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *ctx = data;
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(err), extack_attr_cb, ctx->nl);
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

int tnl_talk(struct tnl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct talk_ctx ctx = { nl, cb, data };
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t len;
	int ret;

	nl->ext_msg[0] = '\0';
	nl->ext_off = 0;
	/* Replies land in nl->buf; keep the request to find what was blamed. */
	memcpy(nl->req, nlh, nlh->nlmsg_len);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	do {
		len = mnl_socket_recvfrom(nl->sock, nl->buf,
					  TNL_BUF_SIZE);
		if (len < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(nl->buf, len, seq, nl->portid, data_cb, &ctx,
				  ctl, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);

	if (ret < 0)
		return errno ? -errno : -EIO;
	return 0;
}

void tnl_strerror(const struct tnl *nl, const char *what, int err, char *buf,
		  size_t len)
{
	if (nl->ext_msg[0])
		snprintf(buf, len, "%s: %s: %s", what, nl->ext_msg,
			 strerror(-err));
	else
		snprintf(buf, len, "%s: %s", what, strerror(-err));
}
