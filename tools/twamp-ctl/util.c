// SPDX-License-Identifier: GPL-2.0
/*
 * Argument parsing and output helpers shared by the subcommands.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "util.h"

bool ctl_json, ctl_pretty;

bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "help");
}

int parse_id_json_args(const char *cmd, int argc, char *argv[],
		       void (*usage)(FILE *f), const char **id, bool *json)
{
	int i;

	*json = *json || ctl_json;
	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-j")) {
			*json = true;
		} else if (!*id) {
			*id = argv[i];
		} else {
			fprintf(stderr, "%s: %s: unexpected argument '%s'\n",
				PROG_NAME, cmd, argv[i]);
			usage(stderr);
			return 1;
		}
	}
	return -1;
}

int parse_u64(const char *what, const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "%s: invalid %s '%s' (an integer from 0 to %" PRIu64 ")\n",
		PROG_NAME, what, s, max);
	return -1;
}

static const struct {
	const char *suffix;
	uint64_t ns;
} duration_units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "ms", 1000000 },
	{ "s", 1000000000 },
};

/*
 * A decimal number and a unit, or no unit when @bare_unit is non-zero. No
 * floating point, so "0.1s" is exactly 100000000 ns.
 */
static int duration_ns(const char *s, uint64_t bare_unit, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, frac_div = 1, unit = 0;
	const char *p = s;
	size_t i;

	/* "0.5", or ".5" as ping(8) and strtod() accept it */
	if (!isdigit((unsigned char)p[0]) &&
	    !(p[0] == '.' && isdigit((unsigned char)p[1])))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - (*p - '0')) / 10)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (frac_div >= 1000000000ULL)
				continue;	/* below a nanosecond */
			frac = frac * 10 + (*p - '0');
			frac_div *= 10;
		}
	}
	if (!*p)
		unit = bare_unit;
	for (i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
		if (!strcmp(p, duration_units[i].suffix))
			unit = duration_units[i].ns;
	if (!unit || whole > UINT64_MAX / unit ||
	    whole * unit > UINT64_MAX - frac * unit / frac_div)
		return -1;
	*out = whole * unit + frac * unit / frac_div;
	return 0;
}

/* A duration with a unit: "10ms", "1.5s", "250us", "100ns". */
int parse_duration_ns(const char *what, const char *s, uint64_t *out)
{
	if (!duration_ns(s, 0, out))
		return 0;
	fprintf(stderr,
		"%s: invalid %s '%s' (a duration such as 100us, 10ms or 1.5s)\n",
		PROG_NAME, what, s);
	return -1;
}

/* As ping(8) takes intervals: "0.2" is seconds; "200ms" works too. */
int parse_seconds_ns(const char *what, const char *s, uint64_t *out)
{
	if (!duration_ns(s, 1000000000, out))
		return 0;
	fprintf(stderr,
		"%s: invalid %s '%s' (seconds such as 0.2, or a duration such as 200ms)\n",
		PROG_NAME, what, s);
	return -1;
}

/* Class selectors, assured and expedited forwarding (RFC 2474, 2597, 3246, 8622). */
static const struct {
	const char *name;
	uint8_t dscp;
} dscp_names[] = {
	{ "cs0", 0 }, { "cs1", 8 }, { "cs2", 16 }, { "cs3", 24 },
	{ "cs4", 32 }, { "cs5", 40 }, { "cs6", 48 }, { "cs7", 56 },
	{ "af11", 10 }, { "af12", 12 }, { "af13", 14 },
	{ "af21", 18 }, { "af22", 20 }, { "af23", 22 },
	{ "af31", 26 }, { "af32", 28 }, { "af33", 30 },
	{ "af41", 34 }, { "af42", 36 }, { "af43", 38 },
	{ "ef", 46 }, { "va", 44 }, { "le", 1 },
};

int parse_dscp(const char *s, uint8_t *out)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(dscp_names) / sizeof(dscp_names[0]); i++) {
		if (!strcasecmp(s, dscp_names[i].name)) {
			*out = dscp_names[i].dscp;
			return 0;
		}
	}
	if (isdigit((unsigned char)s[0])) {
		char *end;

		errno = 0;
		v = strtoull(s, &end, 0);
		if (!errno && !*end && v <= 63) {
			*out = v;
			return 0;
		}
	}
	fprintf(stderr,
		"%s: invalid dscp '%s' (0 to 63, or a name such as ef, af41, cs1)\n",
		PROG_NAME, s);
	return -1;
}

int parse_bool(const char *what, const char *s, bool *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "on") || !strcmp(s, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "no") || !strcmp(s, "off") || !strcmp(s, "0")) {
		*out = false;
		return 0;
	}
	fprintf(stderr, "%s: invalid %s '%s' (yes or no)\n", PROG_NAME, what, s);
	return -1;
}

volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted++;
}

int catch_interrupts(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &block, wait_mask))
		return -1;
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	/* No SA_RESTART: the wait must return EINTR. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -1;
	return 0;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * A JSON list printed as the kernel's replies arrive: "[" before the first
 * item, "," between items, and the closing "]" only once the request
 * succeeded, so that a failure never looks like an empty list.
 */
void json_list_item(unsigned int count)
{
	fputc(count ? ',' : '[', stdout);
}

void json_list_end(unsigned int count, int err)
{
	if (!err)
		fputs(count ? "]\n" : "[]\n", stdout);
	else if (count)
		fputs("]\n", stdout);
}
