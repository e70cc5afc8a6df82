/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TWAMP_CTL_SUGGEST_H
#define TWAMP_CTL_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance: insertions, deletions and substitutions. */
size_t edit_distance(const char *a, const char *b);

/*
 * The name nearest to @word among @n entries of @stride bytes from @base,
 * each starting with a const char *name, or NULL when none is near enough
 * to be what was meant (more than 2 edits, or as many as its length).
 */
const char *suggest_name(const char *word, const void *base, size_t n,
			 size_t stride);

/* "list" and "ls" are "show", "delete" is "del", as ip(8) takes them. */
const char *verb_alias(const char *verb);

/*
 * "twamp-ctl: [@object: ]unknown command 'refletor'; did you mean
 * 'reflector'?" on stderr, without the question when nothing is near.
 */
void unknown_command(const char *object, const char *word, const void *base,
		     size_t n, size_t stride);

#endif
