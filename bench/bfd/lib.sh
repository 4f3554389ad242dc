# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Helpers shared by the BFD benchmarks (sourced after tests/lab/lab.sh): wall-clock
# stamps in microseconds, BIRD log stamps, and the min/p50/p99/max summary.

# us_now: wall clock in microseconds (bash's $EPOCHREALTIME without the dot)
us_now() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# ge FUNC N: true when FUNC prints a number >= N (for lab_wait)
ge() { [ "$("$1")" -ge "$2" ]; }

# bird_last_log_us PATTERN: time of the last line of up's BIRD log matching PATTERN, in
# microseconds; the log's "YYYY-MM-DD HH:MM:SS.ffffff" stamps (timeformat log
# "%F %T.%6f") are local time of the BIRD process, which is ours.
bird_last_log_us() {
	local stamp
	stamp=$(grep -a "$1" "$LAB_DIR/up.log" | tail -n 1 | awk '{print $1" "$2}')
	echo $(( $(date -d "${stamp%.*}" +%s) * 1000000 + 10#${stamp#*.} ))
}

# stats VALUES...: "min p50 p99 max" in ms of values in us (nearest-rank percentiles)
stats() {
	printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {
		p50 = v[int((NR * 50 + 99) / 100)]; p99 = v[int((NR * 99 + 99) / 100)];
		printf "%.1f %.1f %.1f %.1f\n", v[1]/1000, p50/1000, p99/1000, v[NR]/1000 }'
}

# ratio A B: A / B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
