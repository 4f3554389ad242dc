#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cutover's BFD (bgp/bfd_*.c through tests/helpers/bfd_probe.c) against BIRD 2's BFD in
# the namespace lab, IPv4 and IPv6, 100 ms x 3 on both sides:
#   - the session comes Up (both sides agree);
#   - RFC 5881 §5: a packet that would take the session Down but arrives with TTL 64 is
#     dropped and counted; a bad-version packet is counted;
#   - freezing BIRD (SIGSTOP) is detected with diag 1 within the detection time + margin,
#     and not absurdly early; the session recovers after SIGCONT;
#   - the link going down (the router's side of the veth) is detected the same way;
#   - SIGTERM (planned stop) sends AdminDown with diag 7, which BIRD receives.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
probe=$top/build/asan/bin/bfd-probe
# Detection time 300 ms; margin for a shared 2-core machine running ASan binaries.
DETECT_MS=300
MARGIN_MS=${BFD_MARGIN_MS:-200}
. "$top/tests/lab/lab.sh"
lab_init bfd

fail() {
	echo "FAIL: $*" >&2
	[ -n "${LAB_DIR:-}" ] && { tail -n 20 "$LAB_DIR"/probe*.out "$LAB_DIR"/probe*.err \
		2>/dev/null || true; grep -a bfd1 "$LAB_DIR/up.log" | tail -n 20 || true; } >&2
	exit 1
}

lab_up_router
lab_add_node node1 1
cat >> "$LAB_DIR/up-peers.conf" <<BIRD
protocol bfd bfd1 {
	debug { states, packets };
	interface "*" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
	neighbor 10.255.1.2;
	neighbor fd00:255:1::2;
}
BIRD
lab_birdc up configure >/dev/null || fail "BIRD rejected the bfd protocol"
bird_pid=$(lab_bird_pid up)
node_ns=$(lab_ns node1)

# probe_start NAME LOCAL PEER: run bfd-probe in the node (its pid in PROBE_PID)
probe_start() {
	ip netns exec "$node_ns" "$probe" --local "$2" --peer "$3" --ifname up0 \
		--tx 100 --rx 100 --mult 3 > "$LAB_DIR/probe-$1.out" 2> "$LAB_DIR/probe-$1.err" &
	PROBE_PID=$!
}
# count NAME PATTERN: lines of the probe's output matching PATTERN
count() {
	grep -c -- "$2" "$LAB_DIR/probe-$1.out" || true
}
has_at_least() {
	[ "$(count "$1" "$2")" -ge "$3" ]
}
# field NAME PATTERN KEY N: numeric KEY of the Nth line matching PATTERN
field() {
	grep -- "$2" "$LAB_DIR/probe-$1.out" | sed -n "$4p" | sed -n "s/.*\"$3\":\([0-9]*\).*/\1/p"
}
bird_session_up() {
	lab_birdc up show bfd sessions | grep -F "$1 " | grep -q ' Up '
}
now_us() {
	date +%s%6N
}
# expect_detect NAME N T0 WHAT: the Nth Up->Down of NAME came with diag 1 within bounds
expect_detect() {
	local name=$1 n=$2 t0=$3 what=$4 t1 dt diag
	lab_wait 5 has_at_least "$name" '"from":"Up","to":"Down"' "$n" ||
		fail "$what: no Up -> Down within 5 s"
	t1=$(field "$name" '"from":"Up","to":"Down"' t_us "$n")
	diag=$(field "$name" '"from":"Up","to":"Down"' diag "$n")
	dt=$(( (t1 - t0) / 1000 ))
	echo "$what: detected after $dt ms (detection time $DETECT_MS ms), diag $diag"
	[ "$diag" = 1 ] || fail "$what: diag $diag, want 1 (control detection time expired)"
	[ "$dt" -le $((DETECT_MS + MARGIN_MS)) ] || fail "$what: $dt ms > $DETECT_MS + $MARGIN_MS"
	# BIRD sends every 75-100 ms: the last packet is at most ~100 ms before the failure
	[ "$dt" -ge $((DETECT_MS - 150)) ] || fail "$what: $dt ms is earlier than possible"
}

# ---- IPv4 ----
probe_start v4 10.255.1.2 10.255.1.1
lab_wait 10 has_at_least v4 '"to":"Up"' 1 || fail "IPv4 session did not come Up"
lab_wait 5 bird_session_up 10.255.1.2 || fail "BIRD does not show the IPv4 session Up"
echo "ipv4: Up on both sides"

# RFC 5881 §5: TTL 64 is dropped even though the packet (Down, Your Discr 0, from the
# peer's address) would otherwise take the session down; a version-2 packet is dropped.
printf '\x20\x40\x03\x18\x00\x00\x00\x07\x00\x00\x00\x00\x00\x0f\x42\x40\x00\x0f\x42\x40\x00\x00\x00\x00' \
	> "$LAB_DIR/down.bin"
printf '\x40\xc0\x03\x18\x00\x00\x00\x07\x00\x00\x00\x01\x00\x0f\x42\x40\x00\x0f\x42\x40\x00\x00\x00\x00' \
	> "$LAB_DIR/v2.bin"
lab_exec up socat -u "FILE:$LAB_DIR/down.bin" "UDP4-DATAGRAM:10.255.1.2:3784,ttl=64"
lab_exec up socat -u "FILE:$LAB_DIR/v2.bin" "UDP4-DATAGRAM:10.255.1.2:3784,ttl=255"
sleep 0.3
kill -USR1 "$PROBE_PID"
lab_wait 5 has_at_least v4 '"event":"status"' 1 || fail "no status line"
grep '"event":"status"' "$LAB_DIR/probe-v4.out" | tail -n 1 | grep -q '"bad-ttl":1' ||
	fail "TTL 64 packet not counted as bad-ttl"
grep '"event":"status"' "$LAB_DIR/probe-v4.out" | tail -n 1 | grep -q '"bad-version":1' ||
	fail "version 2 packet not counted as bad-version"
[ "$(count v4 '"from":"Up","to":"Down"')" = 0 ] || fail "a dropped packet took the session down"
echo "ipv4: TTL 64 and version 2 packets dropped and counted, session stayed Up"

# Freeze BIRD.
t0=$(now_us)
kill -STOP "$bird_pid"
expect_detect v4 1 "$t0" "ipv4 SIGSTOP"
kill -CONT "$bird_pid"
lab_wait 10 has_at_least v4 '"to":"Up"' 2 || fail "IPv4 session did not recover after SIGCONT"
echo "ipv4: recovered after SIGCONT"

# The link goes down (keep the router's IPv6 address across it for the IPv6 part).
lab_exec up sysctl -qw net.ipv6.conf.n1.keep_addr_on_down=1
t0=$(now_us)
lab_exec up ip link set n1 down
expect_detect v4 2 "$t0" "ipv4 link down"
lab_exec up ip link set n1 up
lab_wait 15 has_at_least v4 '"to":"Up"' 3 || fail "IPv4 session did not recover after link up"
echo "ipv4: recovered after link up"

# Planned stop: AdminDown (diag 7) reaches BIRD.
kill -TERM "$PROBE_PID"
wait "$PROBE_PID" || fail "bfd-probe exited with $? on SIGTERM"
grep -q "(peer 10.255.1.1%up0): Up -> AdminDown (diag 7" "$LAB_DIR/probe-v4.err" ||
	fail "no AdminDown log line with diag 7"
lab_wait 5 grep -aq 'CTL received from 10.255.1.2 \[AdminDown\]' "$LAB_DIR/up.log" ||
	fail "BIRD did not receive AdminDown"
echo "ipv4: SIGTERM sent AdminDown (diag 7), BIRD received it"

# ---- IPv6 ----
probe_start v6 fd00:255:1::2 fd00:255:1::1
lab_wait 10 has_at_least v6 '"to":"Up"' 1 || fail "IPv6 session did not come Up"
lab_wait 5 bird_session_up fd00:255:1::2 || fail "BIRD does not show the IPv6 session Up"
echo "ipv6: Up on both sides"
t0=$(now_us)
kill -STOP "$bird_pid"
expect_detect v6 1 "$t0" "ipv6 SIGSTOP"
kill -CONT "$bird_pid"
lab_wait 10 has_at_least v6 '"to":"Up"' 2 || fail "IPv6 session did not recover after SIGCONT"
echo "ipv6: recovered after SIGCONT"
kill -TERM "$PROBE_PID"
wait "$PROBE_PID" || fail "bfd-probe (IPv6) exited with $? on SIGTERM"
echo "PASS"
