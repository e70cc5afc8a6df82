// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: every TWAMP-Control decoder over arbitrary octets, and
 * the encoders over what was decoded. Decoding must never read past the
 * message, and a decoded message must encode back to a message that
 * decodes to the same fields. twampd's session policy functions get the
 * same octets.
 */

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "msg.h"

#define MSG_MAX	TWC_N_LEN(TWC_N_MAX)

static void check_request(const uint8_t *in, uint32_t mode)
{
	struct twc_request r, r2;
	uint8_t out[TWC_REQUEST_LEN];

	twc_request_decode(in, mode, &r);
	if (twc_request_encode(&r.req, mode, out) < 0) {
		/* Only an unknown IPVN leaves no family to encode: never. */
		abort();
	}
	twc_request_decode(out, mode, &r2);
	if (r2.req.ipvn != r.req.ipvn ||
	    r2.req.sender_port != r.req.sender_port ||
	    r2.req.padding != r.req.padding ||
	    r2.req.timeout != r.req.timeout ||
	    r2.req.type_p != r.req.type_p ||
	    r2.req.reflect_len != r.req.reflect_len ||
	    r2.req.sender.ss_family != r.req.sender.ss_family ||
	    r2.req.receiver.ss_family != r.req.receiver.ss_family)
		abort();
}

static void check_nmsg(const uint8_t *in, size_t len)
{
	struct twc_nmsg m, m2;
	uint8_t *out = malloc(len);

	if (!out)
		return;
	twc_nmsg_decode(in, &m);
	if (TWC_N_LEN(m.n) != len)
		abort();
	twc_nmsg_encode(&m, out);
	twc_nmsg_decode(out, &m2);
	if (m2.n != m.n || m2.accept != m.accept ||
	    memcmp(m2.sids, m.sids, 16 * (size_t)m.n))
		abort();
	free(out);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * twampd's session policy: a prefix parsed from the input must hold its
 * own address; the decoded request's addresses are checked against it;
 * a port to try is never outside the range, and each once.
 */
static void check_policy(const uint8_t *in, size_t size)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in conn = { .sin_family = AF_INET };
	uint16_t want = get16(in), min = get16(in + 2), max = get16(in + 4);
	uint16_t next = get16(in + 6), port, prev = 0;
	struct twc_prefix p;
	struct twc_request r;
	unsigned int i;
	char str[64];

	for (i = 0; i < 16 && twc_port_try(want, min, max, next, i); i++) {
		port = twc_port_try(want, min, max, next, i);
		if (port < min || port > max || port == prev ||
		    (i && port == want) ||
		    (!i && twc_port_in_range(want, min, max) && port != want))
			abort();
		prev = port;
	}
	memcpy(str, in, sizeof(str) - 1);
	str[size < sizeof(str) ? size : sizeof(str) - 1] = '\0';
	if (twc_prefix_parse(str, &p))
		return;
	if (p.len > (p.family == AF_INET ? 32 : 128))
		abort();
	ss.ss_family = p.family;
	if (p.family == AF_INET)
		memcpy(&((struct sockaddr_in *)&ss)->sin_addr, p.addr, 4);
	else
		memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, p.addr, 16);
	if (!twc_prefix_match(&p, 1, (struct sockaddr *)&ss))
		abort();
	twc_request_decode(in, 0, &r);
	if (r.req.sender.ss_family != AF_UNSPEC)
		twc_addr_check((struct sockaddr *)&r.req.sender,
			       (struct sockaddr *)&conn, &p, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct twc_server_start ss;
	struct twc_session_acc acc;
	struct twc_greeting g;
	struct twc_setup s;
	struct twc_stop st;
	uint8_t *buf;
	uint32_t mode;
	char str[256];
	size_t len;

	if (size < 1 || size > MSG_MAX)
		return 0;
	/* Decoders read fixed sizes: give them exactly @size octets, padded. */
	buf = calloc(1, MSG_MAX);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	mode = size >= 4 ? (uint32_t)data[0] << 24 | data[1] << 16 |
	       data[2] << 8 | data[3] : data[0];

	twc_greeting_decode(buf, &g);
	twc_setup_decode(buf, &s);
	twc_server_start_decode(buf, &ss);
	twc_accept_decode(buf, mode, &acc);
	twc_stop_decode(buf, &st);
	twc_start_ack_decode(buf);
	twc_modes_str(mode, str, sizeof(str));
	twc_modes_str(mode, str, 7);
	twc_accept_str(buf[0]);
	if (buf[1] == 0x04 || buf[1] == 0x06)
		check_request(buf, mode);

	check_policy(buf, size);

	len = twc_cmd_len(buf);
	if (len && len <= size && (buf[0] == 7 || buf[0] == 9))
		check_nmsg(data, len);
	len = twc_nack_len(buf);
	if (len && len <= size)
		check_nmsg(data, len);
	free(buf);
	return 0;
}
