#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How fast a dead upstream takes the BGP session down: cutoverd (BGP peer with
# `bfd: {min-tx-ms: 100, min-rx-ms: 100, multiplier: 3}`, hold time 9 s) against BIRD 2
# (BGP with `bfd on`, BFD 100 ms x 3), in the namespace lab.
#   cutoverd  freeze BIRD (SIGSTOP); time until cutoverd's BFD session left Up, which is
#             when it closes the BGP session (same callback); read from the control API
#             (state_since_ms, wall clock)
#   anchor    freeze cutoverd; time until BIRD logs "<proto>: BFD session down" (BIRD's
#             BGP teardown), log timestamps in microseconds
# BFD_BENCH_BGP_N failures each (default 20). Prints min/p50/p99/max, ratios to the
# anchor, and the hold-time alternative (9 s) for scale.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$top/build/bin
N=${BFD_BENCH_BGP_N:-20}
DETECT_MS=300
. "$top/tests/lab/lab.sh"
. "$top/bench/bfd/lib.sh"
lab_init bfdbgp

lab_up_router
lab_add_node n1 1
cat >> "$LAB_DIR/up-peers.conf" <<'BIRD'
timeformat log "%F %T.%6f";
protocol bfd bfd1 {
	interface "*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
}
BIRD
proto=$(lab_bird_peer n1 65001 "hold time 9; bfd on; debug { states, events };")
conf=$(lab_cutoverd_conf n1 65001 "log-level: warn
metrics: off" <<EOF2
  peers:
$(lab_cutoverd_peer n1 up4 4)
      bfd: { min-tx-ms: 100, min-rx-ms: 100, multiplier: 3, interface: up0 }
EOF2
)
export CUTOVER_SOCKET=$LAB_DIR/n1.sock
lab_cutoverd n1 "$conf"
cd_pid=$LAB_CUTOVERD_PID
bird_pid=$(lab_bird_pid up)

bfd_field() {
	"$BIN/cutover" bgp bfd --json | python3 -c '
import json, sys
s = json.load(sys.stdin)["sessions"]
print(s[0][sys.argv[1]] if s else "")' "$1"
}
ours_up() {
	[ "$(bfd_field state)" = Up ] && [ "$(bfd_field detect_time_us)" = 300000 ] &&
		lab_bgp_established up "$proto"
}
bird_bfd_downs() { grep -ac "$proto: BFD session down" "$LAB_DIR/up.log" || true; }
settle() {
	lab_wait 60 ours_up || { echo "bfd_bgp_teardown: session did not come back" >&2; exit 1; }
	sleep 0.5
}

ours=() anchor=()
settle
for ((i = 0; i < N; i++)); do
	t0=$(us_now)
	kill -STOP "$bird_pid"
	if ! lab_wait 5 sh -c "[ \"\$('$BIN/cutover' bgp bfd --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"sessions\"][0][\"state\"])')\" != Up ]"; then
		kill -CONT "$bird_pid"
		echo "bfd_bgp_teardown: no detection" >&2
		exit 1
	fi
	since=$(bfd_field state_since_ms)
	kill -CONT "$bird_pid"
	ours+=($(( since * 1000 - t0 )))
	settle
done
for ((i = 0; i < N; i++)); do
	b=$(bird_bfd_downs)
	t0=$(us_now)
	kill -STOP "$cd_pid"
	lab_wait 5 ge bird_bfd_downs $((b + 1)) || { kill -CONT "$cd_pid"; echo "BIRD did not detect" >&2; exit 1; }
	kill -CONT "$cd_pid"
	anchor+=($(( $(bird_last_log_us "$proto: BFD session down") - t0 )))
	settle
done

read -r o_min o_p50 o_p99 o_max <<< "$(stats "${ours[@]}")"
read -r a_min a_p50 a_p99 a_max <<< "$(stats "${anchor[@]}")"
echo "BGP session teardown after a frozen peer, BFD 100 ms x 3 (detection $DETECT_MS ms), hold time 9 s, $(date -u +%F)"
printf '%-40s %4s %8s %8s %8s %8s %9s %9s\n' series n min_ms p50_ms p99_ms max_ms \
	p50/anchor p99/anchor
printf '%-40s %4d %8s %8s %8s %8s %9s %9s\n' "cutoverd drops BGP (BIRD frozen)" "$N" \
	"$o_min" "$o_p50" "$o_p99" "$o_max" "$(ratio "$o_p50" "$a_p50")" "$(ratio "$o_p99" "$a_p99")"
printf '%-40s %4d %8s %8s %8s %8s %9s %9s\n' "anchor: BIRD drops BGP (cutoverd frozen)" \
	"$N" "$a_min" "$a_p50" "$a_p99" "$a_max" "1.00" "1.00"
echo "without BFD the hold timer would take 6-9 s (hold time 9 s): p50 is $(ratio 9000 "$o_p50")x faster than 9 s"
kill -TERM "$cd_pid" 2>/dev/null || true
wait "$cd_pid" 2>/dev/null || true
