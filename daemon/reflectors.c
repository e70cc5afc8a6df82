// SPDX-License-Identifier: GPL-2.0
/*
 * The config's kernel reflectors, on a generic netlink socket of their own.
 * Each is created with BIND, so the kernel removes it with the socket if
 * twampd dies, even by SIGKILL: a restarted twampd finds its ports free.
 * A port held by another reflector (twamp-ctl's, or one left by a twamp.ko
 * that cannot bind) is an error naming the config line; twampd adopts
 * nothing it did not create.
 *
 * A reflector is known by its line's canonical text (cfg_reflector_str()):
 * the same text on reload means the same reflector, kept as it is.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/twamp.h>

#include "log.h"
#include "reflectors.h"
#include "tnl.h"

#define CANON_LEN	4096

struct live {
	uint32_t id;
	struct cfg_reflector r;
	char canon[CANON_LEN];
};

static struct tnl nl;
static bool nl_open, bind_ok = true;
static struct live live[CFG_MAX_REFLECTORS];
static unsigned int n_live;

static int open_nl(char *err, size_t errlen)
{
	int ret;

	if (nl_open)
		return 0;
	if (tnl_socket(&nl, err, errlen))
		return -1;
	ret = tnl_resolve(&nl);
	if (ret) {
		if (ret == -ENOENT)
			snprintf(err, errlen,
				 "reflector lines need the twamp kernel module, which is not loaded (modprobe twamp)");
		else
			tnl_strerror(&nl, "resolving the twamp netlink family",
				     ret, err, errlen);
		tnl_close(&nl);
		return -1;
	}
	nl_open = true;
	return 0;
}

static int id_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TWAMP_A_MAX + 1];
	const struct nlattr *ta[TWAMP_A_REFLECTOR_MAX + 1];
	uint32_t *id = data;

	if (!tnl_parse(nlh, tb, TWAMP_A_MAX) && tb[TWAMP_A_REFLECTOR] &&
	    !tnl_parse_nested(tb[TWAMP_A_REFLECTOR], ta,
			      TWAMP_A_REFLECTOR_MAX) &&
	    ta[TWAMP_A_REFLECTOR_ID])
		*id = mnl_attr_get_u32(ta[TWAMP_A_REFLECTOR_ID]);
	return MNL_CB_OK;
}

static void put_prefix(struct nlmsghdr *nlh, uint16_t type,
		       const struct twc_prefix *p)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	if (p->family == AF_INET)
		mnl_attr_put(nlh, TWAMP_A_PREFIX_IPV4, 4, p->addr);
	else
		mnl_attr_put(nlh, TWAMP_A_PREFIX_IPV6, 16, p->addr);
	mnl_attr_put_u8(nlh, TWAMP_A_PREFIX_LEN, p->len);
	mnl_attr_nest_end(nlh, n);
}

static int create(const struct cfg_reflector *r, uint32_t *id, char *why,
		  size_t whylen)
{
	unsigned int ifindex = 0, i;
	uint32_t bind_off = 0;
	struct nlmsghdr *nlh;
	struct nlattr *n, *a;
	int ret;

	if (r->dev[0]) {
		ifindex = if_nametoindex(r->dev);
		if (!ifindex) {
			snprintf(why, whylen, "no device %s", r->dev);
			return -1;
		}
	}
again:
	*id = 0;
	nlh = tnl_msg(&nl, TWAMP_CMD_REFLECTOR_NEW, 0);
	n = mnl_attr_nest_start(nlh, TWAMP_A_REFLECTOR);
	if (r->local.ss_family == AF_INET)
		mnl_attr_put(nlh, TWAMP_A_REFLECTOR_LOCAL_IPV4, 4,
			     &((const struct sockaddr_in *)&r->local)->sin_addr);
	else if (r->local.ss_family == AF_INET6)
		mnl_attr_put(nlh, TWAMP_A_REFLECTOR_LOCAL_IPV6, 16,
			     &((const struct sockaddr_in6 *)&r->local)->sin6_addr);
	if (ifindex)
		mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_IFINDEX, ifindex);
	mnl_attr_put_u16(nlh, TWAMP_A_REFLECTOR_PORT, r->port);
	mnl_attr_put_u8(nlh, TWAMP_A_REFLECTOR_FORMAT,
			r->stamp ? TWAMP_FORMAT_STAMP : TWAMP_FORMAT_LIGHT);
	mnl_attr_put_u8(nlh, TWAMP_A_REFLECTOR_TS_FORMAT,
			r->ptp ? TWAMP_TS_PTP : TWAMP_TS_NTP);
	if (r->dscp >= 0)
		mnl_attr_put_u8(nlh, TWAMP_A_REFLECTOR_DSCP, r->dscp);
	if (r->rate_limit)
		mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_RATE_LIMIT,
				 r->rate_limit);
	if (r->stateful)
		mnl_attr_put(nlh, TWAMP_A_REFLECTOR_STATEFUL, 0, NULL);
	if (r->sessions_only)
		mnl_attr_put(nlh, TWAMP_A_REFLECTOR_SESSIONS_ONLY, 0, NULL);
	if (r->max_dynamic >= 0)
		mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_MAX_DYNAMIC,
				 r->max_dynamic);
	if (r->max_per_source >= 0)
		mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_MAX_PER_SOURCE,
				 r->max_per_source);
	if (r->refwait_ms >= 0)
		mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT,
				 r->refwait_ms);
	if (r->n_allow) {
		a = mnl_attr_nest_start(nlh, TWAMP_A_REFLECTOR_ALLOW);
		for (i = 0; i < r->n_allow; i++)
			put_prefix(nlh, i + 1, &r->allow[i]);
		mnl_attr_nest_end(nlh, a);
	}
	if (bind_ok) {
		bind_off = nlh->nlmsg_len;
		mnl_attr_put(nlh, TWAMP_A_REFLECTOR_BIND, 0, NULL);
	}
	mnl_attr_nest_end(nlh, n);
	ret = tnl_talk(&nl, nlh, id_cb, id);
	if (ret == -EINVAL && bind_ok &&
	    (nl.ext_off == bind_off ||
	     strstr(nl.ext_msg, "Unsupported attribute"))) {
		log_warn("twamp.ko cannot bind reflectors to twampd (%s): the config's reflectors outlive twampd if it is killed",
			 nl.ext_msg[0] ? nl.ext_msg : "attribute refused");
		bind_ok = false;
		goto again;
	}
	if (!ret && !*id)
		ret = -EPROTO;
	if (ret) {
		tnl_strerror(&nl, "the kernel refused it", ret, why, whylen);
		if (ret == -EADDRINUSE)
			snprintf(why + strlen(why), whylen - strlen(why),
				 " (another reflector holds the port: twamp-ctl reflector show)");
		return -1;
	}
	return 0;
}

static int destroy(uint32_t id)
{
	struct nlmsghdr *nlh = tnl_msg(&nl, TWAMP_CMD_REFLECTOR_DEL, 0);
	struct nlattr *n = mnl_attr_nest_start(nlh, TWAMP_A_REFLECTOR);
	char why[512];
	int ret;

	mnl_attr_put_u32(nlh, TWAMP_A_REFLECTOR_ID, id);
	mnl_attr_nest_end(nlh, n);
	ret = tnl_talk(&nl, nlh, NULL, NULL);
	if (ret && ret != -ENOENT) {
		tnl_strerror(&nl, "deleting it", ret, why, sizeof(why));
		log_warn("reflector %u: %s", id, why);
	}
	return ret;
}

int reflectors_apply(const struct twampd_cfg *c, const char *path,
		     char *err, size_t errlen)
{
	static struct live next[CFG_MAX_REFLECTORS], gone[CFG_MAX_REFLECTORS];
	static char canon[CFG_MAX_REFLECTORS][CANON_LEN];
	bool kept[CFG_MAX_REFLECTORS] = { false }, have[CFG_MAX_REFLECTORS];
	unsigned int i, j, n_gone = 0;
	char why[1024];

	for (j = 0; j < c->n_reflectors; j++) {
		cfg_reflector_str(&c->reflectors[j], canon[j], CANON_LEN);
		have[j] = false;
	}
	if (c->n_reflectors && open_nl(err, errlen))
		return -1;
	/* Which of the live ones stay, and as which line. */
	for (i = 0; i < n_live; i++)
		for (j = 0; j < c->n_reflectors; j++)
			if (!have[j] && !strcmp(live[i].canon, canon[j])) {
				have[j] = kept[i] = true;
				next[j] = live[i];
				break;
			}
	/* Removed and changed ones go first: a changed one keeps its port. */
	for (i = 0; i < n_live; i++) {
		if (kept[i])
			continue;
		destroy(live[i].id);
		log_info("reflector %u deleted: %s", live[i].id, live[i].canon);
		gone[n_gone++] = live[i];
	}
	for (j = 0; j < c->n_reflectors; j++) {
		if (have[j])
			continue;
		if (create(&c->reflectors[j], &next[j].id, why, sizeof(why)))
			goto undo;
		next[j].r = c->reflectors[j];
		snprintf(next[j].canon, CANON_LEN, "%s", canon[j]);
		have[j] = true;
		log_info("reflector %u created: %s", next[j].id, canon[j]);
	}
	for (j = 0; j < c->n_reflectors; j++)
		live[j] = next[j];
	n_live = c->n_reflectors;
	if (!n_live && nl_open) {
		tnl_close(&nl);
		nl_open = false;
	}
	return 0;

undo:
	if (c->reflectors[j].line)
		snprintf(err, errlen, "%s:%u: reflector %s: %s", path,
			 c->reflectors[j].line, canon[j], why);
	else
		snprintf(err, errlen, "reflector %s: %s", canon[j], why);
	/* Delete what this call created... */
	for (i = 0; i < c->n_reflectors; i++) {
		bool was_live = false;
		unsigned int k;

		if (!have[i])
			continue;
		for (k = 0; k < n_live; k++)
			if (kept[k] && live[k].id == next[i].id)
				was_live = true;
		if (!was_live) {
			destroy(next[i].id);
			log_info("reflector %u deleted again: %s", next[i].id,
				 next[i].canon);
		}
	}
	/* ...and create again what it deleted (new IDs, counters at 0). */
	for (i = 0; i < n_gone; i++) {
		for (j = 0; j < n_live; j++)
			if (live[j].id == gone[i].id)
				break;
		if (create(&gone[i].r, &live[j].id, why, sizeof(why))) {
			log_err("reflector %s: cannot create it again: %s",
				gone[i].canon, why);
			live[j] = live[--n_live];
			continue;
		}
		log_info("reflector %u created again: %s", live[j].id,
			 live[j].canon);
	}
	return -1;
}

void reflectors_stop(void)
{
	unsigned int i;

	for (i = 0; i < n_live; i++) {
		if (!destroy(live[i].id))
			log_info("reflector %u deleted: %s", live[i].id,
				 live[i].canon);
	}
	n_live = 0;
	if (nl_open) {
		tnl_close(&nl);
		nl_open = false;
	}
}
