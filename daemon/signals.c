// SPDX-License-Identifier: GPL-2.0
/*
 * twampd's signals through a signalfd, so that they are events of the loop
 * like any other and no handler runs between two of its steps. It must be
 * set up after the fork into the background and before any thread starts.
 */

#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "log.h"
#include "reload.h"
#include "signals.h"
#include "twampd.h"

int signals_setup(void)
{
	struct epoll_event ev;
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before any thread starts, so only the signalfd sees them. */
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	twd.sig.type = EV_SIGNAL;
	twd.sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (twd.sig.fd < 0)
		return -1;
	ev.events = EPOLLIN;
	ev.data.ptr = &twd.sig;
	return epoll_ctl(twd.epfd, EPOLL_CTL_ADD, twd.sig.fd, &ev);
}

void signals_read(void)
{
	struct signalfd_siginfo si;

	while (read(twd.sig.fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload();
			continue;
		}
		log_info("%s: shutting down", strsignal(si.ssi_signo));
		twd.stop = true;
	}
}
