// SPDX-License-Identifier: GPL-2.0
/*
 * Test-packet crypto of authenticated and encrypted TWAMP-Test sessions
 * (RFC 5357 section 4, RFC 4656 section 4.1.2).
 *
 * The keys are the session's test keys, already derived by the
 * TWAMP-Control side. AES-128 in CBC mode with an IV of zero, restarted in
 * every packet (one block of it is ECB); HMAC-SHA1 over the plaintext,
 * truncated to 16 octets and carried in clear after the protected part.
 * Padding is neither encrypted nor authenticated.
 *
 * Everything here but twamp_crypto_new() and twamp_crypto_free() runs in
 * softirq: block operations from the AES library and one shash digest on
 * the stack, no allocation.
 */

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/sha1.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <linux/twamp.h>
#include <linux/twamp_packet.h>

#include "crypto.h"

/**
 * twamp_crypto_new() - set up the keys of a test session
 * @mode: TWAMP_SECURITY_AUTH or TWAMP_SECURITY_ENCRYPT
 * @aes_key: TWAMP_AES_KEY_LEN octets
 * @hmac_key: TWAMP_HMAC_KEY_LEN octets
 *
 * Process context only: the HMAC transform is allocated here.
 *
 * Return: the keys, or an ERR_PTR.
 */
struct twamp_crypto *twamp_crypto_new(u8 mode, const u8 *aes_key,
				      const u8 *hmac_key)
{
	struct twamp_crypto *c;
	int err;

	/* the HMAC transform itself is the crypto API's, not accounted */
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->mode = mode;
	err = aes_expandkey(&c->aes, aes_key, TWAMP_AES_KEY_LEN);
	if (err)
		goto err_free;
	c->hmac = crypto_alloc_shash("hmac(sha1)", 0, 0);
	if (IS_ERR(c->hmac)) {
		err = PTR_ERR(c->hmac);
		c->hmac = NULL;
		goto err_free;
	}
	err = crypto_shash_setkey(c->hmac, hmac_key, TWAMP_HMAC_KEY_LEN);
	if (err)
		goto err_free;
	return c;

err_free:
	twamp_crypto_free(c);
	return ERR_PTR(err);
}

/**
 * twamp_crypto_free() - wipe and free test-session keys
 * @c: the keys, or NULL
 *
 * The transform's memory, which holds the HMAC key's pads, is wiped by
 * the crypto API when it is freed.
 */
void twamp_crypto_free(struct twamp_crypto *c)
{
	if (!c)
		return;
	crypto_free_shash(c->hmac);
	memzero_explicit(c, sizeof(*c));
	kfree(c);
}

/* AES-CBC with IV 0, in place; @len is a multiple of the block size. */
static void twamp_cbc_encrypt(const struct crypto_aes_ctx *aes, u8 *p,
			      unsigned int len)
{
	unsigned int off;

	for (off = 0; off < len; off += AES_BLOCK_SIZE) {
		if (off)
			crypto_xor(p + off, p + off - AES_BLOCK_SIZE,
				   AES_BLOCK_SIZE);
		aes_encrypt(aes, p + off, p + off);
	}
}

/* Last block first, so each block's predecessor is still ciphertext. */
static void twamp_cbc_decrypt(const struct crypto_aes_ctx *aes, u8 *p,
			      unsigned int len)
{
	unsigned int off = len;

	while (off) {
		off -= AES_BLOCK_SIZE;
		aes_decrypt(aes, p + off, p + off);
		if (off)
			crypto_xor(p + off, p + off - AES_BLOCK_SIZE,
				   AES_BLOCK_SIZE);
	}
}

static int twamp_hmac(const struct twamp_crypto *c, const u8 *p,
		      unsigned int len, u8 mac[TWAMP_HMAC_LEN])
{
	SHASH_DESC_ON_STACK(desc, c->hmac);
	u8 digest[SHA1_DIGEST_SIZE];
	int err;

	desc->tfm = c->hmac;
	err = crypto_shash_digest(desc, p, len, digest);
	shash_desc_zero(desc);
	memcpy(mac, digest, TWAMP_HMAC_LEN);
	memzero_explicit(digest, sizeof(digest));
	return err;
}

/*
 * What a packet protects (fact sheet 3.2): block 0 when authenticated;
 * octets 0-31 of a sender packet, 0-95 of a reflector packet when
 * encrypted. The HMAC covers the same octets and follows them.
 */
static unsigned int twamp_protected_len(const struct twamp_crypto *c,
					bool reply)
{
	if (c->mode == TWAMP_SECURITY_AUTH)
		return TWAMP_AUTH_PROTECTED;
	return reply ? TWAMP_REFLECTOR_ENC_PROTECTED :
		       TWAMP_SENDER_ENC_PROTECTED;
}

static unsigned int twamp_hmac_offset(bool reply)
{
	return reply ? offsetof(struct twamp_test_reflector_auth, hmac) :
		       offsetof(struct twamp_test_sender_auth, hmac);
}

/**
 * twamp_crypto_seal() - authenticate, then encrypt, a packet to send
 * @c: the session's keys
 * @pl: the UDP payload, its header (48 or 112 octets) filled in
 * @reply: a reflector packet (112-octet header), else a sender packet
 *
 * Return: 0 or a negative errno from the hash.
 */
int twamp_crypto_seal(const struct twamp_crypto *c, u8 *pl, bool reply)
{
	unsigned int len = twamp_protected_len(c, reply);
	int err;

	err = twamp_hmac(c, pl, len, pl + twamp_hmac_offset(reply));
	if (err)
		return err;
	twamp_cbc_encrypt(&c->aes, pl, len);
	return 0;
}

/**
 * twamp_crypto_open() - decrypt a received packet and check its HMAC
 * @c: the session's keys
 * @pl: the UDP payload, at least as long as its header (48 or 112)
 * @reply: a reflector packet, else a sender packet
 *
 * The protected octets are decrypted in place whatever the outcome.
 *
 * Return: true if the HMAC matches.
 */
bool twamp_crypto_open(const struct twamp_crypto *c, u8 *pl, bool reply)
{
	unsigned int len = twamp_protected_len(c, reply);
	u8 mac[TWAMP_HMAC_LEN];
	bool ok;

	twamp_cbc_decrypt(&c->aes, pl, len);
	if (twamp_hmac(c, pl, len, mac))
		return false;
	ok = !crypto_memneq(mac, pl + twamp_hmac_offset(reply), sizeof(mac));
	memzero_explicit(mac, sizeof(mac));
	return ok;
}
