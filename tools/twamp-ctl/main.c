// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl: configure twamp.ko and run TWAMP/STAMP measurements.
 */

#include <stdio.h>
#include <string.h>

#include "ctl.h"

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
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <command> [<args>]\n\nCommands:\n", PROG_NAME);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(f, "\n'%s <command> -h' shows the options of a command.\n",
		PROG_NAME);
}

int main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s %s\n", PROG_NAME, TWAMP_VERSION);
		return 0;
	}

	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);

	fprintf(stderr, "%s: unknown command '%s'\n", PROG_NAME, argv[1]);
	usage(stderr);
	return 1;
}
