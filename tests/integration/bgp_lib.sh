# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Helpers shared by the bgp_*.sh integration tests (sourced after tests/lab/lab.sh).
# Expects BIN (cutoverd/cutover binaries) and CUTOVER_SOCKET set by the test.

step() { echo "--- $*"; }
fail() {
	echo "FAIL: $*" >&2
	[ -n "${BGP_LOG:-}" ] && [ -f "$BGP_LOG" ] && tail -n 40 "$BGP_LOG" >&2
	exit 1
}
not() { ! "$@"; }

# bgp_start_cutoverd NODE CONFIG: run cutoverd in NODE's namespace (lab_cutoverd: log
# in $LAB_DIR, socket $LAB_DIR/NODE.sock, which CUTOVER_SOCKET must name) until it answers.
bgp_start_cutoverd() {
	local rc=0
	lab_cutoverd "$1" "$2" || rc=$?
	BGP_LOG=$LAB_CUTOVERD_LOG
	BGP_PID=$LAB_CUTOVERD_PID
	[ "$rc" -eq 0 ] || fail "cutoverd did not create its socket"
	lab_wait 10 "$BIN/cutover" bgp peers --json || fail "cutoverd does not answer"
}

bgp_stop_cutoverd() {
	kill -TERM "$BGP_PID" 2>/dev/null || true
	lab_wait 10 lab_not_running "$BGP_PID" || fail "cutoverd did not stop on SIGTERM"
	wait "$BGP_PID" 2>/dev/null || fail "cutoverd exited with an error (log: $BGP_LOG)"
	! grep -q "ERROR: AddressSanitizer\|runtime error" "$BGP_LOG" || fail "sanitizer report"
}

peers_json() { "$BIN/cutover" bgp peers --json; }
routes_json() { "$BIN/cutover" bgp routes --json ${1:+--peer "$1"}; }

# peer_state NAME STATE: true when cutoverd's peer NAME is in STATE.
peer_state() {
	peers_json | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin)["peers"] if x["name"] == sys.argv[1]]
sys.exit(0 if p and p[0]["state"] == sys.argv[2] else 1)' "$1" "$2"
}

# our_route PEER PREFIX: cutoverd received PREFIX from PEER.
our_route() {
	routes_json "$1" | python3 -c '
import json, sys
sys.exit(0 if any(r["prefix"] == sys.argv[1] for r in json.load(sys.stdin)["routes"]) else 1)' "$2"
}

# bird_route_has PREFIX TEXT: BIRD on "up" has PREFIX and its `show route all` has TEXT.
bird_route_has() {
	lab_birdc up show route "$1" all | grep -qF -- "$2"
}
