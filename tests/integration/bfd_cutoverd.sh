#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cutoverd's BGP peers with `bfd:` (IPv4 and IPv6) against BIRD 2 (BGP with `bfd on`,
# BFD 100 ms x 3) in the namespace lab:
#   - BGP and BFD come up; `cutover bgp bfd` (table and --json) and the metrics show it;
#   - freezing BIRD (SIGSTOP): BFD detects it within the detection time + margin and
#     the BGP session is torn down at once (hold time is 9 s), the peer's received
#     routes are dropped (also from the node's kernel table), the log names diag 1 and
#     Cease/BFD Down;
#   - SIGCONT: BGP and BFD come back;
#   - cutoverd stop (SIGTERM): AdminDown reaches BIRD before the process exits;
#   - bad `bfd:` config is refused by --check-config with key path and line.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CUTOVER_BIN:-$top/build/asan/bin}
MARGIN_MS=${BFD_MARGIN_MS:-250}
. "$top/tests/lab/lab.sh"
. "$top/tests/integration/bgp_lib.sh"

lab_init bfdd
lab_up_router
lab_add_node n1 1
cat >> "$LAB_DIR/up-peers.conf" <<'BIRD'
protocol static bfdr4 { ipv4; route 198.51.100.0/24 unreachable; }
protocol bfd bfd1 {
	debug { states, events, packets };
	interface "*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
}
BIRD
p4=$(lab_bird_peer n1 65001 "hold time 9; bfd on;")
p6=$(lab_bird_peer6 n1 65001 "hold time 9; bfd on;")

cat > "$LAB_DIR/bad.yaml" <<'EOF2'
bgp:
  router-id: 10.255.1.2
  local-as: 65001
  peers:
    - name: up4
      address: 10.255.1.1
      remote-as: 65000
      bfd:
        multiplier: 0
EOF2
if "$BIN/cutoverd" --check-config "$LAB_DIR/bad.yaml" > "$LAB_DIR/bad.out" 2>&1; then
	fail "bfd multiplier 0 accepted"
fi
grep -q 'bad.yaml:9:.*bgp.peers\[0\].bfd.multiplier\|bad.yaml:9:.*bfd.multiplier' "$LAB_DIR/bad.out" ||
	fail "bad bfd config: error does not name the key and line: $(cat "$LAB_DIR/bad.out")"

conf=$(lab_cutoverd_conf n1 65001 "log-level: info
metrics: 127.0.0.1:9963" <<EOF2
  filters:
    - name: all
      rules:
        - action: permit
  peers:
$(lab_cutoverd_peer n1 up4 4)
      import: all
      bfd:
        min-tx-ms: 100
        min-rx-ms: 100
        multiplier: 3
        interface: up0
$(lab_cutoverd_peer n1 up6 6)
      bfd: { min-tx-ms: 100, min-rx-ms: 100, multiplier: 3, interface: up0 }
  originate:
    - 10.20.0.15/32
EOF2
)
"$BIN/cutoverd" --check-config "$conf"
export CUTOVER_SOCKET=$LAB_DIR/n1.sock
bgp_start_cutoverd n1 "$conf"

bfd_json() { "$BIN/cutover" bgp bfd --json; }
# bfd_field_of NAME KEY: a top-level field of BFD session NAME; bfd_field KEY: of up4
bfd_field_of() {
	bfd_json | python3 -c '
import json, sys
s = [x for x in json.load(sys.stdin)["sessions"] if x["name"] == sys.argv[1]]
print(s[0][sys.argv[2]] if s else "")' "$1" "$2"
}
bfd_field() { bfd_field_of up4 "$1"; }
bfd6_state_is() { [ "$(bfd_field_of up6 state)" = "$1" ]; }
bfd_state_is() { [ "$(bfd_field state)" = "$1" ]; }
detect_is() { [ "$(bfd_field detect_time_us)" = "$1" ]; }
node_route() { ip -n "$(lab_ns n1)" route show 198.51.100.0/24 | grep -q 'via 10.255.1.1'; }
bird_bfd_up() { lab_birdc up show bfd sessions | grep -F '10.255.1.2 ' | grep -q ' Up '; }

step "BGP and BFD come up"
lab_wait 30 lab_bgp_established up "$p4" || fail "BGP not established"
lab_wait 10 peer_state up4 Established || fail "cutoverd: up4 not Established"
lab_wait 10 bfd_state_is Up || fail "cutoverd: BFD session up4 not Up"
lab_wait 30 lab_bgp_established up "$p6" || fail "IPv6 BGP not established"
lab_wait 10 peer_state up6 Established || fail "cutoverd: up6 not Established"
lab_wait 10 bfd6_state_is Up || fail "cutoverd: BFD session up6 (IPv6) not Up"
lab_wait 10 bird_bfd_up || fail "BIRD: BFD session not Up"
lab_wait 10 our_route up4 198.51.100.0/24 || fail "198.51.100.0/24 not received"
lab_wait 10 node_route || fail "198.51.100.0/24 not in the node's kernel table"
lab_wait 5 detect_is 300000 || fail "detection time is not 300 ms"
"$BIN/cutover" bgp bfd > "$LAB_DIR/bfd.txt"
grep -q '^up4 .*10.255.1.1%up0 .*Up' "$LAB_DIR/bfd.txt" || fail "table: $(cat "$LAB_DIR/bfd.txt")"
lab_exec n1 curl -sf http://127.0.0.1:9963/metrics > "$LAB_DIR/metrics"
grep -q 'cutover_bfd_session_state{peer="up4"} 3' "$LAB_DIR/metrics" || fail "metrics: state"
grep -q 'cutover_bfd_detect_time_seconds{peer="up4"} 0.3' "$LAB_DIR/metrics" ||
	fail "metrics: detect time"

step "BIRD frozen: BFD down, BGP torn down at once, routes dropped"
bird_pid=$(lab_bird_pid up)
t0=$(date +%s%3N)
kill -STOP "$bird_pid"
lab_wait 5 not bfd_state_is Up || { kill -CONT "$bird_pid"; fail "BFD stayed Up"; }
# the BGP teardown runs in the BFD Down callback: the BFD state change dates both
dt=$(( $(bfd_field state_since_ms) - t0 ))
peer_state up4 Established && { kill -CONT "$bird_pid"; fail "BGP still Established"; }
lab_wait 5 not bfd6_state_is Up || { kill -CONT "$bird_pid"; fail "IPv6 BFD stayed Up"; }
peer_state up6 Established && { kill -CONT "$bird_pid"; fail "IPv6 BGP still Established"; }
echo "BFD down and BGP torn down ~$dt ms after SIGSTOP (detection 300 ms, hold time 9 s)"
[ "$dt" -le $((300 + MARGIN_MS)) ] || { kill -CONT "$bird_pid"; fail "took $dt ms"; }
lab_wait 5 not our_route up4 198.51.100.0/24 || { kill -CONT "$bird_pid"; fail "routes kept"; }
lab_wait 2 not node_route || { kill -CONT "$bird_pid"; fail "route kept in the kernel"; }
echo "the peer's route left the node's kernel table with the BGP session"
grep -q 'session up4 (peer 10.255.1.1%up0): Up -> Down (diag 1 control-detection-time-expired' \
	"$BGP_LOG" || { kill -CONT "$bird_pid"; fail "no BFD state-change log line with diag 1"; }
grep -q 'BFD down (diag 1' "$BGP_LOG" || { kill -CONT "$bird_pid"; fail "no BGP log of BFD down"; }
grep -qi 'NOTIFICATION.*cease.*bfd' "$BGP_LOG" ||
	{ kill -CONT "$bird_pid"; fail "no Cease/BFD Down NOTIFICATION logged"; }
kill -CONT "$bird_pid"

step "recovery after SIGCONT"
lab_wait 30 peer_state up4 Established || fail "BGP did not come back"
lab_wait 10 bfd_state_is Up || fail "BFD did not come back"
lab_wait 30 peer_state up6 Established || fail "IPv6 BGP did not come back"
lab_wait 10 bfd6_state_is Up || fail "IPv6 BFD did not come back"
lab_wait 10 node_route || fail "route not back in the kernel"
lab_exec n1 curl -sf http://127.0.0.1:9963/metrics > "$LAB_DIR/metrics"
grep -q 'cutover_bfd_session_down_total{peer="up4"} [1-9]' "$LAB_DIR/metrics" ||
	fail "metrics: down counter"
# 1 (our detection) or 3 (BIRD, thawing, timed out too and told us Down)
grep -q 'cutover_bfd_last_down_diag{peer="up4"} [13]$' "$LAB_DIR/metrics" ||
	fail "metrics: last down diag"

step "planned stop: AdminDown reaches BIRD"
lab_wait 10 bird_bfd_up || fail "BIRD: BFD session not Up again"
bgp_stop_cutoverd
grep -q 'session up6 (peer fd00:255:1::1%up0): Up -> AdminDown (diag 7' "$BGP_LOG" ||
	fail "no IPv6 AdminDown (diag 7) on stop"
grep -q 'session up4 (peer 10.255.1.1%up0): Up -> AdminDown (diag 7' "$BGP_LOG" ||
	fail "no AdminDown (diag 7) on stop"
lab_wait 5 grep -aq 'CTL received from 10.255.1.2 \[AdminDown\]' "$LAB_DIR/up.log" ||
	fail "BIRD did not receive AdminDown"
echo "PASS"
