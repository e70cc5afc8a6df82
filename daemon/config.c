// SPDX-License-Identifier: GPL-2.0
/*
 * The config file is a list of "key value" lines; '#' starts a comment,
 * blank lines are ignored. Keys are the long command-line options without
 * their dashes, so the man page documents both at once.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "control/control.h"

void cfg_defaults(struct twampd_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->port = TWC_PORT;
	c->backend = CFG_BACKEND_AUTO;
	c->modes = TWC_MODE_OPEN;
	c->count = 4096;
	c->port_min = 20000;
	c->port_max = 20999;
	c->max_conns = 64;
	c->max_sessions = 16;
	c->servwait = 900;
	c->refwait = 900;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* ADDR, ADDR:PORT, [V6ADDR]:PORT or a bare IPv6 address. */
static int parse_listen(const char *s, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *colon = strchr(s, ':');
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	unsigned long p = 0;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || (end[1] && end[1] != ':'))
			return -1;
		n = end - s - 1;
		if (end[1] == ':')
			port = end + 2;
		s++;
	} else if (colon && !strchr(colon + 1, ':')) {
		n = colon - s;
		port = colon + 1;
	} else {
		n = strlen(s);
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (port && parse_uint(port, 1, 65535, &p))
		return -1;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p);
		return 0;
	}
	return -1;
}

static const struct {
	const char *name;
	uint32_t bit;
} mode_names[] = {
	{ "open", TWC_MODE_OPEN },
	{ "auth", TWC_MODE_AUTH },
	{ "encrypt", TWC_MODE_ENCRYPT },
	{ "mixed", TWC_MODE_MIXED },
	{ "individual", TWC_MODE_INDIVIDUAL },
	{ "reflect-octets", TWC_MODE_REFLECT_OCTETS },
	{ "symmetric", TWC_MODE_SYMMETRIC },
	{ "ptp", TWC_MODE_PTP },
};

static int parse_modes(const char *s, uint32_t *out)
{
	uint32_t modes = 0;
	const char *p = s;
	unsigned long v;

	if (!parse_uint(s, 1, UINT32_MAX, &v)) {
		*out = v;
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned int i;

		for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
			if (strlen(mode_names[i].name) == n &&
			    !strncmp(p, mode_names[i].name, n))
				break;
		if (i == sizeof(mode_names) / sizeof(mode_names[0]))
			return -1;
		modes |= mode_names[i].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!modes)
		return -1;
	*out = modes;
	return 0;
}

const char *cfg_modes_str(uint32_t modes, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (modes & mode_names[i].bit)
			off += snprintf(buf + off, off < len ? len - off : 0,
					"%s%s", off ? "," : "",
					mode_names[i].name);
	if (!off)
		snprintf(buf, len, "none");
	return buf;
}

const char *cfg_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

const char *cfg_ip_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = NULL;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (!a || !inet_ntop(sa->sa_family, a, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

static int bad(char *err, size_t errlen, const char *key, const char *val,
	       const char *want)
{
	snprintf(err, errlen, "%s: invalid value '%s' (%s)", key, val, want);
	return -1;
}

static int set_bool(bool *b, const char *key, const char *val, char *err,
		    size_t errlen)
{
	if (!strcmp(val, "yes") || !strcmp(val, "on") || !strcmp(val, "1"))
		*b = true;
	else if (!strcmp(val, "no") || !strcmp(val, "off") || !strcmp(val, "0"))
		*b = false;
	else
		return bad(err, errlen, key, val, "yes or no");
	return 0;
}

static int add_prefix(struct twc_prefix *list, unsigned int *n,
		      const char *key, const char *val, char *err,
		      size_t errlen)
{
	if (*n == CFG_MAX_ALLOW) {
		snprintf(err, errlen, "%s: at most %d prefixes", key,
			 CFG_MAX_ALLOW);
		return -1;
	}
	if (twc_prefix_parse(val, &list[*n]))
		return bad(err, errlen, key, val, "ADDR[/LEN]");
	(*n)++;
	return 0;
}

/* "500ms", "30s" or "2m", in milliseconds. */
static int parse_ms(const char *s, unsigned long *out)
{
	static const struct {
		const char *unit;
		unsigned long ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 } };
	char num[16];
	size_t n = strspn(s, "0123456789");
	unsigned long v;
	unsigned int i;

	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_uint(num, 0, 1UL << 31, &v))
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(s + n, units[i].unit)) {
			*out = v * units[i].ms;
			return 0;
		}
	return -1;
}

/* Longest value the kernel takes for a stateful reflector's limits. */
#define REFL_MAX_SESSIONS	65536
#define REFL_MIN_REFWAIT_MS	100
#define REFL_MAX_REFWAIT_MS	3600000

/*
 * "reflector [local ADDR] [port PORT] ...", each word checked here so that
 * the kernel refuses none for its form; only what depends on the host
 * (the device, the address, the port being free) is left to it.
 */
static int parse_reflector(struct twampd_cfg *c, const char *val, char *err,
			   size_t errlen)
{
	struct cfg_reflector *r;
	char buf[1024], *save = NULL, *key, *arg;
	unsigned long v;

	if (c->n_reflectors == CFG_MAX_REFLECTORS) {
		snprintf(err, errlen, "reflector: at most %d reflectors",
			 CFG_MAX_REFLECTORS);
		return -1;
	}
	if (strlen(val) >= sizeof(buf))
		return bad(err, errlen, "reflector", val, "too long");
	strcpy(buf, val);
	r = &c->reflectors[c->n_reflectors];
	memset(r, 0, sizeof(*r));
	r->port = TWC_PORT;
	r->dscp = -1;
	r->max_dynamic = r->max_per_source = r->refwait_ms = -1;
	for (key = strtok_r(buf, " \t", &save); key;
	     key = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(key, "stateful")) {
			r->stateful = true;
			continue;
		}
		if (!strcmp(key, "sessions-only")) {
			r->sessions_only = true;
			continue;
		}
		arg = strtok_r(NULL, " \t", &save);
		if (!strcmp(key, "local") || !strcmp(key, "port") ||
		    !strcmp(key, "dev") || !strcmp(key, "format") ||
		    !strcmp(key, "ts") || !strcmp(key, "dscp") ||
		    !strcmp(key, "allow") || !strcmp(key, "rate-limit") ||
		    !strcmp(key, "max-dynamic") ||
		    !strcmp(key, "max-per-source") ||
		    !strcmp(key, "dynamic-refwait")) {
			if (!arg) {
				snprintf(err, errlen,
					 "reflector: '%s' needs a value", key);
				return -1;
			}
		} else {
			snprintf(err, errlen,
				 "reflector: unknown word '%s' (local, port, dev, format, ts, dscp, allow, rate-limit, stateful, sessions-only, max-dynamic, max-per-source, dynamic-refwait)",
				 key);
			return -1;
		}
		if (!strcmp(key, "local")) {
			struct sockaddr_storage *ss = &r->local;

			if (parse_listen(arg, ss) || strchr(arg, ']') ||
			    (ss->ss_family == AF_INET &&
			     ((struct sockaddr_in *)ss)->sin_port))
				return bad(err, errlen, "reflector local", arg,
					   "an IPv4 or IPv6 address");
		} else if (!strcmp(key, "port")) {
			if (parse_uint(arg, 1, 65535, &v))
				return bad(err, errlen, "reflector port", arg,
					   "1 to 65535");
			r->port = v;
		} else if (!strcmp(key, "dev")) {
			if (strlen(arg) >= sizeof(r->dev))
				return bad(err, errlen, "reflector dev", arg,
					   "an interface name, at most 15 characters");
			strcpy(r->dev, arg);
		} else if (!strcmp(key, "format")) {
			if (strcmp(arg, "light") && strcmp(arg, "stamp"))
				return bad(err, errlen, "reflector format", arg,
					   "light or stamp");
			r->stamp = !strcmp(arg, "stamp");
		} else if (!strcmp(key, "ts")) {
			if (strcmp(arg, "ntp") && strcmp(arg, "ptp"))
				return bad(err, errlen, "reflector ts", arg,
					   "ntp or ptp");
			r->ptp = !strcmp(arg, "ptp");
		} else if (!strcmp(key, "dscp")) {
			if (!strcmp(arg, "keep"))
				r->dscp = -1;
			else if (parse_uint(arg, 0, 63, &v))
				return bad(err, errlen, "reflector dscp", arg,
					   "0 to 63, or keep");
			else
				r->dscp = v;
		} else if (!strcmp(key, "allow")) {
			if (add_prefix(r->allow, &r->n_allow, "reflector allow",
				       arg, err, errlen))
				return -1;
		} else if (!strcmp(key, "rate-limit")) {
			if (parse_uint(arg, 0, 10000000, &v))
				return bad(err, errlen, "reflector rate-limit",
					   arg, "packets/s, 0 to 10000000; 0: off");
			r->rate_limit = v;
		} else if (!strcmp(key, "max-dynamic") ||
			   !strcmp(key, "max-per-source")) {
			if (parse_uint(arg, 1, REFL_MAX_SESSIONS, &v)) {
				snprintf(err, errlen,
					 "reflector %s: invalid value '%s' (1 to 65536)",
					 key, arg);
				return -1;
			}
			if (!strcmp(key, "max-dynamic"))
				r->max_dynamic = v;
			else
				r->max_per_source = v;
		} else {
			if (parse_ms(arg, &v) || v < REFL_MIN_REFWAIT_MS ||
			    v > REFL_MAX_REFWAIT_MS)
				return bad(err, errlen, "reflector dynamic-refwait",
					   arg, "100ms to 3600s, e.g. 500ms, 30s or 2m");
			r->refwait_ms = v;
		}
	}
	if (r->stateful && !r->stamp) {
		snprintf(err, errlen,
			 "reflector: stateful needs format stamp");
		return -1;
	}
	if (!r->stateful && (r->max_dynamic >= 0 || r->max_per_source >= 0 ||
			     r->refwait_ms >= 0)) {
		snprintf(err, errlen,
			 "reflector: max-dynamic, max-per-source and dynamic-refwait need stateful");
		return -1;
	}
	c->n_reflectors++;
	return 0;
}

const char *cfg_reflector_str(const struct cfg_reflector *r, char *buf,
			      size_t len)
{
	char a[INET6_ADDRSTRLEN];
	size_t off = 0;
	unsigned int i;

#define OUT(...) (off += snprintf(buf + off, off < len ? len - off : 0, \
				  __VA_ARGS__))
	buf[0] = '\0';
	if (r->local.ss_family)
		OUT("local %s ", cfg_ip_str((const struct sockaddr *)&r->local,
					    a, sizeof(a)));
	OUT("port %u", r->port);
	if (r->dev[0])
		OUT(" dev %s", r->dev);
	OUT(" format %s", r->stamp ? "stamp" : "light");
	if (r->ptp)
		OUT(" ts ptp");
	if (r->dscp >= 0)
		OUT(" dscp %d", r->dscp);
	for (i = 0; i < r->n_allow; i++) {
		char p[INET6_ADDRSTRLEN];

		inet_ntop(r->allow[i].family, r->allow[i].addr, p, sizeof(p));
		OUT(" allow %s/%u", p, r->allow[i].len);
	}
	if (r->rate_limit)
		OUT(" rate-limit %u", r->rate_limit);
	if (r->stateful)
		OUT(" stateful");
	if (r->sessions_only)
		OUT(" sessions-only");
	if (r->max_dynamic >= 0)
		OUT(" max-dynamic %ld", r->max_dynamic);
	if (r->max_per_source >= 0)
		OUT(" max-per-source %ld", r->max_per_source);
	if (r->refwait_ms >= 0)
		OUT(" dynamic-refwait %ldms", r->refwait_ms);
#undef OUT
	return buf;
}

int cfg_set(struct twampd_cfg *c, const char *key, const char *val,
	    char *err, size_t errlen)
{
	unsigned long v, w;

	if (!strcmp(key, "listen")) {
		if (c->n_listen == CFG_MAX_LISTEN) {
			snprintf(err, errlen, "listen: at most %d addresses",
				 CFG_MAX_LISTEN);
			return -1;
		}
		if (parse_listen(val, &c->listen[c->n_listen].addr))
			return bad(err, errlen, key, val,
				   "ADDR, ADDR:PORT or [ADDR]:PORT");
		c->n_listen++;
	} else if (!strcmp(key, "port")) {
		if (parse_uint(val, 1, 65535, &v))
			return bad(err, errlen, key, val, "1 to 65535");
		c->port = v;
	} else if (!strcmp(key, "backend")) {
		if (!strcmp(val, "auto"))
			c->backend = CFG_BACKEND_AUTO;
		else if (!strcmp(val, "kernel"))
			c->backend = CFG_BACKEND_KERNEL;
		else if (!strcmp(val, "user"))
			c->backend = CFG_BACKEND_USER;
		else
			return bad(err, errlen, key, val, "auto, kernel or user");
	} else if (!strcmp(key, "modes")) {
		if (parse_modes(val, &c->modes))
			return bad(err, errlen, key, val,
				   "comma-separated open, auth, encrypt, mixed, individual, reflect-octets");
	} else if (!strcmp(key, "key-file")) {
		if (strlen(val) >= sizeof(c->key_file))
			return bad(err, errlen, key, val, "too long");
		strcpy(c->key_file, val);
	} else if (!strcmp(key, "pbkdf2-count")) {
		if (parse_uint(val, 1024, 1UL << 24, &v) || (v & (v - 1)))
			return bad(err, errlen, key, val,
				   "a power of 2 from 1024 to 16777216");
		c->count = v;
	} else if (!strcmp(key, "port-range")) {
		char lo[8];
		const char *dash = strchr(val, '-');

		if (!dash || dash - val >= (long)sizeof(lo))
			return bad(err, errlen, key, val, "MIN-MAX");
		memcpy(lo, val, dash - val);
		lo[dash - val] = '\0';
		if (parse_uint(lo, 1, 65535, &v) ||
		    parse_uint(dash + 1, 1, 65535, &w) || w < v)
			return bad(err, errlen, key, val,
				   "MIN-MAX, 1 <= MIN <= MAX <= 65535");
		c->port_min = v;
		c->port_max = w;
	} else if (!strcmp(key, "max-conns")) {
		if (parse_uint(val, 1, 100000, &v))
			return bad(err, errlen, key, val, "1 to 100000");
		c->max_conns = v;
	} else if (!strcmp(key, "max-sessions")) {
		/* The engine's limit: a Start-N names at most 1024. */
		if (parse_uint(val, 1, 1024, &v))
			return bad(err, errlen, key, val, "1 to 1024");
		c->max_sessions = v;
	} else if (!strcmp(key, "allow")) {
		return add_prefix(c->allow, &c->n_allow, key, val, err, errlen);
	} else if (!strcmp(key, "allow-sender")) {
		return add_prefix(c->allow_sender, &c->n_allow_sender, key, val,
				  err, errlen);
	} else if (!strcmp(key, "allow-receiver")) {
		return add_prefix(c->allow_receiver, &c->n_allow_receiver, key,
				  val, err, errlen);
	} else if (!strcmp(key, "servwait")) {
		if (parse_uint(val, 0, 86400 * 7, &v))
			return bad(err, errlen, key, val,
				   "seconds, 0 to 604800; 0: never");
		c->servwait = v;
	} else if (!strcmp(key, "refwait")) {
		if (parse_uint(val, 0, 86400 * 7, &v))
			return bad(err, errlen, key, val,
				   "seconds, 0 to 604800; 0: never");
		c->refwait = v;
	} else if (!strcmp(key, "reflector")) {
		return parse_reflector(c, val, err, errlen);
	} else if (!strcmp(key, "metrics-listen")) {
		struct sockaddr_storage *ss = &c->metrics_listen;

		if (parse_listen(val, ss))
			return bad(err, errlen, key, val,
				   "ADDR, ADDR:PORT or [ADDR]:PORT, e.g. 127.0.0.1:9862");
		if (ss->ss_family == AF_INET &&
		    !((struct sockaddr_in *)ss)->sin_port)
			((struct sockaddr_in *)ss)->sin_port =
				htons(CFG_METRICS_PORT);
		if (ss->ss_family == AF_INET6 &&
		    !((struct sockaddr_in6 *)ss)->sin6_port)
			((struct sockaddr_in6 *)ss)->sin6_port =
				htons(CFG_METRICS_PORT);
	} else if (!strcmp(key, "pid-file")) {
		if (strlen(val) >= sizeof(c->pid_file))
			return bad(err, errlen, key, val, "too long");
		strcpy(c->pid_file, val);
	} else if (!strcmp(key, "foreground")) {
		return set_bool(&c->foreground, key, val, err, errlen);
	} else if (!strcmp(key, "debug")) {
		return set_bool(&c->debug, key, val, err, errlen);
	} else {
		snprintf(err, errlen, "unknown setting '%s'", key);
		return -1;
	}
	return 0;
}

int cfg_load(struct twampd_cfg *c, const char *path, bool must_exist,
	     char *err, size_t errlen)
{
	char line[1024], msg[512];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *val, *end;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path,
				 lineno);
			goto fail;
		}
		line[strcspn(line, "#\r\n")] = '\0';
		key = line + strspn(line, " \t");
		if (!*key)
			continue;
		val = key + strcspn(key, " \t");
		if (*val)
			*val++ = '\0';
		val += strspn(val, " \t");
		end = val + strlen(val);
		while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*val) {
			snprintf(err, errlen, "%s:%u: %s: missing value", path,
				 lineno, key);
			goto fail;
		}
		if (cfg_set(c, key, val, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			goto fail;
		}
		if (!strcmp(key, "reflector"))
			c->reflectors[c->n_reflectors - 1].line = lineno;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}

bool cfg_allowed(const struct twampd_cfg *c, const struct sockaddr *sa)
{
	return !c->n_allow || twc_prefix_match(c->allow, c->n_allow, sa);
}
