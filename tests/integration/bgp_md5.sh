#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TCP MD5 (RFC 2385) and GTSM (RFC 5082) against BIRD 2: with the same password and
# TTL security on both sides the session comes up; with a wrong password it stays
# down (checked over several connect-retry rounds). cutoverd is passive here, so BIRD
# connects to cutoverd's listener: the MD5 key must be on the listening socket.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CUTOVER_BIN:-$top/build/asan/bin}
. "$top/tests/lab/lab.sh"
. "$top/tests/integration/bgp_lib.sh"

lab_init bgpmd5
lab_up_router
lab_add_node n1 1
p4=$(lab_bird_peer n1 65010 'hold time 3; keepalive time 1; password "s3cret"; ttl security on;')
conf() {
	lab_cutoverd_conf n1 65010 "metrics: off" > /dev/null <<EOF2
  peers:
$(lab_cutoverd_peer n1 up 4 3 -)
      md5-password: "$1"
      ttl-security: true
      passive: true
EOF2
}
export CUTOVER_SOCKET=$LAB_DIR/n1.sock

step "matching password and GTSM: Established"
conf s3cret
bgp_start_cutoverd n1 "$LAB_DIR/cutoverd-n1.yaml"
lab_wait 20 peer_state up Established || fail "MD5 session did not come up"
lab_wait 10 lab_bgp_established up "$p4" || fail "BIRD side not Established"
bgp_stop_cutoverd

step "wrong password: stays down"
conf wrong-password
bgp_start_cutoverd n1 "$LAB_DIR/cutoverd-n1.yaml"
if lab_wait 6 peer_state up Established; then
	fail "session came up with a wrong MD5 password"
fi
lab_bgp_established up "$p4" && fail "BIRD Established with a wrong password"
peers_json | python3 -c '
import json, sys
p = json.load(sys.stdin)["peers"][0]
assert p["config"]["md5"] is True and p["config"]["ttl_security"] is True, p["config"]
assert p["config"]["passive"] is True, p["config"]
assert p["counters"]["messages_in"]["open"] == 0, p["counters"]' ||
	fail "an OPEN got through despite the wrong password"
bgp_stop_cutoverd
echo "PASS bgp_md5"
