// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace TWAMP-Test / TWAMP Light / STAMP Session-Reflector.
 *
 * One worker thread waits in epoll on every session's UDP socket, takes a
 * batch of datagrams with recvmmsg(), turns each around in the receive
 * buffer and sends it back with its own sendmsg(), so that T3 is read right
 * before the packet it stamps leaves (a sendmmsg() batch would stamp every
 * packet but the first too early). T2 is the kernel's receive timestamp
 * (SO_TIMESTAMPNS). Nothing is allocated per packet: the receive buffers,
 * cipher and MAC contexts all exist before the first packet does.
 *
 * Locking: u->lock protects the session table, every session's state and
 * counters, the Error Estimate and u->stop. The worker holds it while it
 * handles one epoll round, so the control thread's add, del and counter
 * reads wait for at most one batch; sockets are created and bound outside
 * it. epoll events carry a session's slot and ID, never a pointer, so an
 * event for a session deleted meanwhile finds nothing.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <linux/twamp_packet.h>

#include "twpkt.h"
#include "ureflect.h"

#define BATCH			16
/* The largest UDP payload, and room to grow a short request to 112. */
#define BUF_SIZE		(65536 + TWAMP_REFLECTOR_AUTH_SIZE)
#define CTRL_SIZE		256
#define EVFD_TAG		UINT64_MAX
/* How often the clock's synchronization state is read again. */
#define EE_REFRESH_NS		1000000000ULL
/* Error bound claimed while the clock is not synchronized: kmod's. */
#define UNSYNCED_ERROR_NS	10000000ULL
#define NSEC_PER_SEC		1000000000ULL

struct urefl_sess {
	int id;
	int fd;
	int family;
	bool expired;
	struct urefl_session_cfg cfg;
	struct urefl_counters cnt;
	uint32_t seq;			/* own Sequence Number (stateful) */
	uint64_t last_rx_ns;		/* CLOCK_MONOTONIC */
	EVP_CIPHER_CTX *enc, *dec;	/* authenticated/encrypted */
	EVP_MAC_CTX *mac;
};

struct urefl {
	pthread_mutex_t lock;
	pthread_t thread;
	bool thread_started;
	bool stop;
	int epfd, evfd;
	uint16_t port_min, port_max, port_next;
	struct urefl_sess **slots;
	unsigned int n_slots;
	int next_id;
	uint16_t ee;
	uint64_t ee_read_ns;
	EVP_MAC *hmac;
	/* the worker's receive batch */
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage from[BATCH];
	uint8_t ctrl[BATCH][CTRL_SIZE];
	uint8_t *bufs;
};

/* What the ancillary data of one datagram says. */
struct rx_info {
	struct timespec t2;
	bool have_t2;
	int ttl;			/* -1: unknown */
	int tos;			/* -1: unknown */
	bool have_dst;
	struct in_pktinfo pi4;
	struct in6_pktinfo pi6;
};

static const uint8_t zero_iv[16];

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)p[0] << 8 | p[1];
}

static void put_ntp(uint8_t *p, const struct timespec *ts)
{
	put_be32(p, (uint32_t)((uint64_t)ts->tv_sec + TWAMP_NTP_UNIX_OFFSET));
	put_be32(p + 4, (uint32_t)(((uint64_t)ts->tv_nsec << 32) /
				   NSEC_PER_SEC));
}

uint16_t urefl_clock_error_estimate(void)
{
	struct timex tx = { .modes = 0 };
	uint64_t err_us;
	int state;

	state = adjtimex(&tx);
	if (state < 0 || state == TIME_ERROR || (tx.status & STA_UNSYNC))
		return twpkt_ee_encode(UNSYNCED_ERROR_NS, false);
	/* the estimated error, else the bound, else the unit of both */
	err_us = tx.esterror > 0 ? (uint64_t)tx.esterror :
		 tx.maxerror > 0 ? (uint64_t)tx.maxerror : 1;
	return twpkt_ee_encode(err_us * 1000, true);
}

/* --- crypto --------------------------------------------------------------- */

static void sess_crypto_free(struct urefl_sess *s)
{
	EVP_CIPHER_CTX_free(s->enc);
	EVP_CIPHER_CTX_free(s->dec);
	EVP_MAC_CTX_free(s->mac);
	s->enc = s->dec = NULL;
	s->mac = NULL;
}

static int sess_crypto_init(struct urefl *u, struct urefl_sess *s)
{
	const EVP_CIPHER *c = s->cfg.security == TWC_TEST_AUTH ?
			      EVP_aes_128_ecb() : EVP_aes_128_cbc();
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};

	s->enc = EVP_CIPHER_CTX_new();
	s->dec = EVP_CIPHER_CTX_new();
	s->mac = EVP_MAC_CTX_new(u->hmac);
	if (!s->enc || !s->dec || !s->mac ||
	    !EVP_EncryptInit_ex(s->enc, c, NULL, s->cfg.keys.aes, zero_iv) ||
	    !EVP_DecryptInit_ex(s->dec, c, NULL, s->cfg.keys.aes, zero_iv) ||
	    !EVP_CIPHER_CTX_set_padding(s->enc, 0) ||
	    !EVP_CIPHER_CTX_set_padding(s->dec, 0) ||
	    !EVP_MAC_init(s->mac, s->cfg.keys.hmac, sizeof(s->cfg.keys.hmac),
			  params)) {
		sess_crypto_free(s);
		return -ENOMEM;
	}
	return 0;
}

/* AES in place over @len octets (a multiple of 16), the chain from IV 0. */
static bool sess_cipher(EVP_CIPHER_CTX *ctx, bool enc, uint8_t *p, int len)
{
	int out = 0, fin = 0;

	if (enc)
		return EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, zero_iv) &&
		       EVP_EncryptUpdate(ctx, p, &out, p, len) &&
		       EVP_EncryptFinal_ex(ctx, p + out, &fin) &&
		       out + fin == len;
	return EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, zero_iv) &&
	       EVP_DecryptUpdate(ctx, p, &out, p, len) &&
	       EVP_DecryptFinal_ex(ctx, p + out, &fin) && out + fin == len;
}

/* HMAC-SHA1 of @len octets at @p, truncated to 16, with the session key. */
static bool sess_hmac(struct urefl_sess *s, const uint8_t *p, size_t len,
		      uint8_t out[TWAMP_HMAC_LEN])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t n = 0;

	/* a NULL key restarts with the key set at session creation */
	if (!EVP_MAC_init(s->mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(s->mac, p, len) ||
	    !EVP_MAC_final(s->mac, md, &n, sizeof(md)) || n < TWAMP_HMAC_LEN)
		return false;
	memcpy(out, md, TWAMP_HMAC_LEN);
	return true;
}

/* --- reflecting ----------------------------------------------------------- */

static void rx_parse_cmsg(struct msghdr *mh, struct rx_info *ri)
{
	struct cmsghdr *cm;

	ri->have_t2 = false;
	ri->ttl = -1;
	ri->tos = -1;
	ri->have_dst = false;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		const void *d = CMSG_DATA(cm);
		int v;

		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_TIMESTAMPNS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			memcpy(&ri->t2, d, sizeof(ri->t2));
			ri->have_t2 = true;
		} else if (cm->cmsg_level == IPPROTO_IP &&
			   cm->cmsg_type == IP_TTL &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&v, d, sizeof(v));
			ri->ttl = v & 0xff;
		} else if (cm->cmsg_level == IPPROTO_IP &&
			   cm->cmsg_type == IP_TOS &&
			   cm->cmsg_len >= CMSG_LEN(1)) {
			ri->tos = *(const uint8_t *)d;
		} else if (cm->cmsg_level == IPPROTO_IP &&
			   cm->cmsg_type == IP_PKTINFO &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(ri->pi4))) {
			memcpy(&ri->pi4, d, sizeof(ri->pi4));
			ri->have_dst = true;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_HOPLIMIT &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&v, d, sizeof(v));
			ri->ttl = v & 0xff;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_TCLASS &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&v, d, sizeof(v));
			ri->tos = v & 0xff;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(ri->pi6))) {
			memcpy(&ri->pi6, d, sizeof(ri->pi6));
			ri->have_dst = true;
		}
	}
}

static bool peer_ok(const struct urefl_sess *s,
		    const struct sockaddr_storage *from)
{
	const struct sockaddr_storage *p = &s->cfg.peer;

	if (s->cfg.any_peer)
		return true;
	if (from->ss_family != p->ss_family)
		return false;
	if (p->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)from;
		const struct sockaddr_in *b = (const void *)p;

		return a->sin_addr.s_addr == b->sin_addr.s_addr &&
		       (!b->sin_port || a->sin_port == b->sin_port);
	}
	if (p->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)from;
		const struct sockaddr_in6 *b = (const void *)p;

		return !memcmp(&a->sin6_addr, &b->sin6_addr,
			       sizeof(a->sin6_addr)) &&
		       (!b->sin6_port || a->sin6_port == b->sin6_port);
	}
	return false;
}

/*
 * Never answer to a port 0, or to or from a broadcast or multicast
 * address: a reply would go to everyone, or from an address not ours.
 */
static bool addrs_ok(const struct sockaddr_storage *from,
		     const struct rx_info *ri)
{
	if (from->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)from;
		uint32_t src = ntohl(a->sin_addr.s_addr);

		if (!a->sin_port || !src || src == INADDR_BROADCAST ||
		    IN_MULTICAST(src))
			return false;
		/*
		 * The address the packet was sent to is not the local one
		 * the kernel would answer from: broadcast or multicast.
		 */
		return !ri->have_dst ||
		       ri->pi4.ipi_addr.s_addr == ri->pi4.ipi_spec_dst.s_addr;
	}
	if (from->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)from;

		if (!a->sin6_port || IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr) ||
		    IN6_IS_ADDR_MULTICAST(&a->sin6_addr))
			return false;
		return !ri->have_dst ||
		       !IN6_IS_ADDR_MULTICAST(&ri->pi6.ipi6_addr);
	}
	return false;
}

/*
 * An unauthenticated TWAMP-Test, TWAMP Light or STAMP request of @len
 * octets at @p into its reply; returns the reply's length, or 0 with the
 * drop counted.
 */
static size_t build_open(struct urefl *u, struct urefl_sess *s, uint8_t *p,
			 size_t len, const struct rx_info *ri)
{
	struct twamp_test_reflector *r = (struct twamp_test_reflector *)p;
	size_t base = s->cfg.stamp ? STAMP_BASE_SIZE : TWAMP_REFLECTOR_SIZE;
	uint8_t sender[TWAMP_SENDER_SIZE], ssid[2] = { 0, 0 };
	size_t rlen;

	if (len < TWAMP_SENDER_SIZE) {
		s->cnt.drop_short++;
		return 0;
	}
	/* RFC 4656 4.1.2: a zero Multiplier marks a corrupt packet */
	if (!(get_be16(p + 12) & TWAMP_EE_MULT_MASK)) {
		s->cnt.drop_invalid++;
		return 0;
	}
	rlen = len > base ? len : base;
	if (rlen > len)
		memset(p + len, 0, rlen - len);
	memcpy(sender, p, sizeof(sender));
	if (s->cfg.stamp) {
		memcpy(ssid, p + offsetof(struct stamp_test_sender, ssid), 2);
		if (len > STAMP_BASE_SIZE)
			twpkt_stamp_tlvs_reflect(p + STAMP_BASE_SIZE,
						 len - STAMP_BASE_SIZE);
		memset(p + TWAMP_REFLECTOR_SIZE, 0,
		       STAMP_BASE_SIZE - TWAMP_REFLECTOR_SIZE);
	} else if (s->cfg.reflect_len && rlen > TWAMP_REFLECTOR_SIZE) {
		/* RFC 6038: the sender's first padding octets come back */
		size_t n = s->cfg.reflect_len;

		if (n > len - TWAMP_SENDER_SIZE)
			n = len - TWAMP_SENDER_SIZE;
		if (n > rlen - TWAMP_REFLECTOR_SIZE)
			n = rlen - TWAMP_REFLECTOR_SIZE;
		memmove(p + TWAMP_REFLECTOR_SIZE, p + TWAMP_SENDER_SIZE, n);
	}

	if (s->cfg.stateless)
		memcpy(&r->seq, sender, 4);
	else
		put_be32((uint8_t *)&r->seq, s->seq++);
	put_be16((uint8_t *)&r->error_estimate, u->ee);
	memcpy(&r->mbz_ssid, ssid, 2);
	put_ntp((uint8_t *)&r->rx_ts, &ri->t2);
	memcpy(&r->sender_seq, sender, 4);
	memcpy(&r->sender_ts, sender + 4, 8);
	memcpy(&r->sender_error_estimate, sender + 12, 2);
	memset(&r->mbz, 0, sizeof(r->mbz));
	r->sender_ttl = ri->ttl >= 0 ? ri->ttl : 255;
	return rlen;
}

/*
 * An authenticated or encrypted request into its reply, all but T3, the
 * HMAC and (encrypted mode) the encryption, which follow T3.
 */
static size_t build_keyed(struct urefl *u, struct urefl_sess *s, uint8_t *p,
			  size_t len, const struct rx_info *ri)
{
	struct twamp_test_reflector_auth *r = (void *)p;
	const struct twamp_test_sender_auth *q = (const void *)p;
	size_t prot = s->cfg.security == TWC_TEST_AUTH ?
		      TWAMP_AUTH_PROTECTED : TWAMP_SENDER_ENC_PROTECTED;
	uint8_t mac[TWAMP_HMAC_LEN], seq[4], ts[8], ee[2];
	size_t rlen;

	if (len < TWAMP_SENDER_AUTH_SIZE) {
		s->cnt.drop_short++;
		return 0;
	}
	if (!sess_cipher(s->dec, false, p, prot) ||
	    !sess_hmac(s, p, prot, mac) ||
	    CRYPTO_memcmp(mac, q->hmac, TWAMP_HMAC_LEN)) {
		s->cnt.drop_auth++;
		return 0;
	}
	if (!(get_be16((const uint8_t *)&q->error_estimate) &
	      TWAMP_EE_MULT_MASK)) {
		s->cnt.drop_invalid++;
		return 0;
	}
	memcpy(seq, &q->seq, 4);
	memcpy(ts, &q->ts, 8);
	memcpy(ee, &q->error_estimate, 2);

	rlen = len > TWAMP_REFLECTOR_AUTH_SIZE ? len : TWAMP_REFLECTOR_AUTH_SIZE;
	if (rlen > len)
		memset(p + len, 0, rlen - len);
	if (s->cfg.reflect_len && rlen > TWAMP_REFLECTOR_AUTH_SIZE) {
		size_t n = s->cfg.reflect_len;

		if (n > len - TWAMP_SENDER_AUTH_SIZE)
			n = len - TWAMP_SENDER_AUTH_SIZE;
		if (n > rlen - TWAMP_REFLECTOR_AUTH_SIZE)
			n = rlen - TWAMP_REFLECTOR_AUTH_SIZE;
		memmove(p + TWAMP_REFLECTOR_AUTH_SIZE,
			p + TWAMP_SENDER_AUTH_SIZE, n);
	}
	memset(p, 0, TWAMP_REFLECTOR_AUTH_SIZE);
	if (s->cfg.stateless)
		memcpy(&r->seq, seq, 4);
	else
		put_be32((uint8_t *)&r->seq, s->seq++);
	put_be16((uint8_t *)&r->error_estimate, u->ee);
	put_ntp((uint8_t *)&r->rx_ts, &ri->t2);
	memcpy(&r->sender_seq, seq, 4);
	memcpy(&r->sender_ts, ts, 8);
	memcpy(&r->sender_error_estimate, ee, 2);
	r->sender_ttl = ri->ttl >= 0 ? ri->ttl : 255;
	return rlen;
}

static void reflect_one(struct urefl *u, struct urefl_sess *s,
			struct msghdr *mh, size_t len,
			const struct timespec *t_recv)
{
	union {
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			    CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_storage *from = mh->msg_name;
	uint8_t *p = mh->msg_iov[0].iov_base;
	struct twamp_test_reflector_auth *ra = (void *)p;
	struct twamp_test_reflector *ro = (void *)p;
	struct msghdr out = { 0 };
	struct cmsghdr *cm;
	struct iovec iov;
	struct rx_info ri;
	struct timespec t3;
	size_t rlen, clen = 0;
	ssize_t n;

	s->cnt.rx++;
	rx_parse_cmsg(mh, &ri);
	if (!ri.have_t2)
		ri.t2 = *t_recv;
	if (!peer_ok(s, from)) {
		s->cnt.drop_peer++;
		return;
	}
	if ((mh->msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !addrs_ok(from, &ri)) {
		s->cnt.drop_invalid++;
		return;
	}
	if (s->cfg.security == TWC_TEST_OPEN)
		rlen = build_open(u, s, p, len, &ri);
	else
		rlen = build_keyed(u, s, p, len, &ri);
	if (!rlen)
		return;
	s->last_rx_ns = mono_ns();

	/* from the address the request was sent to, DSCP as configured */
	memset(&ctl, 0, sizeof(ctl));
	out.msg_control = ctl.buf;
	out.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&out);
	if (ri.have_dst && s->family == AF_INET) {
		struct in_pktinfo pi = { .ipi_spec_dst = ri.pi4.ipi_addr };

		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		clen += CMSG_SPACE(sizeof(pi));
		cm = CMSG_NXTHDR(&out, cm);
	} else if (ri.have_dst) {
		const struct sockaddr_in6 *a = (const void *)from;
		struct in6_pktinfo pi = { .ipi6_addr = ri.pi6.ipi6_addr };

		/* link-local: back through the device it came in by */
		if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr) ||
		    IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr))
			pi.ipi6_ifindex = ri.pi6.ipi6_ifindex;

		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		clen += CMSG_SPACE(sizeof(pi));
		cm = CMSG_NXTHDR(&out, cm);
	}
	if (s->cfg.dscp < 0 && ri.tos > 0 && cm) {
		/* no DSCP of its own: the request's, without its ECN */
		int tos = ri.tos & ~3;

		cm->cmsg_level = s->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
		cm->cmsg_type = s->family == AF_INET ? IP_TOS : IPV6_TCLASS;
		cm->cmsg_len = CMSG_LEN(sizeof(tos));
		memcpy(CMSG_DATA(cm), &tos, sizeof(tos));
		clen += CMSG_SPACE(sizeof(tos));
	}
	out.msg_controllen = clen;
	if (!clen)
		out.msg_control = NULL;
	out.msg_name = from;
	out.msg_namelen = mh->msg_namelen;
	iov.iov_base = p;
	iov.iov_len = rlen;
	out.msg_iov = &iov;
	out.msg_iovlen = 1;

	if (s->cfg.security == TWC_TEST_AUTH) {
		/*
		 * Only block 0 (Sequence Number) is protected: HMAC and
		 * encrypt it before T3, which then is read last.
		 */
		if (!sess_hmac(s, p, TWAMP_AUTH_PROTECTED, ra->hmac) ||
		    !sess_cipher(s->enc, true, p, TWAMP_AUTH_PROTECTED)) {
			s->cnt.drop_invalid++;
			return;
		}
		clock_gettime(CLOCK_REALTIME, &t3);
		put_ntp((uint8_t *)&ra->ts, &t3);
	} else if (s->cfg.security == TWC_TEST_ENCRYPT) {
		/* T3 is inside the protected octets: T3, HMAC, encryption */
		clock_gettime(CLOCK_REALTIME, &t3);
		put_ntp((uint8_t *)&ra->ts, &t3);
		if (!sess_hmac(s, p, TWAMP_REFLECTOR_ENC_PROTECTED, ra->hmac) ||
		    !sess_cipher(s->enc, true, p,
				 TWAMP_REFLECTOR_ENC_PROTECTED)) {
			s->cnt.drop_invalid++;
			return;
		}
	} else {
		clock_gettime(CLOCK_REALTIME, &t3);
		put_ntp((uint8_t *)&ro->ts, &t3);
	}
	do
		n = sendmsg(s->fd, &out, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)rlen)
		s->cnt.tx++;
	else
		s->cnt.drop_xmit++;
}

/* Up to one batch of datagrams from a session's socket; u->lock held. */
static void sess_input(struct urefl *u, struct urefl_sess *s)
{
	struct timespec now;
	int i, n;

	for (i = 0; i < BATCH; i++) {
		struct msghdr *mh = &u->msgs[i].msg_hdr;

		u->iov[i].iov_base = u->bufs + (size_t)i * BUF_SIZE;
		/* room left behind to grow a short request in place */
		u->iov[i].iov_len = BUF_SIZE - TWAMP_REFLECTOR_AUTH_SIZE;
		mh->msg_name = &u->from[i];
		mh->msg_namelen = sizeof(u->from[i]);
		mh->msg_iov = &u->iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = u->ctrl[i];
		mh->msg_controllen = CTRL_SIZE;
		mh->msg_flags = 0;
	}
	n = recvmmsg(s->fd, u->msgs, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return;
	/* T2 when the kernel gave none: as early as can be */
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < n; i++)
		reflect_one(u, s, &u->msgs[i].msg_hdr, u->msgs[i].msg_len, &now);
}

static void sess_close(struct urefl *u, struct urefl_sess *s)
{
	if (s->fd >= 0) {
		epoll_ctl(u->epfd, EPOLL_CTL_DEL, s->fd, NULL);
		close(s->fd);
		s->fd = -1;
	}
}

static void sess_free(struct urefl *u, struct urefl_sess *s)
{
	sess_close(u, s);
	sess_crypto_free(s);
	OPENSSL_cleanse(&s->cfg.keys, sizeof(s->cfg.keys));
	free(s);
}

/* REFWAIT: close the socket of a session idle that long; lock held. */
static int expire_sessions(struct urefl *u, uint64_t now)
{
	uint64_t next = 1000;	/* ms to the next check, at most */
	unsigned int i;

	for (i = 0; i < u->n_slots; i++) {
		struct urefl_sess *s = u->slots[i];
		uint64_t deadline, left;

		if (!s || s->expired || !s->cfg.refwait_ms)
			continue;
		deadline = s->last_rx_ns + (uint64_t)s->cfg.refwait_ms * 1000000;
		if (now >= deadline) {
			sess_close(u, s);
			s->expired = true;
			continue;
		}
		left = (deadline - now + 999999) / 1000000;
		if (left < next)
			next = left;
	}
	return (int)next;
}

static void *worker(void *arg)
{
	struct urefl *u = arg;
	struct epoll_event ev[BATCH];
	int timeout = 0, i, n;

	for (;;) {
		n = epoll_wait(u->epfd, ev, BATCH, timeout);
		pthread_mutex_lock(&u->lock);
		if (u->stop) {
			pthread_mutex_unlock(&u->lock);
			break;
		}
		if (mono_ns() - u->ee_read_ns >= EE_REFRESH_NS) {
			u->ee = urefl_clock_error_estimate();
			u->ee_read_ns = mono_ns();
		}
		for (i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;
			unsigned int slot = (uint32_t)tag;
			struct urefl_sess *s;

			if (tag == EVFD_TAG) {
				uint64_t v;

				if (read(u->evfd, &v, sizeof(v)) < 0)
					continue;
				continue;
			}
			s = slot < u->n_slots ? u->slots[slot] : NULL;
			if (s && s->id == (int)(tag >> 32) && !s->expired)
				sess_input(u, s);
		}
		timeout = expire_sessions(u, mono_ns());
		pthread_mutex_unlock(&u->lock);
	}
	return NULL;
}

/* --- the API ------------------------------------------------------------- */

struct urefl *urefl_new(uint16_t port_min, uint16_t port_max, char *err,
			size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EVFD_TAG };
	struct urefl *u;
	int rc;

	if (port_min > port_max) {
		snprintf(err, errlen, "port range %u-%u is empty", port_min,
			 port_max);
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	u->epfd = u->evfd = -1;
	u->port_min = port_min;
	u->port_max = port_max;
	u->port_next = port_min;
	u->next_id = 1;
	u->ee = urefl_clock_error_estimate();
	u->ee_read_ns = mono_ns();
	pthread_mutex_init(&u->lock, NULL);
	u->bufs = malloc((size_t)BATCH * BUF_SIZE);
	u->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!u->bufs || !u->hmac) {
		snprintf(err, errlen, "%s", !u->bufs ? "out of memory" :
			 "OpenSSL has no HMAC");
		goto fail;
	}
	u->epfd = epoll_create1(EPOLL_CLOEXEC);
	u->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->epfd < 0 || u->evfd < 0 ||
	    epoll_ctl(u->epfd, EPOLL_CTL_ADD, u->evfd, &ev)) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	rc = pthread_create(&u->thread, NULL, worker, u);
	if (rc) {
		snprintf(err, errlen, "cannot start the reflector thread: %s",
			 strerror(rc));
		goto fail;
	}
	u->thread_started = true;
	return u;
fail:
	urefl_free(u);
	return NULL;
}

/*
 * Get the worker out of epoll_wait(). A failed write needs no handling:
 * it cannot fail before 2^64 - 2 unread writes, and the worker looks at
 * its state at least once a second anyway.
 */
static void wake(struct urefl *u)
{
	uint64_t one = 1;
	ssize_t n = write(u->evfd, &one, sizeof(one));

	(void)n;
}

static int setopt(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v)) ? -errno : 0;
}

static socklen_t sa_len(int family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) :
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
	return ntohs(ss->ss_family == AF_INET ?
		     ((const struct sockaddr_in *)ss)->sin_port :
		     ((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* A UDP socket with every option a session needs, not yet bound. */
static int sess_socket(int family, int dscp)
{
	int fd, rc = 0;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = setopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	if (!rc && family == AF_INET) {
		rc = setopt(fd, IPPROTO_IP, IP_RECVTTL, 1) ?:
		     setopt(fd, IPPROTO_IP, IP_RECVTOS, 1) ?:
		     setopt(fd, IPPROTO_IP, IP_PKTINFO, 1) ?:
		     setopt(fd, IPPROTO_IP, IP_TTL, 255) ?:
		     /* a reply as large as a request that came in fragments */
		     setopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
		if (!rc && dscp >= 0)
			rc = setopt(fd, IPPROTO_IP, IP_TOS, dscp << 2);
	} else if (!rc) {
		rc = setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) ?:
		     setopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) ?:
		     setopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, 1) ?:
		     setopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) ?:
		     setopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) ?:
		     setopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
			    IPV6_PMTUDISC_DONT);
		if (!rc && dscp >= 0)
			rc = setopt(fd, IPPROTO_IPV6, IPV6_TCLASS, dscp << 2);
	}
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

/* Bind to cfg->local, its port or the first free one of the range. */
static int sess_bind(struct urefl *u, int fd, struct sockaddr_storage *local)
{
	unsigned int i, n;
	uint16_t port;

	if (sa_port(local) || (!u->port_min && !u->port_max))
		return bind(fd, (struct sockaddr *)local,
			    sa_len(local->ss_family)) ? -errno : 0;
	n = u->port_max - u->port_min + 1;
	pthread_mutex_lock(&u->lock);
	port = u->port_next;
	pthread_mutex_unlock(&u->lock);
	for (i = 0; i < n; i++) {
		if (port < u->port_min || port > u->port_max)
			port = u->port_min;
		sa_set_port(local, port);
		if (!bind(fd, (struct sockaddr *)local,
			  sa_len(local->ss_family))) {
			pthread_mutex_lock(&u->lock);
			u->port_next = port == u->port_max ? u->port_min :
				       port + 1;
			pthread_mutex_unlock(&u->lock);
			return 0;
		}
		if (errno != EADDRINUSE)
			return -errno;
		port++;
	}
	return -EADDRINUSE;
}

static int cfg_check(const struct urefl_session_cfg *cfg)
{
	int fam = cfg->local.ss_family;

	if (fam != AF_INET && fam != AF_INET6)
		return -EAFNOSUPPORT;
	if (!cfg->any_peer && cfg->peer.ss_family != fam)
		return -EINVAL;
	if (cfg->dscp > 63)
		return -EINVAL;
	if (cfg->security != TWC_TEST_OPEN &&
	    cfg->security != TWC_TEST_AUTH &&
	    cfg->security != TWC_TEST_ENCRYPT)
		return -EINVAL;
	/* STAMP authentication is HMAC-SHA-256 over other octets */
	if (cfg->stamp && cfg->security != TWC_TEST_OPEN)
		return -EOPNOTSUPP;
	return 0;
}

int urefl_session_add(struct urefl *u, const struct urefl_session_cfg *cfg,
		      uint16_t *port)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sockaddr_storage local;
	struct urefl_sess *s, **slots;
	socklen_t alen = sizeof(local);
	unsigned int slot;
	int rc;

	rc = cfg_check(cfg);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->family = cfg->local.ss_family;
	s->fd = -1;
	if (cfg->security != TWC_TEST_OPEN) {
		rc = sess_crypto_init(u, s);
		if (rc)
			goto fail;
	}
	rc = sess_socket(s->family, cfg->dscp);
	if (rc < 0)
		goto fail;
	s->fd = rc;
	local = cfg->local;
	rc = sess_bind(u, s->fd, &local);
	if (rc)
		goto fail;
	if (getsockname(s->fd, (struct sockaddr *)&local, &alen)) {
		rc = -errno;
		goto fail;
	}
	s->cfg.local = local;
	s->last_rx_ns = mono_ns();

	pthread_mutex_lock(&u->lock);
	for (slot = 0; slot < u->n_slots && u->slots[slot]; slot++)
		;
	if (slot == u->n_slots) {
		slots = realloc(u->slots, (u->n_slots + 8) * sizeof(*slots));
		if (!slots) {
			pthread_mutex_unlock(&u->lock);
			rc = -ENOMEM;
			goto fail;
		}
		memset(slots + u->n_slots, 0, 8 * sizeof(*slots));
		u->slots = slots;
		u->n_slots += 8;
	}
	s->id = u->next_id;
	u->next_id = u->next_id == INT32_MAX ? 1 : u->next_id + 1;
	ev.data.u64 = (uint64_t)s->id << 32 | slot;
	if (epoll_ctl(u->epfd, EPOLL_CTL_ADD, s->fd, &ev)) {
		rc = -errno;
		pthread_mutex_unlock(&u->lock);
		goto fail;
	}
	u->slots[slot] = s;
	pthread_mutex_unlock(&u->lock);
	/* the worker's next timeout must account for this REFWAIT */
	if (cfg->refwait_ms)
		wake(u);
	if (port)
		*port = sa_port(&local);
	return s->id;
fail:
	sess_free(u, s);
	return rc;
}

/* The session with this ID; u->lock held. */
static struct urefl_sess *sess_find(struct urefl *u, int id, unsigned int *slot)
{
	unsigned int i;

	for (i = 0; i < u->n_slots; i++) {
		if (u->slots[i] && u->slots[i]->id == id) {
			if (slot)
				*slot = i;
			return u->slots[i];
		}
	}
	return NULL;
}

int urefl_session_del(struct urefl *u, int id)
{
	struct urefl_sess *s;
	unsigned int slot;

	pthread_mutex_lock(&u->lock);
	s = sess_find(u, id, &slot);
	if (s)
		u->slots[slot] = NULL;
	pthread_mutex_unlock(&u->lock);
	if (!s)
		return -ENOENT;
	/* out of the table, so the worker cannot reach it any more */
	sess_free(u, s);
	return 0;
}

int urefl_session_counters(struct urefl *u, int id, struct urefl_counters *c)
{
	struct urefl_sess *s;

	pthread_mutex_lock(&u->lock);
	s = sess_find(u, id, NULL);
	if (s)
		*c = s->cnt;
	pthread_mutex_unlock(&u->lock);
	return s ? 0 : -ENOENT;
}

int urefl_session_expired(struct urefl *u, int id)
{
	struct urefl_sess *s;
	int rc;

	pthread_mutex_lock(&u->lock);
	s = sess_find(u, id, NULL);
	rc = s ? s->expired : -ENOENT;
	pthread_mutex_unlock(&u->lock);
	return rc;
}

void urefl_free(struct urefl *u)
{
	unsigned int i;

	if (!u)
		return;
	if (u->thread_started) {
		pthread_mutex_lock(&u->lock);
		u->stop = true;
		pthread_mutex_unlock(&u->lock);
		wake(u);
		pthread_join(u->thread, NULL);
	}
	for (i = 0; i < u->n_slots; i++)
		if (u->slots[i])
			sess_free(u, u->slots[i]);
	free(u->slots);
	if (u->evfd >= 0)
		close(u->evfd);
	if (u->epfd >= 0)
		close(u->epfd);
	EVP_MAC_free(u->hmac);
	free(u->bufs);
	pthread_mutex_destroy(&u->lock);
	free(u);
}
