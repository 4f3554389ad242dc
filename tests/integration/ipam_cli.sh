#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cutover ipam` end to end on a SQLite store: every subcommand's --help, pools
# (add from flags and from JSON, live list, list, delete), reserve/list/delete, alloc
# (idempotent, by VM), release by container and by address, gc with a live list, the
# JSON outputs, and the exit statuses and messages of bad input.
set -eu
top=${CUTOVER_TOP:?run through make test}
bin=$top/build/asan/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/cutover-ipam-cli-XXXXXX")
trap 'rm -rf "$work"' EXIT
export CUTOVER_STORE="sqlite://$work/state.db"
c() { "$bin/cutover" ipam "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
status() {	# WANT CMD...: run, check the exit status, print stderr
	local want=$1 rc=0
	shift
	"$@" > "$work/out" 2> "$work/err" || rc=$?
	[ "$rc" -eq "$want" ] || { echo "exit $rc (want $want): $*"; cat "$work/err"; return 1; }
	cat "$work/err"
}

for s in "" pools show alloc release reserve gc; do
	c $s --help | grep -q "^NAME" || { echo "no man page for '$s'"; exit 1; }
done
"$bin/cutover" help ipam | grep -q "SYNOPSIS"

printf '# VMs\n10.20.0.15 web-01\n10.20.0.16 web-02\n' > "$work/live.txt"
c pools add --name seg-web --kind legacy --cidr 10.20.0.0/24 --gateway 10.20.0.1 \
	--exclude 10.20.0.2-10.20.0.9 --live "$work/live.txt" | grep -q "2 addresses live"
printf '{"name":"pods","cidr":"10.244.0.0/24","block":28,"routes":["10.0.0.0/8"]}\n' > "$work/pods.json"
c pools add --file "$work/pods.json" --json | json 'd["block"]' | grep -qx 28
[ "$(c pools --json | json 'len(d)')" = 2 ]
[ "$(c pools --json | json '[p for p in d if p["name"]=="seg-web"][0]["stats"]["live"]')" = 2 ]
c pools | grep -q "^seg-web *legacy *10.20.0.0/24"

c reserve --vm web-01 --ip 10.20.0.15 | grep -q "reserved for VM web-01"
[ "$(c reserve --list --json | json 'd[0]["ip"]')" = 10.20.0.15 ]
out=$(c alloc --node n1 --cid pod-1 --vm web-01 --json)
[ "$(echo "$out" | json 'd["ip"], d["vm"], d["existing"]')" = "10.20.0.15 web-01 False" ]
[ "$(c alloc --node n1 --cid pod-1 --vm web-01 --json | json 'd["existing"]')" = True ]
c alloc --node n1 --cid pod-2 --pool pods | grep -q "^10.244.0.1 "
c alloc --node n1 --cid pod-3 --pool pods >/dev/null
c alloc --node n2 --cid pod-4 --pool pods | grep -q "^10.244.0.16 "
[ "$(c show --advertise --node n1 --json | json '" ".join(d["advertise"])')" = \
	"10.20.0.15/32 10.244.0.0/30" ]
c show --pool pods | grep -q "^3 leases"
[ "$(c show --node n1 --json | json 'len(d["leases"])')" = 3 ]

# gc: only pod-2 still runs on n1 (pod-1's lease goes too: it is not in the list)
printf 'pod-2\n' > "$work/running"
c gc --node n1 --live "$work/running" --dry-run | grep -q "would release 2"
[ "$(c show --json | json 'len(d["leases"])')" = 4 ]
c gc --node n1 --live - --json < "$work/running" | json 'd["released"]' | grep -qx 2
[ "$(c show --node n1 --json | json '[l["cid"] for l in d["leases"]]')" = "['pod-2']" ]
c release --cid pod-2 | grep -q "released 1 address"
c release --cid pod-2 | grep -q "released 0 addresses"
c release --ip 10.244.0.16 --json | json 'd["released"]' | grep -qx 1

# bad input: status 2 with the reason, operation failures: status 1
status 2 c pools add --name x --cidr 10.30.0.1/24 | grep -q '\$.cidr'
status 2 c pools add --name x | grep -q "needs --name and --cidr"
printf '10.20.0.300 vm\n' > "$work/bad-live.txt"
status 2 c pools live seg-web --live "$work/bad-live.txt" | grep -q "bad-live.txt:1:1"
status 1 c pools add --name dup --cidr 10.20.0.128/25 | grep -q "overlaps pool seg-web"
status 1 c alloc --node n1 --cid x --ip 10.20.0.16 | grep -q "live on VMware"
status 1 c alloc --node n1 --cid x --ip 10.20.0.1 | grep -q "gateway"
status 1 c reserve --vm web-09 --ip 10.20.0.15 | grep -q "already reserved for VM web-01"
status 2 c alloc --node n1 | grep -q "required"
status 2 c frobnicate | grep -q "unknown subcommand"
status 1 c --store "sqlite://$work/no/such/dir/x.db" pools | grep -q "unable to open"
status 1 c --store etcd://127.0.0.1:1 pools | grep -q "no answer"

c reserve --delete --vm web-01 | grep -q "deleted"
[ "$(c reserve --list --json | json 'len(d)')" = 0 ]
c alloc --node n1 --cid pod-5 --pool seg-web | grep -q "^10.20.0.10 "
status 1 c pools delete seg-web | grep -q "still has 1 allocations"
c release --cid pod-5 >/dev/null
c pools delete seg-web | grep -q "deleted"
[ "$(c pools --json | json 'len(d)')" = 1 ]
echo ok
