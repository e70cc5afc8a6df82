// SPDX-License-Identifier: GPL-2.0
/*
 * twamp-bench-usend: the userspace periodic TWAMP Light sender that
 * `make bench` holds the kernel sender against. It sleeps with
 * clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) to absolute deadlines
 * deadline(k) = start + k * interval (no drift), with a timer slack of
 * 1 ns (the default 50 us would dominate a 100 us schedule), takes T1 and
 * sends at once; a deadline already past is sent at once, never skipped.
 *
 * Output, one line per packet:  K SCHEDULED_NS ACTUAL_NS T1_REALTIME_NS
 * (SCHEDULED and ACTUAL on CLOCK_MONOTONIC, ACTUAL read right before
 * sendto), then a summary line starting with '#'. Replies are not read:
 * this program measures when packets leave, nothing else.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/twamp_packet.h>

#define NSEC_PER_SEC 1000000000ULL

static void usage(FILE *f)
{
	fprintf(f,
		"usage: twamp-bench-usend -i INTERVAL_NS -c COUNT [-p PORT] [-s SIZE] ADDR\n"
		"Send COUNT TWAMP Light packets to ADDR:PORT (default 862) every\n"
		"INTERVAL_NS nanoseconds, sleeping to absolute deadlines, and print\n"
		"for each: K SCHEDULED_NS ACTUAL_NS T1_REALTIME_NS.\n");
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || x < min || x > max)
		return -1;
	*v = x;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t interval = 0, count = 0, port = 862, size = 44, start, k;
	uint64_t *sched, *actual, *t1;
	struct sockaddr_in6 dst6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in dst4 = { .sin_family = AF_INET };
	struct sockaddr *dst;
	socklen_t dstlen;
	unsigned char buf[9000];
	struct twamp_test_sender *p = (void *)buf;
	uint64_t late10 = 0, overrun = 0, errors = 0;
	int opt, fd;

	while ((opt = getopt(argc, argv, "i:c:p:s:h")) != -1) {
		switch (opt) {
		case 'i':
			if (parse_u64(optarg, 1000, 3600 * NSEC_PER_SEC, &interval))
				goto bad;
			break;
		case 'c':
			if (parse_u64(optarg, 1, 10000000, &count))
				goto bad;
			break;
		case 'p':
			if (parse_u64(optarg, 1, 65535, &port))
				goto bad;
			break;
		case 's':
			if (parse_u64(optarg, TWAMP_SENDER_SIZE, sizeof(buf), &size))
				goto bad;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !interval || !count) {
		usage(stderr);
		return 2;
	}
	if (inet_pton(AF_INET, argv[optind], &dst4.sin_addr) == 1) {
		dst4.sin_port = htons(port);
		dst = (struct sockaddr *)&dst4;
		dstlen = sizeof(dst4);
	} else if (inet_pton(AF_INET6, argv[optind], &dst6.sin6_addr) == 1) {
		dst6.sin6_port = htons(port);
		dst = (struct sockaddr *)&dst6;
		dstlen = sizeof(dst6);
	} else {
		fprintf(stderr, "twamp-bench-usend: not an IP address: %s\n",
			argv[optind]);
		return 2;
	}

	sched = calloc(count, sizeof(*sched));
	actual = calloc(count, sizeof(*actual));
	t1 = calloc(count, sizeof(*t1));
	if (!sched || !actual || !t1) {
		fprintf(stderr, "twamp-bench-usend: out of memory\n");
		return 1;
	}
	fd = socket(dst->sa_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, dst, dstlen) < 0) {
		perror("twamp-bench-usend: socket");
		return 1;
	}
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0))
		perror("twamp-bench-usend: PR_SET_TIMERSLACK");

	memset(buf, 0, size);
	/* Unsynchronized, 10 ms: scale 0, multiplier 1 would also do. */
	p->error_estimate = htons(1);
	start = now_ns(CLOCK_MONOTONIC) + 20 * 1000 * 1000;
	for (k = 0; k < count; k++) {
		uint64_t dl = start + k * interval, rt;
		struct timespec ts = {
			.tv_sec = dl / NSEC_PER_SEC,
			.tv_nsec = dl % NSEC_PER_SEC,
		};

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		actual[k] = now_ns(CLOCK_MONOTONIC);
		rt = now_ns(CLOCK_REALTIME);
		sched[k] = dl;
		t1[k] = rt;
		p->seq = htonl((uint32_t)k);
		p->ts.sec = htonl((uint32_t)(rt / NSEC_PER_SEC + TWAMP_NTP_UNIX_OFFSET));
		p->ts.frac = htonl((uint32_t)(((rt % NSEC_PER_SEC) << 32) / NSEC_PER_SEC));
		if (send(fd, buf, size, 0) < 0)
			errors++;
	}
	for (k = 0; k < count; k++) {
		uint64_t late = actual[k] - sched[k];

		if (late * 10 > interval)
			late10++;
		if (late >= interval)
			overrun++;
		printf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", k,
		       sched[k], actual[k], t1[k]);
	}
	printf("# count %" PRIu64 " interval_ns %" PRIu64 " late_sends %" PRIu64
	       " overruns %" PRIu64 " send_errors %" PRIu64 "\n",
	       count, interval, late10, overrun, errors);
	close(fd);
	free(sched);
	free(actual);
	free(t1);
	return 0;
bad:
	fprintf(stderr, "twamp-bench-usend: bad value for -%c: %s\n", opt, optarg);
	return 2;
}
