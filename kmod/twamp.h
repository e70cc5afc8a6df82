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

extern unsigned int twamp_net_id;

static inline struct twamp_net *twamp_pernet(const struct net *net)
{
	return net_generic(net, twamp_net_id);
}

#endif /* _TWAMP_H */
