/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel reflectors of the config's "reflector" lines: created at
 * start, changed on SIGHUP, deleted at exit.
 */
#ifndef TWAMPD_REFLECTORS_H
#define TWAMPD_REFLECTORS_H

#include <stddef.h>

#include "config.h"

/*
 * Make the kernel's reflectors those of @c: delete the ones no longer
 * there, create the new ones, leave the unchanged ones alone (their IDs
 * and counters stay). All or nothing: on a failure the set is put back as
 * it was (a deleted one comes back with a new ID) and -1 returned with
 * the cause in @err. @path names the config file in messages.
 */
int reflectors_apply(const struct twampd_cfg *c, const char *path,
		     char *err, size_t errlen);
/* Delete every reflector twampd created. */
void reflectors_stop(void);

#endif
