// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the TWAMP-Control engine (common/control): known-answer
 * vectors for the primitives it takes from libcrypto, the octet offsets of
 * every message, full client/server handshakes over a socketpair in every
 * security mode, and the server's answers to bad input. Output is KTAP, as
 * tools/tests/unit.c, so tools/check.sh counts every line.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "control.h"
#include "crypto.h"
#include "msg.h"
#include "unit_check.h"

static int test_no, failed;

/* tools/tests/unit_pkt.c: common/twpkt.c */
void unit_pkt(int *test_no, int *failed);
/* tools/tests/unit_config.c: daemon/config.c */
void unit_config(int *test_no, int *failed);

#define CHECK(name, cond) UNIT_CHECK(test_no, failed, name, cond)


/* "0a0b" -> { 0x0a, 0x0b }; returns the length. */
static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	unsigned int v;

	while (hex[0] && hex[1] && sscanf(hex, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static bool eq_hex(const uint8_t *buf, const char *hex)
{
	uint8_t want[128];
	size_t n = unhex(hex, want);

	return !memcmp(buf, want, n);
}

/* The first @n octets of @hex only: a digest truncated to the HMAC field. */
static bool eq_hex_n(const uint8_t *buf, const char *hex, size_t n)
{
	uint8_t want[128];

	return unhex(hex, want) >= n && !memcmp(buf, want, n);
}

/* -------- known answers -------- */

static void test_pbkdf2(void)
{
	/* RFC 6070; TWAMP keeps the first 16 octets (dkLen 16). */
	static const struct {
		const char *p, *s;
		uint32_t c;
		const char *dk;
	} v[] = {
		{ "password", "salt", 1, "0c60c80f961f0e71f3a9b524af601206" },
		{ "password", "salt", 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0" },
		{ "password", "salt", 4096, "4b007901b765489abead49d926f721d0" },
		{ "passwordPASSWORDpassword",
		  "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
		  "3d2eec4fe41c849b80c8d83662c0e44a" },
	};
	char name[96];
	uint8_t k[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		snprintf(name, sizeof(name), "pbkdf2 RFC 6070 vector %zu", i + 1);
		memset(k, 0, sizeof(k));
		CHECK(name, twc_pbkdf2((const uint8_t *)v[i].p, strlen(v[i].p),
				       (const uint8_t *)v[i].s, strlen(v[i].s),
				       v[i].c, k) == 0 && eq_hex(k, v[i].dk));
	}
	CHECK("pbkdf2 count 0 rejected",
	      twc_pbkdf2((const uint8_t *)"p", 1, k, 16, 0, k) == -1);
}

static void test_aes(void)
{
	static const uint8_t zero[16];
	uint8_t key[16], pt[64], ct[64], iv[16], out[64];
	struct twc_stream s = { 0 };
	uint8_t hkey[32] = { 0 };
	int i, ok = 1;

	/* FIPS-197 Appendix C.1: one block of CBC under a zero IV is ECB. */
	unhex("000102030405060708090a0b0c0d0e0f", key);
	unhex("00112233445566778899aabbccddeeff", pt);
	CHECK("aes-128 FIPS-197 C.1 encrypt",
	      twc_aes_cbc(key, zero, true, pt, out, 16) == 0 &&
	      eq_hex(out, "69c4e0d86a7b0430d8cdb78070b4c55a"));
	unhex("69c4e0d86a7b0430d8cdb78070b4c55a", ct);
	CHECK("aes-128 FIPS-197 C.1 decrypt",
	      twc_aes_cbc(key, zero, false, ct, out, 16) == 0 &&
	      !memcmp(out, pt, 16));
	CHECK("aes-cbc refuses a partial block",
	      twc_aes_cbc(key, zero, true, pt, out, 15) == -1);

	/*
	 * SP 800-38A F.2.1, one block per call: the control stream must carry
	 * the chain across calls, as it does across messages.
	 */
	unhex("2b7e151628aed2a6abf7158809cf4f3c", key);
	unhex("000102030405060708090a0b0c0d0e0f", iv);
	unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
	      pt);
	unhex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
	      "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7",
	      ct);
	if (twc_stream_init(&s, key, iv, hkey, true) < 0)
		ok = 0;
	for (i = 0; ok && i < 4; i++)
		ok = twc_stream_crypt(&s, pt + 16 * i, out + 16 * i, 16) == 0;
	CHECK("cbc stream chains across calls (SP 800-38A F.2.1)",
	      ok && !memcmp(out, ct, 64));
	ok = twc_stream_init(&s, key, iv, hkey, false) == 0 &&
	     twc_stream_crypt(&s, ct, out, 32) == 0 &&
	     twc_stream_crypt(&s, ct + 32, out + 32, 32) == 0;
	CHECK("cbc stream decrypts across calls (SP 800-38A F.2.2)",
	      ok && !memcmp(out, pt, 64));
	twc_stream_free(&s);
}

static void test_hmac(void)
{
	/*
	 * RFC 2202: the stream takes 32-octet keys, and a shorter HMAC key is
	 * zero-padded to the block size anyway, so padding the RFC's keys
	 * with zeros to 32 octets must give the RFC's digests.
	 */
	static const struct {
		const char *key, *data, *digest;
	} v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
		  "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ "4a656665", "what do ya want for nothing?",
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	};
	uint8_t key[32], iv[16] = { 0 }, mac[16], mac2[16], data[50];
	struct twc_stream s = { 0 };
	char name[96];
	size_t i;
	int ok;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		memset(key, 0, sizeof(key));
		unhex(v[i].key, key);
		ok = twc_stream_init(&s, key, iv, key, true) == 0 &&
		     twc_stream_mac_update(&s, v[i].data,
					   strlen(v[i].data)) == 0 &&
		     twc_stream_mac_final(&s, mac) == 0;
		snprintf(name, sizeof(name),
			 "hmac-sha1 RFC 2202 case %zu truncated to 16", i + 1);
		CHECK(name, ok && eq_hex_n(mac, v[i].digest, 16) &&
		      !eq_hex(mac, "00000000000000000000000000000000"));
	}
	/* Case 3, fed in two pieces: a running HMAC. */
	memset(key, 0, sizeof(key));
	memset(key, 0xaa, 20);
	memset(data, 0xdd, sizeof(data));
	ok = twc_stream_init(&s, key, iv, key, true) == 0 &&
	     twc_stream_mac_update(&s, data, 17) == 0 &&
	     twc_stream_mac_update(&s, data + 17, 33) == 0 &&
	     twc_stream_mac_final(&s, mac) == 0;
	CHECK("hmac-sha1 RFC 2202 case 3 in two updates",
	      ok && eq_hex(mac, "125d7342b9ac11cd91a39af48aa17b4f"));
	/* After a digest the HMAC restarts under the same key. */
	ok = twc_stream_mac_update(&s, data, 50) == 0 &&
	     twc_stream_mac_final(&s, mac2) == 0;
	CHECK("hmac restarts after each digest", ok && !memcmp(mac, mac2, 16));
	twc_stream_free(&s);
}

static void test_test_keys(void)
{
	uint8_t sid[16], aes[16], hmac[32], taes[16], thmac[32], want[32];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t prev[16] = { 0 }, blk[16];
	int n, i, j;

	for (i = 0; i < 16; i++) {
		sid[i] = (uint8_t)(0x10 + i);
		aes[i] = (uint8_t)(0xa0 + i);
	}
	for (i = 0; i < 32; i++)
		hmac[i] = (uint8_t)(0x40 + i);
	twc_derive_test_keys(sid, aes, hmac, taes, thmac);
	/* Build the expected keys from raw AES-ECB, block by block. */
	EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, sid, NULL);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	EVP_EncryptUpdate(ctx, want, &n, aes, 16);
	CHECK("test AES key is AES-ECB(SID, control AES key)",
	      !memcmp(taes, want, 16));
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 16; j++)
			blk[j] = hmac[16 * i + j] ^ prev[j];
		EVP_EncryptUpdate(ctx, want + 16 * i, &n, blk, 16);
		memcpy(prev, want + 16 * i, 16);
	}
	CHECK("test HMAC key is AES-CBC(SID, IV 0, control HMAC key)",
	      !memcmp(thmac, want, 32));
	EVP_CIPHER_CTX_free(ctx);
}

static void test_time(void)
{
	uint64_t now = twc_ntp_now();

	CHECK("ntp interval 1.5 s", twc_ns_to_ntp(1500000000) ==
	      ((uint64_t)1 << 32 | 0x80000000u));
	CHECK("ntp interval back to ns",
	      twc_ntp_to_ns((uint64_t)2 << 32 | 0x40000000u) == 2250000000u);
	/* 2026 is between 2020 (3786825600) and 2036 in NTP seconds. */
	CHECK("ntp now in the NTP era", (now >> 32) > 3786825600u);
}

static void test_sid(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t a[16], b[16];
	uint64_t t = twc_ntp_now() >> 32;
	uint32_t sec;

	inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr);
	twc_sid_make(a, (struct sockaddr *)&sin);
	twc_sid_make(b, (struct sockaddr *)&sin);
	sec = (uint32_t)a[4] << 24 | a[5] << 16 | a[6] << 8 | a[7];
	CHECK("sid starts with the IPv4 address", eq_hex(a, "c0000207"));
	CHECK("sid holds the NTP time", sec >= t - 1 && sec <= t + 1);
	CHECK("sids differ", memcmp(a, b, 16) != 0);
}

/* -------- message layouts -------- */

static void test_msg_setup(void)
{
	struct twc_greeting g = { .modes = 0x1f, .count = 1024 }, g2;
	struct twc_server_start ss = { .accept = 3 }, ss2;
	struct twc_setup s = { .mode = 2 }, s2;
	uint8_t buf[TWC_SETUP_LEN];

	memset(buf, 0xee, sizeof(buf));
	memset(g.challenge, 0x11, 16);
	memset(g.salt, 0x22, 16);
	twc_greeting_encode(&g, buf);
	CHECK("greeting: unused 0-11 zero",
	      eq_hex(buf, "000000000000000000000000"));
	CHECK("greeting: modes at 12", eq_hex(buf + 12, "0000001f"));
	CHECK("greeting: challenge at 16, salt at 32",
	      buf[16] == 0x11 && buf[31] == 0x11 && buf[32] == 0x22 &&
	      buf[47] == 0x22);
	CHECK("greeting: count at 48, MBZ to 63",
	      eq_hex(buf + 48, "00000400000000000000000000000000"));
	twc_greeting_decode(buf, &g2);
	CHECK("greeting round trip", !memcmp(&g, &g2, sizeof(g)));

	memcpy(s.keyid, "alice", 5);
	memset(s.token, 0x33, sizeof(s.token));
	memset(s.client_iv, 0x44, sizeof(s.client_iv));
	twc_setup_encode(&s, buf);
	CHECK("set-up-response: mode 0, keyid 4, token 84, iv 148",
	      eq_hex(buf, "00000002616c696365") && buf[83] == 0 &&
	      buf[84] == 0x33 && buf[147] == 0x33 && buf[148] == 0x44 &&
	      buf[163] == 0x44);
	twc_setup_decode(buf, &s2);
	CHECK("set-up-response round trip", !memcmp(&s, &s2, sizeof(s)));

	memset(ss.server_iv, 0x55, 16);
	ss.start_time = 0x0102030405060708ull;
	twc_server_start_encode(&ss, buf);
	CHECK("server-start: accept at 15, iv 16, start-time 32, MBZ 40",
	      eq_hex(buf, "00000000000000000000000000000003") &&
	      buf[16] == 0x55 && buf[31] == 0x55 &&
	      eq_hex(buf + 32, "01020304050607080000000000000000"));
	twc_server_start_decode(buf, &ss2);
	CHECK("server-start round trip",
	      ss2.accept == 3 && !memcmp(ss2.server_iv, ss.server_iv, 16) &&
	      ss2.start_time == ss.start_time);
}

static void test_msg_request(void)
{
	struct twc_session_req req = {
		.ipvn = 4, .sender_port = 0x1234, .receiver_port = 862,
		.padding = 27, .start_time = 0x1111111122222222ull,
		.timeout = 0x0000000280000000ull, .dscp = 46,
		.reflect_octets = 0xabcd, .reflect_len = 0x0102,
	};
	struct sockaddr_in *s4 = (void *)&req.sender, *r4 = (void *)&req.receiver;
	struct sockaddr_in6 *s6 = (void *)&req.sender;
	uint8_t buf[TWC_REQUEST_LEN];
	struct twc_request r;

	s4->sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &s4->sin_addr);
	r4->sin_family = AF_UNSPEC;
	CHECK("request encodes", twc_request_encode(&req, TWC_MODE_OPEN |
					TWC_MODE_REFLECT_OCTETS, buf) == 0);
	CHECK("request: command 5, ipvn 4, conf 0, slots/packets 0",
	      eq_hex(buf, "0504000000000000000000001234035e"));
	CHECK("request: sender address at 16, zero receiver at 32",
	      eq_hex(buf + 16, "c000020100000000000000000000000000000000"
		     "000000000000000000000000"));
	CHECK("request: SID 48 zero, padding at 64, start 68, timeout 76",
	      eq_hex(buf + 48, "00000000000000000000000000000000"
		     "0000001b11111111222222220000000280000000"));
	CHECK("request: Type-P DSCP<<24 at 84", eq_hex(buf + 84, "2e000000"));
	CHECK("request: reflect octets at 88/90, MBZ 92, HMAC 96",
	      eq_hex(buf + 88, "abcd010200000000") &&
	      eq_hex(buf + 96, "00000000000000000000000000000000"));
	twc_request_decode(buf, TWC_MODE_REFLECT_OCTETS, &r);
	CHECK("request round trip",
	      r.command == 5 && r.req.ipvn == 4 &&
	      r.req.sender_port == 0x1234 && r.req.receiver_port == 862 &&
	      r.req.sender.ss_family == AF_INET &&
	      ((struct sockaddr_in *)&r.req.sender)->sin_addr.s_addr ==
	      s4->sin_addr.s_addr &&
	      ((struct sockaddr_in *)&r.req.sender)->sin_port ==
	      htons(0x1234) &&
	      r.req.receiver.ss_family == AF_UNSPEC &&
	      r.req.padding == 27 && r.req.start_time == req.start_time &&
	      r.req.timeout == req.timeout && r.req.dscp == 46 &&
	      r.req.type_p == 46u << 24 && r.req.reflect_octets == 0xabcd &&
	      r.req.reflect_len == 0x0102);
	twc_request_encode(&req, TWC_MODE_OPEN, buf);
	CHECK("request: 88-95 MBZ without reflect octets",
	      eq_hex(buf + 88, "0000000000000000"));
	twc_request_decode(buf, TWC_MODE_OPEN, &r);
	CHECK("request: reflect octets ignored without the mode",
	      r.req.reflect_octets == 0 && r.req.reflect_len == 0);

	memset(&req.sender, 0, sizeof(req.sender));
	req.ipvn = 6;
	s6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &s6->sin6_addr);
	twc_request_encode(&req, TWC_MODE_OPEN, buf);
	CHECK("request: IPv6 address fills 16-31",
	      buf[1] == 6 && eq_hex(buf + 16, "20010db8000000000000000000000001"));
	twc_request_decode(buf, TWC_MODE_OPEN, &r);
	CHECK("request: IPv6 round trip",
	      r.req.sender.ss_family == AF_INET6 &&
	      !memcmp(&((struct sockaddr_in6 *)&r.req.sender)->sin6_addr,
		      &s6->sin6_addr, 16));
	req.ipvn = 4;
	CHECK("request: IPv6 address with IPVN 4 refused",
	      twc_request_encode(&req, TWC_MODE_OPEN, buf) == -1);
}

static void test_msg_control(void)
{
	struct twc_session_acc a = {
		.accept = 0, .port = 0x1389, .reflected_octets = 0xbeef,
		.server_octets = 0x0a0b,
	}, a2;
	struct twc_stop st = { .accept = 1, .nsessions = 0x01020304 }, st2;
	uint8_t sids[2][16], buf[TWC_N_LEN(2)];
	struct twc_nmsg m = { .command = TWC_CMD_START_N_ACK, .accept = 5,
			      .n = 2, .sids = (const uint8_t (*)[16])sids }, m2;

	memset(a.sid, 0x66, 16);
	twc_accept_encode(&a, TWC_MODE_REFLECT_OCTETS, buf);
	CHECK("accept-session: accept 0, MBZ 1, port 2, SID 4",
	      eq_hex(buf, "00001389") && buf[4] == 0x66 && buf[19] == 0x66);
	CHECK("accept-session: reflected 20, server octets 22, MBZ, HMAC 32",
	      eq_hex(buf + 20, "beef0a0b0000000000000000"
		     "00000000000000000000000000000000"));
	twc_accept_decode(buf, TWC_MODE_REFLECT_OCTETS, &a2);
	CHECK("accept-session round trip",
	      a2.accept == 0 && a2.port == 0x1389 &&
	      !memcmp(a2.sid, a.sid, 16) && a2.reflected_octets == 0xbeef &&
	      a2.server_octets == 0x0a0b);

	twc_start_encode(buf);
	CHECK("start-sessions: command 2, MBZ, HMAC at 16",
	      eq_hex(buf, "0200000000000000000000000000000000000000000000000000000000000000"));
	twc_start_ack_encode(4, buf);
	CHECK("start-ack: accept at 0", buf[0] == 4 &&
	      twc_start_ack_decode(buf) == 4 && eq_hex(buf + 1, "000000"));
	twc_stop_encode(&st, buf);
	CHECK("stop-sessions: command 3, accept 1, count at 4",
	      eq_hex(buf, "0301000001020304000000000000000000000000"));
	twc_stop_decode(buf, &st2);
	CHECK("stop-sessions round trip",
	      st2.accept == 1 && st2.nsessions == 0x01020304);

	memset(sids[0], 0x77, 16);
	memset(sids[1], 0x88, 16);
	twc_nmsg_encode(&m, buf);
	CHECK("start-n-ack: command 8, accept 1, count at 12, SIDs at 16",
	      eq_hex(buf, "08050000000000000000000000000002") &&
	      buf[16] == 0x77 && buf[32] == 0x88 && buf[47] == 0x88 &&
	      eq_hex(buf + 48, "00000000000000000000000000000000"));
	CHECK("start-n-ack length from its first block",
	      twc_nack_len(buf) == 64 && twc_cmd_len(buf) == 0);
	twc_nmsg_decode(buf, &m2);
	CHECK("start-n-ack round trip", m2.command == 8 && m2.accept == 5 &&
	      m2.n == 2 && !memcmp(m2.sids, sids, 32));
	m.command = TWC_CMD_STOP_N;
	twc_nmsg_encode(&m, buf);
	CHECK("stop-n-sessions: command 9, no accept, length 64",
	      eq_hex(buf, "09000000000000000000000000000002") &&
	      twc_cmd_len(buf) == 64);
	buf[15] = 0;
	CHECK("stop-n-sessions naming 0 sessions has no length",
	      twc_cmd_len(buf) == 0);
	buf[12] = 1;
	CHECK("stop-n-sessions naming 2^24 sessions has no length",
	      twc_cmd_len(buf) == 0);
	buf[0] = 6;
	CHECK("unknown command has no length", twc_cmd_len(buf) == 0);
}

static void test_keyring(void)
{
	char path[] = "/tmp/unit-control-keys.XXXXXX", err[256];
	struct twc_keyring *kr;
	const uint8_t *sec;
	size_t len = 0;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		CHECK("keyring: temporary file", 0);
		return;
	}
	fputs("# comment\n\n  alice 736563726574\nbob\t00ff\n", f);
	fclose(f);
	kr = twc_keyring_load(path, err, sizeof(err));
	sec = kr ? twc_keyring_find(kr, "alice", &len) : NULL;
	CHECK("keyring: hex passphrase decoded",
	      sec && len == 6 && !memcmp(sec, "secret", 6));
	sec = kr ? twc_keyring_find(kr, "bob", &len) : NULL;
	CHECK("keyring: binary passphrase", sec && len == 2 && sec[1] == 0xff);
	CHECK("keyring: unknown id", kr && !twc_keyring_find(kr, "carol", &len));
	twc_keyring_free(kr);

	f = fopen(path, "w");
	fputs("alice 736563726574\neve not-hex\n", f);
	fclose(f);
	err[0] = '\0';
	kr = twc_keyring_load(path, err, sizeof(err));
	CHECK("keyring: bad line refused with its number",
	      !kr && strstr(err, ":2: ") && strstr(err, "hex"));
	f = fopen(path, "w");
	fputs("alice 73\nalice 74\n", f);
	fclose(f);
	kr = twc_keyring_load(path, err, sizeof(err));
	CHECK("keyring: duplicate id refused", !kr && strstr(err, "twice"));
	unlink(path);
	kr = twc_keyring_load(path, err, sizeof(err));
	CHECK("keyring: missing file says so",
	      !kr && strstr(err, "No such file"));
}

/* -------- the server, driven in-process -------- */

struct sess_rec {
	uint8_t sid[16];
	enum twc_test_security sec;
	bool has_keys;
	struct twc_test_keys keys;
	struct twc_session_req req;
	bool started, stopped;
	uint64_t stop_timeout_ns;
};

struct fake {
	struct sess_rec s[8];
	unsigned int n;
	unsigned int start_calls, start_all_calls, stop_calls;
	uint8_t accept;			/* what request() answers */
	uint8_t start_accept;
	unsigned int refused;		/* refused() calls */
	uint8_t refused_accept;
	char why[256];
};

static struct sess_rec *fake_find(struct fake *f, const uint8_t *sid)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (!memcmp(f->s[i].sid, sid, 16))
			return &f->s[i];
	return NULL;
}

static uint8_t fake_request(void *ctx, const struct twc_session_req *req,
			    enum twc_test_security sec,
			    const struct twc_test_keys *keys,
			    struct twc_session_acc *acc)
{
	struct fake *f = ctx;
	struct sess_rec *s;

	if (f->accept || f->n == ARRAY_SIZE(f->s))
		return f->accept ? f->accept : TWC_ACCEPT_TEMP_LIMIT;
	s = &f->s[f->n++];
	memcpy(s->sid, acc->sid, 16);
	s->sec = sec;
	s->has_keys = keys != NULL;
	if (keys)
		s->keys = *keys;
	s->req = *req;
	acc->port = (uint16_t)(5000 + f->n);
	acc->server_octets = 0x5a5a;
	return TWC_ACCEPT_OK;
}

static uint8_t fake_start(void *ctx, const uint8_t (*sids)[16],
			  unsigned int n)
{
	struct fake *f = ctx;
	struct sess_rec *s;
	unsigned int i;

	f->start_calls++;
	if (f->start_accept)
		return f->start_accept;
	if (!n) {
		f->start_all_calls++;
		for (i = 0; i < f->n; i++)
			f->s[i].started = true;
	}
	for (i = 0; i < n; i++) {
		s = fake_find(f, sids[i]);
		if (s)
			s->started = true;
	}
	return TWC_ACCEPT_OK;
}

static void fake_stop(void *ctx, const uint8_t (*sids)[16], unsigned int n,
		      uint64_t timeout_ns)
{
	struct fake *f = ctx;
	struct sess_rec *s;
	unsigned int i;

	for (i = 0; i < n; i++) {
		f->stop_calls++;
		s = fake_find(f, sids[i]);
		if (s) {
			s->stopped = true;
			s->stop_timeout_ns = timeout_ns;
		}
	}
}

static void fake_refused(void *ctx, uint8_t accept, const char *why)
{
	struct fake *f = ctx;

	f->refused++;
	f->refused_accept = accept;
	snprintf(f->why, sizeof(f->why), "%s", why);
}

static const struct twc_server_ops fake_ops = {
	.request = fake_request,
	.start = fake_start,
	.stop = fake_stop,
	.refused = fake_refused,
};

static struct sockaddr_in local_addr, peer_addr;

static void addrs_init(void)
{
	local_addr.sin_family = AF_INET;
	local_addr.sin_port = htons(862);
	inet_pton(AF_INET, "192.0.2.1", &local_addr.sin_addr);
	peer_addr.sin_family = AF_INET;
	peer_addr.sin_port = htons(40000);
	inet_pton(AF_INET, "198.51.100.2", &peer_addr.sin_addr);
}

static struct twc_keyring *test_keys;
static const char test_secret[] = "unit-test secret";

static struct twc_conn *server(const struct twc_server_cfg *cfg,
			       struct fake *f)
{
	return twc_server_new(cfg, &fake_ops, f,
			      (struct sockaddr *)&local_addr,
			      (struct sockaddr *)&peer_addr);
}

/* Take exactly @len octets of the server's output, or fail. */
static bool take(struct twc_conn *c, uint8_t *buf, size_t len)
{
	const void *p;

	if (twc_conn_output(c, &p) < len)
		return false;
	memcpy(buf, p, len);
	twc_conn_consume(c, len);
	return true;
}

static size_t pending(struct twc_conn *c)
{
	const void *p;

	return twc_conn_output(c, &p);
}

/* A hand-driven client, to send what a real client never would. */
struct raw {
	struct twc_conn *c;
	struct twc_chan chan;
	uint32_t mode;
	uint8_t aes[16], hmac[32];
	struct twc_server_start ss;
};

/*
 * Greeting, Set-Up-Response and Server-Start. @skip_tail leaves Server-Start
 * octets 32-47 out of the first HMAC the client checks, which must then
 * fail: the coverage owamp uses is the one implemented.
 */
static int raw_open(struct raw *r, struct twc_conn *c, uint32_t mode,
		    const char *keyid, const char *secret, bool skip_tail,
		    bool bytewise)
{
	static const uint8_t zero_iv[16];
	uint8_t buf[TWC_SETUP_LEN], k[16], tok[64];
	struct twc_setup s = { .mode = mode };
	struct twc_greeting g;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->c = c;
	r->mode = mode;
	if (!take(c, buf, TWC_GREETING_LEN))
		return -1;
	twc_greeting_decode(buf, &g);
	if ((mode & TWC_MODE_SECURITY) != TWC_MODE_OPEN) {
		memcpy(s.keyid, keyid, strlen(keyid));
		memset(r->aes, 0x5c, 16);
		memset(r->hmac, 0x3a, 32);
		memset(s.client_iv, 0x17, 16);
		memcpy(tok, g.challenge, 16);
		memcpy(tok + 16, r->aes, 16);
		memcpy(tok + 32, r->hmac, 32);
		twc_pbkdf2((const uint8_t *)secret, strlen(secret), g.salt, 16,
			   g.count, k);
		twc_aes_cbc(k, zero_iv, true, tok, s.token, 64);
	}
	twc_setup_encode(&s, buf);
	for (i = 0; bytewise && i < TWC_SETUP_LEN; i++)
		if (twc_conn_input(c, buf + i, 1) < 0)
			return -1;
	if (!bytewise && twc_conn_input(c, buf, TWC_SETUP_LEN) < 0)
		return -1;
	if (!take(c, buf, TWC_SERVER_START_LEN))
		return -1;
	twc_server_start_decode(buf, &r->ss);
	if ((mode & TWC_MODE_SECURITY) != TWC_MODE_OPEN) {
		twc_chan_init(&r->chan, r->aes, r->hmac, s.client_iv,
			      r->ss.server_iv);
		twc_chan_decrypt(&r->chan, buf + 32, 16);
		if (!skip_tail)
			twc_chan_recv_raw(&r->chan, buf + 32, 16);
		twc_server_start_decode(buf, &r->ss);
	}
	return 0;
}

static void raw_close(struct raw *r)
{
	twc_chan_free(&r->chan);
	twc_conn_free(r->c);
}

/* Seal and send a command; @flip names an octet to corrupt on the wire. */
static int raw_send(struct raw *r, uint8_t *msg, size_t len, int flip)
{
	twc_chan_seal(&r->chan, msg, len);
	if (flip >= 0)
		msg[flip] ^= 0x01;
	return twc_conn_input(r->c, msg, len);
}

/* Receive a reply: 0, or -1 if missing or its HMAC is wrong. */
static int raw_recv(struct raw *r, uint8_t *msg, size_t len)
{
	if (!take(r->c, msg, len) ||
	    twc_chan_decrypt(&r->chan, msg, len) < 0)
		return -1;
	return twc_chan_verify(&r->chan, msg, len);
}

static void default_req(struct twc_session_req *req)
{
	memset(req, 0, sizeof(*req));
	req->ipvn = 4;
	req->sender_port = 40001;
	req->receiver_port = 862;
	req->timeout = (uint64_t)3 << 32;
	req->dscp = 10;
}

/* Request one session: the Accept value, or -1. */
static int raw_request(struct raw *r, const struct twc_session_req *req,
		       struct twc_session_acc *acc, int flip)
{
	uint8_t buf[TWC_REQUEST_LEN];

	twc_request_encode(req, r->mode, buf);
	if (raw_send(r, buf, sizeof(buf), flip) < 0 ||
	    raw_recv(r, buf, TWC_ACCEPT_LEN) < 0)
		return -1;
	twc_accept_decode(buf, r->mode, acc);
	return acc->accept;
}

static struct twc_server_cfg base_cfg(uint32_t modes)
{
	struct twc_server_cfg cfg = {
		.modes = modes, .keys = test_keys, .count = 1024,
		.max_sessions = 4,
	};

	return cfg;
}

static struct sockaddr_storage sa4(const char *a, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	inet_pton(AF_INET, a, &s4->sin_addr);
	return ss;
}

static struct sockaddr_storage sa6(const char *a, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	inet_pton(AF_INET6, a, &s6->sin6_addr);
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

/*
 * The address and port policy twampd applies to each session (issue 12:
 * a Sender Address aimed the reflector at a third party, a Receiver
 * Address and Port put reflectors on 127.0.0.1:5353 and VXLAN's 4789).
 */
static void test_policy(void)
{
	struct sockaddr_storage peer = sa4("198.51.100.2", 40000),
		local = sa4("192.0.2.1", 862), peer6 = sa6("2001:db8::2", 1),
		mapped = sa6("::ffff:198.51.100.2", 5), x;
	struct twc_prefix p[3];
	uint16_t seen[8];
	unsigned int i;
	bool ok;

	CHECK("policy: prefix parse v4, v6, host, /0",
	      !twc_prefix_parse("203.0.113.0/24", &p[0]) &&
	      p[0].family == AF_INET && p[0].len == 24 &&
	      !twc_prefix_parse("2001:db8:1::/48", &p[1]) &&
	      p[1].family == AF_INET6 && p[1].len == 48 &&
	      !twc_prefix_parse("198.51.100.7", &p[2]) && p[2].len == 32 &&
	      !twc_prefix_parse("::/0", &p[2]) && p[2].len == 0);
	CHECK("policy: bad prefixes refused",
	      twc_prefix_parse("203.0.113.0/33", &p[2]) &&
	      twc_prefix_parse("2001:db8::/129", &p[2]) &&
	      twc_prefix_parse("203.0.113.0/", &p[2]) &&
	      twc_prefix_parse("203.0.113.0/2x", &p[2]) &&
	      twc_prefix_parse("/24", &p[2]) &&
	      twc_prefix_parse("host.example/24", &p[2]) &&
	      twc_prefix_parse("", &p[2]));
	twc_prefix_parse("198.51.100.7/32", &p[2]);
	x = sa4("203.0.113.77", 0);
	CHECK("policy: prefix match, inside and outside",
	      twc_prefix_match(p, 3, SA(x)) &&
	      (x = sa4("203.0.114.1", 0), !twc_prefix_match(p, 3, SA(x))) &&
	      (x = sa6("2001:db8:1:ffff::9", 0), twc_prefix_match(p, 3, SA(x))) &&
	      (x = sa6("2001:db8:2::9", 0), !twc_prefix_match(p, 3, SA(x))) &&
	      !twc_prefix_match(p, 0, SA(x)));
	x = sa6("::ffff:203.0.113.9", 0);
	CHECK("policy: a v4-mapped address matches as IPv4",
	      twc_prefix_match(p, 3, SA(x)));
	twc_prefix_parse("203.0.113.128/25", &p[0]);
	x = sa4("203.0.113.127", 0);
	CHECK("policy: prefix length not a multiple of 8",
	      !twc_prefix_match(p, 1, SA(x)) &&
	      (x = sa4("203.0.113.128", 0), twc_prefix_match(p, 1, SA(x))));

	CHECK("policy: same address whatever the port, v4-mapped too",
	      twc_addr_equal(SA(peer), SA(mapped)) &&
	      (x = sa4("198.51.100.2", 9), twc_addr_equal(SA(x), SA(peer))) &&
	      !twc_addr_equal(SA(peer), SA(local)) &&
	      !twc_addr_equal(SA(peer), SA(peer6)));
	x = mapped;
	twc_addr_unmap(&x);
	CHECK("policy: unmap a v4-mapped address, port kept",
	      x.ss_family == AF_INET &&
	      ((struct sockaddr_in *)&x)->sin_port == htons(5) &&
	      twc_addr_equal(SA(x), SA(peer)));
	x = peer6;
	twc_addr_unmap(&x);
	CHECK("policy: unmap leaves other IPv6 alone",
	      !memcmp(&x, &peer6, sizeof(x)));

	/* The attack of issue 12: another host as the Sender Address. */
	twc_prefix_parse("203.0.113.0/24", &p[0]);
	twc_prefix_parse("2001:db8:1::/48", &p[1]);
	x = sa4("198.51.100.3", 40001);
	CHECK("policy: another host as Sender Address refused",
	      twc_addr_check(SA(x), SA(peer), NULL, 0) == TWC_ADDR_REFUSED &&
	      twc_addr_check(SA(x), SA(peer), p, 2) == TWC_ADDR_REFUSED);
	CHECK("policy: the client's own address is the connection's",
	      (x = sa4("198.51.100.2", 40001),
	       twc_addr_check(SA(x), SA(peer), NULL, 0) == TWC_ADDR_CONN) &&
	      twc_addr_check(SA(mapped), SA(peer), NULL, 0) == TWC_ADDR_CONN);
	x = sa4("203.0.113.9", 40001);
	CHECK("policy: a Sender Address in an allowed prefix",
	      twc_addr_check(SA(x), SA(peer), p, 2) == TWC_ADDR_ALLOWED &&
	      (x = sa6("2001:db8:1::5", 1),
	       twc_addr_check(SA(x), SA(peer6), p, 2) == TWC_ADDR_ALLOWED));
	twc_prefix_parse("0.0.0.0/0", &p[2]);
	ok = true;
	x = sa4("224.0.0.251", 5353);
	ok &= twc_addr_check(SA(x), SA(peer), p, 3) == TWC_ADDR_NOT_UNICAST;
	x = sa4("255.255.255.255", 1);
	ok &= twc_addr_check(SA(x), SA(peer), p, 3) == TWC_ADDR_NOT_UNICAST;
	x = sa4("0.0.0.0", 1);
	ok &= twc_addr_check(SA(x), SA(peer), p, 3) == TWC_ADDR_NOT_UNICAST;
	x = sa6("ff02::fb", 1);
	ok &= twc_addr_check(SA(x), SA(peer6), p, 3) == TWC_ADDR_NOT_UNICAST;
	CHECK("policy: no prefix allows multicast, broadcast or zero", ok);
	x = sa4("127.0.0.1", 5353);
	CHECK("policy: loopback as Receiver Address refused by default",
	      twc_addr_check(SA(x), SA(local), NULL, 0) == TWC_ADDR_REFUSED &&
	      (x = sa4("192.0.2.1", 5353),
	       twc_addr_check(SA(x), SA(local), NULL, 0) == TWC_ADDR_CONN));
	x.ss_family = AF_UNIX;
	CHECK("policy: another family is refused",
	      twc_addr_check(SA(x), SA(local), p, 3) == TWC_ADDR_REFUSED);

	CHECK("policy: ports in the range only",
	      twc_port_in_range(20000, 20000, 20099) &&
	      twc_port_in_range(20099, 20000, 20099) &&
	      !twc_port_in_range(19999, 20000, 20099) &&
	      !twc_port_in_range(4789, 20000, 20099) &&
	      !twc_port_in_range(0, 0, 20099));
	CHECK("policy: a port in the range is tried first, then the others",
	      twc_port_try(20005, 20000, 20007, 20000, 0) == 20005 &&
	      twc_port_try(20005, 20000, 20007, 20000, 1) == 20000 &&
	      twc_port_try(20005, 20000, 20007, 20000, 5) == 20004 &&
	      twc_port_try(20005, 20000, 20007, 20000, 6) == 20006 &&
	      twc_port_try(20005, 20000, 20007, 20000, 7) == 20007 &&
	      twc_port_try(20005, 20000, 20007, 20000, 8) == 0);
	ok = true;
	for (i = 0; i < 8; i++) {
		seen[i] = twc_port_try(4789, 20000, 20006, 20005, i);
		ok &= i == 7 ? seen[i] == 0 : seen[i] >= 20000 &&
		      seen[i] <= 20006;
	}
	CHECK("policy: 4789 outside the range is never tried",
	      ok && seen[0] == 20005 && seen[1] == 20006 && seen[2] == 20000 &&
	      seen[6] == 20004);
	ok = true;
	for (i = 0; i < 4; i++)
		seen[i] = twc_port_try(20001, 20000, 20003, 20002, i);
	CHECK("policy: each port of the range once, the cursor wrapping",
	      seen[0] == 20001 && seen[1] == 20002 && seen[2] == 20003 &&
	      seen[3] == 20000 &&
	      twc_port_try(20001, 20000, 20003, 20002, 4) == 0);
	CHECK("policy: port 0 asks for any port of the range",
	      twc_port_try(0, 20000, 20001, 0, 0) == 20000 &&
	      twc_port_try(0, 20000, 20001, 0, 1) == 20001 &&
	      twc_port_try(0, 20000, 20001, 0, 2) == 0);
	CHECK("policy: the whole port space, and a one-port range",
	      twc_port_try(65535, 1, 65535, 65535, 0) == 65535 &&
	      twc_port_try(65535, 1, 65535, 65535, 1) == 1 &&
	      twc_port_try(65535, 1, 65535, 65535, 65535) == 0 &&
	      twc_port_try(5353, 862, 862, 862, 0) == 862 &&
	      twc_port_try(5353, 862, 862, 862, 1) == 0 &&
	      twc_port_try(5353, 900, 800, 800, 0) == 0);
}

static void test_server_setup(void)
{
	struct twc_server_cfg cfg = base_cfg(TWC_MODE_OPEN | TWC_MODE_AUTH);
	uint8_t buf[TWC_SETUP_LEN], g1[64], g2[64];
	struct fake f = { 0 };
	struct twc_setup s = { 0 };
	struct twc_conn *c, *c2;
	struct raw r;

	c = server(&cfg, &f);
	c2 = server(&cfg, &f);
	CHECK("greeting: 64 octets queued, modes and count",
	      c && take(c, g1, 64) && eq_hex(g1 + 12, "00000003") &&
	      eq_hex(g1 + 48, "00000400"));
	CHECK("greeting: challenge and salt random per connection",
	      c2 && take(c2, g2, 64) && memcmp(g1 + 16, g2 + 16, 32));
	twc_conn_free(c2);
	cfg.count = 0;
	c2 = server(&cfg, &f);
	CHECK("greeting: Count 0 in the config means 1024",
	      c2 && take(c2, g2, 64) && eq_hex(g2 + 48, "00000400"));
	twc_conn_free(c2);
	cfg.count = 1024;
	s.mode = TWC_MODE_ENCRYPT;
	twc_setup_encode(&s, buf);
	CHECK("setup: mode not offered closes",
	      twc_conn_input(c, buf, sizeof(buf)) == -1 &&
	      strstr(twc_conn_error(c), "offers unauthenticated|authenticated"));
	CHECK("setup: mode not offered answered Accept 3",
	      take(c, buf, 48) && buf[15] == TWC_ACCEPT_UNSUPPORTED &&
	      eq_hex(buf + 32, "00000000000000000000000000000000"));
	CHECK("dead connection refuses more input",
	      twc_conn_input(c, buf, 1) == -1);
	twc_conn_free(c);

	c = server(&cfg, &f);
	take(c, g1, 64);
	s.mode = TWC_MODE_OPEN | TWC_MODE_AUTH;
	twc_setup_encode(&s, buf);
	CHECK("setup: two security bits refused",
	      twc_conn_input(c, buf, sizeof(buf)) == -1 && take(c, buf, 48) &&
	      buf[15] == TWC_ACCEPT_UNSUPPORTED);
	twc_conn_free(c);

	c = server(&cfg, &f);
	take(c, g1, 64);
	s.mode = TWC_MODE_OPEN | TWC_MODE_INDIVIDUAL;
	twc_setup_encode(&s, buf);
	CHECK("setup: feature bit not offered refused",
	      twc_conn_input(c, buf, sizeof(buf)) == -1 && take(c, buf, 48) &&
	      buf[15] == TWC_ACCEPT_UNSUPPORTED);
	twc_conn_free(c);

	c = server(&cfg, &f);
	take(c, g1, 64);
	s.mode = 0;
	twc_setup_encode(&s, buf);
	CHECK("setup: mode 0 (client quits) closes without Server-Start",
	      twc_conn_input(c, buf, sizeof(buf)) == -1 && pending(c) == 0);
	twc_conn_free(c);

	c = server(&cfg, &f);
	CHECK("setup: unknown KeyID gets Accept 1",
	      raw_open(&r, c, TWC_MODE_AUTH, "mallory", test_secret, false,
		       false) == -1 && pending(c) == 48 && take(c, buf, 48) &&
	      buf[15] == TWC_ACCEPT_FAILURE &&
	      strstr(twc_conn_error(c), "unknown KeyID 'mallory'"));
	twc_conn_free(c);

	c = server(&cfg, &f);
	CHECK("setup: wrong secret (Token challenge mismatch) gets Accept 1",
	      raw_open(&r, c, TWC_MODE_AUTH, "alice", "wrong", false,
		       false) == -1 && take(c, buf, 48) &&
	      buf[15] == TWC_ACCEPT_FAILURE &&
	      strstr(twc_conn_error(c), "Challenge"));
	twc_conn_free(c);

	c = server(&cfg, &f);
	CHECK("setup: fed one octet at a time",
	      raw_open(&r, c, TWC_MODE_AUTH, "alice", test_secret, false,
		       true) == 0 && r.ss.accept == 0 &&
	      twc_conn_mode(c) == TWC_MODE_AUTH);
	raw_close(&r);

	cfg.start_time = 0x0123456789abcdefull;
	c = server(&cfg, &f);
	CHECK("server-start: Start-Time is the server's, encrypted",
	      raw_open(&r, c, TWC_MODE_AUTH, "alice", test_secret, false,
		       false) == 0 && r.ss.start_time == cfg.start_time);
	raw_close(&r);
}

static void test_server_hmac(void)
{
	struct twc_server_cfg cfg = base_cfg(TWC_MODE_AUTH | TWC_MODE_MIXED);
	struct twc_session_acc acc;
	struct twc_session_req req;
	uint8_t buf[TWC_REQUEST_LEN];
	struct fake f = { 0 };
	struct raw r;

	default_req(&req);
	raw_open(&r, server(&cfg, &f), TWC_MODE_AUTH, "alice", test_secret,
		 false, false);
	CHECK("hmac: good request accepted",
	      raw_request(&r, &req, &acc, -1) == 0);
	CHECK("hmac: later Accept-Session verifies too",
	      raw_request(&r, &req, &acc, -1) == 0);
	CHECK("hmac: flipped HMAC bit closes",
	      raw_request(&r, &req, &acc, 100) == -1 &&
	      strstr(twc_conn_error(r.c), "HMAC"));
	raw_close(&r);

	raw_open(&r, server(&cfg, &f), TWC_MODE_MIXED, "alice", test_secret,
		 false, false);
	CHECK("hmac: flipped body bit closes (mixed)",
	      raw_request(&r, &req, &acc, 40) == -1 &&
	      strstr(twc_conn_error(r.c), "HMAC"));
	raw_close(&r);

	raw_open(&r, server(&cfg, &f), TWC_MODE_AUTH, "alice", test_secret,
		 true, false);
	CHECK("hmac: first server HMAC covers Server-Start 32-47",
	      raw_request(&r, &req, &acc, -1) == -1);
	raw_close(&r);

	/* In the clear, every HMAC field is MBZ: junk there is ignored. */
	cfg.modes = TWC_MODE_OPEN;
	raw_open(&r, server(&cfg, &f), TWC_MODE_OPEN, NULL, NULL, false,
		 false);
	twc_request_encode(&req, TWC_MODE_OPEN, buf);
	memset(buf + 96, 0xa5, 16);
	buf[1] |= 0xf0;			/* high nibble of IPVN octet: MBZ */
	memset(buf + 88, 0xff, 8);	/* MBZ without Reflect Octets */
	CHECK("open mode: HMAC and MBZ octets ignored",
	      twc_conn_input(r.c, buf, sizeof(buf)) == 0 &&
	      take(r.c, buf, 48) && buf[0] == TWC_ACCEPT_OK);
	raw_close(&r);
}

static int raw_simple(struct raw *r, uint8_t cmd, uint32_t nsess, int flip)
{
	struct twc_stop st = { .nsessions = nsess };
	uint8_t buf[TWC_START_LEN];

	if (cmd == TWC_CMD_STOP)
		twc_stop_encode(&st, buf);
	else
		twc_start_encode(buf);
	buf[0] = cmd;
	return raw_send(r, buf, sizeof(buf), flip);
}

static void test_server_requests(void)
{
	struct twc_server_cfg cfg = base_cfg(TWC_MODE_OPEN |
					     TWC_MODE_REFLECT_OCTETS);
	struct sockaddr_in *sin;
	struct twc_session_acc acc;
	struct twc_session_req req;
	uint8_t buf[TWC_REQUEST_LEN];
	struct fake f = { 0 };
	struct raw r;
	int i;

	raw_open(&r, server(&cfg, &f), TWC_MODE_OPEN | TWC_MODE_REFLECT_OCTETS,
		 NULL, NULL, false, false);
	default_req(&req);
	req.reflect_octets = 0x1234;
	CHECK("request: accepted with the callback's port and SID",
	      raw_request(&r, &req, &acc, -1) == 0 && acc.port == 5001 &&
	      f.n == 1 && !memcmp(acc.sid, f.s[0].sid, 16) &&
	      eq_hex(acc.sid, "c0000201"));
	CHECK("request: reflect octets echoed, server octets sent",
	      acc.reflected_octets == 0x1234 && acc.server_octets == 0x5a5a);
	sin = (struct sockaddr_in *)&f.s[0].req.sender;
	CHECK("request: zero sender address is the control peer's",
	      sin->sin_family == AF_INET &&
	      sin->sin_addr.s_addr == peer_addr.sin_addr.s_addr &&
	      sin->sin_port == htons(40001));
	sin = (struct sockaddr_in *)&f.s[0].req.receiver;
	CHECK("request: zero receiver address is the control local one",
	      sin->sin_family == AF_INET &&
	      sin->sin_addr.s_addr == local_addr.sin_addr.s_addr &&
	      sin->sin_port == htons(862));
	CHECK("request: open test, no keys",
	      f.s[0].sec == TWC_TEST_OPEN && !f.s[0].has_keys);

	CHECK("request: an accepted one is not reported refused",
	      f.refused == 0);
	req.ipvn = 5;
	CHECK("request: IPVN 5 gets Accept 3, port 0",
	      raw_request(&r, &req, &acc, -1) == TWC_ACCEPT_UNSUPPORTED &&
	      acc.port == 0 && f.n == 1);
	CHECK("request: the refusal is reported with its reason",
	      f.refused == 1 && f.refused_accept == TWC_ACCEPT_UNSUPPORTED &&
	      strstr(f.why, "IPVN 5"));
	req.ipvn = 6;
	CHECK("request: IPVN 6, zero addresses, IPv4 control: accepted",
	      raw_request(&r, &req, &acc, -1) == TWC_ACCEPT_OK && f.n == 2);
	sin = (struct sockaddr_in *)&f.s[1].req.sender;
	CHECK("request: ... as the control connection's IPv4 session",
	      f.s[1].req.ipvn == 4 && sin->sin_family == AF_INET &&
	      sin->sin_addr.s_addr == peer_addr.sin_addr.s_addr &&
	      f.s[1].req.receiver.ss_family == AF_INET);
	inet_pton(AF_INET6, "2001:db8::1",
		  &((struct sockaddr_in6 *)&req.sender)->sin6_addr);
	req.sender.ss_family = AF_INET6;
	CHECK("request: an IPv6 Sender Address over IPv4 control gets Accept 3",
	      raw_request(&r, &req, &acc, -1) == TWC_ACCEPT_UNSUPPORTED &&
	      f.n == 2);
	memset(&req.sender, 0, sizeof(req.sender));
	req.ipvn = 4;
	req.type_p = 0x40000000 | (10 << 14);
	CHECK("request: PHB-ID Type-P gets Accept 3",
	      raw_request(&r, &req, &acc, -1) == TWC_ACCEPT_UNSUPPORTED);
	req.type_p = 0;
	twc_request_encode(&req, r.mode, buf);
	buf[2] = 1;
	CHECK("request: Conf-Sender 1 gets Accept 3",
	      raw_send(&r, buf, sizeof(buf), -1) == 0 && take(r.c, buf, 48) &&
	      buf[0] == TWC_ACCEPT_UNSUPPORTED);
	twc_request_encode(&req, r.mode, buf);
	buf[11] = 1;
	CHECK("request: Number of Packets 1 gets Accept 3",
	      raw_send(&r, buf, sizeof(buf), -1) == 0 && take(r.c, buf, 48) &&
	      buf[0] == TWC_ACCEPT_UNSUPPORTED);
	f.accept = TWC_ACCEPT_TEMP_LIMIT;
	CHECK("request: callback's refusal passed on with port 0",
	      raw_request(&r, &req, &acc, -1) == TWC_ACCEPT_TEMP_LIMIT &&
	      acc.port == 0 && eq_hex(acc.sid, "00000000"));
	f.accept = 0;
	for (i = 0; i < 3; i++)
		raw_request(&r, &req, &acc, -1);
	CHECK("request: max_sessions reached gets Accept 4",
	      f.n == 4 &&
	      raw_request(&r, &req, &acc, -1) == TWC_ACCEPT_PERM_LIMIT &&
	      f.n == 4);
	CHECK("request: reported as max-sessions",
	      f.refused_accept == TWC_ACCEPT_PERM_LIMIT &&
	      strstr(f.why, "already 4 sessions") &&
	      strstr(f.why, "max-sessions"));

	CHECK("stop-sessions before start: count 0 is right",
	      raw_simple(&r, TWC_CMD_STOP, 0, -1) == 0 && f.stop_calls == 0);
	CHECK("not testing before start", !twc_conn_testing(r.c));
	CHECK("start-sessions acknowledged",
	      raw_simple(&r, TWC_CMD_START, 0, -1) == 0 &&
	      take(r.c, buf, 32) && buf[0] == 0 && f.start_all_calls == 1);
	CHECK("testing after start", twc_conn_testing(r.c));
	CHECK("stop-sessions count mismatch closes",
	      raw_simple(&r, TWC_CMD_STOP, 3, -1) == -1 &&
	      strstr(twc_conn_error(r.c), "counts 3 sessions, 4 are running"));
	raw_close(&r);

	memset(&f, 0, sizeof(f));
	raw_open(&r, server(&cfg, &f), TWC_MODE_OPEN, NULL, NULL, false,
		 false);
	default_req(&req);
	raw_request(&r, &req, &acc, -1);
	req.timeout = (uint64_t)1 << 31;
	raw_request(&r, &req, &acc, -1);
	raw_simple(&r, TWC_CMD_START, 0, -1);
	take(r.c, buf, 32);
	CHECK("stop-sessions stops each session with its timeout",
	      raw_simple(&r, TWC_CMD_STOP, 2, -1) == 0 && f.stop_calls == 2 &&
	      f.s[0].stop_timeout_ns == 3000000000ull &&
	      f.s[1].stop_timeout_ns == 500000000ull && pending(r.c) == 0);
	CHECK("not testing after stop", !twc_conn_testing(r.c));
	f.start_accept = TWC_ACCEPT_INTERNAL;
	raw_request(&r, &req, &acc, -1);
	CHECK("start refused by the callback is answered so",
	      raw_simple(&r, TWC_CMD_START, 0, -1) == 0 &&
	      take(r.c, buf, 32) && buf[0] == TWC_ACCEPT_INTERNAL &&
	      !twc_conn_testing(r.c));
	CHECK("start-n without mode 16 gets Accept 3 and closes",
	      raw_simple(&r, TWC_CMD_START_N, 0, -1) == -1 &&
	      take(r.c, buf, 48) && buf[0] == TWC_ACCEPT_UNSUPPORTED);
	raw_close(&r);

	/* IPVN 4 with zero addresses over IPv6 control (docs/interop.md) */
	{
		struct sockaddr_in6 l6 = { .sin6_family = AF_INET6,
					   .sin6_port = htons(862) };
		struct sockaddr_in6 p6 = { .sin6_family = AF_INET6,
					   .sin6_port = htons(40000) };
		struct sockaddr_in6 *s6;

		inet_pton(AF_INET6, "2001:db8::1", &l6.sin6_addr);
		inet_pton(AF_INET6, "2001:db8::2", &p6.sin6_addr);
		memset(&f, 0, sizeof(f));
		raw_open(&r, twc_server_new(&cfg, &fake_ops, &f,
					    (struct sockaddr *)&l6,
					    (struct sockaddr *)&p6),
			 TWC_MODE_OPEN, NULL, NULL, false, false);
		default_req(&req);
		CHECK("request: IPVN 4, zero addresses, IPv6 control: accepted",
		      raw_request(&r, &req, &acc, -1) == TWC_ACCEPT_OK &&
		      f.n == 1);
		s6 = (struct sockaddr_in6 *)&f.s[0].req.sender;
		CHECK("request: ... as the control connection's IPv6 session",
		      f.s[0].req.ipvn == 6 && s6->sin6_family == AF_INET6 &&
		      !memcmp(&s6->sin6_addr, &p6.sin6_addr, 16) &&
		      s6->sin6_port == htons(40001) &&
		      f.s[0].req.receiver.ss_family == AF_INET6);
		raw_close(&r);
	}

	raw_open(&r, server(&cfg, &f), TWC_MODE_OPEN, NULL, NULL, false,
		 false);
	CHECK("unknown command 6 gets Accept-Session Accept 3, then close",
	      raw_simple(&r, 6, 0, -1) == -1 && take(r.c, buf, 48) &&
	      buf[0] == TWC_ACCEPT_UNSUPPORTED &&
	      strstr(twc_conn_error(r.c), "unsupported command 6"));
	raw_close(&r);
}

/* Send a Start-N/Stop-N naming @n SIDs (and claiming @claim). */
static int raw_n(struct raw *r, uint8_t cmd, const uint8_t (*sids)[16],
		 unsigned int n)
{
	struct twc_nmsg m = { .command = cmd, .n = n, .sids = sids };
	uint8_t buf[TWC_N_LEN(8)];

	twc_nmsg_encode(&m, buf);
	return raw_send(r, buf, TWC_N_LEN(n), -1);
}

/* Receive one Ack: its Accept and SID count, or -1. */
static int raw_nack(struct raw *r, uint8_t cmd, uint32_t *n)
{
	uint8_t buf[TWC_N_LEN(8)];
	struct twc_nmsg m;
	size_t len;

	if (!take(r->c, buf, 16) || twc_chan_decrypt(&r->chan, buf, 16) < 0)
		return -1;
	len = twc_nack_len(buf);
	if (buf[0] != cmd || !len || len > sizeof(buf) ||
	    !take(r->c, buf + 16, len - 16) ||
	    twc_chan_decrypt(&r->chan, buf + 16, len - 16) < 0 ||
	    twc_chan_verify(&r->chan, buf, len) < 0)
		return -1;
	twc_nmsg_decode(buf, &m);
	*n = m.n;
	return m.accept;
}

static void test_server_individual(void)
{
	struct twc_server_cfg cfg = base_cfg(TWC_MODE_ENCRYPT |
					     TWC_MODE_INDIVIDUAL);
	uint32_t mode = TWC_MODE_ENCRYPT | TWC_MODE_INDIVIDUAL;
	uint8_t sids[3][16], buf[64];
	struct twc_session_acc acc;
	struct twc_session_req req;
	struct fake f = { 0 };
	uint32_t n = 0;
	struct raw r;

	raw_open(&r, server(&cfg, &f), mode, "alice", test_secret, false,
		 false);
	default_req(&req);
	raw_request(&r, &req, &acc, -1);
	memcpy(sids[0], acc.sid, 16);
	raw_request(&r, &req, &acc, -1);
	memcpy(sids[1], acc.sid, 16);
	memset(sids[2], 0x99, 16);
	CHECK("start-n of two sessions acknowledged together",
	      raw_n(&r, TWC_CMD_START_N, (const uint8_t (*)[16])sids, 2) == 0 &&
	      raw_nack(&r, TWC_CMD_START_N_ACK, &n) == 0 && n == 2 &&
	      f.s[0].started && f.s[1].started && twc_conn_testing(r.c));
	CHECK("stop-n of one session",
	      raw_n(&r, TWC_CMD_STOP_N, (const uint8_t (*)[16])sids, 1) == 0 &&
	      raw_nack(&r, TWC_CMD_STOP_N_ACK, &n) == 0 && n == 1 &&
	      f.s[0].stopped && !f.s[1].stopped && twc_conn_testing(r.c));
	CHECK("stop-n of a stopped and an unknown SID: one Ack, Accept 1",
	      raw_n(&r, TWC_CMD_STOP_N, (const uint8_t (*)[16])sids, 1) == 0 &&
	      raw_nack(&r, TWC_CMD_STOP_N_ACK, &n) == TWC_ACCEPT_FAILURE &&
	      n == 1 && pending(r.c) == 0);
	CHECK("stop-n: good and bad SIDs answered in two Acks",
	      raw_n(&r, TWC_CMD_STOP_N, (const uint8_t (*)[16])sids + 1,
		    2) == 0 &&
	      raw_nack(&r, TWC_CMD_STOP_N_ACK, &n) == 0 && n == 1 &&
	      raw_nack(&r, TWC_CMD_STOP_N_ACK, &n) == TWC_ACCEPT_FAILURE &&
	      n == 1 && f.s[1].stopped && !twc_conn_testing(r.c));
	CHECK("start-sessions forbidden with mode 16",
	      raw_simple(&r, TWC_CMD_START, 0, -1) == -1 &&
	      strstr(twc_conn_error(r.c), "forbidden"));
	raw_close(&r);

	raw_open(&r, server(&cfg, &f), mode, "alice", test_secret, false,
		 false);
	memset(buf, 0, sizeof(buf));
	buf[0] = TWC_CMD_START_N;
	CHECK("start-n naming 0 sessions closes",
	      raw_send(&r, buf, 32, -1) == -1 &&
	      strstr(twc_conn_error(r.c), "invalid number"));
	raw_close(&r);
	raw_open(&r, server(&cfg, &f), mode, "alice", test_secret, false,
		 false);
	buf[0] = TWC_CMD_STOP_N;
	buf[12] = 0x7f;
	CHECK("stop-n naming 2^30 sessions closes before buffering them",
	      raw_send(&r, buf, 32, -1) == -1 &&
	      strstr(twc_conn_error(r.c), "invalid number"));
	raw_close(&r);
}

static void test_server_garbage(void)
{
	struct twc_server_cfg cfg = base_cfg(TWC_MODE_OPEN);
	static uint8_t junk[256 * 1024];
	struct twc_session_req req;
	uint8_t buf[TWC_REQUEST_LEN];
	struct fake f = { 0 };
	struct raw r;
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 2654435761u >> 13);
	raw_open(&r, server(&cfg, &f), TWC_MODE_OPEN, NULL, NULL, false,
		 false);
	CHECK("garbage after setup closes, with a reason",
	      twc_conn_input(r.c, junk, sizeof(junk)) == -1 &&
	      strcmp(twc_conn_error(r.c), "no error"));
	raw_close(&r);

	/* A client that never reads its replies cannot grow the queue. */
	raw_open(&r, server(&cfg, &f), TWC_MODE_OPEN, NULL, NULL, false,
		 false);
	default_req(&req);
	twc_request_encode(&req, TWC_MODE_OPEN, buf);
	for (i = 0; i < 4000 && ret == 0; i++)
		ret = twc_conn_input(r.c, buf, sizeof(buf));
	CHECK("unread replies are bounded",
	      ret == -1 && pending(r.c) <= 64 * 1024 &&
	      strstr(twc_conn_error(r.c), "does not read"));
	raw_close(&r);
}

/* -------- client and server over a socketpair -------- */

struct run {
	/* client side, in its own thread */
	struct twc_client_cfg cfg;
	int fd;
	bool individual;
	bool use_start_n_unknown;
	int open_ok, req_accept, start_accept, stop_ret;
	int startn_accept, stopn_accept, startn_bad_accept;
	struct twc_session_acc acc[2];
	struct twc_test_keys ckeys[2];
	char err[256];
	uint32_t server_modes;
	uint32_t client_mode;		/* what Set-Up-Response carried */
	/* server side */
	struct twc_server_cfg scfg;
	struct fake f;
	int serve_ret;
	bool was_testing;
	char serr[256];
	uint8_t wire[4096];		/* what the server sent */
	size_t wire_len;
};

static void *client_thread(void *arg)
{
	struct run *t = arg;
	struct twc_session_req req;
	uint8_t bad[1][16];
	struct twc_client *cl;
	int i;

	cl = twc_client_open(t->fd, &t->cfg, t->err, sizeof(t->err));
	t->open_ok = cl != NULL;
	if (!cl)
		goto out;
	t->server_modes = twc_client_server_modes(cl);
	t->client_mode = twc_client_mode(cl);
	default_req(&req);
	for (i = 0; i < 2; i++) {
		t->req_accept = twc_client_request(cl, &req, &t->acc[i], t->err,
						   sizeof(t->err));
		if (t->req_accept != 0)
			goto out_free;
		twc_client_test_keys(cl, t->acc[i].sid, &t->ckeys[i]);
	}
	if (t->individual) {
		const uint8_t (*sids)[16] = (const void *)t->acc[0].sid;

		memcpy(bad[0], t->acc[0].sid, 16);
		bad[0][15] ^= 1;
		t->startn_accept = twc_client_start_n(cl, sids, 1, t->err,
						      sizeof(t->err));
		t->startn_bad_accept = twc_client_start_n(cl,
						(const uint8_t (*)[16])bad, 1,
						t->err, sizeof(t->err));
		t->stopn_accept = twc_client_stop_n(cl, sids, 1, t->err,
						    sizeof(t->err));
		if (t->use_start_n_unknown)
			t->start_accept = twc_client_start(cl, t->err,
							   sizeof(t->err));
		goto out_free;
	}
	t->start_accept = twc_client_start(cl, t->err, sizeof(t->err));
	if (t->start_accept == 0)
		t->stop_ret = twc_client_stop(cl, 0, t->err, sizeof(t->err));
out_free:
	twc_client_free(cl);
out:
	shutdown(t->fd, SHUT_WR);
	return NULL;
}

static int flush_out(struct run *t, struct twc_conn *c, int fd)
{
	const void *p;
	size_t len;
	ssize_t n;

	while ((len = twc_conn_output(c, &p)) > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		if (t->wire_len + (size_t)n <= sizeof(t->wire)) {
			memcpy(t->wire + t->wire_len, p, (size_t)n);
			t->wire_len += (size_t)n;
		}
		twc_conn_consume(c, (size_t)n);
	}
	return 0;
}

/* Drive the server until the client hangs up: 0, or -1 on error. */
static int serve(struct run *t, int fd)
{
	struct twc_conn *c;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[1000];
	ssize_t n;
	int ret = 0;

	c = twc_server_new(&t->scfg, &fake_ops, &t->f,
			   (struct sockaddr *)&local_addr,
			   (struct sockaddr *)&peer_addr);
	if (!c)
		return -1;
	for (;;) {
		if (flush_out(t, c, fd) < 0 || poll(&pfd, 1, 10000) != 1) {
			ret = -1;
			break;
		}
		/* Odd-sized reads: messages arrive split and merged. */
		n = recv(fd, buf, 37, 0);
		if (n <= 0)
			break;
		ret = twc_conn_input(c, buf, (size_t)n);
		t->was_testing |= twc_conn_testing(c);
		if (ret < 0) {
			flush_out(t, c, fd);
			break;
		}
	}
	snprintf(t->serr, sizeof(t->serr), "%s", twc_conn_error(c));
	twc_conn_free(c);
	return ret;
}

static void run(struct run *t)
{
	pthread_t th;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		t->serve_ret = -2;
		return;
	}
	t->fd = sv[1];
	if (!t->cfg.timeout_ms)
		t->cfg.timeout_ms = 10000;
	pthread_create(&th, NULL, client_thread, t);
	t->serve_ret = serve(t, sv[0]);
	shutdown(sv[0], SHUT_RDWR);
	pthread_join(th, NULL);
	close(sv[0]);
	close(sv[1]);
}

static struct run *run_new(uint32_t server_modes, uint32_t mode)
{
	struct run *t = calloc(1, sizeof(*t));

	t->scfg = base_cfg(server_modes);
	t->cfg.mode = mode;
	t->cfg.keyid = "alice";
	t->cfg.secret = (const uint8_t *)test_secret;
	t->cfg.secret_len = strlen(test_secret);
	return t;
}

static bool wire_has(const struct run *t, const uint8_t *needle, size_t len)
{
	size_t i;

	for (i = 0; i + len <= t->wire_len; i++)
		if (!memcmp(t->wire + i, needle, len))
			return true;
	return false;
}

static void test_handshake(const char *name, uint32_t mode,
			   enum twc_test_security sec, bool individual)
{
	struct run *t = run_new(TWC_MODE_OPEN | TWC_MODE_AUTH |
				TWC_MODE_ENCRYPT | TWC_MODE_MIXED |
				TWC_MODE_INDIVIDUAL, mode);
	char what[128];
	bool keys_ok;
	int i;

	t->individual = individual;
	run(t);
	snprintf(what, sizeof(what), "%s: client opens and requests", name);
	CHECK(what, t->open_ok && t->req_accept == 0 && t->f.n == 2 &&
	      t->server_modes == 0x1f);
	snprintf(what, sizeof(what), "%s: test security %d", name, sec);
	CHECK(what, t->f.s[0].sec == sec &&
	      t->f.s[0].has_keys == (sec != TWC_TEST_OPEN));
	keys_ok = true;
	for (i = 0; i < 2; i++)
		keys_ok &= !memcmp(&t->f.s[i].keys, &t->ckeys[i],
				   sizeof(t->ckeys[i]));
	if (sec != TWC_TEST_OPEN) {
		snprintf(what, sizeof(what),
			 "%s: test keys equal on both sides, differ per SID",
			 name);
		CHECK(what, keys_ok && memcmp(&t->ckeys[0], &t->ckeys[1],
					      sizeof(t->ckeys[0])));
	}
	snprintf(what, sizeof(what), "%s: SID %s on the wire", name,
		 mode & TWC_MODE_SECURITY & ~TWC_MODE_OPEN ? "not" : "in clear");
	CHECK(what, wire_has(t, t->f.s[0].sid, 16) ==
	      !(mode & (TWC_MODE_AUTH | TWC_MODE_ENCRYPT | TWC_MODE_MIXED)));
	if (individual) {
		snprintf(what, sizeof(what),
			 "%s: start-n, unknown SID refused, stop-n", name);
		CHECK(what, t->startn_accept == 0 &&
		      t->startn_bad_accept == TWC_ACCEPT_FAILURE &&
		      t->stopn_accept == 0 && t->f.s[0].started &&
		      t->f.s[0].stopped && !t->f.s[1].started &&
		      t->serve_ret == 0);
	} else {
		snprintf(what, sizeof(what),
			 "%s: start, test, stop, clean close", name);
		CHECK(what, t->start_accept == 0 && t->stop_ret == 0 &&
		      t->was_testing && t->f.s[0].stopped &&
		      t->f.s[1].stopped && t->serve_ret == 0);
	}
	free(t);
}

/*
 * RFC 8186 (mode 512): the server offers PTP when configured to; a client
 * that can read PTP sets the bit whenever it is offered and only then; a
 * Set-Up-Response with the bit the server did not offer is refused.
 */
static void test_ptp_mode(void)
{
	struct twc_server_cfg cfg = base_cfg(TWC_MODE_OPEN | TWC_MODE_PTP);
	uint8_t buf[TWC_SETUP_LEN], g[64];
	struct twc_setup s = { 0 };
	struct fake f = { 0 };
	struct twc_conn *c;
	struct run *t;
	struct raw r;

	c = server(&cfg, &f);
	CHECK("ptp: offered in the greeting (Modes 0x201)",
	      c && take(c, g, 64) && eq_hex(g + 12, "00000201"));
	twc_conn_free(c);
	c = server(&cfg, &f);
	CHECK("ptp: chosen, accepted, the connection's mode",
	      c && raw_open(&r, c, TWC_MODE_OPEN | TWC_MODE_PTP, NULL, NULL,
			    false, false) == 0 && r.ss.accept == 0 &&
	      twc_conn_mode(c) == (TWC_MODE_OPEN | TWC_MODE_PTP));
	raw_close(&r);
	c = server(&cfg, &f);
	CHECK("ptp: offered but not chosen: NTP",
	      c && raw_open(&r, c, TWC_MODE_OPEN, NULL, NULL, false,
			    false) == 0 && r.ss.accept == 0 &&
	      twc_conn_mode(c) == TWC_MODE_OPEN);
	raw_close(&r);

	cfg.modes = TWC_MODE_OPEN;
	c = server(&cfg, &f);
	take(c, g, 64);
	s.mode = TWC_MODE_OPEN | TWC_MODE_PTP;
	twc_setup_encode(&s, buf);
	CHECK("ptp: chosen without the offer: Accept 3, closed",
	      twc_conn_input(c, buf, sizeof(buf)) == -1 && take(c, buf, 48) &&
	      buf[15] == TWC_ACCEPT_UNSUPPORTED &&
	      strstr(twc_conn_error(c), "mode 0x201"));
	twc_conn_free(c);

	t = run_new(TWC_MODE_OPEN | TWC_MODE_PTP, TWC_MODE_OPEN);
	t->cfg.mode_if_offered = TWC_MODE_PTP;
	run(t);
	CHECK("ptp client: offered, so chosen",
	      t->open_ok && t->server_modes == 0x201 &&
	      t->client_mode == (TWC_MODE_OPEN | TWC_MODE_PTP) &&
	      t->req_accept == 0 && t->serve_ret == 0);
	free(t);
	t = run_new(TWC_MODE_OPEN, TWC_MODE_OPEN);
	t->cfg.mode_if_offered = TWC_MODE_PTP;
	run(t);
	CHECK("ptp client: not offered, not chosen, the test goes on",
	      t->open_ok && t->server_modes == TWC_MODE_OPEN &&
	      t->client_mode == TWC_MODE_OPEN && t->req_accept == 0 &&
	      t->serve_ret == 0);
	free(t);
	t = run_new(TWC_MODE_OPEN | TWC_MODE_PTP, TWC_MODE_OPEN);
	run(t);
	CHECK("ptp client: declined (--ntp): offered, not chosen",
	      t->open_ok && t->client_mode == TWC_MODE_OPEN &&
	      t->req_accept == 0 && t->serve_ret == 0);
	free(t);
	t = run_new(TWC_MODE_AUTH | TWC_MODE_PTP, TWC_MODE_AUTH);
	t->cfg.mode_if_offered = TWC_MODE_PTP | TWC_MODE_OPEN;
	run(t);
	CHECK("ptp client: only feature bits are added, never security",
	      t->open_ok &&
	      t->client_mode == (TWC_MODE_AUTH | TWC_MODE_PTP) &&
	      t->req_accept == 0);
	free(t);
}

static void test_client_errors(void)
{
	struct run *t;

	t = run_new(TWC_MODE_OPEN | TWC_MODE_AUTH, TWC_MODE_ENCRYPT);
	run(t);
	CHECK("client: mode not offered names what is",
	      !t->open_ok &&
	      strstr(t->err, "does not offer encrypted; it offers unauthenticated|authenticated"));
	free(t);

	t = run_new(TWC_MODE_AUTH, TWC_MODE_AUTH);
	t->cfg.secret = (const uint8_t *)"not the secret";
	t->cfg.secret_len = 14;
	run(t);
	CHECK("client: wrong secret refused by the server",
	      !t->open_ok && strstr(t->err, "Accept 1") &&
	      strstr(t->serr, "Challenge") && t->serve_ret == -1);
	free(t);

	t = run_new(TWC_MODE_AUTH, TWC_MODE_AUTH);
	t->cfg.keyid = "nobody";
	run(t);
	CHECK("client: unknown KeyID refused by the server",
	      !t->open_ok && strstr(t->err, "Accept 1") &&
	      strstr(t->serr, "unknown KeyID 'nobody'"));
	free(t);

	t = run_new(TWC_MODE_AUTH, TWC_MODE_AUTH);
	t->scfg.count = 65536;
	run(t);
	CHECK("client: Count above the cap refused",
	      !t->open_ok && strstr(t->err, "65536 PBKDF2 iterations"));
	free(t);

	t = run_new(TWC_MODE_AUTH, TWC_MODE_AUTH | TWC_MODE_OPEN);
	run(t);
	CHECK("client: two security bits refused",
	      !t->open_ok && strstr(t->err, "exactly one"));
	free(t);

	t = run_new(0, TWC_MODE_OPEN);
	run(t);
	CHECK("client: server offering no mode",
	      !t->open_ok && strstr(t->err, "refuses service"));
	free(t);

	t = run_new(TWC_MODE_OPEN | TWC_MODE_INDIVIDUAL,
		    TWC_MODE_OPEN | TWC_MODE_INDIVIDUAL);
	t->individual = true;
	t->use_start_n_unknown = true;
	run(t);
	CHECK("client: start-sessions in mode 16 ends the connection",
	      t->start_accept == -1 && strstr(t->err, "closed") &&
	      strstr(t->serr, "forbidden"));
	free(t);

	t = run_new(TWC_MODE_OPEN, TWC_MODE_OPEN);
	t->f.accept = TWC_ACCEPT_PERM_LIMIT;
	run(t);
	CHECK("client: refused session returns its Accept",
	      t->open_ok && t->req_accept == TWC_ACCEPT_PERM_LIMIT);
	free(t);
}

/* A server that never answers: the client gives up in time. */
static void test_client_timeout(void)
{
	struct twc_client_cfg cfg = { .mode = TWC_MODE_OPEN,
				      .timeout_ms = 200 };
	struct twc_client *cl;
	char err[256] = "";
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	cl = twc_client_open(sv[0], &cfg, err, sizeof(err));
	CHECK("client: silent server times out",
	      !cl && strstr(err, "timed out waiting for Server-Greeting"));
	close(sv[0]);
	close(sv[1]);
}

/* -------- an independent decoder: Wireshark's TWAMP-Control dissector -------- */

struct transcript {
	FILE *f;
	unsigned int n;
};

/* text2pcap input: 'I' is client to server, 'O' server to client. */
static void record(struct transcript *t, char dir, const uint8_t *buf,
		   size_t len)
{
	size_t i;

	fprintf(t->f, "%c\n", dir);
	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			fprintf(t->f, "%06zx", i);
		fprintf(t->f, " %02x%s", buf[i],
			i % 16 == 15 || i == len - 1 ? "\n" : "");
	}
	t->n++;
}

/* Play an unauthenticated session against the server, keeping the octets. */
static bool wire_session(const char *path)
{
	struct twc_server_cfg cfg = base_cfg(TWC_MODE_OPEN | TWC_MODE_AUTH);
	struct twc_setup s = { .mode = TWC_MODE_OPEN };
	struct twc_stop st = { .nsessions = 1 };
	struct sockaddr_in *sin;
	struct twc_session_req req;
	struct transcript t = { 0 };
	struct fake f = { 0 };
	uint8_t buf[TWC_SETUP_LEN];
	struct twc_conn *c;
	bool ok;

	t.f = fopen(path, "w");
	c = server(&cfg, &f);
	if (!t.f || !c)
		return false;
	ok = take(c, buf, 64);
	record(&t, 'O', buf, 64);
	twc_setup_encode(&s, buf);
	record(&t, 'I', buf, TWC_SETUP_LEN);
	ok &= twc_conn_input(c, buf, TWC_SETUP_LEN) == 0 && take(c, buf, 48);
	record(&t, 'O', buf, 48);

	default_req(&req);
	sin = (struct sockaddr_in *)&req.sender;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.9", &sin->sin_addr);
	req.padding = 27;
	req.timeout = (uint64_t)2 << 32 | 0x80000000u;
	req.dscp = 46;
	twc_request_encode(&req, TWC_MODE_OPEN, buf);
	record(&t, 'I', buf, TWC_REQUEST_LEN);
	ok &= twc_conn_input(c, buf, TWC_REQUEST_LEN) == 0 && take(c, buf, 48);
	record(&t, 'O', buf, 48);
	twc_start_encode(buf);
	record(&t, 'I', buf, 32);
	ok &= twc_conn_input(c, buf, 32) == 0 && take(c, buf, 32);
	record(&t, 'O', buf, 32);
	twc_stop_encode(&st, buf);
	record(&t, 'I', buf, 32);
	ok &= twc_conn_input(c, buf, 32) == 0;
	twc_conn_free(c);
	fclose(t.f);
	return ok;
}

static void test_wireshark(void)
{
	static const char *const names[] = {
		"Server-Greeting", "Set-Up-Response", "Server-Start",
		"Request-TW-Session", "Accept-Session", "Start-Sessions",
		"Start-Ack", "Stop-Sessions",
	};
	/*
	 * srcport|modes|mode|count|accept|command|ipvn|sport|rport|sender|
	 * padding|timeout|type-p|numsessions, as tshark prints them. The
	 * Timeout of 2.5 s shows as 2.0005 s: Wireshark (4.0, packet-twamp.c)
	 * turns the NTP fraction into microseconds but stores them as
	 * nanoseconds; the octets are right, its display is not.
	 */
	static const char *const want[] = {
		"862|3||1024||||||||||",
		"40000||1|||||||||||",
		"862||||0|||||||||",
		"40000|||||5|4|40001|862|198.51.100.9|27|2.000500000|0x2e000000|",
		"862||||0||||5001|||||",
		"40000|||||2||||||||",
		"862||||0|||||||||",
		"40000||||0|3||||||||1",
	};
	char txt[] = "/tmp/unit-control-wire.XXXXXX", pcap[64], cmd[1024];
	char line[512], name[128];
	unsigned int i = 0, n = ARRAY_SIZE(want);
	bool ok = true;
	FILE *p;
	int fd;

	if (system("command -v text2pcap >/dev/null && "
		   "command -v tshark >/dev/null") != 0) {
		for (i = 0; i < n; i++) {
			test_no++;
			printf("ok %d wireshark decodes %s # SKIP no tshark\n",
			       test_no, names[i]);
		}
		return;
	}
	fd = mkstemp(txt);
	if (fd >= 0)
		close(fd);
	snprintf(pcap, sizeof(pcap), "%s.pcap", txt);
	CHECK("wireshark: open session played", fd >= 0 && wire_session(txt));
	/* -D: 'I' lines go from the first address and port to the second. */
	snprintf(cmd, sizeof(cmd),
		 "text2pcap -q -D -4 198.51.100.2,192.0.2.1 -T 40000,862 %s %s "
		 ">/dev/null 2>&1 && tshark -r %s -d tcp.port==862,twamp.control "
		 "-Y twamp.control -T fields -E separator='|' -e tcp.srcport "
		 "-e twamp.control.modes -e twamp.control.mode "
		 "-e twamp.control.count -e twamp.control.accept "
		 "-e twamp.control.command -e twamp.control.ipvn "
		 "-e twamp.control.sender_port -e twamp.control.receiver_port "
		 "-e twamp.control.sender_ipv4 -e twamp.control.padding_length "
		 "-e twamp.control.timeout -e twamp.control.type-p "
		 "-e twamp.control.numsessions 2>/dev/null",
		 txt, pcap, pcap);
	p = popen(cmd, "r");
	for (i = 0; p && fgets(line, sizeof(line), p); i++) {
		line[strcspn(line, "\n")] = '\0';
		if (i >= n)
			continue;
		snprintf(name, sizeof(name), "wireshark decodes %s", names[i]);
		CHECK(name, !strcmp(line, want[i]));
		if (strcmp(line, want[i]))
			printf("# got  %s\n# want %s\n", line, want[i]);
	}
	if (p)
		ok = pclose(p) == 0;
	CHECK("wireshark: one frame per message, tshark ran", ok && i == n);
	unlink(txt);
	unlink(pcap);
}

int main(void)
{
	char path[] = "/tmp/unit-control-kr.XXXXXX", err[256];
	FILE *f;
	int fd;

	printf("KTAP version 1\n");
	addrs_init();
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f) {
		/* "unit-test secret" in hex */
		fputs("alice 756e69742d7465737420736563726574\n", f);
		fclose(f);
	}
	test_keys = twc_keyring_load(path, err, sizeof(err));
	unlink(path);
	CHECK("test keyring loads", test_keys != NULL);

	test_pbkdf2();
	test_aes();
	test_hmac();
	test_test_keys();
	test_time();
	test_sid();
	test_msg_setup();
	test_msg_request();
	test_msg_control();
	test_keyring();
	test_policy();
	test_server_setup();
	test_server_hmac();
	test_server_requests();
	test_server_individual();
	test_server_garbage();
	test_handshake("open", TWC_MODE_OPEN, TWC_TEST_OPEN, false);
	test_handshake("auth", TWC_MODE_AUTH, TWC_TEST_AUTH, false);
	test_handshake("encrypt", TWC_MODE_ENCRYPT, TWC_TEST_ENCRYPT, false);
	test_handshake("mixed", TWC_MODE_MIXED, TWC_TEST_OPEN, false);
	test_handshake("open+individual", TWC_MODE_OPEN | TWC_MODE_INDIVIDUAL,
		       TWC_TEST_OPEN, true);
	test_handshake("auth+individual", TWC_MODE_AUTH | TWC_MODE_INDIVIDUAL,
		       TWC_TEST_AUTH, true);
	test_ptp_mode();
	test_client_errors();
	test_client_timeout();
	test_wireshark();
	twc_keyring_free(test_keys);
	unit_pkt(&test_no, &failed);
	unit_config(&test_no, &failed);

	printf("1..%d\n", test_no);
	printf("# unit-control: %d passed, %d failed\n", test_no - failed,
	       failed);
	return failed ? 1 : 0;
}
