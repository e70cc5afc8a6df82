#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink ABI of twamp.ko (twamp_genl, a kselftest_harness
# test), with the module loaded for it if it was not, and unloaded after.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_genl_client
twamp_mod_get
case $? in
0) ;;
"$KSFT_SKIP") twamp_exit_skip "$TWAMP_SKIP_REASON" ;;
*) twamp_exit_fail "cannot load twamp.ko" ;;
esac

"$TWAMP_GENL"
