/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd's settings: defaults, the "key value" config file and the
 * command-line options all write the same struct through cfg_set(), so a
 * setting has one name and one parser wherever it comes from.
 */
#ifndef TWAMPD_CONFIG_H
#define TWAMPD_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "control/control.h"

#define CFG_DEFAULT_FILE	"/etc/twamp/twampd.conf"
#define CFG_MAX_LISTEN		16
#define CFG_MAX_ALLOW		64
#define CFG_MAX_REFLECTORS	32
/* The port of metrics-listen when it names none. */
#define CFG_METRICS_PORT	9862

enum cfg_backend {
	CFG_BACKEND_AUTO,
	CFG_BACKEND_KERNEL,
	CFG_BACKEND_USER,
};

struct cfg_listen {
	struct sockaddr_storage addr;	/* port 0: the "port" setting */
};

/*
 * A "reflector" line: a kernel reflector twampd keeps (reflectors.c), with
 * the words of "twamp-ctl reflector add". -1 in a field: the kernel's
 * default.
 */
struct cfg_reflector {
	unsigned int line;		/* in the config file, 0: elsewhere */
	struct sockaddr_storage local;	/* AF_UNSPEC: every address */
	uint16_t port;
	char dev[16];			/* IFNAMSIZ */
	bool stamp, ptp, stateful, sessions_only;
	int dscp;			/* -1: keep the received one */
	uint32_t rate_limit;
	long max_dynamic, max_per_source, refwait_ms;
	struct twc_prefix allow[CFG_MAX_ALLOW];
	unsigned int n_allow;
};

struct twampd_cfg {
	struct cfg_listen listen[CFG_MAX_LISTEN];
	unsigned int n_listen;		/* 0: [::] (V6ONLY) and 0.0.0.0 */
	uint16_t port;
	enum cfg_backend backend;
	uint32_t modes;			/* TWC_MODE_* wanted */
	char key_file[PATH_MAX];
	uint32_t count;			/* PBKDF2 iterations */
	uint16_t port_min, port_max;	/* test (UDP) ports */
	unsigned int max_conns;
	unsigned int max_sessions;	/* per control connection */
	struct twc_prefix allow[CFG_MAX_ALLOW];
	unsigned int n_allow;		/* 0: everyone */
	/* Sender Addresses allowed besides the client's own. */
	struct twc_prefix allow_sender[CFG_MAX_ALLOW];
	unsigned int n_allow_sender;
	/* Receiver Addresses allowed besides the control connection's. */
	struct twc_prefix allow_receiver[CFG_MAX_ALLOW];
	unsigned int n_allow_receiver;
	unsigned int servwait;		/* seconds, 0: never */
	unsigned int refwait;		/* seconds, 0: never */
	struct cfg_reflector reflectors[CFG_MAX_REFLECTORS];
	unsigned int n_reflectors;
	char pid_file[PATH_MAX];
	/* metrics-listen: the HTTP endpoint (metrics.c); AF_UNSPEC: off. */
	struct sockaddr_storage metrics_listen;
	bool foreground;
	bool debug;
};

void cfg_defaults(struct twampd_cfg *c);
/*
 * Apply one setting. "listen", "allow", "allow-sender" and "allow-receiver"
 * add to their list. Returns 0, or -1 with a message in @err.
 */
int cfg_set(struct twampd_cfg *c, const char *key, const char *val,
	    char *err, size_t errlen);
/* Read a config file; a missing file is an error only if @must_exist. */
int cfg_load(struct twampd_cfg *c, const char *path, bool must_exist,
	     char *err, size_t errlen);
/*
 * A reflector line in its canonical form (every setting, defaults left
 * out): two lines that give the same text declare the same reflector.
 */
const char *cfg_reflector_str(const struct cfg_reflector *r, char *buf,
			      size_t len);
/* Is this client address in the allow list (or is there no list)? */
bool cfg_allowed(const struct twampd_cfg *c, const struct sockaddr *sa);
/* "open,auth,..." for the log. */
const char *cfg_modes_str(uint32_t modes, char *buf, size_t len);
/* "192.0.2.1:862" or "[2001:db8::1]:862". */
const char *cfg_addr_str(const struct sockaddr *sa, char *buf, size_t len);
/* The address alone: "192.0.2.1" or "2001:db8::1". */
const char *cfg_ip_str(const struct sockaddr *sa, char *buf, size_t len);

#endif
