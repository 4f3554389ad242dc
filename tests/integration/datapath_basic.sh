#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Datapath in the lab: three IPv4 and two IPv6 pods on one node, the eBPF datapath attached to their
# veths by `cutover policy apply`. Allowed TCP and ICMP flows work; denied ones drop
# and show in `cutover observe --verdict DROPPED` with the right identities, reason
# (133 no rule, 181 deny rule) and rule reference; counters and `policy show` agree;
# a rule change applies by diff; audit mode passes what enforce dropped. The programs
# go on as tcx links on kernels with tcx; --attach clsact switches every veth to
# clsact (tcx links removed), auto keeps it there, --attach tcx switches back.
# The CLI runs in the node's network namespace but the root mount namespace
# (nsenter --net), so it sees the host's bpffs, as a node agent does.
set -eu
. "$CUTOVER_TOP/tests/lab/lab.sh"
lab_init dpbasic

BIN=$CUTOVER_TOP/build/asan/bin/cutover
export CUTOVER_BPF_ROOT=/sys/fs/bpf/cutover-test-$CUTOVER_RUN-$$
WORK=$LAB_DIR
PIN=$CUTOVER_BPF_ROOT
# tcx when the kernel has it (6.6+), clsact otherwise
case $(uname -r) in [0-5].*|6.[0-5].*) AUTO_MODE=clsact ;; *) AUTO_MODE=tcx ;; esac

node() { nsenter --net="/run/netns/$(lab_ns node)" "$@"; }
cleanup() {
	node "$BIN" policy unload >/dev/null 2>&1 || rm -rf "$CUTOVER_BPF_ROOT"
	lab_down
}
trap cleanup EXIT

. "$CUTOVER_TOP/tests/integration/datapath_lib.sh"

lab_up_router
lab_add_node node 1
lab_add_pod node web 10.40.0.10
lab_add_pod node cli 10.40.0.20
lab_add_pod node bad 10.40.0.30
lab_add_pod node web6 fd00:40::10
lab_add_pod node cli6 fd00:40::20

bundle() {	# $1 = mode of web, $2 = web's port for cli
	cat <<JSON
{ "version": 1, "source": "datapath_basic.sh",
  "identities": [ {"id": 256, "name": "lab/web"}, {"id": 257, "name": "lab/cli"},
                  {"id": 258, "name": "lab/bad"}, {"id": 259, "name": "lab/web6"},
                  {"id": 260, "name": "lab/cli6"} ],
  "endpoints": [
    { "id": 11, "name": "lab/web-0", "identity": 256, "interface": "p-web",
      "ips": ["10.40.0.10"], "mode": "$1",
      "rules": [
        {"direction": "ingress", "peer": 257, "protocol": "tcp", "port": $2,
         "action": "allow", "ref": "allow-cli-web"},
        {"direction": "ingress", "peer": 257, "protocol": "icmp", "port": 8,
         "action": "allow", "ref": "allow-cli-ping"},
        {"direction": "ingress", "peer": 258, "protocol": "tcp", "port": 8080,
         "action": "deny", "ref": "deny-bad-web"} ] },
    { "id": 12, "name": "lab/cli-0", "identity": 257, "interface": "p-cli",
      "ips": ["10.40.0.20"] },
    { "id": 13, "name": "lab/bad-0", "identity": 258, "interface": "p-bad",
      "ips": ["10.40.0.30"] },
    { "id": 14, "name": "lab/web6-0", "identity": 259, "interface": "p-web6",
      "ips": ["fd00:40::10"],
      "rules": [
        {"direction": "ingress", "peer": 260, "protocol": "tcp", "port": 8080,
         "action": "allow", "ref": "allow-cli6-web6"},
        {"direction": "ingress", "peer": 260, "protocol": "icmpv6", "port": 128,
         "action": "allow", "ref": "allow-cli6-ping6"} ] },
    { "id": 15, "name": "lab/cli6-0", "identity": 260, "interface": "p-cli6",
      "ips": ["fd00:40::20"] } ] }
JSON
}

# web serves TCP 8080 and 8081
lab_exec pod-web socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:'echo web' >/dev/null 2>&1 &
lab_exec pod-web socat TCP-LISTEN:8081,fork,reuseaddr SYSTEM:'echo web' >/dev/null 2>&1 &
tcp_ok() {	# FROM-POD PORT
	[ "$(lab_exec "pod-$1" socat -T 2 - "TCP:10.40.0.10:$2,connect-timeout=2" \
		</dev/null 2>/dev/null)" = web ]
}
lab_wait 10 tcp_ok cli 8080
lab_exec pod-web6 socat TCP6-LISTEN:8080,fork,reuseaddr SYSTEM:'echo web6' >/dev/null 2>&1 &
lab_exec pod-web6 socat TCP6-LISTEN:8081,fork,reuseaddr SYSTEM:'echo web6' >/dev/null 2>&1 &
tcp6_ok() {	# PORT
	[ "$(lab_exec pod-cli6 socat -T 2 - "TCP6:[fd00:40::10]:$1,connect-timeout=2" \
		</dev/null 2>/dev/null)" = web6 ]
}
lab_wait 10 tcp6_ok 8080

bundle enforce 8080 > "$WORK/b1.json"
node "$BIN" policy apply "$WORK/b1.json" | tee "$WORK/apply1.out"
grep -q "attached 5" "$WORK/apply1.out"
grep -q "datapath loaded" "$WORK/apply1.out"
for dev in p-web p-cli p-bad p-web6 p-cli6; do attach_check "$dev" "$AUTO_MODE"; done
node "$BIN" policy show -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); m=set(e["attach"] for e in d["endpoints"]); assert m == {sys.argv[1]}, m' "$AUTO_MODE"

# allowed: cli -> web tcp 8080 and ping
tcp_ok cli 8080
lab_exec pod-cli ping -c 2 -i 0.2 -W 2 10.40.0.10 >/dev/null
# denied: bad -> web tcp 8080 (deny rule, 181), bad ping (no rule, 133), cli -> 8081 (133)
if tcp_ok bad 8080; then echo "bad reached web:8080" >&2; exit 1; fi
if lab_exec pod-bad ping -c 1 -W 1 10.40.0.10 >/dev/null; then
	echo "bad pinged web" >&2; exit 1; fi
if tcp_ok cli 8081; then echo "cli reached web:8081" >&2; exit 1; fi

# IPv6: allowed TCP and ping (neighbour discovery passes), other port dropped
tcp6_ok 8080
lab_exec pod-cli6 ping -6 -c 2 -i 0.2 -W 2 fd00:40::10 >/dev/null
if tcp6_ok 8081; then echo "cli6 reached web6:8081" >&2; exit 1; fi
node "$BIN" observe --to-ip fd00:40::10 --verdict DROPPED --port 8081 --last 10 -o json \
	| python3 -c 'import json,sys; e=[json.loads(l) for l in sys.stdin]; assert e and e[0]["ip"]["ipVersion"]=="IPv6" and e[0]["source"]["identity"]==260 and e[0]["drop_reason"]==133, e'
node "$BIN" observe --to-pod web6-0 --verdict FORWARDED --protocol icmpv6 --last 10 | grep -q "allow-cli6-ping6"

node "$BIN" observe --verdict DROPPED --last 100 -o json > "$WORK/drops.json"
node "$BIN" observe --last 100 > "$WORK/all.txt"
cat "$WORK/all.txt"
python3 - "$WORK/drops.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert ev, "no drop events"
assert all(e["verdict"] == "DROPPED" for e in ev)
def find(**kw):
    return [e for e in ev if all(e[k] == v for k, v in kw.items())]
deny = [e for e in ev if e["source"]["identity"] == 258 and e["drop_reason"] == 181]
assert deny, "no deny-rule drop for bad"
e = deny[0]
assert e["destination"]["identity"] == 256 and e["destination"]["name"] == "lab/web"
assert e["source"]["name"] == "lab/bad" and e["rule"] == "deny-bad-web"
assert e["l4"]["TCP"]["destination_port"] == 8080 and e["traffic_direction"] == "INGRESS"
assert e["endpoint"]["name"] == "lab/web-0" and e["drop_reason_desc"] == "POLICY_DENY"
ping = [e for e in ev if e["source"]["identity"] == 258 and "ICMPv4" in e["l4"]]
assert ping and ping[0]["drop_reason"] == 133, ping
cli = [e for e in ev if e["source"]["identity"] == 257 and e["drop_reason"] == 133
       and e["l4"].get("TCP", {}).get("destination_port") == 8081]
assert cli, "no drop for cli -> 8081"
print("drops ok:", len(ev))
PY

# filters: --from-pod / --to-pod / --port / --protocol / --from-ip
n=$(node "$BIN" observe --from-pod bad-0 --verdict DROPPED --last 100 | wc -l)
[ "$n" -ge 2 ]
node "$BIN" observe --to-pod lab/web-0 --verdict FORWARDED --protocol tcp --port 8080 \
	--last 100 | grep -q "rule=allow-cli-web"
# bad's own egress forwarded its packets; web's ingress never did
node "$BIN" observe --from-ip 10.40.0.30 --verdict FORWARDED --to-pod web-0 --last 100 \
	> "$WORK/badfwd.txt"
grep -q "from-pod" "$WORK/badfwd.txt"
if grep -q "to-pod" "$WORK/badfwd.txt"; then echo "web forwarded bad's traffic" >&2; exit 1; fi
node "$BIN" observe --from-ip 10.40.0.20/32 --protocol icmp --last 100 | grep -q "FORWARDED"
# unknown pod and bad arguments are usage errors
set +e
node "$BIN" observe --from-pod nosuch >/dev/null 2>&1; [ $? -eq 2 ] || exit 1
node "$BIN" observe --verdict MAYBE >/dev/null 2>&1; [ $? -eq 2 ] || exit 1
set -e

# counters and policy show
node "$BIN" policy metrics > "$WORK/metrics.txt"
grep -q 'cutover_datapath_dropped_packets_total{endpoint="11",pod="lab/web-0",direction="ingress",reason="POLICY_DENY",reason_code="181"}' "$WORK/metrics.txt"
grep -Eq 'cutover_datapath_forwarded_packets_total\{endpoint="11",pod="lab/web-0",direction="ingress"\} [1-9]' "$WORK/metrics.txt"
node "$BIN" policy show --endpoint 11 | tee "$WORK/show.txt"
grep -q "interface p-web" "$WORK/show.txt"
grep -Eq "ingress +DENY +peer 258 .*tcp +8080 +deny-bad-web +[1-9][0-9]* pkts" "$WORK/show.txt"
node "$BIN" policy show -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["endpoints"]) == 5'

# one rule change: cli's port 8080 -> 8081 costs one put and one delete
bundle enforce 8081 > "$WORK/b2.json"
node "$BIN" policy apply "$WORK/b2.json" | tee "$WORK/apply2.out"
grep -q "policy entries +1 -1, maps +0 -0, ipcache +0 -0, endpoints +0 -0" "$WORK/apply2.out"
tcp_ok cli 8081
if tcp_ok cli 8080; then echo "cli still reaches 8080" >&2; exit 1; fi

# audit: what enforce drops passes and is reported as AUDIT
bundle audit 8081 > "$WORK/b3.json"
node "$BIN" policy apply "$WORK/b3.json" | grep -q "endpoints +1 -0"
tcp_ok bad 8080
node "$BIN" observe --verdict AUDIT --from-pod bad-0 --last 10 | grep -q "POLICY_DENY"

# a bad bundle is refused with its JSON path and changes nothing
echo '{"version":1,"endpoints":[{"id":0}]}' > "$WORK/bad.json"
set +e
node "$BIN" policy apply "$WORK/bad.json" 2> "$WORK/bad.err"
rc=$?
set -e
[ $rc -eq 2 ]
grep -q 'bad.json: \$.endpoints\[0\].id: 0 out of range' "$WORK/bad.err"
tcp_ok bad 8080

# forced clsact: every veth switches (filters in, tcx links out), enforcement holds
node "$BIN" policy apply --attach clsact "$WORK/b2.json" 2>&1 | tee "$WORK/apply4.out"
grep -q "endpoints +1 -0, names +0 -0, attached 5" "$WORK/apply4.out"
for dev in p-web p-cli p-bad p-web6 p-cli6; do attach_check "$dev" clsact; done
node "$BIN" policy show --endpoint 11 | grep -q "mode enforce  attach clsact"
if tcp_ok bad 8080; then echo "bad reached web:8080 under clsact" >&2; exit 1; fi
tcp_ok cli 8081
tcp6_ok 8080
# auto leaves interfaces attached by clsact alone
node "$BIN" policy apply "$WORK/b2.json" | grep -q "attached 0"
attach_check p-web clsact
if [ "$AUTO_MODE" = tcx ]; then
	node "$BIN" policy apply --attach tcx "$WORK/b2.json" 2>&1 | tee "$WORK/apply5.out"
	grep -q "attached 5" "$WORK/apply5.out"
	grep -q "p-web: switched from clsact to tcx" "$WORK/apply5.out"
	for dev in p-web p-cli p-bad p-web6 p-cli6; do attach_check "$dev" tcx; done
	if tcp_ok bad 8080; then echo "bad reached web:8080 under tcx" >&2; exit 1; fi
	tcp_ok cli 8081
fi
echo "datapath_basic: ok"
