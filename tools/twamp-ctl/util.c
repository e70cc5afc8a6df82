// SPDX-License-Identifier: GPL-2.0
/*
 * Argument parsing and output helpers shared by the subcommands.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "help");
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
 * A decimal number with a unit: "10ms", "1.5s", "250us", "100ns". No
 * floating point, so "0.1s" is exactly 100000000 ns.
 */
int parse_duration_ns(const char *what, const char *s, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, frac_div = 1, unit = 0;
	const char *p = s;
	size_t i;

	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - (*p - '0')) / 10)
			goto bad;
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
	for (i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
		if (!strcmp(p, duration_units[i].suffix))
			unit = duration_units[i].ns;
	if (!unit || whole > UINT64_MAX / unit ||
	    whole * unit > UINT64_MAX - frac * unit / frac_div)
		goto bad;
	*out = whole * unit + frac * unit / frac_div;
	return 0;
bad:
	fprintf(stderr,
		"%s: invalid %s '%s' (a duration such as 100us, 10ms or 1.5s)\n",
		PROG_NAME, what, s);
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
