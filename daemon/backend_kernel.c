// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel backend: each test session is a sessions-only TWAMP reflector
 * on its own UDP port plus one session on it, both created with BIND so
 * that the kernel removes them if twampd dies, whatever the way.
 *
 * Requests are synchronous on one generic netlink socket: the kernel
 * answers them without sleeping on the network, so they never hold up the
 * event loop for long.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twamp.h>

#include "backend.h"
#include "log.h"
#include "tnl.h"

struct kbackend {
	struct backend b;
	struct tnl nl;
	uint64_t features;
	/* Cleared when the module refuses TWAMP_A_REFLECTOR_BIND (older). */
	bool reflector_bind;
	uint16_t next_port;
};

/* modprobe twamp, for a kernel whose family autoload did not do it. */
static void modprobe(void)
{
	static const char *const paths[] = {
		"/usr/sbin/modprobe", "/sbin/modprobe",
	};
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		unsigned int i;

		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			execl(paths[i], "modprobe", "-q", "twamp", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr, *in;
	uint64_t *features = data;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != TWAMP_A_INFO)
			continue;
		mnl_attr_for_each_nested(in, attr)
			if (mnl_attr_get_type(in) == TWAMP_A_INFO_FEATURES &&
			    mnl_attr_validate(in, MNL_TYPE_U64) == 0)
				*features = mnl_attr_get_u64(in);
	}
	return MNL_CB_OK;
}

/* The ID in the reply's object nest @nest. */
struct id_ctx {
	uint16_t nest;
	uint32_t id;
};

static int id_cb(const struct nlmsghdr *nlh, void *data)
{
	struct id_ctx *ctx = data;
	struct nlattr *attr, *in;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != ctx->nest)
			continue;
		/* TWAMP_A_REFLECTOR_ID and TWAMP_A_SESSION_ID are both 1. */
		mnl_attr_for_each_nested(in, attr)
			if (mnl_attr_get_type(in) == 1 &&
			    mnl_attr_validate(in, MNL_TYPE_U32) == 0)
				ctx->id = mnl_attr_get_u32(in);
	}
	return MNL_CB_OK;
}

static int del(struct kbackend *k, uint8_t cmd, uint16_t nest, uint32_t id)
{
	struct nlmsghdr *nlh = tnl_msg(&k->nl, cmd, 0);
	struct nlattr *n = mnl_attr_nest_start(nlh, nest);

	mnl_attr_put_u32(nlh, 1, id);	/* REFLECTOR_ID / SESSION_ID */
	mnl_attr_nest_end(nlh, n);
	return tnl_talk(&k->nl, nlh, NULL, NULL);
}

static int reflector_new(struct kbackend *k, const struct sockaddr *local,
			 uint16_t port, bool ptp, uint32_t *id)
{
	struct id_ctx ctx = { TWAMP_A_REFLECTOR, 0 };
	struct nlmsghdr *nlh;
	struct nlattr *n;
	uint32_t bind_off = 0;
	bool retried = false;
	char why[256];
	int ret;

again:
	nlh = tnl_msg(&k->nl, TWAMP_CMD_REFLECTOR_NEW, 0);
	n = mnl_attr_nest_start(nlh, TWAMP_A_REFLECTOR);
	if (local->sa_family == AF_INET)
		mnl_attr_put(nlh, TWAMP_A_REFLECTOR_LOCAL_IPV4, 4,
			     &((const struct sockaddr_in *)local)->sin_addr);
	else
		mnl_attr_put(nlh, TWAMP_A_REFLECTOR_LOCAL_IPV6, 16,
			     &((const struct sockaddr_in6 *)local)->sin6_addr);
	mnl_attr_put_u16(nlh, TWAMP_A_REFLECTOR_PORT, port);
	mnl_attr_put_u8(nlh, TWAMP_A_REFLECTOR_FORMAT, TWAMP_FORMAT_LIGHT);
	/* Only with mode 512, which is offered only if twamp.ko has PTP. */
	if (ptp)
		mnl_attr_put_u8(nlh, TWAMP_A_REFLECTOR_TS_FORMAT, TWAMP_TS_PTP);
	mnl_attr_put(nlh, TWAMP_A_REFLECTOR_SESSIONS_ONLY, 0, NULL);
	if (k->reflector_bind) {
		bind_off = nlh->nlmsg_len;
		mnl_attr_put(nlh, TWAMP_A_REFLECTOR_BIND, 0, NULL);
	}
	mnl_attr_nest_end(nlh, n);
	ret = tnl_talk(&k->nl, nlh, id_cb, &ctx);
	if (ret == -EINVAL && k->reflector_bind && !retried &&
	    (k->nl.ext_off == bind_off ||
	     strstr(k->nl.ext_msg, "Unsupported attribute"))) {
		/* Maybe a module from before reflectors could be bound. */
		snprintf(why, sizeof(why), "%s",
			 k->nl.ext_msg[0] ? k->nl.ext_msg : "attribute refused");
		k->reflector_bind = false;
		retried = true;
		goto again;
	}
	if (retried) {
		if (ret == -EINVAL) {
			/* Refused without it too: BIND was not the reason. */
			k->reflector_bind = true;
		} else {
			log_warn("kernel backend: twamp.ko cannot bind reflectors to twampd (%s); they outlive twampd if it is killed",
				 why);
		}
	}
	if (!ret && !ctx.id)
		ret = -EPROTO;
	*id = ctx.id;
	return ret;
}

static int session_new(struct kbackend *k, uint32_t refl,
		       const struct be_session_params *p, uint32_t *id)
{
	struct id_ctx ctx = { TWAMP_A_SESSION, 0 };
	struct nlmsghdr *nlh;
	struct nlattr *n;
	int ret;

	nlh = tnl_msg(&k->nl, TWAMP_CMD_SESSION_NEW, 0);
	n = mnl_attr_nest_start(nlh, TWAMP_A_SESSION);
	mnl_attr_put_u32(nlh, TWAMP_A_SESSION_REFLECTOR_ID, refl);
	if (p->peer.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)&p->peer;

		mnl_attr_put(nlh, TWAMP_A_SESSION_PEER_IPV4, 4, &s4->sin_addr);
		mnl_attr_put_u16(nlh, TWAMP_A_SESSION_PEER_PORT,
				 ntohs(s4->sin_port));
	} else {
		const struct sockaddr_in6 *s6 = (const void *)&p->peer;

		mnl_attr_put(nlh, TWAMP_A_SESSION_PEER_IPV6, 16,
			     &s6->sin6_addr);
		mnl_attr_put_u16(nlh, TWAMP_A_SESSION_PEER_PORT,
				 ntohs(s6->sin6_port));
	}
	mnl_attr_put(nlh, TWAMP_A_SESSION_SID, 16, p->sid);
	mnl_attr_put_u32(nlh, TWAMP_A_SESSION_PADDING, p->padding);
	if (p->reflect_octets || p->reflect_len) {
		mnl_attr_put_u16(nlh, TWAMP_A_SESSION_REFLECT_OCTETS,
				 p->reflect_octets);
		mnl_attr_put_u16(nlh, TWAMP_A_SESSION_REFLECT_LEN,
				 p->reflect_len);
	}
	mnl_attr_put_u32(nlh, TWAMP_A_SESSION_REFWAIT, p->refwait_ms);
	mnl_attr_put(nlh, TWAMP_A_SESSION_BIND, 0, NULL);
	mnl_attr_put_u8(nlh, TWAMP_A_SESSION_DSCP, p->dscp);
	if (p->security != TWC_TEST_OPEN) {
		mnl_attr_put_u8(nlh, TWAMP_A_SESSION_SECURITY,
				p->security == TWC_TEST_AUTH ?
				TWAMP_SECURITY_AUTH : TWAMP_SECURITY_ENCRYPT);
		mnl_attr_put(nlh, TWAMP_A_SESSION_AES_KEY, 16, p->keys.aes);
		mnl_attr_put(nlh, TWAMP_A_SESSION_HMAC_KEY, 32, p->keys.hmac);
	}
	mnl_attr_nest_end(nlh, n);
	ret = tnl_talk(&k->nl, nlh, id_cb, &ctx);
	/* The request held the test keys, and so does its copy. */
	explicit_bzero(k->nl.buf, TNL_BUF_SIZE);
	explicit_bzero(k->nl.req, TNL_BUF_SIZE);
	if (!ret && !ctx.id)
		ret = -EPROTO;
	*id = ctx.id;
	return ret;
}

static uint16_t sa_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ?
		     ((const struct sockaddr_in *)ss)->sin_port :
		     ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static int k_session_add(struct backend *b, const struct be_session_params *p,
			 uint16_t *port, uint64_t *handle, char *err,
			 size_t errlen)
{
	struct kbackend *k = (struct kbackend *)b;
	uint16_t want = sa_port(&p->local), try;
	uint32_t refl = 0, sess;
	unsigned int i;
	int ret = -EADDRINUSE;

	/*
	 * The asked-for port if it is a test port, then the others: never
	 * one outside the range, which may be another service's.
	 */
	for (i = 0; (try = twc_port_try(want, b->port_min, b->port_max,
					k->next_port, i)); i++) {
		ret = reflector_new(k, (const struct sockaddr *)&p->local, try,
				    p->ptp, &refl);
		if (ret != -EADDRINUSE)
			break;
	}
	if (ret) {
		tnl_strerror(&k->nl, ret == -EADDRINUSE ?
			     "no free test port in the range" :
			     "creating a reflector", ret, err, errlen);
		return ret;
	}
	ret = session_new(k, refl, p, &sess);
	if (ret) {
		tnl_strerror(&k->nl, "creating a session", ret, err, errlen);
		del(k, TWAMP_CMD_REFLECTOR_DEL, TWAMP_A_REFLECTOR, refl);
		return ret;
	}
	if (try != want)
		k->next_port = try == b->port_max ? b->port_min : try + 1;
	*port = try;
	*handle = (uint64_t)refl << 32 | sess;
	return 0;
}

static void k_session_del(struct backend *b, uint64_t handle)
{
	struct kbackend *k = (struct kbackend *)b;
	uint32_t refl = handle >> 32, sess = (uint32_t)handle;
	int ret;

	/* Gone already when its REFWAIT ran out: not an error. */
	ret = del(k, TWAMP_CMD_SESSION_DEL, TWAMP_A_SESSION, sess);
	if (ret && ret != -ENOENT)
		log_warn("kernel backend: deleting session %u: %s%s%s", sess,
			 k->nl.ext_msg, k->nl.ext_msg[0] ? ": " : "",
			 strerror(-ret));
	ret = del(k, TWAMP_CMD_REFLECTOR_DEL, TWAMP_A_REFLECTOR, refl);
	if (ret && ret != -ENOENT)
		log_warn("kernel backend: deleting reflector %u: %s%s%s", refl,
			 k->nl.ext_msg, k->nl.ext_msg[0] ? ": " : "",
			 strerror(-ret));
}

static int k_session_alive(struct backend *b, uint64_t handle)
{
	struct kbackend *k = (struct kbackend *)b;
	struct nlmsghdr *nlh;
	struct nlattr *n;
	int ret;

	nlh = tnl_msg(&k->nl, TWAMP_CMD_SESSION_GET, 0);
	n = mnl_attr_nest_start(nlh, TWAMP_A_SESSION);
	mnl_attr_put_u32(nlh, TWAMP_A_SESSION_ID, (uint32_t)handle);
	mnl_attr_nest_end(nlh, n);
	ret = tnl_talk(&k->nl, nlh, NULL, NULL);
	/* The kernel removes a session whose REFWAIT ran out. */
	if (ret == -ENOENT)
		return 0;
	return ret < 0 ? ret : 1;
}

static void k_free(struct backend *b)
{
	struct kbackend *k = (struct kbackend *)b;

	/* Closing the socket also removes everything bound to it. */
	tnl_close(&k->nl);
	free(k);
}

struct backend *backend_kernel_new(uint16_t port_min, uint16_t port_max,
				   char *err, size_t errlen)
{
	struct kbackend *k = calloc(1, sizeof(*k));
	struct nlmsghdr *nlh;
	int ret;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (tnl_socket(&k->nl, err, errlen)) {
		free(k);
		return NULL;
	}
	ret = tnl_resolve(&k->nl);
	if (ret == -ENOENT) {
		modprobe();
		ret = tnl_resolve(&k->nl);
	}
	if (ret == -ENOENT) {
		snprintf(err, errlen,
			 "the twamp kernel module is not loaded and could not be loaded");
		goto fail;
	}
	if (ret) {
		tnl_strerror(&k->nl, "resolving the twamp netlink family", ret,
			     err, errlen);
		goto fail;
	}
	nlh = tnl_msg(&k->nl, TWAMP_CMD_INFO_GET, 0);
	ret = tnl_talk(&k->nl, nlh, info_cb, &k->features);
	if (ret) {
		tnl_strerror(&k->nl, "asking twamp.ko what it supports", ret,
			     err, errlen);
		goto fail;
	}
	if (!(k->features & TWAMP_FEATURE_REFLECTOR)) {
		snprintf(err, errlen, "twamp.ko has no reflector");
		goto fail;
	}
	k->b.name = "kernel";
	k->b.modes = TWC_MODE_OPEN | TWC_MODE_MIXED | TWC_MODE_INDIVIDUAL |
		     TWC_MODE_REFLECT_OCTETS | TWC_MODE_SYMMETRIC;
	if (k->features & TWAMP_FEATURE_AUTH)
		k->b.modes |= TWC_MODE_AUTH;
	if (k->features & TWAMP_FEATURE_ENCRYPT)
		k->b.modes |= TWC_MODE_ENCRYPT;
	/* RFC 8186: the reflector can write PTP timestamps. */
	if (k->features & TWAMP_FEATURE_PTP)
		k->b.modes |= TWC_MODE_PTP;
	k->b.session_add = k_session_add;
	k->b.session_del = k_session_del;
	k->b.session_alive = k_session_alive;
	k->b.free = k_free;
	k->b.port_min = port_min;
	k->b.port_max = port_max;
	k->next_port = port_min;
	k->reflector_bind = true;
	return &k->b;
fail:
	tnl_close(&k->nl);
	free(k);
	return NULL;
}
