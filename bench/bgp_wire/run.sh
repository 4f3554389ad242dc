#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Wire codec throughput on real RIS data (tests/fixtures/mrt/updates.20160811.1600.gz).
# Anchor, measured in this run on the same file: Debian's bgpdump decoding it (`bgpdump -m`
# to /dev/null, best of 3). bgpdump also formats text, so the ratio is "our whole
# load+decode vs bgpdump's whole job", and a second ratio shows decode alone.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
file=$top/tests/fixtures/mrt/updates.20160811.1600.gz
bench=$top/build/bin/bgp-wire-bench
[ -x "$bench" ] || { echo "missing $bench (make)"; exit 1; }
command -v bgpdump >/dev/null || { echo "bgpdump not installed (scripts/deps.sh)"; exit 1; }

best=""
for _ in 1 2 3; do
	t0=$(date +%s.%N)
	bgpdump -m "$file" >/dev/null 2>&1
	t1=$(date +%s.%N)
	t=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", b-a}')
	best=$(awk -v a="$best" -v b="$t" 'BEGIN{ if (a == "" || b < a) print b; else print a }')
done
out=$("$bench" "$file" 2)
echo "$out"
get() { echo "$out" | awk -v k="$1" '$1 == k { print $2 }'; }
once=$(get load_decode_once_s)
pass=$(get decode_pass_s)
echo "anchor bgpdump_m_s $best"
awk -v b="$best" -v o="$once" -v p="$pass" 'BEGIN {
	printf "ratio bgpdump_over_our_load_decode %.1fx\n", b / o
	printf "ratio bgpdump_over_our_decode_only %.1fx\n", b / p
}'
