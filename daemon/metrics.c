// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics endpoint: HTTP by libmicrohttpd, in a thread of its own that
 * runs the library's epoll loop (MHD_run_wait()), so that nothing a
 * scraper does reaches twampd's event loop.
 *
 * Scrapers are untrusted. Each connection gets one request ("Connection:
 * close"), a request's header at most MHD_MEMORY octets (else 431), at
 * most MAX_CONNS connections at once and MAX_PER_IP per address, an idle
 * timeout, and an absolute deadline, CONN_DEADLINE_S from accept, which
 * the thread enforces by shutting the socket down: a client trickling a
 * header one octet at a time, or never reading its answer, loses its slot
 * all the same.
 *
 * Each scrape reads the kernel's reflectors, sessions and senders over a
 * generic netlink socket of its own, opened and closed in this thread;
 * twampd's own counters are relaxed atomics the loop's thread bumps.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <microhttpd.h>

#include "log.h"
#include "metrics.h"
#include "metrics_fmt.h"
#include "tnl.h"
#include "twampd.h"

#ifndef TWAMP_VERSION
#define TWAMP_VERSION "unknown"
#endif

#define MAX_CONNS		16
#define MAX_PER_IP		8
#define IDLE_TIMEOUT_S		5
#define CONN_DEADLINE_S		10
/* A request's line and header must fit (the rest of the pool is MHD's). */
#define MHD_MEMORY		16384
/* How long a netlink read may block a scrape. */
#define NL_TIMEOUT_S		2
/* A dump the kernel interrupted (objects changed) is read again. */
#define DUMP_TRIES		3

struct metrics_counters metrics_cnt;

/* A connection's socket and its deadline (monotonic ns); fd -1: free. */
struct slot {
	int fd;
	uint64_t deadline;
	bool shut;
};

static struct {
	struct MHD_Daemon *mhd;
	pthread_t thread;
	bool running;
	bool stop;
	int listen_fd;
	const char *backend;
	uint64_t scrapes, scrape_errors;
	struct slot slots[MAX_CONNS];
} m = { .listen_fd = -1 };

/* --- reading the kernel ------------------------------------------------ */

struct gather {
	struct mx_snapshot *s;
	bool oom;
};

/* Grow *arr (of *n elements of @size) by one zeroed element. */
static void *grow(void **arr, size_t *n, size_t size)
{
	char *a = realloc(*arr, (*n + 1) * size);

	if (!a)
		return NULL;
	*arr = a;
	memset(a + *n * size, 0, size);
	return a + (*n)++ * size;
}

static uint64_t get_uint(const struct nlattr *a)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		return mnl_attr_get_u8(a);
	case 2:
		return mnl_attr_get_u16(a);
	case 4:
		return mnl_attr_get_u32(a);
	case 8:
		return mnl_attr_get_u64(a);
	}
	return 0;
}

/* An address from its IPv4 or IPv6 attribute, else @none. */
static void get_addr(const struct nlattr *v4, const struct nlattr *v6,
		     char *buf, const char *none)
{
	if (v4 && mnl_attr_get_payload_len(v4) == 4)
		inet_ntop(AF_INET, mnl_attr_get_payload(v4), buf, MX_ADDR_LEN);
	else if (v6 && mnl_attr_get_payload_len(v6) == 16)
		inet_ntop(AF_INET6, mnl_attr_get_payload(v6), buf, MX_ADDR_LEN);
	else
		snprintf(buf, MX_ADDR_LEN, "%s", none);
}

static void get_counters(const struct nlattr *nest, uint64_t *c,
			 unsigned int max)
{
	const struct nlattr *tc[TWAMP_A_STATS_MAX + 1];
	unsigned int i;

	if (!nest || tnl_parse_nested(nest, tc, max))
		return;
	for (i = 1; i <= max; i++)
		if (tc[i])
			c[i] = get_uint(tc[i]);
}

/* The object nest @type of a reply, parsed into ta[0..max]. */
static int object(const struct nlmsghdr *nlh, unsigned int type,
		  const struct nlattr **ta, unsigned int max)
{
	const struct nlattr *tb[TWAMP_A_MAX + 1];

	if (tnl_parse(nlh, tb, TWAMP_A_MAX) || !tb[type] ||
	    tnl_parse_nested(tb[type], ta, max))
		return -1;
	return 0;
}

static int reflector_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ta[TWAMP_A_REFLECTOR_MAX + 1];
	struct gather *g = data;
	struct mx_reflector *r;

	if (object(nlh, TWAMP_A_REFLECTOR, ta, TWAMP_A_REFLECTOR_MAX) ||
	    !ta[TWAMP_A_REFLECTOR_ID])
		return MNL_CB_OK;
	r = grow((void **)&g->s->refl, &g->s->n_refl, sizeof(*r));
	if (!r) {
		g->oom = true;
		return MNL_CB_ERROR;
	}
	r->id = get_uint(ta[TWAMP_A_REFLECTOR_ID]);
	get_addr(ta[TWAMP_A_REFLECTOR_LOCAL_IPV4],
		 ta[TWAMP_A_REFLECTOR_LOCAL_IPV6], r->local, "*");
	if (ta[TWAMP_A_REFLECTOR_PORT])
		r->port = get_uint(ta[TWAMP_A_REFLECTOR_PORT]);
	if (ta[TWAMP_A_REFLECTOR_FORMAT])
		r->format = get_uint(ta[TWAMP_A_REFLECTOR_FORMAT]);
	get_counters(ta[TWAMP_A_REFLECTOR_COUNTERS], r->c, TWAMP_A_COUNTERS_MAX);
	if (ta[TWAMP_A_REFLECTOR_DYNAMIC]) {
		r->has_dynamic = true;
		get_counters(ta[TWAMP_A_REFLECTOR_DYNAMIC], r->dyn,
			     TWAMP_A_DYNAMIC_MAX);
	}
	return MNL_CB_OK;
}

static int session_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ta[TWAMP_A_SESSION_MAX + 1];
	struct gather *g = data;
	struct mx_session *s;

	if (object(nlh, TWAMP_A_SESSION, ta, TWAMP_A_SESSION_MAX) ||
	    !ta[TWAMP_A_SESSION_ID])
		return MNL_CB_OK;
	s = grow((void **)&g->s->sess, &g->s->n_sess, sizeof(*s));
	if (!s) {
		g->oom = true;
		return MNL_CB_ERROR;
	}
	s->id = get_uint(ta[TWAMP_A_SESSION_ID]);
	if (ta[TWAMP_A_SESSION_REFLECTOR_ID])
		s->reflector_id = get_uint(ta[TWAMP_A_SESSION_REFLECTOR_ID]);
	get_addr(ta[TWAMP_A_SESSION_PEER_IPV4], ta[TWAMP_A_SESSION_PEER_IPV6],
		 s->peer, "");
	if (ta[TWAMP_A_SESSION_PEER_PORT])
		s->peer_port = get_uint(ta[TWAMP_A_SESSION_PEER_PORT]);
	get_counters(ta[TWAMP_A_SESSION_COUNTERS], s->c, TWAMP_A_COUNTERS_MAX);
	return MNL_CB_OK;
}

static int sender_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ta[TWAMP_A_SENDER_MAX + 1];
	const struct nlattr *ts[TWAMP_A_STATS_MAX + 1];
	struct gather *g = data;
	struct mx_sender *x;
	unsigned int i;

	if (object(nlh, TWAMP_A_SENDER, ta, TWAMP_A_SENDER_MAX) ||
	    !ta[TWAMP_A_SENDER_ID])
		return MNL_CB_OK;
	x = grow((void **)&g->s->snd, &g->s->n_snd, sizeof(*x));
	if (!x) {
		g->oom = true;
		return MNL_CB_ERROR;
	}
	x->id = get_uint(ta[TWAMP_A_SENDER_ID]);
	get_addr(ta[TWAMP_A_SENDER_REMOTE_IPV4], ta[TWAMP_A_SENDER_REMOTE_IPV6],
		 x->remote, "");
	if (ta[TWAMP_A_SENDER_REMOTE_PORT])
		x->remote_port = get_uint(ta[TWAMP_A_SENDER_REMOTE_PORT]);
	if (ta[TWAMP_A_SENDER_FORMAT])
		x->format = get_uint(ta[TWAMP_A_SENDER_FORMAT]);
	x->state = ta[TWAMP_A_SENDER_STATE] ?
		   (int)get_uint(ta[TWAMP_A_SENDER_STATE]) : -1;
	if (ta[TWAMP_A_SENDER_STATS] &&
	    !tnl_parse_nested(ta[TWAMP_A_SENDER_STATS], ts, TWAMP_A_STATS_MAX))
		for (i = 1; i <= TWAMP_A_STATS_MAX; i++)
			if (ts[i] && mnl_attr_get_payload_len(ts[i]) == 8) {
				x->has[i] = true;
				x->v[i] = mnl_attr_get_u64(ts[i]);
			}
	return MNL_CB_OK;
}

/* Dump @cmd into the snapshot, again if the kernel interrupted it. */
static int dump(struct tnl *nl, uint8_t cmd, mnl_cb_t cb, struct gather *g,
		void **arr, size_t *n)
{
	int err = 0, i;

	for (i = 0; i < DUMP_TRIES; i++) {
		free(*arr);
		*arr = NULL;
		*n = 0;
		err = tnl_talk(nl, tnl_msg(nl, cmd, NLM_F_DUMP), cb, g);
		if (g->oom)
			return -ENOMEM;
		if (err != -EINTR)
			break;
	}
	return err;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/*
 * The kernel's objects into @s. No twamp family (the module is not
 * loaded, the user backend) is not an error: s->kernel stays false.
 */
static void gather(struct mx_snapshot *s)
{
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	struct gather g = { .s = s };
	char err[256];
	struct tnl nl;
	int ret;

	if (tnl_socket(&nl, err, sizeof(err))) {
		log_warn("metrics: %s", err);
		m.scrape_errors++;
		return;
	}
	/* A kernel that never answers must not hold the scrape forever. */
	setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	ret = tnl_resolve(&nl);
	if (ret == -ENOENT)
		goto out;
	if (!ret)
		ret = dump(&nl, TWAMP_CMD_REFLECTOR_GET, reflector_cb, &g,
			   (void **)&s->refl, &s->n_refl);
	if (!ret)
		ret = dump(&nl, TWAMP_CMD_SESSION_GET, session_cb, &g,
			   (void **)&s->sess, &s->n_sess);
	if (!ret)
		ret = dump(&nl, TWAMP_CMD_SENDER_GET, sender_cb, &g,
			   (void **)&s->snd, &s->n_snd);
	if (ret) {
		tnl_strerror(&nl, "metrics: reading the twamp module", ret,
			     err, sizeof(err));
		log_warn("%s", err);
		m.scrape_errors++;
		s->n_refl = s->n_sess = s->n_snd = 0;
	} else {
		s->kernel = true;
	}
out:
	tnl_close(&nl);
}

static void snapshot_free(struct mx_snapshot *s)
{
	free(s->refl);
	free(s->sess);
	free(s->snd);
}

#define LOAD(field)	__atomic_load_n(&metrics_cnt.field, __ATOMIC_RELAXED)

/* The exposition, or NULL when out of memory. */
static char *scrape(bool om, size_t *len)
{
	struct mx_snapshot s = { 0 };
	uint64_t t0;
	char *text;

	m.scrapes++;
	t0 = mono_ns();
	gather(&s);
	s.read_ns = mono_ns() - t0;
	s.d.version = TWAMP_VERSION;
	s.d.backend = m.backend;
	/* Closed before accepted: never more closed than accepted. */
	s.d.conns_closed = LOAD(conns_closed);
	s.d.conns_accepted = LOAD(conns_accepted);
	s.d.conns_refused = LOAD(conns_refused);
	s.d.sessions_closed = LOAD(sessions_closed);
	s.d.sessions_accepted = LOAD(sessions_accepted);
	s.d.sessions_refused = LOAD(sessions_refused);
	s.d.scrapes = m.scrapes;
	s.d.scrape_errors = m.scrape_errors;
	text = mx_format(&s, om, len);
	snapshot_free(&s);
	return text;
}

/* --- HTTP ---------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *text, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
			       const char *url, const char *method,
			       const char *version, const char *upload_data,
			       size_t *upload_data_size, void **req_cls)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	const char *accept;
	size_t len;
	char *text;
	bool om;

	(void)cls;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			     "only GET and HEAD\n", "GET, HEAD");
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND,
			     "not found: twampd serves /metrics\n", NULL);
	accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					     MHD_HTTP_HEADER_ACCEPT);
	om = mx_wants_openmetrics(accept);
	text = scrape(om, &len);
	if (!text)
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     "out of memory\n", NULL);
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				om ? MX_CONTENT_TYPE_OPENMETRICS :
				MX_CONTENT_TYPE_TEXT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* Every connection's deadline, from its accept. */
static void notify(void *cls, struct MHD_Connection *conn, void **sock_ctx,
		   enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci;
	struct slot *sl = *sock_ctx;
	unsigned int i;

	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (sl)
			sl->fd = -1;
		return;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return;
	for (i = 0; i < MAX_CONNS; i++)
		if (m.slots[i].fd < 0)
			break;
	if (i == MAX_CONNS)
		return;
	m.slots[i].fd = ci->connect_fd;
	m.slots[i].deadline = mono_ns() + CONN_DEADLINE_S * NSEC_PER_SEC;
	m.slots[i].shut = false;
	*sock_ctx = &m.slots[i];
}

/* Shut down the sockets past their deadline; MHD then closes them. */
static void enforce_deadlines(void)
{
	uint64_t now = mono_ns();
	unsigned int i;

	for (i = 0; i < MAX_CONNS; i++) {
		struct slot *sl = &m.slots[i];

		if (sl->fd < 0 || sl->shut || now < sl->deadline)
			continue;
		log_debug("metrics: a client past its %d s deadline: closing",
			  CONN_DEADLINE_S);
		shutdown(sl->fd, SHUT_RDWR);
		sl->shut = true;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	log_debug("metrics: %s", line);
}

static void *thread_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&m.stop, __ATOMIC_RELAXED)) {
		/* Wakes up at least twice a second to see m.stop. */
		if (MHD_run_wait(m.mhd, 500) != MHD_YES)
			break;
		enforce_deadlines();
	}
	return NULL;
}

int metrics_start(const struct sockaddr_storage *addr, const char *backend)
{
	socklen_t len = addr->ss_family == AF_INET ?
			sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	unsigned int i;
	char name[64];
	int one = 1, err;

	cfg_addr_str((const struct sockaddr *)addr, name, sizeof(name));
	for (i = 0; i < MAX_CONNS; i++)
		m.slots[i].fd = -1;
	m.backend = backend;
	m.listen_fd = socket(addr->ss_family,
			     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m.listen_fd < 0) {
		log_err("metrics-listen %s: socket: %s", name, strerror(errno));
		return -1;
	}
	setsockopt(m.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->ss_family == AF_INET6)
		setsockopt(m.listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			   sizeof(one));
	if (bind(m.listen_fd, (const struct sockaddr *)addr, len) ||
	    listen(m.listen_fd, 16)) {
		log_err("metrics-listen: cannot listen on %s: %s", name,
			strerror(errno));
		goto err_close;
	}
	m.mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				 (addr->ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				 0, NULL, NULL, handler, NULL,
				 MHD_OPTION_LISTEN_SOCKET, m.listen_fd,
				 MHD_OPTION_CONNECTION_LIMIT,
				 (unsigned int)MAX_CONNS,
				 MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				 (unsigned int)MAX_PER_IP,
				 MHD_OPTION_CONNECTION_TIMEOUT,
				 (unsigned int)IDLE_TIMEOUT_S,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				 (size_t)MHD_MEMORY,
				 MHD_OPTION_NOTIFY_CONNECTION, notify, NULL,
				 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				 MHD_OPTION_END);
	if (!m.mhd) {
		log_err("metrics-listen %s: the HTTP server did not start",
			name);
		goto err_close;
	}
	/* MHD_stop_daemon() closes it. */
	m.listen_fd = -1;
	m.stop = false;
	err = pthread_create(&m.thread, NULL, thread_main, NULL);
	if (err) {
		log_err("metrics-listen %s: thread: %s", name, strerror(err));
		MHD_stop_daemon(m.mhd);
		m.mhd = NULL;
		return -1;
	}
	m.running = true;
	log_info("metrics: serving http://%s/metrics", name);
	return 0;

err_close:
	close(m.listen_fd);
	m.listen_fd = -1;
	return -1;
}

void metrics_stop(void)
{
	if (m.running) {
		__atomic_store_n(&m.stop, true, __ATOMIC_RELAXED);
		pthread_join(m.thread, NULL);
		m.running = false;
	}
	if (m.mhd) {
		MHD_stop_daemon(m.mhd);
		m.mhd = NULL;
	}
	if (m.listen_fd >= 0) {
		close(m.listen_fd);
		m.listen_fd = -1;
	}
}
