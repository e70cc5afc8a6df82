/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KTAP check every host unit test file uses. unit.c and unit_control.c
 * own a test counter and a failure counter; the files whose tests they run
 * (unit_ping.c, unit_cli.c, ...) count into them through the pointers
 * their entry function is given.
 */
#ifndef TWAMP_UNIT_CHECK_H
#define TWAMP_UNIT_CHECK_H

#include <stdio.h>

#define UNIT_CHECK(no, nfailed, name, cond) do {			\
	(no)++;								\
	if (cond) {							\
		printf("ok %d %s\n", (no), name);			\
	} else {							\
		printf("not ok %d %s\n", (no), name);			\
		(nfailed)++;						\
	}								\
} while (0)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* TWAMP_UNIT_CHECK_H */
