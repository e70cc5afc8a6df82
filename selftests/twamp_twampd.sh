#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# twampd, the TWAMP-Control server: it runs (ASan/UBSan build) in a server
# namespace, a client namespace talks TWAMP-Control to it over a veth with
# twamp_twampd.py, and the kernel sessions it programs are checked with
# twamp-ctl. Covers the greeting and modes on IPv4 and IPv6, open and mixed
# mode sessions and their test traffic, Start/Stop and the Timeout, the
# refusals (modes, keys, malformed messages, limits, ACL), SERVWAIT, a
# silent client, the end of twampd (SIGTERM and SIGKILL), the kernel
# reflectors of "reflector" config lines and SIGHUP reloads, and the
# userspace backend; and, as the attacks of issue 12, sessions aimed at a
# third party (Sender Address), bound on another address of the server
# (Receiver Address) or on another service's port (4789, 5353).

here=$(dirname "$(readlink -f "$0")")
ctl_given=${TWAMP_CTL:-}
# shellcheck source=lib.sh
. "$here/lib.sh"

twamp_require_root
twamp_require_cmd ip python3 jq
trap twamp_cleanup EXIT

if [ -z "${TWAMPD:-}" ]; then
	TWAMPD=$here/../build/san/twampd
	[ -x "$TWAMPD" ] || TWAMPD=$here/../build/twampd
fi
[ -x "$TWAMPD" ] || twamp_exit_fail "$TWAMPD not built: run make programs"

# twamp-ctl only looks here, and often: unless told otherwise, the
# faster build will do.
CTL=$TWAMP_CTL
[ -z "$ctl_given" ] && [ -x "$here/../build/twamp-ctl" ] &&
	CTL=$here/../build/twamp-ctl

PY=$here/twamp_twampd.py
CLI4=10.12.0.1
CLI4B=10.12.0.3
SRV4=10.12.0.2
CLI6=fd12::1
SRV6=fd12::2
KEYID=k1
SECRET=74776f2d7761792d736563726574		# "two-way-secret"

tmp=$(mktemp -d /tmp/twamp_twampd.XXXXXX) || exit 1
declare -A pids=()

twamp_cleanup_hook()
{
	local n

	for n in "${!pids[@]}"; do
		kill -KILL "${pids[$n]}" 2>/dev/null
	done
	rm -rf "$tmp"
}

ctl()
{
	ip netns exec "$nss" "$CTL" "$@"
}

# py CHECK ARGS...: one check of twamp_twampd.py, from the client side.
py()
{
	ip netns exec "$nsc" env TWAMPD_SRV4=$SRV4 TWAMPD_SRV6=$SRV6 \
		TWAMPD_CLI4=$CLI4 TWAMPD_CLI6=$CLI6 \
		TWAMPD_CTL="ip netns exec $nss $CTL" \
		TWAMPD_SRV_EXEC="ip netns exec $nss" \
		python3 "$PY" "$@"
}

have_cryptography()
{
	python3 -c 'import cryptography' 2>/dev/null
}

# start_twampd NAME ARGS...: run twampd in the server namespace, wait
# until it is ready; its log is $tmp/NAME.log.
start_twampd()
{
	local name=$1 i

	shift
	ip netns exec "$nss" "$TWAMPD" -f -c "$tmp/empty.conf" "$@" \
		>"$tmp/$name.log" 2>&1 &
	pids[$name]=$!
	for i in $(seq 1 100); do
		grep -q " ready: " "$tmp/$name.log" && return 0
		if ! kill -0 "${pids[$name]}" 2>/dev/null; then
			twamp_log "twampd $name exited at start:"
			sed 's/^/#   /' "$tmp/$name.log"
			unset "pids[$name]"
			return 1
		fi
		sleep 0.2
	done
	twamp_log "twampd $name not ready after 20 s"
	sed 's/^/#   /' "$tmp/$name.log"
	return 1
}

# stop_twampd NAME: SIGTERM, and it must exit 0 with a clean ASan report.
stop_twampd()
{
	local name=$1 rc

	kill -TERM "${pids[$name]}" || return 1
	wait "${pids[$name]}"
	rc=$?
	unset "pids[$name]"
	sanitizer_clean "$name" || return 1
	twamp_check "twampd $name exits 0 on SIGTERM" test $rc -eq 0
}

sanitizer_clean()
{
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"$tmp/$1.log"; then
		twamp_log "FAIL: twampd $1: sanitizer report"
		sed 's/^/#   /' "$tmp/$1.log" | tail -n 40
		return 1
	fi
	return 0
}

setup()
{
	twamp_mod_get || return $?
	twamp_netns_add nsc cli || return 1
	twamp_netns_add nss srv || return 1
	ip link add v0 netns "$nsc" type veth peer v0 netns "$nss" || return 1
	ip -n "$nsc" addr add $CLI4/24 dev v0
	ip -n "$nsc" addr add $CLI4B/24 dev v0
	ip -n "$nsc" addr add $CLI6/64 dev v0 nodad
	ip -n "$nss" addr add $SRV4/24 dev v0
	ip -n "$nss" addr add $SRV6/64 dev v0 nodad
	ip -n "$nsc" link set v0 up
	ip -n "$nss" link set v0 up
	: >"$tmp/empty.conf"
	printf '# test keys\n%s %s\n' $KEYID $SECRET >"$tmp/keys"
	chmod 600 "$tmp/keys"
	# A: the kernel backend, open and mixed modes, 2 sessions each
	start_twampd A --backend kernel --modes open,mixed \
		--key-file "$tmp/keys" --max-sessions 2 \
		--port-range 20000-20099 -d
}

test_greeting()
{
	twamp_check "the kernel backend is used, and says so" \
		grep -q "backend: kernel" "$tmp/A.log" || return 1
	# Modes 9: open and mixed, as configured, on IPv4 and IPv6
	py greeting 862 9
}

test_open()
{
	py open 862 5001 0 || return 1
	py open 862 5002 1
}

test_stop()
{
	py stop 862 5010
}

test_mixed()
{
	if ! have_cryptography; then
		TWAMP_SKIP_REASON="python3 cryptography missing (tools/deps.sh)"
		return $KSFT_SKIP
	fi
	py secure 862 8 $KEYID $SECRET 5020 1
}

test_unsupported()
{
	# authenticated (2) and encrypted (4) are not offered by A
	py unsupported 862 2 && py unsupported 862 4
}

test_wrong_key()
{
	py wrong-key 862 8 $KEYID $SECRET
}

test_malformed()
{
	py malformed 862
}

test_silent()
{
	py silent 862
}

test_max_sessions()
{
	py max-sessions 862 2
}

test_sigterm()
{
	local hold n i

	py hold 862 5030 60 >"$tmp/hold.out" &
	hold=$!
	for i in $(seq 1 50); do
		grep -q ready "$tmp/hold.out" && break
		sleep 0.2
	done
	n=$(ctl session show -j | jq length)
	twamp_check "a session to remove" test "$n" = 1 || return 1
	stop_twampd A || return 1
	wait $hold
	twamp_check "says it shuts down" grep -q "shutting down" \
		"$tmp/A.log" || return 1
	twamp_check "no kernel session left" \
		test "$(ctl session show -j | jq length)" = 0 || return 1
	twamp_check "no reflector left" \
		test "$(ctl reflector show -j | jq length)" = 0
}

test_sigkill()
{
	local id rc

	start_twampd A2 --backend kernel --port-range 20100-20199 ||
		return 1
	# bash reports the killed job on its stderr: not a KTAP line
	exec 3>&2 2>/dev/null
	py kill 862 5040 "${pids[A2]}"
	rc=$?
	wait "${pids[A2]}"
	exec 2>&3 3>&-
	unset "pids[A2]"
	[ $rc = 0 ] || return 1
	sanitizer_clean A2 || return 1
	if grep -q "cannot bind reflectors" "$tmp/A2.log"; then
		# sessions are gone (checked above); the reflectors stay
		for id in $(ctl reflector show -j | jq '.[].id'); do
			ctl reflector del "$id"
		done
		TWAMP_XFAIL_REASON="twamp.ko cannot bind reflectors to a socket yet (TWAMP_A_REFLECTOR_BIND)"
		return $KSFT_XFAIL
	fi
	py reflectors-gone
}

test_limits()
{
	start_twampd C --backend kernel -p 8621 --allow $CLI4/32 \
		--allow $CLI6/128 --max-conns 2 --servwait 2 \
		--port-range 20200-20299 || return 1
	py acl 8621 $CLI4B $CLI4 || return 1
	twamp_check "the refusal is logged" grep -q \
		"$CLI4B:.* refused: not in the allowed prefixes" "$tmp/C.log" ||
		return 1
	py max-conns 8621 2 || return 1
	py servwait 8621 2 || return 1
	stop_twampd C || return 1

	# REFWAIT 1 s ends a silent session; SERVWAIT 2 s then runs again
	start_twampd E --backend kernel -p 8627 --servwait 2 --refwait 1 \
		--port-range 20600-20699 || return 1
	py refwait 8627 5080 || return 1
	twamp_check "and says so" grep -q "REFWAIT ran out on every session" \
		"$tmp/E.log" || return 1
	stop_twampd E
}

# logged NAME PATTERN: twampd NAME's log has a line matching PATTERN.
logged()
{
	twamp_check "logged: $2" grep -qE "$2" "$tmp/$1.log" || {
		sed 's/^/#   /' "$tmp/$1.log" | tail -n 20
		return 1
	}
}

# Issue 12, attack 4: a client at 10.12.0.1 asks for sessions whose Sender
# Address is a victim's, to have the reflector answer to the victim.
test_sender_address()
{
	local victim=10.12.0.99 victim6=fd12::99

	start_twampd G --backend kernel -p 8628 --port-range 20700-20749 ||
		return 1
	py sender 8628 5100 $victim 1 || return 1
	logged G "session refused \(Accept 1\): Sender Address $victim is not the client's address $CLI4 \(\"allow-sender $victim\" in the config, or --allow-sender, would allow it\)" ||
		return 1
	py sender 8628 5101 $victim6 1 1 || return 1
	logged G "Sender Address $victim6 is not the client's address $CLI6" ||
		return 1
	py sender 8628 5102 224.0.0.251 1 || return 1
	logged G "Sender Address 224.0.0.251 is not a unicast address" ||
		return 1
	# the client's own address, given or zero, is fine
	py sender 8628 5103 $CLI4 0 || return 1
	py sender 8628 5104 0 0 || return 1
	py sender 8628 5105 $CLI6 0 1 || return 1

	# the administrator allows the victim's /30, nothing more
	start_twampd H --backend kernel -p 8629 --port-range 20750-20799 \
		--allow-sender 10.12.0.96/30 --allow-sender fd12::90/124 ||
		return 1
	py sender 8629 5110 $victim 0 || return 1
	logged H "Sender Address $victim is not the client's, allowed by allow-sender" ||
		return 1
	py sender 8629 5111 $victim6 0 1 || return 1
	py sender 8629 5112 10.12.0.100 1 || return 1
	py sender 8629 5113 0 0 || return 1
	stop_twampd H || return 1
	stop_twampd G
}

# Issue 12, attack 5, the address half: reflectors bound on an address
# of the server's that the client chose.
test_receiver_address()
{
	local srv4b=10.12.0.4

	ip -n "$nss" addr add $srv4b/24 dev v0 || return 1
	start_twampd R --backend kernel -p 8632 --port-range 20900-20949 ||
		return 1
	py receiver 8632 5120 127.0.0.1 1 || return 1
	logged R "session refused \(Accept 1\): Receiver Address 127.0.0.1 is not the address the client connected to, $SRV4 \(\"allow-receiver 127.0.0.1\" in the config, or --allow-receiver, would allow it if it is this host's\)" ||
		return 1
	# the server's, but not the one the client connected to
	py receiver 8632 5121 $srv4b 1 || return 1
	py receiver 8632 5122 10.12.0.77 1 || return 1
	py receiver 8632 5123 $SRV4 0 || return 1
	py receiver 8632 5124 0 0 || return 1
	stop_twampd R || return 1

	# a multi-homed server allows its other address
	start_twampd I --backend kernel -p 8630 --port-range 20800-20849 \
		--allow-receiver $srv4b/32 --allow-receiver 10.12.0.64/26 ||
		return 1
	py receiver 8630 5130 $srv4b 0 || return 1
	# allowed by prefix, but nobody's address here
	py receiver 8630 5131 10.12.0.77 1 || return 1
	logged I "Receiver Address 10.12.0.77 is in allow-receiver but is not an address of this host" ||
		return 1
	py receiver 8630 5132 127.0.0.1 1 || return 1
	stop_twampd I
}

# Issue 12, attack 5, the port half: VXLAN's 4789 and mDNS's 5353 asked
# for; test ports come from port-range only.
test_test_ports()
{
	start_twampd P --backend kernel -p 8633 --port-range 20950-20999 ||
		return 1
	py ports 8633 5140 4789 20950 20999 || return 1
	logged P "Receiver Port 4789 is outside port-range 20950-20999: port [0-9]+ offered instead" ||
		return 1
	py ports 8633 5142 5353 20950 20999 || return 1
	py ports 8633 5144 862 20950 20999 || return 1
	# inside the range: honoured, and when taken another is offered
	py ports 8633 5146 20995 20950 20999 || return 1
	logged P "Receiver Port 20995 is in use, in port-range 20950-20999: port [0-9]+ offered instead" ||
		return 1
	stop_twampd P || return 1

	# the userspace backend follows the same rule
	start_twampd B2 --backend user -p 8631 --port-range 20850-20899 ||
		return 1
	py ports 8631 5150 4789 20850 20899 0 || return 1
	py ports 8631 5152 20870 20850 20899 0 || return 1
	stop_twampd B2
}

test_kernel_security()
{
	local features want=1

	features=$(ctl version -j | jq -r '.features | join(",")') || return 1
	[[ ,$features, == *,auth,* ]] && want=$((want + 2))
	[[ ,$features, == *,encrypt,* ]] && want=$((want + 4))
	twamp_log "twamp.ko features: $features"
	start_twampd K --backend kernel -p 8624 \
		--modes open,auth,encrypt,individual,reflect-octets \
		--key-file "$tmp/keys" --port-range 20400-20499 || return 1
	# the modes twamp.ko lacks are not offered, the others are
	py greeting 8624 $((want + 16 + 32)) || return 1
	py individual 8624 5062 || return 1
	py reflect-octets 8624 5064 || return 1
	if [ $((want & 2)) != 0 ] && have_cryptography; then
		py secure 8624 2 $KEYID $SECRET 5060 1 || return 1
	fi
	if [ $((want & 4)) != 0 ] && have_cryptography; then
		py secure 8624 4 $KEYID $SECRET 5061 1 || return 1
	fi
	stop_twampd K
}

test_user()
{
	start_twampd B --backend user -p 8620 \
		--modes open,auth,encrypt,mixed --key-file "$tmp/keys" \
		--port-range 20300-20399 || return 1
	twamp_check "the user backend is used, and says so" \
		grep -q "backend: user" "$tmp/B.log" || return 1
	py greeting 8620 15 || return 1
	py user 8620 5050 || return 1
	twamp_check "no kernel session made by the user backend" \
		test "$(ctl session show -j | jq length)" = 0 || return 1
	if have_cryptography; then
		py secure 8620 2 $KEYID $SECRET 5051 0 || return 1
		py secure 8620 4 $KEYID $SECRET 5052 0 || return 1
	fi
	stop_twampd B
}

gone()
{
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

test_config()
{
	local out rc pid i

	printf 'port 8622\nlisten %s\nmodes open\nmax-sessions 1\n' $SRV4 \
		>"$tmp/good.conf"
	# the last -c wins
	start_twampd D -c "$tmp/good.conf" --backend kernel || return 1
	twamp_check "listens where the file says" grep -q \
		"listening on $SRV4:8622" "$tmp/D.log" || return 1
	py max-sessions 8622 1 || return 1
	stop_twampd D || return 1

	# in the background: the parent exits 0 once the child is ready
	twamp_check "starts in the background" ip netns exec "$nss" \
		"$TWAMPD" -c "$tmp/good.conf" --pid-file "$tmp/twampd.pid" \
		--backend kernel || return 1
	pid=$(cat "$tmp/twampd.pid")
	twamp_check "the pid file names a running twampd" \
		grep -q twampd "/proc/$pid/cmdline" || return 1
	py max-sessions 8622 1 || return 1
	kill -TERM "$pid"
	# gone, or a zombie if nobody reaps the orphan
	for i in $(seq 1 50); do
		gone "$pid" && break
		sleep 0.2
	done
	twamp_check "gone after SIGTERM" gone "$pid" || return 1
	twamp_check "the pid file removed" test ! -e "$tmp/twampd.pid" ||
		return 1

	printf 'port 8622\nmodes open,bogus\n' >"$tmp/bad.conf"
	out=$(ip netns exec "$nss" "$TWAMPD" -f -c "$tmp/bad.conf" 2>&1)
	rc=$?
	twamp_check "a bad config line: exit 2 naming file and line" \
		test $rc = 2 || return 1
	twamp_check "the message names the line" grep -q "bad.conf:2: modes" \
		<<<"$out" || { twamp_log "$out"; return 1; }

	chmod 644 "$tmp/keys"
	out=$(ip netns exec "$nss" "$TWAMPD" -f -c "$tmp/empty.conf" -p 8623 \
		--modes mixed --key-file "$tmp/keys" 2>&1)
	rc=$?
	chmod 600 "$tmp/keys"
	twamp_check "a key file readable by others is refused" \
		test $rc != 0 || return 1
	twamp_check "with a clear message" grep -q \
		"must be owned by root (or the user reading it, uid 0) and not accessible to group or others" \
		<<<"$out" || { twamp_log "$out"; return 1; }
	out=$(ip netns exec "$nss" "$TWAMPD" -f -c "$tmp/empty.conf" -p 8623 \
		--modes mixed 2>&1)
	twamp_check "mixed without a key file is refused" grep -q \
		"need a key file" <<<"$out" || { twamp_log "$out"; return 1; }
}

# refl PORT FIELD: the jq FIELD of the kernel reflector on PORT, or "".
refl()
{
	ctl reflector show -j |
		jq -r --argjson p "$1" ".[] | select(.port == \$p) | $2"
}

# cping PORT [ARGS...]: 2 TWAMP packets from the client namespace to SRV4.
cping()
{
	local port=$1

	shift
	ip netns exec "$nsc" "$CTL" ping -q -c 2 -i 0.05 -p "$port" "$@" \
		$SRV4 >/dev/null
}

# hup NAME: SIGHUP twampd NAME, wait until its log says how it went.
hup()
{
	local n i

	n=$(grep -cE "SIGHUP: (reloaded|.*the configuration in force stays)" \
		"$tmp/$1.log")
	kill -HUP "${pids[$1]}" || return 1
	for i in $(seq 1 50); do
		[ "$(grep -cE "SIGHUP: (reloaded|.*the configuration in force stays)" \
			"$tmp/$1.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	twamp_log "twampd $1: no word on the SIGHUP"
	return 1
}

# Kernel reflectors from "reflector" lines: created at start, answering,
# changed on SIGHUP with unchanged ones kept (ID, counters), the old set
# kept when the new config is bad or cannot be applied, deleted at exit;
# a port held by another reflector refuses the start.
test_config_reflectors()
{
	local conf=$tmp/refl.conf hold id1 rx1 out rc other i

	cat >"$conf" <<-EOF
	port 8634
	max-sessions 4
	reflector port 9862 format stamp stateful allow 10.12.0.0/24
	reflector local $SRV4 port 9863
	EOF
	start_twampd F -c "$conf" --backend kernel \
		--port-range 21000-21049 || return 1
	twamp_check "two reflectors from the config" \
		test "$(ctl reflector show -j | jq length)" = 2 || return 1
	twamp_check "stamp, stateful, allow as configured" test \
		"$(refl 9862 '[.format, .stateful, .allow[0]] | join(" ")')" = \
		"stamp true 10.12.0.0/24" || return 1
	twamp_check "the STAMP reflector answers" cping 9862 --stamp ||
		return 1
	twamp_check "the TWAMP Light one answers" cping 9863 || return 1
	id1=$(refl 9862 .id)
	rx1=$(refl 9862 .counters.rx)
	twamp_check "its counters count" test "$rx1" -ge 2 || return 1

	py hold 8634 5160 60 >"$tmp/hold2.out" &
	hold=$!
	for i in $(seq 1 50); do
		grep -q ready "$tmp/hold2.out" && break
		sleep 0.2
	done

	# same line in other words, one removed, one added, a limit changed
	cat >"$conf" <<-EOF
	port 8634
	max-sessions 3
	reflector   format stamp  allow 10.12.0.0/24 port 9862 stateful
	reflector port 9864 format light ts ptp dscp 46
	EOF
	hup F || return 1
	logged F "SIGHUP: reloaded: .*max-sessions 3, .*2 reflector" ||
		return 1
	twamp_check "the unchanged reflector kept its ID" \
		test "$(refl 9862 .id)" = "$id1" || return 1
	twamp_check "and its counters" test "$(refl 9862 .counters.rx)" -ge \
		"$rx1" || return 1
	twamp_check "the removed one is gone" test -z "$(refl 9863 .id)" ||
		return 1
	twamp_check "the new one is there" \
		test "$(refl 9864 '.ts_format + " " + (.dscp | tostring)')" = \
		"ptp 46" || return 1
	twamp_check "and answers" cping 9864 --ptp || return 1
	twamp_check "the control connection and its session survived" \
		test "$(ctl session show -j |
			jq --argjson r "$id1" '[.[] | select(.reflector != $r)] | length')" = 1 ||
		return 1
	twamp_check "the held connection is still open" kill -0 $hold ||
		return 1

	# a bad line: the whole file refused, nothing changed
	echo "reflector port 99999" >>"$conf"
	hup F || return 1
	logged F "SIGHUP: $conf:5: reflector port: invalid value '99999' \(1 to 65535\); the configuration in force stays" ||
		return 1
	twamp_check "the old reflectors stay" test \
		"$(ctl reflector show -j | jq -c '[.[].port | select(. < 20000)] | sort')" = \
		"[9862,9864]" || return 1

	# a port taken by twamp-ctl: refused, the set put back
	other=$(ctl reflector add port 9865 -j | jq '.[0].id') || return 1
	cat >"$conf" <<-EOF
	port 8634
	reflector port 9862 format stamp stateful allow 10.12.0.0/24
	reflector port 9865
	EOF
	hup F || return 1
	logged F "SIGHUP: $conf:3: reflector port 9865 format light: .*address and port already in use.*; the configuration in force stays" ||
		return 1
	twamp_check "the set is put back" test \
		"$(ctl reflector show -j | jq -c '[.[].port | select(. < 20000)] | sort')" = \
		"[9862,9864,9865]" || return 1
	twamp_check "the kept one still has its ID" \
		test "$(refl 9862 .id)" = "$id1" || return 1

	kill $hold 2>/dev/null
	wait $hold 2>/dev/null
	stop_twampd F || return 1
	twamp_check "its reflectors are deleted at exit, not twamp-ctl's" \
		test "$(ctl reflector show -j | jq -c '[.[].id]')" = "[$other]" ||
		return 1

	# at start, the same port: exit 1 naming the line
	printf 'port 8635\nreflector port 9865\n' >"$conf"
	out=$(ip netns exec "$nss" "$TWAMPD" -f -c "$conf" --backend kernel \
		--port-range 21050-21099 2>&1)
	rc=$?
	ctl reflector del "$other"
	twamp_check "a taken port refuses the start" test $rc = 1 || return 1
	twamp_check "naming the line and the cause" grep -q \
		"refl.conf:2: reflector port 9865 format light: .*address and port already in use" \
		<<<"$out" || { twamp_log "$out"; return 1; }
	twamp_check "and leaves no reflector" \
		test "$(ctl reflector show -j | jq length)" = 0
}

# Without twamp.ko: --backend auto falls back to the userspace reflector
# (unless the kernel loads an installed twamp module on demand, in which
# case that one is used), --backend kernel refuses to start.
test_auto_fallback()
{
	local out rc

	if [ "$TWAMP_MOD_LOADED_HERE" != 1 ]; then
		TWAMP_SKIP_REASON="twamp.ko was loaded before this test: not unloading it"
		return $KSFT_SKIP
	fi
	rmmod twamp || return 1
	start_twampd U --backend auto -p 8625 --port-range 20500-20599 ||
		return 1
	if grep -q "backend: kernel" "$tmp/U.log"; then
		twamp_log "an installed twamp module was loaded on demand"
		twamp_check "and it is loaded" twamp_mod_loaded || return 1
		stop_twampd U
		return
	fi
	twamp_check "says why it uses the user backend" grep -q \
		"backend: user (userspace reflector), because the kernel backend is unavailable: the twamp kernel module is not loaded" \
		"$tmp/U.log" || { sed 's/^/#   /' "$tmp/U.log"; return 1; }
	py user 8625 5070 || return 1
	stop_twampd U || return 1

	printf 'reflector port 9866\n' >"$tmp/refl-nomod.conf"
	out=$(ip netns exec "$nss" "$TWAMPD" -f -c "$tmp/refl-nomod.conf" \
		-p 8636 --backend user 2>&1)
	rc=$?
	twamp_check "reflector lines without the module: exit 1" \
		test $rc = 1 || return 1
	twamp_check "saying so" grep -q \
		"reflector lines need the twamp kernel module, which is not loaded" \
		<<<"$out" || { twamp_log "$out"; return 1; }

	out=$(ip netns exec "$nss" "$TWAMPD" -f -c "$tmp/empty.conf" -p 8626 \
		--backend kernel 2>&1)
	rc=$?
	twamp_check "--backend kernel without the module: exit 1" \
		test $rc = 1 || return 1
	twamp_check "with the reason" grep -q \
		"kernel backend: the twamp kernel module is not loaded" \
		<<<"$out" || { twamp_log "$out"; return 1; }
}

sanitizer_all()
{
	local f ok=0

	for f in "$tmp"/*.log; do
		sanitizer_clean "$(basename "$f" .log)" || ok=1
	done
	return $ok
}

twamp_ktap_plan 22
twamp_run_test "setup: namespaces, twampd on the kernel backend" setup
twamp_run_test "greeting on IPv4 and IPv6 advertises the configured modes" \
	test_greeting
twamp_run_test "open mode: session accepted, in the kernel, reflecting, removed on close" \
	test_open
twamp_run_test "Stop-Sessions: reflects for the Timeout, then removed" \
	test_stop
twamp_run_test "mixed mode: encrypted control programs a kernel session" \
	test_mixed
twamp_run_test "a mode not offered gets Server-Start Accept != 0" \
	test_unsupported
twamp_run_test "an unknown KeyID or a wrong secret is refused" \
	test_wrong_key
twamp_run_test "a malformed message closes the connection, not twampd" \
	test_malformed
twamp_run_test "a silent client does not hold up another" test_silent
twamp_run_test "max-sessions: the next request gets Accept != 0" \
	test_max_sessions
twamp_run_test "SIGTERM: clean exit, sessions and reflectors removed" \
	test_sigterm
twamp_run_test "SIGKILL: the kernel removes twampd's sessions and reflectors" \
	test_sigkill
twamp_run_test "allowed prefixes, max-conns, SERVWAIT and REFWAIT" test_limits
twamp_run_test "a Sender Address of another host is refused unless allow-sender has it" \
	test_sender_address
twamp_run_test "a Receiver Address not the server's connection address, or not allowed, is refused" \
	test_receiver_address
twamp_run_test "test ports come from port-range only: 4789, 5353 and 862 are never bound" \
	test_test_ports
twamp_run_test "kernel backend: auth and encrypt offered when twamp.ko has them; mode 16 and 32" \
	test_kernel_security
twamp_run_test "userspace backend: sessions reflected without twamp.ko" \
	test_user
twamp_run_test "config file, bad lines and key file permissions" \
	test_config
twamp_run_test "reflector lines: created, kept and changed on SIGHUP, deleted at exit" \
	test_config_reflectors
twamp_run_test "without twamp.ko: auto falls back to the userspace reflector" \
	test_auto_fallback
twamp_run_test "no sanitizer report from any twampd" sanitizer_all
twamp_ktap_finish
