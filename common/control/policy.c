// SPDX-License-Identifier: GPL-2.0
/*
 * Which addresses and ports a Request-TW-Session may have a server use:
 * pure functions, so that the unit tests can hold every rule down, and
 * twampd applies them to each session before it programs a reflector.
 *
 * Why there are rules at all: the reflector answers every test packet to
 * the Sender Address and Port of the session, so a Sender Address other
 * than the client's own aims the reflector at a third party (the client
 * then sends test packets with that address forged as their source); and
 * a Receiver Address or Port the client chooses freely lets it bind a
 * reflector on an address or port that belongs to another service of the
 * server (VXLAN's 4789 on a tunnel address, mDNS's 5353 on loopback).
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "control.h"

int twc_prefix_parse(const char *s, struct twc_prefix *p)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len;

	if (n == 0 || n >= sizeof(addr))
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, addr, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, p->addr) == 1)
		p->family = AF_INET6;
	else
		return -1;
	len = p->family == AF_INET ? 32 : 128;
	if (slash) {
		const char *q = slash + 1;
		unsigned long v = 0;

		if (!*q)
			return -1;
		for (; *q; q++) {
			if (*q < '0' || *q > '9')
				return -1;
			v = v * 10 + (*q - '0');
			if (v > len)
				return -1;
		}
		len = v;
	}
	p->len = len;
	return 0;
}

/*
 * The address octets of @sa and their family, a v4-mapped IPv6 address
 * (an IPv4 client on a dual-stack socket, or IPVN 6 naming an IPv4 host)
 * taken as the IPv4 address it is. NULL for another family.
 */
static const uint8_t *addr_of(const struct sockaddr *sa, int *family)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	*family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		return (const uint8_t *)
			&((const struct sockaddr_in *)sa)->sin_addr;
	if (sa->sa_family != AF_INET6)
		return NULL;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		*family = AF_INET;
		return s6->sin6_addr.s6_addr + 12;
	}
	return s6->sin6_addr.s6_addr;
}

static bool prefix_match(const uint8_t *a, const uint8_t *p, unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;

	if (memcmp(a, p, bytes))
		return false;
	if (!bits)
		return true;
	return ((a[bytes] ^ p[bytes]) & (0xff << (8 - bits))) == 0;
}

bool twc_prefix_match(const struct twc_prefix *p, unsigned int n,
		      const struct sockaddr *sa)
{
	const uint8_t *a;
	unsigned int i;
	int family;

	a = addr_of(sa, &family);
	if (!a)
		return false;
	for (i = 0; i < n; i++)
		if (p[i].family == family &&
		    prefix_match(a, p[i].addr, p[i].len))
			return true;
	return false;
}

bool twc_addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	const uint8_t *x, *y;
	int fx, fy;

	x = addr_of(a, &fx);
	y = addr_of(b, &fy);
	if (!x || !y || fx != fy)
		return false;
	return !memcmp(x, y, fx == AF_INET ? 4 : 16);
}

void twc_addr_unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 ||
	    !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return;
	s4.sin_port = s6->sin6_port;
	memcpy(&s4.sin_addr, s6->sin6_addr.s6_addr + 12, 4);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &s4, sizeof(s4));
}

/* Multicast, class E and the limited broadcast, or unspecified. */
static bool not_unicast(const uint8_t *a, int family)
{
	static const uint8_t zero[16];

	if (family == AF_INET)
		return a[0] >= 224 || !memcmp(a, zero, 4);
	return a[0] == 0xff || !memcmp(a, zero, 16);
}

enum twc_addr_verdict twc_addr_check(const struct sockaddr *addr,
				     const struct sockaddr *conn,
				     const struct twc_prefix *allow,
				     unsigned int n)
{
	const uint8_t *a;
	int family;

	a = addr_of(addr, &family);
	if (!a)
		return TWC_ADDR_REFUSED;
	if (twc_addr_equal(addr, conn))
		return TWC_ADDR_CONN;
	/* Not even a prefix of ::/0 lets the reflector answer a group. */
	if (not_unicast(a, family))
		return TWC_ADDR_NOT_UNICAST;
	if (twc_prefix_match(allow, n, addr))
		return TWC_ADDR_ALLOWED;
	return TWC_ADDR_REFUSED;
}

bool twc_port_in_range(uint16_t port, uint16_t min, uint16_t max)
{
	return port && port >= min && port <= max;
}

uint16_t twc_port_try(uint16_t want, uint16_t min, uint16_t max,
		      uint16_t next, unsigned int i)
{
	bool have = twc_port_in_range(want, min, max);
	unsigned int range, off, wpos;

	if (!min || max < min)
		return 0;
	range = (unsigned int)max - min + 1;
	if (have && i == 0)
		return want;
	if (have)
		i--;
	if (i >= range - have)
		return 0;
	if (next < min || next > max)
		next = min;
	off = next - min;
	/* Every port of the range from @next round, @want left out. */
	if (have) {
		wpos = (want - min + range - off) % range;
		if (i >= wpos)
			i++;
	}
	return min + (off + i) % range;
}
