// SPDX-License-Identifier: GPL-2.0
/*
 * The key file of twampd, in the format of perfSONAR's pfstore(1):
 * "identity hex-encoded-passphrase" lines, '#' comment lines, blank lines.
 * Keeping that format lets an owamp/twamp-server .pfs file be used as is.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "control.h"
#include "msg.h"

#define KEYRING_SECRET_MAX	1024	/* octets of passphrase */

struct twc_key {
	char id[TWC_KEYID_LEN + 1];
	uint8_t *secret;
	size_t len;
};

struct twc_keyring {
	struct twc_key *keys;
	size_t n;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode a hex string; NULL if it is not whole octets of hex. */
static uint8_t *hex_decode(const char *hex, size_t *len)
{
	size_t n = strlen(hex), i;
	uint8_t *out;

	if (n == 0 || n % 2 || n / 2 > KEYRING_SECRET_MAX)
		return NULL;
	out = malloc(n / 2);
	if (!out)
		return NULL;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

static int keyring_add(struct twc_keyring *kr, const char *id,
		       const char *hex, const char **why)
{
	struct twc_key *keys, *k;
	size_t i;

	if (strlen(id) > TWC_KEYID_LEN) {
		*why = "identity longer than 80 octets";
		return -1;
	}
	for (i = 0; i < kr->n; i++) {
		if (!strcmp(kr->keys[i].id, id)) {
			*why = "identity listed twice";
			return -1;
		}
	}
	keys = realloc(kr->keys, (kr->n + 1) * sizeof(*keys));
	if (!keys) {
		*why = "out of memory";
		return -1;
	}
	kr->keys = keys;
	k = &keys[kr->n];
	strcpy(k->id, id);
	k->secret = hex_decode(hex, &k->len);
	if (!k->secret) {
		*why = "passphrase is not hex-encoded (or is empty or too long)";
		return -1;
	}
	kr->n++;
	return 0;
}

/* One line, in place: 0, or -1 with @why set. */
static int keyring_line(struct twc_keyring *kr, char *line, const char **why)
{
	char *id, *hex, *extra, *save;

	id = strtok_r(line, " \t\r\n", &save);
	if (!id || id[0] == '#')
		return 0;
	hex = strtok_r(NULL, " \t\r\n", &save);
	extra = strtok_r(NULL, " \t\r\n", &save);
	if (!hex || extra) {
		*why = "expected 'identity hex-passphrase'";
		return -1;
	}
	return keyring_add(kr, id, hex, why);
}

struct twc_keyring *twc_keyring_load(const char *path, char *err,
				     size_t errlen)
{
	struct twc_keyring *kr;
	const char *why = NULL;
	unsigned int lineno = 0;
	char line[4096];
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	kr = calloc(1, sizeof(*kr));
	if (!kr) {
		snprintf(err, errlen, "%s: out of memory", path);
		fclose(f);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			why = "line too long";
		else
			keyring_line(kr, line, &why);
		if (why)
			break;
	}
	if (!why && ferror(f))
		why = strerror(errno);
	fclose(f);
	if (why) {
		snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
		twc_keyring_free(kr);
		return NULL;
	}
	return kr;
}

const uint8_t *twc_keyring_find(const struct twc_keyring *kr,
				const char *keyid, size_t *len)
{
	size_t i;

	if (!kr)
		return NULL;
	for (i = 0; i < kr->n; i++) {
		if (!strcmp(kr->keys[i].id, keyid)) {
			*len = kr->keys[i].len;
			return kr->keys[i].secret;
		}
	}
	return NULL;
}

void twc_keyring_free(struct twc_keyring *kr)
{
	size_t i;

	if (!kr)
		return;
	for (i = 0; i < kr->n; i++) {
		OPENSSL_cleanse(kr->keys[i].secret, kr->keys[i].len);
		free(kr->keys[i].secret);
	}
	free(kr->keys);
	free(kr);
}
