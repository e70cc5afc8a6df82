/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TWAMP_H
#define _TWAMP_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <linux/twamp.h>

/* Clock state assumed until userspace says otherwise: unsynchronized. */
#define TWAMP_CLOCK_DEFAULT_ERROR_NS	(10 * NSEC_PER_MSEC)

/**
 * struct twamp_net - per network namespace state
 * @lock: serialises configuration changes in this namespace
 * @clock_synced: clock synchronized to UTC by an external source
 * @clock_error_ns: bound on the clock error, in nanoseconds
 * @error_estimate: RFC 4656 encoding of the two above, read locklessly
 *                  by the data path
 */
struct twamp_net {
	/* serialises configuration changes in this namespace */
	struct mutex lock;
	bool clock_synced;
	u64 clock_error_ns;
	u16 error_estimate;
};

extern unsigned int twamp_net_id;

static inline struct twamp_net *twamp_pernet(const struct net *net)
{
	return net_generic(net, twamp_net_id);
}

u16 twamp_error_estimate(u64 error_ns, bool synced);
void twamp_clock_init(struct twamp_net *tn);
void twamp_clock_set(struct twamp_net *tn, bool synced, u64 error_ns);

int twamp_nl_register(void);
void twamp_nl_unregister(void);

#endif /* _TWAMP_H */
