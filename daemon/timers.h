/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd's deadlines, which the event loop turns into its epoll timeout:
 * SERVWAIT, the Timeout after Stop-Sessions, the linger of a connection
 * being refused, the REFWAIT check of a testing connection.
 */
#ifndef TWAMPD_TIMERS_H
#define TWAMPD_TIMERS_H

#include <stdint.h>

/* Expire what is due at @now; return the next deadline (0: none). */
uint64_t timers_run(uint64_t now);

#endif /* TWAMPD_TIMERS_H */
