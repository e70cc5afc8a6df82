// SPDX-License-Identifier: GPL-2.0
/*
 * TWAMP-Control client: a blocking exchange on a connected TCP socket, each
 * read and write bounded by poll() so that a silent server cannot hang the
 * command line. Every failure leaves a sentence in @err.
 */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/crypto.h>

#include "control.h"
#include "crypto.h"
#include "msg.h"

#define CLIENT_MAX_COUNT	32768
#define CLIENT_TIMEOUT_MS	30000

struct twc_client {
	int fd;
	int timeout_ms;
	uint32_t mode;
	uint32_t server_modes;
	uint8_t aes_key[16];
	uint8_t hmac_key[32];
	struct twc_chan chan;
	unsigned int accepted;		/* sessions not yet started */
	unsigned int running;		/* started, not yet stopped */
};

static int cfail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cfail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for @events until the deadline: 0, or -1 with @err set. */
static int wait_fd(int fd, short events, int64_t deadline, const char *what,
		   char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left;
	int n;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return cfail(err, errlen, "timed out %s", what);
		n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return cfail(err, errlen, "%s: poll: %s", what,
				     strerror(errno));
	}
}

static int send_all(struct twc_client *cl, const uint8_t *buf, size_t len,
		    const char *what, char *err, size_t errlen)
{
	int64_t deadline = now_ms() + cl->timeout_ms;
	ssize_t n;

	while (len) {
		if (wait_fd(cl->fd, POLLOUT, deadline, "sending", err,
			    errlen) < 0)
			return -1;
		n = send(cl->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return cfail(err, errlen, "sending %s: %s", what,
				     strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_all(struct twc_client *cl, uint8_t *buf, size_t len,
		    const char *what, char *err, size_t errlen)
{
	int64_t deadline = now_ms() + cl->timeout_ms;
	char doing[64];
	ssize_t n;

	snprintf(doing, sizeof(doing), "waiting for %s", what);
	while (len) {
		if (wait_fd(cl->fd, POLLIN, deadline, doing, err, errlen) < 0)
			return -1;
		n = recv(cl->fd, buf, len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return cfail(err, errlen, "receiving %s: %s", what,
				     strerror(errno));
		if (n == 0)
			return cfail(err, errlen,
				     "server closed the connection before %s",
				     what);
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* HMAC, encrypt and send one command. */
static int send_cmd(struct twc_client *cl, uint8_t *msg, size_t len,
		    const char *what, char *err, size_t errlen)
{
	if (twc_chan_seal(&cl->chan, msg, len) < 0)
		return cfail(err, errlen, "%s: crypto failure", what);
	return send_all(cl, msg, len, what, err, errlen);
}

/* Receive the rest of a reply whose first @have octets are decrypted. */
static int recv_rest(struct twc_client *cl, uint8_t *msg, size_t have,
		     size_t len, const char *what, char *err, size_t errlen)
{
	if (recv_all(cl, msg + have, len - have, what, err, errlen) < 0)
		return -1;
	if (twc_chan_decrypt(&cl->chan, msg + have, len - have) < 0)
		return cfail(err, errlen, "%s: crypto failure", what);
	if (twc_chan_verify(&cl->chan, msg, len) < 0)
		return cfail(err, errlen, "%s: HMAC mismatch", what);
	return 0;
}

static int recv_reply(struct twc_client *cl, uint8_t *msg, size_t len,
		      const char *what, char *err, size_t errlen)
{
	return recv_rest(cl, msg, 0, len, what, err, errlen);
}

/* The mode asked for must be among those the server offers. */
static int check_modes(const struct twc_client_cfg *cfg,
		       const struct twc_greeting *g, char *err, size_t errlen)
{
	char want[160], have[160];
	uint32_t sec = cfg->mode & TWC_MODE_SECURITY;

	if (!sec || (sec & (sec - 1)))
		return cfail(err, errlen,
			     "mode %s: choose exactly one of unauthenticated, authenticated, encrypted, mixed",
			     twc_modes_str(cfg->mode, want, sizeof(want)));
	if (!g->modes)
		return cfail(err, errlen,
			     "server refuses service (it offers no mode)");
	if (cfg->mode & ~g->modes)
		return cfail(err, errlen,
			     "server does not offer %s; it offers %s",
			     twc_modes_str(cfg->mode & ~g->modes, want,
					   sizeof(want)),
			     twc_modes_str(g->modes, have, sizeof(have)));
	return 0;
}

/*
 * Fill the authentication part of Set-Up-Response: the session keys are
 * ours, chosen at random, and the Token carries them to the server under
 * the key both sides derive from the shared secret.
 */
static int setup_auth(struct twc_client *cl, const struct twc_client_cfg *cfg,
		      const struct twc_greeting *g, struct twc_setup *s,
		      char *err, size_t errlen)
{
	static const uint8_t zero_iv[16];
	uint32_t max = cfg->max_count ? cfg->max_count : CLIENT_MAX_COUNT;
	uint8_t k[16], token[TWC_TOKEN_LEN];
	size_t idlen;
	int ret;

	if (!cfg->keyid || !cfg->secret || !cfg->secret_len)
		return cfail(err, errlen, "mode needs a KeyID and a secret");
	idlen = strlen(cfg->keyid);
	if (idlen == 0 || idlen > TWC_KEYID_LEN)
		return cfail(err, errlen, "KeyID must be 1 to 80 octets");
	if (g->count == 0 || g->count > max)
		return cfail(err, errlen,
			     "server asks for %u PBKDF2 iterations, more than the %u allowed",
			     g->count, max);
	memcpy(s->keyid, cfg->keyid, idlen);
	if (twc_random(cl->aes_key, 16) < 0 ||
	    twc_random(cl->hmac_key, 32) < 0 ||
	    twc_random(s->client_iv, 16) < 0)
		return cfail(err, errlen, "no random numbers");
	memcpy(token, g->challenge, 16);
	memcpy(token + 16, cl->aes_key, 16);
	memcpy(token + 32, cl->hmac_key, 32);
	ret = twc_pbkdf2(cfg->secret, cfg->secret_len, g->salt, 16,
			 g->count, k);
	if (!ret)
		ret = twc_aes_cbc(k, zero_iv, true, token, s->token,
				  sizeof(token));
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(token, sizeof(token));
	if (ret < 0)
		return cfail(err, errlen, "key derivation failed");
	return 0;
}

static int server_start(struct twc_client *cl, const uint8_t client_iv[16],
			char *err, size_t errlen)
{
	uint8_t buf[TWC_SERVER_START_LEN];
	struct twc_server_start ss;

	if (recv_all(cl, buf, 32, "Server-Start", err, errlen) < 0)
		return -1;
	twc_server_start_decode(buf, &ss);
	if (ss.accept != TWC_ACCEPT_OK)
		return cfail(err, errlen,
			     "server refused the connection: Accept %u (%s)%s",
			     ss.accept, twc_accept_str(ss.accept),
			     (cl->mode & TWC_MODE_SECURITY) != TWC_MODE_OPEN &&
			     ss.accept == TWC_ACCEPT_FAILURE ?
			     "; wrong KeyID or secret?" : "");
	if (recv_all(cl, buf + 32, 16, "Server-Start", err, errlen) < 0)
		return -1;
	if ((cl->mode & TWC_MODE_SECURITY) != TWC_MODE_OPEN &&
	    (twc_chan_init(&cl->chan, cl->aes_key, cl->hmac_key, client_iv,
			   ss.server_iv) < 0 ||
	     twc_chan_decrypt(&cl->chan, buf + 32, 16) < 0 ||
	     twc_chan_recv_raw(&cl->chan, buf + 32, 16) < 0))
		return cfail(err, errlen, "Server-Start: crypto failure");
	return 0;
}

struct twc_client *twc_client_open(int fd, const struct twc_client_cfg *cfg,
				   char *err, size_t errlen)
{
	uint8_t buf[TWC_SETUP_LEN];
	struct twc_setup s = { 0 };
	struct twc_greeting g;
	struct twc_client *cl;

	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		cfail(err, errlen, "out of memory");
		return NULL;
	}
	cl->fd = fd;
	cl->mode = cfg->mode;
	cl->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms :
			 CLIENT_TIMEOUT_MS;
	if (recv_all(cl, buf, TWC_GREETING_LEN, "Server-Greeting", err,
		     errlen) < 0)
		goto fail;
	twc_greeting_decode(buf, &g);
	cl->server_modes = g.modes;
	if (check_modes(cfg, &g, err, errlen) < 0)
		goto fail;
	s.mode = cfg->mode | (cfg->mode_if_offered & ~TWC_MODE_SECURITY &
			      g.modes);
	cl->mode = s.mode;
	if ((cfg->mode & TWC_MODE_SECURITY) != TWC_MODE_OPEN &&
	    setup_auth(cl, cfg, &g, &s, err, errlen) < 0)
		goto fail;
	twc_setup_encode(&s, buf);
	if (send_all(cl, buf, TWC_SETUP_LEN, "Set-Up-Response", err,
		     errlen) < 0 ||
	    server_start(cl, s.client_iv, err, errlen) < 0)
		goto fail;
	return cl;
fail:
	twc_client_free(cl);
	return NULL;
}

uint32_t twc_client_server_modes(const struct twc_client *cl)
{
	return cl->server_modes;
}

uint32_t twc_client_mode(const struct twc_client *cl)
{
	return cl->mode;
}

int twc_client_request(struct twc_client *cl,
		       const struct twc_session_req *req,
		       struct twc_session_acc *acc, char *err, size_t errlen)
{
	uint8_t buf[TWC_REQUEST_LEN];

	if (twc_request_encode(req, cl->mode, buf) < 0)
		return cfail(err, errlen,
			     "Request-TW-Session: an address is not IPv%u",
			     req->ipvn);
	if (send_cmd(cl, buf, sizeof(buf), "Request-TW-Session", err,
		     errlen) < 0 ||
	    recv_reply(cl, buf, TWC_ACCEPT_LEN, "Accept-Session", err,
		       errlen) < 0)
		return -1;
	twc_accept_decode(buf, cl->mode, acc);
	if (acc->accept == TWC_ACCEPT_OK)
		cl->accepted++;
	return acc->accept;
}

int twc_client_start(struct twc_client *cl, char *err, size_t errlen)
{
	uint8_t buf[TWC_START_LEN], accept;

	twc_start_encode(buf);
	if (send_cmd(cl, buf, sizeof(buf), "Start-Sessions", err, errlen) < 0 ||
	    recv_reply(cl, buf, sizeof(buf), "Start-Ack", err, errlen) < 0)
		return -1;
	accept = twc_start_ack_decode(buf);
	if (accept == TWC_ACCEPT_OK) {
		cl->running += cl->accepted;
		cl->accepted = 0;
	}
	return accept;
}

int twc_client_stop(struct twc_client *cl, uint8_t accept, char *err,
		    size_t errlen)
{
	struct twc_stop st = { .accept = accept, .nsessions = cl->running };
	uint8_t buf[TWC_START_LEN];

	twc_stop_encode(&st, buf);
	if (send_cmd(cl, buf, sizeof(buf), "Stop-Sessions", err, errlen) < 0)
		return -1;
	cl->running = 0;
	return 0;
}

/* Read Acks until each of the @n SIDs sent has been answered. */
static int recv_nacks(struct twc_client *cl, uint8_t cmd, unsigned int n,
		      const char *what, char *err, size_t errlen)
{
	uint8_t *buf = malloc(TWC_N_LEN(TWC_N_MAX));
	unsigned int acked = 0;
	struct twc_nmsg m;
	int result = 0;
	size_t len;

	if (!buf)
		return cfail(err, errlen, "out of memory");
	while (acked < n) {
		if (recv_all(cl, buf, TWC_BLOCK, what, err, errlen) < 0 ||
		    twc_chan_decrypt(&cl->chan, buf, TWC_BLOCK) < 0)
			goto fail;
		len = twc_nack_len(buf);
		if (buf[0] != cmd || !len) {
			cfail(err, errlen, "%s: unexpected reply (command %u)",
			      what, buf[0]);
			goto fail;
		}
		if (recv_rest(cl, buf, TWC_BLOCK, len, what, err, errlen) < 0)
			goto fail;
		twc_nmsg_decode(buf, &m);
		if (m.n > n - acked) {
			cfail(err, errlen, "%s acknowledges %u sessions, %u were asked",
			      what, acked + m.n, n);
			goto fail;
		}
		acked += m.n;
		if (m.accept != TWC_ACCEPT_OK && result == 0)
			result = m.accept;
	}
	free(buf);
	return result;
fail:
	free(buf);
	return -1;
}

static int send_n(struct twc_client *cl, uint8_t cmd,
		  const uint8_t (*sids)[16], unsigned int n, const char *what,
		  char *err, size_t errlen)
{
	struct twc_nmsg m = { .command = cmd, .n = n, .sids = sids };
	uint8_t *buf;
	int ret;

	if (!(cl->mode & TWC_MODE_INDIVIDUAL))
		return cfail(err, errlen,
			     "%s needs Individual Session Control mode", what);
	if (n == 0 || n > TWC_N_MAX)
		return cfail(err, errlen, "%s: 1 to %u sessions", what,
			     TWC_N_MAX);
	buf = malloc(TWC_N_LEN(n));
	if (!buf)
		return cfail(err, errlen, "out of memory");
	twc_nmsg_encode(&m, buf);
	ret = send_cmd(cl, buf, TWC_N_LEN(n), what, err, errlen);
	free(buf);
	if (ret < 0)
		return -1;
	return recv_nacks(cl, cmd + 1, n, what, err, errlen);
}

int twc_client_start_n(struct twc_client *cl, const uint8_t (*sids)[16],
		       unsigned int n, char *err, size_t errlen)
{
	return send_n(cl, TWC_CMD_START_N, sids, n, "Start-N-Sessions", err,
		      errlen);
}

int twc_client_stop_n(struct twc_client *cl, const uint8_t (*sids)[16],
		      unsigned int n, char *err, size_t errlen)
{
	return send_n(cl, TWC_CMD_STOP_N, sids, n, "Stop-N-Sessions", err,
		      errlen);
}

void twc_client_test_keys(const struct twc_client *cl, const uint8_t sid[16],
			  struct twc_test_keys *keys)
{
	if (twc_derive_test_keys(sid, cl->aes_key, cl->hmac_key, keys->aes,
				 keys->hmac) < 0)
		memset(keys, 0, sizeof(*keys));
}

void twc_client_free(struct twc_client *cl)
{
	if (!cl)
		return;
	twc_chan_free(&cl->chan);
	OPENSSL_cleanse(cl, sizeof(*cl));
	free(cl);
}
