/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIGHUP: the config file read again and what can change without a
 * restart applied, all or nothing, with live connections and sessions
 * left as they are.
 */
#ifndef TWAMPD_RELOAD_H
#define TWAMPD_RELOAD_H

void reload(void);
/* At exit: free the key files replaced by reloads. */
void reload_cleanup(void);

#endif /* TWAMPD_RELOAD_H */
