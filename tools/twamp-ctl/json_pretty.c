// SPDX-License-Identifier: GPL-2.0
/*
 * Indenting the compact JSON of twamp-ctl; see json_pretty.h.
 */

#define _GNU_SOURCE		/* fopencookie */
#include <stdio.h>
#include <string.h>

#include "json_pretty.h"

#define JSON_PRETTY_INDENT	4

static void newline(const struct json_pretty *jp, FILE *out)
{
	fprintf(out, "\n%*s", (int)(jp->depth * JSON_PRETTY_INDENT), "");
}

static void feed_one(struct json_pretty *jp, char c, FILE *out)
{
	if (jp->in_string) {
		fputc(c, out);
		if (jp->escape)
			jp->escape = false;
		else if (c == '\\')
			jp->escape = true;
		else if (c == '"')
			jp->in_string = false;
		return;
	}
	if (jp->open) {
		/* {} and [] stay on one line. */
		if ((jp->open == '{' && c == '}') ||
		    (jp->open == '[' && c == ']')) {
			jp->open = 0;
			jp->depth--;
			fputc(c, out);
			return;
		}
		jp->open = 0;
		if (c != '\n')
			newline(jp, out);
	}
	switch (c) {
	case '"':
		jp->in_string = true;
		fputc(c, out);
		break;
	case '{':
	case '[':
		fputc(c, out);
		jp->depth++;
		jp->open = c;
		break;
	case '}':
	case ']':
		if (jp->depth)
			jp->depth--;
		newline(jp, out);
		fputc(c, out);
		break;
	case ',':
		fputc(c, out);
		newline(jp, out);
		break;
	case ':':
		fputs(": ", out);
		break;
	case ' ':
	case '\t':
		break;
	default:
		fputc(c, out);
	}
}

void json_pretty_feed(struct json_pretty *jp, const char *in, size_t len,
		      FILE *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		feed_one(jp, in[i], out);
}

static struct json_pretty pretty;
static FILE *real_stdout;

static ssize_t pretty_write(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	json_pretty_feed(&pretty, buf, len, real_stdout);
	fflush(real_stdout);
	return len;
}

int json_pretty_stdout(void)
{
	cookie_io_functions_t io = { .write = pretty_write };
	FILE *f;

	f = fopencookie(NULL, "w", io);
	if (!f)
		return -1;
	real_stdout = stdout;
	stdout = f;
	return 0;
}

void json_pretty_end(void)
{
	if (!real_stdout)
		return;
	fclose(stdout);
	stdout = real_stdout;
	real_stdout = NULL;
	fflush(stdout);
}
