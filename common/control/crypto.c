// SPDX-License-Identifier: GPL-2.0
/*
 * TWAMP-Control cryptography over OpenSSL libcrypto (EVP interfaces only).
 */

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <string.h>

#include "crypto.h"

int twc_pbkdf2(const uint8_t *secret, size_t len, const uint8_t *salt,
	       size_t salt_len, uint32_t count, uint8_t key[16])
{
	if (count == 0 || count > INT32_MAX || len > INT32_MAX ||
	    salt_len > INT32_MAX)
		return -1;
	return PKCS5_PBKDF2_HMAC((const char *)secret, (int)len, salt,
				 (int)salt_len, (int)count, EVP_sha1(), 16,
				 key) == 1 ? 0 : -1;
}

int twc_aes_cbc(const uint8_t key[16], const uint8_t iv[16], bool encrypt,
		const uint8_t *in, uint8_t *out, size_t len)
{
	EVP_CIPHER_CTX *ctx;
	int n, ok;

	if (len % TWC_BLOCK || len > INT32_MAX)
		return -1;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -1;
	ok = EVP_CipherInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv,
			       encrypt) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 &&
	     (size_t)n == len;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

static EVP_MAC_CTX *hmac_sha1_new(const uint8_t key[32])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 "SHA1", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (ctx && EVP_MAC_init(ctx, key, TWC_HMAC_KEY, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

int twc_stream_init(struct twc_stream *s, const uint8_t aes_key[16],
		    const uint8_t iv[16], const uint8_t hmac_key[32],
		    bool encrypt)
{
	EVP_CIPHER_CTX *ctx;

	twc_stream_free(s);
	s->encrypt = encrypt;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -1;
	s->cipher = ctx;
	/*
	 * Padding off: the messages are whole blocks, and with padding on a
	 * decrypting context would hold the last block of each message back.
	 */
	if (EVP_CipherInit_ex(ctx, EVP_aes_128_cbc(), NULL, aes_key, iv,
			      encrypt) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
		goto fail;
	s->mac = hmac_sha1_new(hmac_key);
	if (!s->mac)
		goto fail;
	return 0;
fail:
	twc_stream_free(s);
	return -1;
}

void twc_stream_free(struct twc_stream *s)
{
	EVP_CIPHER_CTX_free(s->cipher);
	EVP_MAC_CTX_free(s->mac);
	s->cipher = NULL;
	s->mac = NULL;
}

bool twc_stream_active(const struct twc_stream *s)
{
	return s->cipher != NULL;
}

int twc_stream_crypt(struct twc_stream *s, const uint8_t *in, uint8_t *out,
		     size_t len)
{
	int n;

	if (!s->cipher || len % TWC_BLOCK || len > INT32_MAX)
		return -1;
	if (len == 0)
		return 0;
	if (EVP_CipherUpdate(s->cipher, out, &n, in, (int)len) != 1 ||
	    (size_t)n != len)
		return -1;
	return 0;
}

int twc_stream_mac_update(struct twc_stream *s, const void *buf, size_t len)
{
	if (!s->mac)
		return -1;
	return EVP_MAC_update(s->mac, buf, len) == 1 ? 0 : -1;
}

int twc_stream_mac_final(struct twc_stream *s, uint8_t mac[TWC_HMAC_LEN])
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	size_t n;

	if (!s->mac || EVP_MAC_final(s->mac, digest, &n, sizeof(digest)) != 1 ||
	    n < TWC_HMAC_LEN)
		return -1;
	memcpy(mac, digest, TWC_HMAC_LEN);
	/* A NULL key restarts the HMAC under the key it already has. */
	return EVP_MAC_init(s->mac, NULL, 0, NULL) == 1 ? 0 : -1;
}

int twc_chan_init(struct twc_chan *ch, const uint8_t aes_key[16],
		  const uint8_t hmac_key[32], const uint8_t tx_iv[16],
		  const uint8_t rx_iv[16])
{
	if (twc_stream_init(&ch->tx, aes_key, tx_iv, hmac_key, true) < 0 ||
	    twc_stream_init(&ch->rx, aes_key, rx_iv, hmac_key, false) < 0) {
		twc_chan_free(ch);
		return -1;
	}
	return 0;
}

void twc_chan_free(struct twc_chan *ch)
{
	twc_stream_free(&ch->tx);
	twc_stream_free(&ch->rx);
}

bool twc_chan_secure(const struct twc_chan *ch)
{
	return twc_stream_active(&ch->tx);
}

int twc_chan_send_raw(struct twc_chan *ch, uint8_t *buf, size_t len)
{
	if (!twc_chan_secure(ch))
		return 0;
	if (twc_stream_mac_update(&ch->tx, buf, len) < 0)
		return -1;
	return twc_stream_crypt(&ch->tx, buf, buf, len);
}

int twc_chan_recv_raw(struct twc_chan *ch, const uint8_t *buf, size_t len)
{
	if (!twc_chan_secure(ch))
		return 0;
	return twc_stream_mac_update(&ch->rx, buf, len);
}

int twc_chan_seal(struct twc_chan *ch, uint8_t *msg, size_t len)
{
	size_t body = len - TWC_HMAC_LEN;

	if (!twc_chan_secure(ch))
		return 0;
	if (len < TWC_HMAC_LEN ||
	    twc_stream_mac_update(&ch->tx, msg, body) < 0 ||
	    twc_stream_mac_final(&ch->tx, msg + body) < 0)
		return -1;
	return twc_stream_crypt(&ch->tx, msg, msg, len);
}

int twc_chan_decrypt(struct twc_chan *ch, uint8_t *buf, size_t len)
{
	if (!twc_chan_secure(ch))
		return 0;
	return twc_stream_crypt(&ch->rx, buf, buf, len);
}

int twc_chan_verify(struct twc_chan *ch, const uint8_t *msg, size_t len)
{
	size_t body = len - TWC_HMAC_LEN;
	uint8_t mac[TWC_HMAC_LEN];

	if (!twc_chan_secure(ch))
		return 0;
	if (len < TWC_HMAC_LEN ||
	    twc_stream_mac_update(&ch->rx, msg, body) < 0 ||
	    twc_stream_mac_final(&ch->rx, mac) < 0)
		return -1;
	return twc_equal(mac, msg + body, TWC_HMAC_LEN) ? 0 : -1;
}

int twc_derive_test_keys(const uint8_t sid[16], const uint8_t aes_key[16],
			 const uint8_t hmac_key[32], uint8_t test_aes[16],
			 uint8_t test_hmac[32])
{
	static const uint8_t zero_iv[16];

	/* One block of CBC with a zero IV is ECB, as RFC 5357 asks. */
	if (twc_aes_cbc(sid, zero_iv, true, aes_key, test_aes, 16) < 0)
		return -1;
	return twc_aes_cbc(sid, zero_iv, true, hmac_key, test_hmac, 32);
}

int twc_random(void *buf, size_t len)
{
	return len <= INT32_MAX && RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

bool twc_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}
