/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of reflectors and sessions: per CPU, written in softirq
 * without locks, summed when read (stats.c).
 */
#ifndef _TWAMP_STATS_H
#define _TWAMP_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>

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

struct twamp_pcpu_counters __percpu *twamp_counters_alloc(gfp_t gfp);
void twamp_counters_sum(struct twamp_pcpu_counters __percpu *pc,
			u64 sum[__TWAMP_CNT_MAX]);

#endif /* _TWAMP_STATS_H */
