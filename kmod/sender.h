/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel Session-Sender: the object, its slot table and statistics,
 * and what its three files share. sender.c owns the object's lifetime,
 * sender_tx.c its schedule and transmit path, sender_rx.c what comes
 * back; stats.c keeps the statistics and results.h reports them.
 */
#ifndef _TWAMP_SENDER_H
#define _TWAMP_SENDER_H

#include <linux/hrtimer.h>
#include <linux/in6.h>
#include <linux/ktime.h>
#include <linux/prandom.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>

#include <linux/twamp.h>
#include <linux/twamp_packet.h>

struct mem_cgroup;
struct netlink_ext_ack;
struct socket;
struct twamp_crypto;
struct twamp_net;
struct udp_tunnel_sock_cfg;

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

/*
 * Why a datagram on the sender's socket was not taken as a reply, in the
 * order of TWAMP_A_STATS_REPLIES_* (auth_failed is counted on its own).
 */
enum twamp_bad_reply {
	TWAMP_BAD_NONE,
	TWAMP_BAD_SHORT,		/* shorter than the reply header */
	TWAMP_BAD_INVALID,		/* Error Estimate multiplier 0 */
	TWAMP_BAD_SSID,			/* another non-zero SSID */
	TWAMP_BAD_UNKNOWN_SEQ,		/* a sequence number never sent */
	TWAMP_BAD_LATE,			/* its packet already counted lost */
	TWAMP_BAD_FOREIGN,		/* not from the reflector's address and port */
	TWAMP_BAD_AUTH,			/* failed the HMAC: st.auth_failed */
	__TWAMP_BAD_MAX
};

/* Running aggregates of a sender; integer nanoseconds throughout. */
struct twamp_stats {
	u64 sent, received, lost, duplicates, reordered, reorder_extent_max;
	u64 late_sends, late_max, results_dropped, auth_failed;
	u64 skipped;			/* deadlines passed without a send */
	u64 icmp_errors;		/* packets answered by an ICMP error */
	/* replies dropped, by reason (enum twamp_bad_reply) */
	u64 bad[__TWAMP_BAD_MAX];
	u32 short_min;			/* shortest short reply, octets */
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
	/* with TWAMP_RESULT_ICMP_ERROR */
	u8 icmp_type;
	u8 icmp_code;
	u32 icmp_info;
	union {
		__be32 icmp_from4;
		struct in6_addr icmp_from6;
	};
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

/* Between sender.c, sender_tx.c and sender_rx.c */
enum hrtimer_restart twamp_sender_timer(struct hrtimer *timer);
void twamp_sender_drain(struct twamp_sender *s, ktime_t now);
void twamp_sender_rx_hooks(struct udp_tunnel_sock_cfg *cfg);

static inline unsigned int twamp_sender_header_len(const struct twamp_sender *s)
{
	if (s->crypto)
		return TWAMP_SENDER_AUTH_SIZE;
	return s->format == TWAMP_FORMAT_STAMP ? STAMP_BASE_SIZE :
						 TWAMP_SENDER_SIZE;
}

static inline unsigned int twamp_sender_len(const struct twamp_sender *s)
{
	return twamp_sender_header_len(s) + s->padding;
}

/* The octets a reply must have: its format's reflector header. */
static inline unsigned int twamp_sender_reply_len(const struct twamp_sender *s)
{
	if (s->crypto)
		return TWAMP_REFLECTOR_AUTH_SIZE;
	return s->format == TWAMP_FORMAT_STAMP ? STAMP_BASE_SIZE :
						 TWAMP_REFLECTOR_SIZE;
}

#endif /* _TWAMP_SENDER_H */
