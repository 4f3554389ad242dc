#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make demo`: build a small data centre in network namespaces and walk through the
# cutover story on embedded defaults. Needs root (namespaces). Leaves nothing behind.
# Sections are added as features land; each prints what it shows and checks it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
export CUTOVER_TOP=$top
export CUTOVER_RUN=${CUTOVER_RUN:-demo$$}
BIN=${CUTOVER_BIN:-$top/build/bin}
export PATH="$BIN:$PATH"
. "$top/tests/lab/lab.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (network namespaces, BPF)" >&2
	exit 1
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@" | sed 's/^/    /'; }

lab_init demo

step "1. The data centre: upstream router (NSX Tier-0 stand-in, BIRD 2), legacy segment 10.20.0.0/24"
lab_up_router
lab_add_vm web-01 10.20.0.15
lab_add_vm db-01 10.20.0.16
echo "    VMs: web-01 10.20.0.15, db-01 10.20.0.16 (gateway 10.20.0.1 on the upstream router)"

step "2. A Kubernetes node on the old CNI: its BIRD advertises the pod block 10.244.1.0/24"
lab_add_node node1 1
lab_add_pod node1 app 10.244.1.10
proto=$(lab_bird_peer node1 65101)
lab_node_bird node1 65101 10.244.1.0/24
lab_wait 30 lab_bgp_established up "$proto" || { echo "BGP did not come up" >&2; exit 1; }
show lab_birdc up show status
show lab_birdc up show protocols
show lab_birdc up show route

step "3. Traffic: VM to VM on the segment, VM to pod through the upstream router"
show lab_exec vm-web-01 ping -c 3 -i 0.2 10.20.0.16
show lab_exec vm-db-01 ping -c 3 -i 0.2 10.244.1.10

for part in "$top"/scripts/demo.d/*.sh; do
	[ -e "$part" ] || continue
	# shellcheck source=/dev/null
	. "$part"
done

step "Teardown"
lab_down
left=$(lab_leftovers "$CUTOVER_RUN")
if [ -n "$left" ]; then
	echo "demo: left behind:" >&2
	echo "$left" >&2
	exit 1
fi
echo "    nothing left behind (namespaces, BIRD, pinned BPF objects)"
echo
echo "demo: done"
