// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink ABI of twamp.ko, checked from userspace by a client
 * that shares nothing with the module but uapi/linux/twamp.h: libnl-genl-3,
 * raw attributes, and its own reference encoder for Error Estimates.
 *
 * Without arguments this is a kselftest_harness test. It needs the family:
 * the module loaded (twamp_genl.sh does that) or installed, since resolving
 * a generic netlink family by name autoloads its module. Without the family
 * it skips, or fails when TWAMP_SELFTEST_NO_SKIP=1.
 *
 * With a subcommand it is a small client for the shell tests:
 *   twamp_genl info                      family and module information
 *   twamp_genl clock                     clock state of this namespace
 *   twamp_genl clock-set SYNCED ERROR_NS set it
 *   twamp_genl listed                    exit 0 if the family is registered;
 *                                        reads the controller's dump, so
 *                                        unlike the others it never autoloads
 */

#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twamp.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

/* The 6.1 harness has an unused parameter of its own (fixed upstream). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NSEC_PER_SEC		1000000000ULL
#define DEFAULT_ERROR_NS	10000000ULL	/* 10 ms, per namespace */
#define DEFAULT_ESTIMATE	0x12A4
#define NOBODY			65534

/* Exit status of a child that skipped (the harness uses 255 itself). */
#define CHILD_SKIP		4

static bool tw_no_skip(void)
{
	const char *v = getenv("TWAMP_SELFTEST_NO_SKIP");

	return v && *v && strcmp(v, "0");
}

/* SKIP(), unless CI asked for skips to count as failures. */
#define TW_SKIP(statement, fmt, ...) do {				\
	if (tw_no_skip()) {						\
		TH_LOG("would skip, failing (TWAMP_SELFTEST_NO_SKIP): "	\
		       fmt, ##__VA_ARGS__);				\
		_metadata->passed = 0;					\
		statement;						\
	}								\
	SKIP(statement, fmt, ##__VA_ARGS__);				\
} while (0)

/* --- netlink client ---------------------------------------------------- */

struct tw_nl {
	struct nl_sock *sk;
	int family;
};

/* What the kernel answered to one request. */
struct tw_answer {
	bool done;		/* the NLMSG_ERROR that ends it arrived */
	int error;		/* 0 or the negative errno it carried */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if absent */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss_type;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	int n_replies;
	struct nlmsghdr *reply;	/* copy of the last reply message */
	char why[256];		/* what was wrong with a malformed reply */
};

struct tw_info {
	char version[64];
	uint32_t abi;
	uint64_t features;
};

struct tw_clock {
	uint8_t synced;
	uint64_t error_ns;
	uint16_t estimate;
};

static void tw_answer_reset(struct tw_answer *a)
{
	free(a->reply);
	memset(a, 0, sizeof(*a));
}

static void tw_close(struct tw_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/*
 * Open a generic netlink socket in the current network namespace with
 * extended acks on and resolve the family (which autoloads the module if it
 * is installed). Returns 0, or a negative libnl error code.
 */
static int tw_open(struct tw_nl *nl)
{
	int one = 1;
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -NLE_NOMEM;
	err = genl_connect(nl->sk);
	if (err)
		goto fail;
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		       &one, sizeof(one))) {
		err = -nl_syserr2nlerr(errno);
		goto fail;
	}
	nl->family = genl_ctrl_resolve(nl->sk, TWAMP_GENL_NAME);
	if (nl->family < 0) {
		err = nl->family;
		goto fail;
	}
	return 0;

fail:
	tw_close(nl);
	return err;
}

static struct nl_msg *tw_msg(const struct tw_nl *nl, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				0, cmd, TWAMP_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Offset of an attribute from the start of its request, as in ATTR_OFFS. */
static uint32_t tw_offset(struct nl_msg *msg, const struct nlattr *attr)
{
	return (uint32_t)((const char *)attr - (const char *)nlmsg_hdr(msg));
}

static int tw_valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct tw_answer *a = arg;

	free(a->reply);
	a->reply = malloc(nlh->nlmsg_len);
	if (a->reply)
		memcpy(a->reply, nlh, nlh->nlmsg_len);
	a->n_replies++;
	return NL_OK;
}

static int tw_ack_cb(struct nl_msg *msg, void *arg)
{
	struct tw_answer *a = arg;

	(void)msg;
	a->done = true;
	a->error = 0;
	return NL_STOP;
}

static void tw_parse_ext_ack(const struct nlmsghdr *nlh,
			     const struct nlmsgerr *e, struct tw_answer *a)
{
	const struct nlattr *attr;
	size_t off;
	int rem;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off >= nlh->nlmsg_len)
		return;

	nla_for_each_attr(attr, (struct nlattr *)((char *)nlh + off),
			  nlh->nlmsg_len - off, rem) {
		switch (nla_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(a->msg, sizeof(a->msg), "%.*s",
				 nla_len(attr), (const char *)nla_data(attr));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (nla_len(attr) == 4) {
				a->has_offs = true;
				a->offs = nla_get_u32((struct nlattr *)attr);
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (nla_len(attr) == 4) {
				a->has_miss_type = true;
				a->miss_type = nla_get_u32((struct nlattr *)attr);
			}
			break;
		}
	}
}

static int tw_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (void *)((char *)e - NLMSG_HDRLEN);
	struct tw_answer *a = arg;

	(void)nla;
	a->done = true;
	a->error = e->error;
	tw_parse_ext_ack(nlh, e, a);
	return NL_STOP;
}

/*
 * Send one request (with NLM_F_ACK) and collect everything up to the
 * NLMSG_ERROR that ends it. Returns the kernel's answer (0 or -errno), or
 * -EIO when the exchange itself failed.
 */
static int tw_transact(struct tw_nl *nl, struct nl_msg *msg,
		       struct tw_answer *a)
{
	struct nl_cb *cb;
	int err;

	tw_answer_reset(a);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, tw_valid_cb, a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, tw_ack_cb, a);
	nl_cb_err(cb, NL_CB_CUSTOM, tw_err_cb, a);

	err = nl_send_auto(nl->sk, msg);
	while (err >= 0 && !a->done)
		err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);

	if (!a->done) {
		snprintf(a->why, sizeof(a->why), "netlink exchange failed: %s",
			 nl_geterror(err));
		return -EIO;
	}
	return a->error;
}

/* Send a request with no attributes. */
static int tw_simple(struct tw_nl *nl, uint8_t cmd, struct tw_answer *a)
{
	struct nl_msg *msg = tw_msg(nl, cmd);
	int err;

	if (!msg)
		return -ENOMEM;
	err = tw_transact(nl, msg, a);
	nlmsg_free(msg);
	return err;
}

#define TW_BAD(a, ...) ({						\
	snprintf((a)->why, sizeof((a)->why), __VA_ARGS__);		\
	-EBADMSG;							\
})

/*
 * Check the reply to @cmd and find its nest @type: the one reply message,
 * of our family and command, with the nest. Fills @tb (indexed by the
 * nest's attribute types, up to @max). Unknown attributes are ignored, as a
 * client of an ABI that only grows must.
 */
static int tw_reply_nest(struct tw_nl *nl, struct tw_answer *a, uint8_t cmd,
			 int type, struct nlattr **tb, int max)
{
	struct nlattr *top[TWAMP_A_MAX + 1];
	struct genlmsghdr *ghdr;
	int err;

	if (a->n_replies != 1)
		return TW_BAD(a, "%d replies instead of 1", a->n_replies);
	if (a->reply->nlmsg_type != nl->family)
		return TW_BAD(a, "reply of type %u, family is %d",
			      a->reply->nlmsg_type, nl->family);
	ghdr = nlmsg_data(a->reply);
	if (ghdr->cmd != cmd)
		return TW_BAD(a, "reply to command %u has command %u", cmd,
			      ghdr->cmd);
	err = genlmsg_parse(a->reply, 0, top, TWAMP_A_MAX, NULL);
	if (err)
		return TW_BAD(a, "reply does not parse: %s", nl_geterror(err));
	if (!top[type])
		return TW_BAD(a, "reply has no nest %d", type);
	err = nla_parse_nested(tb, max, top[type], NULL);
	if (err)
		return TW_BAD(a, "nest %d does not parse: %s", type,
			      nl_geterror(err));
	return 0;
}

static int tw_info_get(struct tw_nl *nl, struct tw_info *info,
		       struct tw_answer *a)
{
	struct nlattr *tb[TWAMP_A_INFO_MAX + 1];
	const struct nlattr *v;
	int err, i, len;

	err = tw_simple(nl, TWAMP_CMD_INFO_GET, a);
	if (err)
		return err;
	err = tw_reply_nest(nl, a, TWAMP_CMD_INFO_GET, TWAMP_A_INFO, tb,
			    TWAMP_A_INFO_MAX);
	if (err)
		return err;

	v = tb[TWAMP_A_INFO_VERSION];
	if (!v)
		return TW_BAD(a, "no TWAMP_A_INFO_VERSION");
	len = nla_len(v);
	if (len < 2 || len > (int)sizeof(info->version))
		return TW_BAD(a, "TWAMP_A_INFO_VERSION of %d bytes", len);
	if (((const char *)nla_data(v))[len - 1])
		return TW_BAD(a, "TWAMP_A_INFO_VERSION not NUL-terminated");
	memcpy(info->version, nla_data(v), len);
	if ((int)strlen(info->version) != len - 1)
		return TW_BAD(a, "TWAMP_A_INFO_VERSION has an embedded NUL");
	for (i = 0; i < len - 1; i++)
		if (info->version[i] <= ' ' || info->version[i] > '~')
			return TW_BAD(a, "TWAMP_A_INFO_VERSION \"%s\" is not printable",
				      info->version);

	if (!tb[TWAMP_A_INFO_ABI_VERSION] ||
	    nla_len(tb[TWAMP_A_INFO_ABI_VERSION]) != 4)
		return TW_BAD(a, "no u32 TWAMP_A_INFO_ABI_VERSION");
	info->abi = nla_get_u32(tb[TWAMP_A_INFO_ABI_VERSION]);

	if (!tb[TWAMP_A_INFO_FEATURES] ||
	    nla_len(tb[TWAMP_A_INFO_FEATURES]) != 8)
		return TW_BAD(a, "no u64 TWAMP_A_INFO_FEATURES");
	info->features = nla_get_u64(tb[TWAMP_A_INFO_FEATURES]);
	return 0;
}

static int tw_clock_get(struct tw_nl *nl, struct tw_clock *c,
			struct tw_answer *a)
{
	struct nlattr *tb[TWAMP_A_CLOCK_MAX + 1];
	int err;

	err = tw_simple(nl, TWAMP_CMD_CLOCK_GET, a);
	if (err)
		return err;
	err = tw_reply_nest(nl, a, TWAMP_CMD_CLOCK_GET, TWAMP_A_CLOCK, tb,
			    TWAMP_A_CLOCK_MAX);
	if (err)
		return err;

	if (!tb[TWAMP_A_CLOCK_SYNCED] || nla_len(tb[TWAMP_A_CLOCK_SYNCED]) != 1)
		return TW_BAD(a, "no u8 TWAMP_A_CLOCK_SYNCED");
	if (!tb[TWAMP_A_CLOCK_ERROR_NS] ||
	    nla_len(tb[TWAMP_A_CLOCK_ERROR_NS]) != 8)
		return TW_BAD(a, "no u64 TWAMP_A_CLOCK_ERROR_NS");
	if (!tb[TWAMP_A_CLOCK_ERROR_ESTIMATE] ||
	    nla_len(tb[TWAMP_A_CLOCK_ERROR_ESTIMATE]) != 2)
		return TW_BAD(a, "no u16 TWAMP_A_CLOCK_ERROR_ESTIMATE");
	c->synced = nla_get_u8(tb[TWAMP_A_CLOCK_SYNCED]);
	c->error_ns = nla_get_u64(tb[TWAMP_A_CLOCK_ERROR_NS]);
	c->estimate = nla_get_u16(tb[TWAMP_A_CLOCK_ERROR_ESTIMATE]);
	return 0;
}

/* CLOCK_SET; @synced < 0 leaves it out, @error_ns NULL leaves it out. */
static int tw_clock_set(struct tw_nl *nl, int synced, const uint64_t *error_ns,
			struct tw_answer *a)
{
	struct nl_msg *msg = tw_msg(nl, TWAMP_CMD_CLOCK_SET);
	struct nlattr *nest;
	int err = -ENOMEM;

	if (!msg)
		return err;
	nest = nla_nest_start(msg, TWAMP_A_CLOCK | NLA_F_NESTED);
	if (!nest ||
	    (synced >= 0 && nla_put_u8(msg, TWAMP_A_CLOCK_SYNCED, synced)) ||
	    (error_ns && nla_put_u64(msg, TWAMP_A_CLOCK_ERROR_NS, *error_ns)))
		goto out;
	nla_nest_end(msg, nest);
	err = tw_transact(nl, msg, a);
out:
	nlmsg_free(msg);
	return err;
}

static int tw_clock_set_both(struct tw_nl *nl, int synced, uint64_t error_ns,
			     struct tw_answer *a)
{
	return tw_clock_set(nl, synced, &error_ns, a);
}

/*
 * RFC 4656 4.1.2: the error is Multiplier * 2^(Scale - 32) seconds, S bit
 * 0x8000, Scale in bits 8-13, Multiplier in bits 0-7. Encoded with the
 * smallest Scale whose Multiplier fits, the Multiplier rounded up so the
 * estimate never claims more accuracy than it has, and never 0 (receivers
 * treat a zero Multiplier as corrupt).
 */
static uint16_t ref_error_estimate(bool synced, uint64_t error_ns)
{
	unsigned __int128 q, m;
	unsigned int scale;

	/* error in units of 2^-32 s, rounded up */
	q = (((unsigned __int128)error_ns << 32) + NSEC_PER_SEC - 1) /
	    NSEC_PER_SEC;
	for (scale = 0; ; scale++) {
		m = (q + ((unsigned __int128)1 << scale) - 1) >> scale;
		if (m <= 255 || scale == 63)
			break;
	}
	if (m > 255)
		m = 255;
	if (!m)
		m = 1;
	return (synced ? 0x8000 : 0) | scale << 8 | (uint16_t)m;
}

/* --- checks shared by the tests ---------------------------------------- */

/* A request rejected with @err, an extack message and, if @offs, the offset. */
static void expect_rejected(struct __test_metadata *_metadata,
			    const struct tw_answer *a, int ret, int err,
			    long offs, const char *what)
{
	EXPECT_EQ(err, ret) TH_LOG("%s: expected %s, got %d (%s) %s", what,
				   strerror(-err), ret, strerror(-ret), a->why);
	EXPECT_NE('\0', a->msg[0])
		TH_LOG("%s: rejected without an extack message", what);
	if (offs >= 0) {
		EXPECT_TRUE(a->has_offs)
			TH_LOG("%s: no NLMSGERR_ATTR_OFFS", what);
		if (a->has_offs)
			EXPECT_EQ(offs, (long)a->offs)
				TH_LOG("%s: extack points at offset %u, the bad attribute is at %ld",
				       what, a->offs, offs);
	}
	TH_LOG("%s: %s (\"%s\")", what, strerror(-ret), a->msg);
}

static void expect_clock(struct __test_metadata *_metadata, struct tw_nl *nl,
			 uint8_t synced, uint64_t error_ns, uint16_t estimate)
{
	struct tw_answer a = {};
	struct tw_clock c;

	ASSERT_EQ(0, tw_clock_get(nl, &c, &a)) TH_LOG("CLOCK_GET: %s %s",
						     a.msg, a.why);
	EXPECT_EQ(synced, c.synced);
	EXPECT_EQ(error_ns, c.error_ns);
	EXPECT_EQ(estimate, c.estimate)
		TH_LOG("error %" PRIu64 " ns synced %u: estimate 0x%04x, expected 0x%04x",
		       error_ns, synced, c.estimate, estimate);
	tw_answer_reset(&a);
}

static void set_clock(struct __test_metadata *_metadata, struct tw_nl *nl,
		      int synced, uint64_t error_ns)
{
	struct tw_answer a = {};

	ASSERT_EQ(0, tw_clock_set_both(nl, synced, error_ns, &a))
		TH_LOG("CLOCK_SET %d %" PRIu64 ": %s %s", synced, error_ns,
		       a.msg, a.why);
	tw_answer_reset(&a);
}

/*
 * Run @fn in a forked child, so that it can change its namespaces and
 * credentials; its ASSERTs end the child, not the test. Returns its exit
 * status: 0 passed, CHILD_SKIP skipped, anything else failed.
 */
static int run_child(struct __test_metadata *_metadata,
		     void (*fn)(struct __test_metadata *, void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (!setjmp(_metadata->env))
			fn(_metadata, arg);
		_exit(_metadata->skip ? CHILD_SKIP : _metadata->passed ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

#define RUN_CHILD(fn, arg) do {						\
	int __st = run_child(_metadata, fn, arg);			\
									\
	if (__st == CHILD_SKIP) {					\
		char __why[sizeof(_metadata->results->reason)];		\
									\
		/* the child's SKIP() left its reason in shared memory */ \
		snprintf(__why, sizeof(__why), "%s",			\
			 _metadata->results->reason);			\
		TW_SKIP(return, "%s", __why);				\
	}								\
	ASSERT_EQ(0, __st) TH_LOG("child %s failed", #fn);		\
} while (0)

static int drop_cap_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const unsigned int i = CAP_TO_INDEX(CAP_NET_ADMIN);
	const uint32_t bit = CAP_TO_MASK(CAP_NET_ADMIN);

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		return -errno;
	if (prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0))
		return -errno;
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[i].effective &= ~bit;
	data[i].permitted &= ~bit;
	data[i].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	return (data[i].effective | data[i].permitted) & bit ? -EPERM : 0;
}

static int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	return 0;
}

/* --- tests -------------------------------------------------------------- */

FIXTURE(twamp) {
	struct tw_nl nl;
	struct tw_answer a;
	struct tw_clock saved;	/* restored after each test */
};

FIXTURE_SETUP(twamp)
{
	int err = tw_open(&self->nl);

	ASSERT_EQ(0, err) TH_LOG("family %s: %s", TWAMP_GENL_NAME,
				 nl_geterror(err));
	ASSERT_EQ(0, tw_clock_get(&self->nl, &self->saved, &self->a))
		TH_LOG("CLOCK_GET: %s %s", self->a.msg, self->a.why);
}

FIXTURE_TEARDOWN(twamp)
{
	EXPECT_EQ(0, tw_clock_set_both(&self->nl, self->saved.synced,
				       self->saved.error_ns, &self->a))
		TH_LOG("restoring the clock state: %s %s", self->a.msg,
		       self->a.why);
	tw_answer_reset(&self->a);
	tw_close(&self->nl);
}

/* The controller knows the family under its name, with ABI version 1. */
TEST_F(twamp, family)
{
	struct nl_cache *cache = NULL;
	struct genl_family *fam;

	ASSERT_GT(self->nl.family, GENL_MIN_ID - 1);
	ASSERT_EQ(0, genl_ctrl_alloc_cache(self->nl.sk, &cache));
	fam = genl_ctrl_search_by_name(cache, TWAMP_GENL_NAME);
	ASSERT_NE(NULL, fam);
	EXPECT_EQ(self->nl.family, (int)genl_family_get_id(fam));
	EXPECT_EQ(TWAMP_GENL_VERSION, (int)genl_family_get_version(fam));
	EXPECT_EQ(0, (int)genl_family_get_hdrsize(fam));
	genl_family_put(fam);
	nl_cache_free(cache);
}

TEST_F(twamp, info_get)
{
	struct tw_info info;

	ASSERT_EQ(0, tw_info_get(&self->nl, &info, &self->a))
		TH_LOG("INFO_GET: %s %s", self->a.msg, self->a.why);
	EXPECT_EQ((uint32_t)TWAMP_GENL_VERSION, info.abi);
	EXPECT_NE('\0', info.version[0]);
	/* a version, not a word: it starts with a digit */
	EXPECT_TRUE(info.version[0] >= '0' && info.version[0] <= '9')
		TH_LOG("module version \"%s\"", info.version);
	TH_LOG("module version %s, ABI %u, features 0x%" PRIx64,
	       info.version, info.abi, info.features);
}

/* INFO_GET takes no attributes: anything is rejected, and pointed at. */
TEST_F(twamp, info_get_rejects_attributes)
{
	static const int types[] = { TWAMP_A_INFO, TWAMP_A_CLOCK,
				     TWAMP_A_MAX, TWAMP_A_MAX + 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct nl_msg *msg = tw_msg(&self->nl, TWAMP_CMD_INFO_GET);
		struct nlattr *attr;
		char what[64];
		long offs;
		int ret;

		ASSERT_NE(NULL, msg);
		ASSERT_EQ(0, nla_put_u32(msg, TWAMP_A_INFO_ABI_VERSION, 1));
		attr = nlmsg_find_attr(nlmsg_hdr(msg), GENL_HDRLEN,
				       TWAMP_A_INFO_ABI_VERSION);
		ASSERT_NE(NULL, attr);
		/* a plain u32 where a nest would be, then retyped */
		attr->nla_type = types[i];
		offs = tw_offset(msg, attr);
		ret = tw_transact(&self->nl, msg, &self->a);
		snprintf(what, sizeof(what), "INFO_GET with attribute %d",
			 types[i]);
		expect_rejected(_metadata, &self->a, ret, -EINVAL, offs, what);
		EXPECT_EQ(0, self->a.n_replies);
		nlmsg_free(msg);
	}
}

/* Command numbers with no operation: unknown ones and notification-only. */
TEST_F(twamp, unknown_commands)
{
	static const uint8_t cmds[] = { TWAMP_CMD_UNSPEC, TWAMP_CMD_RESULT_NTF,
					TWAMP_CMD_SENDER_DONE_NTF,
					TWAMP_CMD_MAX + 1, 200, 255 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		int ret = tw_simple(&self->nl, cmds[i], &self->a);

		EXPECT_EQ(-EOPNOTSUPP, ret)
			TH_LOG("command %u: %d (%s)", cmds[i], ret,
			       strerror(-ret));
		EXPECT_EQ(0, self->a.n_replies);
	}
}

/* Strict validation of the genetlink header, for every command. */
TEST_F(twamp, reserved_header_field)
{
	struct nl_msg *msg = tw_msg(&self->nl, TWAMP_CMD_CLOCK_GET);
	struct genlmsghdr *ghdr;
	int ret;

	ASSERT_NE(NULL, msg);
	ghdr = nlmsg_data(nlmsg_hdr(msg));
	ghdr->reserved = 1;
	ret = tw_transact(&self->nl, msg, &self->a);
	expect_rejected(_metadata, &self->a, ret, -EINVAL, -1,
			"CLOCK_GET with genlmsghdr.reserved = 1");
	nlmsg_free(msg);
}

/* The estimate reported is the encoding of the error and synced state. */
TEST_F(twamp, clock_get_consistent)
{
	struct tw_clock *c = &self->saved;

	EXPECT_TRUE(c->synced == 0 || c->synced == 1);
	EXPECT_EQ(ref_error_estimate(c->synced, c->error_ns), c->estimate)
		TH_LOG("synced %u error %" PRIu64 " ns: estimate 0x%04x",
		       c->synced, c->error_ns, c->estimate);
	EXPECT_NE(0, c->estimate & 0xff);
}

static void child_default_clock(struct __test_metadata *_metadata, void *arg)
{
	struct tw_nl nl;
	int err;

	(void)arg;
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %m");
	err = tw_open(&nl);
	ASSERT_EQ(0, err) TH_LOG("family in a new netns: %s", nl_geterror(err));
	expect_clock(_metadata, &nl, 0, DEFAULT_ERROR_NS, DEFAULT_ESTIMATE);
	tw_close(&nl);
}

/* A new namespace starts unsynchronized with a 10 ms error. */
TEST_F(twamp, clock_default)
{
	RUN_CHILD(child_default_clock, NULL);
}

static const struct {
	uint8_t synced;
	uint64_t error_ns;
	uint16_t estimate;
} known_answers[] = {
	{ 0, 1000, 0x0587 },		/* 1 us */
	{ 1, 1000, 0x8587 },
	{ 0, 1000000, 0x0F84 },		/* 1 ms */
	{ 1, 1000000, 0x8F84 },
	{ 0, 10000000, 0x12A4 },	/* 10 ms */
	{ 1, 10000000, 0x92A4 },
};

TEST_F(twamp, clock_set_known_answers)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(known_answers); i++) {
		/* the reference encoder agrees with the known answers */
		ASSERT_EQ(known_answers[i].estimate,
			  ref_error_estimate(known_answers[i].synced,
					     known_answers[i].error_ns));
		set_clock(_metadata, &self->nl, known_answers[i].synced,
			  known_answers[i].error_ns);
		expect_clock(_metadata, &self->nl, known_answers[i].synced,
			     known_answers[i].error_ns,
			     known_answers[i].estimate);
	}
}

/* Edges of the encoding: zero, tiny, scale changes, and the u64 limit. */
TEST_F(twamp, clock_set_edges)
{
	static const uint64_t values[] = {
		0, 1, 2, 232, 233, 999, 1001, 59604, 59605, 123456789,
		NSEC_PER_SEC, 0xffffffffULL, 0x100000000ULL, 3600 * NSEC_PER_SEC,
		1ULL << 63, UINT64_MAX,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		uint16_t want = ref_error_estimate(i & 1, values[i]);

		set_clock(_metadata, &self->nl, i & 1, values[i]);
		expect_clock(_metadata, &self->nl, i & 1, values[i], want);
	}
}

/* Each of the two attributes may come alone; the other one is kept. */
TEST_F(twamp, clock_set_partial)
{
	uint64_t ns = 1000000;

	set_clock(_metadata, &self->nl, 0, 1000);
	ASSERT_EQ(0, tw_clock_set(&self->nl, 1, NULL, &self->a))
		TH_LOG("%s", self->a.msg);
	expect_clock(_metadata, &self->nl, 1, 1000, 0x8587);
	ASSERT_EQ(0, tw_clock_set(&self->nl, -1, &ns, &self->a))
		TH_LOG("%s", self->a.msg);
	expect_clock(_metadata, &self->nl, 1, 1000000, 0x8F84);
	ASSERT_EQ(0, tw_clock_set(&self->nl, 0, NULL, &self->a))
		TH_LOG("%s", self->a.msg);
	expect_clock(_metadata, &self->nl, 0, 1000000, 0x0F84);
}

/*
 * SYNCED is 0 or 1: 2 is rejected by the policy (the core's range check
 * answers ERANGE), pointed at, and the whole request has no effect: the
 * ERROR_NS beside it is not applied either.
 */
TEST_F(twamp, clock_set_synced_out_of_range)
{
	struct nl_msg *msg;
	struct nlattr *nest, *bad;
	long offs;
	int ret;

	set_clock(_metadata, &self->nl, 0, 1000);

	msg = tw_msg(&self->nl, TWAMP_CMD_CLOCK_SET);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, TWAMP_A_CLOCK | NLA_F_NESTED);
	ASSERT_NE(NULL, nest);
	ASSERT_EQ(0, nla_put_u64(msg, TWAMP_A_CLOCK_ERROR_NS, 5000));
	bad = (struct nlattr *)nlmsg_tail(nlmsg_hdr(msg));
	offs = tw_offset(msg, bad);
	ASSERT_EQ(0, nla_put_u8(msg, TWAMP_A_CLOCK_SYNCED, 2));
	nla_nest_end(msg, nest);

	ret = tw_transact(&self->nl, msg, &self->a);
	expect_rejected(_metadata, &self->a, ret, -ERANGE, offs,
			"CLOCK_SET synced 2");
	nlmsg_free(msg);
	expect_clock(_metadata, &self->nl, 0, 1000, 0x0587);
}

/* ERROR_ESTIMATE is read-only: derived, never set. */
TEST_F(twamp, clock_set_rejects_error_estimate)
{
	struct nl_msg *msg;
	struct nlattr *nest, *bad;
	long offs;
	int ret;

	set_clock(_metadata, &self->nl, 0, 1000);

	msg = tw_msg(&self->nl, TWAMP_CMD_CLOCK_SET);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, TWAMP_A_CLOCK | NLA_F_NESTED);
	ASSERT_NE(NULL, nest);
	ASSERT_EQ(0, nla_put_u8(msg, TWAMP_A_CLOCK_SYNCED, 1));
	bad = (struct nlattr *)nlmsg_tail(nlmsg_hdr(msg));
	offs = tw_offset(msg, bad);
	ASSERT_EQ(0, nla_put_u16(msg, TWAMP_A_CLOCK_ERROR_ESTIMATE, 0x8001));
	nla_nest_end(msg, nest);

	ret = tw_transact(&self->nl, msg, &self->a);
	expect_rejected(_metadata, &self->a, ret, -EINVAL, offs,
			"CLOCK_SET with ERROR_ESTIMATE");
	nlmsg_free(msg);
	expect_clock(_metadata, &self->nl, 0, 1000, 0x0587);
}

/* Without the TWAMP_A_CLOCK nest there is nothing to do: an error. */
TEST_F(twamp, clock_set_missing_nest)
{
	int ret = tw_simple(&self->nl, TWAMP_CMD_CLOCK_SET, &self->a);

	expect_rejected(_metadata, &self->a, ret, -EINVAL, -1,
			"CLOCK_SET without TWAMP_A_CLOCK");
	if (self->a.has_miss_type)
		EXPECT_EQ((uint32_t)TWAMP_A_CLOCK, self->a.miss_type);
	expect_clock(_metadata, &self->nl, self->saved.synced,
		     self->saved.error_ns, self->saved.estimate);
}

/* An empty nest sets nothing: rejected rather than silently accepted. */
TEST_F(twamp, clock_set_empty_nest)
{
	struct nl_msg *msg = tw_msg(&self->nl, TWAMP_CMD_CLOCK_SET);
	struct nlattr *nest;
	long offs;
	int ret;

	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, TWAMP_A_CLOCK | NLA_F_NESTED);
	ASSERT_NE(NULL, nest);
	offs = tw_offset(msg, nest);
	nla_nest_end_keep_empty(msg, nest);
	ret = tw_transact(&self->nl, msg, &self->a);
	expect_rejected(_metadata, &self->a, ret, -EINVAL, offs,
			"CLOCK_SET with an empty nest");
	nlmsg_free(msg);
}

/* Strict validation: a nest must say so, and sizes must be exact. */
TEST_F(twamp, clock_set_strict_validation)
{
	struct nl_msg *msg;
	struct nlattr *nest, *bad;
	long offs;
	int ret;

	set_clock(_metadata, &self->nl, 0, 1000);

	/* nest without NLA_F_NESTED */
	msg = tw_msg(&self->nl, TWAMP_CMD_CLOCK_SET);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, TWAMP_A_CLOCK);
	ASSERT_NE(NULL, nest);
	nest->nla_type &= ~NLA_F_NESTED;
	offs = tw_offset(msg, nest);
	ASSERT_EQ(0, nla_put_u8(msg, TWAMP_A_CLOCK_SYNCED, 1));
	nla_nest_end(msg, nest);
	ret = tw_transact(&self->nl, msg, &self->a);
	expect_rejected(_metadata, &self->a, ret, -EINVAL, offs,
			"CLOCK_SET nest without NLA_F_NESTED");
	nlmsg_free(msg);

	/* SYNCED as a u32 instead of a u8 */
	msg = tw_msg(&self->nl, TWAMP_CMD_CLOCK_SET);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, TWAMP_A_CLOCK | NLA_F_NESTED);
	ASSERT_NE(NULL, nest);
	bad = (struct nlattr *)nlmsg_tail(nlmsg_hdr(msg));
	offs = tw_offset(msg, bad);
	ASSERT_EQ(0, nla_put_u32(msg, TWAMP_A_CLOCK_SYNCED, 1));
	nla_nest_end(msg, nest);
	ret = tw_transact(&self->nl, msg, &self->a);
	expect_rejected(_metadata, &self->a, ret, -EINVAL, offs,
			"CLOCK_SET with a 4-byte SYNCED");
	nlmsg_free(msg);

	/* ERROR_NS as a u32 instead of a u64 */
	msg = tw_msg(&self->nl, TWAMP_CMD_CLOCK_SET);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, TWAMP_A_CLOCK | NLA_F_NESTED);
	ASSERT_NE(NULL, nest);
	bad = (struct nlattr *)nlmsg_tail(nlmsg_hdr(msg));
	offs = tw_offset(msg, bad);
	ASSERT_EQ(0, nla_put_u32(msg, TWAMP_A_CLOCK_ERROR_NS, 5000));
	nla_nest_end(msg, nest);
	ret = tw_transact(&self->nl, msg, &self->a);
	expect_rejected(_metadata, &self->a, ret, -EINVAL, offs,
			"CLOCK_SET with a 4-byte ERROR_NS");
	nlmsg_free(msg);

	expect_clock(_metadata, &self->nl, 0, 1000, 0x0587);
}

/* Every operation needs CAP_NET_ADMIN; finding the family does not. */
static void expect_eperm(struct __test_metadata *_metadata)
{
	struct tw_answer a = {};
	struct tw_clock c;
	struct tw_info info;
	struct tw_nl nl;
	int err;

	err = tw_open(&nl);
	ASSERT_EQ(0, err) TH_LOG("family: %s", nl_geterror(err));
	EXPECT_EQ(-EPERM, tw_info_get(&nl, &info, &a)) TH_LOG("INFO_GET");
	EXPECT_EQ(-EPERM, tw_clock_get(&nl, &c, &a)) TH_LOG("CLOCK_GET");
	EXPECT_EQ(-EPERM, tw_clock_set_both(&nl, 1, 1, &a))
		TH_LOG("CLOCK_SET");
	EXPECT_EQ(0, a.n_replies);
	tw_answer_reset(&a);
	tw_close(&nl);
}

static void child_no_cap(struct __test_metadata *_metadata, void *arg)
{
	(void)arg;
	ASSERT_EQ(0, drop_cap_net_admin()) TH_LOG("dropping CAP_NET_ADMIN");
	expect_eperm(_metadata);
}

TEST_F(twamp, no_cap_net_admin)
{
	RUN_CHILD(child_no_cap, NULL);
	/* the refused CLOCK_SET changed nothing */
	expect_clock(_metadata, &self->nl, self->saved.synced,
		     self->saved.error_ns, self->saved.estimate);
}

static void child_nobody(struct __test_metadata *_metadata, void *arg)
{
	(void)arg;
	ASSERT_EQ(0, become_nobody()) TH_LOG("becoming uid %d: %m", NOBODY);
	expect_eperm(_metadata);
}

TEST_F(twamp, unprivileged_user)
{
	RUN_CHILD(child_nobody, NULL);
	expect_clock(_metadata, &self->nl, self->saved.synced,
		     self->saved.error_ns, self->saved.estimate);
}

static void child_userns(struct __test_metadata *_metadata, void *arg)
{
	bool own_netns = *(bool *)arg;
	int flags = CLONE_NEWUSER | (own_netns ? CLONE_NEWNET : 0);
	struct stat root, init_root;
	bool chrooted;

	/* only to explain a refusal: our root is not init's */
	chrooted = !stat("/", &root) && !stat("/proc/1/root", &init_root) &&
		   (root.st_dev != init_root.st_dev ||
		    root.st_ino != init_root.st_ino);

	ASSERT_EQ(0, become_nobody()) TH_LOG("becoming uid %d: %m", NOBODY);
	if (unshare(flags)) {
		if (errno == EPERM && chrooted)
			SKIP(return, "unshare(CLONE_NEWUSER): %m: the kernel refuses user namespaces to a chrooted process");
		SKIP(return, "no unprivileged user namespaces: unshare(CLONE_NEWUSER): %m");
	}

	if (own_netns) {
		/* CAP_NET_ADMIN over its own netns: allowed, per namespace */
		struct tw_answer a = {};
		struct tw_info info;
		struct tw_nl nl;
		int err;

		err = tw_open(&nl);
		ASSERT_EQ(0, err) TH_LOG("family: %s", nl_geterror(err));
		ASSERT_EQ(0, tw_info_get(&nl, &info, &a))
			TH_LOG("INFO_GET: %s %s", a.msg, a.why);
		EXPECT_EQ((uint32_t)TWAMP_GENL_VERSION, info.abi);
		expect_clock(_metadata, &nl, 0, DEFAULT_ERROR_NS,
			     DEFAULT_ESTIMATE);
		set_clock(_metadata, &nl, 1, 1000000);
		expect_clock(_metadata, &nl, 1, 1000000, 0x8F84);
		tw_answer_reset(&a);
		tw_close(&nl);
	} else {
		/* CAP_NET_ADMIN, but not over the netns it is in */
		expect_eperm(_metadata);
	}
}

/*
 * GENL_UNS_ADMIN_PERM: an unprivileged user owns a user namespace and the
 * network namespace it creates, not the initial one.
 */
TEST_F(twamp, user_namespace)
{
	bool own_netns = false;

	RUN_CHILD(child_userns, &own_netns);
	own_netns = true;
	RUN_CHILD(child_userns, &own_netns);
	expect_clock(_metadata, &self->nl, self->saved.synced,
		     self->saved.error_ns, self->saved.estimate);
}

static void child_other_netns(struct __test_metadata *_metadata, void *arg)
{
	struct tw_nl nl;
	int err;

	(void)arg;
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %m");
	err = tw_open(&nl);
	ASSERT_EQ(0, err) TH_LOG("family in a new netns: %s", nl_geterror(err));
	/* the parent's non-default state is not visible here */
	expect_clock(_metadata, &nl, 0, DEFAULT_ERROR_NS, DEFAULT_ESTIMATE);
	set_clock(_metadata, &nl, 0, 1000000);
	expect_clock(_metadata, &nl, 0, 1000000, 0x0F84);
	tw_close(&nl);
}

/* Clock state is per network namespace, in both directions. */
TEST_F(twamp, clock_per_netns)
{
	set_clock(_metadata, &self->nl, 1, 1000);
	RUN_CHILD(child_other_netns, NULL);
	expect_clock(_metadata, &self->nl, 1, 1000, 0x8587);
	/* a second new namespace starts from the default, not from the last */
	RUN_CHILD(child_other_netns, NULL);
	expect_clock(_metadata, &self->nl, 1, 1000, 0x8587);
}

/* --- command line client for the shell tests ----------------------------- */

/* twamp_genl: <what>: <kernel message>: <strerror> */
static int cli_fail(const char *what, const struct tw_answer *a, int err)
{
	const char *reason = err == -EBADMSG || err == -EIO ?
			     a->why : strerror(-err);

	if (a->msg[0])
		fprintf(stderr, "twamp_genl: %s: %s: %s\n", what, a->msg,
			reason);
	else
		fprintf(stderr, "twamp_genl: %s: %s\n", what, reason);
	return 1;
}

static int cli_listed(void)
{
	struct nl_cache *cache = NULL;
	struct genl_family *fam;
	struct nl_sock *sk;
	int ret = 1;

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk) || genl_ctrl_alloc_cache(sk, &cache)) {
		fprintf(stderr, "twamp_genl: cannot dump the genl controller\n");
		ret = 2;
		goto out;
	}
	fam = genl_ctrl_search_by_name(cache, TWAMP_GENL_NAME);
	if (fam) {
		printf("family %s id %d\n", TWAMP_GENL_NAME,
		       genl_family_get_id(fam));
		genl_family_put(fam);
		ret = 0;
	}
	nl_cache_free(cache);
out:
	if (sk)
		nl_socket_free(sk);
	return ret;
}

static int cli_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end || *s == '-' ? -1 : 0;
}

static int cli(int argc, char **argv)
{
	struct tw_answer a = {};
	struct tw_nl nl;
	int err, ret = 0;

	if (!strcmp(argv[1], "listed") && argc == 2)
		return cli_listed();
	if (!((!strcmp(argv[1], "info") && argc == 2) ||
	      (!strcmp(argv[1], "clock") && argc == 2) ||
	      (!strcmp(argv[1], "clock-set") && argc == 4))) {
		fprintf(stderr,
			"usage: twamp_genl [info | clock | clock-set SYNCED ERROR_NS | listed]\n");
		return 2;
	}

	err = tw_open(&nl);
	if (err) {
		fprintf(stderr,
			"twamp_genl: generic netlink family %s: %s (is twamp.ko loaded?)\n",
			TWAMP_GENL_NAME, nl_geterror(err));
		return 1;
	}

	if (!strcmp(argv[1], "info")) {
		struct tw_info info;

		err = tw_info_get(&nl, &info, &a);
		if (err) {
			ret = cli_fail("INFO_GET", &a, err);
		} else {
			printf("family %s id %d\n", TWAMP_GENL_NAME, nl.family);
			printf("version %s\n", info.version);
			printf("abi %u\n", info.abi);
			printf("features 0x%" PRIx64 "\n", info.features);
		}
	} else if (!strcmp(argv[1], "clock")) {
		struct tw_clock c;

		err = tw_clock_get(&nl, &c, &a);
		if (err) {
			ret = cli_fail("CLOCK_GET", &a, err);
		} else {
			printf("synced %u\n", c.synced);
			printf("error-ns %" PRIu64 "\n", c.error_ns);
			printf("error-estimate 0x%04x\n", c.estimate);
		}
	} else {
		uint64_t synced, ns;

		if (cli_parse_u64(argv[2], &synced) || synced > 255 ||
		    cli_parse_u64(argv[3], &ns)) {
			fprintf(stderr, "twamp_genl: clock-set SYNCED ERROR_NS\n");
			ret = 2;
		} else {
			err = tw_clock_set_both(&nl, (int)synced, ns, &a);
			if (err)
				ret = cli_fail("CLOCK_SET", &a, err);
		}
	}

	tw_answer_reset(&a);
	tw_close(&nl);
	return ret;
}

int main(int argc, char **argv)
{
	struct tw_nl nl;
	int err;

	if (argc > 1)
		return cli(argc, argv);

	err = tw_open(&nl);
	if (err) {
		if (tw_no_skip())
			ksft_exit_fail_msg("generic netlink family %s: %s (is twamp.ko loaded?)\n",
					   TWAMP_GENL_NAME, nl_geterror(err));
		ksft_exit_skip("generic netlink family %s: %s (is twamp.ko loaded?)\n",
			       TWAMP_GENL_NAME, nl_geterror(err));
	}
	tw_close(&nl);

	return test_harness_run(argc, argv);
}
