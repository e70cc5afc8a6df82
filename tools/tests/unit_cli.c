// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of twamp-ctl's command line in the manner of ping(8) and
 * ip(8): the ping/test option parser and exit status (probe_opts.c), the
 * per-packet lines in send order with -D and -O (probe_out.c), the nearest
 * command for a misspelled one (suggest.c), the key file permission check
 * (keyfile.c) and -j -p indentation (json_pretty.c). unit.c's main() calls
 * unit_cli() and adds its counts to the KTAP stream.
 */

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "json_pretty.h"
#include "keyfile.h"
#include "probe_opts.h"
#include "probe_out.h"
#include "suggest.h"
#include "unit_check.h"

void unit_cli(int *test_no, int *failed);

static int *no, *nfailed;

#define CHECK(name, cond) UNIT_CHECK(*no, *nfailed, name, cond)

static int usage_calls;

static void fake_usage(FILE *f)
{
	(void)f;
	usage_calls++;
}

static const struct probe_cmd ping_cmd = { "ping", false, fake_usage };
static const struct probe_cmd test_cmd = { "test", true, fake_usage };

/* Parse a NULL-terminated list of arguments after the command name. */
static int parse(const struct probe_cmd *cmd, struct probe_opts *o, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)cmd->name;
	va_start(ap, o);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	return probe_parse_opts(argc, argv, o, cmd);
}

static void test_probe_opts(void)
{
	struct probe_opts o;
	const struct sender *s = &o.cfg;

	CHECK("ping: -c -i -W -w -D -O -q parse",
	      parse(&ping_cmd, &o, "-c", "3", "-i", "0.2", "-W", "500ms",
		    "-w", "2.5", "-D", "-O", "-q", "192.0.2.1", NULL) == -1 &&
	      s->has[TWAMP_A_SENDER_COUNT] && s->v[TWAMP_A_SENDER_COUNT] == 3 &&
	      s->v[TWAMP_A_SENDER_INTERVAL] == 200000000 &&
	      s->has[TWAMP_A_SENDER_WAIT] &&
	      s->v[TWAMP_A_SENDER_WAIT] == 500000000 &&
	      o.deadline_ns == 2500000000ULL && o.timestamps &&
	      o.outstanding && o.quiet && !strcmp(o.host, "192.0.2.1") &&
	      s->has[TWAMP_A_SENDER_BIND]);
	CHECK("ping: -w is a deadline, not the reply wait",
	      parse(&ping_cmd, &o, "-w", "1", "h", NULL) == -1 &&
	      !s->has[TWAMP_A_SENDER_WAIT] && o.deadline_ns == NSEC_PER_SEC);
	CHECK("ping: -w 0 refused",
	      parse(&ping_cmd, &o, "-w", "0", "h", NULL) == PROBE_EXIT_ERROR);
	CHECK("ping: -W 0 refused",
	      parse(&ping_cmd, &o, "-W", "0", "h", NULL) == PROBE_EXIT_ERROR);
	CHECK("ping: -i 0 refused",
	      parse(&ping_cmd, &o, "-i", "0", "h", NULL) == PROBE_EXIT_ERROR);
	CHECK("ping: -i -1 refused",
	      parse(&ping_cmd, &o, "-i", "-1", "h", NULL) == PROBE_EXIT_ERROR);
	CHECK("ping: -i 9us refused",
	      parse(&ping_cmd, &o, "-i", "9us", "h", NULL) == PROBE_EXIT_ERROR);
	CHECK("ping: -i 10us accepted",
	      parse(&ping_cmd, &o, "-i", "10us", "h", NULL) == -1 &&
	      s->v[TWAMP_A_SENDER_INTERVAL] == 10000);
	CHECK("ping: -i 3601 refused",
	      parse(&ping_cmd, &o, "-i", "3601", "h", NULL) ==
	      PROBE_EXIT_ERROR);
	usage_calls = 0;
	CHECK("ping: unknown option is exit 2 with the usage",
	      parse(&ping_cmd, &o, "--bogus", "h", NULL) == PROBE_EXIT_ERROR &&
	      usage_calls == 1);
	usage_calls = 0;
	CHECK("ping: -h is exit 0 with the usage",
	      parse(&ping_cmd, &o, "-h", NULL) == PROBE_EXIT_OK &&
	      usage_calls == 1);
	CHECK("ping: no host is exit 2",
	      parse(&ping_cmd, &o, "-c", "1", NULL) == PROBE_EXIT_ERROR);
	CHECK("ping: two hosts is exit 2",
	      parse(&ping_cmd, &o, "a", "b", NULL) == PROBE_EXIT_ERROR);
	CHECK("ping: a missing value is exit 2",
	      parse(&ping_cmd, &o, "h", "-c", NULL) == PROBE_EXIT_ERROR);
	CHECK("ping: -k is not for ping",
	      parse(&ping_cmd, &o, "-k", "f", "h", NULL) == PROBE_EXIT_ERROR);
	CHECK("test: --stamp is not for test",
	      parse(&test_cmd, &o, "--stamp", "h", NULL) == PROBE_EXIT_ERROR);
	CHECK("ping: --ntp (declining RFC 8186) is not for ping",
	      parse(&ping_cmd, &o, "--ntp", "h", NULL) == PROBE_EXIT_ERROR);
	CHECK("test: --ntp declines PTP, the sender's format untouched",
	      parse(&test_cmd, &o, "--ntp", "h", NULL) == -1 && o.ntp &&
	      !s->has[TWAMP_A_SENDER_TS_FORMAT]);
	CHECK("test: PTP is taken when offered unless --ntp",
	      parse(&test_cmd, &o, "h", NULL) == -1 && !o.ntp);
	CHECK("ping: -p is the reflector's port",
	      parse(&ping_cmd, &o, "-p", "4000", "h", NULL) == -1 &&
	      s->v[TWAMP_A_SENDER_REMOTE_PORT] == 4000 &&
	      o.control_port == PROBE_CONTROL_PORT);
	CHECK("test: -p is the control port, -m -k -K parse",
	      parse(&test_cmd, &o, "-p", "4000", "-m", "auth", "-k", "f",
		    "-K", "id", "h", NULL) == -1 &&
	      !s->has[TWAMP_A_SENDER_REMOTE_PORT] &&
	      o.control_port == 4000 && o.mode == PROBE_MODE_AUTH &&
	      !strcmp(o.key_file, "f") && !strcmp(o.key_id, "id"));
	CHECK("test: -W sets the wait it asks the server for",
	      parse(&test_cmd, &o, "-W", "2", "h", NULL) == -1 &&
	      s->v[TWAMP_A_SENDER_WAIT] == 2 * NSEC_PER_SEC);
	CHECK("ping: -s sets padding",
	      parse(&ping_cmd, &o, "-s", "100", "h", NULL) == -1 &&
	      s->v[TWAMP_A_SENDER_PADDING] == 86);
	ctl_json = true;
	CHECK("ping: global -j is taken",
	      parse(&ping_cmd, &o, "h", NULL) == -1 && o.json);
	ctl_json = false;
	CHECK("ping: no -j", parse(&ping_cmd, &o, "h", NULL) == -1 && !o.json);

	CHECK("exit 0 with a reply", probe_exit_status(false, 1) == 0);
	CHECK("exit 1 without", probe_exit_status(false, 0) == 1);
	CHECK("exit 2 on an error", probe_exit_status(true, 5) == 2 &&
	      probe_exit_status(true, 0) == 2);
}

static uint64_t fixed_now(void)
{
	return 1733140000123456789ULL;
}

static void result(struct twamp_result *r, uint32_t seq, bool lost)
{
	memset(r, 0, sizeof(*r));
	r->has[TWAMP_A_RESULT_SEQ] = true;
	r->v[TWAMP_A_RESULT_SEQ] = seq;
	r->has[TWAMP_A_RESULT_SIZE] = true;
	r->v[TWAMP_A_RESULT_SIZE] = 44;
	r->has[TWAMP_A_RESULT_T1] = true;
	r->v[TWAMP_A_RESULT_T1] = 1733140000000000000ULL + seq * NSEC_PER_SEC;
	if (lost) {
		r->has[TWAMP_A_RESULT_FLAGS] = true;
		r->v[TWAMP_A_RESULT_FLAGS] = TWAMP_RESULT_LOST;
		return;
	}
	r->has[TWAMP_A_RESULT_T2] = r->has[TWAMP_A_RESULT_T3] = true;
	r->has[TWAMP_A_RESULT_T4] = true;
	r->v[TWAMP_A_RESULT_T2] = r->v[TWAMP_A_RESULT_T1] + 1000000;
	r->v[TWAMP_A_RESULT_T3] = r->v[TWAMP_A_RESULT_T2] + 1000;
	r->v[TWAMP_A_RESULT_T4] = r->v[TWAMP_A_RESULT_T3] + 1000000;
}

static void test_probe_out(void)
{
	struct probe_out po;
	struct twamp_result r;
	char *buf = NULL, stamp[48];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	probe_out_init(&po, f, "192.0.2.1", false, false);
	result(&r, 0, false);
	probe_out_add(&po, &r);
	/* 1 is lost: its record comes after WAIT, after 2's and 3's. */
	result(&r, 2, false);
	probe_out_add(&po, &r);
	result(&r, 3, false);
	probe_out_add(&po, &r);
	CHECK("-O: 1 unanswered, 2 answered", !probe_out_answered(&po, 1) &&
	      probe_out_answered(&po, 2) && probe_out_answered(&po, 0));
	probe_out_outstanding(&po, 1);
	result(&r, 1, true);
	probe_out_add(&po, &r);
	result(&r, 5, false);
	probe_out_add(&po, &r);
	probe_out_flush(&po);
	probe_out_free(&po);
	fclose(f);
	CHECK("lines in send order, a loss before later replies",
	      buf && !strcmp(buf,
	      "44 bytes from 192.0.2.1: seq=0 rtt=2.000 ms residence=1.0 us\n"
	      "no answer yet for seq=1\n"
	      "seq=1 lost\n"
	      "44 bytes from 192.0.2.1: seq=2 rtt=2.000 ms residence=1.0 us\n"
	      "44 bytes from 192.0.2.1: seq=3 rtt=2.000 ms residence=1.0 us\n"
	      "44 bytes from 192.0.2.1: seq=5 rtt=2.000 ms residence=1.0 us\n"));
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	probe_out_init(&po, f, "192.0.2.1", true, false);
	po.now_ns = fixed_now;
	result(&r, 0, false);
	probe_out_add(&po, &r);
	result(&r, 1, true);
	probe_out_add(&po, &r);
	probe_out_flush(&po);
	probe_out_free(&po);
	fclose(f);
	/* A reply's stamp is its T4; a loss's is when it printed. */
	CHECK("-D: [seconds.microseconds] before each line",
	      buf && !strcmp(buf,
	      "[1733140000.002001] 44 bytes from 192.0.2.1: seq=0 rtt=2.000 ms residence=1.0 us\n"
	      "[1733140000.123456] seq=1 lost\n"));
	free(buf);
	CHECK("-D stamp pads microseconds",
	      !strcmp(probe_out_stamp(stamp, sizeof(stamp), 5 * NSEC_PER_SEC + 7000),
		      "[5.000007] "));

	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	probe_out_init(&po, f, "x", false, true);
	result(&r, 0, false);
	probe_out_add(&po, &r);
	probe_out_outstanding(&po, 1);
	probe_out_flush(&po);
	probe_out_free(&po);
	fclose(f);
	CHECK("-q: no per-packet lines", buf && !*buf);
	free(buf);
}

static void test_suggest(void)
{
	static const struct {
		const char *name;
		int other;
	} cmds[] = {
		{ "version", 0 }, { "clock", 0 }, { "reflector", 0 },
		{ "session", 0 }, { "sender", 0 }, { "stats", 0 },
		{ "monitor", 0 }, { "ping", 0 }, { "test", 0 },
	};
	const size_t n = sizeof(cmds) / sizeof(cmds[0]);
	const char *s;

	CHECK("edit distance kitten/sitting",
	      edit_distance("kitten", "sitting") == 3);
	CHECK("edit distance of equal names", edit_distance("ping", "ping") == 0);
	CHECK("edit distance to empty", edit_distance("", "abc") == 3 &&
	      edit_distance("abc", "") == 3);
	s = suggest_name("refletor", cmds, n, sizeof(cmds[0]));
	CHECK("refletor -> reflector", s && !strcmp(s, "reflector"));
	s = suggest_name("sesion", cmds, n, sizeof(cmds[0]));
	CHECK("sesion -> session", s && !strcmp(s, "session"));
	s = suggest_name("pign", cmds, n, sizeof(cmds[0]));
	CHECK("pign -> ping", s && !strcmp(s, "ping"));
	CHECK("nothing near xyzzyq",
	      !suggest_name("xyzzyq", cmds, n, sizeof(cmds[0])));
	CHECK("list, ls -> show; delete -> del",
	      !strcmp(verb_alias("list"), "show") &&
	      !strcmp(verb_alias("ls"), "show") &&
	      !strcmp(verb_alias("delete"), "del") &&
	      !strcmp(verb_alias("add"), "add"));
}

static void test_keyfile(void)
{
	char path[] = "/tmp/twamp-unit-keyXXXXXX", err[512];
	int fd = mkstemp(path);

	if (fd < 0) {
		CHECK("mkstemp", false);
		return;
	}
	close(fd);
	CHECK("key file 0600 accepted", !chmod(path, 0600) &&
	      key_file_check(path, err, sizeof(err)) == 0);
	CHECK("key file 0400 accepted", !chmod(path, 0400) &&
	      key_file_check(path, err, sizeof(err)) == 0);
	CHECK("key file 0640 refused, twampd's words", !chmod(path, 0640) &&
	      key_file_check(path, err, sizeof(err)) == -1 &&
	      strstr(err, "must be owned by root (or the user reading it, uid ") &&
	      strstr(err, ") and not accessible to group or others"));
	CHECK("key file 0604 refused", !chmod(path, 0604) &&
	      key_file_check(path, err, sizeof(err)) == -1);
	/* as root: a file of another user's is refused, 0600 or not */
	if (geteuid() == 0)
		CHECK("key file of another user refused", !chmod(path, 0600) &&
		      !chown(path, 65534, 65534) &&
		      key_file_check(path, err, sizeof(err)) == -1 &&
		      strstr(err, "must be owned by root"));
	unlink(path);
	CHECK("missing key file refused",
	      key_file_check(path, err, sizeof(err)) == -1 &&
	      strstr(err, "No such file"));
	CHECK("a directory is no key file",
	      key_file_check("/tmp", err, sizeof(err)) == -1);
}

/* $CREDENTIALS_DIRECTORY/key-file, when systemd passed a non-empty one. */
static void test_key_credential(void)
{
	char dir[] = "/tmp/twamp-unit-credXXXXXX", cred[PATH_MAX], buf[PATH_MAX];
	const char *p;
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK("mkdtemp", false);
		return;
	}
	snprintf(cred, sizeof(cred), "%s/key-file", dir);
	unsetenv("CREDENTIALS_DIRECTORY");
	CHECK("no credentials: the configured file",
	      !strcmp(key_file_path("/etc/k", buf, sizeof(buf)), "/etc/k"));
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	CHECK("no key-file credential: the configured file",
	      !strcmp(key_file_path("/etc/k", buf, sizeof(buf)), "/etc/k"));
	f = fopen(cred, "w");
	CHECK("an empty credential (SetCredential= fallback) is none",
	      f && !fclose(f) &&
	      !strcmp(key_file_path("/etc/k", buf, sizeof(buf)), "/etc/k"));
	f = fopen(cred, "w");
	CHECK("the unit's fallback \"none\" is none",
	      f && fputs("none", f) >= 0 && !fclose(f) &&
	      !strcmp(key_file_path("/etc/k", buf, sizeof(buf)), "/etc/k"));
	f = fopen(cred, "w");
	CHECK("a key-file credential wins over the configured file",
	      f && fputs("alice 00112233\n", f) >= 0 && !fclose(f) &&
	      (p = key_file_path("/etc/k", buf, sizeof(buf))) == buf &&
	      !strcmp(p, cred));
	CHECK("and serves when none is configured",
	      !strcmp(key_file_path("", buf, sizeof(buf)), cred));
	CHECK("a path too long for the buffer: the configured file",
	      !strcmp(key_file_path("/etc/k", buf, 8), "/etc/k"));
	unsetenv("CREDENTIALS_DIRECTORY");
	unlink(cred);
	rmdir(dir);
}

static void test_pretty(void)
{
	static const char in[] =
		"{\"a\":[1,2],\"b\":{},\"c\":[],\"s\":\"x,{\\\"y\\\":[\"}\n";
	static const char want[] =
		"{\n    \"a\": [\n        1,\n        2\n    ],\n"
		"    \"b\": {},\n    \"c\": [],\n"
		"    \"s\": \"x,{\\\"y\\\":[\"\n}\n";
	struct json_pretty jp = { 0 };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	/* Byte by byte, as a stream may cut it anywhere. */
	for (i = 0; i < sizeof(in) - 1; i++)
		json_pretty_feed(&jp, &in[i], 1, f);
	fclose(f);
	CHECK("-j -p indents, strings untouched", buf && !strcmp(buf, want));
	free(buf);
}

void unit_cli(int *test_no, int *failed)
{
	no = test_no;
	nfailed = failed;
	test_probe_opts();
	test_probe_out();
	test_suggest();
	test_keyfile();
	test_key_credential();
	test_pretty();
}
