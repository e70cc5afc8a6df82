// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl: configure twamp.ko and run TWAMP/STAMP measurements.
 */

#define _GNU_SOURCE		/* setns */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "json_pretty.h"
#include "suggest.h"

#define NETNS_RUN_DIR	"/var/run/netns"

static const struct subcommand subcommands[] = {
	{ "version", cmd_version, "show the tool's and the kernel module's version" },
	{ "clock", cmd_clock, "show or set the clock state behind Error Estimates" },
	{ "reflector", cmd_reflector, "add, delete and show kernel reflectors" },
	{ "session", cmd_session, "show, add and delete reflector sessions" },
	{ "sender", cmd_sender, "add, start, stop, delete and show kernel senders" },
	{ "stats", cmd_stats, "show the statistics of senders" },
	{ "monitor", cmd_monitor, "stream per-packet results of senders" },
	{ "ping", cmd_ping, "measure delay and loss to a reflector, like ping" },
	{ "test", cmd_test, "run a full TWAMP test against a TWAMP server" },
	{ "dump", cmd_dump, "print the kernel objects as commands that restore them" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-j [-p]] [-n NETNS] <command> [<args>]\n\nCommands:\n",
		PROG_NAME);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(f,
		"\nOptions, before the command:\n"
		"  -j         JSON output, as each command's -j\n"
		"  -p         with -j, indented JSON\n"
		"  -n NETNS   run in the network namespace NETNS (ip netns)\n"
		"\n'%s <command> -h' shows the options of a command.\n",
		PROG_NAME);
}

/* As ip -n: the named namespace of ip netns, before any socket is made. */
static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (!*name || strchr(name, '/') ||
	    snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name) >=
	    (int)sizeof(path)) {
		fprintf(stderr, "%s: invalid network namespace name '%s'\n",
			PROG_NAME, name);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: network namespace '%s': %s\n", PROG_NAME,
			name, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "%s: entering network namespace '%s': %s%s\n",
			PROG_NAME, name, strerror(errno),
			errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The global options; the index of the command, or -1 after an error. */
static int parse_globals(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && !is_help(argv[i]); i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "-json")) {
			ctl_json = true;
		} else if (!strcmp(argv[i], "-p") ||
			   !strcmp(argv[i], "-pretty")) {
			ctl_pretty = true;
		} else if (!strcmp(argv[i], "-n") ||
			   !strcmp(argv[i], "-netns")) {
			if (i + 1 == argc) {
				fprintf(stderr, "%s: option '%s' needs a value\n",
					PROG_NAME, argv[i]);
				return -1;
			}
			if (enter_netns(argv[++i]))
				return -1;
		} else if (!strcmp(argv[i], "--version") ||
			   !strcmp(argv[i], "-V")) {
			break;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", PROG_NAME,
				argv[i]);
			usage(stderr);
			return -1;
		}
	}
	return i;
}

static int run(int argc, char *argv[])
{
	size_t i;

	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[0], subcommands[i].name))
			return subcommands[i].fn(argc, argv);
	unknown_command(NULL, argv[0], subcommands,
			sizeof(subcommands) / sizeof(subcommands[0]),
			sizeof(subcommands[0]));
	usage(stderr);
	return 1;
}

int main(int argc, char *argv[])
{
	int first, ret;

	first = parse_globals(argc, argv);
	if (first < 0)
		return 1;
	if (first == argc) {
		usage(stderr);
		return 1;
	}
	if (is_help(argv[first])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[first], "--version") || !strcmp(argv[first], "-V")) {
		printf("%s %s\n", PROG_NAME, TWAMP_VERSION);
		return 0;
	}
	if (ctl_json && ctl_pretty && json_pretty_stdout()) {
		fprintf(stderr, "%s: -p: %s\n", PROG_NAME, strerror(errno));
		return 1;
	}
	ret = run(argc - first, argv + first);
	json_pretty_end();
	return ret;
}
