// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics. The counters of reflectors and sessions (stats.h): per CPU,
 * summed when read. The sender's, kept in integer nanoseconds as replies
 * arrive: round-trip delay (RFC 2681 less the reflector's residence time),
 * its distribution, IPDV (RFC 3393), PDV (RFC 5481), RFC 3550 jitter, loss
 * (RFC 6673), duplicates and reordering (RFC 4737).
 */

#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/percpu.h>

#include "compat.h"
#include "sender.h"
#include "stats.h"
#include "twamp.h"

#define TWAMP_HIST_SUB		BIT(TWAMP_HIST_SUB_BITS)

/**
 * twamp_hist_bucket() - the histogram bucket of a value
 * @v: nanoseconds
 *
 * Return: the bucket index; values past the range share the last one.
 */
unsigned int twamp_hist_bucket(u64 v)
{
	unsigned int e;

	if (v < TWAMP_HIST_SUB)
		return v;
	e = fls64(v) - 1;
	if (e > TWAMP_HIST_MAX_EXP)
		return TWAMP_HIST_BUCKETS - 1;
	return ((e - TWAMP_HIST_SUB_BITS + 1) << TWAMP_HIST_SUB_BITS) +
	       ((v >> (e - TWAMP_HIST_SUB_BITS)) & (TWAMP_HIST_SUB - 1));
}

/**
 * twamp_hist_value() - the value a bucket stands for: its midpoint
 * @bucket: a bucket index
 *
 * Return: nanoseconds.
 */
u64 twamp_hist_value(unsigned int bucket)
{
	unsigned int g = bucket >> TWAMP_HIST_SUB_BITS;
	u64 m = bucket & (TWAMP_HIST_SUB - 1);
	u64 width;

	if (!g)
		return m;
	width = 1ULL << (g - 1);
	return ((TWAMP_HIST_SUB + m) << (g - 1)) + width / 2;
}

/* J += (|D| - J) / 16, with J kept scaled by 16 as RFC 3550 A.8 does. */
static void twamp_jitter(u64 *j16, s64 d)
{
	u64 ad = abs(d);

	*j16 = *j16 + ad - ((*j16 + 8) >> 4);
}

/* RFC 4737: extent = arrival position minus that of the earliest later seq. */
static void twamp_reorder(struct twamp_stats *st, u32 seq)
{
	u64 n = st->n_arrivals, first, i;

	first = n > TWAMP_REORDER_HISTORY ? n - TWAMP_REORDER_HISTORY : 0;
	for (i = first; i < n; i++) {
		if ((s32)(st->arrivals[i % TWAMP_REORDER_HISTORY] - seq) > 0) {
			st->reorder_extent_max = max(st->reorder_extent_max,
						     n - i);
			return;
		}
	}
}

static void twamp_ipdv(struct twamp_stats *st, s64 a, s64 b)
{
	u64 d = abs(b - a);

	st->ipdv_n++;
	st->ipdv_abs_sum += d;
	st->ipdv_abs_max = max(st->ipdv_abs_max, d);
}

/*
 * The sum of squares is a 128-bit integer kept in two u64 halves, with
 * 32-bit multiplies only: exact, and the same on 32-bit architectures,
 * which have no 128-bit type.
 */
static void twamp_sumsq_add(struct twamp_stats *st, u64 v)
{
	u64 lo = lower_32_bits(v), hi = upper_32_bits(v);
	u64 ll = lo * lo, lh = lo * hi, hh = hi * hi;
	u64 sq_lo, sq_hi, mid_lo;

	/* v^2 = hh * 2^64 + 2 * lh * 2^32 + ll, lh < 2^64 */
	mid_lo = lh << 33;
	sq_hi = hh + (lh >> 31);
	sq_lo = ll + mid_lo;
	sq_hi += sq_lo < ll;
	st->rtt_sumsq_lo += sq_lo;
	st->rtt_sumsq_hi += sq_hi + (st->rtt_sumsq_lo < sq_lo);
}

/**
 * twamp_stats_reply() - account for the first reply to a packet
 * @s: the sender; caller holds s->lock
 * @slot: the packet's slot, already marked received with its RTT
 * @res: the reply's record; REORDERED is set here when it applies
 * @synced: both Error Estimates say synchronized
 */
void twamp_stats_reply(struct twamp_sender *s, struct twamp_slot *slot,
		       struct twamp_result *res, bool synced)
{
	struct twamp_stats *st = &s->st;
	struct twamp_slot *nb;
	s64 rtt = slot->rtt, res_ns = ktime_to_ns(ktime_sub(res->t3, res->t2));

	lockdep_assert_held(&s->lock);

	st->received++;
	if (st->received == 1) {
		st->rtt_min = rtt;
		st->rtt_max = rtt;
		st->res_min = res_ns;
		st->res_max = res_ns;
	}
	st->rtt_min = min(st->rtt_min, rtt);
	st->rtt_max = max(st->rtt_max, rtt);
	st->rtt_sum += rtt;
	twamp_sumsq_add(st, abs(rtt));
	s->hist[twamp_hist_bucket(max_t(s64, rtt, 0))]++;

	st->res_min = min(st->res_min, res_ns);
	st->res_max = max(st->res_max, res_ns);
	st->res_sum += res_ns;

	if (synced) {
		st->owd_n++;
		st->owd_fwd_sum += ktime_to_ns(ktime_sub(res->t2, res->t1));
		st->owd_bwd_sum += ktime_to_ns(ktime_sub(res->t4, res->t3));
	}

	/* RFC 3550 jitter, in arrival order. */
	if (st->have_prev) {
		twamp_jitter(&st->jitter_fwd,
			     ktime_to_ns(ktime_sub(res->t2, st->prev_t2)) -
			     ktime_to_ns(ktime_sub(res->t1, st->prev_t1)));
		twamp_jitter(&st->jitter_bwd,
			     ktime_to_ns(ktime_sub(res->t4, st->prev_t4)) -
			     ktime_to_ns(ktime_sub(res->t3, st->prev_t3)));
		twamp_jitter(&st->jitter_rtt,
			     ktime_to_ns(ktime_sub(res->t4, st->prev_t4)) -
			     ktime_to_ns(ktime_sub(res->t1, st->prev_t1)));
	}
	st->have_prev = true;
	st->prev_t1 = res->t1;
	st->prev_t2 = res->t2;
	st->prev_t3 = res->t3;
	st->prev_t4 = res->t4;

	/* IPDV between this packet and its received neighbours. */
	nb = &s->slots[(res->seq - 1) & (s->n_slots - 1)];
	if (res->seq && nb->t1 && nb->seq == res->seq - 1 && nb->received)
		twamp_ipdv(st, nb->rtt, rtt);
	nb = &s->slots[(res->seq + 1) & (s->n_slots - 1)];
	if (nb->t1 && nb->seq == res->seq + 1 && nb->received)
		twamp_ipdv(st, rtt, nb->rtt);

	/* Reordering (RFC 4737), counting first copies only. */
	if ((s32)(res->seq - st->next_exp) >= 0) {
		st->next_exp = res->seq + 1;
	} else {
		st->reordered++;
		res->flags |= TWAMP_RESULT_REORDERED;
		twamp_reorder(st, res->seq);
	}
	st->arrivals[st->n_arrivals++ % TWAMP_REORDER_HISTORY] = res->seq;

	/* A stateful reflector numbers its replies itself. */
	if (res->refl_seq != res->seq)
		st->refl_stateful = true;
	st->refl_seq_max = max(st->refl_seq_max, res->refl_seq);
}

/* hi:lo / n, exact while hi is 0; saturates. */
static u64 twamp_div128(u64 hi, u64 lo, u64 n)
{
	unsigned int shift = 0;
	u64 q;

	while (hi) {
		lo = lo >> 1 | hi << 63;
		hi >>= 1;
		shift++;
	}
	q = div64_u64(lo, n);
	return shift && q > (U64_MAX >> shift) ? U64_MAX : q << shift;
}

static s64 twamp_hist_percentile(const u32 *hist, u64 n, unsigned int pct)
{
	u64 want = DIV_ROUND_UP_ULL(n * pct, 100), seen = 0;
	unsigned int i;

	for (i = 0; i < TWAMP_HIST_BUCKETS; i++) {
		seen += hist[i];
		if (seen >= want)
			return twamp_hist_value(i);
	}
	return 0;
}

/**
 * twamp_sender_snapshot() - copy the statistics and derive the rest
 * @s: the sender; caller holds s->lock
 * @snap: where
 */
void twamp_sender_snapshot(struct twamp_sender *s,
			   struct twamp_stats_snapshot *snap)
{
	const struct twamp_stats *st = &s->st;
	u64 n = st->received, mean_sq, sq_mean;
	s64 mean;

	lockdep_assert_held(&s->lock);

	snap->st = *st;
	snap->state = s->state;
	snap->rtt_stddev = 0;
	if (!n)
		return;

	snap->rtt_p50 = twamp_hist_percentile(s->hist, n, 50);
	snap->rtt_p90 = twamp_hist_percentile(s->hist, n, 90);
	snap->rtt_p99 = twamp_hist_percentile(s->hist, n, 99);
	/* The percentiles stay within the extremes; Var = E[x^2] - E[x]^2. */
	snap->rtt_p50 = clamp(snap->rtt_p50, st->rtt_min, st->rtt_max);
	snap->rtt_p90 = clamp(snap->rtt_p90, st->rtt_min, st->rtt_max);
	snap->rtt_p99 = clamp(snap->rtt_p99, st->rtt_min, st->rtt_max);
	mean = div64_s64(st->rtt_sum, n);
	mean_sq = (u64)abs(mean) * abs(mean);
	sq_mean = twamp_div128(st->rtt_sumsq_hi, st->rtt_sumsq_lo, n);
	if (sq_mean > mean_sq)
		snap->rtt_stddev = int_sqrt64(sq_mean - mean_sq);
}

/* The counters of reflectors and sessions */

/**
 * twamp_counters_alloc() - allocate a set of per-CPU counters, zeroed
 * @gfp: allocation flags, process context
 *
 * Return: the counters, or NULL.
 */
struct twamp_pcpu_counters __percpu *twamp_counters_alloc(gfp_t gfp)
{
	struct twamp_pcpu_counters __percpu *pc;
	int cpu;

	pc = alloc_percpu_gfp(struct twamp_pcpu_counters, gfp);
	if (!pc)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(pc, cpu)->syncp);
	return pc;
}

/**
 * twamp_counters_sum() - add up per-CPU counters
 * @pc: the counters
 * @sum: where to put the totals
 */
void twamp_counters_sum(struct twamp_pcpu_counters __percpu *pc,
			u64 sum[__TWAMP_CNT_MAX])
{
	unsigned int start, i;
	int cpu;

	memset(sum, 0, sizeof(u64) * __TWAMP_CNT_MAX);
	for_each_possible_cpu(cpu) {
		const struct twamp_pcpu_counters *p = per_cpu_ptr(pc, cpu);
		u64 v[__TWAMP_CNT_MAX];

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < __TWAMP_CNT_MAX; i++)
				v[i] = u64_stats_read(&p->c[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));

		for (i = 0; i < __TWAMP_CNT_MAX; i++)
			sum[i] += v[i];
	}
}
