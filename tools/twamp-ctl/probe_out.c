// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet lines of twamp-ctl ping and test in send order; see
 * probe_out.h.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe_out.h"

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void probe_out_init(struct probe_out *po, FILE *f, const char *from,
		    bool timestamps, bool quiet)
{
	memset(po, 0, sizeof(*po));
	po->f = f;
	po->from = from;
	po->timestamps = timestamps;
	po->quiet = quiet;
	po->now_ns = realtime_ns;
}

void probe_out_free(struct probe_out *po)
{
	free(po->pend);
	po->pend = NULL;
	po->n = po->cap = 0;
}

char *probe_out_stamp(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "[%" PRIu64 ".%06" PRIu64 "] ", ns / NSEC_PER_SEC,
		 ns % NSEC_PER_SEC / NSEC_PER_USEC);
	return buf;
}

static void prefix(struct probe_out *po, uint64_t ns)
{
	char buf[48];

	if (po->timestamps)
		fputs(probe_out_stamp(buf, sizeof(buf), ns), po->f);
}

static uint32_t seq_of(const struct twamp_result *r)
{
	return r->v[TWAMP_A_RESULT_SEQ];
}

static void print_line(struct probe_out *po, const struct twamp_result *r)
{
	/* When the reply came, as ping -D says when it printed. */
	prefix(po, r->has[TWAMP_A_RESULT_T4] && !result_lost(r) ?
		   r->v[TWAMP_A_RESULT_T4] : po->now_ns());
	if (!result_lost(r))
		fprintf(po->f, "%" PRIu64 " bytes from %s: ",
			r->v[TWAMP_A_RESULT_SIZE], po->from);
	result_print_human(po->f, r);
	fputc('\n', po->f);
}

/* Sequence numbers wrap: compare by distance from po->next. */
static uint32_t ahead(const struct probe_out *po, uint32_t seq)
{
	return seq - po->next;
}

static void print_held(struct probe_out *po, uint32_t seq)
{
	size_t i = 0;

	while (i < po->n) {
		if (seq_of(&po->pend[i]) != seq) {
			i++;
			continue;
		}
		print_line(po, &po->pend[i]);
		memmove(&po->pend[i], &po->pend[i + 1],
			(po->n - i - 1) * sizeof(*po->pend));
		po->n--;
	}
}

static bool held(const struct probe_out *po, uint32_t seq)
{
	size_t i;

	for (i = 0; i < po->n; i++)
		if (seq_of(&po->pend[i]) == seq)
			return true;
	return false;
}

/* The held line nearest in order; po->n must be above 0. */
static uint32_t oldest(const struct probe_out *po)
{
	uint32_t best = seq_of(&po->pend[0]);
	size_t i;

	for (i = 1; i < po->n; i++)
		if (ahead(po, seq_of(&po->pend[i])) < ahead(po, best))
			best = seq_of(&po->pend[i]);
	return best;
}

/* Print what is in order; with @all, skip the gaps too. */
static void release(struct probe_out *po, bool all)
{
	while (po->n) {
		if (!held(po, po->next)) {
			if (!all && po->n <= PROBE_OUT_MAX_PENDING)
				return;
			po->next = oldest(po);
		}
		print_held(po, po->next);
		po->next++;
	}
}

int probe_out_add(struct probe_out *po, const struct twamp_result *r)
{
	struct twamp_result *p;
	size_t cap;

	if (po->quiet)
		return 0;
	/* A duplicate of a packet already printed: now, as ping prints DUP!. */
	if (ahead(po, seq_of(r)) > UINT32_MAX / 2) {
		print_line(po, r);
		return 0;
	}
	if (po->n == po->cap) {
		cap = po->cap ? 2 * po->cap : 64;
		p = realloc(po->pend, cap * sizeof(*p));
		if (!p)
			return -1;
		po->pend = p;
		po->cap = cap;
	}
	po->pend[po->n++] = *r;
	release(po, false);
	return 0;
}

bool probe_out_answered(const struct probe_out *po, uint32_t seq)
{
	return ahead(po, seq) > UINT32_MAX / 2 || held(po, seq);
}

void probe_out_outstanding(struct probe_out *po, uint32_t seq)
{
	if (po->quiet)
		return;
	prefix(po, po->now_ns());
	fprintf(po->f, "no answer yet for seq=%" PRIu32 "\n", seq);
}

void probe_out_flush(struct probe_out *po)
{
	release(po, true);
}
