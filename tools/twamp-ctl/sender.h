/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sender objects as twamp-ctl sender, ping, stats and monitor share them:
 * one struct for what a command line asks for and what the kernel reports.
 */
#ifndef TWAMP_CTL_SENDER_H
#define TWAMP_CTL_SENDER_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/twamp.h>

#include "metrics.h"
#include "nl.h"

/*
 * has[i]/v[i] hold the integer attributes TWAMP_A_SENDER_i (has[BIND] the
 * flag); the addresses are kept apart, in network byte order.
 */
struct sender {
	bool has[TWAMP_A_SENDER_MAX + 1];
	uint64_t v[TWAMP_A_SENDER_MAX + 1];
	int remote_family, local_family;	/* 0: absent */
	unsigned char remote[16], local[16];
	/* Binary, write-only: has[SID], has[AES_KEY], has[HMAC_KEY] say which. */
	unsigned char sid[16], aes_key[16], hmac_key[32];
	struct twamp_stats stats;
};

/* A host name or address; prints its own errors. */
struct host_addr {
	int family;
	unsigned char addr[16];
	uint32_t scope_id;		/* IPv6 link-local zone, or 0 */
	char text[64];			/* numeric form */
};

int resolve_host(const char *host, int family, struct host_addr *out);

/* Put the TWAMP_A_SENDER nest of @s into a request. */
void sender_put(struct nlmsghdr *nlh, const struct sender *s);

/* Parse a TWAMP_A_SENDER nest, or a message that carries one; 0 or -1. */
int sender_parse(const struct nlattr *nest, struct sender *s);
int sender_parse_msg(const struct nlmsghdr *nlh, struct sender *s);
void stats_parse(const struct nlattr *nest, struct twamp_stats *st);

/* Parse a TWAMP_CMD_RESULT_NTF message; 0 or -1. */
int result_parse_msg(const struct nlmsghdr *nlh, struct twamp_result *r);

/* SENDER_GET of one sender; 0 or a negative errno (nl->ext_msg set). */
int sender_get(struct tnl *nl, uint32_t id, struct sender *s);

/* "192.0.2.2 port 862" / "2001:db8::2 port 862", "?" without a remote. */
char *sender_remote_str(const struct sender *s, char *buf, size_t len);

/* The config as JSON members, no braces: "\"id\":1,...". */
void sender_print_json_config(const struct sender *s);

/*
 * tnl_perror() that names the attribute the kernel refused and says when the
 * module has no sender at all.
 */
void sender_perror(const struct tnl *nl, const char *what, int err);

/*
 * A Poisson schedule without a seed gets a random one, so that senders do
 * not share a schedule; the kernel reports it back for reproducing a run.
 */
void sender_random_seed(struct sender *s);

#endif
