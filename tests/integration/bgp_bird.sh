#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cutoverd against BIRD 2 in the namespace lab: IPv4 and IPv6 sessions, IPv6 NLRI over
# the IPv4 session (global IPv6 next hop, never IPv4-mapped), 4-octet local AS,
# routes both ways and their withdrawal, hold timer expiry while BIRD is frozen and
# recovery, BIRD restart, cutoverd restart with an RFC 8203 shutdown message, metrics.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CUTOVER_BIN:-$top/build/asan/bin}
. "$top/tests/lab/lab.sh"
. "$top/tests/integration/bgp_lib.sh"

lab_init bgp
lab_up_router
lab_add_node n1 1
# Routes BIRD exports to us (with attributes to check), on top of the lab's router.
cat >> "$LAB_DIR/up-peers.conf" <<'BIRD'
protocol static upr4 { ipv4; route 198.51.100.0/24 unreachable { bgp_community.add((65000,7)); bgp_large_community.add((65000,1,2)); }; }
protocol static upr6 { ipv6; route 2001:db8:100::/48 unreachable; }
BIRD
p4=$(lab_bird_peer n1 4200000001 "hold time 3; keepalive time 1;")
p6=$(lab_bird_peer6 n1 4200000001 "hold time 3; keepalive time 1;")

conf=$(lab_cutoverd_conf n1 4200000001 "log-level: debug
metrics: 127.0.0.1:9963" <<EOF2
  peers:
$(lab_cutoverd_peer n1 up4 4 3 "ipv4, ipv6")
$(lab_cutoverd_peer n1 up6 6 3)
  originate:
    - 10.20.0.15/32
    - prefix: fd00:99::/64
      communities: ["65000:15"]
EOF2
)
"$BIN/cutoverd" --check-config "$conf"
export CUTOVER_SOCKET=$LAB_DIR/n1.sock
bgp_start_cutoverd n1 "$conf"

step "sessions come up (IPv4 and IPv6)"
lab_wait 20 lab_bgp_established up "$p4" || fail "IPv4 session not established"
lab_wait 20 lab_bgp_established up "$p6" || fail "IPv6 session not established"
lab_wait 10 peer_state up4 Established || fail "cutoverd: up4 not Established"
lab_wait 10 peer_state up6 Established || fail "cutoverd: up6 not Established"
lab_birdc up show protocols all "$p4" | grep -q "Neighbor AS: *4200000001" ||
	fail "BIRD does not see the 4-octet AS 4200000001"

step "our routes at BIRD: 4-octet AS path, next hop per family"
lab_wait 10 bird_route_has "10.20.0.15/32" "BGP.next_hop: 10.255.1.2" ||
	fail "10.20.0.15/32 not at BIRD with next hop 10.255.1.2"
bird_route_has "10.20.0.15/32" "BGP.as_path: 4200000001" || fail "AS path is not 4200000001"
lab_wait 10 bird_route_has "fd00:99::/64" "fd00:255:1::2" ||
	fail "fd00:99::/64 not at BIRD with next hop fd00:255:1::2"
if lab_birdc up show route "fd00:99::/64" all | grep -qi "::ffff:"; then
	fail "IPv4-mapped IPv6 next hop sent"
fi
lab_wait 10 bird_route_has "fd00:99::/64" "(65000,15)" || fail "community 65000:15 missing"
# IPv6 NLRI arrived over both sessions (IPv4 session and IPv6 session)
[ "$(lab_birdc up show route "fd00:99::/64" all | grep -c 'BGP.as_path: 4200000001')" -ge 2 ] ||
	fail "fd00:99::/64 not received over both sessions"

step "BIRD's routes at cutoverd (cutover bgp routes --json)"
lab_wait 10 our_route up4 198.51.100.0/24 || fail "198.51.100.0/24 not received from up4"
lab_wait 10 our_route up4 2001:db8:100::/48 || fail "IPv6 over the IPv4 session not received"
lab_wait 10 our_route up6 2001:db8:100::/48 || fail "2001:db8:100::/48 not received from up6"
routes_json up4 | python3 -c '
import json, sys
r = [x for x in json.load(sys.stdin)["routes"] if x["prefix"] == "198.51.100.0/24"][0]
assert r["as_path"] == "65000", r
assert r["next_hop"] == "10.255.1.1", r
assert "65000:1:2" in r["large_communities"], r
assert "65000:7" in r["communities"], r
assert r["origin"] == "IGP", r
' || fail "attributes of 198.51.100.0/24 wrong"
"$BIN/cutover" bgp routes --peer up4 | grep -q "BGP.as_path: 65000" || fail "cutover bgp routes text"
"$BIN/cutover" bgp peers | grep -q "Established" || fail "cutover bgp peers text"

step "withdrawals both ways"
lab_birdc up disable upr4 >/dev/null
lab_wait 10 not our_route up4 198.51.100.0/24 || fail "withdrawal from BIRD not applied"
"$BIN/cutover" bgp originate 10.20.0.16/32 65000:16
lab_wait 10 bird_route_has "10.20.0.16/32" "(65000,16)" || fail "dynamic prefix not announced"
# originated prefixes are local paths in the Loc-RIB (configured and dynamic ones)
"$BIN/cutover" bgp rib 10.20.0.16/32 | grep -q '^  \* local .*none (originated)' ||
	fail "dynamic prefix not a local path in the Loc-RIB"
"$BIN/cutover" bgp rib 10.20.0.15/32 | grep -q '^  \* local ' ||
	fail "configured prefix not a local path in the Loc-RIB"
"$BIN/cutover" bgp withdraw 10.20.0.16/32
lab_wait 10 not bird_route_has "10.20.0.16/32" "BGP" || fail "dynamic prefix not withdrawn"
"$BIN/cutover" bgp rib 10.20.0.16/32 >/dev/null 2>&1 && fail "withdrawn prefix still in the Loc-RIB"
lab_birdc up enable upr4 >/dev/null
lab_wait 10 our_route up4 198.51.100.0/24 || fail "re-announcement not received"

step "hold timer expiry while BIRD is frozen, recovery after SIGCONT"
birdpid=$(lab_bird_pid up)
kill -STOP "$birdpid"
t0=$(date +%s%N)
lab_wait 10 not peer_state up4 Established || { kill -CONT "$birdpid"; fail "hold timer did not expire"; }
t1=$(date +%s%N)
echo "    session down after $(( (t1 - t0) / 1000000 )) ms (hold 3 s)"
peers_json | grep -q "Hold Timer Expired" || { kill -CONT "$birdpid"; fail "no Hold Timer Expired error"; }
kill -CONT "$birdpid"
lab_wait 30 peer_state up4 Established || fail "no recovery after SIGCONT"
lab_wait 30 peer_state up6 Established || fail "up6: no recovery after SIGCONT"

step "BIRD restart"
lab_bird_stop up
lab_wait 10 not peer_state up4 Established || fail "session did not notice BIRD stop"
lab_bird_start up "$LAB_DIR/up.conf"
lab_wait 30 peer_state up4 Established || fail "no re-establishment after BIRD restart"
lab_wait 30 lab_bgp_established up "$p4" || fail "BIRD side not Established"
lab_wait 10 our_route up4 198.51.100.0/24 || fail "routes not relearnt after BIRD restart"

step "cutoverd restart (RFC 8203 shutdown communication)"
bgp_stop_cutoverd
lab_wait 10 not lab_bgp_established up "$p4" || fail "BIRD still Established"
lab_birdc up show protocols all "$p4" | grep -qi "cutoverd shutting down" ||
	{ lab_birdc up show protocols all "$p4"; fail "BIRD did not get the shutdown message"; }
bgp_start_cutoverd n1 "$conf"
lab_wait 30 lab_bgp_established up "$p4" || fail "no re-establishment after cutoverd restart"
lab_wait 10 bird_route_has "10.20.0.15/32" "BGP.next_hop: 10.255.1.2" ||
	fail "routes not re-announced after cutoverd restart"

step "metrics"
lab_exec n1 curl -sf http://127.0.0.1:9963/metrics > "$LAB_DIR/metrics"
grep -q 'cutover_bgp_peer_up{peer="up4"} 1' "$LAB_DIR/metrics" || fail "metrics: up4 not up"
grep -q 'cutover_bgp_prefixes_received{peer="up4",family="ipv4"} [1-9]' "$LAB_DIR/metrics" ||
	fail "metrics: no prefixes received"
bgp_stop_cutoverd
echo "PASS bgp_bird"
