// SPDX-License-Identifier: GPL-2.0
/*
 * The exposition of twampd's metrics: one family at a time (its HELP and
 * TYPE, then a sample per object), as both formats require. The two forms
 * differ only where OpenMetrics says so: a counter family is named without
 * its _total suffix, an info family without _info, time families carry a
 * UNIT line, and the text ends with "# EOF".
 *
 * Times come from the kernel as integer nanoseconds and are written as
 * exact decimal seconds ("0.000123456"), never through a double.
 */

#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metrics_fmt.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

struct out {
	char *buf;
	size_t len, cap;
	bool oom;
	bool om;		/* OpenMetrics */
};

static void out_printf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = true;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += n;
			return;
		}
		{
			size_t cap = o->cap * 2 + n;
			char *b = realloc(o->buf, cap);

			if (!b) {
				o->oom = true;
				return;
			}
			o->buf = b;
			o->cap = cap;
		}
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void out_label(struct out *o, const char *name, const char *val,
		      bool first)
{
	const char *p;

	out_printf(o, "%s%s=\"", first ? "" : ",", name);
	for (p = val; *p; p++) {
		if (*p == '\\')
			out_printf(o, "\\\\");
		else if (*p == '"')
			out_printf(o, "\\\"");
		else if (*p == '\n')
			out_printf(o, "\\n");
		else
			out_printf(o, "%c", *p);
	}
	out_printf(o, "\"");
}

/* Nanoseconds as seconds: sign, integer part, up to 9 decimals. */
static void out_seconds(struct out *o, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	char frac[10];
	int i;

	snprintf(frac, sizeof(frac), "%09" PRIu64, a % 1000000000);
	for (i = 8; i > 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	out_printf(o, "%s%" PRIu64 ".%s", ns < 0 ? "-" : "", a / 1000000000,
		   frac);
}

enum mtype { M_COUNTER, M_GAUGE, M_SUMMARY, M_INFO };

static const char *const type_names[] = {
	[M_COUNTER] = "counter", [M_GAUGE] = "gauge",
	[M_SUMMARY] = "summary", [M_INFO] = "info",
};

/*
 * A family's header. @name is the sample name of counters and infos (with
 * _total or _info); OpenMetrics names the family without that suffix,
 * the text format with it. A name ending in _seconds gets a UNIT line in
 * OpenMetrics.
 */
static void family(struct out *o, const char *name, enum mtype type,
		   const char *help)
{
	size_t n = strlen(name);

	if (o->om && type == M_COUNTER && n > 6 &&
	    !strcmp(name + n - 6, "_total"))
		n -= 6;
	if (o->om && type == M_INFO && n > 5 && !strcmp(name + n - 5, "_info"))
		n -= 5;
	if (o->om) {
		out_printf(o, "# TYPE %.*s %s\n", (int)n, name,
			   type_names[type]);
		if (n > 8 && !strncmp(name + n - 8, "_seconds", 8))
			out_printf(o, "# UNIT %.*s seconds\n", (int)n, name);
		out_printf(o, "# HELP %.*s %s\n", (int)n, name, help);
		return;
	}
	/* The text format has no info type: an info is a gauge of 1. */
	out_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		   type_names[type == M_INFO ? M_GAUGE : type]);
}

static const char *format_name(unsigned int f)
{
	return f == TWAMP_FORMAT_STAMP ? "stamp" :
	       f == TWAMP_FORMAT_LIGHT ? "light" : "unknown";
}

/* The labels of each kind of object, inside the braces. */
static void refl_labels(struct out *o, const struct mx_reflector *r)
{
	char v[16];

	snprintf(v, sizeof(v), "%" PRIu32, r->id);
	out_label(o, "id", v, true);
	out_label(o, "local", r->local, false);
	snprintf(v, sizeof(v), "%u", r->port);
	out_label(o, "port", v, false);
	out_label(o, "format", format_name(r->format), false);
}

static void sess_labels(struct out *o, const struct mx_session *s)
{
	char v[16];

	snprintf(v, sizeof(v), "%" PRIu32, s->id);
	out_label(o, "id", v, true);
	snprintf(v, sizeof(v), "%" PRIu32, s->reflector_id);
	out_label(o, "reflector_id", v, false);
	out_label(o, "peer", s->peer, false);
	snprintf(v, sizeof(v), "%u", s->peer_port);
	out_label(o, "peer_port", v, false);
}

static void snd_labels(struct out *o, const struct mx_sender *s)
{
	char v[16];

	snprintf(v, sizeof(v), "%" PRIu32, s->id);
	out_label(o, "id", v, true);
	out_label(o, "remote", s->remote, false);
	snprintf(v, sizeof(v), "%u", s->remote_port);
	out_label(o, "remote_port", v, false);
	out_label(o, "format", format_name(s->format), false);
}

/* The drop reasons of the counters nest, as label values. */
static const char *const drop_reasons[TWAMP_A_COUNTERS_MAX + 1] = {
	[TWAMP_A_COUNTERS_DROP_SHORT]		= "short",
	[TWAMP_A_COUNTERS_DROP_LENGTH]		= "length",
	[TWAMP_A_COUNTERS_DROP_ACL]		= "acl",
	[TWAMP_A_COUNTERS_DROP_RATE]		= "rate_limit",
	[TWAMP_A_COUNTERS_DROP_NO_SESSION]	= "no_session",
	[TWAMP_A_COUNTERS_DROP_CSUM]		= "checksum",
	[TWAMP_A_COUNTERS_DROP_AUTH]		= "auth",
	[TWAMP_A_COUNTERS_DROP_INVALID]		= "invalid",
	[TWAMP_A_COUNTERS_DROP_NOMEM]		= "nomem",
	[TWAMP_A_COUNTERS_DROP_XMIT]		= "xmit",
	[TWAMP_A_COUNTERS_DROP_REPLAY]		= "replay",
	[TWAMP_A_COUNTERS_DROP_SOURCE_LIMIT]	= "source_limit",
};

/*
 * The counters of reflectors (@is_refl) or sessions, under @prefix:
 * received, sent, and dropped by reason.
 */
static void counters(struct out *o, const struct mx_snapshot *s, bool is_refl,
		     const char *prefix, const char *what)
{
	static const struct {
		unsigned int attr;
		const char *suffix, *help;
	} plain[] = {
		{ TWAMP_A_COUNTERS_RX, "received_packets_total",
		  "Test packets received by the %s." },
		{ TWAMP_A_COUNTERS_TX, "sent_packets_total",
		  "Test packets reflected (sent back) by the %s." },
	};
	size_t n = is_refl ? s->n_refl : s->n_sess, i, j;
	char name[128], help[128];
	unsigned int a;

	for (j = 0; j < N(plain); j++) {
		snprintf(name, sizeof(name), "%s_%s", prefix, plain[j].suffix);
		snprintf(help, sizeof(help), plain[j].help, what);
		family(o, name, M_COUNTER, help);
		for (i = 0; i < n; i++) {
			out_printf(o, "%s{", name);
			if (is_refl)
				refl_labels(o, &s->refl[i]);
			else
				sess_labels(o, &s->sess[i]);
			out_printf(o, "} %" PRIu64 "\n", is_refl ?
				   s->refl[i].c[plain[j].attr] :
				   s->sess[i].c[plain[j].attr]);
		}
	}
	snprintf(name, sizeof(name), "%s_dropped_packets_total", prefix);
	snprintf(help, sizeof(help),
		 "Test packets the %s dropped, by reason.", what);
	family(o, name, M_COUNTER, help);
	for (i = 0; i < n; i++)
		for (a = TWAMP_A_COUNTERS_DROP_SHORT; a < N(drop_reasons); a++) {
			out_printf(o, "%s{", name);
			if (is_refl)
				refl_labels(o, &s->refl[i]);
			else
				sess_labels(o, &s->sess[i]);
			out_label(o, "reason", drop_reasons[a], false);
			out_printf(o, "} %" PRIu64 "\n", is_refl ?
				   s->refl[i].c[a] : s->sess[i].c[a]);
		}
}

static void reflectors(struct out *o, const struct mx_snapshot *s)
{
	static const struct {
		unsigned int attr;
		const char *name;
		enum mtype type;
		const char *help;
	} dyn[] = {
		{ TWAMP_A_DYNAMIC_SESSIONS, "twamp_reflector_stateful_sessions",
		  M_GAUGE, "Sessions a stateful reflector keeps now." },
		{ TWAMP_A_DYNAMIC_CREATED,
		  "twamp_reflector_stateful_sessions_created_total", M_COUNTER,
		  "Sessions a stateful reflector made." },
		{ TWAMP_A_DYNAMIC_EVICTED,
		  "twamp_reflector_stateful_sessions_evicted_total", M_COUNTER,
		  "Sessions a stateful reflector removed to make room." },
		{ TWAMP_A_DYNAMIC_EXPIRED,
		  "twamp_reflector_stateful_sessions_expired_total", M_COUNTER,
		  "Sessions a stateful reflector removed after their refwait." },
	};
	size_t i, j;

	counters(o, s, true, "twamp_reflector", "kernel reflector");
	for (j = 0; j < N(dyn); j++) {
		family(o, dyn[j].name, dyn[j].type, dyn[j].help);
		for (i = 0; i < s->n_refl; i++) {
			if (!s->refl[i].has_dynamic)
				continue;
			out_printf(o, "%s{", dyn[j].name);
			refl_labels(o, &s->refl[i]);
			out_printf(o, "} %" PRIu64 "\n",
				   s->refl[i].dyn[dyn[j].attr]);
		}
	}
}

/* A sender's statistic @attr, when the kernel gave it. */
static bool has(const struct mx_sender *x, unsigned int attr)
{
	return x->has[attr];
}

static void snd_sample(struct out *o, const char *name,
		       const struct mx_sender *x, const char *lname,
		       const char *lval)
{
	out_printf(o, "%s{", name);
	snd_labels(o, x);
	if (lname)
		out_label(o, lname, lval, false);
	out_printf(o, "} ");
}

static const char *const state_names[] = {
	[TWAMP_SENDER_IDLE] = "idle",
	[TWAMP_SENDER_RUNNING] = "running",
	[TWAMP_SENDER_DRAINING] = "draining",
	[TWAMP_SENDER_DONE] = "done",
};

static void senders(struct out *o, const struct mx_snapshot *s)
{
	/* Packet counts. */
	static const struct {
		unsigned int attr;
		const char *name, *help;
	} cnt[] = {
		{ TWAMP_A_STATS_SENT, "twamp_sender_sent_packets_total",
		  "Test packets sent." },
		{ TWAMP_A_STATS_RECEIVED, "twamp_sender_received_packets_total",
		  "Replies received (duplicates not counted)." },
		{ TWAMP_A_STATS_LOST, "twamp_sender_lost_packets_total",
		  "Test packets with no reply within the wait (round trip)." },
		{ TWAMP_A_STATS_LOST_FORWARD,
		  "twamp_sender_lost_forward_packets_total",
		  "Test packets lost on the way to a stateful STAMP reflector." },
		{ TWAMP_A_STATS_LOST_BACKWARD,
		  "twamp_sender_lost_backward_packets_total",
		  "Replies lost on the way back from a stateful STAMP reflector." },
		{ TWAMP_A_STATS_DUPLICATE, "twamp_sender_duplicate_packets_total",
		  "Duplicate replies." },
		{ TWAMP_A_STATS_REORDERED, "twamp_sender_reordered_packets_total",
		  "Replies received out of order (RFC 4737)." },
		{ TWAMP_A_STATS_LATE_SENDS, "twamp_sender_late_sends_total",
		  "Test packets sent after their deadline (timer late)." },
		{ TWAMP_A_STATS_SKIPPED, "twamp_sender_skipped_sends_total",
		  "Deadlines passed without sending." },
		{ TWAMP_A_STATS_AUTH_FAILED,
		  "twamp_sender_auth_failed_packets_total",
		  "Replies failing the HMAC check." },
		{ TWAMP_A_STATS_RESULTS_DROPPED,
		  "twamp_sender_results_dropped_total",
		  "Per-packet result records not delivered to listeners." },
	};
	/* Times in nanoseconds, as gauges in seconds. */
	static const struct {
		unsigned int attr;
		const char *name, *help;
	} tm[] = {
		{ TWAMP_A_STATS_RTT_MIN, "twamp_sender_rtt_min_seconds",
		  "Smallest round-trip time (reflector residence excluded)." },
		{ TWAMP_A_STATS_RTT_MEAN, "twamp_sender_rtt_mean_seconds",
		  "Mean round-trip time." },
		{ TWAMP_A_STATS_RTT_MAX, "twamp_sender_rtt_max_seconds",
		  "Largest round-trip time." },
		{ TWAMP_A_STATS_RTT_STDDEV, "twamp_sender_rtt_stddev_seconds",
		  "Standard deviation of the round-trip time." },
		{ TWAMP_A_STATS_IPDV_MEAN, "twamp_sender_ipdv_mean_seconds",
		  "Mean absolute IP packet delay variation (RFC 3393)." },
		{ TWAMP_A_STATS_IPDV_MAX, "twamp_sender_ipdv_max_seconds",
		  "Largest absolute IP packet delay variation (RFC 3393)." },
		{ TWAMP_A_STATS_PDV_P99, "twamp_sender_pdv_p99_seconds",
		  "99th percentile of packet delay variation (RFC 5481)." },
		{ TWAMP_A_STATS_RESIDENCE_MIN,
		  "twamp_sender_reflector_residence_min_seconds",
		  "Smallest time a packet spent in the reflector (T3 - T2)." },
		{ TWAMP_A_STATS_RESIDENCE_MEAN,
		  "twamp_sender_reflector_residence_mean_seconds",
		  "Mean time a packet spent in the reflector (T3 - T2)." },
		{ TWAMP_A_STATS_RESIDENCE_MAX,
		  "twamp_sender_reflector_residence_max_seconds",
		  "Largest time a packet spent in the reflector (T3 - T2)." },
		{ TWAMP_A_STATS_LATE_MAX, "twamp_sender_late_max_seconds",
		  "Largest delay of a send after its deadline." },
	};
	static const struct {
		unsigned int attr;
		const char *q;
	} quant[] = {
		{ TWAMP_A_STATS_RTT_P50, "0.5" },
		{ TWAMP_A_STATS_RTT_P90, "0.9" },
		{ TWAMP_A_STATS_RTT_P99, "0.99" },
	};
	static const struct {
		unsigned int attr;
		const char *dir;
	} jit[] = {
		{ TWAMP_A_STATS_JITTER_FWD, "forward" },
		{ TWAMP_A_STATS_JITTER_BWD, "backward" },
		{ TWAMP_A_STATS_JITTER_RTT, "round_trip" },
	}, owd[] = {
		{ TWAMP_A_STATS_OWD_FWD_MEAN, "forward" },
		{ TWAMP_A_STATS_OWD_BWD_MEAN, "backward" },
	};
	const char *name;
	size_t i, j;

	for (j = 0; j < N(cnt); j++) {
		family(o, cnt[j].name, M_COUNTER, cnt[j].help);
		for (i = 0; i < s->n_snd; i++) {
			if (!has(&s->snd[i], cnt[j].attr))
				continue;
			snd_sample(o, cnt[j].name, &s->snd[i], NULL, NULL);
			out_printf(o, "%" PRIu64 "\n", s->snd[i].v[cnt[j].attr]);
		}
	}

	name = "twamp_sender_loss_ratio";
	family(o, name, M_GAUGE,
	       "Lost over sent test packets, 0 to 1 (round trip).");
	for (i = 0; i < s->n_snd; i++) {
		const struct mx_sender *x = &s->snd[i];
		uint64_t sent = x->v[TWAMP_A_STATS_SENT];

		if (!has(x, TWAMP_A_STATS_SENT) || !has(x, TWAMP_A_STATS_LOST) ||
		    !sent)
			continue;
		snd_sample(o, name, x, NULL, NULL);
		out_printf(o, "%.9g\n",
			   (double)x->v[TWAMP_A_STATS_LOST] / (double)sent);
	}

	/*
	 * The kernel keeps percentiles, not buckets: the round-trip time is
	 * a summary. Its _sum is mean x count, exact to count/2 ns.
	 */
	name = "twamp_sender_rtt_seconds";
	family(o, name, M_SUMMARY,
	       "Round-trip time (reflector residence excluded): percentiles of the replies received.");
	for (i = 0; i < s->n_snd; i++) {
		const struct mx_sender *x = &s->snd[i];
		uint64_t n = x->v[TWAMP_A_STATS_RECEIVED];

		for (j = 0; j < N(quant); j++) {
			if (!has(x, quant[j].attr))
				continue;
			snd_sample(o, name, x, "quantile", quant[j].q);
			out_seconds(o, (int64_t)x->v[quant[j].attr]);
			out_printf(o, "\n");
		}
		if (!has(x, TWAMP_A_STATS_RECEIVED))
			continue;
		if (has(x, TWAMP_A_STATS_RTT_MEAN)) {
			snd_sample(o, "twamp_sender_rtt_seconds_sum", x, NULL,
				   NULL);
			out_seconds(o, (int64_t)x->v[TWAMP_A_STATS_RTT_MEAN] *
				       (int64_t)n);
			out_printf(o, "\n");
		}
		snd_sample(o, "twamp_sender_rtt_seconds_count", x, NULL, NULL);
		out_printf(o, "%" PRIu64 "\n", n);
	}

	for (j = 0; j < N(tm); j++) {
		family(o, tm[j].name, M_GAUGE, tm[j].help);
		for (i = 0; i < s->n_snd; i++) {
			if (!has(&s->snd[i], tm[j].attr))
				continue;
			snd_sample(o, tm[j].name, &s->snd[i], NULL, NULL);
			out_seconds(o, (int64_t)s->snd[i].v[tm[j].attr]);
			out_printf(o, "\n");
		}
	}

	name = "twamp_sender_jitter_seconds";
	family(o, name, M_GAUGE,
	       "Interarrival jitter (RFC 3550) forward (T1 to T2), backward (T3 to T4) and over the round trip.");
	for (i = 0; i < s->n_snd; i++)
		for (j = 0; j < N(jit); j++) {
			if (!has(&s->snd[i], jit[j].attr))
				continue;
			snd_sample(o, name, &s->snd[i], "direction", jit[j].dir);
			out_seconds(o, (int64_t)s->snd[i].v[jit[j].attr]);
			out_printf(o, "\n");
		}

	name = "twamp_sender_one_way_delay_mean_seconds";
	family(o, name, M_GAUGE,
	       "Mean one-way delay, only when both ends' clocks are synchronized.");
	for (i = 0; i < s->n_snd; i++)
		for (j = 0; j < N(owd); j++) {
			if (!has(&s->snd[i], owd[j].attr))
				continue;
			snd_sample(o, name, &s->snd[i], "direction", owd[j].dir);
			out_seconds(o, (int64_t)s->snd[i].v[owd[j].attr]);
			out_printf(o, "\n");
		}

	name = "twamp_sender_reorder_extent_max";
	family(o, name, M_GAUGE,
	       "Largest reordering extent, in packets (RFC 4737).");
	for (i = 0; i < s->n_snd; i++) {
		if (!has(&s->snd[i], TWAMP_A_STATS_REORDER_EXTENT_MAX))
			continue;
		snd_sample(o, name, &s->snd[i], NULL, NULL);
		out_printf(o, "%" PRIu64 "\n",
			   s->snd[i].v[TWAMP_A_STATS_REORDER_EXTENT_MAX]);
	}

	name = "twamp_sender_state";
	family(o, name, M_GAUGE,
	       "1 for the state the sender is in, 0 for the others.");
	for (i = 0; i < s->n_snd; i++)
		for (j = 0; j < N(state_names); j++) {
			snd_sample(o, name, &s->snd[i], "state", state_names[j]);
			out_printf(o, "%d\n", s->snd[i].state == (int)j);
		}
}

static void daemon_metrics(struct out *o, const struct mx_snapshot *s)
{
	const struct mx_daemon *d = &s->d;

	family(o, "twamp_build_info", M_INFO,
	       "twampd's version and the backend its test sessions use.");
	out_printf(o, "twamp_build_info{");
	out_label(o, "version", d->version ? d->version : "", true);
	out_label(o, "backend", d->backend ? d->backend : "", false);
	out_printf(o, "} 1\n");

#define ONE(name, type, help, val)					\
	do {								\
		family(o, name, type, help);				\
		out_printf(o, "%s %" PRIu64 "\n", name, (uint64_t)(val)); \
	} while (0)
	ONE("twamp_control_connections", M_GAUGE,
	    "TWAMP-Control connections open now.",
	    d->conns_accepted - d->conns_closed);
	ONE("twamp_control_connections_accepted_total", M_COUNTER,
	    "TWAMP-Control connections accepted.", d->conns_accepted);
	ONE("twamp_control_connections_refused_total", M_COUNTER,
	    "TWAMP-Control connections refused (allow list, max-conns, memory).",
	    d->conns_refused);
	ONE("twamp_control_sessions", M_GAUGE,
	    "Test sessions twampd has in its backend now.",
	    d->sessions_accepted - d->sessions_closed);
	ONE("twamp_control_sessions_accepted_total", M_COUNTER,
	    "Request-TW-Session messages accepted.", d->sessions_accepted);
	ONE("twamp_control_sessions_refused_total", M_COUNTER,
	    "Request-TW-Session messages refused (Accept not 0).",
	    d->sessions_refused);
	ONE("twamp_kernel_up", M_GAUGE,
	    "1 if this scrape read the twamp module's objects, else 0.",
	    s->kernel);
	ONE("twamp_scrapes_total", M_COUNTER,
	    "Scrapes of this endpoint, this one included.", d->scrapes);
	ONE("twamp_scrape_errors_total", M_COUNTER,
	    "Scrapes whose reading of the twamp module failed (module loaded).",
	    d->scrape_errors);
#undef ONE
	family(o, "twamp_scrape_duration_seconds", M_GAUGE,
	       "How long this scrape took to read the kernel's objects.");
	out_printf(o, "twamp_scrape_duration_seconds ");
	out_seconds(o, (int64_t)s->read_ns);
	out_printf(o, "\n");
}

char *mx_format(const struct mx_snapshot *s, bool openmetrics, size_t *len)
{
	struct out o = { .om = openmetrics, .cap = 16384 };

	o.buf = malloc(o.cap);
	if (!o.buf)
		return NULL;
	o.buf[0] = '\0';
	daemon_metrics(&o, s);
	reflectors(&o, s);
	counters(&o, s, false, "twamp_session", "kernel reflector session");
	senders(&o, s);
	if (o.om)
		out_printf(&o, "# EOF\n");
	if (o.oom) {
		free(o.buf);
		return NULL;
	}
	*len = o.len;
	return o.buf;
}

/* The q of one Accept element's parameters (";q=0.5"), default 1. */
static double accept_q(const char *params, size_t n)
{
	const char *p = params, *end = params + n;

	while (p < end) {
		const char *semi = memchr(p, ';', end - p);

		if (!semi)
			break;
		p = semi + 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			char num[8];
			size_t l = strcspn(p + 2, ";, \t");

			if (l >= sizeof(num) || (size_t)(end - p - 2) < l)
				return 0;
			memcpy(num, p + 2, l);
			num[l] = '\0';
			return strtod(num, NULL);
		}
	}
	return 1;
}

bool mx_wants_openmetrics(const char *accept)
{
	double q_om = 0, q_text = 0;
	const char *p = accept;

	if (!accept)
		return false;
	while (*p) {
		size_t n = strcspn(p, ","), t;
		const char *m = p;
		double q;

		while (n && (*m == ' ' || *m == '\t')) {
			m++;
			n--;
		}
		t = strcspn(m, ";,");
		if (t > n)
			t = n;
		while (t && (m[t - 1] == ' ' || m[t - 1] == '\t'))
			t--;
		q = accept_q(m, n);
#define IS(s) (t == strlen(s) && !strncasecmp(m, s, t))
		if (IS("application/openmetrics-text")) {
			if (q > q_om)
				q_om = q;
		} else if (IS("text/plain") || IS("text/*") || IS("*/*")) {
			if (q > q_text)
				q_text = q;
		}
#undef IS
		p = m + n;
		if (*p == ',')
			p++;
	}
	return q_om > 0 && q_om > q_text;
}
