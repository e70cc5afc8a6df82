/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keys of authenticated and encrypted test packets (crypto.c), used by the
 * reflector's receive path and reply, sessions and the sender.
 */
#ifndef _TWAMP_CRYPTO_H
#define _TWAMP_CRYPTO_H

#include <linux/types.h>
#include <crypto/aes.h>

struct crypto_shash;

/**
 * struct twamp_crypto - keys of an authenticated or encrypted test session
 * @mode: TWAMP_SECURITY_AUTH or TWAMP_SECURITY_ENCRYPT
 * @aes: AES-128 key schedules, encryption and decryption
 * @hmac: HMAC-SHA1 transform with its key set, shared by every CPU
 *
 * Set up once in process context and read-only afterwards, so the data
 * path uses it without locks or allocations. Wiped when freed.
 */
struct twamp_crypto {
	u8 mode;
	struct crypto_aes_ctx aes;
	struct crypto_shash *hmac;
};

struct twamp_crypto *twamp_crypto_new(u8 mode, const u8 *aes_key,
				      const u8 *hmac_key);
void twamp_crypto_free(struct twamp_crypto *c);
int twamp_crypto_seal(const struct twamp_crypto *c, u8 *pl, bool reply);
bool twamp_crypto_open(const struct twamp_crypto *c, u8 *pl, bool reply);

#endif /* _TWAMP_CRYPTO_H */
