# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Demo part (sourced by scripts/demo.sh): a second node runs cutoverd instead of BIRD.
# The lab's upstream BIRD peers with it over IPv4 (IPv4 and IPv6 NLRI) and IPv6; the
# node announces its pod block and a moved VM address, and learns the segment.

step "4. cutoverd on node2: BGP with the upstream router (4-octet AS 4200000002)"
lab_add_node node2 2
bgp_p4=$(lab_bird_peer node2 4200000002 "hold time 9;")
bgp_p6=$(lab_bird_peer6 node2 4200000002 "hold time 9;")
demo_conf=$(lab_cutoverd_conf node2 4200000002 "log-level: info
metrics: 127.0.0.1:9963" <<EOF
  peers:
$(lab_cutoverd_peer node2 up4 4 9 "ipv4, ipv6")
$(lab_cutoverd_peer node2 up6 6)
  originate:
    - 10.244.2.0/24
    - prefix: 10.20.0.15/32
      communities: ["65000:15"]
    - fd00:244:2::/64
EOF
)
show cat "$demo_conf"
show "$BIN/cutoverd" --check-config "$demo_conf"
lab_cutoverd node2 "$demo_conf" || { echo "cutoverd on node2 did not start" >&2; exit 1; }
demo_cutoverd=$LAB_CUTOVERD_PID
export CUTOVER_SOCKET=$LAB_DIR/node2.sock
lab_wait 30 lab_bgp_established up "$bgp_p4" ||
	{ tail "$LAB_DIR/cutoverd-node2.log"; echo "BGP to cutoverd did not come up" >&2; exit 1; }
lab_wait 30 lab_bgp_established up "$bgp_p6" ||
	{ echo "IPv6 BGP to cutoverd did not come up" >&2; exit 1; }
demo_bird_has() { lab_birdc up show route "$1" | grep -q "$2"; }
lab_wait 10 demo_bird_has 10.244.2.0/24 "$bgp_p4" ||
	{ echo "pod block not at the upstream router" >&2; exit 1; }
show lab_birdc up show protocols
show lab_birdc up show route protocol "$bgp_p4" all
show lab_birdc up show route protocol "$bgp_p6"
show "$BIN/cutover" bgp peers up4
show "$BIN/cutover" bgp routes --peer up4

step "5. cutoverd announces one more moved address, then withdraws it"
show "$BIN/cutover" bgp originate 10.20.0.16/32 65000:16
lab_wait 10 demo_bird_has 10.20.0.16/32 "$bgp_p4" ||
	{ echo "10.20.0.16/32 not at the upstream router" >&2; exit 1; }
show lab_birdc up show route 10.20.0.16/32
show "$BIN/cutover" bgp withdraw 10.20.0.16/32
demo_bird_lacks() { ! demo_bird_has "$@"; }
lab_wait 10 demo_bird_lacks 10.20.0.16/32 "$bgp_p4" ||
	{ echo "10.20.0.16/32 not withdrawn" >&2; exit 1; }
echo "    10.20.0.16/32 withdrawn at the upstream router"
show lab_exec node2 sh -c "curl -s http://127.0.0.1:9963/metrics | grep -E '^cutover_bgp_(peer_up|prefixes)'"
kill -TERM "$demo_cutoverd" 2>/dev/null || true
wait "$demo_cutoverd" 2>/dev/null || true
unset CUTOVER_SOCKET
