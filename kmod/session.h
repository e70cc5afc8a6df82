/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test sessions of a reflector (session.c): programmed over netlink or
 * made in softirq by a stateful reflector, their table, replay windows
 * and REFWAIT.
 */
#ifndef _TWAMP_SESSION_H
#define _TWAMP_SESSION_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <net/dst_cache.h>

#include "stats.h"

struct twamp_crypto;
struct twamp_net;
struct twamp_reflector;
struct work_struct;

#define TWAMP_SESSION_HASH_BITS	10
#define TWAMP_SOURCE_HASH_BITS	8
#define TWAMP_DEFAULT_REFWAIT_MS	(900 * MSEC_PER_SEC)
/* Stateful (dynamic) sessions: defaults of the reflector's limits. */
#define TWAMP_DEFAULT_MAX_DYNAMIC	4096
#define TWAMP_DEFAULT_MAX_PER_SOURCE	64
#define TWAMP_DEFAULT_DYNAMIC_REFWAIT_MS	(60 * MSEC_PER_SEC)

/*
 * Stateful sessions of one source, to enforce the per-source cap: an IPv4
 * address, or an IPv6 /64 (one host can take a whole /64 for itself).
 * Only touched under the reflector's sessions_lock.
 */
struct twamp_source {
	struct hlist_node hnode;
	sa_family_t family;
	union {
		__be32 v4;
		u64 v6_64;		/* the first 64 bits, network order */
	};
	unsigned int count;
};

/*
 * Anti-replay window on the Sender Sequence Number of an authenticated or
 * encrypted session (RFC 4303 3.4.3): @top is the highest number accepted
 * and bit (n % TWAMP_REPLAY_WINDOW) of @bits says whether n was, for the
 * TWAMP_REPLAY_WINDOW numbers up to @top.
 */
#define TWAMP_REPLAY_WINDOW	256
struct twamp_replay {
	/* protects the fields below; taken in softirq only */
	spinlock_t lock;
	bool started;
	u32 top;
	DECLARE_BITMAP(bits, TWAMP_REPLAY_WINDOW);
};

bool twamp_replay_check(struct twamp_replay *rp, u32 seq);

/* What identifies a session: the sender's address and port, and the SSID. */
struct twamp_session_key {
	sa_family_t family;
	__be16 port;
	u16 ssid;
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

/**
 * struct twamp_session - a negotiated or stateful test session
 *
 * Lives in its reflector's table, found by the data path under RCU and
 * freed after a grace period. Configuration is fixed at creation; @seq,
 * @last_rx, the counters and @replay change in the data path.
 *
 * A programmed session counts per CPU. A stateful (@dynamic) one is made
 * by any packet from the network, so its memory must not grow with the
 * number of CPUs: it counts in @dcounters, atomics that one sender's flow
 * (steered to one CPU by RSS) rarely shares, and has no route cache.
 */
struct twamp_session {
	struct hlist_node hnode;
	struct list_head node;
	struct rcu_head rcu;
	refcount_t ref;			/* the tables' one, netlink ops' */
	bool unlinked;			/* out of the tables: under sessions_lock */
	struct twamp_reflector *r;
	struct twamp_session_key key;
	u32 id;
	u8 sid[16];
	bool has_sid;
	bool symmetric;
	bool dynamic;			/* made by a stateful reflector */
	s16 dscp;			/* -1: the reflector's policy */
	u32 padding;
	u16 reflect_octets;
	u16 reflect_len;
	u16 server_octets;
	u32 refwait_ms;			/* 0: never expires */
	u32 bind_portid;		/* 0: not bound to a netlink socket */
	atomic_t seq;			/* the reflector's next Sequence Number */
	unsigned long last_rx;		/* jiffies; stateful: under sessions_lock */
	struct dst_cache dst_cache;	/* the route back; none when stateful */
	struct twamp_pcpu_counters __percpu *counters;	/* programmed only */
	struct twamp_crypto *crypto;	/* NULL: unauthenticated */
	struct twamp_replay replay;	/* with @crypto */
	/* stateful only */
	struct list_head lru;		/* in r->dynamic; empty once removed */
	struct twamp_source *source;
	atomic64_t dcounters[__TWAMP_CNT_MAX];
};

/* Called in softirq. */
static inline void twamp_session_count(struct twamp_session *s,
				       enum twamp_counter c)
{
	if (s->dynamic)
		atomic64_inc(&s->dcounters[c]);
	else
		twamp_count(s->counters, c);
}

void twamp_session_counters_sum(const struct twamp_session *s,
				u64 sum[__TWAMP_CNT_MAX]);
void twamp_session_heard(struct twamp_session *s);

/* A stateful reflector's table, for netlink. */
struct twamp_dynamic_stats {
	u32 sessions;
	u64 created, evicted, expired;
};

void twamp_dynamic_stats(struct twamp_reflector *r,
			 struct twamp_dynamic_stats *st);

struct twamp_session *twamp_session_alloc(gfp_t gfp);
void twamp_session_free(struct twamp_session *s);
int twamp_session_add(struct twamp_reflector *r, struct twamp_session *s);
void twamp_session_del(struct twamp_session *s);
struct twamp_session *twamp_session_lookup(struct twamp_reflector *r,
					   const struct twamp_session_key *key);
struct twamp_session *twamp_session_get_id(struct twamp_net *tn, u32 id);
void twamp_session_put(struct twamp_session *s);
struct twamp_session *twamp_session_dynamic(struct twamp_reflector *r,
					    const struct twamp_session_key *key,
					    enum twamp_counter *why);
void twamp_sessions_init(struct twamp_net *tn);
void twamp_sessions_flush(struct twamp_reflector *r);
void twamp_sessions_unbind(struct twamp_net *tn, u32 portid);
void twamp_session_gc_work(struct work_struct *work);

#endif /* _TWAMP_SESSION_H */
