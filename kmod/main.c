// SPDX-License-Identifier: GPL-2.0
/*
 * twamp.ko: TWAMP and STAMP test packets reflected and sent in softirq.
 *
 * Module init/exit and per network namespace state.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "clock.h"
#include "nl.h"
#include "reflector.h"
#include "sender.h"
#include "session.h"
#include "twamp.h"

unsigned int twamp_net_id __read_mostly;

static int __net_init twamp_net_init(struct net *net)
{
	struct twamp_net *tn = twamp_pernet(net);

	tn->net = net;
	mutex_init(&tn->lock);
	xa_init_flags(&tn->reflectors, XA_FLAGS_ALLOC1);
	twamp_sessions_init(tn);
	INIT_DELAYED_WORK(&tn->gc_work, twamp_session_gc_work);
	xa_init_flags(&tn->senders, XA_FLAGS_ALLOC1);
	twamp_clock_init(tn);
	return 0;
}

static void __net_exit twamp_net_exit(struct net *net)
{
	struct twamp_net *tn = twamp_pernet(net);

	mutex_lock(&tn->lock);
	twamp_senders_flush(tn);
	twamp_reflectors_flush(tn);
	mutex_unlock(&tn->lock);
	/* No session is left to expire, so the work does not re-arm. */
	cancel_delayed_work_sync(&tn->gc_work);
	xa_destroy(&tn->reflectors);
	xa_destroy(&tn->sessions);
	xa_destroy(&tn->senders);
	mutex_destroy(&tn->lock);
}

static struct pernet_operations twamp_net_ops = {
	.init = twamp_net_init,
	.exit = twamp_net_exit,
	.id   = &twamp_net_id,
	.size = sizeof(struct twamp_net),
};

static int __init twamp_init(void)
{
	int err;

	err = register_pernet_subsys(&twamp_net_ops);
	if (err)
		goto err_out;

	err = twamp_nl_register();
	if (err)
		goto err_unregister_pernet;

	/*
	 * Receive timestamps (T2, T4) on skbs, for as long as the module is
	 * loaded rather than per object: net_enable_timestamp() flips a
	 * static key when its count leaves zero, patching the receive path's
	 * code while it runs, and objects come and go at the rate of test
	 * sessions. Once per load keeps that out of their way.
	 */
	net_enable_timestamp();
	pr_info("version %s loaded\n", TWAMP_VERSION);
	return 0;

err_unregister_pernet:
	unregister_pernet_subsys(&twamp_net_ops);
err_out:
	return err;
}

static void __exit twamp_exit(void)
{
	twamp_nl_unregister();
	unregister_pernet_subsys(&twamp_net_ops);
	net_disable_timestamp();
	/* Reflectors are freed by RCU callbacks: let them run first. */
	rcu_barrier();
}

module_init(twamp_init);
module_exit(twamp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TWAMP and STAMP test packet reflector and sender");
MODULE_VERSION(TWAMP_VERSION);
MODULE_ALIAS_GENL_FAMILY(TWAMP_GENL_NAME);
