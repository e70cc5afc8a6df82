/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TWAMP-Control (RFC 5357, with RFC 5618, 5938 and 6038): the one protocol
 * implementation shared by twampd (server) and twamp-ctl (Control-Client).
 *
 * The server side is sans-IO: the caller feeds received octets in and takes
 * octets to send out, and the engine calls back into the caller to create,
 * start and stop test sessions. It never touches a socket or a clock of its
 * own, which is what lets the unit tests and the fuzzer drive it directly.
 * The client side is a small blocking API on a connected socket, which is
 * what a command-line client wants.
 */
#ifndef TWAMP_CONTROL_H
#define TWAMP_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define TWC_PORT		862

/* Modes (IANA TWAMP-Modes registry). */
#define TWC_MODE_OPEN		0x001	/* unauthenticated */
#define TWC_MODE_AUTH		0x002	/* authenticated */
#define TWC_MODE_ENCRYPT	0x004	/* encrypted */
#define TWC_MODE_MIXED		0x008	/* encrypted control, open test (5618) */
#define TWC_MODE_INDIVIDUAL	0x010	/* Start-N/Stop-N (RFC 5938) */
#define TWC_MODE_REFLECT_OCTETS	0x020	/* RFC 6038 */
#define TWC_MODE_SYMMETRIC	0x040	/* RFC 6038 */
#define TWC_MODE_PTP		0x200	/* RFC 8186: reflector stamps PTP */
#define TWC_MODE_SECURITY	0x00f

/* Accept values. */
enum twc_accept {
	TWC_ACCEPT_OK		= 0,
	TWC_ACCEPT_FAILURE	= 1,
	TWC_ACCEPT_INTERNAL	= 2,
	TWC_ACCEPT_UNSUPPORTED	= 3,
	TWC_ACCEPT_PERM_LIMIT	= 4,
	TWC_ACCEPT_TEMP_LIMIT	= 5,
};

/* Security of a test session, as in enum twamp_security of the uapi. */
enum twc_test_security {
	TWC_TEST_OPEN,
	TWC_TEST_AUTH,
	TWC_TEST_ENCRYPT,
};

/* Per-session test keys (RFC 5357 4.1.2), derived from the control keys. */
struct twc_test_keys {
	uint8_t aes[16];
	uint8_t hmac[32];
};

/* Key file: "KeyID secret" lines in the perfSONAR twamp-server.pfs style. */
struct twc_keyring;

struct twc_keyring *twc_keyring_load(const char *path, char *err,
				     size_t errlen);
/* The secret of a KeyID, or NULL. */
const uint8_t *twc_keyring_find(const struct twc_keyring *kr,
				const char *keyid, size_t *len);
void twc_keyring_free(struct twc_keyring *kr);

/* A decoded Request-TW-Session (times in NTP format as on the wire). */
struct twc_session_req {
	uint8_t ipvn;			/* 4 or 6 */
	uint16_t sender_port;
	uint16_t receiver_port;
	/* AF_UNSPEC when the address field was zero. */
	struct sockaddr_storage sender;
	struct sockaddr_storage receiver;
	uint32_t padding;
	uint64_t start_time;
	uint64_t timeout;
	uint32_t type_p;
	uint8_t dscp;			/* from type_p */
	uint16_t reflect_octets;	/* RFC 6038, with REFLECT_OCTETS */
	uint16_t reflect_len;
};

/* What the server answers in Accept-Session. */
struct twc_session_acc {
	uint8_t accept;
	uint16_t port;
	uint8_t sid[16];
	uint16_t reflected_octets;
	uint16_t server_octets;
};

/* Server-side callbacks, implemented by twampd (and by the tests). */
struct twc_server_ops {
	/*
	 * Create a test session. @req has zero addresses already replaced by
	 * the control connection's (ports set in them too); @keys is NULL
	 * unless the test packets are authenticated or encrypted. @acc->sid
	 * is already made (twc_sid_make on the local address) and @keys are
	 * derived from it: keep it. Fill @acc->port (and server_octets with
	 * REFLECT_OCTETS) and return the Accept value.
	 */
	uint8_t (*request)(void *ctx, const struct twc_session_req *req,
			   enum twc_test_security sec,
			   const struct twc_test_keys *keys,
			   struct twc_session_acc *acc);
	/*
	 * Start or stop sessions: n == 0 means all of this connection's.
	 * The engine stops sessions one SID at a time, each with the timeout
	 * of its own request, so stop() always gets n >= 1.
	 */
	uint8_t (*start)(void *ctx, const uint8_t (*sids)[16], unsigned int n);
	void (*stop)(void *ctx, const uint8_t (*sids)[16], unsigned int n,
		     uint64_t timeout_ns);
	/*
	 * Optional: the engine itself refused a Request-TW-Session (before
	 * any request() call) with @accept; @why says why, for the log.
	 */
	void (*refused)(void *ctx, uint8_t accept, const char *why);
};

struct twc_server_cfg {
	uint32_t modes;			/* advertised in the Server-Greeting */
	const struct twc_keyring *keys;
	uint32_t count;			/* PBKDF2 iterations, power of 2; 0: 1024 */
	unsigned int max_sessions;	/* per connection; 0: 16, max 1024 */
	uint64_t start_time;		/* server start (NTP); 0: now */
};

struct twc_conn;

struct twc_conn *twc_server_new(const struct twc_server_cfg *cfg,
				const struct twc_server_ops *ops, void *ctx,
				const struct sockaddr *local,
				const struct sockaddr *peer);
/*
 * Consume received octets: 0, or -1 when the connection must be closed.
 * After -1, flush what twc_conn_output() still holds (a Server-Start or
 * Accept-Session refusing the client) before closing.
 */
int twc_conn_input(struct twc_conn *c, const void *buf, size_t len);
/* Octets waiting to be sent, and how many of them were sent. */
size_t twc_conn_output(struct twc_conn *c, const void **buf);
void twc_conn_consume(struct twc_conn *c, size_t n);
/* True between Start and Stop: SERVWAIT is paused. */
bool twc_conn_testing(const struct twc_conn *c);
/* The Mode the client chose (0 before Set-Up-Response). */
uint32_t twc_conn_mode(const struct twc_conn *c);
/* Why the connection failed, for the log. */
const char *twc_conn_error(const struct twc_conn *c);
void twc_conn_free(struct twc_conn *c);

/*
 * Session address and port policy (policy.c): pure functions that twampd
 * applies to every session it is asked for.
 */
struct twc_prefix {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t len;
};

/* "ADDR" or "ADDR/LEN", IPv4 or IPv6: 0, or -1 if malformed. */
int twc_prefix_parse(const char *s, struct twc_prefix *p);
/*
 * Is the address of @sa in one of the @n prefixes? A v4-mapped IPv6
 * address is matched as the IPv4 address it holds.
 */
bool twc_prefix_match(const struct twc_prefix *p, unsigned int n,
		      const struct sockaddr *sa);
/* The same address (ports and scope ignored; v4-mapped equals IPv4)? */
bool twc_addr_equal(const struct sockaddr *a, const struct sockaddr *b);
/* Turn a v4-mapped IPv6 address into the IPv4 one, port kept. */
void twc_addr_unmap(struct sockaddr_storage *ss);

enum twc_addr_verdict {
	TWC_ADDR_CONN,		/* the control connection's own address */
	TWC_ADDR_ALLOWED,	/* another one, in the allowed prefixes */
	TWC_ADDR_REFUSED,	/* another one, in none of them */
	TWC_ADDR_NOT_UNICAST,	/* multicast, broadcast, class E or zero */
};

/*
 * May a session use @addr as its Sender Address (@conn: the control
 * connection's peer, @allow: the prefixes the administrator allows
 * besides) or as its Receiver Address (@conn: the connection's local
 * address)? Only a unicast address is ever ALLOWED by a prefix.
 */
enum twc_addr_verdict twc_addr_check(const struct sockaddr *addr,
				     const struct sockaddr *conn,
				     const struct twc_prefix *allow,
				     unsigned int n);
/* Is @port (0 is not) a test port of the range @min..@max? */
bool twc_port_in_range(uint16_t port, uint16_t min, uint16_t max);
/*
 * The @i-th port (from 0) to try for a session whose request asked for
 * @want, with the test ports @min..@max and a rotating cursor @next: @want
 * first if it is in the range, then every other port of the range once,
 * from @next round. 0 when there is none left: a port outside the range
 * is never returned, whatever was asked for.
 */
uint16_t twc_port_try(uint16_t want, uint16_t min, uint16_t max,
		      uint16_t next, unsigned int i);

/* SID: IPv4 address, NTP time, random (RFC 4656 3.5). */
void twc_sid_make(uint8_t sid[16], const struct sockaddr *local);

/* Client side, blocking on a connected TCP socket. */
struct twc_client_cfg {
	uint32_t mode;			/* one security bit, plus features */
	/*
	 * Feature bits to add to @mode when the server offers them, and only
	 * then: RFC 8186 says a client that can read PTP timestamps sets
	 * TWC_MODE_PTP whenever it is offered.
	 */
	uint32_t mode_if_offered;
	const char *keyid;		/* authenticated/encrypted/mixed */
	const uint8_t *secret;
	size_t secret_len;
	uint32_t max_count;		/* refuse a larger PBKDF2 Count; 0: 32768 */
	int timeout_ms;			/* per message; <= 0: 30 s */
};

struct twc_client;

struct twc_client *twc_client_open(int fd, const struct twc_client_cfg *cfg,
				   char *err, size_t errlen);
uint32_t twc_client_server_modes(const struct twc_client *cl);
/* The Mode sent in Set-Up-Response (and accepted by the server). */
uint32_t twc_client_mode(const struct twc_client *cl);
/* Each returns the Accept value received, or -1 with @err set. */
int twc_client_request(struct twc_client *cl,
		       const struct twc_session_req *req,
		       struct twc_session_acc *acc, char *err, size_t errlen);
int twc_client_start(struct twc_client *cl, char *err, size_t errlen);
int twc_client_stop(struct twc_client *cl, uint8_t accept, char *err,
		    size_t errlen);
/*
 * Individual Session Control (RFC 5938, mode 16): start or stop the given
 * sessions. Returns 0 when every SID was acknowledged with Accept = 0,
 * else the first other Accept value, or -1 with @err set.
 */
int twc_client_start_n(struct twc_client *cl, const uint8_t (*sids)[16],
		       unsigned int n, char *err, size_t errlen);
int twc_client_stop_n(struct twc_client *cl, const uint8_t (*sids)[16],
		      unsigned int n, char *err, size_t errlen);
void twc_client_test_keys(const struct twc_client *cl, const uint8_t sid[16],
			  struct twc_test_keys *keys);
void twc_client_free(struct twc_client *cl);

/* NTP timestamps of control messages. */
uint64_t twc_ntp_now(void);
uint64_t twc_ntp_to_ns(uint64_t ntp);	/* interval */
uint64_t twc_ns_to_ntp(uint64_t ns);	/* interval */

#endif /* TWAMP_CONTROL_H */
