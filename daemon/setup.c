// SPDX-License-Identifier: GPL-2.0
/*
 * twampd's start-up: listeners (by default [::] with IPV6_V6ONLY and
 * 0.0.0.0), the backend, and the Modes of the greeting, which are the
 * configured ones the backend implements. The key file must be root's
 * or twampd's, and no one else's.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "keyfile.h"
#include "log.h"
#include "setup.h"
#include "twampd.h"

static int open_listener(const struct sockaddr_storage *ss, bool quiet_v6)
{
	socklen_t len = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
		       sizeof(struct sockaddr_in6);
	struct epoll_event ev;
	char name[64];
	int fd, one = 1;
	struct ev *l;

	cfg_addr_str((const struct sockaddr *)ss, name, sizeof(name));
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		if (quiet_v6 && errno == EAFNOSUPPORT) {
			log_warn("no IPv6 on this host: not listening on %s",
				 name);
			return 0;
		}
		log_err("socket for %s: %s", name, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 128)) {
		log_err("cannot listen on %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	l = &twd.listeners[twd.n_listeners++];
	l->type = EV_LISTEN;
	l->fd = fd;
	ev.events = EPOLLIN;
	ev.data.ptr = l;
	if (epoll_ctl(twd.epfd, EPOLL_CTL_ADD, fd, &ev)) {
		log_err("epoll_ctl: %s", strerror(errno));
		return -1;
	}
	log_info("listening on %s", name);
	return 0;
}

int setup_listeners(void)
{
	struct sockaddr_storage ss;
	unsigned int i;

	if (!twd.cfg.n_listen) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		memset(&ss, 0, sizeof(ss));
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons(twd.cfg.port);
		if (open_listener(&ss, true))
			return -1;
		memset(&ss, 0, sizeof(ss));
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = htons(twd.cfg.port);
		return open_listener(&ss, false);
	}
	for (i = 0; i < twd.cfg.n_listen; i++) {
		ss = twd.cfg.listen[i].addr;
		if (ss.ss_family == AF_INET &&
		    !((struct sockaddr_in *)&ss)->sin_port)
			((struct sockaddr_in *)&ss)->sin_port = htons(twd.cfg.port);
		if (ss.ss_family == AF_INET6 &&
		    !((struct sockaddr_in6 *)&ss)->sin6_port)
			((struct sockaddr_in6 *)&ss)->sin6_port =
				htons(twd.cfg.port);
		if (open_listener(&ss, false))
			return -1;
	}
	return 0;
}

/*
 * The key file holds secrets: root's or twampd's own, for nobody else, or
 * twampd refuses it. Under systemd it may come as the credential
 * "key-file" (twampd.service), which lets twampd run without root.
 */
struct twc_keyring *setup_load_keys(const struct twampd_cfg *c)
{
	char err[PATH_MAX + 256], cred[PATH_MAX];
	struct twc_keyring *keys;
	const char *path;

	path = key_file_path(c->key_file, cred, sizeof(cred));
	if (!path[0]) {
		log_err("modes other than open need a key file (key-file, --key-file)");
		return NULL;
	}
	if (key_file_check(path, err, sizeof(err))) {
		log_err("%s", err);
		return NULL;
	}
	if (path == cred)
		log_info("key file: the systemd credential %s%s%s", path,
			 c->key_file[0] ? ", in place of " : "", c->key_file);
	keys = twc_keyring_load(path, err, sizeof(err));
	if (!keys)
		log_err("key file %s: %s", path, err);
	return keys;
}

int setup_backend(void)
{
	char err[256];

	switch (twd.cfg.backend) {
	case CFG_BACKEND_USER:
		twd.be = backend_user_new(twd.cfg.port_min, twd.cfg.port_max, err,
					sizeof(err));
		if (!twd.be) {
			log_err("user backend: %s", err);
			return -1;
		}
		log_info("backend: user (userspace reflector), as configured");
		return 0;
	case CFG_BACKEND_KERNEL:
		twd.be = backend_kernel_new(twd.cfg.port_min, twd.cfg.port_max, err,
					  sizeof(err));
		if (!twd.be) {
			log_err("kernel backend: %s", err);
			return -1;
		}
		log_info("backend: kernel (twamp.ko), as configured");
		return 0;
	case CFG_BACKEND_AUTO:
		break;
	}
	twd.be = backend_kernel_new(twd.cfg.port_min, twd.cfg.port_max, err,
				  sizeof(err));
	if (twd.be) {
		log_info("backend: kernel (twamp.ko)");
		return 0;
	}
	log_info("backend: user (userspace reflector), because the kernel backend is unavailable: %s",
		 err);
	twd.be = backend_user_new(twd.cfg.port_min, twd.cfg.port_max, err,
				sizeof(err));
	if (!twd.be) {
		log_err("user backend: %s", err);
		return -1;
	}
	return 0;
}

int setup_modes(void)
{
	uint32_t want = twd.cfg.modes, modes = want & twd.be->modes;
	char buf[128];

	if (want & ~twd.be->modes)
		log_warn("modes %s: not available with the %s backend, not advertised",
			 cfg_modes_str(want & ~twd.be->modes, buf, sizeof(buf)),
			 twd.be->name);
	if (!(modes & TWC_MODE_SECURITY)) {
		log_err("none of the configured modes (%s) is available",
			cfg_modes_str(want, buf, sizeof(buf)));
		return -1;
	}
	if (modes & (TWC_MODE_AUTH | TWC_MODE_ENCRYPT | TWC_MODE_MIXED)) {
		twd.keys = setup_load_keys(&twd.cfg);
		if (!twd.keys)
			return -1;
	}
	twd.server.modes = modes;
	twd.server.keys = twd.keys;
	twd.server.count = twd.cfg.count;
	twd.server.max_sessions = twd.cfg.max_sessions;
	log_info("modes: %s", cfg_modes_str(modes, buf, sizeof(buf)));
	return 0;
}
