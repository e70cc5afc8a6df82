// SPDX-License-Identifier: GPL-2.0
/*
 * The permission check of twamp-ctl test -k, the same rule and words as
 * twampd's check of its key file (daemon/twampd.c), so that a secret left
 * readable is refused by the client as by the server. The client may run
 * with a key file of its own user's, as it needs no root for the file.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfile.h"

int key_file_check(const char *path, char *err, size_t len)
{
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, len, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, len, "key file %s: not a regular file", path);
		return -1;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, len,
			 "key file %s must be owned by root and not accessible to group or others (chown root %s; chmod 600 %s)",
			 path, path, path);
		return -1;
	}
	return 0;
}
