// SPDX-License-Identifier: GPL-2.0
/*
 * twampd's life as a service: Type=notify readiness without libsystemd,
 * the PID file, and the start in the background where "twampd" exits 0
 * only once the daemon is ready.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"
#include "service.h"
#include "twampd.h"

/* systemd's readiness protocol (Type=notify), without libsystemd. */
void service_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, path);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun,
	       len);
	close(fd);
}

int service_write_pid(void)
{
	FILE *f;

	if (!twd.cfg.pid_file[0])
		return 0;
	f = fopen(twd.cfg.pid_file, "we");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		log_err("pid file %s: %s", twd.cfg.pid_file, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Into the background: the parent waits until the child is ready (or has
 * failed) so that the exit status of "twampd" says whether it started.
 */
int service_daemonize(int *ready_fd)
{
	int pfd[2];
	char c;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			_exit(1);
		_exit(c == 'R' ? 0 : 1);
	}
	close(pfd[0]);
	setsid();
	if (chdir("/"))
		return -1;
	*ready_fd = pfd[1];
	return 0;
}

void service_detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
}
