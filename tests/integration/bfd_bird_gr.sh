#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a planned stop's AdminDown (RFC 5880 §6.8.16, diag 7) does to a BIRD 2 upstream
# whose BGP session uses BFD. The node's BGP speaker here is a BIRD with graceful restart
# (cutoverd's BGP is not wired to BFD yet); its BFD is cutover's (bfd-probe).
#   bfd graceful  BIRD enters graceful-restart helper mode: the node's route never leaves
#                 the router's kernel table until the session is re-established.
#   bfd on        BIRD 2.0.12 treats AdminDown like a failure (it does not implement the
#                 RFC 5882 §3.2 exception): the session drops and the route is withdrawn.
#                 Asserted so that docs/bgp.md's advice stays true.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
probe=$top/build/asan/bin/bfd-probe
. "$top/tests/lab/lab.sh"
lab_init bfdgr

fail() {
	echo "FAIL: $*" >&2
	grep -a 'n1:' "$LAB_DIR/up.log" | tail -n 15 >&2 || true
	exit 1
}

lab_up_router
lab_add_node node1 1
cat >> "$LAB_DIR/up-peers.conf" <<BIRD
protocol bfd bfd1 {
	interface "*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
}
BIRD
lab_birdc up configure >/dev/null || fail "BIRD rejected the bfd protocol"
lab_node_bird node1 65001 10.30.0.0/24
# the node's BGP speaker restarts gracefully (RFC 4724), as cutoverd does
sed -i 's/connect retry time 1;/connect retry time 1; graceful restart on;/' "$LAB_DIR/node1.conf"
lab_birdc node1 configure >/dev/null || fail "node BIRD rejected graceful restart"
proto=$(lab_bird_peer node1 65001 "	bfd graceful; graceful restart on; debug { states, events };")
up_ns=$(lab_ns up)

route_present() {
	ip -n "$up_ns" route show 10.30.0.0/24 | grep -q 'via 10.255.1.2'
}
probe_up() {
	grep -q '"to":"Up"' "$LAB_DIR/probe.out"
}

gr_done_count() {
	grep -ac "$proto: Neighbor graceful restart done" "$LAB_DIR/up.log" || true
}

# run_case: start the probe, wait for BGP + BFD + route, SIGTERM the probe and watch the
# route every 50 ms for 3 s, or until BIRD ends the graceful restart (the node's BIRD
# reconnects without restarting, so BIRD then flushes and re-learns the route: a gap
# that belongs to that reconnect, not to BFD). Sets MISSING (polls without the route),
# POLLS and OBSERVED_MS (how long the route was watched: polls slow down on a loaded
# machine, so the "long enough to tell" check uses time, not the poll count).
run_case() {
	local pid i done0 t0
	ip netns exec "$(lab_ns node1)" "$probe" --peer 10.255.1.1 --ifname up0 \
		--tx 100 --rx 100 --mult 3 > "$LAB_DIR/probe.out" 2> "$LAB_DIR/probe.err" &
	pid=$!
	lab_wait 30 lab_bgp_established up "$proto" || fail "BGP not established"
	lab_wait 10 probe_up || fail "BFD not Up"
	lab_wait 10 route_present || fail "node route not in the router's kernel table"
	# BIRD's BGP must be using the session (bfd on/graceful) before we stop
	sleep 0.5
	done0=$(gr_done_count)
	kill -TERM "$pid"
	wait "$pid" || fail "bfd-probe exit status $?"
	MISSING=0
	t0=$(date +%s%N)
	for ((i = 0; i < 60; i++)); do
		[ "$(gr_done_count)" = "$done0" ] || break
		route_present || MISSING=$((MISSING + 1))
		sleep 0.05
	done
	POLLS=$i
	OBSERVED_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

run_case
grep -aq "$proto: Neighbor graceful restart detected" "$LAB_DIR/up.log" ||
	fail "bfd graceful: BIRD did not enter graceful restart on AdminDown"
[ "$OBSERVED_MS" -ge 1000 ] && [ "$POLLS" -ge 5 ] ||
	fail "bfd graceful: BGP came back after $OBSERVED_MS ms ($POLLS polls), too soon to tell"
[ "$MISSING" = 0 ] || fail "bfd graceful: route missing in $MISSING of $POLLS polls"
echo "bfd graceful: AdminDown -> BIRD graceful restart, route kept (0 of $POLLS polls over $OBSERVED_MS ms missing)"

# Control: plain `bfd on` drops the session and the route on the same AdminDown.
sed -i 's/	bfd graceful;/	bfd on;/' "$LAB_DIR/up-peers.conf"
lab_birdc up configure >/dev/null || fail "BIRD rejected bfd on"
lab_wait 30 lab_bgp_established up "$proto" || fail "BGP not re-established after reconfigure"
run_case
[ "$MISSING" -gt 0 ] || fail "bfd on: expected BIRD 2 to withdraw the route on AdminDown"
echo "bfd on: AdminDown -> BIRD withdrew the route ($MISSING of $POLLS polls missing)"
echo "PASS"
