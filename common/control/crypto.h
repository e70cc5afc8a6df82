/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cryptography of TWAMP-Control (RFC 4656 3.1 and 3.4, RFC 5357 3.1 and
 * 4.1.2) on top of OpenSSL libcrypto: nothing here implements a primitive.
 */
#ifndef TWC_CRYPTO_H
#define TWC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TWC_BLOCK	16	/* AES block, and the control framing unit */
#define TWC_HMAC_LEN	16	/* HMAC-SHA1 truncated to 128 bits */
#define TWC_HMAC_KEY	32

/* K = PBKDF2-HMAC-SHA1(secret, salt, count, dkLen 16). */
int twc_pbkdf2(const uint8_t *secret, size_t len, const uint8_t *salt,
	       size_t salt_len, uint32_t count, uint8_t key[16]);

/* One-off AES-128-CBC without padding; @len a multiple of 16. */
int twc_aes_cbc(const uint8_t key[16], const uint8_t iv[16], bool encrypt,
		const uint8_t *in, uint8_t *out, size_t len);

/*
 * One direction of the control connection: a single CBC chain that carries
 * over message boundaries, so the state lives in an EVP context that is
 * never re-initialised, plus the running HMAC of everything sent that way.
 */
struct twc_stream {
	void *cipher;		/* EVP_CIPHER_CTX */
	void *mac;		/* EVP_MAC_CTX */
	bool encrypt;
};

int twc_stream_init(struct twc_stream *s, const uint8_t aes_key[16],
		    const uint8_t iv[16], const uint8_t hmac_key[32],
		    bool encrypt);
void twc_stream_free(struct twc_stream *s);
bool twc_stream_active(const struct twc_stream *s);
/* Continue the chain over @len octets (a multiple of 16), in place is ok. */
int twc_stream_crypt(struct twc_stream *s, const uint8_t *in, uint8_t *out,
		     size_t len);
/* Feed plaintext into the running HMAC. */
int twc_stream_mac_update(struct twc_stream *s, const void *buf, size_t len);
/* Take the digest of what was fed since the last one, and restart. */
int twc_stream_mac_final(struct twc_stream *s, uint8_t mac[TWC_HMAC_LEN]);

/*
 * Both directions of a control connection once the keys are known. In
 * unauthenticated mode it stays inactive and every call is a no-op, which
 * keeps the HMAC fields MBZ and the octets in clear.
 */
struct twc_chan {
	struct twc_stream tx, rx;
};

int twc_chan_init(struct twc_chan *ch, const uint8_t aes_key[16],
		  const uint8_t hmac_key[32], const uint8_t tx_iv[16],
		  const uint8_t rx_iv[16]);
void twc_chan_free(struct twc_chan *ch);
bool twc_chan_secure(const struct twc_chan *ch);
/* Send octets that carry no HMAC of their own (Server-Start 32-47). */
int twc_chan_send_raw(struct twc_chan *ch, uint8_t *buf, size_t len);
/* Receive side of the same, after decryption. */
int twc_chan_recv_raw(struct twc_chan *ch, const uint8_t *buf, size_t len);
/* Write the HMAC into the last 16 octets of a message, then encrypt it. */
int twc_chan_seal(struct twc_chan *ch, uint8_t *msg, size_t len);
int twc_chan_decrypt(struct twc_chan *ch, uint8_t *buf, size_t len);
/* Check the HMAC in the last 16 octets of a decrypted message: 0 or -1. */
int twc_chan_verify(struct twc_chan *ch, const uint8_t *msg, size_t len);

/* Test-session keys of one SID (RFC 5357 4.1.2). */
int twc_derive_test_keys(const uint8_t sid[16], const uint8_t aes_key[16],
			 const uint8_t hmac_key[32], uint8_t test_aes[16],
			 uint8_t test_hmac[32]);

int twc_random(void *buf, size_t len);

/* Constant-time comparison, for digests and challenges. */
bool twc_equal(const void *a, const void *b, size_t len);

#endif /* TWC_CRYPTO_H */
