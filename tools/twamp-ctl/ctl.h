/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TWAMP_CTL_H
#define TWAMP_CTL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifndef TWAMP_VERSION
#define TWAMP_VERSION "unknown"
#endif

#define PROG_NAME "twamp-ctl"

/* A subcommand: argv[0] is its name. Returns the process exit status. */
struct subcommand {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *summary;
};

int cmd_version(int argc, char *argv[]);
int cmd_clock(int argc, char *argv[]);
int cmd_reflector(int argc, char *argv[]);
int cmd_session(int argc, char *argv[]);
int cmd_sender(int argc, char *argv[]);
int cmd_stats(int argc, char *argv[]);
int cmd_monitor(int argc, char *argv[]);
int cmd_ping(int argc, char *argv[]);
int cmd_test(int argc, char *argv[]);
int cmd_dump(int argc, char *argv[]);

/*
 * Global options, given before the command as with ip(8): -j (JSON), -p
 * (pretty JSON), -n NETNS. Commands start from ctl_json.
 */
extern bool ctl_json, ctl_pretty;

/* Argument helpers shared by subcommands; all print their own errors. */
bool is_help(const char *arg);
int parse_u64(const char *what, const char *s, uint64_t max, uint64_t *out);
int parse_duration_ns(const char *what, const char *s, uint64_t *out);
int parse_seconds_ns(const char *what, const char *s, uint64_t *out);
int parse_dscp(const char *s, uint8_t *out);
int parse_bool(const char *what, const char *s, bool *out);

/*
 * Count SIGINT and SIGTERM in @interrupted instead of dying. Both stay
 * blocked except while waiting with @wait_mask (tnl_recv()), so a check of
 * @interrupted followed by a wait cannot miss one. Returns 0 or -1.
 */
extern volatile sig_atomic_t interrupted;
int catch_interrupts(sigset_t *wait_mask);

struct nlattr;
struct nlmsghdr;

/* Counters nests, as JSON or one human line. */
void counters_parse(const struct nlattr *nest, uint64_t c[]);
void counters_print_json(const uint64_t c[]);
void counters_print_human(const uint64_t c[]);

/* Put nest_type { id_type: u32 parsed from arg }; prints its own errors. */
int put_id(struct nlmsghdr *nlh, uint16_t nest_type, uint16_t id_type,
	   const char *what, const char *arg);

struct tnl;

/* A verb of an object command: "reflector add", "session show", ... */
struct verb {
	const char *name;
	int (*fn)(struct tnl *nl, int argc, char *argv[]);
};

/*
 * Run the verb named by argv[1] ("show" without one) on a fresh netlink
 * socket, after answering -h anywhere with @usage.
 */
int run_verb(const char *object, const struct verb *verbs, size_t n_verbs,
	     void (*usage)(FILE *f), int argc, char *argv[]);

/* JSON lists built from replies; see util.c. */
void json_list_item(unsigned int count);
void json_list_end(unsigned int count, int err);

/* JSON output: a string with escaping. */
void json_str(FILE *f, const char *s);

#endif
