// SPDX-License-Identifier: GPL-2.0
/*
 * The permission check of a key file, twampd's and twamp-ctl test -k's,
 * so that a secret left readable is refused by the client as by the
 * server; and where twampd finds its key file under systemd.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfile.h"

#define KEY_FILE_CREDENTIAL		"key-file"
#define KEY_FILE_CREDENTIAL_NONE	"none"

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
	/* root's, or ours: a service user's copy from LoadCredential= */
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, len,
			 "key file %s must be owned by root (or the user reading it, uid %u) and not accessible to group or others (chown root %s; chmod 600 %s)",
			 path, (unsigned int)geteuid(), path, path);
		return -1;
	}
	return 0;
}

/*
 * Whether the credential at @path stands for no key file: empty, or the
 * unit's SetCredential= fallback "none" (systemd 252 takes no empty value),
 * which LoadCredential= leaves in place when the key file does not exist.
 * No key file is "none": it would hold no "KeyID hex" line.
 */
static bool credential_none(const char *path)
{
	char buf[8] = "";
	size_t n;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return !n || !strcmp(buf, KEY_FILE_CREDENTIAL_NONE) ||
	       !strcmp(buf, KEY_FILE_CREDENTIAL_NONE "\n");
}

const char *key_file_path(const char *configured, char *buf, size_t len)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	struct stat st;

	if (!dir || !*dir ||
	    snprintf(buf, len, "%s/%s", dir, KEY_FILE_CREDENTIAL) >= (int)len ||
	    stat(buf, &st) || !S_ISREG(st.st_mode) || credential_none(buf))
		return configured;
	return buf;
}
