/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where twampd's test sessions are reflected: twamp.ko, programmed over
 * generic netlink (backend_kernel.c), or the userspace reflector thread
 * (backend_user.c, on ureflect). twampd.c only sees this interface.
 */
#ifndef TWAMPD_BACKEND_H
#define TWAMPD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "control/control.h"

/* One negotiated test session. */
struct be_session_params {
	/*
	 * Local address to receive on, already checked against the policy;
	 * its port is the one asked for, or 0.
	 */
	struct sockaddr_storage local;
	/* The Session-Sender: address and port. */
	struct sockaddr_storage peer;
	uint8_t sid[16];
	uint8_t dscp;
	uint32_t padding;
	uint16_t reflect_octets;	/* RFC 6038, with REFLECT_OCTETS */
	uint16_t reflect_len;
	uint32_t refwait_ms;		/* 0: never expire */
	bool ptp;			/* RFC 8186 (mode 512): stamp PTP */
	enum twc_test_security security;
	struct twc_test_keys keys;	/* authenticated/encrypted only */
};

struct backend {
	const char *name;		/* "kernel" or "user" */
	/* What it can do: TWC_MODE_* bits, security and features. */
	uint32_t modes;
	/*
	 * Create a session: on success returns 0 with the bound UDP port and
	 * a handle for session_del; otherwise a negative errno (-EADDRINUSE
	 * when no port was free) with a message in @err.
	 */
	int (*session_add)(struct backend *b, const struct be_session_params *p,
			   uint16_t *port, uint64_t *handle, char *err,
			   size_t errlen);
	void (*session_del)(struct backend *b, uint64_t handle);
	/* 1 if still reflecting, 0 if its REFWAIT ran out, or -errno. */
	int (*session_alive)(struct backend *b, uint64_t handle);
	void (*free)(struct backend *b);
	/*
	 * Test (UDP) ports, the only ones used: the asked-for one if it is
	 * one of them and free, else another.
	 */
	uint16_t port_min, port_max;
};

/*
 * Open the kernel backend: resolve the "twamp" family (loading the module
 * if it is missing). Returns NULL with the reason in @err.
 */
struct backend *backend_kernel_new(uint16_t port_min, uint16_t port_max,
				   char *err, size_t errlen);
/* Start the userspace reflector. */
struct backend *backend_user_new(uint16_t port_min, uint16_t port_max,
				 char *err, size_t errlen);

#endif
