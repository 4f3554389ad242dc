#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real data through the whole receive path: bgp-inject replays the RIS table dump
# tests/fixtures/mrt/bview.20020722.2337.gz (112,988 IPv4 prefixes, first entry of each)
# into cutoverd in a node namespace. Then the Loc-RIB (GET /v1/bgp/rib?dump=1) and the
# kernel table (ip route, our table and protocol) hold exactly the prefixes, AS paths
# and next hop that `bgpdump -m` decodes from the same file; the Adj-RIB-Out passes all
# of them on to the upstream BIRD (export filter), which withdraws them again when the
# injector leaves.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CUTOVER_BIN:-$top/build/asan/bin}
INJ=$top/build/bin/bgp-inject
MRT=$top/tests/fixtures/mrt/bview.20020722.2337.gz
. "$top/tests/lab/lab.sh"
. "$top/tests/integration/bgp_lib.sh"

lab_init ribris
lab_up_router
lab_add_node n1 1
proto=$(lab_bird_peer n1 65001 "hold time 30;")
# the injector gets its own address on up's side of the link (BIRD has 10.255.1.1)
lab_exec up ip addr add 10.255.1.3/24 dev n1
TABLE=110
conf=$(lab_cutoverd_conf n1 65001 <<EOF
  listen-address: 10.255.1.2
  rib:
    kernel-table: $TABLE
    keep-adj-rib-in: false
  filters:
    - name: all
      rules:
        - action: permit
    - name: none
      rules:
        - action: deny
  peers:
    - name: up
      address: 10.255.1.1
      remote-as: 65000
      connect-retry: 1
      families: [ipv4]
      import: none
      export: all
    - name: inj
      address: 10.255.1.3
      remote-as: 65099
      passive: true
      import: all
EOF
)
"$BIN/cutoverd" --check-config "$conf"
export CUTOVER_SOCKET=$LAB_DIR/n1.sock
bgp_start_cutoverd n1 "$conf"

rib() { curl -sf --unix-socket "$CUTOVER_SOCKET" "http://cutoverd/v1/bgp/rib$1"; }
rib_count() { rib "" | jq -e ".prefixes_ipv4 == $1 and .kernel.installed == $1" >/dev/null; }

step "expected routes from bgpdump -m (first entry per prefix)"
# (bgpdump separates AS_SET members with commas, cutover with spaces)
bgpdump -m "$MRT" 2>/dev/null | awk -F'|' '!seen[$6]++ { print $6 "|65099 " $7 }' |
	sed -e ':a' -e 's/\({[^}]*\),/\1 /' -e 'ta' | sort > "$LAB_DIR/want.txt"
want=$(wc -l < "$LAB_DIR/want.txt")
[ "$want" -eq 112988 ] || fail "bgpdump gave $want prefixes, expected 112988"

lab_wait 30 lab_bgp_established up "$proto" || fail "session with BIRD not established"
bird_count() {
	[ "$(lab_birdc up show route count protocol "$proto" | awk '/routes for/ { print $1; exit }')" = "$1" ]
}

step "replay into cutoverd"
ip netns exec "$(lab_ns up)" "$INJ" --connect 10.255.1.2 --bind 10.255.1.3 --local-as 65099 --peer-as 65001 \
	--mrt "$MRT" --stats-file "$LAB_DIR/inj.stats" > "$LAB_DIR/inj.log" 2>&1 &
inj_pid=$!
lab_wait 180 rib_count "$want" || { rib "" >&2; cat "$LAB_DIR/inj.log" >&2;
	fail "Loc-RIB/kernel did not reach $want prefixes"; }

step "Loc-RIB: every prefix with the AS path bgpdump decodes, next hop the injector"
rib "?dump=1" | jq -r '.[] | .prefix + "|" + .as_path' | sort > "$LAB_DIR/rib.txt"
diff -q "$LAB_DIR/want.txt" "$LAB_DIR/rib.txt" >/dev/null || {
	diff "$LAB_DIR/want.txt" "$LAB_DIR/rib.txt" | head >&2; fail "Loc-RIB differs"; }
[ "$(rib "?dump=1" | jq -r '[.[] | select(.next_hop != "10.255.1.3")] | length')" -eq 0 ] ||
	fail "a route with another next hop"

step "kernel: the same prefixes in table $TABLE, protocol 200, via the injector"
ip -n "$(lab_ns n1)" route show table "$TABLE" proto 200 |
	awk '{ p = $1; if (p !~ /\//) p = p "/32"; print p }' | sort > "$LAB_DIR/kernel.txt"
cut -d'|' -f1 "$LAB_DIR/want.txt" | sort > "$LAB_DIR/want-pfx.txt"
diff -q "$LAB_DIR/want-pfx.txt" "$LAB_DIR/kernel.txt" >/dev/null || {
	diff "$LAB_DIR/want-pfx.txt" "$LAB_DIR/kernel.txt" | head >&2; fail "kernel table differs"; }
[ "$(ip -n "$(lab_ns n1)" route show table "$TABLE" proto 200 | grep -vc 'via 10.255.1.3 ')" \
	-eq 0 ] || fail "kernel route not via 10.255.1.3"

step "Adj-RIB-Out: BIRD received every prefix from cutoverd, our AS first"
lab_wait 120 bird_count "$want" || { lab_birdc up show route count protocol "$proto" >&2;
	fail "BIRD did not receive $want routes from cutoverd"; }
lab_birdc up show route 3.0.0.0/8 protocol "$proto" all | grep -q "BGP.as_path: 65001 65099 1853 1239 80" ||
	fail "BIRD's path for 3.0.0.0/8 is not 65001 65099 1853 1239 80"

step "the injector stops (Cease): routes leave the RIB and the kernel"
kill -TERM "$inj_pid"
lab_wait 60 rib_count 0 || { rib "" >&2; fail "routes not withdrawn after the session ended"; }
[ -z "$(ip -n "$(lab_ns n1)" route show table "$TABLE" proto 200)" ] || fail "kernel not empty"
lab_wait 60 bird_count 0 || fail "BIRD did not get the withdrawals"

bgp_stop_cutoverd
echo "bgp_rib_ris ok: $want prefixes"
