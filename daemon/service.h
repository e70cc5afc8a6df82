/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd as a service: systemd's readiness notification, the PID file,
 * going into the background and leaving the terminal.
 */
#ifndef TWAMPD_SERVICE_H
#define TWAMPD_SERVICE_H

/* Send @msg ("READY=1") to $NOTIFY_SOCKET, if systemd set one. */
void service_notify(const char *msg);
/* Write the PID file, if one is configured: 0, or -1 logged. */
int service_write_pid(void);
/*
 * Fork; the parent exits when the child writes 'R' (status 0) or anything
 * else (1) to *@ready_fd, or closes it. Returns 0 in the child, -1.
 */
int service_daemonize(int *ready_fd);
/* Standard input, output and error to /dev/null. */
void service_detach_stdio(void);

#endif /* TWAMPD_SERVICE_H */
