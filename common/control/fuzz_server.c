// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the server state machine, driven through
 * twc_conn_input() exactly as twampd drives it, with stub session ops.
 *
 * Octet 0 chooses the run. Bit 7 clear: the input is the raw byte stream
 * from the client (Set-Up-Response and all), offered modes from the low
 * bits. Bit 7 set: this harness first completes a valid authenticated,
 * encrypted or mixed handshake, then frames the input into commands and
 * seals each one with the right HMAC and CBC chain, so that the fuzzer
 * reaches the command handlers behind the crypto. Octet 1 sets the size
 * of the chunks the stream is fed in.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "crypto.h"
#include "msg.h"

static const char secret[] = "fuzz";
static struct twc_keyring *keys;

static uint8_t stub_request(void *ctx, const struct twc_session_req *req,
			    enum twc_test_security sec,
			    const struct twc_test_keys *k,
			    struct twc_session_acc *acc)
{
	(void)ctx;
	(void)sec;
	(void)k;
	if (req->padding & 1)
		return TWC_ACCEPT_TEMP_LIMIT;
	acc->port = req->receiver_port;
	return TWC_ACCEPT_OK;
}

static uint8_t stub_start(void *ctx, const uint8_t (*sids)[16],
			  unsigned int n)
{
	(void)ctx;
	return n && sids[0][15] == 0xff ? TWC_ACCEPT_INTERNAL : TWC_ACCEPT_OK;
}

static void stub_stop(void *ctx, const uint8_t (*sids)[16], unsigned int n,
		      uint64_t timeout_ns)
{
	(void)ctx;
	(void)sids;
	(void)n;
	(void)timeout_ns;
}

static void stub_refused(void *ctx, uint8_t accept, const char *why)
{
	(void)ctx;
	/* The reason must be a string, and the value a refusal. */
	if (!accept || strlen(why) >= 200)
		abort();
}

static const struct twc_server_ops ops = {
	.request = stub_request, .start = stub_start, .stop = stub_stop,
	.refused = stub_refused,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/fuzz-control-keys.XXXXXX", err[256];
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	if (fd < 0 || write(fd, "fuzz 66757a7a\n", 14) != 14)
		abort();
	close(fd);
	keys = twc_keyring_load(path, err, sizeof(err));
	unlink(path);
	if (!keys)
		abort();
	return 0;
}

/* Feed @len octets in chunks; keep the output drained as twampd would. */
static int feed(struct twc_conn *c, const uint8_t *p, size_t len,
		size_t chunk)
{
	const void *out;
	size_t n;

	while (len) {
		n = len < chunk ? len : chunk;
		if (twc_conn_input(c, p, n) < 0)
			return -1;
		twc_conn_consume(c, twc_conn_output(c, &out));
		p += n;
		len -= n;
	}
	return 0;
}

/* Play a valid client up to Server-Start; the client's CBC chain is @tx. */
static int handshake(struct twc_conn *c, uint32_t mode, struct twc_chan *ch)
{
	static const uint8_t zero_iv[16];
	uint8_t buf[TWC_SETUP_LEN], k[16], tok[64], aes[16], hmac[32];
	struct twc_setup s = { .mode = mode };
	struct twc_server_start ss;
	struct twc_greeting g;
	const void *out;

	if (twc_conn_output(c, &out) < TWC_GREETING_LEN)
		return -1;
	twc_greeting_decode(out, &g);
	twc_conn_consume(c, TWC_GREETING_LEN);
	memcpy(s.keyid, "fuzz", 4);
	memset(aes, 0x11, sizeof(aes));
	memset(hmac, 0x22, sizeof(hmac));
	memcpy(tok, g.challenge, 16);
	memcpy(tok + 16, aes, 16);
	memcpy(tok + 32, hmac, 32);
	if (twc_pbkdf2((const uint8_t *)secret, 4, g.salt, 16, g.count, k) ||
	    twc_aes_cbc(k, zero_iv, true, tok, s.token, 64))
		return -1;
	twc_setup_encode(&s, buf);
	if (twc_conn_input(c, buf, sizeof(buf)) < 0 ||
	    twc_conn_output(c, &out) < TWC_SERVER_START_LEN)
		return -1;
	twc_server_start_decode(out, &ss);
	twc_conn_consume(c, TWC_SERVER_START_LEN);
	return twc_chan_init(ch, aes, hmac, s.client_iv, ss.server_iv);
}

static void run_sealed(struct twc_conn *c, uint8_t flags, const uint8_t *p,
		       size_t len, size_t chunk)
{
	static const uint32_t sec[] = {
		TWC_MODE_AUTH, TWC_MODE_ENCRYPT, TWC_MODE_MIXED, TWC_MODE_AUTH,
	};
	uint32_t mode = sec[flags & 3];
	struct twc_chan ch = { 0 };
	uint8_t *msg;
	size_t n;

	if (flags & 4)
		mode |= TWC_MODE_INDIVIDUAL;
	if (flags & 8)
		mode |= TWC_MODE_REFLECT_OCTETS;
	msg = malloc(TWC_N_LEN(TWC_N_MAX));
	if (!msg || handshake(c, mode, &ch) < 0)
		goto out;
	/* Frame as the server will; an unknown command is one 32-octet try. */
	while (len >= TWC_BLOCK) {
		n = twc_cmd_len(p);
		if (!n)
			n = 32;
		if (n > len)
			break;
		memcpy(msg, p, n);
		if (twc_chan_seal(&ch, msg, n) < 0 || feed(c, msg, n, chunk) < 0)
			break;
		p += n;
		len -= n;
	}
out:
	twc_chan_free(&ch);
	free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct twc_server_cfg cfg = {
		.keys = keys, .count = 1, .max_sessions = 4,
	};
	struct sockaddr_in local = {
		.sin_family = AF_INET, .sin_port = htons(862),
		.sin_addr.s_addr = htonl(0xc0000201),
	}, peer = {
		.sin_family = AF_INET, .sin_port = htons(40000),
		.sin_addr.s_addr = htonl(0xc6336402),
	};
	struct twc_conn *c;
	const void *out;
	size_t chunk;

	if (size < 2)
		return 0;
	chunk = data[1] % 64 + 1;
	cfg.modes = data[0] & 0x80 ? 0x7f : (data[0] & 0x7f) | TWC_MODE_OPEN;
	c = twc_server_new(&cfg, &ops, NULL, (struct sockaddr *)&local,
			   (struct sockaddr *)&peer);
	if (!c)
		return 0;
	if (data[0] & 0x80) {
		run_sealed(c, data[0], data + 2, size - 2, chunk);
	} else {
		twc_conn_consume(c, twc_conn_output(c, &out));
		feed(c, data + 2, size - 2, chunk);
	}
	twc_conn_error(c);
	twc_conn_testing(c);
	twc_conn_free(c);
	return 0;
}
