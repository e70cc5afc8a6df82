/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd's control connections: accepting them (or refusing with a
 * Server-Greeting of Modes 0), moving octets between their sockets and the
 * engine, and closing them, after the last message when they fail.
 */
#ifndef TWAMPD_CONN_H
#define TWAMPD_CONN_H

#include "twampd.h"

/* Accept every pending connection on the listener @l. */
void conn_accept(struct ev *l);
/* Feed what the socket has to the engine, and flush its answers. */
void conn_read(struct conn *c);
/* Send what the engine has queued. Returns -1 if the connection is gone. */
int conn_flush(struct conn *c);
/* Close @c, delete its sessions, log @why. */
void conn_free(struct conn *c, const char *why);

#endif /* TWAMPD_CONN_H */
