#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden tests of `cutover nsx-import` on the NSX fixtures. Each case is a
# directory tests/golden/nsx/<case>/ holding `args` (the command line after
# `cutover nsx-import`, paths relative to the repository root) and the expected
# cilium-policies.yaml, bundle.json, report.txt and report.json.
#   scripts/nsx-golden.sh           compare (exit 1 on any difference)
#   scripts/nsx-golden.sh --update  rewrite the expected files (review the diff!)
# CUTOVER_BIN selects the binary (default build/bin/cutover).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bin=${CUTOVER_BIN:-$top/build/bin/cutover}
update=0
[ "${1:-}" = "--update" ] && update=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for dir in tests/golden/nsx/*/; do
	case=$(basename "$dir")
	[ -f "$dir/args" ] || continue
	n=$((n + 1))
	read -r -a args < "$dir/args"
	out=$tmp/$case
	rc=0
	"$bin" nsx-import "${args[@]}" -o "$out" 2>"$tmp/$case.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "golden $case: cutover nsx-import exited $rc" >&2
		cat "$tmp/$case.err" >&2
		fail=1
		continue
	fi
	for f in cilium-policies.yaml bundle.json report.txt report.json; do
		if [ $update -eq 1 ]; then
			cp "$out/$f" "$dir/$f"
		elif ! diff -u "$dir/$f" "$out/$f" > "$tmp/diff"; then
			echo "golden $case: $f differs:" >&2
			head -40 "$tmp/diff" >&2
			fail=1
		fi
	done
done
[ $n -gt 0 ] || { echo "nsx-golden: no cases" >&2; exit 1; }
if [ $update -eq 1 ]; then
	echo "nsx-golden: updated $n cases; review with git diff tests/golden/nsx"
else
	[ $fail -eq 0 ] && echo "nsx-golden: $n cases match"
fi
exit $fail
