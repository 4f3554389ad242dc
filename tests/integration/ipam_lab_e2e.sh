#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The cutover story end to end in the namespace lab. VM web-01 (10.20.0.15) is
# stopped; the pod replacing it gets 10.20.0.15 on node n1 through the real ptp CNI
# plugin and cutover-cni-ipam (reservation web-01); cutoverd on n1 originates its
# IPAM advertise set (exactly 10.20.0.15/32) to the upstream BIRD; the segment
# gateway answers ARP for the moved address (proxy ARP), so VM web-02 on the same
# segment reaches the pod by ping and TCP. Then the pod is deleted (CNI DEL) and
# cutoverd withdraws the /32.
set -eu
top=${CUTOVER_TOP:?run through make test}
BIN=${CUTOVER_BIN:-$top/build/asan/bin}
cni=/usr/lib/cni
. "$top/tests/lab/lab.sh"
. "$top/tests/integration/bgp_lib.sh"
lab_init ipam-e2e
export CUTOVER_STORE="sqlite://$LAB_DIR/state.db"
export CUTOVER_SOCKET=$LAB_DIR/n1.sock
ipam() { "$BIN/cutover" ipam "$@"; }

step "lab: upstream router, VMs web-01 and web-02 on the segment, node n1"
lab_up_router
lab_add_vm web-01 10.20.0.15
lab_add_vm web-02 10.20.0.16
lab_add_node n1 1
p4=$(lab_bird_peer n1 65101 "hold time 3; keepalive time 1;")
lab_wait 5 lab_exec vm-web-02 ping -c1 -W1 10.20.0.15 >/dev/null || fail "VM web-01 not reachable"

step "IPAM: the segment as a legacy pool, its live VMs, web-01's reservation"
ipam pools add --name seg-web --kind legacy --cidr 10.20.0.0/24 --gateway 10.20.0.1 >/dev/null
printf '10.20.0.15 web-01\n10.20.0.16 web-02\n' > "$LAB_DIR/live.txt"
ipam pools live seg-web --live "$LAB_DIR/live.txt" >/dev/null
ipam reserve --vm web-01 --ip 10.20.0.15 >/dev/null

step "cutoverd on n1 with an ipam section"
cdconf=$(lab_cutoverd_conf n1 65101 "metrics: off" <<EOF2
  peers:
$(lab_cutoverd_peer n1 up 4 3 -)
ipam:
  store: $CUTOVER_STORE
  node: n1
  poll-interval-ms: 200
EOF2
)
"$BIN/cutoverd" --check-config "$cdconf" >/dev/null
bgp_start_cutoverd n1 "$cdconf"
lab_wait 20 lab_bgp_established up "$p4" || fail "BGP session not established"
sleep 1	# one more poll: the set must stay empty while web-01 is a VM
not bird_route_has 10.20.0.15/32 "AS65101" || fail "advertised while web-01 is still a VM"

step "VM web-01 stops; its pod starts on n1 and gets 10.20.0.15 through ptp + cutover-cni-ipam"
lab_del_vm web-01
lab_mkns pod-web
conf='{"cniVersion":"1.0.0","name":"legacy","type":"ptp","ipMasq":false,"ipam":{"type":"cutover-cni-ipam","store":"'$CUTOVER_STORE'","pool":"seg-web","node":"n1"}}'
cni() {	# CMD
	printf '%s' "$conf" | lab_exec n1 env CNI_COMMAND="$1" CNI_CONTAINERID=pod-web-1 \
		CNI_NETNS="/run/netns/$(lab_ns pod-web)" CNI_IFNAME=eth0 \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=web-01-5d8;cutover.io/preserve-ip=web-01" \
		CNI_PATH="$BIN:$cni" "$cni/ptp"
}
cni ADD > "$LAB_DIR/add.json"
grep -q '"10.20.0.15/24"' "$LAB_DIR/add.json" || fail "pod did not get 10.20.0.15: $(cat "$LAB_DIR/add.json")"
lab_exec pod-web ip -4 addr show dev eth0 | grep -q "inet 10.20.0.15/24" || fail "pod address"

step "cutoverd advertises exactly 10.20.0.15/32; BIRD installs it"
lab_wait 10 bird_route_has 10.20.0.15/32 "AS65101" || fail "BIRD did not learn 10.20.0.15/32"
orig=$("$BIN/cutover" bgp originated --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = d["originated"] if isinstance(d, dict) else d
print(" ".join(sorted(r["prefix"] for r in rows)))') || fail "cutover bgp originated"
[ "$orig" = 10.20.0.15/32 ] || fail "cutoverd originates '$orig', want exactly 10.20.0.15/32"
adv=$(curl -s --unix-socket "$CUTOVER_SOCKET" http://cutoverd/v1/ipam/advertise | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["node"] == "n1" and d["store_reachable"], d
print(" ".join(d["advertise"]))') || fail "GET /v1/ipam/advertise"
[ "$adv" = 10.20.0.15/32 ] || fail "control API advertise set: '$adv'"
lab_wait 10 sh -c "ip netns exec $(lab_ns up) ip route show 10.20.0.15 | grep -q 10.255.1.2" ||
	fail "no kernel route to the pod on the gateway"

step "VM web-02 reaches the pod by ping and TCP (proxy ARP at the gateway)"
lab_exec pod-web socat TCP-LISTEN:8080,bind=10.20.0.15,reuseaddr,fork SYSTEM:'echo hello-from-pod' &
# web-02 still holds web-01's old MAC for 10.20.0.15 (it pinged it above, so the entry
# is REACHABLE for up to ~45 s). The gateway announces the move with a gratuitous ARP
# (as DESIGN.md prescribes; NSX-T does it, this lab's Linux gateway needs a nudge):
# sender 10.20.0.15 at the gateway's own MAC, broadcast on the segment.
garp() {
	lab_exec up python3 - "$1" <<'PY'
import socket, struct, sys
ip = socket.inet_aton(sys.argv[1])
mac = bytes.fromhex(open("/sys/class/net/seg0/address").read().strip().replace(":", ""))
arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, mac, ip, b"\xff" * 6, ip)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("seg0", 0))
s.send(b"\xff" * 6 + mac + b"\x08\x06" + arp)
PY
}
garp 10.20.0.15
lab_wait 5 lab_exec vm-web-02 ping -c1 -W1 10.20.0.15 >/dev/null || {
	lab_exec vm-web-02 ip neigh; lab_exec up ip route; fail "ping VM -> pod"; }
lab_exec vm-web-02 ping -c3 -i0.2 -W1 10.20.0.15 >/dev/null || fail "ping VM -> pod (3)"
out=$(lab_wait 10 lab_exec vm-web-02 socat -T2 - TCP:10.20.0.15:8080,connect-timeout=2 </dev/null) ||
	fail "TCP VM -> pod"
out=$(lab_exec vm-web-02 socat -T2 - TCP:10.20.0.15:8080,connect-timeout=2 </dev/null)
[ "$out" = hello-from-pod ] || fail "TCP answer: '$out'"
lab_exec vm-web-02 ip neigh show 10.20.0.15 | grep -q . || fail "no ARP entry on the VM"
echo "ping and TCP from web-02 to the pod at 10.20.0.15 work"

step "the pod is deleted: CNI DEL releases, cutoverd withdraws"
cni DEL
lab_wait 10 not bird_route_has 10.20.0.15/32 "AS65101" || fail "10.20.0.15/32 not withdrawn"
ipam show --json | grep -q pod-web-1 && fail "lease still present"
grep -q "ipam.*withdraw 10.20.0.15/32" "$BGP_LOG" || fail "cutoverd did not log the withdrawal"
bgp_stop_cutoverd
echo ok
