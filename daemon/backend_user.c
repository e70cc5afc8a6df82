// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace backend: test sessions reflected by ureflect's thread, for
 * hosts where twamp.ko cannot be loaded (containers, locked-down kernels).
 * Its sockets are twampd's own, so they go away with twampd.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "backend.h"
#include "log.h"
#include "ureflect.h"

struct ubackend {
	struct backend b;
	struct urefl *u;
};

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static uint16_t get_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ?
		     ((const struct sockaddr_in *)ss)->sin_port :
		     ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static int u_session_add(struct backend *b, const struct be_session_params *p,
			 uint16_t *port, uint64_t *handle, char *err,
			 size_t errlen)
{
	struct ubackend *ub = (struct ubackend *)b;
	struct urefl_session_cfg cfg;
	uint16_t want = get_port(&p->local);
	int id = -EADDRINUSE;

	/* ureflect stamps NTP only, so mode 512 is never offered. */
	if (p->ptp) {
		snprintf(err, errlen, "the user backend has no PTP timestamps");
		return -EOPNOTSUPP;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.local = p->local;
	cfg.peer = p->peer;
	cfg.security = p->security;
	cfg.keys = p->keys;
	cfg.dscp = p->dscp;
	cfg.reflect_len = p->reflect_len;
	cfg.refwait_ms = p->refwait_ms;
	memcpy(cfg.sid, p->sid, sizeof(cfg.sid));
	/* The asked-for port if it is a test port, else one of the range. */
	if (twc_port_in_range(want, b->port_min, b->port_max))
		id = urefl_session_add(ub->u, &cfg, port);
	if (id == -EADDRINUSE) {
		set_port(&cfg.local, 0);
		id = urefl_session_add(ub->u, &cfg, port);
	}
	explicit_bzero(&cfg.keys, sizeof(cfg.keys));
	if (id < 0) {
		snprintf(err, errlen, "%s: %s", id == -EADDRINUSE ?
			 "no free test port in the range" :
			 "creating a userspace session", strerror(-id));
		return id;
	}
	*handle = id;
	return 0;
}

static void u_session_del(struct backend *b, uint64_t handle)
{
	struct ubackend *ub = (struct ubackend *)b;
	int ret = urefl_session_del(ub->u, (int)handle);

	if (ret && ret != -ENOENT)
		log_warn("user backend: deleting session %d: %s", (int)handle,
			 strerror(-ret));
}

static int u_session_alive(struct backend *b, uint64_t handle)
{
	struct ubackend *ub = (struct ubackend *)b;
	int ret = urefl_session_expired(ub->u, (int)handle);

	if (ret == -ENOENT)
		return 0;
	return ret < 0 ? ret : !ret;
}

static void u_free(struct backend *b)
{
	struct ubackend *ub = (struct ubackend *)b;

	urefl_free(ub->u);
	free(ub);
}

struct backend *backend_user_new(uint16_t port_min, uint16_t port_max,
				 char *err, size_t errlen)
{
	struct ubackend *ub = calloc(1, sizeof(*ub));

	if (!ub) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ub->u = urefl_new(port_min, port_max, err, errlen);
	if (!ub->u) {
		free(ub);
		return NULL;
	}
	ub->b.name = "user";
	ub->b.modes = TWC_MODE_OPEN | TWC_MODE_AUTH | TWC_MODE_ENCRYPT |
		      TWC_MODE_MIXED | TWC_MODE_INDIVIDUAL |
		      TWC_MODE_REFLECT_OCTETS | TWC_MODE_SYMMETRIC;
	ub->b.session_add = u_session_add;
	ub->b.session_del = u_session_del;
	ub->b.session_alive = u_session_alive;
	ub->b.free = u_free;
	ub->b.port_min = port_min;
	ub->b.port_max = port_max;
	return &ub->b;
}
