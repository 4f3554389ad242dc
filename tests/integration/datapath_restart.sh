#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cutoverd owns the datapath: it loads and pins it, applies the bundle from its
# config, drains flow events and serves /v1/flows. Killing it (SIGKILL) keeps
# enforcement (programs, maps and tc filters stay pinned and attached) and loses no
# packet of running flows (a 20 ms ping and a persistent TCP request/response flow);
# the restarted daemon adopts the same programs (same ids, no reload) and reports the
# drops that happened while it was down. Attach mode from $DP_TEST_ATTACH (config
# "attach:"; default auto = tcx links on kernels with tcx; datapath_restart_clsact.sh
# runs it with clsact): the restarted daemon adopts the same links or filters.
set -eu
. "$CUTOVER_TOP/tests/lab/lab.sh"
MODE=${DP_TEST_ATTACH:-auto}
lab_init "dprestart${DP_TEST_ATTACH:+-$MODE}"
# tcx when the kernel has it (6.6+), clsact otherwise
case $(uname -r) in [0-5].*|6.[0-5].*) AUTO_MODE=clsact ;; *) AUTO_MODE=tcx ;; esac
EXPECT=$MODE
[ "$MODE" != auto ] || EXPECT=$AUTO_MODE

A=$CUTOVER_TOP/build/asan/bin
PIN=/sys/fs/bpf/cutover-test-$CUTOVER_RUN-$$
export CUTOVER_SOCKET=$LAB_DIR/cutoverd.sock
DPID=
node() { nsenter --net="/run/netns/$(lab_ns node)" "$@"; }
cleanup() {
	[ -z "$DPID" ] || kill -9 "$DPID" 2>/dev/null || true
	node "$A/cutover" policy unload --pin-root "$PIN" >/dev/null 2>&1 || rm -rf "$PIN"
	lab_down
}
trap cleanup EXIT
WORK=$LAB_DIR

. "$CUTOVER_TOP/tests/integration/datapath_lib.sh"

lab_up_router
lab_add_node node 1
lab_add_pod node web 10.40.0.10
lab_add_pod node cli 10.40.0.20
lab_add_pod node bad 10.40.0.30

cat > "$LAB_DIR/b.json" <<'JSON'
{ "version": 1,
  "identities": [ {"id": 256, "name": "lab/web"}, {"id": 257, "name": "lab/cli"},
                  {"id": 258, "name": "lab/bad"} ],
  "endpoints": [
    { "id": 21, "name": "lab/web-0", "identity": 256, "interface": "p-web",
      "ips": ["10.40.0.10"],
      "rules": [ {"direction": "ingress", "peer": 257, "protocol": "tcp", "port": 9000,
                  "action": "allow", "ref": "cli-web"},
                 {"direction": "ingress", "peer": 257, "protocol": "icmp", "port": 8,
                  "action": "allow", "ref": "cli-ping"} ] },
    { "id": 22, "name": "lab/cli-0", "identity": 257, "interface": "p-cli", "ips": ["10.40.0.20"] },
    { "id": 23, "name": "lab/bad-0", "identity": 258, "interface": "p-bad", "ips": ["10.40.0.30"] } ] }
JSON
cat > "$LAB_DIR/cutoverd.yaml" <<YAML
log-level: info
control-socket: $CUTOVER_SOCKET
metrics: 127.0.0.1:19963
datapath:
  pin-root: $PIN
  bundle: $LAB_DIR/b.json
  attach: $MODE
YAML

START=0
start_daemon() {
	START=$((START + 1))
	LOG=$LAB_DIR/cutoverd-$START.log
	# a plain command, so $! is cutoverd itself (nsenter execs it)
	nsenter --net="/run/netns/$(lab_ns node)" "$A/cutoverd" -c "$LAB_DIR/cutoverd.yaml" \
		> "$LOG" 2>&1 &
	DPID=$!
	lab_wait 20 sh -c "grep -q 'cutoverd .* running' '$LOG'" || { cat "$LOG"; exit 1; }
}
start_daemon
grep -q "loaded and pinned the datapath at .* (attach: $EXPECT)" "$LOG" || { cat "$LOG"; exit 1; }
for dev in p-web p-cli p-bad; do attach_check "$dev" "$EXPECT"; done
# what runs on p-web: filter program ids (clsact) or link and program ids (tcx)
prog_ids() {
	if [ "$EXPECT" = tcx ]; then
		local ifx
		ifx=$(node ip -o link show dev p-web | cut -d: -f1)
		node bpftool link show pinned "$PIN/tcx_${ifx}_to_pod"
		node bpftool link show pinned "$PIN/tcx_${ifx}_from_pod"
	else
		node tc filter show dev p-web egress | grep -o ' id [0-9]*'
	fi
}
ids1=$(prog_ids)
[ -n "$ids1" ]

lab_exec pod-web "$CUTOVER_TOP/build/bin/dp_rr" server 10.40.0.10 9000 &
lab_wait 10 sh -c "ip netns exec $(lab_ns pod-cli) $CUTOVER_TOP/build/bin/dp_rr client 10.40.0.10 9000 0.1 >/dev/null"

# running flows: 20 ms ping and 8 s of request/response on one TCP connection
ip netns exec "$(lab_ns pod-cli)" ping -n -i 0.02 -W 1 10.40.0.10 > "$LAB_DIR/ping.out" 2>&1 &
PING=$!
lab_exec pod-cli "$CUTOVER_TOP/build/bin/dp_rr" rr 10.40.0.10 9000 8 > "$LAB_DIR/rr.out" 2>&1 &
RR=$!
sleep 1

kill -9 "$DPID"
wait "$DPID" 2>/dev/null || true
DPID=
# daemon down: still enforced
if lab_exec pod-bad socat -T 1 - TCP:10.40.0.10:9000,connect-timeout=1 </dev/null >/dev/null 2>&1; then
	echo "bad reached web while the daemon was down" >&2; exit 1; fi
sleep 1
start_daemon
grep -q "adopted the pinned datapath" "$LOG" || { cat "$LOG"; exit 1; }
[ "$(prog_ids)" = "$ids1" ]	# same programs (and links): nothing reloaded or re-created
for dev in p-web p-cli p-bad; do attach_check "$dev" "$EXPECT"; done
curl -sf --unix-socket "$CUTOVER_SOCKET" http://cutoverd/v1/policy | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = set(e["attach"] for e in d["endpoints"])
assert d["attach"] == sys.argv[1] and m == {sys.argv[1]}, (d["attach"], m)' "$EXPECT"
wait "$RR"
sleep 0.5
kill -INT "$PING"
wait "$PING" || true
cat "$LAB_DIR/ping.out" | tail -3
tx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1/p' "$LAB_DIR/ping.out")
rx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2/p' "$LAB_DIR/ping.out")
echo "ping: $tx sent, $rx received; rr: $(cat "$LAB_DIR/rr.out" | tr '\n' ' ')"
[ "$tx" -gt 100 ] && [ "$tx" -eq "$rx" ]
grep -q "^failed 0" "$LAB_DIR/rr.out"
awk '/^tps/{exit !($2 > 100)}' "$LAB_DIR/rr.out"

# the drops of the downtime were drained by the restarted daemon and are served
node "$A/cutover" observe --verdict DROPPED --from-pod bad-0 --last 50 -o json > "$LAB_DIR/drops.json"
python3 - "$LAB_DIR/drops.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert ev, "no drops reported"
e = ev[-1]
assert e["source"]["identity"] == 258 and e["destination"]["identity"] == 256, e
assert e["drop_reason"] == 133 and e["traffic_direction"] == "INGRESS", e
print("drops via daemon:", len(ev))
PY
# Prometheus: per-endpoint forwarded and dropped counters with Cilium reason codes
node curl -s http://127.0.0.1:19963/metrics > "$LAB_DIR/metrics.txt"
grep -Eq '^cutover_datapath_dropped_packets_total\{endpoint="21",pod="lab/web-0",direction="ingress",reason="POLICY_DENIED",reason_code="133"\} [1-9]' "$LAB_DIR/metrics.txt" || {
	grep cutover_datapath "$LAB_DIR/metrics.txt"; exit 1; }
grep -Eq '^cutover_datapath_forwarded_packets_total\{endpoint="21",pod="lab/web-0",direction="ingress"\} [1-9]' "$LAB_DIR/metrics.txt"

# the CLI hands bundles to the running daemon: allow bad -> web tcp 9000
python3 - "$LAB_DIR/b.json" > "$LAB_DIR/b2.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["endpoints"][0]["rules"].append({"direction": "ingress", "peer": 258, "protocol": "tcp",
    "port": 9000, "action": "allow", "ref": "bad-web"})
json.dump(b, sys.stdout)
PY
node "$A/cutover" policy apply "$LAB_DIR/b2.json" | tee "$LAB_DIR/apply2.out"
grep -q "via cutoverd" "$LAB_DIR/apply2.out"
grep -q "policy entries +1 -0" "$LAB_DIR/apply2.out"
lab_exec pod-bad socat -T 1 - TCP:10.40.0.10:9000,connect-timeout=1 </dev/null >/dev/null
echo "datapath_restart: ok"
