// SPDX-License-Identifier: GPL-2.0
/*
 * twampd's options, each the long name of a config key: one parser
 * (cfg_set()) whether a setting comes from the file or the command line.
 */

#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "config.h"
#include "options.h"
#include "twampd.h"

#ifndef TWAMP_VERSION
#define TWAMP_VERSION "unknown"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: twampd [OPTIONS]\n"
		"\n"
		"TWAMP-Control server (RFC 5357): negotiates test sessions and has\n"
		"twamp.ko (or a userspace reflector) reflect them.\n"
		"\n"
		"  -c, --config FILE       config file (default " CFG_DEFAULT_FILE ")\n"
		"  -l, --listen ADDR[:PORT] listen address (repeatable; default [::] and 0.0.0.0)\n"
		"  -p, --port PORT         TCP port (default 862)\n"
		"  -f, --foreground        stay in the foreground, log to standard error\n"
		"  -d, --debug             log debug messages\n"
		"      --backend auto|kernel|user\n"
		"                          where test sessions are reflected (default auto)\n"
		"      --modes LIST        open,auth,encrypt,mixed,individual,reflect-octets,\n"
		"                          symmetric,ptp\n"
		"                          (default open)\n"
		"      --key-file FILE     KeyID and secret lines (auth, encrypt, mixed)\n"
		"      --pbkdf2-count N    PBKDF2 iterations in the greeting (default 4096)\n"
		"      --port-range MIN-MAX UDP test ports, the only ones used (default\n"
		"                          20000-20999)\n"
		"      --max-conns N       control connections (default 64)\n"
		"      --max-sessions N    sessions per connection (default 16)\n"
		"      --allow PREFIX      allowed clients (repeatable; default all)\n"
		"      --allow-sender PREFIX\n"
		"                          Sender Addresses allowed besides the client's own\n"
		"                          (repeatable; default none)\n"
		"      --allow-receiver PREFIX\n"
		"                          this host's addresses a session may be reflected\n"
		"                          on besides the one the client connected to\n"
		"                          (repeatable; default none)\n"
		"      --servwait SEC      idle control connection timeout (default 900, 0 never)\n"
		"      --refwait SEC       idle test session timeout (default 900, 0 never)\n"
		"      --pid-file FILE     write the process ID there\n"
		"      --metrics-listen ADDR[:PORT]\n"
		"                          serve Prometheus metrics on http://ADDR:PORT/metrics\n"
		"                          (default port 9862; default off)\n"
		"  -h, --help              this text\n"
		"  -V, --version           print the version\n");
}

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "port", required_argument, NULL, 'p' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "debug", no_argument, NULL, 'd' },
	{ "backend", required_argument, NULL, 'B' },
	{ "modes", required_argument, NULL, 'M' },
	{ "key-file", required_argument, NULL, 'K' },
	{ "pbkdf2-count", required_argument, NULL, 'N' },
	{ "port-range", required_argument, NULL, 'R' },
	{ "max-conns", required_argument, NULL, 'C' },
	{ "max-sessions", required_argument, NULL, 'S' },
	{ "allow", required_argument, NULL, 'A' },
	{ "allow-sender", required_argument, NULL, 'a' },
	{ "allow-receiver", required_argument, NULL, 'r' },
	{ "servwait", required_argument, NULL, 'W' },
	{ "refwait", required_argument, NULL, 'w' },
	{ "pid-file", required_argument, NULL, 'P' },
	{ "metrics-listen", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char short_opts[] = "c:l:p:fdhV";

static int saved_argc;
static char **saved_argv;
static const char *config_path = CFG_DEFAULT_FILE;
static bool config_given;
static char abs_path[PATH_MAX];

/*
 * The second pass: the options over the file's settings in @c. A list
 * given on the command line replaces the file's list instead of adding
 * to it.
 */
static int apply_options(struct twampd_cfg *c, char *err, size_t errlen)
{
	bool listen_cleared = false, allow_cleared = false,
	     sender_cleared = false, receiver_cleared = false;
	char msg[512];
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(saved_argc, saved_argv, short_opts,
				  long_opts, NULL)) != -1) {
		const char *key = NULL;
		unsigned int i;

		switch (opt) {
		case 'f':
			c->foreground = true;
			continue;
		case 'd':
			c->debug = true;
			continue;
		case 'l':
			if (!listen_cleared)
				c->n_listen = 0;
			listen_cleared = true;
			break;
		case 'A':
			if (!allow_cleared)
				c->n_allow = 0;
			allow_cleared = true;
			break;
		case 'a':
			if (!sender_cleared)
				c->n_allow_sender = 0;
			sender_cleared = true;
			break;
		case 'r':
			if (!receiver_cleared)
				c->n_allow_receiver = 0;
			receiver_cleared = true;
			break;
		case 'c':
			continue;
		}
		for (i = 0; long_opts[i].name; i++)
			if (long_opts[i].val == opt)
				key = long_opts[i].name;
		if (!key || cfg_set(c, key, optarg, msg, sizeof(msg))) {
			snprintf(err, errlen, "--%s", key ? msg : "?");
			return -1;
		}
	}
	return 0;
}

/*
 * Two passes: the first finds the config file, which is read before the
 * second applies the options over it.
 */
int options_parse(int argc, char **argv)
{
	char err[1024];
	int opt;

	saved_argc = argc;
	saved_argv = argv;
	cfg_defaults(&twd.cfg);
	opterr = 1;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			config_given = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("twampd %s\n", TWAMP_VERSION);
			exit(0);
		case '?':
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "twampd: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	/* SIGHUP reads it again after the daemon's chdir("/"). */
	if (config_path[0] != '/' && realpath(config_path, abs_path))
		config_path = abs_path;
	if (cfg_load(&twd.cfg, config_path, config_given, err, sizeof(err)) ||
	    apply_options(&twd.cfg, err, sizeof(err))) {
		fprintf(stderr, "twampd: %s\n", err);
		return -1;
	}
	return 0;
}

const char *options_config_path(void)
{
	return config_path;
}

int options_reload(struct twampd_cfg *c, char *err, size_t errlen)
{
	cfg_defaults(c);
	if (cfg_load(c, config_path, config_given, err, errlen) ||
	    apply_options(c, err, errlen))
		return -1;
	return 0;
}
