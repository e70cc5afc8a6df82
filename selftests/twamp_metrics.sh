#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# twampd's metrics endpoint (metrics-listen, docs/metrics.md), in a
# network namespace on its loopback: twampd (ASan/UBSan build) with a
# kernel reflector and two kernel senders made by twamp-ctl beside it.
#  - its scrape parses (Python's prometheus_client) in both forms, and
#    holds exactly what twamp-ctl reads from the kernel;
#  - Debian's Prometheus scrapes it, and a PromQL query over Prometheus'
#    HTTP API returns the RTT of the running sender;
#  - hostile scrapers (idle connections, a header trickled under the idle
#    timeout, a header past the limit) neither hold up TWAMP-Control nor
#    keep other scrapers out, and each loses its connection
#    (twamp_metrics.py hostile).

source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip python3 jq
trap twamp_cleanup EXIT

if [ -z "${TWAMPD:-}" ]; then
	TWAMPD=$TWAMP_ST_DIR/../build/san/twampd
	[ -x "$TWAMPD" ] || TWAMPD=$TWAMP_ST_DIR/../build/twampd
fi
[ -x "$TWAMPD" ] || twamp_exit_fail "$TWAMPD not built: run make programs"
python3 -c 'import prometheus_client' 2>/dev/null ||
	twamp_exit_skip "python3-prometheus-client is not installed (make deps)"
twamp_mod_require

PY=$TWAMP_ST_DIR/twamp_metrics.py
METRICS=127.0.0.1:9862
CONTROL=127.0.0.1:8862
PROM=127.0.0.1:9090
RPORT=8620

NS=
twamp_netns_add NS metrics || twamp_exit_fail "cannot create a namespace"
TMP=
twamp_tmpdir TMP metrics || twamp_exit_fail "cannot create a directory"

# twamp-ctl only reads and makes objects here: the faster build will do.
CTL=$TWAMP_CTL
[ -x "$TWAMP_ST_DIR/../build/twamp-ctl" ] && CTL=$TWAMP_ST_DIR/../build/twamp-ctl
ctl() { ip netns exec "$NS" "$CTL" "$@"; }
py() { ip netns exec "$NS" python3 "$PY" "$@"; }

twamp_cleanup_hook()
{
	twamp_bg_kill TERM
}

# The sender's ID from "sender add -j".
sender_add()
{
	local _var=$1 _out

	shift
	_out=$(ctl sender add 127.0.0.1 port "$RPORT" "$@" -j) || return 1
	printf -v "$_var" '%s' "$(jq -r '.[0].id' <<<"$_out")"
}

# Prometheus, as a fleet runs it, scraping every second; started now, as
# its start-up under emulation takes a while, and queried later.
prometheus_start()
{
	PROM_PID=
	command -v prometheus >/dev/null || return 0
	cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: twamp
    static_configs:
      - targets: ['$METRICS']
EOF
	ip netns exec "$NS" prometheus --config.file="$TMP/prometheus.yml" \
		--storage.tsdb.path="$TMP/prom-data" \
		--web.listen-address="$PROM" --log.level=warn \
		>"$TMP/prometheus.log" 2>&1 &
	PROM_PID=$!
	BG_PIDS+=("$PROM_PID")
	PROM_T0=$SECONDS
}

setup()
{
	local i

	: >"$TMP/empty.conf"
	twamp_twampd_bg "$NS" "$CONTROL" "$TMP/twampd.log" \
		-c "$TMP/empty.conf" --metrics-listen "$METRICS" || return 1
	# the endpoint starts after the control listeners
	for ((i = 0; i < 100; i++)); do
		grep -q "metrics: serving" "$TMP/twampd.log" && break
		sleep 0.1
	done
	grep -q "metrics: serving" "$TMP/twampd.log" || return 1
	ctl reflector add port "$RPORT" >/dev/null || return 1
	# Stopped early, to compare its frozen figures; and a running one.
	# WAIT 2 s: a loaded host stalls the guest, and a late reply would
	# count as lost on this lossless path.
	sender_add DONE_ID count 20 interval 10ms wait 2s || return 1
	sender_add RUN_ID interval 50ms wait 2s || return 1
	ctl sender start "$DONE_ID" && ctl sender start "$RUN_ID" &&
		prometheus_start
}

test_scrape_matches_kernel()
{
	local f=$TMP/check.json st i diff

	# until the first sender is done: its figures no longer change
	for ((i = 0; i < 100; i++)); do
		st=$(ctl sender show "$DONE_ID" -j | jq -r '.[0].state')
		[ "$st" = done ] && break
		sleep 0.2
	done
	[ "$st" = done ] || { twamp_log "sender $DONE_ID still $st"; return 1; }
	ctl stats "$DONE_ID" -j >"$TMP/stats.json" || return 1
	# the text and OpenMetrics scrapes, 404 and 405 (for the next tests)
	py check "$METRICS" >"$f" || return 1
	twamp_check "HTTP 200, text format 0.0.4" \
		jq -e '.text.status == 200 and
		       (.text.content_type | startswith("text/plain; version=0.0.4"))' \
		"$f" || return 1
	# each figure twamp-ctl shows, from the scrape, in its unit
	diff=$(jq -c -n --slurpfile st "$TMP/stats.json" --slurpfile ck "$f" \
		--arg id "$DONE_ID" '
		$st[0][0].stats as $s | $ck[0].text.samples as $x |
		def v($n; $q): [$x[] | select(.name == $n and .labels.id == $id
			and ($q == null or .labels.quantile == $q)) | .value][0];
		def ns($n; $q): v($n; $q) * 1e9 | round;
		[["sent", v("twamp_sender_sent_packets_total"; null), $s.sent],
		 ["received", v("twamp_sender_received_packets_total"; null),
		  $s.received],
		 ["lost", v("twamp_sender_lost_packets_total"; null), $s.lost],
		 ["rtt_p50_ns", ns("twamp_sender_rtt_seconds"; "0.5"), $s.rtt_p50_ns],
		 ["rtt_p90_ns", ns("twamp_sender_rtt_seconds"; "0.9"), $s.rtt_p90_ns],
		 ["rtt_p99_ns", ns("twamp_sender_rtt_seconds"; "0.99"), $s.rtt_p99_ns],
		 ["rtt_min_ns", ns("twamp_sender_rtt_min_seconds"; null), $s.rtt_min_ns],
		 ["rtt_max_ns", ns("twamp_sender_rtt_max_seconds"; null), $s.rtt_max_ns],
		 ["rtt_mean_ns", ns("twamp_sender_rtt_mean_seconds"; null),
		  $s.rtt_mean_ns]]
		| map(select(.[1] != .[2] or .[2] == null))') || return 1
	if [ "$diff" != "[]" ]; then
		twamp_log "FAIL: [figure, scrape, twamp-ctl] that differ: $diff"
		return 1
	fi
	twamp_check "the reflector's rx counts what the senders sent" \
		jq -e '[.text.samples[] | select(.name ==
			"twamp_reflector_received_packets_total") | .value][0] >= 20' \
		"$f" &&
	twamp_check "the kernel up, twampd on the kernel backend" \
		jq -e '([.text.samples[] | select(.name == "twamp_kernel_up")][0]
			.value == 1) and
		       ([.text.samples[] | select(.name == "twamp_build_info")][0]
			.labels.backend == "kernel")' "$f"
}

test_openmetrics()
{
	twamp_check "OpenMetrics asked, OpenMetrics given, parsed strictly" \
		jq -e '.om.status == 200 and .om.eof and
		       (.om.content_type | startswith("application/openmetrics-text; version=1.0.0"))
		       and ([.om.samples[] | select(.name == "twamp_sender_rtt_seconds")]
			    | length > 0)' "$TMP/check.json"
}

test_http_errors()
{
	twamp_check "404 for GET /, 405 for POST /metrics" \
		jq -e '.["get /"] == 404 and .["post /metrics"] == 405' \
		"$TMP/check.json"
}

test_prometheus()
{
	local out v max

	if [ -z "$PROM_PID" ]; then
		TWAMP_SKIP_REASON="prometheus not installed (make deps)"
		return "$KSFT_SKIP"
	fi
	out=$(py query "$PROM" \
		"twamp_sender_rtt_seconds{job=\"twamp\",id=\"$RUN_ID\",quantile=\"0.5\"}" \
		120)
	twamp_log "prometheus: first RTT sample $((SECONDS - PROM_T0)) s after its start"
	if [ "$(jq length <<<"${out:-[]}" 2>/dev/null)" != 1 ]; then
		twamp_log "FAIL: no RTT of sender $RUN_ID in Prometheus: ${out:-}"
		sed 's/^/# prometheus: /' "$TMP/prometheus.log" | tail -n 20
		return 1
	fi
	twamp_log "PromQL: $out"
	v=$(jq -r '.[0].value[1]' <<<"$out")
	# the median then is no more than the largest RTT now
	max=$(ctl stats "$RUN_ID" -j | jq -r '.[0].stats.rtt_max_ns')
	twamp_check "0 < RTT p50 $v s <= rtt_max_ns $max" \
		jq -en --arg v "$v" --argjson max "$max" \
		'($v | tonumber) * 1e9 | . > 0 and . <= $max + 0.5' || return 1
	out=$(py query "$PROM" 'up{job="twamp"}') || return 1
	kill "$PROM_PID"
	wait "$PROM_PID" 2>/dev/null
	twamp_check "Prometheus sees the target up: $out" \
		jq -e '.[0].value[1] == "1"' <<<"$out"
}

test_hostile()
{
	# 127.0.0.2-4: other sources on the same loopback
	py hostile "$METRICS" "$CONTROL" 2>&1 | sed 's/^#*/#/'
	[ "${PIPESTATUS[0]}" -eq 0 ] || return 1
	twamp_check "twampd still runs" kill -0 "$TWAMPD_PID"
}

test_clean_exit()
{
	local rc

	kill -TERM "$TWAMPD_PID"
	wait "$TWAMPD_PID"
	rc=$?
	BG_PIDS=("${BG_PIDS[@]/$TWAMPD_PID}")
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"$TMP/twampd.log"; then
		sed 's/^/# twampd: /' "$TMP/twampd.log" | tail -n 40
		return 1
	fi
	twamp_check "twampd exits 0 on SIGTERM" test "$rc" -eq 0
}

twamp_ktap_plan 7
if ! setup; then
	twamp_log "FAIL: setup"
	sed 's/^/# twampd: /' "$TMP/twampd.log"
	twamp_exit_fail "setup failed"
fi
twamp_run_test "metrics: a scrape holds what twamp-ctl reads from the kernel" \
	test_scrape_matches_kernel
twamp_run_test "metrics: OpenMetrics when the Accept header asks for it" \
	test_openmetrics
twamp_run_test "metrics: 404 for another path, 405 for another method" \
	test_http_errors
twamp_run_test "metrics: Prometheus scrapes twampd; PromQL returns a running sender's RTT" \
	test_prometheus
twamp_run_test "metrics: hostile scrapers hold up neither TWAMP-Control nor other scrapers" \
	test_hostile
twamp_run_test "metrics: twampd exits cleanly, ASan/UBSan quiet" \
	test_clean_exit
twamp_run_test "metrics: no kernel taint" twamp_no_new_taint
twamp_ktap_finish
