#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cutover-cni-ipam driven as a runtime drives CNI: the reference ptp plugin from
# /usr/lib/cni (Debian containernetworking-plugins) runs inside a lab node namespace
# with CNI_COMMAND/CNI_CONTAINERID/CNI_NETNS/CNI_IFNAME/CNI_ARGS/CNI_PATH and the
# network config on stdin, and delegates IPAM to our plugin. Checks: a pod that asks
# for VM web-01's address gets 10.20.0.15 (and is reachable), a cluster pod gets a
# pool address, CHECK passes, ADD is idempotent, DEL releases (the reservation stays
# and another node's pod gets the address again), and malformed input gets the CNI
# spec's error object with the right code.
set -eu
top=${CUTOVER_TOP:?run through make test}
bin=$top/build/asan/bin
cni=/usr/lib/cni
[ -x "$cni/ptp" ] || { echo "missing $cni/ptp (containernetworking-plugins)"; exit 1; }
. "$top/tests/lab/lab.sh"
lab_init ipam-cni
export CUTOVER_STORE="sqlite://$LAB_DIR/state.db"
cli() { "$bin/cutover" ipam "$@"; }

cli pools add --name seg-web --kind legacy --cidr 10.20.0.0/24 --gateway 10.20.0.1 \
	--exclude 10.20.0.2-10.20.0.9 >/dev/null
printf '10.20.0.15 web-01\n10.20.0.16 web-02\n' > "$LAB_DIR/live.txt"
cli pools live seg-web --live "$LAB_DIR/live.txt" >/dev/null
cli pools add --name pods --cidr 10.244.0.0/24 --gateway 10.244.0.1 --block 28 >/dev/null
cli pools add --name tiny --cidr 10.99.0.0/30 --block 32 >/dev/null
cli reserve --vm web-01 --ip 10.20.0.15 >/dev/null

lab_mkns node-a
lab_mkns node-b
lab_mkns pod-web
lab_mkns pod-app
lab_mkns pod-web2

conf() {	# NAME POOL NODE [EXTRA-JSON]
	printf '{"cniVersion":"1.0.0","name":"%s","type":"ptp","ipMasq":false%s,"ipam":{"type":"cutover-cni-ipam","store":"%s","pool":"%s","node":"%s"}}' \
		"$1" "${4:-}" "$CUTOVER_STORE" "$2" "$3"
}
# cni_run NODE PLUGIN CMD CID POD ARGS CONF: run PLUGIN in NODE like a runtime
cni_run() {
	local node=$1 plugin=$2 cmd=$3 cid=$4 pod=$5 args=$6 cfg=$7
	printf '%s' "$cfg" | lab_exec "$node" env CNI_COMMAND="$cmd" CNI_CONTAINERID="$cid" \
		CNI_NETNS="/run/netns/$(lab_ns "$pod")" CNI_IFNAME=eth0 CNI_ARGS="$args" \
		CNI_PATH="$bin:$cni" "$plugin"
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# 1. the pod replacing web-01 asks by VM name through CNI_ARGS
out=$(cni_run node-a "$cni/ptp" ADD cid-web pod-web \
	"IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-01-7f9;cutover.io/preserve-ip=web-01" \
	"$(conf legacy seg-web node-a)")
echo "$out" > "$LAB_DIR/add-web.json"
[ "$(echo "$out" | json 'd["ips"][0]["address"]')" = 10.20.0.15/24 ]
lab_exec pod-web ip -4 addr show dev eth0 | grep -q 'inet 10.20.0.15/24'
lab_wait 5 lab_exec node-a ping -c1 -W1 10.20.0.15 >/dev/null
cli show --json | json '[l for l in d["leases"] if l["cid"]=="cid-web"][0]' | grep -q "'vm': 'web-01'"
echo "pod-web: 10.20.0.15 from reservation web-01, reachable from its node"

# 2. a cluster pod
out=$(cni_run node-a "$cni/ptp" ADD cid-app pod-app "" "$(conf cluster pods node-a)")
addr=$(echo "$out" | json 'd["ips"][0]["address"]')
case $addr in 10.244.0.*/24) ;; *) echo "cluster pod got $addr"; exit 1 ;; esac
lab_exec pod-app ip -4 addr show dev eth0 | grep -q "inet $addr"
lab_wait 5 lab_exec node-a ping -c1 -W1 "${addr%/*}" >/dev/null
echo "pod-app: $addr"

# 3. CHECK through ptp (prevResult = the ADD result), and ADD is idempotent
prev=$(cat "$LAB_DIR/add-web.json" | tr -d '\n')
cni_run node-a "$cni/ptp" CHECK cid-web pod-web "" \
	"$(conf legacy seg-web node-a ",\"prevResult\":$prev")" > /dev/null
out=$(cni_run node-a "$bin/cutover-cni-ipam" ADD cid-web pod-web "" "$(conf legacy seg-web node-a)")
[ "$(echo "$out" | json 'd["ips"][0]["address"]')" = 10.20.0.15/24 ]
[ "$(cli show --json | json 'len(d["leases"])')" = 2 ]
echo "CHECK ok; repeated ADD returned the same address"

# the node's advertise set is exactly the moved address plus its block part
cli show --advertise --node node-a --json | json 'd["advertise"]' | grep -q "'10.20.0.15/32'"

# 4. DEL releases; the reservation keeps the address for the pod on another node
cni_run node-a "$cni/ptp" DEL cid-web pod-web "" "$(conf legacy seg-web node-a)"
[ "$(cli show --json | json 'len([l for l in d["leases"] if l["cid"]=="cid-web"])')" = 0 ]
! lab_exec pod-web ip link show eth0 >/dev/null 2>&1
cni_run node-a "$cni/ptp" DEL cid-web pod-web "" "$(conf legacy seg-web node-a)"
out=$(cni_run node-b "$cni/ptp" ADD cid-web2 pod-web2 "IP=10.20.0.15" "$(conf legacy seg-web node-b)")
[ "$(echo "$out" | json 'd["ips"][0]["address"]')" = 10.20.0.15/24 ]
cli show --advertise --node node-b --json | json 'd["advertise"]' | grep -q "'10.20.0.15/32'"
! cli show --advertise --node node-a --json | json 'd["advertise"]' | grep -q "10.20.0.15"
echo "DEL released; rescheduled pod on node-b got 10.20.0.15 again"

# 5. malformed input: the spec's error object, exit status 1
err_code() {	# EXPECTED-CODE CMD...: run, want exit 1 and that code
	local want=$1 out rc=0
	shift
	out=$("$@") || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit $rc, want 1: $out"; return 1; }
	echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert set(d) >= {"cniVersion", "code", "msg"}, d
assert d["code"] == int(sys.argv[1]), d
print("  code %d: %s (%s)" % (d["code"], d["msg"], d.get("details", "")))' "$want"
}
plug() {	# ENV-ASSIGNMENTS... -- STDIN
	local input=${*: -1}
	printf '%s' "$input" | env "${@:1:$#-1}" "$bin/cutover-cni-ipam"
}
good=$(conf x seg-web node-a)
nsp=/run/netns/$(lab_ns pod-app)
base=(CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=$nsp CNI_IFNAME=eth0)
err_code 6 plug "${base[@]}" '{"cniVersion":"1.0.0",'
err_code 6 plug "${base[@]}" 'not json at all'
err_code 4 plug CNI_COMMAND=ADD CNI_NETNS=$nsp CNI_IFNAME=eth0 "$good"
err_code 4 plug "${base[@]}" CNI_COMMAND=FROB "$good"
err_code 1 plug "${base[@]}" '{"cniVersion":"9.9.9","name":"x","ipam":{"type":"cutover-cni-ipam"}}'
err_code 2 plug "${base[@]}" '{"cniVersion":"1.0.0","name":"x","ipam":{"type":"cutover-cni-ipam","colour":"red"}}'
err_code 2 plug "${base[@]}" CNI_ARGS="FOO=bar" "$good"
err_code 7 plug "${base[@]}" '{"cniVersion":"1.0.0","name":"x"}'
err_code 101 plug "${base[@]}" CNI_ARGS="IP=10.20.0.16" "$good"
err_code 101 plug "${base[@]}" CNI_ARGS="IP=10.20.0.1" "$good"
err_code 102 plug "${base[@]}" CNI_ARGS="cutover.io/preserve-ip=no-such-vm" "$good"
plug "${base[@]}" CNI_CONTAINERID=t1 "$(conf x tiny node-a)" >/dev/null
plug "${base[@]}" CNI_CONTAINERID=t2 "$(conf x tiny node-a)" >/dev/null
err_code 100 plug "${base[@]}" CNI_CONTAINERID=t3 "$(conf x tiny node-a)"
err_code 3 plug CNI_COMMAND=CHECK CNI_CONTAINERID=nobody CNI_NETNS=$nsp CNI_IFNAME=eth0 "$good"
# ptp passes the IPAM error through to the runtime
rc=0
out=$(cni_run node-a "$cni/ptp" ADD cid-bad pod-web "IP=10.20.0.16" "$(conf legacy seg-web node-a)") || rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "live on VMware"
# VERSION
[ "$(echo '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION "$bin/cutover-cni-ipam" | json '"1.0.0" in d["supportedVersions"]')" = True ]
echo ok
