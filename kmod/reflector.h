/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reflector objects (reflector.c): their configuration, sockets and
 * lifetime. Their sessions are in session.h.
 */
#ifndef _TWAMP_REFLECTOR_H
#define _TWAMP_REFLECTOR_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "stats.h"

struct mem_cgroup;
struct netlink_ext_ack;
struct socket;
struct twamp_net;
struct twamp_rate_bucket;

struct twamp_prefix {
	sa_family_t family;
	u8 len;
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

#define TWAMP_MAX_ALLOW		64

/**
 * struct twamp_reflector - a listening TWAMP Light or STAMP endpoint
 *
 * Everything but @counters and @buckets is set before the sockets start
 * receiving and never changes, so the data path reads it without locks.
 * The object is found from a socket's sk_user_data under RCU and freed
 * after a grace period.
 */
struct twamp_reflector {
	struct rcu_head rcu;
	struct twamp_net *tn;
	u32 id;
	int ifindex;
	sa_family_t family;		/* AF_UNSPEC: dual-stack wildcard */
	union {
		__be32 local4;
		struct in6_addr local6;
	};
	u16 port;
	u8 format;
	u8 ts_format;
	bool stateful;
	bool sessions_only;
	s16 dscp;			/* -1: keep the received DSCP */
	u32 rate_limit;
	u32 hash_seed;
	unsigned int n_allow;
	struct twamp_prefix *allow;
	struct twamp_rate_bucket *buckets;
	struct socket *sock4;
	struct socket *sock6;
	struct twamp_pcpu_counters __percpu *counters;

	u32 max_dynamic;		/* stateful sessions at once */
	u32 max_per_source;		/* stateful sessions per source */
	u32 dynamic_refwait_ms;		/* their REFWAIT */
	struct mem_cgroup *memcg;	/* charged for stateful sessions */

	/*
	 * protects the session table, list and count, @dead, the stateful
	 * sessions' LRU list, the source table and the table's statistics;
	 * taken in softirq, so _bh elsewhere
	 */
	spinlock_t sessions_lock;
	struct hlist_head *session_hash;
	struct list_head sessions;	/* in creation order, for dumps */
	unsigned int n_sessions;
	bool dead;			/* deleted: no sessions may be added */
	u32 bind_portid;		/* 0: not bound to a netlink socket */
	struct list_head dynamic;	/* stateful ones, least recently heard first */
	unsigned int n_dynamic;
	struct hlist_head *source_hash;	/* stateful reflectors only */
	u64 dyn_created, dyn_evicted, dyn_expired;
};

struct twamp_reflector *twamp_reflector_alloc(void);
void twamp_reflector_free(struct twamp_reflector *r);
int twamp_reflector_start(struct twamp_net *tn, struct twamp_reflector *r,
			  struct netlink_ext_ack *extack);
void twamp_reflector_del(struct twamp_reflector *r);
void twamp_reflectors_flush(struct twamp_net *tn);
void twamp_reflectors_unbind(struct twamp_net *tn, u32 portid);

#endif /* _TWAMP_REFLECTOR_H */
