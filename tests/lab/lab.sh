# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# The namespace lab: a small data centre built from network namespaces, shared by the
# integration tests, `make demo` and the benchmarks. Source it, call lab_init, build
# what you need, and everything is removed when the shell exits (trap) or on lab_down.
#
#   up        upstream router (NSX Tier-0 stand-in): BIRD 2, AS 65000, router id 10.255.0.1;
#             legacy segment bridge seg0 10.20.0.1/24, fd00:20::1/64, proxy ARP, proxy_delay 0
#   vm-NAME   VMs on the legacy segment (eth0)
#   NODE      Kubernetes nodes: link to up (node iface up0 10.255.I.2/24, fd00:255:I::2/64;
#             up iface nI 10.255.I.1/24, fd00:255:I::1/64)
#   pod-NAME  pods behind a node (eth0 with a /32 or /128; the node routes it to its veth)
#
# Namespaces are named "ct-<run>-<pid>-<role>"; interfaces are created directly inside
# their namespaces, so nothing ever appears in the root namespace.
#
# Functions (all fail loudly; "ROLE" is up, vm-NAME, NODE or pod-NAME):
#   lab_init [NAME]                  unique lab id, work dir $LAB_DIR, EXIT trap
#   lab_ns ROLE                      print the namespace name of ROLE
#   lab_exec ROLE CMD...             run CMD inside ROLE
#   lab_up_router                    create "up", the legacy segment and start BIRD
#   lab_add_vm NAME IP[/LEN]         VM on the legacy segment (default route 10.20.0.1)
#   lab_del_vm NAME                  stop a VM (remove its namespace)
#   lab_add_node NAME IDX            node namespace linked to up as described above
#   lab_add_pod NODE NAME IP         pod on NODE with IP (/32 or /128)
#   lab_bird_peer NODE AS [OPTS]     BGP protocol on up toward NODE (IPv4 session);
#                                    OPTS are extra lines for the protocol block
#   lab_bird_peer6 NODE AS [OPTS]    the same over IPv6
#   lab_bird_start ROLE CONF         run BIRD in ROLE with config file CONF
#   lab_bird_stop ROLE               stop ROLE's BIRD
#   lab_bird_pid ROLE                print its pid
#   lab_birdc ROLE CMD...            birdc on ROLE's control socket
#   lab_node_bird NODE AS PREFIX...  BIRD on NODE peering with up, originating PREFIXes
#                                    (the old CNI's way of advertising pod routes)
#   lab_cutoverd_conf NODE AS [TOP] < REST   write $LAB_DIR/cutoverd-NODE.yaml, print its
#                                    path: control socket $LAB_DIR/NODE.sock, the TOP lines
#                                    (e.g. "metrics: off"), "bgp:" with router id 10.255.I.2
#                                    and local AS, then REST from stdin (more bgp: keys
#                                    indented two spaces, then other top-level sections)
#   lab_cutoverd_peer NODE NAME 4|6 [HOLD] [FAMILIES]   print a bgp.peers item toward up
#                                    (10.255.I.1 or fd00:255:I::1, AS 65000, hold time HOLD
#                                    (9), connect retry 1, families FAMILIES (the address
#                                    family; "-": no families key)); add keys at 6 spaces
#   lab_cutoverd NODE CONF           run $BIN/cutoverd --config CONF in NODE (log appended
#                                    to $LAB_DIR/cutoverd-NODE.log = $LAB_CUTOVERD_LOG) and
#                                    wait for $LAB_DIR/NODE.sock; pid in $LAB_CUTOVERD_PID
#   lab_wait SECONDS CMD...          poll CMD every 0.1 s until it succeeds; 1 on timeout
#   lab_bgp_established ROLE PROTO   true when ROLE's BIRD protocol PROTO is Established
#   lab_probe_start NAME ROLE DST [icmp|tcp]   continuous probe from ROLE to DST
#   lab_probe_stop NAME              stop it, print "sent lost", set PROBE_SENT/PROBE_LOST
#   lab_down                         remove everything of this lab
#   lab_leftovers [RUN]              list namespaces/processes/pins left by runs (for checks)

LAB_PREFIX=${LAB_PREFIX:-ct}
LAB_BIRD=${LAB_BIRD:-bird}
LAB_BIRDC=${LAB_BIRDC:-birdc}

lab_die() {
	echo "lab: $*" >&2
	return 1
}

lab_init() {
	local name=${1:-lab}
	LAB_RUN=${CUTOVER_RUN:-$$}
	LAB_ID="$LAB_PREFIX-$LAB_RUN-$$"
	LAB_NAME=$name
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cutover-lab-$LAB_RUN-$name-XXXXXX")
	LAB_ROLES=()
	LAB_PROBES=()
	: > "$LAB_DIR/up-peers.conf"
	if [ -z "${LAB_PERSIST:-}" ]; then
		trap 'lab_down' EXIT
		trap 'exit 130' INT TERM
	fi
}

# Re-attach to a lab kept by `scripts/lab up` (LAB_PERSIST=1): lab_attach STATEFILE
lab_attach() {
	# shellcheck source=/dev/null
	. "$1"
	LAB_ROLES=()
	LAB_PROBES=()
}

lab_save() {
	printf 'LAB_ID=%q\nLAB_DIR=%q\nLAB_RUN=%q\nLAB_NAME=%q\n' \
		"$LAB_ID" "$LAB_DIR" "$LAB_RUN" "$LAB_NAME" > "$1"
}

lab_ns() {
	echo "$LAB_ID-$1"
}

lab_exec() {
	local role=$1
	shift
	ip netns exec "$(lab_ns "$role")" "$@"
}

# Create a namespace for ROLE with loopback up.
lab_mkns() {
	local role=$1 ns
	ns=$(lab_ns "$role")
	ip netns add "$ns" || lab_die "cannot create namespace $ns" || return 1
	LAB_ROLES+=("$role")
	ip -n "$ns" link set lo up
	lab_exec "$role" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# veth pair created straight into two namespaces: lab_veth ROLE_A IF_A ROLE_B IF_B
lab_veth() {
	local a=$1 ia=$2 b=$3 ib=$4
	ip link add name "$ia" netns "$(lab_ns "$a")" type veth peer name "$ib" \
		netns "$(lab_ns "$b")" || return 1
	ip -n "$(lab_ns "$a")" link set "$ia" up
	ip -n "$(lab_ns "$b")" link set "$ib" up
}

lab_up_router() {
	lab_mkns up || return 1
	lab_exec up sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	lab_exec up ip link add seg0 type bridge
	lab_exec up ip link set seg0 up
	lab_exec up ip addr add 10.20.0.1/24 dev seg0
	lab_exec up ip addr add fd00:20::1/64 dev seg0 nodad
	# The segment gateway answers ARP for addresses that moved behind a node.
	lab_exec up sysctl -qw net.ipv4.conf.seg0.proxy_arp=1 net.ipv4.neigh.seg0.proxy_delay=0
	cat > "$LAB_DIR/up.conf" <<BIRD
log "$LAB_DIR/up.log" all;
router id 10.255.0.1;
protocol device { scan time 2; }
protocol direct { ipv4; ipv6; interface "seg0"; }
protocol kernel kernel4 { ipv4 { import none; export all; }; merge paths on; }
protocol kernel kernel6 { ipv6 { import none; export all; }; merge paths on; }
protocol static static4 { ipv4; }
include "$LAB_DIR/up-peers.conf";
BIRD
	lab_bird_start up "$LAB_DIR/up.conf"
}

lab_bird_start() {
	local role=$1 conf=$2
	lab_exec "$role" "$LAB_BIRD" -c "$conf" -s "$LAB_DIR/$role.ctl" -P "$LAB_DIR/$role.pid" ||
		lab_die "BIRD in $role did not start (config $conf)" || return 1
	lab_wait 10 lab_birdc "$role" show status ||
		lab_die "BIRD in $role does not answer" || return 1
}

lab_bird_pid() {
	cat "$LAB_DIR/$1.pid"
}

lab_bird_stop() {
	local role=$1 pid
	[ -f "$LAB_DIR/$role.pid" ] || return 0
	pid=$(cat "$LAB_DIR/$role.pid")
	kill -CONT "$pid" 2>/dev/null
	kill "$pid" 2>/dev/null
	lab_wait 5 lab_not_running "$pid" || kill -9 "$pid" 2>/dev/null
	rm -f "$LAB_DIR/$role.pid"
}

lab_not_running() {
	! kill -0 "$1" 2>/dev/null
}

lab_birdc() {
	local role=$1
	shift
	"$LAB_BIRDC" -s "$LAB_DIR/$role.ctl" "$@"
}

lab_add_vm() {
	local name=$1 ip=$2 role=vm-$1
	case $ip in */*) ;; *) ip=$ip/24 ;; esac
	lab_mkns "$role" || return 1
	lab_veth up "v-$name" "$role" eth0 || return 1
	lab_exec up ip link set "v-$name" master seg0
	lab_exec "$role" ip addr add "$ip" dev eth0
	lab_exec "$role" ip route add default via 10.20.0.1
}

lab_del_vm() {
	local ns
	ns=$(lab_ns "vm-$1")
	lab_kill_ns "$ns"
	ip netns del "$ns" 2>/dev/null || true
}

lab_add_node() {
	local name=$1 idx=$2
	lab_mkns "$name" || return 1
	lab_veth up "n$idx" "$name" up0 || return 1
	lab_exec up ip addr add "10.255.$idx.1/24" dev "n$idx"
	lab_exec up ip addr add "fd00:255:$idx::1/64" dev "n$idx" nodad
	lab_exec "$name" ip addr add "10.255.$idx.2/24" dev up0
	lab_exec "$name" ip addr add "fd00:255:$idx::2/64" dev up0 nodad
	lab_exec "$name" ip route add default via "10.255.$idx.1"
	lab_exec "$name" ip -6 route add default via "fd00:255:$idx::1"
	lab_exec "$name" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	echo "$idx" > "$LAB_DIR/node-$name.idx"
}

lab_node_idx() {
	cat "$LAB_DIR/node-$1.idx"
}

# Pods get a host route on the node and a default route through a link-local next hop
# that the node's veth answers by proxy ARP (the way Calico wires pods).
lab_add_pod() {
	local node=$1 name=$2 ip=$3 role=pod-$2 host=p-$2
	lab_mkns "$role" || return 1
	lab_veth "$node" "$host" "$role" eth0 || return 1
	case $ip in
	*:*)
		lab_exec "$role" ip addr add "${ip%/*}/128" dev eth0 nodad
		lab_exec "$node" ip -6 addr add fe80::1/64 dev "$host" nodad
		lab_exec "$role" ip -6 route add default via fe80::1 dev eth0
		lab_exec "$node" ip -6 route add "${ip%/*}/128" dev "$host"
		;;
	*)
		lab_exec "$role" ip addr add "${ip%/*}/32" dev eth0
		lab_exec "$role" ip route add 169.254.1.1 dev eth0 scope link
		lab_exec "$role" ip route add default via 169.254.1.1 dev eth0
		lab_exec "$node" sysctl -qw "net.ipv4.conf.$host.proxy_arp=1" \
			"net.ipv4.neigh.$host.proxy_delay=0"
		lab_exec "$node" ip route add "${ip%/*}/32" dev "$host"
		;;
	esac
}

lab_bird_peer_af() {
	local af=$1 node=$2 as=$3 opts=${4:-} idx nbr proto
	idx=$(lab_node_idx "$node")
	if [ "$af" = 6 ]; then
		nbr="fd00:255:$idx::2"
		proto="n${idx}v6"
	else
		nbr="10.255.$idx.2"
		proto="n$idx"
	fi
	cat >> "$LAB_DIR/up-peers.conf" <<BIRD
protocol bgp $proto {
	local as 65000;
	neighbor $nbr as $as;
	hold time 9;
	connect retry time 1;
	error wait time 1, 5;
	ipv4 { import all; export all; next hop self; };
	ipv6 { import all; export all; next hop self; };
$opts
}
BIRD
	lab_birdc up configure >/dev/null || lab_die "BIRD on up rejected the peer config" ||
		return 1
	echo "$proto"
}

lab_bird_peer() { lab_bird_peer_af 4 "$@"; }
lab_bird_peer6() { lab_bird_peer_af 6 "$@"; }

lab_node_bird() {
	local node=$1 as=$2 idx p
	shift 2
	idx=$(lab_node_idx "$node")
	{
		echo "log \"$LAB_DIR/$node.log\" all;"
		echo "router id 10.255.$idx.2;"
		echo "protocol device { scan time 2; }"
		echo "protocol static pods4 { ipv4;"
		for p in "$@"; do case $p in *:*) ;; *) echo "	route $p unreachable;" ;; esac; done
		echo "}"
		echo "protocol static pods6 { ipv6;"
		for p in "$@"; do case $p in *:*) echo "	route $p unreachable;" ;; esac; done
		echo "}"
		cat <<BIRD
protocol kernel { ipv4 { import none; export none; }; }
protocol bgp upstream {
	local as $as;
	neighbor 10.255.$idx.1 as 65000;
	hold time 9;
	connect retry time 1;
	ipv4 { import none; export where source = RTS_STATIC; };
	ipv6 { import none; export where source = RTS_STATIC; };
}
BIRD
	} > "$LAB_DIR/$node.conf"
	lab_bird_start "$node" "$LAB_DIR/$node.conf"
}

# cutoverd on a node. The config file is $LAB_DIR/cutoverd-NODE.yaml; its control socket
# $LAB_DIR/NODE.sock; the bgp: section starts with the node's router id (its up0 address).
lab_cutoverd_conf() {
	local node=$1 as=$2 top=${3:-} idx conf=$LAB_DIR/cutoverd-$1.yaml
	idx=$(lab_node_idx "$node") || return 1
	{
		echo "control-socket: $LAB_DIR/$node.sock"
		[ -z "$top" ] || printf '%s\n' "$top"
		echo "bgp:"
		echo "  router-id: 10.255.$idx.2"
		echo "  local-as: $as"
		cat
	} > "$conf"
	echo "$conf"
}

lab_cutoverd_peer() {
	local node=$1 name=$2 af=$3 hold=${4:-9} fam=${5:-} idx
	idx=$(lab_node_idx "$node") || return 1
	echo "    - name: $name"
	if [ "$af" = 6 ]; then
		echo "      address: fd00:255:$idx::1"
		fam=${fam:-ipv6}
	else
		echo "      address: 10.255.$idx.1"
		fam=${fam:-ipv4}
	fi
	echo "      remote-as: 65000"
	echo "      hold-time: $hold"
	echo "      connect-retry: 1"
	[ "$fam" = - ] || echo "      families: [$fam]"
}

lab_cutoverd() {
	local node=$1 conf=$2
	LAB_CUTOVERD_LOG=$LAB_DIR/cutoverd-$node.log
	ip netns exec "$(lab_ns "$node")" "${BIN:?}/cutoverd" --config "$conf" \
		>> "$LAB_CUTOVERD_LOG" 2>&1 &
	LAB_CUTOVERD_PID=$!
	lab_wait 10 test -S "$LAB_DIR/$node.sock" ||
		lab_die "cutoverd on $node did not create $LAB_DIR/$node.sock (log: $LAB_CUTOVERD_LOG)"
}

lab_bgp_established() {
	lab_birdc "$1" show protocols "$2" 2>/dev/null | grep -q Established
}

lab_wait() {
	local secs=$1 deadline
	shift
	deadline=$(( $(date +%s%N) + secs * 1000000000 ))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# Probes: ICMP via ping (0.05 s interval, counts from its summary) or TCP via socat
# (one short connection per 0.1 s, counted here). Lost = sent - answered.
lab_probe_start() {
	local name=$1 role=$2 dst=$3 kind=${4:-icmp} dir=$LAB_DIR/probe-$1
	mkdir -p "$dir"
	case $kind in
	icmp)
		# a simple command, so $! is ping itself (ip netns exec execs it)
		ip netns exec "$(lab_ns "$role")" ping -n -i 0.05 -W 1 "$dst" > "$dir/out" 2>&1 &
		echo $! > "$dir/pid"
		;;
	tcp)
		(
			sent=0 ok=0
			trap 'echo "$sent $ok" > "$dir/tcp"; exit 0' TERM
			while :; do
				sent=$((sent + 1))
				if lab_exec "$role" socat -T 1 - "TCP:$dst,connect-timeout=1" \
					</dev/null >/dev/null 2>&1; then
					ok=$((ok + 1))
				fi
				echo "$sent $ok" > "$dir/tcp.tmp" && mv "$dir/tcp.tmp" "$dir/tcp"
				sleep 0.1
			done
		) &
		echo $! > "$dir/pid"
		;;
	*) lab_die "unknown probe kind $kind"; return 1 ;;
	esac
	echo "$kind" > "$dir/kind"
	LAB_PROBES+=("$name")
}

lab_probe_stop() {
	local name=$1 dir=$LAB_DIR/probe-$1 pid kind tx rx
	pid=$(cat "$dir/pid")
	kind=$(cat "$dir/kind")
	kill -INT "$pid" 2>/dev/null
	[ "$kind" = tcp ] && kill -TERM "$pid" 2>/dev/null
	lab_wait 5 lab_not_running "$pid" || kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ "$kind" = icmp ]; then
		tx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1/p' "$dir/out")
		rx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2/p' "$dir/out")
	else
		read -r tx rx < "$dir/tcp"
	fi
	PROBE_SENT=${tx:-0}
	PROBE_LOST=$(( ${tx:-0} - ${rx:-0} ))
	echo "$PROBE_SENT $PROBE_LOST"
}

lab_kill_ns() {
	local ns=$1 pids
	pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill -CONT $pids 2>/dev/null
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null
	for _ in $(seq 50); do
		[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	# shellcheck disable=SC2046
	kill -9 $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null
	return 0
}

lab_down() {
	local p ns
	[ -n "${LAB_ID:-}" ] || return 0
	# Cleanup must run to the end whatever fails (it runs from the EXIT trap).
	local opts=$-
	set +e
	for p in "${LAB_PROBES[@]}"; do
		[ -f "$LAB_DIR/probe-$p/pid" ] && kill -9 "$(cat "$LAB_DIR/probe-$p/pid")" 2>/dev/null
	done
	# Every process of the lab runs inside one of its namespaces: kill them, then delete.
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_ID-"); do
		lab_kill_ns "$ns"
	done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_ID-"); do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${LAB_KEEP_DIR:-}" ] || rm -rf "$LAB_DIR"
	LAB_ID=
	case $opts in *e*) set -e ;; esac
	return 0
}

# List what runs with id RUN (default: every cutover run) left behind.
lab_leftovers() {
	local run=${1:-} pat
	pat="^$LAB_PREFIX-${run:+$run-}"
	ip netns list 2>/dev/null | awk '{print $1}' | grep "$pat" | sed 's/^/netns /'
	pgrep -af "cutover-lab-${run:+$run-}" | grep -v pgrep | sed 's/^/process /'
	ls -d /sys/fs/bpf/cutover-test-"${run}"* 2>/dev/null | sed 's/^/bpf-pin /'
	return 0
}
