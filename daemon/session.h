/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test sessions of a control connection: the engine's server callbacks
 * (Request-TW-Session, Start-Sessions, Stop-Sessions), the address policy
 * applied to each request, and the backend sessions behind them.
 */
#ifndef TWAMPD_SESSION_H
#define TWAMPD_SESSION_H

#include <stdbool.h>

#include "control/control.h"
#include "twampd.h"

/* The callbacks every connection's engine gets, with the conn as ctx. */
extern const struct twc_server_ops session_server_ops;

/* Delete @s from the backend, log @why; the caller unlinks it first. */
void session_free(struct conn *c, struct session *s, const char *why);
/* Every session of @c, each logged with @why. */
void sessions_free(struct conn *c, const char *why);
/* Does any session of @c still reflect (REFWAIT not run out)? */
bool sessions_alive(struct conn *c);

#endif /* TWAMPD_SESSION_H */
