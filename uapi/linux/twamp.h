/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * Generic netlink ABI of twamp.ko, the in-kernel TWAMP/STAMP test data path.
 *
 * Family "twamp", version 1. Every object travels as a nested attribute
 * (TWAMP_A_REFLECTOR, TWAMP_A_SESSION, ...) whose members are numbered in
 * their own space. Numbers are never reused or renumbered; new commands and
 * attributes are only appended. See docs/netlink.md for the meaning of each
 * command and attribute and which operation accepts which.
 */
#ifndef _UAPI_LINUX_TWAMP_H
#define _UAPI_LINUX_TWAMP_H

#define TWAMP_GENL_NAME		"twamp"
#define TWAMP_GENL_VERSION	1

/* Multicast group carrying per-packet sender results. */
#define TWAMP_MCGRP_RESULTS	"results"

/* UDP port registered for TWAMP-Test (RFC 8545) and STAMP (RFC 8762). */
#define TWAMP_DEFAULT_PORT	862

enum twamp_cmd {
	TWAMP_CMD_UNSPEC,

	TWAMP_CMD_INFO_GET,		/* module version, ABI, features */

	TWAMP_CMD_CLOCK_GET,		/* per-namespace clock state */
	TWAMP_CMD_CLOCK_SET,

	TWAMP_CMD_REFLECTOR_NEW,
	TWAMP_CMD_REFLECTOR_DEL,
	TWAMP_CMD_REFLECTOR_GET,	/* doit and dumpit */

	TWAMP_CMD_SESSION_NEW,
	TWAMP_CMD_SESSION_DEL,
	TWAMP_CMD_SESSION_GET,		/* doit and dumpit */

	TWAMP_CMD_SENDER_NEW,
	TWAMP_CMD_SENDER_START,
	TWAMP_CMD_SENDER_STOP,
	TWAMP_CMD_SENDER_DEL,
	TWAMP_CMD_SENDER_GET,		/* doit and dumpit, with statistics */

	TWAMP_CMD_RESULT_NTF,		/* multicast: one per sender packet */
	TWAMP_CMD_SENDER_DONE_NTF,	/* multicast: a sender finished */

	__TWAMP_CMD_MAX,
	TWAMP_CMD_MAX = __TWAMP_CMD_MAX - 1
};

/* Top-level attributes: one nest per object kind. */
enum twamp_a {
	TWAMP_A_UNSPEC,
	TWAMP_A_INFO,		/* nest, enum twamp_a_info */
	TWAMP_A_CLOCK,		/* nest, enum twamp_a_clock */
	TWAMP_A_REFLECTOR,	/* nest, enum twamp_a_reflector */
	TWAMP_A_SESSION,	/* nest, enum twamp_a_session */
	TWAMP_A_SENDER,		/* nest, enum twamp_a_sender */
	TWAMP_A_RESULT,		/* nest, enum twamp_a_result */

	__TWAMP_A_MAX,
	TWAMP_A_MAX = __TWAMP_A_MAX - 1
};

/* Feature bits reported in TWAMP_A_INFO_FEATURES. */
enum twamp_feature {
	TWAMP_FEATURE_REFLECTOR		= 1 << 0,
	TWAMP_FEATURE_STAMP		= 1 << 1,
	TWAMP_FEATURE_STATEFUL		= 1 << 2,
	TWAMP_FEATURE_SENDER		= 1 << 3,
	TWAMP_FEATURE_AUTH		= 1 << 4,
	TWAMP_FEATURE_ENCRYPT		= 1 << 5,
	TWAMP_FEATURE_PTP		= 1 << 6,
	TWAMP_FEATURE_HW_TIMESTAMP	= 1 << 7,
};

enum twamp_a_info {
	TWAMP_A_INFO_UNSPEC,
	TWAMP_A_INFO_VERSION,		/* string: module version */
	TWAMP_A_INFO_ABI_VERSION,	/* u32: TWAMP_GENL_VERSION */
	TWAMP_A_INFO_FEATURES,		/* u64: enum twamp_feature bits */
	TWAMP_A_INFO_PAD,
	TWAMP_A_INFO_LIMITS,		/* nest, enum twamp_a_limits */

	__TWAMP_A_INFO_MAX,
	TWAMP_A_INFO_MAX = __TWAMP_A_INFO_MAX - 1
};

/*
 * The namespace's limits and what it uses of them (docs/security.md). The
 * limits are module parameters: read-only here.
 */
enum twamp_a_limits {
	TWAMP_A_LIMITS_UNSPEC,
	TWAMP_A_LIMITS_PAD,
	TWAMP_A_LIMITS_MAX_OBJECTS,	/* u32: reflectors + senders */
	TWAMP_A_LIMITS_OBJECTS,		/* u32: in use */
	TWAMP_A_LIMITS_MAX_SESSIONS,	/* u32: reflector sessions */
	TWAMP_A_LIMITS_SESSIONS,	/* u32: in use */
	TWAMP_A_LIMITS_MAX_SENDER_PPS,	/* u32: packets/s of capped senders */
	TWAMP_A_LIMITS_SENDER_PPS,	/* u64: in use */
	TWAMP_A_LIMITS_RATE_EXEMPT,	/* flag: the caller's senders are
					 * not capped (CAP_NET_ADMIN in the
					 * initial user namespace)
					 */

	__TWAMP_A_LIMITS_MAX,
	TWAMP_A_LIMITS_MAX = __TWAMP_A_LIMITS_MAX - 1
};

enum twamp_a_clock {
	TWAMP_A_CLOCK_UNSPEC,
	TWAMP_A_CLOCK_SYNCED,		/* u8 0/1: S bit of Error Estimates */
	TWAMP_A_CLOCK_ERROR_NS,		/* u64: error bound in nanoseconds */
	TWAMP_A_CLOCK_ERROR_ESTIMATE,	/* u16, read-only: encoded value */
	TWAMP_A_CLOCK_PAD,

	__TWAMP_A_CLOCK_MAX,
	TWAMP_A_CLOCK_MAX = __TWAMP_A_CLOCK_MAX - 1
};

/* Test packet format. */
enum twamp_format {
	TWAMP_FORMAT_LIGHT,		/* TWAMP-Test, RFC 5357 (and Light) */
	TWAMP_FORMAT_STAMP,		/* STAMP, RFC 8762 / RFC 8972 */

	__TWAMP_FORMAT_MAX,
	TWAMP_FORMAT_MAX = __TWAMP_FORMAT_MAX - 1
};

/* Timestamp format written by this end (Z bit of its Error Estimate). */
enum twamp_ts_format {
	TWAMP_TS_NTP,
	TWAMP_TS_PTP,

	__TWAMP_TS_MAX,
	TWAMP_TS_MAX = __TWAMP_TS_MAX - 1
};

/* TWAMP-Test security mode of a session (RFC 5357 section 4). */
enum twamp_security {
	TWAMP_SECURITY_OPEN,
	TWAMP_SECURITY_AUTH,
	TWAMP_SECURITY_ENCRYPT,

	__TWAMP_SECURITY_MAX,
	TWAMP_SECURITY_MAX = __TWAMP_SECURITY_MAX - 1
};

enum twamp_schedule {
	TWAMP_SCHEDULE_PERIODIC,	/* RFC 3432 */
	TWAMP_SCHEDULE_POISSON,		/* RFC 2330 */

	__TWAMP_SCHEDULE_MAX,
	TWAMP_SCHEDULE_MAX = __TWAMP_SCHEDULE_MAX - 1
};

/* A prefix in an access list: nest of enum twamp_a_prefix. */
enum twamp_a_prefix {
	TWAMP_A_PREFIX_UNSPEC,
	TWAMP_A_PREFIX_IPV4,		/* be32 */
	TWAMP_A_PREFIX_IPV6,		/* binary, 16 octets */
	TWAMP_A_PREFIX_LEN,		/* u8 */

	__TWAMP_A_PREFIX_MAX,
	TWAMP_A_PREFIX_MAX = __TWAMP_A_PREFIX_MAX - 1
};

/* Counters: nest of u64 attributes, summed over CPUs. */
enum twamp_a_counters {
	TWAMP_A_COUNTERS_UNSPEC,
	TWAMP_A_COUNTERS_PAD,
	TWAMP_A_COUNTERS_RX,
	TWAMP_A_COUNTERS_TX,
	TWAMP_A_COUNTERS_DROP_SHORT,	/* shorter than the base packet */
	TWAMP_A_COUNTERS_DROP_LENGTH,	/* length inconsistent with format */
	TWAMP_A_COUNTERS_DROP_ACL,	/* source not allowed */
	TWAMP_A_COUNTERS_DROP_RATE,	/* per-source rate limit */
	TWAMP_A_COUNTERS_DROP_NO_SESSION,
	TWAMP_A_COUNTERS_DROP_CSUM,	/* bad UDP checksum */
	TWAMP_A_COUNTERS_DROP_AUTH,	/* HMAC verification failed */
	TWAMP_A_COUNTERS_DROP_INVALID,	/* e.g. Error Estimate multiplier 0 */
	TWAMP_A_COUNTERS_DROP_NOMEM,
	TWAMP_A_COUNTERS_DROP_XMIT,	/* route or output failure */
	TWAMP_A_COUNTERS_DROP_REPLAY,	/* authenticated: sequence seen or too old */
	TWAMP_A_COUNTERS_DROP_SOURCE_LIMIT, /* new sender over the per-source cap */

	__TWAMP_A_COUNTERS_MAX,
	TWAMP_A_COUNTERS_MAX = __TWAMP_A_COUNTERS_MAX - 1
};

enum twamp_a_reflector {
	TWAMP_A_REFLECTOR_UNSPEC,
	TWAMP_A_REFLECTOR_ID,		/* u32, assigned by the kernel */
	TWAMP_A_REFLECTOR_IFINDEX,	/* u32: device or VRF master */
	TWAMP_A_REFLECTOR_LOCAL_IPV4,	/* be32; absent: wildcard */
	TWAMP_A_REFLECTOR_LOCAL_IPV6,	/* binary, 16; absent: wildcard */
	TWAMP_A_REFLECTOR_PORT,		/* u16, default 862 */
	TWAMP_A_REFLECTOR_FORMAT,	/* u8, enum twamp_format */
	TWAMP_A_REFLECTOR_STATEFUL,	/* flag: STAMP stateful reflector */
	TWAMP_A_REFLECTOR_TS_FORMAT,	/* u8, enum twamp_ts_format */
	TWAMP_A_REFLECTOR_DSCP,		/* u8 0..63; absent: keep received */
	TWAMP_A_REFLECTOR_ALLOW,	/* nest of TWAMP_A_PREFIX_* nests */
	TWAMP_A_REFLECTOR_RATE_LIMIT,	/* u32: packets/s per source, 0 off */
	TWAMP_A_REFLECTOR_COUNTERS,	/* nest, read-only */
	TWAMP_A_REFLECTOR_SESSIONS_ONLY, /* flag: reflect only known sessions */
	TWAMP_A_REFLECTOR_BIND,		/* flag: dies with the netlink socket */
	TWAMP_A_REFLECTOR_MAX_DYNAMIC,	/* u32: stateful sessions kept at once */
	TWAMP_A_REFLECTOR_MAX_PER_SOURCE, /* u32: stateful sessions per source */
	TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT, /* u32: stateful idle timeout, ms */
	TWAMP_A_REFLECTOR_DYNAMIC,	/* nest, enum twamp_a_dynamic, read-only */

	__TWAMP_A_REFLECTOR_MAX,
	TWAMP_A_REFLECTOR_MAX = __TWAMP_A_REFLECTOR_MAX - 1
};

enum twamp_a_session {
	TWAMP_A_SESSION_UNSPEC,
	TWAMP_A_SESSION_ID,		/* u32, assigned by the kernel */
	TWAMP_A_SESSION_REFLECTOR_ID,	/* u32 */
	TWAMP_A_SESSION_PEER_IPV4,	/* be32 */
	TWAMP_A_SESSION_PEER_IPV6,	/* binary, 16 */
	TWAMP_A_SESSION_PEER_PORT,	/* u16 */
	TWAMP_A_SESSION_LOCAL_PORT,	/* u16 */
	TWAMP_A_SESSION_SID,		/* binary, 16: TWAMP SID */
	TWAMP_A_SESSION_SSID,		/* u16: STAMP SSID, non-zero */
	TWAMP_A_SESSION_PADDING,	/* u32: sender padding length */
	TWAMP_A_SESSION_REFLECT_OCTETS,	/* u16: RFC 6038 octets to reflect */
	TWAMP_A_SESSION_REFLECT_LEN,	/* u16: padding octets to reflect */
	TWAMP_A_SESSION_SERVER_OCTETS,	/* u16: RFC 6038 server octets */
	TWAMP_A_SESSION_SYMMETRIC,	/* flag: RFC 6038 symmetrical size */
	TWAMP_A_SESSION_REFWAIT,	/* u32: idle timeout, milliseconds */
	TWAMP_A_SESSION_BIND,		/* flag: dies with the netlink socket */
	TWAMP_A_SESSION_DSCP,		/* u8 0..63 (Type-P descriptor) */
	TWAMP_A_SESSION_SECURITY,	/* u8, enum twamp_security */
	TWAMP_A_SESSION_AES_KEY,	/* binary, 16, write-only */
	TWAMP_A_SESSION_HMAC_KEY,	/* binary, 32, write-only */
	TWAMP_A_SESSION_COUNTERS,	/* nest, read-only */
	TWAMP_A_SESSION_PAD,

	__TWAMP_A_SESSION_MAX,
	TWAMP_A_SESSION_MAX = __TWAMP_A_SESSION_MAX - 1
};

enum twamp_a_sender {
	TWAMP_A_SENDER_UNSPEC,
	TWAMP_A_SENDER_ID,		/* u32, assigned by the kernel */
	TWAMP_A_SENDER_IFINDEX,		/* u32: device or VRF master */
	TWAMP_A_SENDER_LOCAL_IPV4,	/* be32 */
	TWAMP_A_SENDER_LOCAL_IPV6,	/* binary, 16 */
	TWAMP_A_SENDER_LOCAL_PORT,	/* u16; absent: ephemeral */
	TWAMP_A_SENDER_REMOTE_IPV4,	/* be32 */
	TWAMP_A_SENDER_REMOTE_IPV6,	/* binary, 16 */
	TWAMP_A_SENDER_REMOTE_PORT,	/* u16, default 862 */
	TWAMP_A_SENDER_FORMAT,		/* u8, enum twamp_format */
	TWAMP_A_SENDER_TS_FORMAT,	/* u8, enum twamp_ts_format */
	TWAMP_A_SENDER_SSID,		/* u16 */
	TWAMP_A_SENDER_DSCP,		/* u8 0..63 */
	TWAMP_A_SENDER_TTL,		/* u8 1..255 */
	TWAMP_A_SENDER_PADDING,		/* u32: octets after the header */
	TWAMP_A_SENDER_COUNT,		/* u32: packets; 0 means until stop */
	TWAMP_A_SENDER_DURATION,	/* u64: nanoseconds */
	TWAMP_A_SENDER_INTERVAL,	/* u64: nanoseconds, mean interval */
	TWAMP_A_SENDER_SCHEDULE,	/* u8, enum twamp_schedule */
	TWAMP_A_SENDER_SEED,		/* u64: Poisson seed; default random */
	TWAMP_A_SENDER_START_TIME,	/* u64: CLOCK_REALTIME ns; 0 now */
	TWAMP_A_SENDER_WAIT,		/* u64: ns to wait for late replies */
	TWAMP_A_SENDER_BIND,		/* flag: dies with the netlink socket */
	TWAMP_A_SENDER_SECURITY,	/* u8, enum twamp_security */
	TWAMP_A_SENDER_SID,		/* binary, 16 */
	TWAMP_A_SENDER_AES_KEY,		/* binary, 16, write-only */
	TWAMP_A_SENDER_HMAC_KEY,	/* binary, 32, write-only */
	TWAMP_A_SENDER_STATE,		/* u8, enum twamp_sender_state */
	TWAMP_A_SENDER_STATS,		/* nest, enum twamp_a_stats */
	TWAMP_A_SENDER_PAD,

	__TWAMP_A_SENDER_MAX,
	TWAMP_A_SENDER_MAX = __TWAMP_A_SENDER_MAX - 1
};

enum twamp_sender_state {
	TWAMP_SENDER_IDLE,
	TWAMP_SENDER_RUNNING,
	TWAMP_SENDER_DRAINING,		/* all sent, waiting for late replies */
	TWAMP_SENDER_DONE,
};

/* Aggregate statistics of a sender; times in nanoseconds. */
enum twamp_a_stats {
	TWAMP_A_STATS_UNSPEC,
	TWAMP_A_STATS_PAD,
	TWAMP_A_STATS_SENT,		/* u64 */
	TWAMP_A_STATS_RECEIVED,		/* u64 */
	TWAMP_A_STATS_LOST,		/* u64, round trip */
	TWAMP_A_STATS_LOST_FORWARD,	/* u64, stateful reflectors only */
	TWAMP_A_STATS_LOST_BACKWARD,	/* u64, stateful reflectors only */
	TWAMP_A_STATS_DUPLICATE,	/* u64 */
	TWAMP_A_STATS_REORDERED,	/* u64, RFC 4737 */
	TWAMP_A_STATS_REORDER_EXTENT_MAX, /* u64 */
	TWAMP_A_STATS_LATE_SENDS,	/* u64: timer fired after deadline */
	TWAMP_A_STATS_LATE_MAX,		/* u64 ns */
	TWAMP_A_STATS_RTT_MIN,		/* s64 */
	TWAMP_A_STATS_RTT_MEAN,		/* s64 */
	TWAMP_A_STATS_RTT_MAX,		/* s64 */
	TWAMP_A_STATS_RTT_STDDEV,	/* u64 */
	TWAMP_A_STATS_RTT_P50,		/* s64 */
	TWAMP_A_STATS_RTT_P90,		/* s64 */
	TWAMP_A_STATS_RTT_P99,		/* s64 */
	TWAMP_A_STATS_IPDV_MEAN,	/* s64, RFC 3393 mean |IPDV| */
	TWAMP_A_STATS_IPDV_MAX,		/* s64 */
	TWAMP_A_STATS_PDV_P99,		/* u64, RFC 5481 */
	TWAMP_A_STATS_JITTER_FWD,	/* u64, RFC 3550 on T1 -> T2 */
	TWAMP_A_STATS_JITTER_BWD,	/* u64, RFC 3550 on T3 -> T4 */
	TWAMP_A_STATS_JITTER_RTT,	/* u64, RFC 3550 over round trip */
	TWAMP_A_STATS_RESIDENCE_MIN,	/* s64: T3 - T2 */
	TWAMP_A_STATS_RESIDENCE_MEAN,	/* s64 */
	TWAMP_A_STATS_RESIDENCE_MAX,	/* s64 */
	TWAMP_A_STATS_OWD_FWD_MEAN,	/* s64, only when both ends synced */
	TWAMP_A_STATS_OWD_BWD_MEAN,	/* s64, only when both ends synced */
	TWAMP_A_STATS_RESULTS_DROPPED,	/* u64: multicast records not sent */
	TWAMP_A_STATS_AUTH_FAILED,	/* u64: replies failing the HMAC */
	TWAMP_A_STATS_SKIPPED,		/* u64: deadlines passed unsent */

	__TWAMP_A_STATS_MAX,
	TWAMP_A_STATS_MAX = __TWAMP_A_STATS_MAX - 1
};

/* Result flags of a per-packet record. */
enum twamp_result_flag {
	TWAMP_RESULT_LOST	= 1 << 0,
	TWAMP_RESULT_DUPLICATE	= 1 << 1,
	TWAMP_RESULT_REORDERED	= 1 << 2,
	TWAMP_RESULT_SYNCED	= 1 << 3,	/* both Error Estimates synced */
};

/* One per-packet record on the results group. */
enum twamp_a_result {
	TWAMP_A_RESULT_UNSPEC,
	TWAMP_A_RESULT_PAD,
	TWAMP_A_RESULT_SENDER_ID,	/* u32 */
	TWAMP_A_RESULT_SEQ,		/* u32: sender sequence number */
	TWAMP_A_RESULT_REFLECTOR_SEQ,	/* u32 */
	TWAMP_A_RESULT_T1,		/* u64: ns, CLOCK_REALTIME scale */
	TWAMP_A_RESULT_T2,		/* u64 */
	TWAMP_A_RESULT_T3,		/* u64 */
	TWAMP_A_RESULT_T4,		/* u64 */
	TWAMP_A_RESULT_SENDER_TTL,	/* u8: as seen by the reflector */
	TWAMP_A_RESULT_REFLECTOR_TTL,	/* u8: as seen by the sender */
	TWAMP_A_RESULT_DSCP,		/* u8: received on the reply */
	TWAMP_A_RESULT_SIZE,		/* u32: UDP payload octets */
	TWAMP_A_RESULT_FLAGS,		/* u32, enum twamp_result_flag */
	TWAMP_A_RESULT_REFLECTOR_ERR,	/* u16: reflector Error Estimate */
	TWAMP_A_RESULT_DROPPED,		/* u64: records lost before this one */

	__TWAMP_A_RESULT_MAX,
	TWAMP_A_RESULT_MAX = __TWAMP_A_RESULT_MAX - 1
};

/* The stateful session table of a reflector: nest of these. */
enum twamp_a_dynamic {
	TWAMP_A_DYNAMIC_UNSPEC,
	TWAMP_A_DYNAMIC_PAD,
	TWAMP_A_DYNAMIC_SESSIONS,	/* u32: stateful sessions now */
	TWAMP_A_DYNAMIC_CREATED,	/* u64: stateful sessions made */
	TWAMP_A_DYNAMIC_EVICTED,	/* u64: removed to make room */
	TWAMP_A_DYNAMIC_EXPIRED,	/* u64: removed after their REFWAIT */

	__TWAMP_A_DYNAMIC_MAX,
	TWAMP_A_DYNAMIC_MAX = __TWAMP_A_DYNAMIC_MAX - 1
};

#endif /* _UAPI_LINUX_TWAMP_H */
