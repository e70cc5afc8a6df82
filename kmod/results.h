/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a sender reports while it runs: one record per packet and, at the
 * end, its statistics. sender.c calls this and knows nothing else of
 * netlink; nl_sender.c implements it with the "results" multicast group.
 */
#ifndef _TWAMP_RESULTS_H
#define _TWAMP_RESULTS_H

struct twamp_result;
struct twamp_sender;
struct twamp_stats_snapshot;

/* Callable in softirq. Return 0, or -ENOBUFS when a listener missed it. */
int twamp_results_packet(struct twamp_sender *s,
			 const struct twamp_result *res);
/* Callable in softirq. Return 0 or a negative errno. */
int twamp_results_done(struct twamp_sender *s,
		       const struct twamp_stats_snapshot *snap);

#endif /* _TWAMP_RESULTS_H */
