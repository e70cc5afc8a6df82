/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encoding and decoding of every TWAMP-Control message, field by field at
 * the offsets of the fact sheet (RFC 4656 3.1, RFC 5357 3, RFC 5938 3,
 * RFC 6038 3). Encoders zero every MBZ and HMAC octet; the HMAC and the
 * encryption are applied over the encoded octets by the connection code.
 * Decoders ignore MBZ octets and never fail on content: judging a value is
 * the protocol's job, not the parser's.
 */
#ifndef TWC_MSG_H
#define TWC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control.h"

#define TWC_GREETING_LEN	64
#define TWC_SETUP_LEN		164
#define TWC_SERVER_START_LEN	48
#define TWC_REQUEST_LEN		112
#define TWC_ACCEPT_LEN		48
#define TWC_START_LEN		32	/* Start-Sessions, Start-Ack, Stop */
#define TWC_N_LEN(n)		(32 + 16 * (size_t)(n))
#define TWC_KEYID_LEN		80
#define TWC_TOKEN_LEN		64

/* Sessions named in one Start-N/Stop-N message: bounds its length. */
#define TWC_N_MAX		1024

enum twc_cmd {
	TWC_CMD_START		= 2,
	TWC_CMD_STOP		= 3,
	TWC_CMD_REQUEST		= 5,
	TWC_CMD_START_N		= 7,
	TWC_CMD_START_N_ACK	= 8,
	TWC_CMD_STOP_N		= 9,
	TWC_CMD_STOP_N_ACK	= 10,
};

struct twc_greeting {
	uint32_t modes;
	uint8_t challenge[16];
	uint8_t salt[16];
	uint32_t count;
};

struct twc_setup {
	uint32_t mode;
	uint8_t keyid[TWC_KEYID_LEN];
	uint8_t token[TWC_TOKEN_LEN];
	uint8_t client_iv[16];
};

struct twc_server_start {
	uint8_t accept;
	uint8_t server_iv[16];
	uint64_t start_time;
};

/* Request-TW-Session with the fields TWAMP requires to be zero. */
struct twc_request {
	struct twc_session_req req;
	uint8_t command;
	uint8_t conf_sender;
	uint8_t conf_receiver;
	uint32_t slots;
	uint32_t packets;
	uint8_t sid[16];
};

struct twc_stop {
	uint8_t accept;
	uint32_t nsessions;
};

/* Start-N-Sessions, Stop-N-Sessions and their Acks (RFC 5938). */
struct twc_nmsg {
	uint8_t command;
	uint8_t accept;			/* Acks only */
	uint32_t n;
	const uint8_t (*sids)[16];	/* decode: points into the buffer */
};

void twc_greeting_encode(const struct twc_greeting *g, uint8_t *out);
void twc_greeting_decode(const uint8_t *in, struct twc_greeting *g);
void twc_setup_encode(const struct twc_setup *s, uint8_t *out);
void twc_setup_decode(const uint8_t *in, struct twc_setup *s);
void twc_server_start_encode(const struct twc_server_start *s, uint8_t *out);
void twc_server_start_decode(const uint8_t *in, struct twc_server_start *s);
/* -1 when an address does not match IPVN. */
int twc_request_encode(const struct twc_session_req *req, uint32_t mode,
		       uint8_t *out);
void twc_request_decode(const uint8_t *in, uint32_t mode,
			struct twc_request *r);
void twc_accept_encode(const struct twc_session_acc *a, uint32_t mode,
		       uint8_t *out);
void twc_accept_decode(const uint8_t *in, uint32_t mode,
		       struct twc_session_acc *a);
void twc_start_encode(uint8_t *out);
void twc_start_ack_encode(uint8_t accept, uint8_t *out);
uint8_t twc_start_ack_decode(const uint8_t *in);
void twc_stop_encode(const struct twc_stop *s, uint8_t *out);
void twc_stop_decode(const uint8_t *in, struct twc_stop *s);
/* @out holds TWC_N_LEN(m->n) octets. */
void twc_nmsg_encode(const struct twc_nmsg *m, uint8_t *out);
/* @in holds the whole message, whose length twc_cmd_len() gave. */
void twc_nmsg_decode(const uint8_t *in, struct twc_nmsg *m);

/*
 * The length of a client command from its first block, or 0 when the
 * command is unknown or its length is out of bounds (a Start-N/Stop-N
 * naming no session or more than TWC_N_MAX).
 */
size_t twc_cmd_len(const uint8_t *block);
/* Same for the server's replies the client reads (Start-N/Stop-N Acks). */
size_t twc_nack_len(const uint8_t *block);

/* The names of the mode bits, for messages: "authenticated|individual". */
const char *twc_modes_str(uint32_t modes, char *buf, size_t len);
const char *twc_accept_str(uint8_t accept);

#endif /* TWC_MSG_H */
