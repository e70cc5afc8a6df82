#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Authenticated and encrypted TWAMP-Test sessions (RFC 5357 section 4):
# test-packet crypto in twamp.ko checked against an implementation that
# shares nothing with it (twamp_crypto.py: python3-cryptography and
# hashlib), in both directions, over IPv4 and IPv6; bad packets dropped,
# counted and unanswered; keys refused without a mode and never dumped;
# reflectors bound to the netlink socket that made them.
#
#   S (sender) 10.12.0.1 2001:db8:12::1  --veth--  R 10.12.0.2 2001:db8:12::2
#
# R has a sessions-only reflector on port 862 (ID in $RID), which holds
# the sessions; a kernel sender in S plays against it.

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip jq python3
python3 -c "import cryptography" 2>/dev/null ||
	twamp_exit_skip "python3-cryptography is not installed"
[ -x "$TWAMP_CTL" ] ||
	twamp_exit_fail "$TWAMP_CTL not built: run make programs first"
twamp_mod_get
case $? in
0) ;;
"$KSFT_SKIP") twamp_exit_skip "$TWAMP_SKIP_REASON" ;;
*) twamp_exit_fail "cannot load twamp.ko" ;;
esac
modprobe -q veth 2>/dev/null

PY=$TWAMP_ST_DIR/twamp_crypto.py
S4=10.12.0.1
R4=10.12.0.2
S6=2001:db8:12::1
R6=2001:db8:12::2
AES=000102030405060708090a0b0c0d0e0f
HMAC=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
NS_S=
NS_R=
RID=
TMP=$(mktemp -d "${TMPDIR:-/tmp}/twamp-crypto.XXXXXX") ||
	twamp_exit_fail "mktemp failed"

twamp_cleanup_hook()
{
	rm -rf "$TMP"
}

sns() { ip netns exec "$NS_S" "$@"; }
rns() { ip netns exec "$NS_R" "$@"; }
ctl() { ip netns exec "$NS_R" "$TWAMP_CTL" "$@"; }
spy() { ip netns exec "$NS_S" python3 "$PY" "$@"; }
rpy() { ip netns exec "$NS_R" python3 "$PY" "$@"; }

setup()
{
	twamp_netns_add NS_S s && twamp_netns_add NS_R r || return 1
	ip link add s0 netns "$NS_S" type veth peer name r0 netns "$NS_R" ||
		return 1
	sns ip addr add $S4/24 dev s0 &&
	sns ip addr add $S6/64 dev s0 nodad &&
	rns ip addr add $R4/24 dev r0 &&
	rns ip addr add $R6/64 dev r0 nodad &&
	sns ip link set s0 up && rns ip link set r0 up || return 1
	RID=$(ctl reflector add port 862 sessions-only -j | jq '.[0].id') &&
		[ -n "$RID" ]
}

# session_counters ID: "rx tx short auth" of a session.
session_counters()
{
	ctl session show "$1" -j |
		jq -r '.[0].counters | "\(.rx) \(.tx) \(.short) \(.auth)"'
}

# refused WHAT MESSAGE CMD...: CMD must fail with MESSAGE in its output.
refused()
{
	local what=$1 msg=$2 out

	shift 2
	if out=$("$@" 2>&1); then
		twamp_log "FAIL: $what: accepted"
		return 1
	fi
	twamp_check "$what: '$msg'" grep -qF -- "$msg" <<<"$out" ||
		{ twamp_log "$out"; return 1; }
}

test_errors()
{
	local k="aes=$AES" h="hmac=$HMAC"

	refused "auth without keys" "need an AES key" \
		rpy session-add-raw "$RID" $S4 4000 security=1 &&
	refused "encrypt without the HMAC key" "need an AES key" \
		rpy session-add-raw "$RID" $S4 4000 security=2 "$k" &&
	refused "keys for an open session" "keys are only for" \
		rpy session-add-raw "$RID" $S4 4000 "$k" "$h" &&
	refused "a short AES key" "" \
		rpy session-add-raw "$RID" $S4 4000 security=1 aes=0011 "$h" &&
	refused "a mode out of range" "" \
		rpy session-add-raw "$RID" $S4 4000 security=3 "$k" "$h" &&
	refused "sender: auth without keys" "need an AES key" \
		spy sender-add-raw $R4 security=1 &&
	refused "sender: keys for open" "keys are only for" \
		spy sender-add-raw $R4 "$h" &&
	refused "sender: STAMP with security" "need the TWAMP format" \
		spy sender-add-raw $R4 format=1 security=2 "$k" "$h" || return 1

	local stamp
	stamp=$(ctl reflector add port 7862 format stamp -j | jq '.[0].id')
	refused "session on a STAMP reflector" "need a TWAMP reflector" \
		rpy session-add-raw "$stamp" $S4 4000 security=1 "$k" "$h" ||
		return 1
	ctl reflector del "$stamp" &&
	twamp_check "nothing was left behind" test "$(ctl session show -j |
		jq length)" = 0
}

# crypto_session MODE PEER PORT: make a session, print its ID.
crypto_session()
{
	rpy session-add "$RID" "$2" "$3" "$1" $AES $HMAC
}

# against_reflector MODE SENDER REFLECTOR PORT: the independent sender
# against a kernel session, request sizes below, at and above 112.
against_reflector()
{
	local mode=$1 snd=$2 refl=$3 port=$4 id

	id=$(crypto_session "$mode" "$snd" "$port") || return 1
	twamp_expect "$mode: 3 packets of 48 octets (replies of 112)" "0 1 2" \
		spy send "$refl" 862 "$port" "$mode" $AES $HMAC 3 0 &&
	twamp_expect "$mode: 3 packets of 112 octets" "3 4 5" \
		spy send "$refl" 862 "$port" "$mode" $AES $HMAC 3 64 seq=103 &&
	twamp_expect "$mode: 3 packets of 148 octets, padding returned" \
		"6 7 8" \
		spy send "$refl" 862 "$port" "$mode" $AES $HMAC 3 100 seq=106 ||
		return 1
	twamp_check "$mode: session counters rx tx short auth" \
		test "$(session_counters "$id")" = "9 9 0 0" &&
	ctl session del "$id"
}

test_reflector_auth4() { against_reflector auth $S4 $R4 5001; }
test_reflector_encrypt4() { against_reflector encrypt $S4 $R4 5002; }
test_reflector_auth6() { against_reflector auth $S6 $R6 5003; }
test_reflector_encrypt6() { against_reflector encrypt $S6 $R6 5004; }

test_bad_packets()
{
	local mode id c

	for mode in auth encrypt; do
		id=$(crypto_session $mode $S4 5010) || return 1
		twamp_check "$mode: wrong HMAC key, no reply" \
			spy send $R4 862 5010 $mode $AES $HMAC 2 64 wrong-hmac &&
		twamp_check "$mode: wrong AES key, no reply" \
			spy send $R4 862 5010 $mode $AES $HMAC 2 64 wrong-aes &&
		twamp_check "$mode: 47 octets, no reply" \
			spy send $R4 862 5010 $mode $AES $HMAC 1 0 short &&
		twamp_expect "$mode: the right keys still work" 0 \
			spy send $R4 862 5010 $mode $AES $HMAC 1 64 || return 1
		c=$(session_counters "$id")
		twamp_check "$mode: counters rx tx short auth = 6 1 1 4 ($c)" \
			test "$c" = "6 1 1 4" || return 1
		twamp_check "$mode: the reflector counts them too" \
			test "$(ctl reflector show "$RID" -j |
			jq '.[0].counters.auth')" -ge 4 &&
		ctl session del "$id" || return 1
	done
}

test_no_keys_in_dumps()
{
	local id sid out

	id=$(crypto_session encrypt $S4 5020) || return 1
	# a sender with the same keys, idle
	sid=$(spy sender-add-raw $R4 security=1 "aes=$AES" "hmac=$HMAC" keep) ||
		return 1
	twamp_check "the session says encrypt" test "$(ctl session show "$id" \
		-j | jq -r '.[0].security')" = encrypt || return 1
	out=$(ctl session show -j; ctl session show "$id" -j; ctl session show)
	twamp_check "no key in twamp-ctl session show" \
		test -z "$(grep -ioE "$AES|$HMAC|${AES:0:8}|${HMAC:0:8}" \
		<<<"$out")" || return 1
	twamp_check "no key in a raw dump of every object" \
		rpy dump-has-no "$AES" "$HMAC" "${AES:0:8}" "${HMAC:0:8}" &&
	twamp_check "nor in the sender's namespace" \
		spy dump-has-no "$AES" "$HMAC" "${AES:0:8}" "${HMAC:0:8}" ||
		return 1
	out=$(sns "$TWAMP_CTL" sender show "$sid" -j)
	twamp_check "no key in twamp-ctl sender show" \
		test -z "$(grep -ioE "$AES|$HMAC|${AES:0:8}|${HMAC:0:8}" \
		<<<"$out")" || return 1
	sns "$TWAMP_CTL" sender del "$sid" && ctl session del "$id"
}

# kernel_pair MODE REMOTE SPEER LPORT: a kernel sender in S against a
# kernel session in R, same keys.
kernel_pair()
{
	local mode=$1 remote=$2 speer=$3 lport=$4 id out

	id=$(crypto_session "$mode" "$speer" "$lport") || return 1
	out=$(spy sender-run "$remote" 862 "$lport" "$mode" $AES $HMAC 10) ||
		return 1
	twamp_check "$mode: sent received lost auth_failed rtt>0 = 10 10 0 0 1 ($out)" \
		test "$out" = "10 10 0 0 1" || return 1
	twamp_check "$mode: the session saw them" \
		test "$(session_counters "$id")" = "10 10 0 0" &&
	ctl session del "$id"
}

test_kernel_pair4()
{
	kernel_pair auth $R4 $S4 5030 && kernel_pair encrypt $R4 $S4 5031
}

test_kernel_pair6()
{
	kernel_pair auth $R6 $S6 5032 && kernel_pair encrypt $R6 $S6 5033
}

# The kernel sender against the independent reflector, which also sends
# a reply with a wrong HMAC before each good one.
against_sender()
{
	local mode=$1 remote=$2 bind=$3 pid out rc i

	rpy reflect "$bind" 9000 "$mode" $AES $HMAC 5 bad-first >"$TMP/refl" &
	pid=$!
	# python3 takes its time to start in a slow guest
	for i in $(seq 1 100); do
		grep -q ready "$TMP/refl" && break
		sleep 0.2
	done
	out=$(spy sender-run "$remote" 9000 5040 "$mode" $AES $HMAC 5)
	wait $pid
	rc=$?
	twamp_check "$mode: the reflector found every request right" \
		test $rc = 0 || { cat "$TMP/refl"; return 1; }
	twamp_check "$mode: sent received lost auth_failed rtt>0 = 5 5 0 5 1 ($out)" \
		test "$out" = "5 5 0 5 1"
}

test_sender()
{
	against_sender auth $R4 $R4 && against_sender encrypt $R4 $R4 &&
	against_sender auth $R6 $R6 && against_sender encrypt $R6 $R6
}

test_reflector_bind()
{
	local n

	twamp_check "bound reflector and session live with their socket" \
		rpy reflector-bind 7000 $S6 5050 encrypt $AES $HMAC -- \
		ip netns exec "$NS_S" python3 "$PY" send $R6 7000 5050 \
		encrypt $AES $HMAC 1 64 || return 1
	n=$(ctl reflector show -j | jq '[.[] | select(.port == 7000)] | length')
	twamp_check "no reflector left on port 7000" test "$n" = 0
}

# The same through twamp-ctl: keys on the command line, never shown.
test_cli()
{
	local id sid out k="aes-key $AES hmac-key $HMAC"

	# shellcheck disable=SC2086 # $k is two options
	id=$(ctl session add reflector "$RID" peer $S6 port 5060 \
		security encrypt $k -j | jq '.[0].id') || return 1
	twamp_check "session show says encrypt" test "$(ctl session show "$id" \
		-j | jq -r '.[0].security')" = encrypt || return 1
	# shellcheck disable=SC2086
	sid=$(sns "$TWAMP_CTL" sender add $R6 local-port 5060 count 5 \
		interval 100ms wait 5s security encrypt $k -j |
		jq '.[0].id') || return 1
	sns "$TWAMP_CTL" sender start "$sid" || return 1
	for _ in $(seq 1 100); do
		out=$(sns "$TWAMP_CTL" sender show "$sid" -j) || return 1
		[ "$(jq -r '.[0].state' <<<"$out")" = "done" ] && break
		sleep 0.3
	done
	twamp_check "security, padding, sent, received, lost = encrypt 64 5 5 0" \
		test "$(jq -c '.[0] | [.security, .padding, .stats.sent,
		.stats.received, .stats.lost]' <<<"$out")" = \
		'["encrypt",64,5,5,0]' || { twamp_log "$out"; return 1; }
	twamp_check "no key in sender show" test -z "$(grep -ioE \
		"${AES:0:8}|${HMAC:0:8}" <<<"$out")" || return 1
	sns "$TWAMP_CTL" sender del "$sid" && ctl session del "$id" || return 1

	refused "CLI: short AES key" "invalid AES key" \
		ctl session add reflector "$RID" peer $S4 port 5061 \
		security auth aes-key 0011 hmac-key $HMAC &&
	refused "CLI: unknown mode" "invalid security" \
		ctl session add reflector "$RID" peer $S4 port 5061 \
		security strong &&
	refused "CLI: the kernel's reason" "need an AES key" \
		ctl session add reflector "$RID" peer $S4 port 5061 \
		security auth hmac-key $HMAC &&
	refused "CLI: sender keys, non-hex" "invalid hmac-key" \
		sns "$TWAMP_CTL" sender add $R4 security auth aes-key $AES \
		hmac-key "${HMAC:0:62}zz" &&
	refused "CLI: sender without keys" "need an AES key" \
		sns "$TWAMP_CTL" sender add $R4 security encrypt
}

twamp_ktap_plan 13
twamp_run_test "setup: namespaces and a sessions-only reflector" setup
twamp_run_test "errors: modes need both keys, keys need a mode" test_errors
twamp_run_test "IPv4 authenticated session, every reply field checked" \
	test_reflector_auth4
twamp_run_test "IPv4 encrypted session, every reply field checked" \
	test_reflector_encrypt4
twamp_run_test "IPv6 authenticated session" test_reflector_auth6
twamp_run_test "IPv6 encrypted session" test_reflector_encrypt6
twamp_run_test "wrong keys and short packets: dropped, counted, no reply" \
	test_bad_packets
twamp_run_test "keys never appear in twamp-ctl output or a raw dump" \
	test_no_keys_in_dumps
twamp_run_test "IPv4 kernel sender against a kernel session" \
	test_kernel_pair4
twamp_run_test "IPv6 kernel sender against a kernel session" \
	test_kernel_pair6
twamp_run_test "kernel sender against the independent reflector (v4, v6)" \
	test_sender
twamp_run_test "a bound reflector dies with its netlink socket" \
	test_reflector_bind
twamp_run_test "twamp-ctl session and sender with keys (IPv6, encrypted)" \
	test_cli
twamp_ktap_finish
