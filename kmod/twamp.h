/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TWAMP_H
#define _TWAMP_H

#include <linux/in6.h>
#include <linux/ktime.h>
#include <linux/netlink.h>
#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/dst_cache.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <crypto/aes.h>

#include <linux/twamp.h>

struct crypto_shash;
struct twamp_sender;

/**
 * struct twamp_crypto - keys of an authenticated or encrypted test session
 * @mode: TWAMP_SECURITY_AUTH or TWAMP_SECURITY_ENCRYPT
 * @aes: AES-128 key schedules, encryption and decryption
 * @hmac: HMAC-SHA1 transform with its key set, shared by every CPU
 *
 * Set up once in process context and read-only afterwards, so the data
 * path uses it without locks or allocations. Wiped when freed.
 */
struct twamp_crypto {
	u8 mode;
	struct crypto_aes_ctx aes;
	struct crypto_shash *hmac;
};

struct twamp_crypto *twamp_crypto_new(u8 mode, const u8 *aes_key,
				      const u8 *hmac_key);
void twamp_crypto_free(struct twamp_crypto *c);
int twamp_crypto_seal(const struct twamp_crypto *c, u8 *pl, bool reply);
bool twamp_crypto_open(const struct twamp_crypto *c, u8 *pl, bool reply);

/* Clock state assumed until userspace says otherwise: unsynchronized. */
#define TWAMP_CLOCK_DEFAULT_ERROR_NS	(10 * NSEC_PER_MSEC)

/**
 * struct twamp_net - per network namespace state
 * @net: the namespace
 * @lock: serialises configuration changes in this namespace
 * @reflectors: reflectors by ID; writers hold @lock, readers use RCU
 * @next_reflector_id: cursor for cyclic ID allocation
 * @gen: bumped on every change of the reflector or sender set; written
 *       only under @lock
 * @sessions_gen: bumped on every change of a session table, see
 *       twamp_dump_gen()
 * @next_session_id: session IDs, unique in the namespace
 * @gc_work: expires idle sessions (REFWAIT) while there are sessions
 * @senders: senders by ID; writers hold @lock, readers use RCU
 * @next_sender_id: cursor for cyclic ID allocation
 * @n_sessions: reflector sessions in the namespace, for max_sessions
 * @clock_synced: clock synchronized to UTC by an external source
 * @clock_error_ns: bound on the clock error, in nanoseconds
 * @error_estimate: RFC 4656 encoding of the two above, read locklessly
 *                  by the data path
 */
struct twamp_net {
	struct net *net;
	/* serialises configuration changes in this namespace */
	struct mutex lock;
	struct xarray reflectors;
	u32 next_reflector_id;
	unsigned int gen;
	atomic_t sessions_gen;
	atomic_t next_session_id;
	struct delayed_work gc_work;
	struct xarray senders;
	u32 next_sender_id;
	atomic_t n_sessions;
	bool clock_synced;
	u64 clock_error_ns;
	u16 error_estimate;
};

/**
 * twamp_dump_gen() - generation of the object set, for dump consistency
 * @tn: namespace state; caller holds @tn->lock
 *
 * @tn->gen has one writer lock, @tn->lock. Session tables also change in
 * softirq (a stateful reflector adds a session for a new sender), under
 * a reflector's sessions_lock and without @tn->lock: those changes bump
 * @tn->sessions_gen, an atomic, so that no counter has writers under two
 * different locks. Both only grow, so their sum changes whenever either
 * does (barring an exact 2^32 wrap between two reads of one dump).
 *
 * Return: the value to put in a dump's cb->seq.
 */
static inline unsigned int twamp_dump_gen(struct twamp_net *tn)
{
	lockdep_assert_held(&tn->lock);
	return tn->gen + (unsigned int)atomic_read(&tn->sessions_gen);
}

/* Counters, in the order of enum twamp_a_counters from TWAMP_A_COUNTERS_RX. */
enum twamp_counter {
	TWAMP_CNT_RX,
	TWAMP_CNT_TX,
	TWAMP_CNT_DROP_SHORT,
	TWAMP_CNT_DROP_LENGTH,
	TWAMP_CNT_DROP_ACL,
	TWAMP_CNT_DROP_RATE,
	TWAMP_CNT_DROP_NO_SESSION,
	TWAMP_CNT_DROP_CSUM,
	TWAMP_CNT_DROP_AUTH,
	TWAMP_CNT_DROP_INVALID,
	TWAMP_CNT_DROP_NOMEM,
	TWAMP_CNT_DROP_XMIT,
	TWAMP_CNT_DROP_REPLAY,
	TWAMP_CNT_DROP_SOURCE_LIMIT,
	__TWAMP_CNT_MAX
};

struct twamp_pcpu_counters {
	u64_stats_t c[__TWAMP_CNT_MAX];
	struct u64_stats_sync syncp;
};

/* Called in softirq, where the CPU cannot change under us. */
static inline void twamp_count(struct twamp_pcpu_counters __percpu *pc,
			       enum twamp_counter c)
{
	struct twamp_pcpu_counters *p = this_cpu_ptr(pc);

	u64_stats_update_begin(&p->syncp);
	u64_stats_inc(&p->c[c]);
	u64_stats_update_end(&p->syncp);
}

void twamp_counters_sum(struct twamp_pcpu_counters __percpu *pc,
			u64 sum[__TWAMP_CNT_MAX]);

struct twamp_prefix {
	sa_family_t family;
	u8 len;
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

/* Token bucket of one hash slot of source addresses. */
struct twamp_rate_bucket {
	/* protects the two fields below */
	spinlock_t lock;
	u64 last_ns;
	u64 credit;
};

#define TWAMP_RATE_BUCKETS	256
#define TWAMP_MAX_ALLOW		64
#define TWAMP_MAX_PAYLOAD	9000

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

#define TWAMP_SESSION_HASH_BITS	10
#define TWAMP_SOURCE_HASH_BITS	8
#define TWAMP_MAX_SESSIONS	65536	/* per reflector */
#define TWAMP_DEFAULT_REFWAIT_MS	(900 * MSEC_PER_SEC)
/* Stateful (dynamic) sessions: defaults of the reflector's limits. */
#define TWAMP_DEFAULT_MAX_DYNAMIC	4096
#define TWAMP_DEFAULT_MAX_PER_SOURCE	64
#define TWAMP_DEFAULT_DYNAMIC_REFWAIT_MS	(60 * MSEC_PER_SEC)
#define TWAMP_MIN_DYNAMIC_REFWAIT_MS	100
#define TWAMP_MAX_DYNAMIC_REFWAIT_MS	(3600 * MSEC_PER_SEC)

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
struct twamp_session *twamp_session_find_id(struct twamp_net *tn, u32 id);
struct twamp_session *twamp_session_dynamic(struct twamp_reflector *r,
					    const struct twamp_session_key *key,
					    enum twamp_counter *why);
void twamp_sessions_flush(struct twamp_reflector *r);
void twamp_sessions_unbind(struct twamp_net *tn, u32 portid);
void twamp_session_gc_work(struct work_struct *work);

struct twamp_reflector *twamp_reflector_alloc(void);
int twamp_reflector_set_stateful(struct twamp_reflector *r);
void twamp_reflector_free(struct twamp_reflector *r);
int twamp_reflector_start(struct twamp_net *tn, struct twamp_reflector *r,
			  struct netlink_ext_ack *extack);
void twamp_reflector_del(struct twamp_reflector *r);
void twamp_reflectors_flush(struct twamp_net *tn);
void twamp_reflectors_unbind(struct twamp_net *tn, u32 portid);
int twamp_reflector_rcv(struct sock *sk, struct sk_buff *skb);

/* Timestamps */
void twamp_put_timestamp(void *p, ktime_t t, u8 ts_format);

/**
 * struct twamp_xmit - a test packet between its headers and its timestamp
 * @skb: the packet, data at the IP header
 * @sk: the socket it is sent for
 * @net: its namespace
 * @direct: no netfilter hook to run: straight to the neighbour layer
 * @plain: its route needs nothing of IP output but hooks and neighbour
 * @ts: set by the caller: the timestamp to write again right before the
 *      link layer, NULL if it must not be (a sealed packet)
 * @ts_format: TWAMP_TS_NTP or TWAMP_TS_PTP, for @ts
 * @t_ns: set by the caller: where the time written to @ts goes, or NULL
 */
struct twamp_xmit {
	struct sk_buff *skb;
	struct sock *sk;
	struct net *net;
	bool direct;
	bool plain;
	u8 *ts;
	u8 ts_format;
	u64 *t_ns;
};

struct rtable;
struct dst_entry;
void twamp_xmit_prepare4(struct twamp_xmit *x, struct sock *sk,
			 struct sk_buff *skb, struct rtable *rt,
			 __be32 saddr, __be32 daddr, u8 tos, u8 ttl,
			 __be16 sport, __be16 dport);
void twamp_xmit_prepare6(struct twamp_xmit *x, struct sock *sk,
			 struct sk_buff *skb, struct dst_entry *dst,
			 const struct in6_addr *saddr,
			 const struct in6_addr *daddr, u8 tclass, u8 hlim,
			 __be16 sport, __be16 dport);
int twamp_xmit(struct twamp_xmit *x);
ktime_t twamp_get_timestamp(const void *p, u8 ts_format);
ktime_t twamp_rx_time(struct sk_buff *skb);

extern unsigned int twamp_net_id;

static inline struct twamp_net *twamp_pernet(const struct net *net)
{
	return net_generic(net, twamp_net_id);
}

u16 twamp_error_estimate(u64 error_ns, bool synced);
void twamp_clock_init(struct twamp_net *tn);
void twamp_clock_set(struct twamp_net *tn, bool synced, u64 error_ns);

/* Per-namespace limits (limits.c); callers hold tn->lock but where noted. */
int twamp_limits_object(struct twamp_net *tn, struct netlink_ext_ack *extack);
int twamp_limits_sender(struct twamp_net *tn, struct twamp_sender *s,
			const struct sk_buff *skb,
			struct netlink_ext_ack *extack);
bool twamp_limits_session_get(struct twamp_net *tn);	/* any context */
void twamp_limits_session_put(struct twamp_net *tn);	/* any context */
void twamp_limits_session_msg(struct netlink_ext_ack *extack);
int twamp_limits_fill(struct sk_buff *msg, struct twamp_net *tn,
		      const struct sk_buff *skb);	/* takes tn->lock */

int twamp_nl_register(void);
void twamp_nl_unregister(void);

#endif /* _TWAMP_H */
