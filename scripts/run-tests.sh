#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run the suites listed in build/tests.list ("kind path" per line) one by one, keep
# each log under build/test-logs/, print one line per test and a closing
# "N passed, N failed" line. Exit 1 when anything failed.
#   --only KIND   run one kind (unit, bpf, integration, fuzz)
#   FUZZ_SECONDS  seconds per fuzz target (default 20)
set -u
only=""
if [ "${1:-}" = "--only" ]; then only=$2; shift 2; fi
list=${1:?usage: run-tests.sh [--only KIND] LIST}
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/test-logs
mkdir -p "$logs"
export CUTOVER_TOP=$top
export CUTOVER_RUN=${CUTOVER_RUN:-$$}
: "${FUZZ_SECONDS:=20}"
pass=0 fail=0 failed=()
start_all=$(date +%s)

run_one() {
	local kind=$1 path=$2 name log rc t0 t1
	name=$(basename "$path")
	name=${name%.sh}
	log=$logs/$kind-$name.log
	t0=$(date +%s.%N)
	case $kind in
	unit|bpf)
		"$path" >"$log" 2>&1 ;;
	integration)
		bash "$path" >"$log" 2>&1 ;;
	fuzz)
		local corpus=$top/tests/fuzz/corpus/$name work=$top/build/fuzz/corpus/$name
		mkdir -p "$work"
		"$path" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 "$work" "$corpus" >"$log" 2>&1 ;;
	esac
	rc=$?
	t1=$(date +%s.%N)
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		printf '  PASS  %-12s %-32s %6.1fs\n' "$kind" "$name" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')"
	else
		fail=$((fail + 1))
		failed+=("$kind/$name")
		printf '  FAIL  %-12s %-32s %6.1fs  (log: %s)\n' "$kind" "$name" \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "${log#"$top"/}"
		tail -n 30 "$log" | sed 's/^/        | /'
	fi
}

while read -r kind path; do
	[ -n "$kind" ] || continue
	[ -z "$only" ] || [ "$kind" = "$only" ] || continue
	run_one "$kind" "$path"
done < "$list"

echo
echo "test time: $(( $(date +%s) - start_all ))s"
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
