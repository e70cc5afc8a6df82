// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace limits.
 *
 * Creating reflectors, sessions and senders needs CAP_NET_ADMIN only in
 * the user namespace that owns the network namespace, so any user who can
 * run "unshare -Urn" may create them. What such a user must not do is take
 * more than a fair share of the host: kernel memory (every allocation is
 * also charged to the creator's memory cgroup, which is the real bound) and
 * softirq time on the CPUs that run its senders' timers. The limits below
 * bound both per namespace, whoever the caller is; the sender rate applies
 * only to senders whose creator lacks CAP_NET_ADMIN in the initial user
 * namespace, since the host's administrator may load a CPU as they wish.
 *
 * The limits are module parameters, so only the administrator of the
 * initial namespace can change them (the files under
 * /sys/module/twamp/parameters/ are not writable from a user namespace).
 * A changed limit applies to the next creation; existing objects stay.
 * See docs/security.md.
 *
 * A reflector's own RATE_LIMIT, packets per second from one source, is
 * here too: its token buckets, set up when the reflector starts and
 * checked in softirq for every request.
 */

#include <linux/capability.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>

#include "limits.h"
#include "sender.h"
#include "twamp.h"

static unsigned int max_objects = 1024;
module_param(max_objects, uint, 0644);
MODULE_PARM_DESC(max_objects,
		 "Reflectors and senders per network namespace (default 1024)");

static unsigned int max_sessions = 65536;
module_param(max_sessions, uint, 0644);
MODULE_PARM_DESC(max_sessions,
		 "Reflector sessions, programmed and stateful, per network namespace (default 65536)");

static unsigned int max_sender_pps = 10000;
module_param(max_sender_pps, uint, 0644);
MODULE_PARM_DESC(max_sender_pps,
		 "Packets per second of all senders of a network namespace created without CAP_NET_ADMIN in the initial user namespace (default 10000)");

/*
 * A refusal names the limit, its value and where to raise it. Only
 * NL_SET_ERR_MSG_FMT (Linux 6.2) can put the value in the message, in at
 * most 80 characters; before it, INFO_GET ("twamp-ctl version") reports it.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define TWAMP_LIMIT_MSG(extack, name, val, what)			\
	NL_SET_ERR_MSG_FMT(extack, "limit " name "=%u reached, see "	\
			   "/sys/module/twamp/parameters/", val)
#else
#define TWAMP_LIMIT_MSG(extack, name, val, what)			\
	NL_SET_ERR_MSG(extack, "limit " name " reached (" what "): "	\
		       "twamp-ctl version shows it, raise it in "		\
		       "/sys/module/twamp/parameters/")
#endif

/* Caller holds tn->lock. */
static unsigned int twamp_limits_objects(struct twamp_net *tn)
{
	struct twamp_reflector *r;
	struct twamp_sender *s;
	unsigned long id;
	unsigned int n = 0;

	xa_for_each(&tn->reflectors, id, r)
		n++;
	xa_for_each(&tn->senders, id, s)
		n++;
	return n;
}

/* Caller holds tn->lock. */
static u64 twamp_limits_sender_pps(struct twamp_net *tn)
{
	struct twamp_sender *s;
	unsigned long id;
	u64 pps = 0;

	xa_for_each(&tn->senders, id, s)
		pps += s->capped_pps;
	return pps;
}

/**
 * twamp_limits_object() - may one more reflector or sender be created?
 * @tn: the namespace; the caller holds tn->lock until the object is in it
 * @extack: where to say which limit refused it
 *
 * Return: 0 or -ENOSPC.
 */
int twamp_limits_object(struct twamp_net *tn, struct netlink_ext_ack *extack)
{
	unsigned int max = READ_ONCE(max_objects);

	lockdep_assert_held(&tn->lock);
	if (twamp_limits_objects(tn) < max)
		return 0;
	TWAMP_LIMIT_MSG(extack, "max_objects", max,
			"reflectors and senders in this namespace");
	return -ENOSPC;
}

/**
 * twamp_limits_sender() - charge a new sender's rate to its namespace
 * @tn: the namespace; the caller holds tn->lock until the sender is in it
 * @s: the new sender, its schedule parsed
 * @skb: the request, for the credentials of its sender
 * @extack: where to say which limit refused it
 *
 * A sender created with CAP_NET_ADMIN in the initial user namespace is
 * not counted. Any other sets @s->capped_pps to its mean packet rate,
 * counted against max_sender_pps until it is deleted.
 *
 * Return: 0 or -ENOSPC.
 */
int twamp_limits_sender(struct twamp_net *tn, struct twamp_sender *s,
			const struct sk_buff *skb,
			struct netlink_ext_ack *extack)
{
	unsigned int max = READ_ONCE(max_sender_pps);
	u64 pps;

	lockdep_assert_held(&tn->lock);
	s->capped_pps = 0;
	if (netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	/* The mean rate: a Poisson schedule's mean interval is INTERVAL. */
	pps = div64_u64(NSEC_PER_SEC + s->interval - 1, s->interval);
	if (twamp_limits_sender_pps(tn) + pps > max) {
		TWAMP_LIMIT_MSG(extack, "max_sender_pps", max,
				"packets/s of the senders of this namespace, without CAP_NET_ADMIN in the initial user namespace");
		return -ENOSPC;
	}
	s->capped_pps = pps;
	return 0;
}

/**
 * twamp_limits_session_get() - take one session of the namespace's quota
 * @tn: the namespace
 *
 * Callable in softirq. Pair with twamp_limits_session_put().
 *
 * Return: true if the session may be created.
 */
bool twamp_limits_session_get(struct twamp_net *tn)
{
	int max = min_t(unsigned int, READ_ONCE(max_sessions), INT_MAX);
	int n = atomic_read(&tn->n_sessions);

	do {
		if (n >= max)
			return false;
	} while (!atomic_try_cmpxchg(&tn->n_sessions, &n, n + 1));
	return true;
}

/**
 * twamp_limits_session_put() - give back one session of the quota
 * @tn: the namespace
 */
void twamp_limits_session_put(struct twamp_net *tn)
{
	atomic_dec(&tn->n_sessions);
}

/**
 * twamp_limits_session_msg() - say which limit refused a session
 * @extack: where to say it
 */
void twamp_limits_session_msg(struct netlink_ext_ack *extack)
{
	TWAMP_LIMIT_MSG(extack, "max_sessions", READ_ONCE(max_sessions),
			"reflector sessions in this namespace");
}

/**
 * twamp_limits_fill() - put the namespace's limits and use in a message
 * @msg: the message
 * @tn: the namespace
 * @skb: the request, for whether its sender is exempt from the rate limit
 *
 * Return: 0 or -EMSGSIZE.
 */
int twamp_limits_fill(struct sk_buff *msg, struct twamp_net *tn,
		      const struct sk_buff *skb)
{
	struct nlattr *nest;
	unsigned int objects;
	u64 pps;

	mutex_lock(&tn->lock);
	objects = twamp_limits_objects(tn);
	pps = twamp_limits_sender_pps(tn);
	mutex_unlock(&tn->lock);

	nest = nla_nest_start(msg, TWAMP_A_INFO_LIMITS);
	if (!nest ||
	    nla_put_u32(msg, TWAMP_A_LIMITS_MAX_OBJECTS, READ_ONCE(max_objects)) ||
	    nla_put_u32(msg, TWAMP_A_LIMITS_OBJECTS, objects) ||
	    nla_put_u32(msg, TWAMP_A_LIMITS_MAX_SESSIONS,
			READ_ONCE(max_sessions)) ||
	    nla_put_u32(msg, TWAMP_A_LIMITS_SESSIONS,
			atomic_read(&tn->n_sessions)) ||
	    nla_put_u32(msg, TWAMP_A_LIMITS_MAX_SENDER_PPS,
			READ_ONCE(max_sender_pps)) ||
	    nla_put_u64_64bit(msg, TWAMP_A_LIMITS_SENDER_PPS, pps,
			      TWAMP_A_LIMITS_PAD) ||
	    (netlink_capable(skb, CAP_NET_ADMIN) &&
	     nla_put_flag(msg, TWAMP_A_LIMITS_RATE_EXEMPT)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * twamp_rate_alloc() - the token buckets of a per-source rate limit
 * @rate: packets per second; each bucket starts full, one second's worth
 *
 * Process context: charged to the caller's memory cgroup.
 *
 * Return: TWAMP_RATE_BUCKETS buckets, or NULL.
 */
struct twamp_rate_bucket *twamp_rate_alloc(u32 rate)
{
	struct twamp_rate_bucket *b;
	u64 now = ktime_get_mono_fast_ns();
	unsigned int i;

	b = kcalloc(TWAMP_RATE_BUCKETS, sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return NULL;
	for (i = 0; i < TWAMP_RATE_BUCKETS; i++) {
		spin_lock_init(&b[i].lock);
		b[i].last_ns = now;
		b[i].credit = (u64)rate * NSEC_PER_SEC;
	}
	return b;
}

/**
 * twamp_rate_ok() - may one more packet from this source be answered?
 * @buckets: from twamp_rate_alloc()
 * @rate: packets per second, as given to twamp_rate_alloc()
 * @hash: a hash of the source address
 *
 * RATE packets per second with a burst of one second's worth, per hash
 * slot of source addresses: sources that share a slot share its rate,
 * which keeps the state bounded whatever the number of sources. Called in
 * softirq.
 *
 * Return: true if it may, having taken its token.
 */
bool twamp_rate_ok(struct twamp_rate_bucket *buckets, u32 rate, u32 hash)
{
	struct twamp_rate_bucket *b = &buckets[hash % TWAMP_RATE_BUCKETS];
	u64 now = ktime_get_mono_fast_ns(), cap, elapsed;
	bool ok;

	cap = (u64)rate * NSEC_PER_SEC;
	spin_lock(&b->lock);
	elapsed = min_t(u64, now - b->last_ns, NSEC_PER_SEC);
	b->last_ns = now;
	b->credit = min(b->credit + elapsed * rate, cap);
	ok = b->credit >= NSEC_PER_SEC;
	if (ok)
		b->credit -= NSEC_PER_SEC;
	spin_unlock(&b->lock);
	return ok;
}
