/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twamp-ctl -j -p: the compact JSON the commands print, indented on its way
 * out, as ip -j -p prints it. A stream filter, so that a document printed
 * piecemeal (or monitor's one per line) comes out as it is written.
 */
#ifndef TWAMP_CTL_JSON_PRETTY_H
#define TWAMP_CTL_JSON_PRETTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_pretty {
	unsigned int depth;
	bool in_string, escape;
	char open;			/* '{' or '[' just written, else 0 */
};

/* Indent @len octets of compact JSON from @in onto @out. */
void json_pretty_feed(struct json_pretty *jp, const char *in, size_t len,
		      FILE *out);

/*
 * Make stdout such a filter onto what it was; 0 or -1. Call
 * json_pretty_end() before leaving main().
 */
int json_pretty_stdout(void);
void json_pretty_end(void);

#endif
