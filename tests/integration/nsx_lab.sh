#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nsx-import in the lab: an NSX-T export (allow-list with a DROP that must become a
# Cilium deny and a trailing drop) is translated exactly; its policy bundle is
# loaded into the eBPF datapath on three pods with `cutover policy apply`; then
# every probe connection gets the verdict the checker predicts for it under NSX
# semantics (`cutover nsx-import verify --flow`), on live TCP and ICMP traffic.
# The CLI runs in the node's network namespace with the host's bpffs (nsenter --net).
set -eu
. "$CUTOVER_TOP/tests/lab/lab.sh"
lab_init nsxlab

BIN=$CUTOVER_TOP/build/asan/bin/cutover
export CUTOVER_BPF_ROOT=/sys/fs/bpf/cutover-nsx-$CUTOVER_RUN-$$
WORK=$LAB_DIR

node() { nsenter --net="/run/netns/$(lab_ns node)" "$@"; }
cleanup() {
	node "$BIN" policy unload >/dev/null 2>&1 || rm -rf "$CUTOVER_BPF_ROOT"
	lab_down
}
trap cleanup EXIT

lab_up_router
lab_add_node node 1
lab_add_pod node web 10.40.0.10
lab_add_pod node db 10.40.0.20
lab_add_pod node cli 10.40.0.30

g() { echo "/infra/domains/default/groups/$1"; }
rule() {	# id action src dst service-path
	cat <<JSON
{"resource_type": "ChildRule", "Rule": {"resource_type": "Rule", "id": "$1",
 "action": "$2", "source_groups": [$3], "destination_groups": [$4], "services": [$5]}}
JSON
}
group() { echo "{\"resource_type\": \"ChildGroup\", \"Group\": {\"resource_type\": \"Group\",
 \"id\": \"$1\", \"expression\": [{\"resource_type\": \"IPAddressExpression\",
 \"ip_addresses\": [\"$2\"]}]}},"; }
cat > "$WORK/export.json" <<JSON
{"resource_type": "Infra", "id": "infra", "children": [
 {"resource_type": "ChildService", "Service": {"resource_type": "Service", "id": "pg",
  "service_entries": [{"resource_type": "L4PortSetServiceEntry", "id": "pg",
  "l4_protocol": "TCP", "destination_ports": ["5432"]}]}},
 {"resource_type": "ChildDomain", "Domain": {"resource_type": "Domain", "id": "default",
  "children": [
  $(group web 10.40.0.10) $(group db 10.40.0.20) $(group cli 10.40.0.30)
  {"resource_type": "ChildSecurityPolicy", "SecurityPolicy": {"resource_type":
   "SecurityPolicy", "id": "lab", "category": "Application", "children": [
   $(rule cli-web ALLOW "\"$(g cli)\"" "\"$(g web)\"" '"/infra/services/HTTP"'),
   $(rule cli-web-alt ALLOW "\"$(g cli)\"" "\"$(g web)\"" '"/infra/services/HTTPS"'),
   $(rule block-cli-db DROP "\"$(g cli)\"" "\"$(g db)\"" '"ANY"'),
   $(rule any-db-pg ALLOW '"ANY"' "\"$(g db)\"" '"/infra/services/pg"'),
   $(rule any-db-ping ALLOW '"ANY"' "\"$(g db)\"" '"/infra/services/ICMP_Echo_Request"'),
   $(rule drop-all DROP '"ANY"' '"ANY"' '"ANY"')
  ]}}]}}]}
JSON
cat > "$WORK/inventory.json" <<'JSON'
{"workloads": [
 {"name": "web", "ips": ["10.40.0.10"], "interface": "p-web", "labels": {"app": "web"}},
 {"name": "db", "ips": ["10.40.0.20"], "interface": "p-db", "labels": {"app": "db"}},
 {"name": "cli", "ips": ["10.40.0.30"], "interface": "p-cli", "labels": {"app": "cli"}}]}
JSON
NSX=("$WORK/export.json" --inventory "$WORK/inventory.json")

# Exact translation; the DROP between allows is the only deny.
"$BIN" nsx-import "${NSX[@]}" -o "$WORK/out" --strict
grep -q '^result: EXACT' "$WORK/out/report.txt"
grep -q 'DENY_EMITTED .*block-cli-db' "$WORK/out/report.txt"
"$CUTOVER_TOP/tests/helpers/validate_cnp.py" "$WORK/out/cilium-policies.yaml" >/dev/null
"$BIN" nsx-import verify "${NSX[@]}" --against "$WORK/out" --samples 50 | tail -1 |
	grep -q ' 0 mismatches'

# Servers: web 80/443/8080, db 5432/5433 (HTTP/HTTPS here are just TCP ports).
for p in 80 443 8080; do
	lab_exec pod-web socat TCP-LISTEN:$p,fork,reuseaddr SYSTEM:'echo srv' >/dev/null 2>&1 &
done
for p in 5432 5433; do
	lab_exec pod-db socat TCP-LISTEN:$p,fork,reuseaddr SYSTEM:'echo srv' >/dev/null 2>&1 &
done
declare -A IP=([web]=10.40.0.10 [db]=10.40.0.20 [cli]=10.40.0.30)
tcp_ok() {	# FROM TO PORT
	[ "$(lab_exec "pod-$1" socat -T 2 - "TCP:${IP[$2]}:$3,connect-timeout=2" \
		</dev/null 2>/dev/null)" = srv ]
}
ping_ok() { lab_exec "pod-$1" ping -c 1 -W 1 "${IP[$2]}" >/dev/null 2>&1; }
lab_wait 10 tcp_ok cli web 80
lab_wait 10 tcp_ok cli db 5432

node "$BIN" policy apply "$WORK/out/bundle.json" | tee "$WORK/apply.out"
grep -q "attached 3" "$WORK/apply.out"

# Every probe: live verdict == the checker's NSX prediction.
n=0 allowed=0
probe() {	# FROM TO PROTO PORT
	local want=DROP got=DROP
	if "$BIN" nsx-import verify "${NSX[@]}" --flow "${IP[$1]},${IP[$2]},$3,$4" \
		> "$WORK/pred.txt"; then want=ALLOW; fi
	if [ "$3" = icmp ]; then ping_ok "$1" "$2" && got=ALLOW || true
	else tcp_ok "$1" "$2" "$4" && got=ALLOW || true; fi
	n=$((n + 1))
	[ $got = ALLOW ] && allowed=$((allowed + 1))
	echo "probe $1 -> $2 $3/$4: predicted $want, live $got"
	if [ $want != $got ]; then
		cat "$WORK/pred.txt" >&2
		echo "nsx_lab: live verdict differs from the checker's prediction" >&2
		exit 1
	fi
}
for port in 80 443 8080; do probe cli web tcp $port; probe db web tcp $port; done
for port in 5432 5433; do
	probe cli db tcp $port; probe web db tcp $port
done
probe web db icmp 8
probe cli db icmp 8
probe cli web icmp 8
probe web cli tcp 80
# Both outcomes were exercised.
[ $allowed -ge 3 ] && [ $allowed -lt $n ]
echo "nsx_lab: $n probes, $allowed allowed, all as predicted"
