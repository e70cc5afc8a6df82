#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ABI constants of a uapi header, as the C compiler sees them: every
# enumerator and numeric or string #define of the header, one "NAME VALUE"
# line each, sorted. A tiny C program includes the header and prints them,
# so the values are the preprocessed and evaluated ones, not text.
#
#   tools/uapi-abi.sh HEADER            print them
#   tools/uapi-abi.sh HEADER REFERENCE  fail if any name of REFERENCE is
#                                       missing or has another value
set -euo pipefail

hdr=$1
ref=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Names: enumerators (inside "enum ... { }") and #defines, comments removed.
python3 - "$hdr" >"$tmp/names" <<'PY'
import re, sys
text = re.sub(r"/\*.*?\*/", "", open(sys.argv[1]).read(), flags=re.S)
names = []
for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
    for item in body.split(","):
        item = item.split("=")[0].strip()
        if item:
            names.append(("i", item))
for name, val in re.findall(r"^#define[ \t]+(\w+)[ \t]+(\S.*)$", text, flags=re.M):
    names.append(("s" if val.strip().startswith('"') else "i", name))
for kind, name in names:
    print(kind, name)
PY

{
	echo '#include <stdio.h>'
	echo "#include \"$(realpath "$hdr")\""
	echo 'int main(void) {'
	while read -r kind name; do
		if [ "$kind" = s ]; then
			echo "printf(\"%s \\\"%s\\\"\\n\", \"$name\", $name);"
		else
			echo "printf(\"%s %lld\\n\", \"$name\", (long long)($name));"
		fi
	done <"$tmp/names"
	echo 'return 0; }'
} >"$tmp/abi.c"
${CC:-gcc} -std=gnu11 -Wall -Werror -o "$tmp/abi" "$tmp/abi.c"
"$tmp/abi" | LC_ALL=C sort -u >"$tmp/now"

if [ -z "$ref" ]; then
	cat "$tmp/now"
	exit 0
fi
missing=$(LC_ALL=C comm -23 "$ref" "$tmp/now")
if [ -n "$missing" ]; then
	echo "uapi-abi: $hdr changed or lost these constants of $ref:" >&2
	printf '%s\n' "$missing" >&2
	exit 1
fi
echo "uapi-abi: $hdr keeps all $(wc -l <"$ref") constants of $ref"
