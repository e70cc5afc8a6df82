/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TWAMP_KEYFILE_H
#define TWAMP_KEYFILE_H

#include <stddef.h>

/*
 * A TWAMP key file holds shared secrets: refuse one that group or others
 * may access, or that is owned by someone other than root or the user we
 * run as. twampd and twamp-ctl test give the same words. Returns 0, or -1
 * with the reason in @err.
 */
int key_file_check(const char *path, char *err, size_t len);

/*
 * The key file to read: the systemd credential "key-file" when
 * $CREDENTIALS_DIRECTORY holds one (LoadCredential=, which lets a service
 * without root read a root-only file), else @configured. A credential that
 * is empty or "none" (the unit's fallback for a missing file) is none.
 * Returns @configured or @buf.
 */
const char *key_file_path(const char *configured, char *buf, size_t len);

#endif
