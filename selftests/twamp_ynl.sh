#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The spec, Documentation/netlink/specs/twamp.yaml, against the module: the
# kernel's YNL CLI (tools/net/ynl/cli.py of linux-source-6.12, extracted
# into build/ynl by make) knows the family only from the spec, so what it
# sends and decodes is what the spec says. It must agree with the module:
# info-get's versions, a reflector made, read back and deleted, and a
# request the policy refuses, refused with the policy's message.
#
# Environment: TWAMP_YNL, the extracted tree (default ../build/ynl).

source "$(dirname "$(readlink -f "$0")")/lib.sh"

TOP=$(readlink -f "$TWAMP_ST_DIR/..")
YNL=${TWAMP_YNL:-$TOP/build/ynl}
SPEC=$TOP/Documentation/netlink/specs/twamp.yaml
CLI=$YNL/tools/net/ynl/cli.py
SCHEMA=$YNL/Documentation/netlink/genetlink-legacy.yaml

twamp_require_root
twamp_require_cmd python3 jq ip
[ -r "$CLI" ] && [ -r "$SCHEMA" ] ||
	twamp_exit_skip "no YNL CLI in $YNL: run make (it extracts it from linux-source-6.12)"
python3 -c 'import yaml, jsonschema' 2>/dev/null ||
	twamp_exit_skip "the YNL CLI needs python3-yaml and python3-jsonschema (make deps)"
twamp_mod_get
case $? in
0) ;;
"$KSFT_SKIP") twamp_exit_skip "$TWAMP_SKIP_REASON" ;;
*) twamp_exit_fail "cannot load twamp.ko" ;;
esac
NS=
twamp_netns_add NS ynl || twamp_exit_fail "cannot create a namespace"

# ynl ARGS...: the CLI in the test namespace, JSON out. The first call
# validates the spec against YNL's schema; the others skip it (--no-schema),
# which under emulation saves seconds per call.
YNL_SCHEMA=(--schema "$SCHEMA")
ynl()
{
	ip netns exec "$NS" python3 "$CLI" --spec "$SPEC" "${YNL_SCHEMA[@]}" \
		--output-json "$@"
}

test_info_get()
{
	local out want

	out=$(ynl --do info-get) || return 1
	twamp_log "$out"
	YNL_SCHEMA=(--no-schema)
	want=$(cat "$TOP/VERSION")
	[ "$(jq -r '.info["abi-version"]' <<<"$out")" = 1 ] &&
		[ "$(jq -r '.info.version' <<<"$out")" = "$want" ] &&
		[ "$(jq -r '.info.limits["max-objects"] | type' <<<"$out")" = number ]
}

test_reflector_round_trip()
{
	local out id

	out=$(ynl --do reflector-new \
		--json '{"reflector": {"port": 31862, "dscp": 46}}') || return 1
	twamp_log "$out"
	id=$(jq -r '.reflector.id' <<<"$out")
	[ "$id" -gt 0 ] 2>/dev/null || return 1
	out=$(ynl --do reflector-get --json "{\"reflector\": {\"id\": $id}}") ||
		return 1
	twamp_log "$out"
	[ "$(jq -r '.reflector.port' <<<"$out")" = 31862 ] &&
		[ "$(jq -r '.reflector.dscp' <<<"$out")" = 46 ] || return 1
	out=$(ynl --dump reflector-get) || return 1
	[ "$(jq -r "[.[] | select(.reflector.id == $id)] | length" <<<"$out")" = 1 ] ||
		return 1
	ynl --do reflector-del --json "{\"reflector\": {\"id\": $id}}" \
		>/dev/null || return 1
	! ynl --do reflector-get --json "{\"reflector\": {\"id\": $id}}" \
		>/dev/null 2>&1
}

# The policy the spec generates refuses an ID of 0, with its message.
test_policy_refusal()
{
	local out

	out=$(ynl --do reflector-del --json '{"reflector": {"id": 0}}' 2>&1) &&
		return 1
	twamp_log "$out"
	grep -q "integer out of range" <<<"$out"
}

twamp_ktap_plan 3
twamp_run_test "ynl cli: info-get gives the module's version and ABI" \
	test_info_get
twamp_run_test "ynl cli: reflector-new, -get (do and dump), -del" \
	test_reflector_round_trip
twamp_run_test "ynl cli: an ID of 0 refused by the policy" \
	test_policy_refusal
twamp_ktap_finish
