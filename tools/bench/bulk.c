// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-bench-bulk: create or delete many reflector sessions over generic
 * netlink in batches, for the scale part of `make bench` (10,000 runs of
 * twamp-ctl would take minutes in an emulated guest).
 *
 *   twamp-bench-bulk add REFLECTOR_ID PEER_IPV4 FIRST_PORT COUNT
 *       sessions for PEER_IPV4:FIRST_PORT .. FIRST_PORT+COUNT-1; prints
 *       the ID of each session made, one per line
 *   twamp-bench-bulk del
 *       deletes the sessions whose IDs are read from standard input
 *
 * Requests go out BATCH at a time in one sendto(); every one asks for an
 * acknowledgement, and any error stops the program with status 1.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/twamp.h>

#define BATCH 64

static struct mnl_socket *nl;
static uint16_t family;
static unsigned int seq;

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			family = mnl_attr_get_u16(a);
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *put_hdr(char *buf, uint16_t type, uint8_t cmd,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : TWAMP_GENL_VERSION;
	return nlh;
}

static int resolve_family(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int n;

	nlh = put_hdr(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TWAMP_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		n = mnl_cb_run(buf, n, 0, 0, family_cb, NULL);
		if (n <= MNL_CB_STOP)
			break;
	}
	if (n < 0 || !family)
		return n < 0 ? -errno : -ENOENT;
	return 0;
}

struct batch_ctx {
	unsigned int acks;
	FILE *ids;
};

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct batch_ctx *ctx = data;
	struct nlattr *a, *s;

	if (!ctx->ids)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != TWAMP_A_SESSION)
			continue;
		mnl_attr_for_each_nested(s, a) {
			if (mnl_attr_get_type(s) == TWAMP_A_SESSION_ID &&
			    mnl_attr_validate(s, MNL_TYPE_U32) == 0)
				fprintf(ctx->ids, "%" PRIu32 "\n",
					mnl_attr_get_u32(s));
		}
	}
	return MNL_CB_OK;
}

/* Read until every request of the batch was acknowledged. */
static int wait_acks(unsigned int n, FILE *ids)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct batch_ctx ctx = { .ids = ids };

	while (ctx.acks < n) {
		int len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (len < 0)
			return -errno;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				ctx.acks++;
				if (e->error)
					return e->error;
				continue;
			}
			if (nlh->nlmsg_type == family)
				reply_cb(nlh, &ctx);
		}
	}
	return 0;
}

static int run(int add, uint32_t refl, uint32_t peer, uint16_t port,
	       unsigned int count)
{
	static char buf[BATCH * 256];
	unsigned int done = 0;
	int err;

	while (add ? done < count : !feof(stdin)) {
		unsigned int n = 0, off = 0;

		while (n < BATCH && (add ? done + n < count : 1)) {
			struct nlmsghdr *nlh;
			struct nlattr *nest;
			unsigned long id = 0;

			if (!add && scanf("%lu", &id) != 1)
				break;
			nlh = put_hdr(buf + off, family,
				      add ? TWAMP_CMD_SESSION_NEW : TWAMP_CMD_SESSION_DEL,
				      NLM_F_ACK);
			nest = mnl_attr_nest_start(nlh, TWAMP_A_SESSION);
			if (add) {
				mnl_attr_put_u32(nlh, TWAMP_A_SESSION_REFLECTOR_ID, refl);
				mnl_attr_put_u32(nlh, TWAMP_A_SESSION_PEER_IPV4, peer);
				mnl_attr_put_u16(nlh, TWAMP_A_SESSION_PEER_PORT,
						 port + done + n);
			} else {
				mnl_attr_put_u32(nlh, TWAMP_A_SESSION_ID, id);
			}
			mnl_attr_nest_end(nlh, nest);
			off += NLMSG_ALIGN(nlh->nlmsg_len);
			n++;
		}
		if (!n)
			break;
		if (mnl_socket_sendto(nl, buf, off) < 0)
			return -errno;
		err = wait_acks(n, add ? stdout : NULL);
		if (err)
			return err;
		done += n;
	}
	fprintf(stderr, "twamp-bench-bulk: %s %u sessions\n",
		add ? "added" : "deleted", done);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: twamp-bench-bulk add REFLECTOR_ID PEER_IPV4 FIRST_PORT COUNT\n"
		"       twamp-bench-bulk del < IDS\n");
}

int main(int argc, char **argv)
{
	unsigned long refl = 0, port = 0, count = 0;
	struct in_addr peer = { 0 };
	int add, err, bufsz = 4 << 20;

	if (argc == 6 && !strcmp(argv[1], "add")) {
		char *e1, *e2, *e3;

		add = 1;
		refl = strtoul(argv[2], &e1, 0);
		port = strtoul(argv[4], &e2, 0);
		count = strtoul(argv[5], &e3, 0);
		if (*e1 || *e2 || *e3 || !refl || refl > UINT32_MAX || !port ||
		    !count || port + count - 1 > 65535 ||
		    inet_pton(AF_INET, argv[3], &peer) != 1) {
			usage(stderr);
			return 2;
		}
	} else if (argc == 2 && !strcmp(argv[1], "del")) {
		add = 0;
	} else {
		usage(argc == 2 && !strcmp(argv[1], "-h") ? stdout : stderr);
		return argc == 2 && !strcmp(argv[1], "-h") ? 0 : 2;
	}

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("twamp-bench-bulk: netlink");
		return 1;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &bufsz,
		   sizeof(bufsz));
	err = resolve_family();
	if (err) {
		fprintf(stderr, "twamp-bench-bulk: family %s: %s\n",
			TWAMP_GENL_NAME, strerror(-err));
		return 1;
	}
	err = run(add, refl, peer.s_addr, port, count);
	mnl_socket_close(nl);
	if (err) {
		fprintf(stderr, "twamp-bench-bulk: %s: %s\n",
			add ? "adding sessions" : "deleting sessions", strerror(-err));
		return 1;
	}
	return 0;
}
