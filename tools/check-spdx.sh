#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every tracked source file names its license with an SPDX tag in its first
# lines, and every license it names has its text under LICENSES/ (COPYING).
# One awk over all files: a few processes, not a dozen per file.
set -euo pipefail
cd "$(dirname "$0")/.."

known=$(sed -n 's/^\(Valid-License\|SPDX-Exception\)-Identifier: //p' LICENSES/*/* | sort -u)
# the Makefile-generated and data files carry no tag
mapfile -t files < <(git ls-files -- '*.c' '*.h' '*.sh' '*.py' '*.yaml' \
	Makefile Kbuild '*/Makefile' 'tools/vm/*' 'tools/vm/debug-kernel/*' |
	grep -vE '(^|/)(corpus|testdata)/|\.config$|\.md$' || true)
fail=0
for f in "${files[@]}"; do
	# awk never sees an empty file
	[ -s "$f" ] || { echo "check-spdx: $f: empty, no SPDX-License-Identifier" >&2; fail=1; }
done
awk -v known="$known" '
function file_done() {
	if (cur != "" && !found) {
		printf "check-spdx: %s: no SPDX-License-Identifier in its first 5 lines\n", cur > "/dev/stderr"
		bad = 1
	}
}
BEGIN {
	n = split(known, k, "\n")
	for (i = 1; i <= n; i++)
		ok[k[i]] = 1
}
FNR == 1 { file_done(); cur = FILENAME; found = 0 }
found || FNR > 5 { nextfile }
/SPDX-License-Identifier: / {
	t = substr($0, index($0, "SPDX-License-Identifier: ") + 25)
	sub(/ \*\/$/, "", t)
	gsub(/[()]/, " ", t)
	found = 1
	m = split(t, ids, /[ \t]+/)
	for (i = 1; i <= m; i++) {
		id = ids[i]
		if (id == "" || id == "OR" || id == "AND" || id == "WITH")
			continue
		if (!(id in ok)) {
			printf "check-spdx: %s: license \047%s\047 has no text in LICENSES/\n", cur, id > "/dev/stderr"
			bad = 1
		}
	}
}
END { file_done(); exit bad }' "${files[@]}" || fail=1
[ "$fail" -eq 0 ] && echo "check-spdx: every source file has a known SPDX tag (${#files[@]} files)"
exit "$fail"
