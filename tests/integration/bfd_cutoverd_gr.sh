#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A planned cutoverd restart with graceful restart and BFD does not make BIRD withdraw
# (issue 8, RFC 5882 §3.4): cutoverd's peer has `graceful-restart` and `bfd:`; BIRD's BGP
# toward it has `bfd graceful; graceful restart on;`. On SIGTERM cutoverd sends BFD
# AdminDown (diag 7) and closes BGP without a NOTIFICATION; BIRD enters graceful-restart
# helper mode. The node's originated route must stay in BIRD's kernel table, polled every
# 50 ms, from before the stop until cutoverd is back, Established and BFD Up. cutoverd
# imports BIRD's routes into its kernel table, so that its restart really preserves
# forwarding state (F bit) and BIRD keeps our routes until End-of-RIB.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CUTOVER_BIN:-$top/build/asan/bin}
. "$top/tests/lab/lab.sh"
. "$top/tests/integration/bgp_lib.sh"

lab_init bfdgrd
lab_up_router
lab_add_node n1 1
cat >> "$LAB_DIR/up-peers.conf" <<'BIRD'
protocol bfd bfd1 {
	debug { states, events, packets };
	interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; };
}
BIRD
p4=$(lab_bird_peer n1 65001 "hold time 9; bfd graceful; graceful restart on; debug { states, events };")

conf=$(lab_cutoverd_conf n1 65001 "log-level: info
metrics: off" <<EOF2
  filters:
    - name: all
      rules:
        - action: permit
  peers:
$(lab_cutoverd_peer n1 up4 4)
      import: all
      graceful-restart: { enabled: true, restart-time: 60 }
      bfd: { interface: up0 }     # 300 ms x 3
  originate:
    - 10.20.0.15/32
EOF2
)
"$BIN/cutoverd" --check-config "$conf"
export CUTOVER_SOCKET=$LAB_DIR/n1.sock

bfd_up() {
	"$BIN/cutover" bgp bfd --json | python3 -c '
import json, sys
s = json.load(sys.stdin)["sessions"]
sys.exit(0 if s and s[0]["state"] == "Up" else 1)'
}
up_route() { ip -n "$(lab_ns up)" route show 10.20.0.15 | grep -q 'via 10.255.1.2'; }

step "cutoverd up with BGP (graceful restart) and BFD"
bgp_start_cutoverd n1 "$conf"
lab_wait 30 lab_bgp_established up "$p4" || fail "BGP not established"
lab_wait 10 bfd_up || fail "BFD not Up"
lab_wait 10 up_route || fail "10.20.0.15/32 not in the router's kernel table"
lab_wait 10 sh -c "ip -n '$(lab_ns n1)' route show 10.20.0.0/24 | grep -q 'via 10.255.1.1'" ||
	fail "BIRD's 10.20.0.0/24 not in the node's kernel table"

step "planned restart: route kept at BIRD throughout"
(
	miss=0 n=0
	trap 'echo "$n $miss" > "$LAB_DIR/poll"; exit 0' TERM
	while :; do
		n=$((n + 1))
		up_route || miss=$((miss + 1))
		echo "$n $miss" > "$LAB_DIR/poll.tmp" && mv "$LAB_DIR/poll.tmp" "$LAB_DIR/poll"
		sleep 0.05
	done
) &
poller=$!
# the poller runs outside the lab's namespaces: stop it whatever happens
trap 'kill "$poller" 2>/dev/null || true; lab_down' EXIT
sleep 0.3
bgp_stop_cutoverd
grep -q 'session up4 (peer 10.255.1.1%up0): Up -> AdminDown (diag 7' "$BGP_LOG" ||
	fail "no AdminDown (diag 7) on the planned stop"
grep -q 'graceful restart: closing sessions without NOTIFICATION' "$BGP_LOG" ||
	fail "cutoverd did not stop gracefully"
lab_wait 5 grep -aq 'CTL received from 10.255.1.2 \[AdminDown\]' "$LAB_DIR/up.log" ||
	fail "BIRD did not receive AdminDown"
lab_wait 5 grep -aq "$p4: Neighbor graceful restart detected" "$LAB_DIR/up.log" ||
	fail "BIRD did not enter graceful restart"
bgp_start_cutoverd n1 "$conf"
lab_wait 30 lab_bgp_established up "$p4" || fail "BGP not re-established"
lab_wait 10 bfd_up || fail "BFD not Up again"
sleep 1
kill -TERM "$poller"
wait "$poller" || true
read -r polls missing < "$LAB_DIR/poll"
echo "route polled $polls times across the restart, missing $missing times"
[ "$polls" -ge 20 ] || fail "too few polls ($polls)"
[ "$missing" = 0 ] || fail "BIRD withdrew 10.20.0.15/32 during the planned restart"
up_route || fail "route gone after the restart"
bgp_stop_cutoverd
echo "PASS"
