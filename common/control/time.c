// SPDX-License-Identifier: GPL-2.0
/*
 * NTP-format times of TWAMP-Control (RFC 4656 4.1.2) and the SID
 * (RFC 4656 3.5).
 */

#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "control.h"
#include "crypto.h"

#define NTP_UNIX_OFFSET	2208988800ULL
#define NSEC_PER_SEC	1000000000ULL

uint64_t twc_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (((uint64_t)ts.tv_sec + NTP_UNIX_OFFSET) << 32) +
	       twc_ns_to_ntp((uint64_t)ts.tv_nsec);
}

/* Intervals: seconds in the high 32 bits, 2^-32 s in the low 32. */
uint64_t twc_ntp_to_ns(uint64_t ntp)
{
	uint64_t sec = ntp >> 32, frac = ntp & 0xffffffff;

	if (sec >= UINT64_MAX / NSEC_PER_SEC)
		return UINT64_MAX;
	return sec * NSEC_PER_SEC + ((frac * NSEC_PER_SEC) >> 32);
}

uint64_t twc_ns_to_ntp(uint64_t ns)
{
	uint64_t sec = ns / NSEC_PER_SEC, rem = ns % NSEC_PER_SEC;

	if (sec > 0xffffffff)
		return UINT64_MAX;
	return sec << 32 | (rem << 32) / NSEC_PER_SEC;
}

void twc_sid_make(uint8_t sid[16], const struct sockaddr *local)
{
	uint64_t now = twc_ntp_now();
	int i;

	memset(sid, 0, 16);
	if (local && local->sa_family == AF_INET)
		memcpy(sid, &((const struct sockaddr_in *)local)->sin_addr, 4);
	else if (local && local->sa_family == AF_INET6)
		memcpy(sid,
		       &((const struct sockaddr_in6 *)local)->sin6_addr.s6_addr[12],
		       4);
	for (i = 0; i < 8; i++)
		sid[4 + i] = now >> (56 - 8 * i);
	/* The random part is what makes the SID unpredictable. */
	if (twc_random(sid + 12, 4) < 0)
		memset(sid + 12, 0, 4);
}
