// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of twamp-ctl's parsing and output helpers. Output is
 * KTAP, so tools/check.sh counts it like the selftests.
 */

#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "unit_check.h"

static int test_no, failed;

#define CHECK(name, cond) UNIT_CHECK(test_no, failed, name, cond)

static void test_duration(void)
{
	static const struct {
		const char *in;
		uint64_t ns;
	} good[] = {
		{ "100ns", 100 }, { "1us", 1000 }, { "10ms", 10000000 },
		{ "1.5s", 1500000000 }, { "0.1s", 100000000 },
		{ "2.000000001s", 2000000001 }, { "0.0000000001s", 0 },
		{ "18446744073709551615ns", UINT64_MAX },
	};
	static const char *const bad[] = {
		"", "ms", "10", "10m", "-1ms", "1.5", "1e3ms", " 1ms", "1ms ",
		"18446744073709551616ns", "18446744073709551615s",
	};
	char name[96];
	uint64_t ns;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ns = 12345;
		snprintf(name, sizeof(name), "duration '%s'", good[i].in);
		CHECK(name, parse_duration_ns("d", good[i].in, &ns) == 0 &&
		      ns == good[i].ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns = 12345;
		snprintf(name, sizeof(name), "duration '%s' rejected", bad[i]);
		CHECK(name, parse_duration_ns("d", bad[i], &ns) == -1 &&
		      ns == 12345);
	}
}

static void test_u64(void)
{
	uint64_t v = 7;

	CHECK("u64 decimal", parse_u64("n", "862", 65535, &v) == 0 && v == 862);
	CHECK("u64 hex", parse_u64("n", "0x35e", 65535, &v) == 0 && v == 862);
	CHECK("u64 above max rejected",
	      parse_u64("n", "65536", 65535, &v) == -1 && v == 862);
	CHECK("u64 sign rejected", parse_u64("n", "-1", 65535, &v) == -1);
	CHECK("u64 trailing junk rejected",
	      parse_u64("n", "12x", 65535, &v) == -1);
	CHECK("u64 empty rejected", parse_u64("n", "", 65535, &v) == -1);
}

static void test_bool(void)
{
	bool b = false;

	CHECK("bool yes", parse_bool("b", "yes", &b) == 0 && b);
	CHECK("bool off", parse_bool("b", "off", &b) == 0 && !b);
	CHECK("bool junk rejected", parse_bool("b", "maybe", &b) == -1);
}

static void test_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		CHECK("json escaping (open_memstream)", 0);
		return;
	}
	json_str(f, "a\"b\\c\nd\x01");
	fclose(f);
	CHECK("json escaping",
	      !strcmp(buf, "\"a\\\"b\\\\c\\u000ad\\u0001\""));
	free(buf);
}

void unit_ping(int *test_no, int *failed);
void unit_cli(int *test_no, int *failed);

int main(void)
{
	/* The parsers report errors on stderr; keep the KTAP stream clean. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;

	printf("KTAP version 1\n");
	test_duration();
	test_u64();
	test_bool();
	test_json();
	unit_ping(&test_no, &failed);
	unit_cli(&test_no, &failed);
	printf("1..%d\n", test_no);
	printf("# unit: %d passed, %d failed\n", test_no - failed, failed);
	return failed ? 1 : 0;
}
