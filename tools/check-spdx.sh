#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every tracked source file names its license with an SPDX tag in its first
# lines, and every license it names has its text under LICENSES/ (COPYING).
set -euo pipefail
cd "$(dirname "$0")/.."

known=$(sed -n 's/^\(Valid-License\|SPDX-Exception\)-Identifier: //p' LICENSES/*/* | sort -u)
fail=0
while IFS= read -r f; do
	# the Makefile-generated and data files carry no tag
	tag=$(head -n 5 "$f" | sed -n 's/.*SPDX-License-Identifier: \(.*\)$/\1/p' |
		sed 's| \*/$||; s/[[:space:]]*$//' | head -n 1)
	if [ -z "$tag" ]; then
		echo "check-spdx: $f: no SPDX-License-Identifier in its first 5 lines" >&2
		fail=1
		continue
	fi
	for id in $(tr '()' '  ' <<<"$tag" | tr ' ' '\n' |
			grep -vxE 'OR|AND|WITH|' ); do
		if ! grep -qxF "$id" <<<"$known"; then
			echo "check-spdx: $f: license '$id' has no text in LICENSES/" >&2
			fail=1
		fi
	done
done < <(git ls-files -- '*.c' '*.h' '*.sh' '*.py' '*.yaml' Makefile Kbuild \
	'*/Makefile' 'tools/vm/*' 'tools/vm/debug-kernel/*' |
	grep -vE '(^|/)(corpus|testdata)/|\.config$|\.md$' || true)
[ "$fail" -eq 0 ] && echo "check-spdx: every source file has a known SPDX tag"
exit "$fail"
