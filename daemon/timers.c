// SPDX-License-Identifier: GPL-2.0
/*
 * twampd's timers: one pass over the connections that expires what is due
 * and finds the next deadline. SERVWAIT is paused while a connection is
 * testing and runs again once REFWAIT has run out on all its sessions.
 */

#include "conn.h"
#include "session.h"
#include "timers.h"

/* How often a testing connection's sessions are checked for REFWAIT. */
#define REFWAIT_CHECK_NS	NSEC_PER_SEC

uint64_t timers_run(uint64_t now)
{
	uint64_t servwait = twd.cfg.servwait * NSEC_PER_SEC, next = 0;
	struct conn *c, *cn;

#define NEXT(t) do { if (!next || (t) < next) next = (t); } while (0)
	for (c = twd.conns; c; c = cn) {
		struct session **sp, *s;

		cn = c->next;
		if (c->closing) {
			if (now >= c->close_at) {
				conn_free(c, twc_conn_error(c->tc) ?:
					  "protocol error");
				continue;
			}
			NEXT(c->close_at);
			continue;
		}
		for (sp = &c->sessions; (s = *sp);) {
			if (s->stop_at && now >= s->stop_at) {
				*sp = s->next;
				session_free(c, s, "stopped, Timeout over");
				continue;
			}
			if (s->stop_at)
				NEXT(s->stop_at);
			sp = &s->next;
		}
		/*
		 * SERVWAIT does not run while sessions are being tested; it
		 * starts again from the Stop-Sessions that ends the test, or
		 * once REFWAIT has run out on every session (RFC 5357 4.2).
		 */
		if (servwait && twc_conn_testing(c->tc)) {
			if (now >= c->check_at) {
				c->check_at = now + REFWAIT_CHECK_NS;
				if (sessions_alive(c))
					c->idle_since = 0;
				else if (!c->idle_since)
					c->idle_since = now;
			}
			if (c->idle_since && now >= c->idle_since + servwait) {
				conn_free(c, "SERVWAIT expired after REFWAIT ran out on every session");
				continue;
			}
			NEXT(c->check_at);
			if (c->idle_since)
				NEXT(c->idle_since + servwait);
			continue;
		}
		c->check_at = 0;
		c->idle_since = 0;
		if (!servwait)
			continue;
		if (now >= c->last_active + servwait) {
			conn_free(c, "SERVWAIT expired");
			continue;
		}
		NEXT(c->last_active + servwait);
	}
#undef NEXT
	return next;
}
