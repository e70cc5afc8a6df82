// SPDX-License-Identifier: GPL-2.0
/*
 * TWAMP-Control message layouts. All fields are big-endian; offsets are
 * those of the fact sheet, and the unit tests pin each of them.
 */

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

void twc_greeting_encode(const struct twc_greeting *g, uint8_t *out)
{
	memset(out, 0, TWC_GREETING_LEN);
	put32(out + 12, g->modes);
	memcpy(out + 16, g->challenge, 16);
	memcpy(out + 32, g->salt, 16);
	put32(out + 48, g->count);
}

void twc_greeting_decode(const uint8_t *in, struct twc_greeting *g)
{
	g->modes = get32(in + 12);
	memcpy(g->challenge, in + 16, 16);
	memcpy(g->salt, in + 32, 16);
	g->count = get32(in + 48);
}

void twc_setup_encode(const struct twc_setup *s, uint8_t *out)
{
	put32(out, s->mode);
	memcpy(out + 4, s->keyid, TWC_KEYID_LEN);
	memcpy(out + 84, s->token, TWC_TOKEN_LEN);
	memcpy(out + 148, s->client_iv, 16);
}

void twc_setup_decode(const uint8_t *in, struct twc_setup *s)
{
	s->mode = get32(in);
	memcpy(s->keyid, in + 4, TWC_KEYID_LEN);
	memcpy(s->token, in + 84, TWC_TOKEN_LEN);
	memcpy(s->client_iv, in + 148, 16);
}

void twc_server_start_encode(const struct twc_server_start *s, uint8_t *out)
{
	memset(out, 0, TWC_SERVER_START_LEN);
	out[15] = s->accept;
	memcpy(out + 16, s->server_iv, 16);
	put64(out + 32, s->start_time);
}

void twc_server_start_decode(const uint8_t *in, struct twc_server_start *s)
{
	s->accept = in[15];
	memcpy(s->server_iv, in + 16, 16);
	s->start_time = get64(in + 32);
}

/* An address field: IPv4 in its first 4 octets, IPv6 in all 16. */
static int addr_encode(const struct sockaddr_storage *ss, uint8_t ipvn,
		       uint8_t *out)
{
	const struct sockaddr_in6 *sin6 = (const void *)ss;
	const struct sockaddr_in *sin = (const void *)ss;

	memset(out, 0, 16);
	if (ss->ss_family == AF_UNSPEC)
		return 0;
	if (ipvn == 4 && ss->ss_family == AF_INET) {
		memcpy(out, &sin->sin_addr, 4);
		return 0;
	}
	if (ipvn == 6 && ss->ss_family == AF_INET6) {
		memcpy(out, &sin6->sin6_addr, 16);
		return 0;
	}
	return -1;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/* Zero stays AF_UNSPEC: it means "the control connection's address". */
static void addr_decode(const uint8_t *in, uint8_t ipvn, uint16_t port,
			struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (void *)ss;
	struct sockaddr_in *sin = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ipvn == 4 && !all_zero(in, 4)) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, in, 4);
	} else if (ipvn == 6 && !all_zero(in, 16)) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, in, 16);
	}
}

int twc_request_encode(const struct twc_session_req *req, uint32_t mode,
		       uint8_t *out)
{
	uint32_t type_p = req->type_p ? req->type_p : (uint32_t)req->dscp << 24;

	memset(out, 0, TWC_REQUEST_LEN);
	out[0] = TWC_CMD_REQUEST;
	out[1] = req->ipvn & 0x0f;
	put16(out + 12, req->sender_port);
	put16(out + 14, req->receiver_port);
	if (addr_encode(&req->sender, req->ipvn, out + 16) < 0 ||
	    addr_encode(&req->receiver, req->ipvn, out + 32) < 0)
		return -1;
	put32(out + 64, req->padding);
	put64(out + 68, req->start_time);
	put64(out + 76, req->timeout);
	put32(out + 84, type_p);
	if (mode & TWC_MODE_REFLECT_OCTETS) {
		put16(out + 88, req->reflect_octets);
		put16(out + 90, req->reflect_len);
	}
	return 0;
}

void twc_request_decode(const uint8_t *in, uint32_t mode,
			struct twc_request *r)
{
	struct twc_session_req *req = &r->req;

	memset(r, 0, sizeof(*r));
	r->command = in[0];
	req->ipvn = in[1] & 0x0f;
	r->conf_sender = in[2];
	r->conf_receiver = in[3];
	r->slots = get32(in + 4);
	r->packets = get32(in + 8);
	req->sender_port = get16(in + 12);
	req->receiver_port = get16(in + 14);
	addr_decode(in + 16, req->ipvn, req->sender_port, &req->sender);
	addr_decode(in + 32, req->ipvn, req->receiver_port, &req->receiver);
	memcpy(r->sid, in + 48, 16);
	req->padding = get32(in + 64);
	req->start_time = get64(in + 68);
	req->timeout = get64(in + 76);
	req->type_p = get32(in + 84);
	req->dscp = (req->type_p >> 24) & 0x3f;
	if (mode & TWC_MODE_REFLECT_OCTETS) {
		req->reflect_octets = get16(in + 88);
		req->reflect_len = get16(in + 90);
	}
}

void twc_accept_encode(const struct twc_session_acc *a, uint32_t mode,
		       uint8_t *out)
{
	memset(out, 0, TWC_ACCEPT_LEN);
	out[0] = a->accept;
	put16(out + 2, a->port);
	memcpy(out + 4, a->sid, 16);
	if (mode & TWC_MODE_REFLECT_OCTETS) {
		put16(out + 20, a->reflected_octets);
		put16(out + 22, a->server_octets);
	}
}

void twc_accept_decode(const uint8_t *in, uint32_t mode,
		       struct twc_session_acc *a)
{
	memset(a, 0, sizeof(*a));
	a->accept = in[0];
	a->port = get16(in + 2);
	memcpy(a->sid, in + 4, 16);
	if (mode & TWC_MODE_REFLECT_OCTETS) {
		a->reflected_octets = get16(in + 20);
		a->server_octets = get16(in + 22);
	}
}

void twc_start_encode(uint8_t *out)
{
	memset(out, 0, TWC_START_LEN);
	out[0] = TWC_CMD_START;
}

void twc_start_ack_encode(uint8_t accept, uint8_t *out)
{
	memset(out, 0, TWC_START_LEN);
	out[0] = accept;
}

uint8_t twc_start_ack_decode(const uint8_t *in)
{
	return in[0];
}

void twc_stop_encode(const struct twc_stop *s, uint8_t *out)
{
	memset(out, 0, TWC_START_LEN);
	out[0] = TWC_CMD_STOP;
	out[1] = s->accept;
	put32(out + 4, s->nsessions);
}

void twc_stop_decode(const uint8_t *in, struct twc_stop *s)
{
	s->accept = in[1];
	s->nsessions = get32(in + 4);
}

static bool nmsg_is_ack(uint8_t cmd)
{
	return cmd == TWC_CMD_START_N_ACK || cmd == TWC_CMD_STOP_N_ACK;
}

void twc_nmsg_encode(const struct twc_nmsg *m, uint8_t *out)
{
	memset(out, 0, TWC_N_LEN(m->n));
	out[0] = m->command;
	if (nmsg_is_ack(m->command))
		out[1] = m->accept;
	put32(out + 12, m->n);
	memcpy(out + 16, m->sids, 16 * (size_t)m->n);
}

void twc_nmsg_decode(const uint8_t *in, struct twc_nmsg *m)
{
	m->command = in[0];
	m->accept = nmsg_is_ack(m->command) ? in[1] : 0;
	m->n = get32(in + 12);
	m->sids = (const void *)(in + 16);
}

static size_t nmsg_len(const uint8_t *block)
{
	uint32_t n = get32(block + 12);

	return n >= 1 && n <= TWC_N_MAX ? TWC_N_LEN(n) : 0;
}

size_t twc_cmd_len(const uint8_t *block)
{
	switch (block[0]) {
	case TWC_CMD_START:
	case TWC_CMD_STOP:
		return TWC_START_LEN;
	case TWC_CMD_REQUEST:
		return TWC_REQUEST_LEN;
	case TWC_CMD_START_N:
	case TWC_CMD_STOP_N:
		return nmsg_len(block);
	}
	return 0;
}

size_t twc_nack_len(const uint8_t *block)
{
	if (!nmsg_is_ack(block[0]))
		return 0;
	return nmsg_len(block);
}

const char *twc_modes_str(uint32_t modes, char *buf, size_t len)
{
	static const char *const names[] = {
		"unauthenticated", "authenticated", "encrypted", "mixed",
		"individual-session-control", "reflect-octets",
		"symmetrical-size", "ikev2", "dscp-ecn", "ptp",
	};
	size_t used = 0;
	unsigned int bit;
	int n;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!modes)
		snprintf(buf, len, "none");
	for (bit = 0; bit < 32 && used < len; bit++) {
		if (!(modes & (1u << bit)))
			continue;
		if (bit < sizeof(names) / sizeof(names[0]))
			n = snprintf(buf + used, len - used, "%s%s",
				     used ? "|" : "", names[bit]);
		else
			n = snprintf(buf + used, len - used, "%sbit%u",
				     used ? "|" : "", bit);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

const char *twc_accept_str(uint8_t accept)
{
	static const char *const names[] = {
		"OK", "failure", "internal error", "not supported",
		"permanent resource limit", "temporary resource limit",
		"no IKEv2 SA matches",
	};

	if (accept < sizeof(names) / sizeof(names[0]))
		return names[accept];
	return "failure (unknown Accept value)";
}
