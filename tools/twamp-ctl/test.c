// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl test: a full TWAMP measurement (RFC 5357). This process is the
 * Control-Client: it negotiates a test session with the TWAMP server at
 * HOST over TCP, in the security mode asked for, and then runs the kernel
 * Session-Sender against the port and SID the server accepted, exactly as
 * twamp-ctl ping does against a TWAMP Light reflector.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/twamp_packet.h>

#include "control.h"
#include "ctl.h"
#include "keyfile.h"
#include "ping.h"

#define TEST_CONNECT_MS		5000
#define TEST_CONTROL_MS		10000
/* The largest PBKDF2 Count accepted from a server (owamp's default). */
#define TEST_MAX_COUNT		32768
/* RFC 8545: the TWAMP-Test Receiver Port asked for by default. */
#define TEST_RECEIVER_PORT	862
/* Default padding: symmetric packets, as owamp's twping sends them. */
#define TEST_PAD_OPEN		27
#define TEST_PAD_KEYED		64

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s test [-m open|auth|encrypt|mixed] [-k KEYFILE -K KEYID]\n"
		"                     [-4|-6] [-c COUNT] [-i INTERVAL] [-s SIZE] [-Q DSCP]\n"
		"                     [-t TTL] [-p PORT] [-I DEV|ADDR] [-w DEADLINE]\n"
		"                     [-W TIMEOUT] [--ptp] [--ntp] [--poisson]\n"
		"                     [--symmetric] [-q] [-D] [-O] [-j] HOST\n"
		"Run a TWAMP test (RFC 5357) against the TWAMP server at HOST: set up a\n"
		"test session over TWAMP-Control, send test packets from a kernel\n"
		"Session-Sender until COUNT packets were sent, DEADLINE passed or Ctrl-C,\n"
		"then stop the session and print statistics.\n"
		"  -m MODE      control and test security: open (default), auth,\n"
		"               encrypt, or mixed (encrypted control, open test)\n"
		"  -k KEYFILE   file of 'KeyID secret' lines (needed unless open), which\n"
		"               group and others must not be able to read\n"
		"  -K KEYID     the KeyID to use from KEYFILE\n"
		"  -p PORT      the server's TWAMP-Control port (default 862)\n"
		"  -c COUNT     stop after COUNT packets (default: until Ctrl-C)\n"
		"  -i INTERVAL  seconds between packets, such as 0.2, or a duration such\n"
		"               as 200ms, 10us to 3600s (default 1; the mean with --poisson)\n"
		"  -s SIZE      UDP payload octets (default 41, or 112 with auth or\n"
		"               encrypt: packets as large as the replies)\n"
		"  -Q DSCP      DSCP 0-63 or a name such as ef or af41 (default 0)\n"
		"  -t TTL       IP TTL or hop limit, 1-255 (default 255)\n"
		"  -I DEV|ADDR  send through a device or VRF, or from a local address\n"
		"  -w DEADLINE  end the run after DEADLINE seconds, whatever came back\n"
		"  -W TIMEOUT   how long to wait for each reply, as INTERVAL (default 1)\n"
		"  --ptp        PTP timestamps instead of NTP in the test packets\n"
		"  --ntp        decline the PTP timestamps a server offers (RFC 8186,\n"
		"               mode 512): its replies and the test packets use NTP\n"
		"               (unless --ptp)\n"
		"  --poisson    Poisson-distributed gaps (RFC 2330), not periodic\n"
		"  --symmetric  ask for Symmetrical Size (RFC 6038): replies as large\n"
		"               as the test packets (SIZE at least 41, or 112 keyed)\n"
		"  -4, -6       IPv4 or IPv6 only\n"
		"  -q           print only the first and the last lines\n"
		"  -D           print [seconds.microseconds] since the epoch before lines\n"
		"  -O           report a packet still unanswered when the next one goes\n"
		"  -j           print one JSON document at the end\n"
		"Exit status: 0 if a reply came back, 1 if none did, 2 on an error.\n",
		PROG_NAME);
}

static const struct probe_cmd test_cmd = { "test", true, usage };

/* The TWAMP-Control Modes bit of what -m asked for. */
static uint32_t twc_mode(enum probe_mode mode)
{
	switch (mode) {
	case PROBE_MODE_AUTH:
		return TWC_MODE_AUTH;
	case PROBE_MODE_ENCRYPT:
		return TWC_MODE_ENCRYPT;
	case PROBE_MODE_MIXED:
		return TWC_MODE_MIXED;
	default:
		return TWC_MODE_OPEN;
	}
}

struct test_ctx {
	struct probe_opts *o;
	struct twc_client *cl;
	int fd;				/* the control connection */
	struct twc_session_acc acc;
	const char *mode_name;
	bool ptp;			/* RFC 8186: the reflector stamps PTP */
	char note[80];
	bool started;
};

static const char *mode_name(enum probe_mode mode)
{
	switch (mode) {
	case PROBE_MODE_AUTH:
		return "authenticated";
	case PROBE_MODE_ENCRYPT:
		return "encrypted";
	case PROBE_MODE_MIXED:
		return "mixed";
	default:
		return "unauthenticated";
	}
}

static const char *accept_str(int accept)
{
	switch (accept) {
	case TWC_ACCEPT_OK:
		return "OK";
	case TWC_ACCEPT_INTERNAL:
		return "internal error";
	case TWC_ACCEPT_UNSUPPORTED:
		return "not supported";
	case TWC_ACCEPT_PERM_LIMIT:
		return "permanent resource limit";
	case TWC_ACCEPT_TEMP_LIMIT:
		return "temporary resource limit";
	default:
		return "failure";
	}
}

static void test_err(const char *fmt, const char *what)
{
	fprintf(stderr, "%s: test: ", PROG_NAME);
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
}

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static void sa_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static uint16_t sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* The control connection, with a bounded wait for the handshake. */
static int control_connect(const struct probe_opts *o,
			   const struct host_addr *addr)
{
	struct sockaddr_storage ss = { .ss_family = addr->family };
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, err = 0;

	if (addr->family == AF_INET) {
		memcpy(&((struct sockaddr_in *)&ss)->sin_addr, addr->addr, 4);
	} else {
		memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, addr->addr,
		       16);
		((struct sockaddr_in6 *)&ss)->sin6_scope_id = addr->scope_id;
	}
	sa_set_port(&ss, o->control_port);

	fd = socket(addr->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		test_err("socket: %s", strerror(errno));
		return -1;
	}
	if (o->cfg.local_family) {
		struct sockaddr_storage local = { .ss_family = addr->family };

		if (addr->family == AF_INET)
			memcpy(&((struct sockaddr_in *)&local)->sin_addr,
			       o->cfg.local, 4);
		else
			memcpy(&((struct sockaddr_in6 *)&local)->sin6_addr,
			       o->cfg.local, 16);
		if (bind(fd, (struct sockaddr *)&local, sa_len(&local))) {
			test_err("binding the control connection: %s",
				 strerror(errno));
			goto fail;
		}
	}
	if (connect(fd, (struct sockaddr *)&ss, sa_len(&ss)) &&
	    errno != EINPROGRESS) {
		err = errno;
	} else {
		pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (poll(&pfd, 1, TEST_CONNECT_MS) == 0)
			err = ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
	}
	if (err) {
		fprintf(stderr, "%s: test: connecting to %s port %u: %s\n",
			PROG_NAME, addr->text, o->control_port, strerror(err));
		goto fail;
	}
	/* The control protocol itself blocks, with its own timeouts. */
	if (fcntl(fd, F_SETFL, 0)) {
		test_err("fcntl: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * A free UDP port on the control connection's local address, for the
 * Sender Port of the request. The kernel sender binds it a moment later.
 */
static int pick_sender_port(const struct sockaddr_storage *local,
			    uint16_t *port)
{
	struct sockaddr_storage ss = *local;
	socklen_t len = sizeof(ss);
	int fd, ret = -1;

	sa_set_port(&ss, 0);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sa_len(&ss)) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		test_err("choosing a sender port: %s", strerror(errno));
	} else {
		*port = sa_port(&ss);
		ret = 0;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static int load_secret(const struct probe_opts *o, struct twc_client_cfg *cfg,
		       struct twc_keyring **kr)
{
	char err[256];

	if (o->mode == PROBE_MODE_OPEN) {
		if (o->key_file || o->key_id)
			fprintf(stderr,
				"%s: test: -k and -K are unused in open mode\n",
				PROG_NAME);
		return 0;
	}
	if (!o->key_file || !o->key_id) {
		fprintf(stderr, "%s: test: mode %s needs -k KEYFILE and -K KEYID\n",
			PROG_NAME, mode_name(o->mode));
		return -1;
	}
	if (key_file_check(o->key_file, err, sizeof(err))) {
		fprintf(stderr, "%s: test: %s\n", PROG_NAME, err);
		return -1;
	}
	*kr = twc_keyring_load(o->key_file, err, sizeof(err));
	if (!*kr) {
		fprintf(stderr, "%s: test: %s\n", PROG_NAME, err);
		return -1;
	}
	cfg->keyid = o->key_id;
	cfg->secret = twc_keyring_find(*kr, o->key_id, &cfg->secret_len);
	if (!cfg->secret) {
		fprintf(stderr, "%s: test: no KeyID '%s' in %s\n", PROG_NAME,
			o->key_id, o->key_file);
		return -1;
	}
	return 0;
}

/* The request, and the kernel sender that matches what was accepted. */
static int request_session(struct test_ctx *t, int fd)
{
	struct probe_opts *o = t->o;
	struct sender *s = &o->cfg;
	bool keyed = o->mode == PROBE_MODE_AUTH || o->mode == PROBE_MODE_ENCRYPT;
	unsigned int header = keyed ? TWAMP_SENDER_AUTH_SIZE :
				      TWAMP_SENDER_SIZE;
	struct twc_session_req req = { 0 };
	struct twc_test_keys keys;
	socklen_t len;
	uint16_t port;
	char err[256];
	int accept;

	len = sizeof(req.sender);
	if (getsockname(fd, (struct sockaddr *)&req.sender, &len) ||
	    (len = sizeof(req.receiver),
	     getpeername(fd, (struct sockaddr *)&req.receiver, &len))) {
		test_err("control connection: %s", strerror(errno));
		return -1;
	}
	if (pick_sender_port(&req.sender, &port))
		return -1;

	req.ipvn = req.sender.ss_family == AF_INET ? 4 : 6;
	req.sender_port = port;
	req.receiver_port = TEST_RECEIVER_PORT;
	sa_set_port(&req.sender, port);
	sa_set_port(&req.receiver, TEST_RECEIVER_PORT);
	if (o->size == UINT64_MAX) {
		req.padding = keyed ? TEST_PAD_KEYED : TEST_PAD_OPEN;
	} else if (o->size < header) {
		fprintf(stderr,
			"%s: test: size %" PRIu64 " is below the %u-octet %s sender header\n",
			PROG_NAME, o->size, header, mode_name(o->mode));
		return -1;
	} else {
		req.padding = o->size - header;
	}
	req.dscp = s->v[TWAMP_A_SENDER_DSCP];
	req.type_p = (uint32_t)req.dscp << 24;
	req.start_time = twc_ntp_now();
	req.timeout = twc_ns_to_ntp(s->has[TWAMP_A_SENDER_WAIT] ?
				    s->v[TWAMP_A_SENDER_WAIT] : 1000000000ULL);

	accept = twc_client_request(t->cl, &req, &t->acc, err, sizeof(err));
	if (accept < 0) {
		fprintf(stderr, "%s: test: requesting a session: %s\n",
			PROG_NAME, err);
		return -1;
	}
	if (accept != TWC_ACCEPT_OK) {
		fprintf(stderr,
			"%s: test: the server refused the session: %s (Accept %d)\n",
			PROG_NAME, accept_str(accept), accept);
		return -1;
	}

	/* The sender: from the port named in the request, to the one accepted. */
	s->has[TWAMP_A_SENDER_LOCAL_PORT] = true;
	s->v[TWAMP_A_SENDER_LOCAL_PORT] = port;
	s->local_family = req.sender.ss_family;
	if (s->local_family == AF_INET)
		memcpy(s->local, &((struct sockaddr_in *)&req.sender)->sin_addr,
		       4);
	else
		memcpy(s->local,
		       &((struct sockaddr_in6 *)&req.sender)->sin6_addr, 16);
	s->has[TWAMP_A_SENDER_REMOTE_PORT] = true;
	s->v[TWAMP_A_SENDER_REMOTE_PORT] = t->acc.port;
	s->has[TWAMP_A_SENDER_PADDING] = true;
	s->v[TWAMP_A_SENDER_PADDING] = req.padding;
	s->has[TWAMP_A_SENDER_FORMAT] = true;
	s->v[TWAMP_A_SENDER_FORMAT] = TWAMP_FORMAT_LIGHT;
	s->has[TWAMP_A_SENDER_SID] = true;
	memcpy(s->sid, t->acc.sid, sizeof(s->sid));
	if (keyed) {
		twc_client_test_keys(t->cl, t->acc.sid, &keys);
		s->has[TWAMP_A_SENDER_SECURITY] = true;
		s->v[TWAMP_A_SENDER_SECURITY] = o->mode == PROBE_MODE_AUTH ?
			TWAMP_SECURITY_AUTH : TWAMP_SECURITY_ENCRYPT;
		s->has[TWAMP_A_SENDER_AES_KEY] = true;
		memcpy(s->aes_key, keys.aes, sizeof(s->aes_key));
		s->has[TWAMP_A_SENDER_HMAC_KEY] = true;
		memcpy(s->hmac_key, keys.hmac, sizeof(s->hmac_key));
		memset(&keys, 0, sizeof(keys));
	}
	return 0;
}

static int hook_start(void *arg, const struct sender *created)
{
	struct test_ctx *t = arg;
	char err[256];
	int accept;

	(void)created;
	accept = twc_client_start(t->cl, err, sizeof(err));
	if (accept < 0) {
		fprintf(stderr, "%s: test: starting the session: %s\n",
			PROG_NAME, err);
		return -1;
	}
	if (accept != TWC_ACCEPT_OK) {
		fprintf(stderr,
			"%s: test: the server refused to start: %s (Accept %d)\n",
			PROG_NAME, accept_str(accept), accept);
		return -1;
	}
	t->started = true;
	return 0;
}

static void hook_done(void *arg)
{
	struct test_ctx *t = arg;
	char err[256];

	if (!t->started)
		return;
	t->started = false;
	if (twc_client_stop(t->cl, TWC_ACCEPT_OK, err, sizeof(err)) < 0)
		fprintf(stderr, "%s: test: stopping the session: %s\n",
			PROG_NAME, err);
}

/*
 * The server has nothing to say during a test; the connection becoming
 * readable means it closed (twampd stopped or died) or failed, and the
 * session is gone with it: sending on would only count losses.
 */
static int hook_alive(void *arg)
{
	struct test_ctx *t = arg;
	struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
	char c;
	ssize_t n;

	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	n = recv(t->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return 0;
	fprintf(stderr, "%s: test: the server closed the control connection%s%s\n",
		PROG_NAME, n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
	t->started = false;	/* no Stop-Sessions to send */
	return -1;
}

static void hook_json(void *arg)
{
	struct test_ctx *t = arg;
	unsigned int i;

	printf(",\"control\":{\"port\":%u,\"mode\":", t->o->control_port);
	json_str(stdout, t->mode_name);
	printf(",\"symmetric\":%s", t->o->symmetric ? "true" : "false");
	printf(",\"reflector_ts_format\":\"%s\"", t->ptp ? "ptp" : "ntp");
	printf(",\"test_port\":%u,\"sid\":\"", t->acc.port);
	for (i = 0; i < sizeof(t->acc.sid); i++)
		printf("%02x", t->acc.sid[i]);
	printf("\"}");
}

int cmd_test(int argc, char *argv[])
{
	struct twc_client_cfg cfg = {
		.max_count = TEST_MAX_COUNT,
		.timeout_ms = TEST_CONTROL_MS,
	};
	struct twc_keyring *kr = NULL;
	struct test_ctx t = { 0 };
	struct ping_hooks hooks;
	struct host_addr addr;
	struct probe_opts o;
	char err[256];
	int fd, ret;

	ret = probe_parse_opts(argc, argv, &o, &test_cmd);
	if (ret >= 0)
		return ret;
	ret = PROBE_EXIT_ERROR;
	if (load_secret(&o, &cfg, &kr) || ping_resolve(&o, &addr))
		goto out;
	fd = control_connect(&o, &addr);
	if (fd < 0)
		goto out;

	cfg.mode = twc_mode(o.mode) | (o.symmetric ? TWC_MODE_SYMMETRIC : 0);
	/*
	 * RFC 8186 2.1: a client that reads PTP timestamps (the kernel sender
	 * honours each Error Estimate's Z bit) sets mode 512 whenever the
	 * server offers it. --ntp declines, for a peer that gets PTP wrong.
	 */
	cfg.mode_if_offered = o.ntp ? 0 : TWC_MODE_PTP;
	t.o = &o;
	t.fd = fd;
	t.mode_name = mode_name(o.mode);
	t.cl = twc_client_open(fd, &cfg, err, sizeof(err));
	if (!t.cl) {
		fprintf(stderr, "%s: test: %s port %u: %s\n", PROG_NAME,
			addr.text, o.control_port, err);
		close(fd);
		goto out;
	}
	/*
	 * With PTP from the reflector, PTP from the sender too (its own
	 * format is a local choice): both halves of the RTT on one scale.
	 */
	t.ptp = twc_client_mode(t.cl) & TWC_MODE_PTP;
	if (t.ptp && !o.cfg.has[TWAMP_A_SENDER_TS_FORMAT]) {
		o.cfg.has[TWAMP_A_SENDER_TS_FORMAT] = true;
		o.cfg.v[TWAMP_A_SENDER_TS_FORMAT] = TWAMP_TS_PTP;
	}
	if (request_session(&t, fd))
		goto out_client;

	snprintf(t.note, sizeof(t.note), "TWAMP, %s, %s, SID ", t.mode_name,
		 t.ptp ? "PTP" : "NTP");
	hooks = (struct ping_hooks){
		.title = "TWAMP-TEST",
		.note = t.note,
		.start = hook_start,
		.done = hook_done,
		.alive = hook_alive,
		.json = hook_json,
		.arg = &t,
	};
	/* The SID, shortened: its random tail tells sessions apart. */
	snprintf(t.note + strlen(t.note), sizeof(t.note) - strlen(t.note),
		 "..%02x%02x%02x%02x", t.acc.sid[12], t.acc.sid[13],
		 t.acc.sid[14], t.acc.sid[15]);
	ret = ping_run(&o, &addr, &hooks);

out_client:
	/* Closing the control connection ends the session on the server. */
	twc_client_free(t.cl);
	close(fd);
out:
	memset(o.cfg.aes_key, 0, sizeof(o.cfg.aes_key));
	memset(o.cfg.hmac_key, 0, sizeof(o.cfg.hmac_key));
	twc_keyring_free(kr);
	return ret;
}
