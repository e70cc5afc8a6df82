// SPDX-License-Identifier: GPL-2.0
/*
 * Test sessions of a reflector: negotiated by a TWAMP-Control server, or
 * made by a stateful STAMP reflector for each new sender.
 *
 * A reflector's sessions are in a hash table that the data path reads
 * under RCU; changes take the reflector's sessions_lock with bottom halves
 * off, because the data path itself adds sessions in softirq.
 *
 * Stateful sessions are made by whoever sends a packet, so they are
 * bounded three ways, all set per reflector: at most max_per_source of
 * them per source (an IPv4 address or an IPv6 /64), refused beyond; at
 * most max_dynamic in all, the least recently heard one evicted to make
 * room for a new sender (a programmed session is never evicted, and may
 * itself evict a stateful one); and a short REFWAIT. Their memory is
 * charged to the memory cgroup of the reflector's creator.
 */

#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/ipv6.h>

#include "crypto.h"
#include "limits.h"
#include "reflector.h"
#include "session.h"
#include "stats.h"
#include "twamp.h"

static void twamp_session_init(struct twamp_session *s)
{
	refcount_set(&s->ref, 1);
	s->dscp = -1;
	s->refwait_ms = TWAMP_DEFAULT_REFWAIT_MS;
	s->last_rx = jiffies;
	spin_lock_init(&s->replay.lock);
	INIT_LIST_HEAD(&s->lru);
}

/**
 * twamp_session_alloc() - allocate a programmed session with its counters
 * @gfp: allocation flags, process context; charged to the caller's memcg
 *
 * Return: the session or NULL.
 */
struct twamp_session *twamp_session_alloc(gfp_t gfp)
{
	struct twamp_session *s;

	gfp |= __GFP_ACCOUNT;
	s = kzalloc(sizeof(*s), gfp);
	if (!s)
		return NULL;
	s->counters = twamp_counters_alloc(gfp);
	if (!s->counters || dst_cache_init(&s->dst_cache, gfp)) {
		free_percpu(s->counters);
		kfree(s);
		return NULL;
	}
	twamp_session_init(s);
	return s;
}

/*
 * Softirq has no task to charge: charge the reflector's creator, as BPF
 * maps do. GFP_NOWAIT, not GFP_ATOMIC: without __GFP_HIGH a charge over
 * the cgroup's limit fails rather than being forced through.
 */
#define TWAMP_DYNAMIC_GFP	(GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT)

static void *twamp_dynamic_zalloc(struct twamp_reflector *r, size_t size)
{
	struct mem_cgroup *old = set_active_memcg(r->memcg);
	void *p = kzalloc(size, TWAMP_DYNAMIC_GFP);

	set_active_memcg(old);
	return p;
}

/**
 * twamp_session_counters_sum() - a session's counters, summed
 * @s: the session
 * @sum: where to put them
 */
void twamp_session_counters_sum(const struct twamp_session *s,
				u64 sum[__TWAMP_CNT_MAX])
{
	unsigned int i;

	if (!s->dynamic) {
		twamp_counters_sum(s->counters, sum);
		return;
	}
	for (i = 0; i < __TWAMP_CNT_MAX; i++)
		sum[i] = atomic64_read(&s->dcounters[i]);
}

/**
 * twamp_session_free() - free a session that is in no table
 * @s: the session
 */
void twamp_session_free(struct twamp_session *s)
{
	/* as macsec does, from the RCU callback: the transform is idle */
	twamp_crypto_free(s->crypto);
	dst_cache_destroy(&s->dst_cache);
	free_percpu(s->counters);
	kfree(s);
}

static void twamp_session_free_rcu(struct rcu_head *head)
{
	twamp_session_free(container_of(head, struct twamp_session, rcu));
}

/**
 * twamp_session_put() - drop a reference; the last frees after RCU
 * @s: the session
 */
void twamp_session_put(struct twamp_session *s)
{
	if (refcount_dec_and_test(&s->ref))
		call_rcu(&s->rcu, twamp_session_free_rcu);
}

static u32 twamp_session_hash(const struct twamp_reflector *r,
			      const struct twamp_session_key *key)
{
	u32 h = jhash_2words((__force u32)key->port, key->ssid, r->hash_seed);

	if (key->family == AF_INET)
		h = jhash_1word((__force u32)key->v4, h);
	else
		h = jhash2((const u32 *)&key->v6, 4, h);
	return hash_32(h, TWAMP_SESSION_HASH_BITS);
}

static bool twamp_session_key_eq(const struct twamp_session_key *a,
				 const struct twamp_session_key *b)
{
	if (a->family != b->family || a->port != b->port || a->ssid != b->ssid)
		return false;
	return a->family == AF_INET ? a->v4 == b->v4 :
				      ipv6_addr_equal(&a->v6, &b->v6);
}

/**
 * twamp_session_lookup() - find a session by sender address, port, SSID
 * @r: the reflector
 * @key: what identifies the session
 *
 * Caller is in an RCU read-side section.
 *
 * Return: the session or NULL.
 */
struct twamp_session *twamp_session_lookup(struct twamp_reflector *r,
					   const struct twamp_session_key *key)
{
	struct twamp_session *s;

	hlist_for_each_entry_rcu(s, &r->session_hash[twamp_session_hash(r, key)],
				 hnode)
		if (twamp_session_key_eq(&s->key, key))
			return s;
	return NULL;
}

static void twamp_gc_schedule(struct twamp_net *tn)
{
	if (!delayed_work_pending(&tn->gc_work))
		queue_delayed_work(system_power_efficient_wq, &tn->gc_work, HZ);
}

/* The source a per-source cap counts: an IPv4 address or an IPv6 /64. */
static void twamp_source_key(const struct twamp_session_key *key,
			     struct twamp_source *src)
{
	src->family = key->family;
	if (key->family == AF_INET)
		src->v4 = key->v4;
	else
		memcpy(&src->v6_64, &key->v6, sizeof(src->v6_64));
}

static struct hlist_head *twamp_source_bucket(const struct twamp_reflector *r,
					      const struct twamp_source *src)
{
	u32 h;

	if (src->family == AF_INET)
		h = jhash_1word((__force u32)src->v4, r->hash_seed);
	else
		h = jhash_2words((u32)src->v6_64, (u32)(src->v6_64 >> 32),
				 r->hash_seed);
	return &r->source_hash[hash_32(h, TWAMP_SOURCE_HASH_BITS)];
}

/* Caller holds r->sessions_lock. */
static struct twamp_source *twamp_source_find(struct twamp_reflector *r,
					      const struct twamp_source *key)
{
	struct twamp_source *src;

	hlist_for_each_entry(src, twamp_source_bucket(r, key), hnode)
		if (src->family == key->family &&
		    (key->family == AF_INET ? src->v4 == key->v4 :
					      src->v6_64 == key->v6_64))
			return src;
	return NULL;
}

/* Caller holds r->sessions_lock. */
static void twamp_source_put(struct twamp_source *src)
{
	if (--src->count)
		return;
	/* never read under RCU: no grace period needed */
	hlist_del(&src->hnode);
	kfree(src);
}

static void __twamp_session_del(struct twamp_session *s);

/*
 * Make room by evicting the least recently heard stateful session.
 * Caller holds r->sessions_lock.
 */
static bool twamp_session_evict(struct twamp_reflector *r)
{
	struct twamp_session *victim;

	victim = list_first_entry_or_null(&r->dynamic, struct twamp_session,
					  lru);
	if (!victim)
		return false;
	__twamp_session_del(victim);
	r->dyn_evicted++;
	return true;
}

/**
 * twamp_sessions_init() - the namespace's table of sessions by ID
 * @tn: the namespace, being set up
 *
 * Initialised here, not in main.c with the other two tables, so that its
 * lock is a lockdep class of its own: this one is taken in softirq (a
 * stateful reflector adds sessions there), theirs only in process context.
 */
void twamp_sessions_init(struct twamp_net *tn)
{
	xa_init_flags(&tn->sessions, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
}

/*
 * Give a session its ID, unique in the namespace, and publish it by that
 * ID. Caller holds r->sessions_lock, in softirq or with BH off: no
 * sleeping allocation. A stateful session's memory is charged to the
 * reflector's creator, like the session itself.
 */
static int twamp_session_id_alloc(struct twamp_reflector *r,
				  struct twamp_session *s)
{
	struct mem_cgroup *old = NULL;
	int err;

	if (s->dynamic)
		old = set_active_memcg(r->memcg);
	err = xa_alloc_cyclic(&r->tn->sessions, &s->id, s, xa_limit_32b,
			      &r->tn->next_session_id, TWAMP_DYNAMIC_GFP);
	if (s->dynamic)
		set_active_memcg(old);
	return err < 0 ? err : 0;
}

/* Caller holds r->sessions_lock. */
static int __twamp_session_add(struct twamp_reflector *r,
			       struct twamp_session *s)
{
	lockdep_assert_held(&r->sessions_lock);

	if (r->dead)
		return -ENOENT;
	if (twamp_session_lookup(r, &s->key))
		return -EEXIST;
	/* stateful sessions never lock a programmed one out */
	if (r->n_sessions >= TWAMP_MAX_SESSIONS && !twamp_session_evict(r))
		return -ENOSPC;
	/* the namespace's max_sessions: a stateful session makes room too */
	if (!twamp_limits_session_get(r->tn) &&
	    !(twamp_session_evict(r) && twamp_limits_session_get(r->tn)))
		return -EDQUOT;

	/* found by ID from here on: complete but for the table's lists */
	s->r = r;
	if (twamp_session_id_alloc(r, s)) {
		twamp_limits_session_put(r->tn);
		return -ENOMEM;
	}
	hlist_add_head_rcu(&s->hnode,
			   &r->session_hash[twamp_session_hash(r, &s->key)]);
	list_add_tail(&s->node, &r->sessions);
	WRITE_ONCE(r->n_sessions, r->n_sessions + 1);
	if (s->dynamic) {
		list_add_tail(&s->lru, &r->dynamic);
		r->n_dynamic++;
		r->dyn_created++;
	}
	atomic_inc(&r->tn->sessions_gen);
	if (s->refwait_ms)
		twamp_gc_schedule(r->tn);
	return 0;
}

/**
 * twamp_session_add() - publish a session in its reflector's table
 * @r: the reflector
 * @s: the session, configured
 *
 * Return: 0; -EEXIST if a session has the same key; -ENOSPC at the
 * reflector's session limit; -EDQUOT at the namespace's (max_sessions);
 * -ENOENT if the reflector is being deleted; -ENOMEM.
 */
int twamp_session_add(struct twamp_reflector *r, struct twamp_session *s)
{
	int err;

	spin_lock_bh(&r->sessions_lock);
	err = __twamp_session_add(r, s);
	spin_unlock_bh(&r->sessions_lock);
	return err;
}

/**
 * twamp_session_dynamic() - make a session for a new STAMP sender
 * @r: a stateful reflector
 * @key: the sender
 * @why: set to the drop reason when no session is returned
 *
 * Called in softirq, under RCU. Another CPU may have added the same
 * sender meanwhile; then that session is returned. A source at its cap
 * is refused; a full table evicts its least recently heard session.
 *
 * Return: the session, or NULL.
 */
struct twamp_session *twamp_session_dynamic(struct twamp_reflector *r,
					    const struct twamp_session_key *key,
					    enum twamp_counter *why)
{
	struct twamp_source skey = {}, *src;
	struct twamp_session *s, *old;
	int err;

	*why = TWAMP_CNT_DROP_NOMEM;
	s = twamp_dynamic_zalloc(r, sizeof(*s));
	if (!s)
		return NULL;
	twamp_session_init(s);
	s->key = *key;
	s->dynamic = true;
	s->refwait_ms = r->dynamic_refwait_ms;
	twamp_source_key(key, &skey);

	spin_lock(&r->sessions_lock);
	old = twamp_session_lookup(r, key);
	if (old || r->dead) {
		*why = TWAMP_CNT_DROP_NO_SESSION;
		goto fail;
	}
	src = twamp_source_find(r, &skey);
	if (src && src->count >= r->max_per_source) {
		*why = TWAMP_CNT_DROP_SOURCE_LIMIT;
		goto fail;
	}
	/* may free @src: look it up again after */
	if (r->n_dynamic >= r->max_dynamic)
		twamp_session_evict(r);
	src = twamp_source_find(r, &skey);
	if (!src) {
		src = twamp_dynamic_zalloc(r, sizeof(*src));
		if (!src)
			goto fail;
		src->family = skey.family;
		src->v6_64 = skey.v6_64;	/* or v4 and zeroes */
		hlist_add_head(&src->hnode, twamp_source_bucket(r, src));
	}
	src->count++;
	s->source = src;
	err = __twamp_session_add(r, s);
	if (err) {
		/* no ID left, or the table is full of programmed sessions */
		s->source = NULL;
		twamp_source_put(src);
		*why = err == -ENOMEM ? TWAMP_CNT_DROP_NOMEM :
					TWAMP_CNT_DROP_NO_SESSION;
		goto fail;
	}
	spin_unlock(&r->sessions_lock);
	return s;

fail:
	spin_unlock(&r->sessions_lock);
	twamp_session_free(s);
	return old;
}

/**
 * twamp_session_heard() - note that a session's sender was heard from
 * @s: the session
 *
 * Called in softirq for every packet of a session. The stateful list
 * stays in the order senders were last heard, so that its head is the
 * one to evict or expire: a session moves to its tail at most once per
 * tick, and only that takes the lock.
 */
void twamp_session_heard(struct twamp_session *s)
{
	struct twamp_reflector *r = s->r;
	unsigned long now = jiffies;

	/* written once per tick at most: the line stays shared */
	if (READ_ONCE(s->last_rx) == now)
		return;
	if (!s->dynamic) {
		WRITE_ONCE(s->last_rx, now);
		return;
	}
	spin_lock(&r->sessions_lock);
	if (!list_empty(&s->lru)) {
		/* read under the lock: the list stays in order */
		WRITE_ONCE(s->last_rx, jiffies);
		list_move_tail(&s->lru, &r->dynamic);
	}
	spin_unlock(&r->sessions_lock);
}

/* Caller holds r->sessions_lock. */
static void __twamp_session_del(struct twamp_session *s)
{
	struct twamp_reflector *r = s->r;

	lockdep_assert_held(&r->sessions_lock);

	xa_erase(&r->tn->sessions, s->id);
	hlist_del_rcu(&s->hnode);
	list_del(&s->node);
	WRITE_ONCE(r->n_sessions, r->n_sessions - 1);
	twamp_limits_session_put(r->tn);
	if (s->dynamic) {
		list_del_init(&s->lru);
		r->n_dynamic--;
		twamp_source_put(s->source);
		s->source = NULL;
	}
	atomic_inc(&r->tn->sessions_gen);
	s->unlinked = true;
	twamp_session_put(s);		/* the tables' reference */
}

/**
 * twamp_dynamic_stats() - the state of a reflector's stateful table
 * @r: the reflector
 * @st: filled in
 */
void twamp_dynamic_stats(struct twamp_reflector *r,
			 struct twamp_dynamic_stats *st)
{
	spin_lock_bh(&r->sessions_lock);
	st->sessions = r->n_dynamic;
	st->created = r->dyn_created;
	st->evicted = r->dyn_evicted;
	st->expired = r->dyn_expired;
	spin_unlock_bh(&r->sessions_lock);
}

/**
 * twamp_replay_check() - the anti-replay window of a session
 * @rp: the session's window
 * @seq: the Sender Sequence Number of a packet whose HMAC matched
 *
 * Called in softirq, only after the packet was authenticated, so that a
 * forged number cannot move the window (RFC 4303 3.4.3). In encrypted
 * mode the number is only readable then anyway.
 *
 * Return: true the first time @seq is seen within the window, false for
 * a number already accepted or older than the window.
 */
bool twamp_replay_check(struct twamp_replay *rp, u32 seq)
{
	bool ok = true;
	u32 ahead, i;

	spin_lock(&rp->lock);
	if (!rp->started) {
		rp->started = true;
		rp->top = seq;
		__set_bit(seq % TWAMP_REPLAY_WINDOW, rp->bits);
		goto out;
	}
	ahead = seq - rp->top;
	if (ahead && ahead < 1U << 31) {
		/* newer: slide, forgetting the numbers that fall out */
		if (ahead >= TWAMP_REPLAY_WINDOW)
			bitmap_zero(rp->bits, TWAMP_REPLAY_WINDOW);
		else
			for (i = 1; i <= ahead; i++)
				__clear_bit((rp->top + i) % TWAMP_REPLAY_WINDOW,
					    rp->bits);
		rp->top = seq;
		__set_bit(seq % TWAMP_REPLAY_WINDOW, rp->bits);
	} else if (rp->top - seq >= TWAMP_REPLAY_WINDOW) {
		ok = false;			/* older than the window */
	} else {
		ok = !__test_and_set_bit(seq % TWAMP_REPLAY_WINDOW, rp->bits);
	}
out:
	spin_unlock(&rp->lock);
	return ok;
}

/**
 * twamp_session_del() - remove a session and free it after RCU
 * @s: the session
 */
void twamp_session_del(struct twamp_session *s)
{
	struct twamp_reflector *r = s->r;

	spin_lock_bh(&r->sessions_lock);
	/* a stateful one may have been evicted since it was found */
	if (!s->unlinked)
		__twamp_session_del(s);
	spin_unlock_bh(&r->sessions_lock);
}

/**
 * twamp_sessions_flush() - remove every session of a dying reflector
 * @r: the reflector, whose sockets are already closed
 *
 * Marks the reflector dead first, so that a packet still being handled on
 * another CPU cannot add a session behind the flush.
 */
void twamp_sessions_flush(struct twamp_reflector *r)
{
	struct twamp_session *s, *tmp;

	spin_lock_bh(&r->sessions_lock);
	r->dead = true;
	list_for_each_entry_safe(s, tmp, &r->sessions, node)
		__twamp_session_del(s);
	spin_unlock_bh(&r->sessions_lock);
}

/**
 * twamp_session_get_id() - find a session by ID and hold it
 * @tn: namespace state; caller holds @tn->lock
 * @id: the session ID
 *
 * @tn->lock keeps programmed sessions (every path that deletes them holds
 * it) but not stateful ones: a packet evicts those in softirq, under the
 * reflector's sessions_lock only. So the caller gets a reference, which
 * keeps the memory (not the session in the tables) until
 * twamp_session_put(); twamp_session_del() of one evicted meanwhile does
 * nothing.
 *
 * Return: the session or NULL.
 */
struct twamp_session *twamp_session_get_id(struct twamp_net *tn, u32 id)
{
	struct twamp_session *s;

	lockdep_assert_held(&tn->lock);

	rcu_read_lock();
	s = xa_load(&tn->sessions, id);
	if (s && !refcount_inc_not_zero(&s->ref))
		s = NULL;
	rcu_read_unlock();
	return s;
}

/**
 * twamp_sessions_unbind() - remove the sessions a netlink socket owned
 * @tn: namespace state; caller holds @tn->lock
 * @portid: the socket that closed
 */
void twamp_sessions_unbind(struct twamp_net *tn, u32 portid)
{
	struct twamp_session *s, *tmp;
	struct twamp_reflector *r;
	unsigned long rid;

	lockdep_assert_held(&tn->lock);

	xa_for_each(&tn->reflectors, rid, r) {
		spin_lock_bh(&r->sessions_lock);
		list_for_each_entry_safe(s, tmp, &r->sessions, node)
			if (s->bind_portid == portid)
				__twamp_session_del(s);
		spin_unlock_bh(&r->sessions_lock);
	}
}

static bool twamp_session_idle(const struct twamp_session *s)
{
	return time_after(jiffies, READ_ONCE(s->last_rx) +
			  msecs_to_jiffies(s->refwait_ms));
}

/**
 * twamp_session_gc_work() - expire sessions idle for longer than REFWAIT
 * @work: the namespace's gc_work
 *
 * Runs every second while any session with a REFWAIT exists.
 */
void twamp_session_gc_work(struct work_struct *work)
{
	struct twamp_net *tn = container_of(to_delayed_work(work),
					    struct twamp_net, gc_work);
	struct twamp_session *s, *tmp;
	struct twamp_reflector *r;
	bool again = false;
	unsigned long rid;

	mutex_lock(&tn->lock);
	xa_for_each(&tn->reflectors, rid, r) {
		spin_lock_bh(&r->sessions_lock);
		/* least recently heard first: stop at the first one still on */
		list_for_each_entry_safe(s, tmp, &r->dynamic, lru) {
			if (!twamp_session_idle(s)) {
				again = true;
				break;
			}
			__twamp_session_del(s);
			r->dyn_expired++;
		}
		list_for_each_entry_safe(s, tmp, &r->sessions, node) {
			if (s->dynamic || !s->refwait_ms)
				continue;
			if (twamp_session_idle(s))
				__twamp_session_del(s);
			else
				again = true;
		}
		spin_unlock_bh(&r->sessions_lock);
	}
	if (again)
		queue_delayed_work(system_power_efficient_wq, &tn->gc_work, HZ);
	mutex_unlock(&tn->lock);
}
