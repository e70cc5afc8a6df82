// SPDX-License-Identifier: GPL-2.0
/*
 * A reload builds the new settings aside (defaults, the file, the same
 * command line over it), checks them, reads the key file they name and
 * makes the kernel's reflectors theirs; only when all of that worked do
 * they replace twd.cfg. Anything failing leaves the old settings in force
 * and says why.
 *
 * What the loop set up at start (listeners, the backend with its test
 * ports, the PID file, the log) stays: a change there is logged as waiting
 * for a restart. Connections keep the settings they started with in the
 * engine (modes, key file, PBKDF2 count); twampd's own checks (max-conns,
 * max-sessions, the allow lists, servwait, refwait) use the new ones from
 * the next time they run.
 */

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "options.h"
#include "reflectors.h"
#include "reload.h"
#include "setup.h"
#include "twampd.h"

/*
 * Key files replaced by a reload: a connection that has not done its
 * Set-Up-Response yet holds the keyring it was greeted with, so they are
 * freed only once no connection from before is left.
 */
static struct twc_keyring **retired;
static unsigned int n_retired;

static void free_retired(void)
{
	while (n_retired)
		twc_keyring_free(retired[--n_retired]);
	free(retired);
	retired = NULL;
}

/* Keep @keys (not NULL) until free_retired(). */
static int retire(struct twc_keyring *keys)
{
	struct twc_keyring **r;

	r = realloc(retired, (n_retired + 1) * sizeof(*r));
	if (!r)
		return -1;
	retired = r;
	retired[n_retired++] = keys;
	return 0;
}

/* Keep the old value of a setting that needs a restart, and say so. */
#define KEEP(field, name)						\
	do {								\
		if (memcmp(&n->field, &twd.cfg.field, sizeof(n->field))) { \
			log_warn("SIGHUP: %s changed: it takes effect when twampd restarts", \
				 name);					\
			memcpy(&n->field, &twd.cfg.field, sizeof(n->field)); \
		}							\
	} while (0)

void reload(void)
{
	const char *path = options_config_path();
	struct twc_keyring *keys = NULL;
	struct twampd_cfg *n;
	uint32_t modes;
	char err[2048], buf[128];

	if (!twd.n_conns)
		free_retired();
	n = malloc(sizeof(*n));
	if (!n) {
		log_err("SIGHUP: out of memory: %s not reloaded", path);
		return;
	}
	log_info("SIGHUP: reloading %s", path);
	if (options_reload(n, err, sizeof(err))) {
		log_err("SIGHUP: %s; the configuration in force stays", err);
		goto out;
	}
	if (n->n_listen != twd.cfg.n_listen ||
	    memcmp(n->listen, twd.cfg.listen,
		   n->n_listen * sizeof(n->listen[0]))) {
		log_warn("SIGHUP: listen changed: it takes effect when twampd restarts");
		n->n_listen = twd.cfg.n_listen;
		memcpy(n->listen, twd.cfg.listen, sizeof(n->listen));
	}
	KEEP(port, "port");
	KEEP(backend, "backend");
	KEEP(port_min, "port-range");
	KEEP(port_max, "port-range");
	KEEP(pid_file, "pid-file");
	KEEP(metrics_listen, "metrics-listen");
	KEEP(foreground, "foreground");
	KEEP(debug, "debug");

	modes = n->modes & twd.be->modes;
	if (!(modes & TWC_MODE_SECURITY)) {
		log_err("SIGHUP: none of the configured modes (%s) is available; the configuration in force stays",
			cfg_modes_str(n->modes, buf, sizeof(buf)));
		goto out;
	}
	if (modes & (TWC_MODE_AUTH | TWC_MODE_ENCRYPT | TWC_MODE_MIXED)) {
		keys = setup_load_keys(n);
		if (!keys) {
			log_err("SIGHUP: the configuration in force stays");
			goto out;
		}
	}
	if (twd.keys && retire(twd.keys)) {
		log_err("SIGHUP: out of memory; the configuration in force stays");
		goto out;
	}
	if (reflectors_apply(n, path, err, sizeof(err))) {
		/* Undo the retire: the old keyring stays in use. */
		if (twd.keys)
			n_retired--;
		log_err("SIGHUP: %s; the configuration in force stays", err);
		goto out;
	}
	twd.keys = keys;
	keys = NULL;
	twd.server.modes = modes;
	twd.server.keys = twd.keys;
	twd.server.count = n->count;
	twd.server.max_sessions = n->max_sessions;
	twd.cfg = *n;
	log_info("SIGHUP: reloaded: modes %s, max-conns %u, max-sessions %u, servwait %u s, refwait %u s, %u reflector(s)",
		 cfg_modes_str(modes, buf, sizeof(buf)), twd.cfg.max_conns,
		 twd.cfg.max_sessions, twd.cfg.servwait, twd.cfg.refwait,
		 twd.cfg.n_reflectors);
out:
	if (keys)
		twc_keyring_free(keys);
	free(n);
}

void reload_cleanup(void)
{
	free_retired();
}
