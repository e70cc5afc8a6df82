// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-ctl dump: the kernel objects of this network namespace as the
 * commands (or twampd.conf lines) that make them again, as wg showconf and
 * nft list ruleset do. What cannot be made again from userspace is named
 * in a comment line, never left out silently and never faked: objects
 * bound to another process's socket, sessions a stateful reflector may
 * have learnt from traffic, and keys, which the kernel never reports.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/twamp.h>

#include "ctl.h"
#include "nl.h"
#include "reflector.h"
#include "sender.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s dump [--conf]\n"
		"Print the kernel's reflectors, sessions and senders as the %s\n"
		"commands that make them again (a POSIX shell script), or with\n"
		"--conf the reflectors as twampd.conf 'reflector' lines. Objects\n"
		"bound to another process (twampd's, ping's, test's), sessions of\n"
		"stateful reflectors and keys cannot be dumped: comment lines say\n"
		"which were left out and why.\n", PROG_NAME, PROG_NAME);
}

/* What one dump of each object kind brought back, in ID order. */
struct objects {
	struct reflector *refl;
	struct session *sess;
	struct sender *snd;
	size_t n_refl, n_sess, n_snd;
};

/* Room for one more element of @n in @array; NULL when out of memory. */
static void *grow(void **array, size_t n, size_t size)
{
	void *p = realloc(*array, (n + 1) * size);

	if (!p)
		return NULL;
	*array = p;
	return (char *)p + n * size;
}

static int refl_cb(const struct nlmsghdr *nlh, void *data)
{
	struct objects *o = data;
	struct reflector *r = grow((void **)&o->refl, o->n_refl, sizeof(*r));

	if (!r || reflector_parse(nlh, r))
		return MNL_CB_ERROR;
	o->n_refl++;
	return MNL_CB_OK;
}

static int sess_cb(const struct nlmsghdr *nlh, void *data)
{
	struct objects *o = data;
	struct session *s = grow((void **)&o->sess, o->n_sess, sizeof(*s));

	if (!s || session_parse(nlh, s))
		return MNL_CB_ERROR;
	o->n_sess++;
	return MNL_CB_OK;
}

static int snd_cb(const struct nlmsghdr *nlh, void *data)
{
	struct objects *o = data;
	struct sender *s = grow((void **)&o->snd, o->n_snd, sizeof(*s));

	if (!s || sender_parse_msg(nlh, s))
		return MNL_CB_ERROR;
	o->n_snd++;
	return MNL_CB_OK;
}

static int fetch(struct tnl *nl, struct objects *o)
{
	static const struct {
		uint8_t cmd;
		mnl_cb_t cb;
		const char *what;
	} dumps[] = {
		{ TWAMP_CMD_REFLECTOR_GET, refl_cb, "dumping reflectors" },
		{ TWAMP_CMD_SESSION_GET, sess_cb, "dumping sessions" },
		{ TWAMP_CMD_SENDER_GET, snd_cb, "dumping senders" },
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		err = tnl_talk(nl, tnl_msg(nl, dumps[i].cmd, NLM_F_DUMP),
			       dumps[i].cb, o);
		/* a module without senders still dumps the rest */
		if (err == -EOPNOTSUPP && dumps[i].cmd == TWAMP_CMD_SENDER_GET &&
		    !nl->ext_msg[0])
			continue;
		if (err) {
			tnl_perror(nl, dumps[i].what, err);
			return -1;
		}
	}
	return 0;
}

static const struct reflector *find_refl(const struct objects *o, uint32_t id)
{
	size_t i;

	for (i = 0; i < o->n_refl; i++)
		if (o->refl[i].id == id)
			return &o->refl[i];
	return NULL;
}

/* A duration in the largest unit that keeps it exact: "60s", "250ms". */
static const char *duration(char *buf, size_t len, uint64_t ns)
{
	if (ns && !(ns % 1000000000))
		snprintf(buf, len, "%" PRIu64 "s", ns / 1000000000);
	else if (ns && !(ns % 1000000))
		snprintf(buf, len, "%" PRIu64 "ms", ns / 1000000);
	else if (ns && !(ns % 1000))
		snprintf(buf, len, "%" PRIu64 "us", ns / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	return buf;
}

/*
 * The words of a reflector, the same for "twamp-ctl reflector add" and a
 * twampd.conf "reflector" line; -1 (nothing printed) when its device is
 * gone.
 */
static int refl_words(FILE *f, const struct reflector *r)
{
	char ifname[IF_NAMESIZE], buf[32];
	unsigned int i;

	if (r->ifindex && !if_indextoname(r->ifindex, ifname))
		return -1;
	if (r->family)
		fprintf(f, " local %s", r->local);
	fprintf(f, " port %u", r->port);
	if (r->ifindex)
		fprintf(f, " dev %s", ifname);
	fprintf(f, " format %s", r->format == TWAMP_FORMAT_STAMP ? "stamp" :
							       "light");
	if (r->ts_format == TWAMP_TS_PTP)
		fprintf(f, " ts ptp");
	if (r->dscp >= 0)
		fprintf(f, " dscp %d", r->dscp);
	for (i = 0; i < r->n_allow; i++)
		fprintf(f, " allow %s", r->allow[i]);
	if (r->rate_limit)
		fprintf(f, " rate-limit %" PRIu32, r->rate_limit);
	if (r->sessions_only)
		fprintf(f, " sessions-only");
	if (r->stateful)
		fprintf(f, " stateful max-dynamic %" PRIu32
			" max-per-source %" PRIu32 " dynamic-refwait %s",
			r->max_dynamic, r->max_per_source,
			duration(buf, sizeof(buf),
				 (uint64_t)r->dynamic_refwait * 1000000));
	return 0;
}

/* Whether a session of @o can be made again with twamp-ctl session add. */
static bool sess_dumpable(const struct objects *o, const struct session *s)
{
	const struct reflector *r = find_refl(o, s->reflector);

	return r && !r->bound && !r->stateful && !s->bound;
}

static bool refl_has_sessions(const struct objects *o, uint32_t id)
{
	size_t i;

	for (i = 0; i < o->n_sess; i++)
		if (o->sess[i].reflector == id && sess_dumpable(o, &o->sess[i]))
			return true;
	return false;
}

/*
 * A command whose new ID a later line needs: VAR=$(twamp-ctl ...), alone
 * so that set -e stops at its failure, then the ID out of its first line
 * of output, "<object> ID: ...".
 */
static void capture_start(const char *var)
{
	printf("%s=$(%s", var, PROG_NAME);
}

static void capture_end(const char *var, const char *object)
{
	printf(")\n%s=${%s#%s }; %s=${%s%%%%:*}\n", var, var, object, var,
	       var);
}

static void dump_reflectors(const struct objects *o, bool conf)
{
	const struct reflector *r;
	char var[16];
	size_t i;

	for (i = 0; i < o->n_refl; i++) {
		r = &o->refl[i];
		if (r->bound) {
			printf("# reflector %" PRIu32 " (port %u) not dumped: it is bound to the socket of the process that made it (a twampd.conf reflector line?) and goes with it\n",
			       r->id, r->port);
			continue;
		}
		snprintf(var, sizeof(var), "r%" PRIu32, r->id);
		if (conf) {
			printf("reflector");
		} else if (refl_has_sessions(o, r->id)) {
			capture_start(var);
			printf(" reflector add");
		} else {
			printf("%s reflector add", PROG_NAME);
		}
		if (refl_words(stdout, r)) {
			printf("\n# reflector %" PRIu32 " not dumped: its device (ifindex %" PRIu32 ") is gone\n",
			       r->id, r->ifindex);
			continue;
		}
		if (!conf && refl_has_sessions(o, r->id))
			capture_end(var, "reflector");
		else
			printf("\n");
	}
}

static void session_words(const struct session *s)
{
	char buf[32];

	printf("%s session add reflector \"$r%" PRIu32 "\" peer %s port %u",
	       PROG_NAME, s->reflector, s->peer, s->peer_port);
	if (s->ssid)
		printf(" ssid %u", s->ssid);
	if (s->dscp >= 0)
		printf(" dscp %d", s->dscp);
	printf(" refwait %s", duration(buf, sizeof(buf),
				       (uint64_t)s->refwait * 1000000));
	if (s->reflect_len)
		printf(" reflect-len %u", s->reflect_len);
	if (s->security)
		printf(" security %s", security_name(s->security));
}

static void dump_sessions(const struct objects *o, bool conf)
{
	const struct reflector *r;
	const struct session *s;
	size_t i;

	for (i = 0; i < o->n_sess; i++) {
		s = &o->sess[i];
		r = find_refl(o, s->reflector);
		if (!conf && sess_dumpable(o, s) && !s->security) {
			session_words(s);
			printf("\n");
			continue;
		}
		printf("# session %" PRIu32 " (reflector %" PRIu32 ", peer %s port %u) ",
		       s->id, s->reflector, s->peer, s->peer_port);
		if (conf) {
			printf("not dumped: twampd.conf has no sessions\n");
		} else if (s->bound) {
			printf("not dumped: it is bound to the socket of the process that made it (twampd's TWAMP-Control session?)\n");
		} else if (!r || r->bound) {
			printf("not dumped: its reflector is not dumped\n");
		} else if (r->stateful) {
			printf("not dumped: a stateful reflector learns sessions from traffic, and the kernel does not say which of its sessions were added\n");
		} else {
			printf("is %s: its keys are write-only in the kernel and not shown; this command needs aes-key HEX hmac-key HEX:\n# ",
			       security_name(s->security));
			session_words(s);
			printf("\n");
		}
	}
}

static bool keyed(const struct sender *s)
{
	return s->has[TWAMP_A_SENDER_SECURITY] &&
	       s->v[TWAMP_A_SENDER_SECURITY] != TWAMP_SECURITY_OPEN;
}

static void sender_words(const struct sender *s)
{
	static const char *const security[] = { "open", "auth", "encrypt" };
	char ifname[IF_NAMESIZE], buf[INET6_ADDRSTRLEN];
	struct timespec now;
	uint64_t v;

	inet_ntop(s->remote_family, s->remote, buf, sizeof(buf));
	printf(" sender add %s", buf);
	if (s->has[TWAMP_A_SENDER_REMOTE_PORT])
		printf(" port %" PRIu64, s->v[TWAMP_A_SENDER_REMOTE_PORT]);
	if (s->local_family) {
		inet_ntop(s->local_family, s->local, buf, sizeof(buf));
		printf(" local %s", buf);
	}
	if (s->v[TWAMP_A_SENDER_LOCAL_PORT])
		printf(" local-port %" PRIu64, s->v[TWAMP_A_SENDER_LOCAL_PORT]);
	if (s->v[TWAMP_A_SENDER_IFINDEX] &&
	    if_indextoname(s->v[TWAMP_A_SENDER_IFINDEX], ifname))
		printf(" dev %s", ifname);
	if (s->has[TWAMP_A_SENDER_FORMAT])
		printf(" format %s", format_str(s->v[TWAMP_A_SENDER_FORMAT]));
	if (s->has[TWAMP_A_SENDER_TS_FORMAT])
		printf(" ts %s", ts_format_str(s->v[TWAMP_A_SENDER_TS_FORMAT]));
	if (s->has[TWAMP_A_SENDER_SSID])
		printf(" ssid %" PRIu64, s->v[TWAMP_A_SENDER_SSID]);
	if (s->has[TWAMP_A_SENDER_DSCP])
		printf(" dscp %" PRIu64, s->v[TWAMP_A_SENDER_DSCP]);
	if (s->has[TWAMP_A_SENDER_TTL])
		printf(" ttl %" PRIu64, s->v[TWAMP_A_SENDER_TTL]);
	if (s->has[TWAMP_A_SENDER_PADDING])
		printf(" padding %" PRIu64, s->v[TWAMP_A_SENDER_PADDING]);
	if (s->has[TWAMP_A_SENDER_COUNT])
		printf(" count %" PRIu64, s->v[TWAMP_A_SENDER_COUNT]);
	if (s->v[TWAMP_A_SENDER_DURATION])
		printf(" duration %s", duration(buf, sizeof(buf),
						s->v[TWAMP_A_SENDER_DURATION]));
	if (s->has[TWAMP_A_SENDER_INTERVAL])
		printf(" interval %s", duration(buf, sizeof(buf),
						s->v[TWAMP_A_SENDER_INTERVAL]));
	if (s->has[TWAMP_A_SENDER_SCHEDULE])
		printf(" schedule %s",
		       schedule_str(s->v[TWAMP_A_SENDER_SCHEDULE]));
	if (s->v[TWAMP_A_SENDER_SCHEDULE] == TWAMP_SCHEDULE_POISSON &&
	    s->has[TWAMP_A_SENDER_SEED])
		printf(" seed %" PRIu64, s->v[TWAMP_A_SENDER_SEED]);
	/* a start time already past would only delay nothing */
	v = s->v[TWAMP_A_SENDER_START_TIME];
	clock_gettime(CLOCK_REALTIME, &now);
	if (v > (uint64_t)now.tv_sec * 1000000000 + now.tv_nsec)
		printf(" start-time %" PRIu64, v);
	if (s->has[TWAMP_A_SENDER_WAIT])
		printf(" wait %s", duration(buf, sizeof(buf),
					    s->v[TWAMP_A_SENDER_WAIT]));
	if (keyed(s) && s->v[TWAMP_A_SENDER_SECURITY] < 3)
		printf(" security %s", security[s->v[TWAMP_A_SENDER_SECURITY]]);
}

static void dump_senders(const struct objects *o, bool conf)
{
	const struct sender *s;
	bool running;
	uint64_t id;
	char var[16];
	size_t i;

	for (i = 0; i < o->n_snd; i++) {
		s = &o->snd[i];
		id = s->v[TWAMP_A_SENDER_ID];
		running = s->v[TWAMP_A_SENDER_STATE] == TWAMP_SENDER_RUNNING ||
			  s->v[TWAMP_A_SENDER_STATE] == TWAMP_SENDER_DRAINING;
		snprintf(var, sizeof(var), "s%" PRIu64, id);
		if (conf) {
			printf("# sender %" PRIu64 " not dumped: twampd.conf has no senders\n",
			       id);
		} else if (s->has[TWAMP_A_SENDER_BIND]) {
			printf("# sender %" PRIu64 " not dumped: it is bound to the socket of the process that made it (twamp-ctl ping or test?)\n",
			       id);
		} else if (!s->remote_family) {
			printf("# sender %" PRIu64 " not dumped: the kernel did not report its reflector\n",
			       id);
		} else if (keyed(s)) {
			printf("# sender %" PRIu64 " is %s: its keys are write-only in the kernel and not shown; this command needs aes-key HEX hmac-key HEX (and sid HEX):\n# %s",
			       id, s->v[TWAMP_A_SENDER_SECURITY] ==
			       TWAMP_SECURITY_AUTH ? "authenticated" : "encrypted",
			       PROG_NAME);
			sender_words(s);
			printf("\n");
		} else if (running) {
			printf("# sender %" PRIu64 " was %s; started again, it begins its count and duration anew\n",
			       id, state_str(s->v[TWAMP_A_SENDER_STATE]));
			capture_start(var);
			sender_words(s);
			capture_end(var, "sender");
			printf("%s sender start \"$%s\"\n", PROG_NAME, var);
		} else {
			printf("%s", PROG_NAME);
			sender_words(s);
			printf("\n");
		}
	}
}

int cmd_dump(int argc, char *argv[])
{
	struct objects o = { 0 };
	bool conf = false;
	struct tnl nl;
	int i, ret = 1;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--conf") || !strcmp(argv[i], "conf")) {
			conf = true;
		} else {
			fprintf(stderr, "%s: dump: unknown argument '%s'\n",
				PROG_NAME, argv[i]);
			usage(stderr);
			return 1;
		}
	}
	if (ctl_json) {
		fprintf(stderr, "%s: dump has no JSON form; 'reflector show -j', 'session show -j' and 'sender show -j' have one\n",
			PROG_NAME);
		return 1;
	}
	if (tnl_open(&nl))
		return 1;
	if (fetch(&nl, &o))
		goto out;
	if (conf) {
		printf("# %s dump --conf: the kernel reflectors as twampd.conf lines\n",
		       PROG_NAME);
	} else {
		printf("# %s dump: the kernel objects as the commands that make them again;\n"
		       "# run with sh in the same network namespace. New objects get new IDs.\n"
		       "set -e\n", PROG_NAME);
	}
	dump_reflectors(&o, conf);
	dump_sessions(&o, conf);
	dump_senders(&o, conf);
	ret = fflush(stdout) ? 1 : 0;
	if (ret)
		fprintf(stderr, "%s: dump: %s\n", PROG_NAME, strerror(errno));
out:
	free(o.refl);
	free(o.sess);
	free(o.snd);
	tnl_close(&nl);
	return ret;
}
