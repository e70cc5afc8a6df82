// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the client against a hostile server. The input is all
 * the server ever says; it is queued on a socketpair before the client
 * starts, so the client reads it as a server's replies, then end of file.
 * Octet 0 picks the client's mode and what it asks for.
 */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"

static void session(struct twc_client *cl, uint8_t flags)
{
	struct twc_session_req req = {
		.ipvn = 4, .sender_port = 40000, .receiver_port = 862,
		.reflect_octets = 7, .reflect_len = 8,
	};
	struct twc_session_acc acc;
	struct twc_test_keys keys;
	char err[256];

	if (twc_client_request(cl, &req, &acc, err, sizeof(err)) < 0)
		return;
	twc_client_test_keys(cl, acc.sid, &keys);
	if (flags & TWC_MODE_INDIVIDUAL) {
		if (twc_client_start_n(cl, (const uint8_t (*)[16])acc.sid, 1,
				       err, sizeof(err)) >= 0)
			twc_client_stop_n(cl, (const uint8_t (*)[16])acc.sid, 1,
					  err, sizeof(err));
		return;
	}
	if (twc_client_start(cl, err, sizeof(err)) >= 0)
		twc_client_stop(cl, 0, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct twc_client_cfg cfg = {
		.keyid = "fuzz", .secret = (const uint8_t *)"fuzz",
		.secret_len = 4, .max_count = 16, .timeout_ms = 1000,
	};
	struct twc_client *cl;
	char err[256];
	int sv[2], sz;

	/* A socket buffer holds the whole reply stream: no peer thread. */
	if (size < 1 || size > 64 * 1024)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 0;
	sz = 256 * 1024;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (write(sv[1], data + 1, size - 1) != (ssize_t)(size - 1))
		goto out;
	shutdown(sv[1], SHUT_WR);
	cfg.mode = (data[0] & 0x70) | (1u << (data[0] & 3));
	cl = twc_client_open(sv[0], &cfg, err, sizeof(err));
	if (cl) {
		twc_client_server_modes(cl);
		session(cl, cfg.mode);
		twc_client_free(cl);
	}
out:
	close(sv[0]);
	close(sv[1]);
	return 0;
}
