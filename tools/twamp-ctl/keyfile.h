/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TWAMP_CTL_KEYFILE_H
#define TWAMP_CTL_KEYFILE_H

#include <stddef.h>

/*
 * A TWAMP key file holds shared secrets: refuse one that group or others
 * may access, or that is owned by someone other than root or us, with the
 * message twampd gives. Returns 0, or -1 with the reason in @err.
 */
int key_file_check(const char *path, char *err, size_t len);

#endif
