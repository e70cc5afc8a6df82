// SPDX-License-Identifier: GPL-2.0
/*
 * The Session-Sender's lifetime: allocation, the socket and slot table
 * made at creation, start, stop and deletion. The schedule and transmit
 * path are in sender_tx.c, replies in sender_rx.c.
 */

#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/udp_tunnel.h>

#include "compat.h"
#include "crypto.h"
#include "sender.h"
#include "twamp.h"

/*
 * Enlarge the slot table four times (up to max_slots), in process context
 * and charged to the creator's memory cgroup. The table is only used under
 * s->lock: the packet being output writes its T1 to s->xmit_t1, not into
 * the table, so the old one can go as soon as it is replaced.
 */
static void twamp_sender_grow_work(struct work_struct *work)
{
	struct twamp_sender *s = container_of(work, struct twamp_sender,
					      grow_work);
	struct twamp_slot *slots, *old;
	struct mem_cgroup *memcg;
	u32 n, i;

	spin_lock_bh(&s->lock);
	n = min(s->n_slots * 4, s->max_slots);
	spin_unlock_bh(&s->lock);

	memcg = set_active_memcg(s->memcg);
	slots = kvcalloc(n, sizeof(*slots), GFP_KERNEL_ACCOUNT);
	set_active_memcg(memcg);

	spin_lock_bh(&s->lock);
	old = slots;
	if (slots && n > s->n_slots) {
		/*
		 * The old table holds the last n_slots sequence numbers at
		 * most, distinct modulo the larger size too.
		 */
		for (i = 0; i < s->n_slots; i++)
			if (s->slots[i].t1)
				slots[s->slots[i].seq & (n - 1)] = s->slots[i];
		old = s->slots;
		s->slots = slots;
		s->n_slots = n;
	}
	/* on failure, the next packet past half the table tries again */
	s->grow_pending = false;
	spin_unlock_bh(&s->lock);
	kvfree(old);
}

/**
 * twamp_sender_alloc() - allocate a sender with its defaults
 *
 * Return: the sender or NULL.
 */
struct twamp_sender *twamp_sender_alloc(void)
{
	struct twamp_sender *s;

	/*
	 * Everything a sender holds is charged to the memory cgroup of the
	 * process that creates it, so a container's senders count against
	 * its own memory.max.
	 */
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return NULL;
	s->hist = kvcalloc(TWAMP_HIST_BUCKETS, sizeof(*s->hist),
			   GFP_KERNEL_ACCOUNT);
	s->done_snap = kmalloc(sizeof(*s->done_snap), GFP_KERNEL_ACCOUNT);
	if (!s->hist || !s->done_snap ||
	    dst_cache_init(&s->dst_cache, GFP_KERNEL_ACCOUNT)) {
		kfree(s->done_snap);
		kvfree(s->hist);
		kfree(s);
		return NULL;
	}
	spin_lock_init(&s->lock);
	twamp_hrtimer_setup(&s->timer, twamp_sender_timer, CLOCK_MONOTONIC,
			    HRTIMER_MODE_ABS_SOFT);
	INIT_WORK(&s->grow_work, twamp_sender_grow_work);
	s->remote_port = htons(TWAMP_DEFAULT_PORT);
	s->format = TWAMP_FORMAT_LIGHT;
	s->ts_format = TWAMP_TS_NTP;
	s->ttl = 255;
	s->padding = U32_MAX;		/* the format's default, see create */
	s->interval = NSEC_PER_SEC;
	s->wait = NSEC_PER_SEC;
	s->state = TWAMP_SENDER_IDLE;
	return s;
}

/**
 * twamp_sender_free() - free a sender without socket or timer
 * @s: the sender
 */
void twamp_sender_free(struct twamp_sender *s)
{
	twamp_crypto_free(s->crypto);
	dst_cache_destroy(&s->dst_cache);
	kvfree(s->slots);
	kvfree(s->hist);
	kfree(s->done_snap);
	mem_cgroup_put(s->memcg);
	kfree(s);
}

static void twamp_sender_free_rcu(struct rcu_head *head)
{
	twamp_sender_free(container_of(head, struct twamp_sender, rcu));
}

/*
 * How many packets the schedule can send in @span ns, deadlines at both
 * ends included; Poisson gaps are often shorter than their mean, so four
 * times as many.
 */
static u64 twamp_sender_packets_in(const struct twamp_sender *s, u64 span)
{
	u64 n = div64_u64(span, s->interval) + 2;

	if (s->schedule == TWAMP_SCHEDULE_POISSON)
		n = n * 4 + 16;
	return n;
}

/*
 * A start time is CLOCK_REALTIME: refused beyond TWAMP_SENDER_MAX_AHEAD,
 * which keeps every deadline and sum derived from it far from overflow
 * (and a u64 past S64_MAX from reading as a time in the past).
 */
static int twamp_sender_check_start(const struct twamp_sender *s,
				    struct netlink_ext_ack *extack)
{
	u64 now = ktime_get_real_ns();

	if (s->start_time > now &&
	    s->start_time - now > TWAMP_SENDER_MAX_AHEAD) {
		NL_SET_ERR_MSG(extack,
			       "start time more than 366 days ahead of CLOCK_REALTIME (a fixed limit)");
		return -ERANGE;
	}
	return 0;
}

/**
 * twamp_sender_create() - open the socket and publish a configured sender
 * @tn: namespace state; caller holds @tn->lock
 * @s: the sender
 * @extack: for the reason of a failure
 *
 * Return: 0 or a negative errno.
 */
int twamp_sender_create(struct twamp_net *tn, struct twamp_sender *s,
			struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= s,
		.encap_type	= TWAMP_UDP_ENCAP,
	};
	struct udp_port_cfg cfg = {
		.family		= s->family,
		.local_udp_port	= s->local_port,
		.bind_ifindex	= s->ifindex,
		.ipv6_v6only	= 1,
		/* UDP over IPv6 needs a checksum (RFC 8200 8.1) */
		.use_udp6_rx_checksums = 1,
		.use_udp6_tx_checksums = 1,
	};
	u64 window;
	int err;

	lockdep_assert_held(&tn->lock);

	/*
	 * An authenticated or encrypted request is padded by default to the
	 * length of the 112-octet reply header, so both directions carry
	 * the same size (3.4).
	 */
	if (s->padding == U32_MAX && s->crypto)
		s->padding = TWAMP_REFLECTOR_AUTH_SIZE - TWAMP_SENDER_AUTH_SIZE;
	else if (s->padding == U32_MAX)
		s->padding = s->format == TWAMP_FORMAT_STAMP ? 0 :
			     STAMP_BASE_SIZE - TWAMP_SENDER_SIZE;
	if (twamp_sender_len(s) > TWAMP_MAX_PAYLOAD) {
		NL_SET_ERR_MSG(extack, "packet larger than 9000 octets");
		return -EINVAL;
	}
	err = twamp_sender_check_start(s, extack);
	if (err)
		return err;

	/*
	 * At most enough slots for every packet that can be within its WAIT,
	 * and no more than the whole test can send: COUNT packets, or those
	 * of DURATION. It starts smaller and grows when replies are slow to
	 * come (twamp_sender_grow_work()), charged to the creator's memory
	 * cgroup.
	 */
	window = twamp_sender_packets_in(s, s->wait);
	if (s->count)
		window = min_t(u64, window, s->count);
	if (s->duration)
		window = min(window, twamp_sender_packets_in(s, s->duration));
	s->max_slots = min_t(u64, roundup_pow_of_two(window),
			     TWAMP_SENDER_MAX_SLOTS);
	s->n_slots = min_t(u32, s->max_slots, TWAMP_SENDER_INIT_SLOTS);
	s->slots = kvcalloc(s->n_slots, sizeof(*s->slots), GFP_KERNEL_ACCOUNT);
	s->memcg = get_mem_cgroup_from_mm(current->mm);
	if (!s->slots)
		return -ENOMEM;
	prandom_seed_state(&s->rnd, s->seed);

	if (s->has_local) {
		if (s->family == AF_INET)
			cfg.local_ip.s_addr = s->local4;
		else
			cfg.local_ip6 = s->local6;
	}
	err = udp_sock_create(tn->net, &cfg, &s->sock);
	if (err) {
		if (err == -EADDRINUSE)
			NL_SET_ERR_MSG(extack, "local address and port already in use");
		else
			NL_SET_ERR_MSG(extack, "cannot open the sender socket");
		return err;
	}
	s->sock->sk->sk_rcvbuf = SOCK_MIN_RCVBUF;
	s->local_port = inet_sk(s->sock->sk)->inet_sport;

	s->tn = tn;
	err = xa_alloc_cyclic(&tn->senders, &s->id, s, xa_limit_32b,
			      &tn->next_sender_id, GFP_KERNEL);
	if (err < 0) {
		udp_tunnel_sock_release(s->sock);
		s->sock = NULL;
		NL_SET_ERR_MSG(extack, "no sender ID available");
		return err;
	}
	twamp_sender_rx_hooks(&tcfg);
	setup_udp_tunnel_sock(tn->net, s->sock, &tcfg);
	tn->gen++;
	return 0;
}

/**
 * twamp_sender_start() - start sending
 * @s: an idle sender; caller holds its namespace's lock
 * @extack: for the reason of a failure
 *
 * Return: 0, or -EBUSY when the sender is not idle.
 */
int twamp_sender_start(struct twamp_sender *s, struct netlink_ext_ack *extack)
{
	ktime_t now = ktime_get(), start = now, end = 0;
	u64 real;
	int err;

	/* The clock may have been set back since NEW. */
	err = twamp_sender_check_start(s, extack);
	if (err)
		return err;
	/* A start time in the past starts now: nothing to catch up on. */
	real = ktime_get_real_ns();
	if (s->start_time > real)
		start = ktime_add_ns(now, s->start_time - real);
	if (s->duration)
		end = ktime_add_safe(start, min_t(u64, s->duration, KTIME_MAX));

	spin_lock_bh(&s->lock);
	if (s->state != TWAMP_SENDER_IDLE) {
		spin_unlock_bh(&s->lock);
		NL_SET_ERR_MSG(extack, "the sender has already been started");
		return -EBUSY;
	}
	s->state = TWAMP_SENDER_RUNNING;
	s->next = start;
	s->end = end;
	s->skipping = false;
	spin_unlock_bh(&s->lock);

	hrtimer_start(&s->timer, start, HRTIMER_MODE_ABS_SOFT);
	return 0;
}

/**
 * twamp_sender_stop() - stop sending and wait for late replies
 * @s: the sender; caller holds its namespace's lock
 * @extack: for the reason of a failure
 *
 * Return: 0, or -EINVAL when the sender is not running.
 */
int twamp_sender_stop(struct twamp_sender *s, struct netlink_ext_ack *extack)
{
	spin_lock_bh(&s->lock);
	if (s->state != TWAMP_SENDER_RUNNING) {
		spin_unlock_bh(&s->lock);
		NL_SET_ERR_MSG(extack, "the sender is not running");
		return -EINVAL;
	}
	twamp_sender_drain(s, ktime_get());
	spin_unlock_bh(&s->lock);

	/* Restart the timer at the end of the drain, wherever it was. */
	hrtimer_cancel(&s->timer);
	hrtimer_start(&s->timer, s->drain_end, HRTIMER_MODE_ABS_SOFT);
	return 0;
}

/**
 * twamp_sender_del() - stop and unpublish a sender, free it after RCU
 * @s: the sender; caller holds its namespace's lock
 */
void twamp_sender_del(struct twamp_sender *s)
{
	lockdep_assert_held(&s->tn->lock);

	xa_erase(&s->tn->senders, s->id);
	s->tn->gen++;
	hrtimer_cancel(&s->timer);
	cancel_work_sync(&s->grow_work);
	udp_tunnel_sock_release(s->sock);
	call_rcu(&s->rcu, twamp_sender_free_rcu);
}

/**
 * twamp_senders_flush() - delete every sender of a namespace
 * @tn: namespace state; caller holds @tn->lock
 */
void twamp_senders_flush(struct twamp_net *tn)
{
	struct twamp_sender *s;
	unsigned long id;

	xa_for_each(&tn->senders, id, s)
		twamp_sender_del(s);
}

/**
 * twamp_senders_unbind() - delete the senders a netlink socket owned
 * @tn: namespace state; caller holds @tn->lock
 * @portid: the socket that closed
 */
void twamp_senders_unbind(struct twamp_net *tn, u32 portid)
{
	struct twamp_sender *s;
	unsigned long id;

	xa_for_each(&tn->senders, id, s)
		if (s->bind_portid == portid)
			twamp_sender_del(s);
}
