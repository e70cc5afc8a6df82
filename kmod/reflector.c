// SPDX-License-Identifier: GPL-2.0
/*
 * Reflector objects: their kernel UDP sockets and their lifetime.
 */

#include <linux/memcontrol.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>

#include "limits.h"
#include "reflector.h"
#include "rx.h"
#include "session.h"
#include "stats.h"
#include "twamp.h"

/**
 * twamp_reflector_alloc() - allocate a reflector with its counters
 *
 * Process context: everything is charged to the caller's memory cgroup,
 * which is also remembered to charge the stateful sessions that the data
 * path makes later for this reflector.
 *
 * Return: the reflector, with defaults set, or NULL.
 */
struct twamp_reflector *twamp_reflector_alloc(void)
{
	struct twamp_reflector *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	r->counters = twamp_counters_alloc(GFP_KERNEL_ACCOUNT);
	if (!r->counters) {
		kfree(r);
		return NULL;
	}
	r->session_hash = kvcalloc(1 << TWAMP_SESSION_HASH_BITS,
				   sizeof(*r->session_hash), GFP_KERNEL_ACCOUNT);
	if (!r->session_hash) {
		free_percpu(r->counters);
		kfree(r);
		return NULL;
	}
	spin_lock_init(&r->sessions_lock);
	INIT_LIST_HEAD(&r->sessions);
	INIT_LIST_HEAD(&r->dynamic);
	r->memcg = get_mem_cgroup_from_mm(current->mm);
	r->max_dynamic = TWAMP_DEFAULT_MAX_DYNAMIC;
	r->max_per_source = TWAMP_DEFAULT_MAX_PER_SOURCE;
	r->dynamic_refwait_ms = TWAMP_DEFAULT_DYNAMIC_REFWAIT_MS;

	r->family = AF_UNSPEC;
	r->port = TWAMP_DEFAULT_PORT;
	r->format = TWAMP_FORMAT_LIGHT;
	r->ts_format = TWAMP_TS_NTP;
	r->dscp = -1;
	r->hash_seed = get_random_u32();
	return r;
}

/**
 * twamp_reflector_free() - free a reflector that has no sockets
 * @r: the reflector
 */
void twamp_reflector_free(struct twamp_reflector *r)
{
	mem_cgroup_put(r->memcg);
	kfree(r->source_hash);
	kvfree(r->session_hash);
	free_percpu(r->counters);
	kfree(r->buckets);
	kfree(r->allow);
	kfree(r);
}

static void twamp_reflector_free_rcu(struct rcu_head *head)
{
	twamp_reflector_free(container_of(head, struct twamp_reflector, rcu));
}

static int twamp_reflector_sock(struct twamp_net *tn, struct twamp_reflector *r,
				sa_family_t family, struct socket **sockp)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= r,
		.encap_type	= TWAMP_UDP_ENCAP,
		.encap_rcv	= twamp_reflector_rcv,
	};
	struct udp_port_cfg cfg = {
		.family		= family,
		.local_udp_port	= htons(r->port),
		.bind_ifindex	= r->ifindex,
		.ipv6_v6only	= 1,
		/* UDP over IPv6 needs a checksum (RFC 8200 8.1) */
		.use_udp6_rx_checksums = 1,
		.use_udp6_tx_checksums = 1,
	};
	struct socket *sock;
	int err;

	if (family == AF_INET && r->family == AF_INET)
		cfg.local_ip.s_addr = r->local4;
	else if (family == AF_INET6 && r->family == AF_INET6)
		cfg.local_ip6 = r->local6;

	err = udp_sock_create(tn->net, &cfg, &sock);
	if (err)
		return err;

	/*
	 * Datagrams the encap hook passes back would queue here, unread;
	 * keep that queue as small as the stack allows.
	 */
	sock->sk->sk_rcvbuf = SOCK_MIN_RCVBUF;
	setup_udp_tunnel_sock(tn->net, sock, &tcfg);
	*sockp = sock;
	return 0;
}

/**
 * twamp_reflector_start() - set up, open the sockets and publish a reflector
 * @tn: namespace state; caller holds @tn->lock
 * @r: fully configured reflector
 *
 * Allocates what the configuration asks for (a stateful reflector's
 * source table, the buckets of a rate limit), opens the sockets, and
 * gives the reflector its ID.
 * @extack: for the reason of a failure
 *
 * Return: 0, or a negative errno with @r untouched by the namespace.
 */
int twamp_reflector_start(struct twamp_net *tn, struct twamp_reflector *r,
			  struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&tn->lock);

	/* What its configuration needs, before a packet can arrive */
	if (r->stateful) {
		r->source_hash = kcalloc(1 << TWAMP_SOURCE_HASH_BITS,
					 sizeof(*r->source_hash),
					 GFP_KERNEL_ACCOUNT);
		if (!r->source_hash)
			return -ENOMEM;
	}
	if (r->rate_limit) {
		r->buckets = twamp_rate_alloc(r->rate_limit);
		if (!r->buckets)
			return -ENOMEM;
	}

	r->tn = tn;
	if (r->family != AF_INET6) {
		err = twamp_reflector_sock(tn, r, AF_INET, &r->sock4);
		if (err)
			goto err_sock;
	}
	if (r->family != AF_INET) {
		err = twamp_reflector_sock(tn, r, AF_INET6, &r->sock6);
		/* A wildcard still serves IPv4 where IPv6 is unavailable. */
		if (err == -EAFNOSUPPORT && r->family == AF_UNSPEC)
			err = 0;
		if (err)
			goto err_sock;
	}

	/* Only a reflector that could open its sockets takes an ID. */
	err = xa_alloc_cyclic(&tn->reflectors, &r->id, r, xa_limit_32b,
			      &tn->next_reflector_id, GFP_KERNEL);
	if (err < 0) {
		NL_SET_ERR_MSG(extack, "no reflector ID available");
		goto err_release;
	}

	/* receive timestamps are on while the module is loaded (main.c) */
	return 0;

err_sock:
	if (err == -EADDRINUSE)
		NL_SET_ERR_MSG(extack, "address and port already in use");
	else if (err == -EADDRNOTAVAIL)
		NL_SET_ERR_MSG(extack, "local address not configured here");
	else
		NL_SET_ERR_MSG(extack, "cannot open the reflector socket");
err_release:
	if (r->sock4)
		udp_tunnel_sock_release(r->sock4);
	if (r->sock6)
		udp_tunnel_sock_release(r->sock6);
	r->sock4 = NULL;
	r->sock6 = NULL;
	/*
	 * A packet may have reached the sockets meanwhile, and made a
	 * session: the caller frees @r only after a grace period.
	 */
	twamp_sessions_flush(r);
	synchronize_rcu();
	return err;
}

/**
 * twamp_reflector_del() - unpublish a reflector and free it after RCU
 * @r: the reflector; caller holds its namespace's lock
 */
void twamp_reflector_del(struct twamp_reflector *r)
{
	lockdep_assert_held(&r->tn->lock);

	xa_erase(&r->tn->reflectors, r->id);
	/* Clears sk_user_data: receivers from now on find no reflector. */
	if (r->sock4)
		udp_tunnel_sock_release(r->sock4);
	if (r->sock6)
		udp_tunnel_sock_release(r->sock6);
	twamp_sessions_flush(r);
	call_rcu(&r->rcu, twamp_reflector_free_rcu);
}

/**
 * twamp_reflectors_flush() - delete every reflector of a namespace
 * @tn: namespace state; caller holds @tn->lock
 */
void twamp_reflectors_flush(struct twamp_net *tn)
{
	struct twamp_reflector *r;
	unsigned long id;

	xa_for_each(&tn->reflectors, id, r)
		twamp_reflector_del(r);
}

/**
 * twamp_reflectors_unbind() - delete the reflectors a netlink socket owned
 * @tn: namespace state; caller holds @tn->lock
 * @portid: the socket that closed
 */
void twamp_reflectors_unbind(struct twamp_net *tn, u32 portid)
{
	struct twamp_reflector *r;
	unsigned long id;
	bool changed = false;

	xa_for_each(&tn->reflectors, id, r) {
		if (r->bind_portid == portid) {
			twamp_reflector_del(r);
			changed = true;
		}
	}
	if (changed)
		tn->gen++;
}
