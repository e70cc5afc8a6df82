/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TWAMP_CTL_UTIL_H
#define TWAMP_CTL_UTIL_H

#include <stdbool.h>
#include <stdio.h>

/*
 * The arguments "[ID] [-j] [-h]" of subcommand @cmd: the ID in *id (left
 * NULL when there is none), -j in *json. Returns -1 for the command to go
 * on, else its exit status: 0 once -h printed @usage, 1 once an unexpected
 * argument was reported (with @usage on stderr).
 */
int parse_id_json_args(const char *cmd, int argc, char *argv[],
		       void (*usage)(FILE *f), const char **id, bool *json);

#endif
