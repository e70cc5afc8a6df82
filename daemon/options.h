/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twampd's command line: the config file it names is read first, then the
 * options are applied over it through cfg_set() (config.c).
 */
#ifndef TWAMPD_OPTIONS_H
#define TWAMPD_OPTIONS_H

/*
 * Fill twd.cfg from the defaults, the config file and @argv. Exits for
 * --help and --version; returns 0, or -1 with a message on stderr.
 */
int options_parse(int argc, char **argv);

#endif /* TWAMPD_OPTIONS_H */
