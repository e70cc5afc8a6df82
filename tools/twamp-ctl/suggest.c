// SPDX-License-Identifier: GPL-2.0
/*
 * Names of commands and verbs as typed: ip(8)'s aliases and the nearest
 * name for a misspelled one.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "suggest.h"

/* Commands and verbs are short: a row of this many cells is plenty. */
#define SUGGEST_MAX_LEN	64

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[SUGGEST_MAX_LEN + 1], diag, up, cost;

	/* Past the row: no name is that long, so it is far from all. */
	if (lb > SUGGEST_MAX_LEN)
		return la > lb ? la : lb;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			row[j] = diag + cost;
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

const char *suggest_name(const char *word, const void *base, size_t n,
			 size_t stride)
{
	const char *best = NULL, *name;
	size_t i, d, best_d = 3;

	for (i = 0; i < n; i++) {
		memcpy(&name, (const char *)base + i * stride, sizeof(name));
		d = edit_distance(word, name);
		if (d < best_d && d < strlen(name)) {
			best = name;
			best_d = d;
		}
	}
	return best;
}

const char *verb_alias(const char *verb)
{
	if (!strcmp(verb, "list") || !strcmp(verb, "ls"))
		return "show";
	if (!strcmp(verb, "delete"))
		return "del";
	return verb;
}

void unknown_command(const char *object, const char *word, const void *base,
		     size_t n, size_t stride)
{
	const char *near = suggest_name(word, base, n, stride);

	fprintf(stderr, "%s: %s%sunknown command '%s'", PROG_NAME,
		object ? object : "", object ? ": " : "", word);
	if (near)
		fprintf(stderr, "; did you mean '%s'?", near);
	fputc('\n', stderr);
}
