/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd's signals, read from a signalfd in the event loop: SIGTERM and
 * SIGINT stop it, SIGHUP is logged; SIGPIPE is ignored.
 */
#ifndef TWAMPD_SIGNALS_H
#define TWAMPD_SIGNALS_H

/* Block the signals and add their signalfd to the epoll set: 0 or -1. */
int signals_setup(void);
/* Handle what the signalfd has: twd.stop on SIGTERM or SIGINT. */
void signals_read(void);

#endif /* TWAMPD_SIGNALS_H */
