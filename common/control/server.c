// SPDX-License-Identifier: GPL-2.0
/*
 * TWAMP-Control server, sans-IO: octets in through twc_conn_input(), octets
 * out through twc_conn_output(), sessions through the caller's ops.
 *
 * Input is framed in place in a buffer as large as the largest message
 * (a Start-N naming TWC_N_MAX sessions), so garbage can never make it grow.
 * A command's length is known from its first block, which is decrypted as
 * soon as it is complete; the rest is decrypted when the whole message is
 * there, then the HMAC is checked, and only then is the message used.
 */

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "control.h"
#include "crypto.h"
#include "msg.h"

/* Security, RFC 5938, RFC 6038 and RFC 8186 (PTP) */
#define SRV_MODES_KNOWN		(0x7f | TWC_MODE_PTP)
#define SRV_OUT_MAX		(64 * 1024)	/* replies the peer leaves unread */
#define SRV_SESSIONS_DEFAULT	16
#define SRV_SESSIONS_MAX	TWC_N_MAX
#define SRV_COUNT_DEFAULT	1024	/* the RFC 4656 minimum */

enum srv_state {
	SRV_SETUP,		/* Greeting sent, waiting for Set-Up-Response */
	SRV_CMD,		/* waiting for commands */
	SRV_DEAD,		/* failed: the caller must close */
};

struct srv_session {
	uint8_t sid[16];
	uint64_t timeout;	/* NTP interval, from the request */
	bool started;
};

struct twc_conn {
	struct twc_server_cfg cfg;
	const struct twc_server_ops *ops;
	void *ctx;
	struct sockaddr_storage local, peer;

	enum srv_state state;
	uint32_t mode;			/* chosen by the client */
	uint8_t challenge[16];
	uint8_t salt[16];
	uint8_t aes_key[16];
	uint8_t hmac_key[32];
	struct twc_chan chan;

	uint8_t in[TWC_N_LEN(TWC_N_MAX)];
	size_t in_len;			/* octets of the current message */
	size_t in_need;			/* its length, 0 until known */
	size_t in_plain;		/* octets of it already decrypted */

	uint8_t *out;
	size_t out_len, out_off, out_cap;

	struct srv_session *sessions;
	unsigned int nsessions, max_sessions;

	char err[256];
};

static int fail(struct twc_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record why the connection ends; the first reason is the one kept. */
static int fail(struct twc_conn *c, const char *fmt, ...)
{
	va_list ap;

	if (c->state != SRV_DEAD) {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof(c->err), fmt, ap);
		va_end(ap);
	}
	c->state = SRV_DEAD;
	return -1;
}

static int out_push(struct twc_conn *c, const uint8_t *buf, size_t len)
{
	size_t need;
	uint8_t *p;

	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len - c->out_off + len > SRV_OUT_MAX)
		return fail(c, "peer does not read the replies (%zu octets queued)",
			    c->out_len - c->out_off);
	need = c->out_len + len;
	if (need > c->out_cap) {
		if (c->out_off) {
			memmove(c->out, c->out + c->out_off,
				c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
			need = c->out_len + len;
		}
		if (need > c->out_cap) {
			p = realloc(c->out, need);
			if (!p)
				return fail(c, "out of memory");
			c->out = p;
			c->out_cap = need;
		}
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	return 0;
}

/* HMAC, encrypt and queue a reply. */
static int send_sealed(struct twc_conn *c, uint8_t *msg, size_t len)
{
	if (twc_chan_seal(&c->chan, msg, len) < 0)
		return fail(c, "crypto failure sealing a reply");
	return out_push(c, msg, len);
}

struct twc_conn *twc_server_new(const struct twc_server_cfg *cfg,
				const struct twc_server_ops *ops, void *ctx,
				const struct sockaddr *local,
				const struct sockaddr *peer)
{
	uint8_t buf[TWC_GREETING_LEN];
	struct twc_greeting g = { 0 };
	struct twc_conn *c;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cfg = *cfg;
	c->cfg.modes &= SRV_MODES_KNOWN;
	c->ops = ops;
	c->ctx = ctx;
	if (local)
		memcpy(&c->local, local, local->sa_family == AF_INET6 ?
		       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	if (peer)
		memcpy(&c->peer, peer, peer->sa_family == AF_INET6 ?
		       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	c->max_sessions = cfg->max_sessions ? cfg->max_sessions :
			  SRV_SESSIONS_DEFAULT;
	if (c->max_sessions > SRV_SESSIONS_MAX)
		c->max_sessions = SRV_SESSIONS_MAX;
	c->sessions = calloc(c->max_sessions, sizeof(*c->sessions));
	if (!c->sessions || twc_random(c->challenge, 16) < 0 ||
	    twc_random(c->salt, 16) < 0) {
		twc_conn_free(c);
		return NULL;
	}
	if (!c->cfg.start_time)
		c->cfg.start_time = twc_ntp_now();
	if (!c->cfg.count)
		c->cfg.count = SRV_COUNT_DEFAULT;

	g.modes = c->cfg.modes;
	memcpy(g.challenge, c->challenge, 16);
	memcpy(g.salt, c->salt, 16);
	g.count = c->cfg.count;
	twc_greeting_encode(&g, buf);
	if (out_push(c, buf, sizeof(buf)) < 0) {
		twc_conn_free(c);
		return NULL;
	}
	return c;
}

/*
 * Server-Start. With Accept = 0 in a secure mode its octets 32-47 open the
 * server's CBC chain and go into the first HMAC the server sends.
 */
static int send_server_start(struct twc_conn *c, uint8_t accept,
			     const uint8_t server_iv[16])
{
	struct twc_server_start ss = { .accept = accept };
	uint8_t buf[TWC_SERVER_START_LEN];

	if (accept == TWC_ACCEPT_OK) {
		memcpy(ss.server_iv, server_iv, 16);
		ss.start_time = c->cfg.start_time;
	}
	twc_server_start_encode(&ss, buf);
	if (accept == TWC_ACCEPT_OK &&
	    twc_chan_send_raw(&c->chan, buf + 32, 16) < 0)
		return fail(c, "crypto failure in Server-Start");
	return out_push(c, buf, sizeof(buf));
}

/* Answer Accept != 0 in Server-Start, then close: RFC 4656 3.1. */
static int refuse_setup(struct twc_conn *c, uint8_t accept, const char *why)
{
	send_server_start(c, accept, NULL);
	return fail(c, "%s", why);
}

/* Check the Token and take the session keys from it. */
static int setup_keys(struct twc_conn *c, const struct twc_setup *s)
{
	static const uint8_t zero_iv[16];
	char keyid[TWC_KEYID_LEN + 1], why[200];
	uint8_t k[16], token[TWC_TOKEN_LEN];
	const uint8_t *secret;
	size_t len;
	int ret = -1;

	memcpy(keyid, s->keyid, TWC_KEYID_LEN);
	keyid[TWC_KEYID_LEN] = '\0';
	secret = twc_keyring_find(c->cfg.keys, keyid, &len);
	if (!secret) {
		snprintf(why, sizeof(why), "unknown KeyID '%.80s'", keyid);
		return refuse_setup(c, TWC_ACCEPT_FAILURE, why);
	}
	if (twc_pbkdf2(secret, len, c->salt, 16, c->cfg.count, k) < 0 ||
	    twc_aes_cbc(k, zero_iv, false, s->token, token, sizeof(token)) < 0) {
		refuse_setup(c, TWC_ACCEPT_INTERNAL, "key derivation failed");
		goto out;
	}
	if (!twc_equal(token, c->challenge, 16)) {
		snprintf(why, sizeof(why),
			 "Token does not hold the Challenge: wrong secret for KeyID '%.80s'",
			 keyid);
		refuse_setup(c, TWC_ACCEPT_FAILURE, why);
		goto out;
	}
	memcpy(c->aes_key, token + 16, 16);
	memcpy(c->hmac_key, token + 32, 32);
	ret = 0;
out:
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(token, sizeof(token));
	return ret;
}

static int handle_setup(struct twc_conn *c)
{
	uint32_t sec, extra;
	struct twc_setup s;
	uint8_t server_iv[16];
	char offered[160], why[256];

	twc_setup_decode(c->in, &s);
	sec = s.mode & TWC_MODE_SECURITY;
	extra = s.mode & ~c->cfg.modes;
	if (!sec)
		return fail(c, "client accepts none of the modes offered");
	if ((sec & (sec - 1)) || extra) {
		snprintf(why, sizeof(why),
			 "client chose mode 0x%x, server offers %s", s.mode,
			 twc_modes_str(c->cfg.modes, offered, sizeof(offered)));
		return refuse_setup(c, TWC_ACCEPT_UNSUPPORTED, why);
	}
	c->mode = s.mode;
	if (sec != TWC_MODE_OPEN) {
		if (setup_keys(c, &s) < 0)
			return -1;
		if (twc_random(server_iv, 16) < 0 ||
		    twc_chan_init(&c->chan, c->aes_key, c->hmac_key, server_iv,
				  s.client_iv) < 0)
			return refuse_setup(c, TWC_ACCEPT_INTERNAL,
					    "crypto initialisation failed");
	} else {
		memset(server_iv, 0, sizeof(server_iv));
	}
	c->state = SRV_CMD;
	return send_server_start(c, TWC_ACCEPT_OK, server_iv);
}

static struct srv_session *session_find(struct twc_conn *c,
					const uint8_t sid[16])
{
	unsigned int i;

	for (i = 0; i < c->nsessions; i++)
		if (!memcmp(c->sessions[i].sid, sid, 16))
			return &c->sessions[i];
	return NULL;
}

/* Stopped sessions are gone: forget them, freeing their slot. */
static void session_stop(struct twc_conn *c, struct srv_session *s)
{
	c->ops->stop(c->ctx, (const uint8_t (*)[16])&s->sid, 1,
		     twc_ntp_to_ns(s->timeout));
	*s = c->sessions[--c->nsessions];
}

/*
 * A zero address means the control connection's (RFC 5357 3.5): the
 * Session-Sender is the peer, the reflector is us. An IPv4 peer reached
 * over an IPv6 socket arrives v4-mapped and is unmapped for IPVN 4.
 */
static int fill_addr(struct sockaddr_storage *dst,
		     const struct sockaddr_storage *ctrl, uint8_t ipvn,
		     uint16_t port)
{
	const struct sockaddr_in6 *c6 = (const void *)ctrl;
	struct sockaddr_in6 *d6 = (void *)dst;
	struct sockaddr_in *d4 = (void *)dst;

	if (dst->ss_family != AF_UNSPEC)
		return 0;
	memset(dst, 0, sizeof(*dst));
	if (ipvn == 4 && ctrl->ss_family == AF_INET) {
		memcpy(d4, ctrl, sizeof(*d4));
		d4->sin_port = htons(port);
	} else if (ipvn == 4 && ctrl->ss_family == AF_INET6 &&
		   IN6_IS_ADDR_V4MAPPED(&c6->sin6_addr)) {
		d4->sin_family = AF_INET;
		memcpy(&d4->sin_addr, &c6->sin6_addr.s6_addr[12], 4);
		d4->sin_port = htons(port);
	} else if (ipvn == 6 && ctrl->ss_family == AF_INET6) {
		memcpy(d6, ctrl, sizeof(*d6));
		d6->sin6_port = htons(port);
	} else {
		return -1;
	}
	return 0;
}

/* The IP version of a control connection's address (v4-mapped is 4). */
static uint8_t ctrl_ipvn(const struct sockaddr_storage *ctrl)
{
	const struct sockaddr_in6 *c6 = (const void *)ctrl;

	if (ctrl->ss_family == AF_INET6 &&
	    !IN6_IS_ADDR_V4MAPPED(&c6->sin6_addr))
		return 6;
	return 4;
}

/*
 * The checks of RFC 5357 3.5 on a Request-TW-Session: an Accept value, and
 * for a refusal why, in @why. Whether the addresses and port may be used
 * is the session callback's decision (twampd's policy), not the engine's.
 */
static uint8_t request_check(struct twc_conn *c, struct twc_request *r,
			     char *why, size_t len)
{
	struct twc_session_req *req = &r->req;

	if (req->ipvn != 4 && req->ipvn != 6) {
		snprintf(why, len, "IPVN %u is neither 4 nor 6", req->ipvn);
		return TWC_ACCEPT_UNSUPPORTED;
	}
	/* TWAMP has no third-party sender or receiver, nor a schedule. */
	if (r->conf_sender || r->conf_receiver || r->slots || r->packets) {
		snprintf(why, len,
			 "Conf-Sender %u, Conf-Receiver %u, Number of Schedule Slots %u, Number of Packets %u: TWAMP wants 0",
			 r->conf_sender, r->conf_receiver, r->slots,
			 r->packets);
		return TWC_ACCEPT_UNSUPPORTED;
	}
	/* Only the DSCP form of Type-P, as owamp. */
	if (req->type_p & ~0x3f000000u) {
		snprintf(why, len,
			 "Type-P Descriptor 0x%08x is not in the DSCP form",
			 req->type_p);
		return TWC_ACCEPT_UNSUPPORTED;
	}
	/*
	 * Both addresses zero: the session is the control connection's, and
	 * so is its IP version, whatever IPVN says. Some clients send IPVN 4
	 * with zero addresses over IPv6 (docs/interop.md); the reference
	 * implementation takes them, and refusing would gain nothing.
	 */
	if (req->sender.ss_family == AF_UNSPEC &&
	    req->receiver.ss_family == AF_UNSPEC)
		req->ipvn = ctrl_ipvn(&c->peer);
	if (fill_addr(&req->sender, &c->peer, req->ipvn, req->sender_port) ||
	    fill_addr(&req->receiver, &c->local, req->ipvn,
		      req->receiver_port)) {
		snprintf(why, len,
			 "a zero address with IPVN %u cannot be the control connection's %s one",
			 req->ipvn, c->peer.ss_family == AF_INET6 ? "IPv6" :
			 "IPv4");
		return TWC_ACCEPT_UNSUPPORTED;
	}
	if (c->nsessions >= c->max_sessions) {
		snprintf(why, len,
			 "already %u sessions on this connection (max-sessions)",
			 c->nsessions);
		return TWC_ACCEPT_PERM_LIMIT;
	}
	return TWC_ACCEPT_OK;
}

static enum twc_test_security test_security(uint32_t mode)
{
	switch (mode & TWC_MODE_SECURITY) {
	case TWC_MODE_AUTH:
		return TWC_TEST_AUTH;
	case TWC_MODE_ENCRYPT:
		return TWC_TEST_ENCRYPT;
	}
	/* Mixed mode: encrypted control, open test packets (RFC 5618). */
	return TWC_TEST_OPEN;
}

static int handle_request(struct twc_conn *c)
{
	enum twc_test_security sec = test_security(c->mode);
	struct twc_session_acc acc = { 0 };
	struct twc_test_keys keys, *kp = NULL;
	uint8_t buf[TWC_ACCEPT_LEN];
	struct srv_session *s;
	struct twc_request r;
	char why[200];

	twc_request_decode(c->in, c->mode, &r);
	acc.accept = request_check(c, &r, why, sizeof(why));
	if (acc.accept != TWC_ACCEPT_OK && c->ops->refused)
		c->ops->refused(c->ctx, acc.accept, why);
	if (acc.accept == TWC_ACCEPT_OK) {
		/* The SID comes first: the test keys are derived from it. */
		twc_sid_make(acc.sid, (const struct sockaddr *)&c->local);
		if (sec != TWC_TEST_OPEN) {
			if (twc_derive_test_keys(acc.sid, c->aes_key,
						 c->hmac_key, keys.aes,
						 keys.hmac) < 0)
				return fail(c, "test key derivation failed");
			kp = &keys;
		}
		acc.reflected_octets = r.req.reflect_octets;
		acc.accept = c->ops->request(c->ctx, &r.req, sec, kp, &acc);
		OPENSSL_cleanse(&keys, sizeof(keys));
	}
	if (acc.accept == TWC_ACCEPT_OK) {
		s = &c->sessions[c->nsessions++];
		memcpy(s->sid, acc.sid, 16);
		s->timeout = r.req.timeout;
		s->started = false;
	} else {
		/* No port, and so no alternate port, with Accept != 0. */
		acc.port = 0;
		memset(acc.sid, 0, sizeof(acc.sid));
	}
	twc_accept_encode(&acc, c->mode, buf);
	return send_sealed(c, buf, sizeof(buf));
}

static unsigned int running(const struct twc_conn *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nsessions; i++)
		n += c->sessions[i].started;
	return n;
}

static int handle_start(struct twc_conn *c)
{
	uint8_t buf[TWC_START_LEN], accept;
	unsigned int i;

	accept = c->ops->start(c->ctx, NULL, 0);
	if (accept == TWC_ACCEPT_OK)
		for (i = 0; i < c->nsessions; i++)
			c->sessions[i].started = true;
	twc_start_ack_encode(accept, buf);
	return send_sealed(c, buf, sizeof(buf));
}

static int handle_stop(struct twc_conn *c)
{
	unsigned int i, n = running(c);
	struct twc_stop st;

	twc_stop_decode(c->in, &st);
	/* RFC 5357 3.8: a wrong count makes the message invalid. */
	if (st.nsessions != n)
		return fail(c, "Stop-Sessions counts %u sessions, %u are running",
			    st.nsessions, n);
	for (i = c->nsessions; i-- > 0;)
		if (c->sessions[i].started)
			session_stop(c, &c->sessions[i]);
	return 0;
}

static int send_nack(struct twc_conn *c, uint8_t cmd, uint8_t accept,
		     const uint8_t (*sids)[16], unsigned int n)
{
	struct twc_nmsg m = {
		.command = cmd, .accept = accept, .n = n, .sids = sids,
	};
	uint8_t *buf;
	int ret;

	if (!n)
		return 0;
	buf = malloc(TWC_N_LEN(n));
	if (!buf)
		return fail(c, "out of memory");
	twc_nmsg_encode(&m, buf);
	ret = send_sealed(c, buf, TWC_N_LEN(n));
	free(buf);
	return ret;
}

static bool in_list(const uint8_t (*sids)[16], unsigned int n,
		    const uint8_t *sid)
{
	while (n--)
		if (!memcmp(sids[n], sid, 16))
			return true;
	return false;
}

/*
 * Start-N/Stop-N (RFC 5938): the SIDs the command applies to (known, and
 * not started, or started) are acted on and acknowledged together; the
 * others, duplicates included, get one Ack with Accept = 1.
 */
static int handle_n(struct twc_conn *c, bool start)
{
	uint8_t (*ok)[16], (*bad)[16], accept = TWC_ACCEPT_OK;
	unsigned int i, nok = 0, nbad = 0;
	struct srv_session *s;
	struct twc_nmsg m;
	int ret;

	twc_nmsg_decode(c->in, &m);
	ok = malloc(2 * 16 * (size_t)m.n);
	if (!ok)
		return fail(c, "out of memory");
	bad = ok + m.n;
	for (i = 0; i < m.n; i++) {
		s = session_find(c, m.sids[i]);
		if (s && s->started != start && !in_list(ok, nok, m.sids[i]))
			memcpy(ok[nok++], m.sids[i], 16);
		else
			memcpy(bad[nbad++], m.sids[i], 16);
	}
	if (start && nok) {
		accept = c->ops->start(c->ctx, (const uint8_t (*)[16])ok, nok);
		for (i = 0; accept == TWC_ACCEPT_OK && i < nok; i++)
			session_find(c, ok[i])->started = true;
	} else {
		for (i = 0; i < nok; i++)
			session_stop(c, session_find(c, ok[i]));
	}
	ret = send_nack(c, start ? TWC_CMD_START_N_ACK : TWC_CMD_STOP_N_ACK,
			accept, (const uint8_t (*)[16])ok, nok);
	if (!ret)
		ret = send_nack(c, start ? TWC_CMD_START_N_ACK :
				TWC_CMD_STOP_N_ACK, TWC_ACCEPT_FAILURE,
				(const uint8_t (*)[16])bad, nbad);
	free(ok);
	return ret;
}

/*
 * A command this server does not take: Accept-Session with Accept = 3
 * (RFC 5357 3.5), then close, as its length, and so where the next
 * command starts, is unknown.
 */
static int refuse_command(struct twc_conn *c, uint8_t cmd)
{
	struct twc_session_acc acc = { .accept = TWC_ACCEPT_UNSUPPORTED };
	uint8_t buf[TWC_ACCEPT_LEN];

	twc_accept_encode(&acc, c->mode, buf);
	if (send_sealed(c, buf, sizeof(buf)) < 0)
		return -1;
	return fail(c, "unsupported command %u", cmd);
}

/* The first block of a command is in: learn its length. */
static int command_begin(struct twc_conn *c)
{
	bool individual = c->mode & TWC_MODE_INDIVIDUAL;
	uint8_t cmd;

	if (twc_chan_decrypt(&c->chan, c->in, TWC_BLOCK) < 0)
		return fail(c, "crypto failure decrypting a command");
	c->in_plain = TWC_BLOCK;
	cmd = c->in[0];
	switch (cmd) {
	case TWC_CMD_START:
	case TWC_CMD_STOP:
		if (individual)
			return fail(c, "%s-Sessions is forbidden with Individual Session Control",
				    cmd == TWC_CMD_START ? "Start" : "Stop");
		break;
	case TWC_CMD_START_N:
	case TWC_CMD_STOP_N:
		if (!individual)
			return refuse_command(c, cmd);
		break;
	case TWC_CMD_REQUEST:
		break;
	default:
		return refuse_command(c, cmd);
	}
	c->in_need = twc_cmd_len(c->in);
	if (!c->in_need)
		return fail(c, "%s-N-Sessions names an invalid number of sessions",
			    cmd == TWC_CMD_START_N ? "Start" : "Stop");
	return 0;
}

/* The whole command is in: decrypt, authenticate, act. */
static int command_end(struct twc_conn *c)
{
	size_t len = c->in_need;

	if (twc_chan_decrypt(&c->chan, c->in + c->in_plain,
			     len - c->in_plain) < 0)
		return fail(c, "crypto failure decrypting a command");
	if (twc_chan_verify(&c->chan, c->in, len) < 0)
		return fail(c, "HMAC mismatch in command %u", c->in[0]);
	switch (c->in[0]) {
	case TWC_CMD_REQUEST:
		return handle_request(c);
	case TWC_CMD_START:
		return handle_start(c);
	case TWC_CMD_STOP:
		return handle_stop(c);
	case TWC_CMD_START_N:
		return handle_n(c, true);
	}
	return handle_n(c, false);
}

/* How many octets the current step of the framing needs in total. */
static size_t in_want(const struct twc_conn *c)
{
	if (c->state == SRV_SETUP)
		return TWC_SETUP_LEN;
	return c->in_need ? c->in_need : TWC_BLOCK;
}

/* A framing step is complete: act on it. */
static int in_step(struct twc_conn *c)
{
	int ret;

	/* A command's first block only tells how long the command is. */
	if (c->state == SRV_CMD && !c->in_need)
		return command_begin(c);
	ret = c->state == SRV_SETUP ? handle_setup(c) : command_end(c);
	c->in_len = 0;
	c->in_need = 0;
	c->in_plain = 0;
	return ret;
}

int twc_conn_input(struct twc_conn *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t want, take;

	while (len && c->state != SRV_DEAD) {
		want = in_want(c);
		take = want - c->in_len < len ? want - c->in_len : len;
		memcpy(c->in + c->in_len, p, take);
		c->in_len += take;
		p += take;
		len -= take;
		if (c->in_len == want && in_step(c) < 0)
			return -1;
	}
	return c->state == SRV_DEAD ? -1 : 0;
}

size_t twc_conn_output(struct twc_conn *c, const void **buf)
{
	*buf = c->out + c->out_off;
	return c->out_len - c->out_off;
}

void twc_conn_consume(struct twc_conn *c, size_t n)
{
	if (n > c->out_len - c->out_off)
		n = c->out_len - c->out_off;
	c->out_off += n;
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
}

bool twc_conn_testing(const struct twc_conn *c)
{
	return running(c) > 0;
}

uint32_t twc_conn_mode(const struct twc_conn *c)
{
	return c->mode;
}

const char *twc_conn_error(const struct twc_conn *c)
{
	return c->err[0] ? c->err : "no error";
}

void twc_conn_free(struct twc_conn *c)
{
	if (!c)
		return;
	twc_chan_free(&c->chan);
	OPENSSL_cleanse(c->aes_key, sizeof(c->aes_key));
	OPENSSL_cleanse(c->hmac_key, sizeof(c->hmac_key));
	free(c->sessions);
	free(c->out);
	free(c);
}
