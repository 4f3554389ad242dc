#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run the benchmarks given as arguments (bench/*/run.sh style scripts, registered in
# module.mk files as BENCHES). Each prints its own figures and ratios against the anchor
# it measures in the same run; their output is also kept in build/bench-logs/.
# BENCH=substring selects some. Needs root for the lab-based ones.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export CUTOVER_TOP=$top
export CUTOVER_RUN=${CUTOVER_RUN:-bench$$}
logs=$top/build/bench-logs
mkdir -p "$logs"
rc=0 ran=0
for b in "$@"; do
	case $b in *"${BENCH:-}"*) ;; *) continue ;; esac
	name=$(basename "$(dirname "$b")")
	echo "== bench $name ($b)"
	if bash "$top/$b" 2>&1 | tee "$logs/$name.log"; then
		:
	else
		echo "bench $name FAILED (log: build/bench-logs/$name.log)"
		rc=1
	fi
	ran=$((ran + 1))
	echo
done
[ "$ran" -gt 0 ] || echo "bench: nothing selected (registered: $*)"
exit $rc
