/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every file of twamp.ko shares: the per-namespace state, whose
 * mutex orders all configuration, and the bound on a test packet's
 * payload. Each concern has its own header: reflector.h, session.h,
 * stats.h (counters), xmit.h, clock.h, crypto.h, limits.h, results.h and
 * nl.h.
 */
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

#include <linux/twamp.h>

/*
 * The sender's declarations below are still here, and sender.c and
 * nl_sender.c include this header alone: it includes for them the
 * headers they took their declarations from, until they include them
 * themselves.
 */
#include "clock.h"
#include "crypto.h"
#include "limits.h"
#include "xmit.h"

/*
 * Bounds that the generated policies (netlink-gen.c) check, so named in
 * the spec as constants of this header: a test packet's UDP payload in
 * either direction, a reflector's sessions, a stateful session's REFWAIT.
 */
#define TWAMP_MAX_PAYLOAD	9000
#define TWAMP_MAX_SESSIONS	65536	/* per reflector */
#define TWAMP_MIN_DYNAMIC_REFWAIT_MS	100
#define TWAMP_MAX_DYNAMIC_REFWAIT_MS	(3600 * MSEC_PER_SEC)

/*
 * The encap_type of the module's kernel UDP sockets (reflectors' and
 * senders'). Any value but 0 makes the UDP receive path hand each datagram
 * to the socket's encap_rcv; the named UDP_ENCAP_* values are those of
 * protocols that other code recognises by it (ESP, L2TP, GTP, RxRPC), and
 * TWAMP is none of them. 1 is the value of the tunnels without a name of
 * their own: vxlan, geneve, fou, bareudp.
 */
#define TWAMP_UDP_ENCAP	1

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
 * @sessions: every reflector's sessions, by ID; written under the
 *       reflector's sessions_lock, read by netlink under @lock
 * @next_session_id: cursor for cyclic ID allocation, under the lock of
 *       @sessions
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
	struct xarray sessions;
	u32 next_session_id;
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

/*
 * Log-linear histogram of nanosecond values: exact below 2^7, then 128
 * sub-buckets per power of two, so a bucket's width is at most 1/128 of
 * its lower bound and its midpoint is within 0.4% of any value in it.
 */
#define TWAMP_HIST_SUB_BITS	7
#define TWAMP_HIST_MAX_EXP	40	/* 2^41 ns, about 36 minutes */
#define TWAMP_HIST_BUCKETS \
	((TWAMP_HIST_MAX_EXP - TWAMP_HIST_SUB_BITS + 2) << TWAMP_HIST_SUB_BITS)

unsigned int twamp_hist_bucket(u64 v);
u64 twamp_hist_value(unsigned int bucket);

#define TWAMP_SENDER_MAX_SLOTS	32768
/* Slots a sender starts with; the table grows when half of them are in use. */
#define TWAMP_SENDER_INIT_SLOTS	1024
/* Overdue deadlines a late timer still sends, back to back, per expiry. */
#define TWAMP_SENDER_BURST	16
/* Poisson gaps drawn per expiry to skip the deadlines beyond the burst. */
#define TWAMP_SENDER_SKIP_DRAWS	256
/* How far ahead of CLOCK_REALTIME a start time may be: 366 days. */
#define TWAMP_SENDER_MAX_AHEAD	(366ULL * 24 * 3600 * NSEC_PER_SEC)
#define TWAMP_REORDER_HISTORY	256

/* One sent packet, until its reply or its WAIT. */
struct twamp_slot {
	u64 t1;				/* ns, CLOCK_REALTIME; 0: unused */
	s64 rtt;
	u32 seq;
	bool received;
	bool lost;			/* no reply within WAIT: counted */
};

/* Running aggregates of a sender; integer nanoseconds throughout. */
struct twamp_stats {
	u64 sent, received, lost, duplicates, reordered, reorder_extent_max;
	u64 late_sends, late_max, results_dropped, auth_failed;
	u64 skipped;			/* deadlines passed without a send */
	s64 rtt_min, rtt_max, rtt_sum;
	u64 rtt_sumsq_hi, rtt_sumsq_lo;	/* sum of rtt^2: 128 bits in two */
	u64 ipdv_n, ipdv_abs_sum, ipdv_abs_max;
	u64 jitter_fwd, jitter_bwd, jitter_rtt;	/* scaled by 16 (RFC 3550) */
	s64 res_min, res_max, res_sum;
	s64 owd_fwd_sum, owd_bwd_sum;
	u64 owd_n;
	u32 next_exp;				/* RFC 4737 NextExp */
	u32 refl_seq_max;
	bool refl_stateful;
	bool have_prev;
	ktime_t prev_t1, prev_t2, prev_t3, prev_t4;
	u32 arrivals[TWAMP_REORDER_HISTORY];	/* recent sequence numbers */
	u64 n_arrivals;
};

/**
 * struct twamp_sender - a kernel Session-Sender
 *
 * The configuration is fixed at creation. An hrtimer in softirq sends
 * each packet at its absolute deadline; replies come back through the
 * socket's encapsulation hook. Both take @lock, which protects everything
 * after it.
 */
struct twamp_sender {
	struct rcu_head rcu;
	struct twamp_net *tn;
	u32 id;
	sa_family_t family;
	union {
		__be32 local4;
		struct in6_addr local6;
	};
	union {
		__be32 remote4;
		struct in6_addr remote6;
	};
	bool has_local;
	__be16 local_port;
	__be16 remote_port;
	int ifindex;
	u8 format;
	u8 ts_format;
	u8 dscp;
	u8 ttl;
	u8 schedule;
	u16 ssid;
	u32 padding;
	u32 count;
	u64 duration;
	u64 interval;
	u64 seed;
	u64 start_time;
	u64 wait;
	u32 bind_portid;
	u32 capped_pps;			/* counted against max_sender_pps */
	u8 sid[16];
	bool has_sid;
	struct twamp_crypto *crypto;	/* NULL: unauthenticated */
	struct socket *sock;
	struct dst_cache dst_cache;
	struct twamp_stats_snapshot *done_snap;	/* for SENDER_DONE_NTF */
	struct hrtimer timer;
	struct work_struct grow_work;	/* enlarges the slot table */
	struct mem_cgroup *memcg;	/* the creator's: charged for growth */
	u64 xmit_t1;			/* T1 of the packet being output */

	/* protects what follows; taken in softirq, so _bh elsewhere */
	spinlock_t lock;
	u8 state;
	ktime_t next;			/* next send deadline, CLOCK_MONOTONIC */
	ktime_t end;			/* DURATION's end, or 0 */
	ktime_t drain_end;		/* end of DRAINING */
	bool skipping;			/* Poisson: deadlines past still to skip */
	struct rnd_state rnd;
	u32 n_slots;			/* power of two */
	u32 max_slots;			/* what WAIT may need; n_slots grows to it */
	bool grow_pending;		/* grow_work queued */
	u32 expire_seq;			/* oldest packet still within WAIT */
	struct twamp_slot *slots;
	u32 *hist;			/* RTT histogram */
	struct twamp_stats st;
};

/* A copy of the statistics, with what is derived from them. */
struct twamp_stats_snapshot {
	struct twamp_stats st;
	s64 rtt_p50, rtt_p90, rtt_p99;
	u64 rtt_stddev;
	u8 state;
};

/* One per-packet record for the results group. */
struct twamp_result {
	u32 sender_id;
	u32 seq;
	u32 refl_seq;
	ktime_t t1, t2, t3, t4;
	u8 sender_ttl;
	u8 refl_ttl;
	u8 dscp;
	u32 size;
	u32 flags;
	u16 refl_err;
};

struct twamp_sender *twamp_sender_alloc(void);
void twamp_sender_free(struct twamp_sender *s);
int twamp_sender_create(struct twamp_net *tn, struct twamp_sender *s,
			struct netlink_ext_ack *extack);
int twamp_sender_start(struct twamp_sender *s, struct netlink_ext_ack *extack);
int twamp_sender_stop(struct twamp_sender *s, struct netlink_ext_ack *extack);
void twamp_sender_del(struct twamp_sender *s);
void twamp_senders_flush(struct twamp_net *tn);
void twamp_senders_unbind(struct twamp_net *tn, u32 portid);
void twamp_sender_snapshot(struct twamp_sender *s,
			   struct twamp_stats_snapshot *snap);
void twamp_stats_reply(struct twamp_sender *s, struct twamp_slot *slot,
		       struct twamp_result *res, bool synced);

extern unsigned int twamp_net_id;

static inline struct twamp_net *twamp_pernet(const struct net *net)
{
	return net_generic(net, twamp_net_id);
}

#endif /* _TWAMP_H */
