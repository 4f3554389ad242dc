#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A raw TCP peer (tests/helpers/bgp_raw_peer.py) sends crafted malformed messages to
# cutoverd: bad marker, bad length, bad type, truncated OPEN, attribute list overrun,
# bad MP_REACH next hop length, bad ORIGIN, and more prefixes than max-prefix allows.
# cutoverd must answer each with the
# RFC 4271 / RFC 7606 NOTIFICATION (code, subcode and data checked) or treat the
# UPDATE as withdraw, and keep its BIRD session up the whole time.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CUTOVER_BIN:-$top/build/asan/bin}
. "$top/tests/lab/lab.sh"
. "$top/tests/integration/bgp_lib.sh"

lab_init bgpbad
lab_up_router
lab_add_node n1 1
p4=$(lab_bird_peer n1 65010 "hold time 3; keepalive time 1;")
conf=$(lab_cutoverd_conf n1 65010 "metrics: off
log-level: debug" <<EOF2
  listen-port: 0
  peers:
$(lab_cutoverd_peer n1 up 4 3 -)
    - name: raw
      address: 10.255.1.1
      port: 1790
      remote-as: 65001
      hold-time: 9
      connect-retry: 1
      families: [ipv4]
      max-prefix: { limit: 2, action: stop }
  originate:
    - 10.20.0.15/32
EOF2
)
export CUTOVER_SOCKET=$LAB_DIR/n1.sock
bgp_start_cutoverd n1 "$conf"
lab_wait 20 peer_state up Established || fail "BIRD session not established"

step "raw peer cases"
lab_exec up python3 "$top/tests/helpers/bgp_raw_peer.py" 10.255.1.1 1790 65001 10.255.1.1 \
	"$LAB_DIR" marker length type truncated-open attrlist mp-reach-nh taw maxpfx \
	> "$LAB_DIR/raw.out" 2> "$LAB_DIR/raw.err" &
raw=$!
lab_wait 60 test -e "$LAB_DIR/taw-sent" || { cat "$LAB_DIR/raw.out" "$LAB_DIR/raw.err"; fail "raw peer stuck"; }
# treat-as-withdraw: 203.0.113.0/24 announced then re-sent with a bad ORIGIN -> gone;
# 203.0.114.0/24 after it -> present; the session stays up.
lab_wait 10 our_route raw 203.0.114.0/24 || fail "UPDATE after the bad one not processed"
our_route raw 203.0.113.0/24 && fail "bad-ORIGIN UPDATE not treated as withdraw"
peer_state raw Established || fail "raw session reset by a treat-as-withdraw error"
peers_json | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin)["peers"] if x["name"] == "raw"][0]
assert p["counters"]["treat_as_withdraw"] >= 1, p["counters"]' || fail "treat_as_withdraw not counted"
touch "$LAB_DIR/taw-done"
wait "$raw" || { cat "$LAB_DIR/raw.err"; fail "raw peer failed"; }
cat "$LAB_DIR/raw.out"
expect() {
	grep -qx "CASE $1 $2" "$LAB_DIR/raw.out" || fail "case $1: want '$2'"
}
expect marker "NOTIFICATION 1 1 DATA ''"		# Connection Not Synchronized
expect length "NOTIFICATION 1 2 DATA '0012'"		# Bad Message Length, data = length
expect type "NOTIFICATION 1 3 DATA '09'"		# Bad Message Type, data = type
expect truncated-open "NOTIFICATION 1 2 DATA '0019'"	# OPEN shorter than 29 octets
grep -q "^CASE attrlist NOTIFICATION 3 1 " "$LAB_DIR/raw.out" ||
	fail "attrlist: want UPDATE Message Error / Malformed Attribute List"
# RFC 7606 7.11 / RFC 4760 7: a bad MP_REACH next hop length resets the session or
# disables the AFI/SAFI; the codec chooses AFI/SAFI disable, so no NOTIFICATION.
if ! grep -q "^CASE mp-reach-nh NOTIFICATION 3 " "$LAB_DIR/raw.out"; then
	expect mp-reach-nh NONE
	grep -q "disabling AFI 1 SAFI 1" "$BGP_LOG" || fail "mp-reach-nh: AFI/SAFI not disabled"
fi
expect taw ALIVE
# Cease / Maximum Number of Prefixes Reached, data AFI 1, SAFI 1, limit 2; then the peer
# stays down (no automatic restart) until enabled.
expect maxpfx "NOTIFICATION 6 1 DATA '00010100000002'"
peers_json | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin)["peers"] if x["name"] == "raw"][0]
assert p["state"] == "Idle" and p["admin_down"], (p["state"], p["admin_down"])
assert p["counters"]["max_prefix_hits"] == 1, p["counters"]' || fail "max-prefix stop not applied"

step "the BIRD session never flapped"
peers_json | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin)["peers"] if x["name"] == "up"][0]
assert p["state"] == "Established", p["state"]
assert p["established_count"] == 1, p["established_count"]
assert p["counters"]["flaps"] == 0, p["counters"]' || fail "BIRD session disturbed"
lab_wait 10 bird_route_has "10.20.0.15/32" "BGP.next_hop: 10.255.1.2" || fail "BIRD lost our route"
bgp_stop_cutoverd
echo "PASS bgp_malformed"
