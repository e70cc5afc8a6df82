/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd's command line: the config file it names is read first, then the
 * options are applied over it through cfg_set() (config.c).
 */
#ifndef TWAMPD_OPTIONS_H
#define TWAMPD_OPTIONS_H

#include <stddef.h>

#include "config.h"

/*
 * Fill twd.cfg from the defaults, the config file and @argv. Exits for
 * --help and --version; returns 0, or -1 with a message on stderr.
 */
int options_parse(int argc, char **argv);
/*
 * Build the settings again into @c, as options_parse() did: the config
 * file read anew, the same options over it (SIGHUP). Returns 0, or -1
 * with the cause in @err.
 */
int options_reload(struct twampd_cfg *c, char *err, size_t errlen);
/* The config file read, for messages. */
const char *options_config_path(void);

#endif /* TWAMPD_OPTIONS_H */
