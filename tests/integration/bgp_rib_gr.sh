#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Graceful restart (RFC 4724) with BIRD 2 in the lab, both roles, while a VM pings a pod
# behind the node (VM -> up -> node -> pod; "up" forwards on the /24 cutoverd originates).
#  1. kill -TERM cutoverd (planned stop: no Cease): BIRD keeps the node's route (stale,
#     never withdrawn), the node keeps BIRD's routes in its kernel; cutoverd comes back,
#     adopts them (R and F bits), re-advertises, End-of-RIB: no probe packet lost.
#  2. kill -9 cutoverd: the same.
#  3. BIRD dies (kill -9) and comes back with one route fewer: cutoverd (helper) keeps
#     BIRD's routes stale in the node's kernel until BIRD's End-of-RIB, then removes
#     exactly the one BIRD no longer sends.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CUTOVER_BIN:-$top/build/asan/bin}
. "$top/tests/lab/lab.sh"
. "$top/tests/integration/bgp_lib.sh"

lab_init ribgr
lab_up_router
lab_add_vm web 10.20.0.15
lab_add_node n1 1
lab_add_pod n1 app 10.244.1.10
cat >> "$LAB_DIR/up-peers.conf" <<'BIRD'
protocol static tonode { ipv4; route 198.51.100.0/24 unreachable; route 198.51.101.0/24 unreachable; }
BIRD
proto=$(lab_bird_peer n1 65001 "graceful restart on; graceful restart time 60; debug { states, events };")
N1=$(lab_ns n1)

conf=$(lab_cutoverd_conf n1 65001 <<EOF
  filters:
    - name: all
      rules:
        - action: permit
  peers:
$(lab_cutoverd_peer n1 up 4)
      import: all
      graceful-restart:
        enabled: true
        restart-time: 60
  originate:
    - 10.244.1.0/24
EOF
)
"$BIN/cutoverd" --check-config "$conf"
export CUTOVER_SOCKET=$LAB_DIR/n1.sock

rib() { curl -sf --unix-socket "$CUTOVER_SOCKET" "http://cutoverd/v1/bgp/rib$1"; }
rib_is() { rib "" | jq -e "$1" >/dev/null 2>&1; }
kroute() { ip -n "$N1" route show "$1" proto 200 | grep -q "via 10.255.1.1"; }
bird_has_pod() { lab_birdc up show route 10.244.1.0/24 protocol "$proto" | grep -q 10.244.1.0/24; }
start() {
	local rc=0
	lab_cutoverd n1 "$conf" || rc=$?
	BGP_LOG=$LAB_CUTOVERD_LOG
	BGP_PID=$LAB_CUTOVERD_PID
	[ "$rc" -eq 0 ] || fail "cutoverd did not create its socket"
}
converged() {
	lab_wait 30 lab_bgp_established up "$proto" || fail "session not established"
	lab_wait 20 bird_has_pod || fail "BIRD did not learn 10.244.1.0/24"
	lab_wait 20 kroute 198.51.100.0/24 || fail "node kernel lacks 198.51.100.0/24"
	lab_wait 20 rib_is '.restart_done' || fail "restart phase did not end"
}
# watch_down SECONDS: while cutoverd is down, BIRD must keep the node's route and the
# node's kernel BIRD's routes, every 100 ms.
watch_down() {
	local end=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$end" ]; do
		bird_has_pod || fail "BIRD withdrew the node's route while cutoverd was down"
		kroute 198.51.100.0/24 || fail "node kernel lost 198.51.100.0/24 while down"
		sleep 0.1
	done
}

step "start, converge, VM reaches the pod"
start
converged
lab_exec vm-web ping -c 2 -W 2 10.244.1.10 >/dev/null || fail "VM cannot reach the pod"
# the CLI's view of the Loc-RIB: summary, and one prefix with its best path
"$BIN/cutover" bgp rib > "$LAB_DIR/rib.txt" || fail "cutover bgp rib failed"
grep -Eq '^Loc-RIB: [0-9]+ IPv4' "$LAB_DIR/rib.txt" &&
	grep -Eq '^up +[1-9][0-9]* +[1-9]' "$LAB_DIR/rib.txt" ||
	{ cat "$LAB_DIR/rib.txt" >&2; fail "cutover bgp rib: no summary or no peer line"; }
"$BIN/cutover" bgp rib 198.51.100.0/24 > "$LAB_DIR/rib1.txt" || fail "cutover bgp rib PREFIX failed"
grep -q '^  \* up .*via 10.255.1.1 .*\[best\]' "$LAB_DIR/rib1.txt" &&
	grep -q 'BGP.as_path: 65000' "$LAB_DIR/rib1.txt" ||
	{ cat "$LAB_DIR/rib1.txt" >&2; fail "cutover bgp rib PREFIX: best path not shown"; }
"$BIN/cutover" bgp rib 192.0.2.0/24 >/dev/null 2>&1 && fail "cutover bgp rib: unknown prefix not an error"

n=0
for how in TERM KILL; do
	n=$((n + 1))
	step "kill -$how cutoverd while the VM pings the pod"
	lab_probe_start p1 vm-web 10.244.1.10 icmp
	sleep 1
	kill -"$how" "$BGP_PID"
	lab_wait 10 lab_not_running "$BGP_PID" || fail "cutoverd did not stop"
	wait "$BGP_PID" 2>/dev/null || [ "$how" = KILL ] || fail "cutoverd exited with an error"
	lab_wait 10 sh -c "[ \$(grep -ac '$proto: Neighbor graceful restart detected' \
		'$LAB_DIR/up.log') -ge $n ]" || fail "BIRD did not enter graceful restart"
	watch_down 3
	start
	lab_wait 10 rib_is '.kernel.adopted >= 2' ||
		{ rib "" >&2; fail "restarted cutoverd did not adopt its kernel routes"; }
	converged
	lab_wait 20 sh -c "[ \$(grep -ac '$proto: Neighbor graceful restart done' \
		'$LAB_DIR/up.log') -ge $n ]" || fail "BIRD did not finish the restart"
	sleep 1
	lab_probe_stop p1 >/dev/null
	echo "kill -$how: probe sent $PROBE_SENT lost $PROBE_LOST"
	[ "$PROBE_SENT" -ge 10 ] || fail "probe sent only $PROBE_SENT"
	[ "$PROBE_LOST" -eq 0 ] || fail "kill -$how: $PROBE_LOST probe packets lost"
	rib_is '.kernel.stale == 0' || fail "stale kernel routes left after the restart"
done

step "route refresh both ways (RFC 2918)"
bird_stat() {	# bird_stat Import|Export: updates received / sent by BIRD on the session
	lab_birdc up show protocols all "$proto" | awk -v k="$1" '$1 == k && $2 == "updates:" { print $3; exit }'
}
stat_above() { [ "$(bird_stat "$1")" -gt "$2" ]; }
imp=$(bird_stat Import)
lab_birdc up reload in "$proto" >/dev/null	# BIRD sends ROUTE-REFRESH: we re-send
lab_wait 10 stat_above Import "$imp" || fail "cutoverd did not answer BIRD's ROUTE-REFRESH"
exp=$(bird_stat Export)
"$BIN/cutover" bgp refresh up | grep -q 'up: ROUTE-REFRESH sent' ||
	fail "cutover bgp refresh up failed"
lab_wait 10 stat_above Export "$exp" || fail "BIRD did not re-send its routes after our ROUTE-REFRESH"
rib_is '.stale == 0 and .paths >= 2' || fail "RIB changed by a route refresh"

step "BIRD restarts (helper role): its routes stay stale in the node's kernel until End-of-RIB"
lab_wait 10 kroute 198.51.101.0/24 || fail "node kernel lacks 198.51.101.0/24"
kill -9 "$(lab_bird_pid up)"
rm -f "$LAB_DIR/up.pid" "$LAB_DIR/up.ctl"
# every path from BIRD is stale (the node's own originated /24 is a local path, not stale)
lab_wait 15 rib_is '.stale >= 2 and .stale == (.peers[] | select(.name == "up") | .paths)' ||
	{ rib "" >&2; fail "cutoverd did not keep BIRD's routes stale"; }
"$BIN/cutover" bgp rib 198.51.100.0/24 | grep -q '\[stale\]' || fail "cutover bgp rib does not flag the stale path"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	kroute 198.51.100.0/24 && kroute 198.51.101.0/24 ||
		fail "a stale route left the node's kernel before End-of-RIB"
	sleep 0.1
done
sed -i 's/ route 198.51.101.0\/24 unreachable;//' "$LAB_DIR/up-peers.conf"
# -R: BIRD restarts in graceful-restart recovery (R bit; F bit: it kept forwarding)
lab_exec up "$LAB_BIRD" -R -c "$LAB_DIR/up.conf" -s "$LAB_DIR/up.ctl" -P "$LAB_DIR/up.pid"
lab_wait 10 lab_birdc up show status >/dev/null || fail "BIRD did not restart"
lab_wait 30 lab_bgp_established up "$proto" || fail "session with restarted BIRD not up"
lab_wait 20 rib_is '.stale == 0' || { rib "" >&2; fail "stale routes not swept at End-of-RIB"; }
kroute 198.51.100.0/24 || fail "198.51.100.0/24 (re-advertised) left the kernel"
! kroute 198.51.101.0/24 || fail "198.51.101.0/24 (not re-advertised) still in the kernel"
grep -aq "End-of-RIB (ipv4): 1 stale route(s) removed" "$BGP_LOG" ||
	fail "sweep not logged as End-of-RIB driven"

step "planned stop"
bgp_stop_cutoverd
echo "PASS bgp_rib_gr"
