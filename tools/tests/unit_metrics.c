// SPDX-License-Identifier: GPL-2.0
/*
 * twampd's metrics exposition (daemon/metrics_fmt.c) and its setting
 * (metrics-listen, daemon/config.c), on the host: KTAP.
 *
 *   build/unit-metrics               the checks
 *   build/unit-metrics --dump text   the exposition of a sample snapshot
 *   build/unit-metrics --dump om     the same in OpenMetrics
 *
 * The dumps are what tools/tests/unit_metrics.py hands to real parsers
 * (Python's prometheus_client, promtool), which say whether the text is
 * valid; the checks here say whether it holds the right values.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "metrics_fmt.h"
#include "unit_check.h"

static int no, nfailed;

#define CHECK(name, cond) UNIT_CHECK(no, nfailed, name, cond)

static struct mx_reflector refl[2];
static struct mx_session sess[1];
static struct mx_sender snd[2];

/*
 * A reflector of each kind (wildcard STAMP stateful, IPv6 Light), one
 * session with a hostile-looking peer string (to see it escaped), a
 * sender with every statistic and one that has sent nothing yet.
 */
static void sample(struct mx_snapshot *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	memset(refl, 0, sizeof(refl));
	memset(sess, 0, sizeof(sess));
	memset(snd, 0, sizeof(snd));
	s->d.version = "1.2.3";
	s->d.backend = "kernel";
	s->d.conns_accepted = 5;
	s->d.conns_closed = 3;
	s->d.conns_refused = 1;
	s->d.sessions_accepted = 4;
	s->d.sessions_closed = 1;
	s->d.sessions_refused = 2;
	s->d.scrapes = 7;
	s->kernel = true;
	s->read_ns = 1234567;

	refl[0].id = 1;
	strcpy(refl[0].local, "*");
	refl[0].port = 862;
	refl[0].format = TWAMP_FORMAT_STAMP;
	refl[0].c[TWAMP_A_COUNTERS_RX] = 100;
	refl[0].c[TWAMP_A_COUNTERS_TX] = 98;
	refl[0].c[TWAMP_A_COUNTERS_DROP_ACL] = 2;
	refl[0].has_dynamic = true;
	refl[0].dyn[TWAMP_A_DYNAMIC_SESSIONS] = 3;
	refl[0].dyn[TWAMP_A_DYNAMIC_CREATED] = 9;
	refl[1].id = 2;
	strcpy(refl[1].local, "2001:db8::1");
	refl[1].port = 20000;
	refl[1].format = TWAMP_FORMAT_LIGHT;
	s->refl = refl;
	s->n_refl = 2;

	sess[0].id = 11;
	sess[0].reflector_id = 2;
	strcpy(sess[0].peer, "a\"b\\c\nd");
	sess[0].peer_port = 40000;
	sess[0].c[TWAMP_A_COUNTERS_RX] = 18446744073709551615ULL;
	s->sess = sess;
	s->n_sess = 1;

	snd[0].id = 3;
	strcpy(snd[0].remote, "192.0.2.7");
	snd[0].remote_port = 862;
	snd[0].format = TWAMP_FORMAT_STAMP;
	snd[0].state = TWAMP_SENDER_RUNNING;
	for (i = TWAMP_A_STATS_SENT; i <= TWAMP_A_STATS_MAX; i++)
		snd[0].has[i] = true;
	snd[0].v[TWAMP_A_STATS_SENT] = 200;
	snd[0].v[TWAMP_A_STATS_RECEIVED] = 190;
	snd[0].v[TWAMP_A_STATS_LOST] = 10;
	snd[0].v[TWAMP_A_STATS_RTT_MIN] = 80000;		/* 80 us */
	snd[0].v[TWAMP_A_STATS_RTT_MEAN] = 123456;
	snd[0].v[TWAMP_A_STATS_RTT_MAX] = 2000000000;		/* 2 s */
	snd[0].v[TWAMP_A_STATS_RTT_P50] = 120000;
	snd[0].v[TWAMP_A_STATS_RTT_P90] = 150000;
	snd[0].v[TWAMP_A_STATS_RTT_P99] = 1500000;
	snd[0].v[TWAMP_A_STATS_JITTER_FWD] = 1000;
	snd[0].v[TWAMP_A_STATS_OWD_FWD_MEAN] = (uint64_t)-5000; /* -5 us */
	snd[1].id = 4;
	strcpy(snd[1].remote, "fd00::2");
	snd[1].remote_port = 8620;
	snd[1].state = -1;
	snd[1].has[TWAMP_A_STATS_SENT] = true;
	s->snd = snd;
	s->n_snd = 2;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p++;
	}
	return false;
}

static void test_text(void)
{
	struct mx_snapshot s;
	size_t len;
	char *t;

	sample(&s);
	t = mx_format(&s, false, &len);
	CHECK("metrics: text form made", t && strlen(t) == len);
	if (!t)
		return;
	CHECK("metrics: a counter family keeps _total in the text form",
	      has_line(t, "# TYPE twamp_reflector_received_packets_total counter"));
	CHECK("metrics: reflector rx with its labels",
	      has_line(t, "twamp_reflector_received_packets_total{id=\"1\",local=\"*\",port=\"862\",format=\"stamp\"} 100"));
	CHECK("metrics: drops by reason",
	      has_line(t, "twamp_reflector_dropped_packets_total{id=\"1\",local=\"*\",port=\"862\",format=\"stamp\",reason=\"acl\"} 2"));
	CHECK("metrics: stateful table only for a stateful reflector",
	      has_line(t, "twamp_reflector_stateful_sessions{id=\"1\",local=\"*\",port=\"862\",format=\"stamp\"} 3") &&
	      !strstr(t, "twamp_reflector_stateful_sessions{id=\"2\""));
	CHECK("metrics: label values escaped, u64 in full",
	      has_line(t, "twamp_session_received_packets_total{id=\"11\",reflector_id=\"2\",peer=\"a\\\"b\\\\c\\nd\",peer_port=\"40000\"} 18446744073709551615"));
	CHECK("metrics: RTT summary quantiles in seconds",
	      has_line(t, "twamp_sender_rtt_seconds{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\",quantile=\"0.5\"} 0.00012") &&
	      has_line(t, "twamp_sender_rtt_seconds{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\",quantile=\"0.99\"} 0.0015"));
	CHECK("metrics: RTT summary count and sum (mean x count)",
	      has_line(t, "twamp_sender_rtt_seconds_count{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\"} 190") &&
	      has_line(t, "twamp_sender_rtt_seconds_sum{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\"} 0.02345664"));
	CHECK("metrics: whole seconds and negative times",
	      has_line(t, "twamp_sender_rtt_max_seconds{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\"} 2.0") &&
	      has_line(t, "twamp_sender_one_way_delay_mean_seconds{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\",direction=\"forward\"} -0.000005"));
	CHECK("metrics: loss ratio",
	      has_line(t, "twamp_sender_loss_ratio{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\"} 0.05"));
	CHECK("metrics: jitter by direction",
	      has_line(t, "twamp_sender_jitter_seconds{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\",direction=\"forward\"} 0.000001"));
	CHECK("metrics: a statistic the kernel left out is no sample",
	      !strstr(t, "twamp_sender_rtt_min_seconds{id=\"4\"") &&
	      !strstr(t, "twamp_sender_loss_ratio{id=\"4\"") &&
	      has_line(t, "twamp_sender_sent_packets_total{id=\"4\",remote=\"fd00::2\",remote_port=\"8620\",format=\"light\"} 0"));
	CHECK("metrics: sender state as one 1 among 0s",
	      has_line(t, "twamp_sender_state{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\",state=\"running\"} 1") &&
	      has_line(t, "twamp_sender_state{id=\"3\",remote=\"192.0.2.7\",remote_port=\"862\",format=\"stamp\",state=\"idle\"} 0") &&
	      !strstr(t, "state=\"running\"} 1\ntwamp_sender_state{id=\"4\""));
	CHECK("metrics: twampd's own counters and gauges",
	      has_line(t, "twamp_control_connections 2") &&
	      has_line(t, "twamp_control_connections_accepted_total 5") &&
	      has_line(t, "twamp_control_connections_refused_total 1") &&
	      has_line(t, "twamp_control_sessions 3") &&
	      has_line(t, "twamp_control_sessions_refused_total 2") &&
	      has_line(t, "twamp_kernel_up 1") &&
	      has_line(t, "twamp_scrape_duration_seconds 0.001234567"));
	CHECK("metrics: build info is a gauge of 1 in the text form",
	      has_line(t, "# TYPE twamp_build_info gauge") &&
	      has_line(t, "twamp_build_info{version=\"1.2.3\",backend=\"kernel\"} 1"));
	CHECK("metrics: no EOF marker in the text form", !strstr(t, "# EOF"));
	free(t);
}

static void test_openmetrics(void)
{
	struct mx_snapshot s;
	size_t len;
	char *t;

	sample(&s);
	t = mx_format(&s, true, &len);
	CHECK("metrics: OpenMetrics form made", t && strlen(t) == len);
	if (!t)
		return;
	CHECK("metrics: OpenMetrics counter family without _total",
	      has_line(t, "# TYPE twamp_reflector_received_packets counter") &&
	      has_line(t, "twamp_reflector_received_packets_total{id=\"1\",local=\"*\",port=\"862\",format=\"stamp\"} 100"));
	CHECK("metrics: OpenMetrics info family",
	      has_line(t, "# TYPE twamp_build info") &&
	      has_line(t, "twamp_build_info{version=\"1.2.3\",backend=\"kernel\"} 1"));
	CHECK("metrics: OpenMetrics unit of a time family",
	      has_line(t, "# UNIT twamp_sender_rtt_seconds seconds"));
	CHECK("metrics: OpenMetrics ends with # EOF",
	      len > 6 && !strcmp(t + len - 6, "# EOF\n"));
	free(t);
}

static void test_empty(void)
{
	struct mx_snapshot s = { 0 };
	size_t len;
	char *t;

	t = mx_format(&s, false, &len);
	CHECK("metrics: no kernel objects: families still declared, kernel down",
	      t && has_line(t, "twamp_kernel_up 0") &&
	      has_line(t, "# TYPE twamp_sender_rtt_seconds summary") &&
	      !strstr(t, "twamp_sender_rtt_seconds{"));
	free(t);
}

static void test_accept(void)
{
	static const struct {
		const char *accept;
		bool om;
	} v[] = {
		{ NULL, false },
		{ "", false },
		{ "*/*", false },
		{ "text/plain", false },
		{ "text/plain;version=0.0.4", false },
		/* what Prometheus 2.42 sends */
		{ "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true },
		{ "application/openmetrics-text; version=1.0.0", true },
		{ "Application/OpenMetrics-Text", true },
		{ "text/plain, application/openmetrics-text", false },
		{ "text/plain;q=0.2, application/openmetrics-text;q=0.9", true },
		{ "application/openmetrics-text;q=0", false },
		{ "application/openmetrics-text;q=0.5,*/*", false },
		{ "application/openmetrics-textual", false },
		{ "application/openmetrics-text;q=0.99999999999", false },
	};
	char name[512];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		snprintf(name, sizeof(name),
			 "metrics: Accept '%s' -> %s", v[i].accept ?: "(none)",
			 v[i].om ? "OpenMetrics" : "text");
		CHECK(name, mx_wants_openmetrics(v[i].accept) == v[i].om);
	}
}

static void test_config(void)
{
	static const struct {
		const char *val;
		int family;
		const char *addr;
		unsigned int port;
	} good[] = {
		{ "127.0.0.1:9100", AF_INET, "127.0.0.1", 9100 },
		{ "127.0.0.1", AF_INET, "127.0.0.1", 9862 },
		{ "[::1]:9100", AF_INET6, "::1", 9100 },
		{ "::1", AF_INET6, "::1", 9862 },
		{ "[fd00::1]", AF_INET6, "fd00::1", 9862 },
	};
	static const char *const bad[] = {
		"9862", ":9862", "localhost:9862", "127.0.0.1:0",
		"127.0.0.1:65536", "[::1", "",
	};
	struct twampd_cfg c;
	char err[512], name[512], a[64];
	unsigned int i;

	cfg_defaults(&c);
	CHECK("config: metrics-listen off by default",
	      c.metrics_listen.ss_family == AF_UNSPEC);
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		const struct sockaddr *sa =
			(const struct sockaddr *)&c.metrics_listen;
		unsigned int port;
		int ret;

		cfg_defaults(&c);
		ret = cfg_set(&c, "metrics-listen", good[i].val, err,
			      sizeof(err));
		port = sa->sa_family == AF_INET ?
		       ntohs(((const struct sockaddr_in *)sa)->sin_port) :
		       ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
		snprintf(name, sizeof(name), "config: metrics-listen %s",
			 good[i].val);
		CHECK(name, !ret && sa->sa_family == good[i].family &&
		      !strcmp(cfg_ip_str(sa, a, sizeof(a)), good[i].addr) &&
		      port == good[i].port);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret;

		cfg_defaults(&c);
		ret = cfg_set(&c, "metrics-listen", bad[i], err, sizeof(err));
		snprintf(name, sizeof(name),
			 "config: metrics-listen '%s' refused with the form",
			 bad[i]);
		CHECK(name, ret && strstr(err, "ADDR:PORT"));
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--dump")) {
		struct mx_snapshot s;
		size_t len;
		char *t;

		sample(&s);
		t = mx_format(&s, !strcmp(argv[2], "om"), &len);
		if (!t)
			return 1;
		fwrite(t, 1, len, stdout);
		free(t);
		return 0;
	}
	printf("KTAP version 1\n");
	test_text();
	test_openmetrics();
	test_empty();
	test_accept();
	test_config();
	printf("1..%d\n", no);
	return nfailed ? 1 : 0;
}
