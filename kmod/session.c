// SPDX-License-Identifier: GPL-2.0
/*
 * Test sessions of a reflector: negotiated by a TWAMP-Control server, or
 * made by a stateful STAMP reflector for each new sender.
 *
 * A reflector's sessions are in a hash table that the data path reads
 * under RCU; changes take the reflector's sessions_lock with bottom halves
 * off, because the data path itself adds sessions in softirq.
 */

#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "twamp.h"

/**
 * twamp_session_alloc() - allocate a session with its counters
 * @gfp: allocation flags (GFP_ATOMIC in the data path)
 *
 * Return: the session or NULL.
 */
struct twamp_session *twamp_session_alloc(gfp_t gfp)
{
	struct twamp_session *s;
	int cpu;

	s = kzalloc(sizeof(*s), gfp);
	if (!s)
		return NULL;
	s->counters = alloc_percpu_gfp(struct twamp_pcpu_counters, gfp);
	if (!s->counters || dst_cache_init(&s->dst_cache, gfp)) {
		free_percpu(s->counters);
		kfree(s);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(s->counters, cpu)->syncp);
	s->dscp = -1;
	s->refwait_ms = TWAMP_DEFAULT_REFWAIT_MS;
	s->last_rx = jiffies;
	return s;
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

/* Caller holds r->sessions_lock. */
static int __twamp_session_add(struct twamp_reflector *r,
			       struct twamp_session *s)
{
	lockdep_assert_held(&r->sessions_lock);

	if (r->dead)
		return -ENOENT;
	if (r->n_sessions >= TWAMP_MAX_SESSIONS)
		return -ENOSPC;
	if (twamp_session_lookup(r, &s->key))
		return -EEXIST;

	s->r = r;
	s->id = atomic_inc_return(&r->tn->next_session_id);
	hlist_add_head_rcu(&s->hnode,
			   &r->session_hash[twamp_session_hash(r, &s->key)]);
	list_add_tail(&s->node, &r->sessions);
	WRITE_ONCE(r->n_sessions, r->n_sessions + 1);
	r->tn->gen++;
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
 * session limit; -ENOENT if the reflector is being deleted.
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
 *
 * Called in softirq, under RCU. Another CPU may have added the same
 * sender meanwhile; then that session is returned.
 *
 * Return: the session, or NULL when out of memory or at the limit.
 */
struct twamp_session *twamp_session_dynamic(struct twamp_reflector *r,
					    const struct twamp_session_key *key)
{
	struct twamp_session *s, *old;
	int err;

	s = twamp_session_alloc(GFP_ATOMIC);
	if (!s)
		return NULL;
	s->key = *key;
	s->dynamic = true;

	spin_lock(&r->sessions_lock);
	err = __twamp_session_add(r, s);
	old = err == -EEXIST ? twamp_session_lookup(r, key) : NULL;
	spin_unlock(&r->sessions_lock);
	if (err) {
		twamp_session_free(s);
		return old;
	}
	return s;
}

/* Caller holds r->sessions_lock. */
static void __twamp_session_del(struct twamp_session *s)
{
	struct twamp_reflector *r = s->r;

	lockdep_assert_held(&r->sessions_lock);

	hlist_del_rcu(&s->hnode);
	list_del(&s->node);
	WRITE_ONCE(r->n_sessions, r->n_sessions - 1);
	r->tn->gen++;
	call_rcu(&s->rcu, twamp_session_free_rcu);
}

/**
 * twamp_session_del() - remove a session and free it after RCU
 * @s: the session
 */
void twamp_session_del(struct twamp_session *s)
{
	struct twamp_reflector *r = s->r;

	spin_lock_bh(&r->sessions_lock);
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
 * twamp_session_find_id() - find a session by ID
 * @tn: namespace state; caller holds @tn->lock
 * @id: the session ID
 *
 * Return: the session or NULL. It stays valid while @tn->lock is held:
 * every path that deletes sessions holds it.
 */
struct twamp_session *twamp_session_find_id(struct twamp_net *tn, u32 id)
{
	struct twamp_reflector *r;
	struct twamp_session *s;
	unsigned long rid;

	lockdep_assert_held(&tn->lock);

	xa_for_each(&tn->reflectors, rid, r) {
		spin_lock_bh(&r->sessions_lock);
		list_for_each_entry(s, &r->sessions, node) {
			if (s->id == id) {
				spin_unlock_bh(&r->sessions_lock);
				return s;
			}
		}
		spin_unlock_bh(&r->sessions_lock);
	}
	return NULL;
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
		list_for_each_entry_safe(s, tmp, &r->sessions, node) {
			if (!s->refwait_ms)
				continue;
			if (time_after(jiffies, READ_ONCE(s->last_rx) +
				       msecs_to_jiffies(s->refwait_ms)))
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
