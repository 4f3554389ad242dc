#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Lab smoke test: VMs on the legacy segment reach each other and reach a pod behind a
# node through the upstream router, whose route to the pod block is learned over BGP
# from the node's BIRD (the old CNI's way); birdc answers; a moved VM address is
# reached through the gateway's proxy ARP; teardown leaves nothing.
set -eu
. "$CUTOVER_TOP/tests/lab/lab.sh"
lab_init basic

lab_up_router
lab_add_vm web-01 10.20.0.15
lab_add_vm db-01 10.20.0.16
lab_add_node node1 1
lab_add_pod node1 app 10.244.1.10
proto=$(lab_bird_peer node1 65101)
lab_node_bird node1 65101 10.244.1.0/24

# BIRD answers and the session comes up.
lab_birdc up show status | grep -q "Daemon is up and running"
lab_wait 30 lab_bgp_established up "$proto" || {
	lab_birdc up show protocols all "$proto"; exit 1; }

# VM to VM on the segment.
lab_exec vm-web-01 ping -c 2 -W 2 10.20.0.16 >/dev/null

# The upstream learned the pod block from the node and installed it in its kernel table.
lab_wait 15 sh -c "ip -n $(lab_ns up) route show 10.244.1.0/24 | grep -q 'via 10.255.1.2'"
lab_birdc up show route 10.244.1.0/24 | grep -q 10.244.1.0/24

# VM to pod through the upstream router; the pod answers through the node.
lab_exec vm-web-01 ping -c 2 -W 2 10.244.1.10 >/dev/null

# A probe counts every lost packet: none on a quiet path.
lab_probe_start p1 vm-db-01 10.244.1.10 icmp
sleep 1
lab_probe_stop p1 >/dev/null
echo "probe: sent $PROBE_SENT lost $PROBE_LOST"
[ "$PROBE_SENT" -ge 10 ] && [ "$PROBE_LOST" -eq 0 ]

# A VM that stops frees its address; a pod that takes it over is reached from the
# other VM through the gateway's proxy ARP once the gateway routes the /32 to the node.
lab_del_vm web-01
lab_add_pod node1 web 10.20.0.15
ip -n "$(lab_ns up)" route add 10.20.0.15/32 via 10.255.1.2
lab_wait 10 lab_exec vm-db-01 ping -c 1 -W 1 10.20.0.15

ns_up=$(lab_ns up)
lab_down
if ip netns list | grep -q "^$ns_up"; then
	echo "namespace $ns_up left behind" >&2
	exit 1
fi
echo "lab ok"
