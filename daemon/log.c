// SPDX-License-Identifier: GPL-2.0
/*
 * One line per event. In the foreground the lines go to standard error;
 * under systemd (JOURNAL_STREAM set) each starts with "<N>", which the
 * journal turns into the line's priority. Otherwise they go to syslog.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static bool log_stderr = true;
static bool log_debug_on;
static bool log_journal;

static const char *const level_names[] = {
	[LOG_EMERG] = "emergency", [LOG_ALERT] = "alert",
	[LOG_CRIT] = "critical", [LOG_ERR] = "error",
	[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_init(bool to_stderr, bool debug)
{
	log_stderr = to_stderr;
	log_debug_on = debug;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	if (!to_stderr)
		openlog("twampd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !log_debug_on)
		return;
	va_start(ap, fmt);
	if (log_stderr) {
		char line[1024];

		vsnprintf(line, sizeof(line), fmt, ap);
		if (log_journal)
			fprintf(stderr, "<%d>%s\n", prio, line);
		else
			fprintf(stderr, "twampd: %s: %s\n",
				level_names[prio & 7], line);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}
