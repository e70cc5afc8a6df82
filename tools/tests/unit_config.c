// SPDX-License-Identifier: GPL-2.0
/*
 * twampd's config parser (daemon/config.c): the "reflector" lines, their
 * ranges and their canonical form, and a file refused as a whole with its
 * line number.
 *
 * Linked into build/unit-control; unit_control.c's main() calls
 * unit_config() and adds its counts to the KTAP stream.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "control/control.h"
#include "unit_check.h"

void unit_config(int *test_no, int *failed);

static int *no, *nfailed;

#define CHECK(name, cond) UNIT_CHECK(*no, *nfailed, name, cond)


static struct twampd_cfg cfg;

/* One reflector line: its canonical text, or the error. */
static int refl(const char *val, char *out, size_t len)
{
	cfg_defaults(&cfg);
	if (cfg_set(&cfg, "reflector", val, out, len))
		return -1;
	cfg_reflector_str(&cfg.reflectors[0], out, len);
	return 0;
}

static void test_reflector_good(void)
{
	static const struct {
		const char *in, *canon;
	} v[] = {
		{ "port 862 format stamp stateful allow 192.0.2.0/24",
		  "port 862 format stamp allow 192.0.2.0/24 stateful" },
		/* the same reflector, in other words and order */
		{ "stateful   allow 192.0.2.0/24\tformat stamp",
		  "port 862 format stamp allow 192.0.2.0/24 stateful" },
		{ "local 2001:db8::1 port 8620 dev eth0 ts ptp dscp 46",
		  "local 2001:db8::1 port 8620 dev eth0 format light ts ptp dscp 46" },
		{ "local 192.0.2.1 dscp keep rate-limit 0 sessions-only",
		  "local 192.0.2.1 port 862 format light sessions-only" },
		{ "format stamp stateful max-dynamic 1 max-per-source 65536 dynamic-refwait 100ms",
		  "port 862 format stamp stateful max-dynamic 1 max-per-source 65536 dynamic-refwait 100ms" },
		{ "format stamp stateful dynamic-refwait 60m",
		  "port 862 format stamp stateful dynamic-refwait 3600000ms" },
		{ "allow 10.1.2.3 allow 2001:db8::/32 rate-limit 10000000",
		  "port 862 format light allow 10.1.2.3/32 allow 2001:db8::/32 rate-limit 10000000" },
	};
	char buf[4096], name[512];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		int ret = refl(v[i].in, buf, sizeof(buf));

		snprintf(name, sizeof(name), "config: reflector '%s'", v[i].in);
		CHECK(name, !ret && !strcmp(buf, v[i].canon));
		if (ret || strcmp(buf, v[i].canon))
			printf("# got '%s'\n", buf);
	}
}

static void test_reflector_bad(void)
{
	static const struct {
		const char *in, *err;
	} v[] = {
		{ "port 0", "reflector port: invalid value '0' (1 to 65535)" },
		{ "port 65536", "(1 to 65535)" },
		{ "port", "reflector: 'port' needs a value" },
		{ "local 192.0.2.1:862", "reflector local: invalid value" },
		{ "local [::1]", "reflector local: invalid value" },
		{ "local example.com", "an IPv4 or IPv6 address" },
		{ "dev abcdefghijklmnop", "at most 15 characters" },
		{ "format twamp", "(light or stamp)" },
		{ "ts utc", "(ntp or ptp)" },
		{ "dscp 64", "(0 to 63, or keep)" },
		{ "dscp -1", "(0 to 63, or keep)" },
		{ "allow 10.0.0.0/33", "reflector allow: invalid value" },
		{ "rate-limit 10000001", "0 to 10000000" },
		{ "format stamp stateful max-dynamic 0", "reflector max-dynamic: invalid value '0' (1 to 65536)" },
		{ "format stamp stateful max-per-source 65537", "(1 to 65536)" },
		{ "format stamp stateful dynamic-refwait 99ms", "100ms to 3600s" },
		{ "format stamp stateful dynamic-refwait 3601s", "100ms to 3600s" },
		{ "format stamp stateful dynamic-refwait 10", "100ms to 3600s" },
		{ "format stamp stateful dynamic-refwait 99999999999999999999ms", "100ms to 3600s" },
		{ "stateful", "stateful needs format stamp" },
		{ "format stamp max-dynamic 4", "need stateful" },
		{ "port 862 bogus", "unknown word 'bogus'" },
	};
	char buf[4096], name[512];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		int ret = refl(v[i].in, buf, sizeof(buf));

		snprintf(name, sizeof(name), "config: reflector '%s' refused",
			 v[i].in);
		CHECK(name, ret && strstr(buf, v[i].err) &&
		      cfg.n_reflectors == 0);
		if (!ret || !strstr(buf, v[i].err))
			printf("# got '%s'\n", buf);
	}
}

static void test_reflector_many(void)
{
	char err[512], val[64];
	unsigned int i;
	int ret = 0;

	cfg_defaults(&cfg);
	for (i = 0; i < CFG_MAX_REFLECTORS && !ret; i++) {
		snprintf(val, sizeof(val), "port %u", 9000 + i);
		ret = cfg_set(&cfg, "reflector", val, err, sizeof(err));
	}
	CHECK("config: 32 reflector lines taken", !ret &&
	      cfg.n_reflectors == CFG_MAX_REFLECTORS);
	CHECK("config: the 33rd refused",
	      cfg_set(&cfg, "reflector", "port 1", err, sizeof(err)) &&
	      strstr(err, "at most 32"));
}

static void test_file(void)
{
	char path[] = "/tmp/unit_config.XXXXXX", err[1024];
	static const char text[] =
		"# reflectors\n"
		"max-sessions 4\n"
		"reflector port 9862 format stamp stateful\n"
		"  reflector local 192.0.2.1   port 9863  \n"
		"reflector port 99999\n";
	int fd = mkstemp(path);
	bool ok;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		CHECK("config: temporary file", false);
		return;
	}
	close(fd);
	cfg_defaults(&cfg);
	ok = cfg_load(&cfg, path, true, err, sizeof(err)) &&
	     strstr(err, ":5: reflector port: invalid value '99999'");
	CHECK("config: a bad reflector line names the file's line", ok);
	if (!ok)
		printf("# got '%s'\n", err);
	CHECK("config: the lines before it remember theirs",
	      cfg.n_reflectors == 2 && cfg.reflectors[0].line == 3 &&
	      cfg.reflectors[1].line == 4);

	/* without the bad line */
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, text, strlen(text) - 21) !=
	    (ssize_t)strlen(text) - 21) {
		CHECK("config: temporary file", false);
		unlink(path);
		return;
	}
	close(fd);
	cfg_defaults(&cfg);
	CHECK("config: a good file loads",
	      !cfg_load(&cfg, path, true, err, sizeof(err)) &&
	      cfg.n_reflectors == 2 && cfg.max_sessions == 4);
	unlink(path);
}

/* RFC 8186's mode 512 is listed, so an operator may leave it out. */
static void test_modes(void)
{
	char err[256], buf[128];
	int ret;

	cfg_defaults(&cfg);
	CHECK("config: default modes leave ptp out",
	      !(cfg.modes & TWC_MODE_PTP));
	ret = cfg_set(&cfg, "modes", "open,ptp", err, sizeof(err));
	CHECK("config: modes open,ptp",
	      !ret && cfg.modes == (TWC_MODE_OPEN | TWC_MODE_PTP) &&
	      !strcmp(cfg_modes_str(cfg.modes, buf, sizeof(buf)),
		      "open,ptp"));
}

void unit_config(int *test_no, int *failed)
{
	no = test_no;
	nfailed = failed;
	test_reflector_good();
	test_reflector_bad();
	test_reflector_many();
	test_file();
	test_modes();
}
