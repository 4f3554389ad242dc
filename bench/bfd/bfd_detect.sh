#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# BFD detection time, cutover vs BIRD 2, in the namespace lab (100 ms x 3 both ways,
# configured detection time 300 ms):
#   ours/SIGSTOP   freeze BIRD, time until cutover's BFD (bfd-probe) reports Up -> Down
#   ours/linkdown  set the router's side of the link down, same measurement
#   anchor         freeze bfd-probe, time until BIRD logs its session Up -> Down
# Failure time: bash's $EPOCHREALTIME just before the signal / ip link; detection time:
# the probe's wall-clock stamp (us) or BIRD's log stamp (set to us by this script).
# Prints min/p50/p99/max per series, the ratio to the BIRD anchor and the target check
# p99 <= detection time + 50 ms.  BFD_BENCH_N (default 50) failures per SIGSTOP series,
# BFD_BENCH_LINK (default 20) link-down failures.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
probe=$top/build/bin/bfd-probe
N=${BFD_BENCH_N:-50}
NLINK=${BFD_BENCH_LINK:-20}
DETECT_MS=300
TARGET_MS=$((DETECT_MS + 50))
[ -x "$probe" ] || { echo "bfd_detect: build $probe first (make)" >&2; exit 1; }
. "$top/tests/lab/lab.sh"
. "$top/bench/bfd/lib.sh"
lab_init bfdbench
[ -z "${BFD_BENCH_DEBUG:-}" ] || LAB_KEEP_DIR=1

lab_up_router
lab_add_node node1 1
cat >> "$LAB_DIR/up-peers.conf" <<BIRD
timeformat log "%F %T.%6f";
protocol bfd bfd1 {
	debug { states, events };
	interface "*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
	neighbor 10.255.1.2;
}
BIRD
lab_birdc up configure >/dev/null
bird_pid=$(lab_bird_pid up)
out=$LAB_DIR/probe.out
ip netns exec "$(lab_ns node1)" "$probe" --local 10.255.1.2 --peer 10.255.1.1 --ifname up0 \
	--tx 100 --rx 100 --mult 3 > "$out" 2> "$LAB_DIR/probe.err" &
probe_pid=$!

ups() { grep -c '"to":"Up"' "$out" || true; }
downs() { grep -c '"from":"Up","to":"Down"' "$out" || true; }
bird_down_line='Session to 10.255.1.2 changed state from Up to Down'
bird_downs() { grep -ac "$bird_down_line" "$LAB_DIR/up.log" || true; }
bird_up() { lab_birdc up show bfd sessions | grep -F '10.255.1.2 ' | grep -q ' Up '; }
# both sides Up and settled (poll sequences done, fast intervals in force)
settle() {
	lab_wait 15 ge ups "$1" || { echo "bfd_detect: session did not come back Up" >&2; exit 1; }
	lab_wait 15 bird_up || { echo "bfd_detect: BIRD session did not come back Up" >&2; exit 1; }
	sleep 0.5
}
last_down_us() {
	grep '"from":"Up","to":"Down"' "$out" | tail -n 1 | sed 's/.*"t_us":\([0-9]*\).*/\1/'
}

ours_stop=() ours_link=() anchor=()
upn=1
settle $upn
for ((i = 0; i < N; i++)); do
	d=$(downs)
	t0=$(us_now)
	kill -STOP "$bird_pid"
	lab_wait 5 ge downs $((d + 1)) || { kill -CONT "$bird_pid"; echo "no detection" >&2; exit 1; }
	kill -CONT "$bird_pid"
	ours_stop+=($(( $(last_down_us) - t0 )))
	upn=$((upn + 1))
	settle $upn
done
for ((i = 0; i < NLINK; i++)); do
	d=$(downs)
	t0=$(us_now)
	lab_exec up ip link set n1 down
	lab_wait 5 ge downs $((d + 1)) || { echo "no detection (link)" >&2; exit 1; }
	lab_exec up ip link set n1 up
	ours_link+=($(( $(last_down_us) - t0 )))
	upn=$((upn + 1))
	settle $upn
done
for ((i = 0; i < N; i++)); do
	b=$(bird_downs)
	u=$(ups)
	t0=$(us_now)
	kill -STOP "$probe_pid"
	lab_wait 5 ge bird_downs $((b + 1)) || { kill -CONT "$probe_pid"; echo "BIRD did not detect" >&2; exit 1; }
	kill -CONT "$probe_pid"
	anchor+=($(( $(bird_last_log_us "$bird_down_line") - t0 )))
	# after SIGCONT the probe reads BIRD's Down and goes down once; wait for Up again
	settle $((u + 1))
done

read -r s_min s_p50 s_p99 s_max <<< "$(stats "${ours_stop[@]}")"
read -r l_min l_p50 l_p99 l_max <<< "$(stats "${ours_link[@]}")"
read -r a_min a_p50 a_p99 a_max <<< "$(stats "${anchor[@]}")"
ok() { awk -v a="$1" -v t="$TARGET_MS" 'BEGIN { print (a <= t) ? "PASS" : "FAIL" }'; }

echo "BFD detection time, 100 ms x 3 (configured detection time $DETECT_MS ms), $(date -u +%F)"
echo "kernel $(uname -r), $(bird --version 2>&1), $(nproc) cores"
printf '%-34s %4s %8s %8s %8s %8s %9s %9s %7s\n' series n min_ms p50_ms p99_ms max_ms \
	p50/anchor p99/anchor target
printf '%-34s %4d %8s %8s %8s %8s %9s %9s %7s\n' "cutover, BIRD frozen (SIGSTOP)" "$N" \
	"$s_min" "$s_p50" "$s_p99" "$s_max" "$(ratio "$s_p50" "$a_p50")" \
	"$(ratio "$s_p99" "$a_p99")" "$(ok "$s_p99")"
printf '%-34s %4d %8s %8s %8s %8s %9s %9s %7s\n' "cutover, link down" "$NLINK" \
	"$l_min" "$l_p50" "$l_p99" "$l_max" "$(ratio "$l_p50" "$a_p50")" \
	"$(ratio "$l_p99" "$a_p99")" "$(ok "$l_p99")"
printf '%-34s %4d %8s %8s %8s %8s %9s %9s %7s\n' "anchor: BIRD, cutover frozen" "$N" \
	"$a_min" "$a_p50" "$a_p99" "$a_max" "1.00" "1.00" "$(ok "$a_p99")"
echo "target: p99 <= $TARGET_MS ms (detection time + 50 ms)"
kill -TERM "$probe_pid" 2>/dev/null || true
wait "$probe_pid" 2>/dev/null || true
