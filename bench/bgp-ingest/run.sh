#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/bgp-ingest: how fast and how small a full table lands in the RIB, cutoverd
# against BIRD 2 measured in the same run with the same injector and the same bytes.
# BGP_INGEST_RUNS=N repeats the whole round N times and prints the median ratios too
# (on a shared machine single runs vary by +-25 %).
#
# Datasets: N distinct IPv4 /24s (BGP_INGEST_N, default 1,000,000, 100 AS paths) and the
# RIS table dump tests/fixtures/mrt/bview.20020722.2337.gz (112,988 prefixes). For each
# dataset and each daemon, in its own lab namespace, a fresh daemon is started, the
# injector (tests/helpers/bgp-inject, in the "up" namespace) opens an eBGP session to it
# and sends everything in packed UPDATEs, and ingest-poll (bench/bgp-ingest/ingest_poll.c)
# asks the daemon's route counter every 2 ms over its control socket (BIRD: `show
# protocols all inj`, "Routes: N imported"; cutoverd: GET /v1/bgp/rib), one process for
# the whole wait, the same way for both. Reported per daemon:
#   time  from the injector's first UPDATE byte (it packs the whole table first, after
#         the session is up, so the daemon's reading sets the pace) to the full count seen
#         (then the table itself is counted once more, untimed: birdc `show route count`)
#   cpu   the daemon's user+system seconds at that moment
#   inj   when the injector had written its last byte (same clock as time)
#   peak  VmHWM of the daemon process; per route = (VmHWM - VmRSS before injection) / N
# and the ratios cutoverd/BIRD (target: <= 0.5 for both). Neither daemon installs the
# routes into a kernel table here (BIRD has no kernel protocol; cutoverd rib.kernel:
# false): this measures the RIB. The release build of cutoverd is used.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lab/lab.sh"
N=${BGP_INGEST_N:-1000000}
RUNS=${BGP_INGEST_RUNS:-1}	# rounds (each: both daemons, both tables); medians when > 1
case $RUNS in ''|*[!0-9]*|0) echo "bgp-ingest: BGP_INGEST_RUNS must be a positive number" >&2; exit 2 ;; esac
RIS=$top/tests/fixtures/mrt/bview.20020722.2337.gz
RIS_N=112988
INJ=$top/build/bin/bgp-inject
POLL=$top/build/bin/ingest-poll
CUTOVERD=${BGP_INGEST_CUTOVERD:-$top/build/bin/cutoverd}
[ -x "$INJ" ] && [ -x "$POLL" ] && [ -x "$CUTOVERD" ] || { echo "bgp-ingest: build first (make)" >&2; exit 1; }

lab_init ingest
lab_up_router
lab_add_node bird 1
lab_add_node cut 2
OUT=$LAB_DIR/results.txt
: > "$OUT"

now() { date +%s.%N; }
kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
# CPU seconds (user + system) the process used so far
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"; }

bird_start() {
	cat > "$LAB_DIR/bird.conf" <<EOF
router id 10.255.1.2;
protocol device { scan time 60; }
ipv4 table t4;
protocol bgp inj {
	local 10.255.1.2 as 65001;
	neighbor 10.255.1.1 as 65099;
	passive on;
	hold time 240;
	ipv4 { table t4; import all; export none; };
}
EOF
	lab_bird_start bird "$LAB_DIR/bird.conf"
	DPID=$(lab_bird_pid bird)
}
bird_count() {
	lab_birdc bird show route count table t4 | awk '/routes for/ { print $1; exit }'
}
bird_stop() { lab_bird_stop bird; }

cut_start() {
	cat > "$LAB_DIR/cut.yaml" <<EOF
log-level: warn
control-socket: $LAB_DIR/cut.sock
bgp:
  router-id: 10.255.2.2
  local-as: 65001
  listen-address: 10.255.2.2
  rib:
    kernel: false
    keep-adj-rib-in: false
  filters:
    - name: all
      rules:
        - action: permit
  peers:
    - name: inj
      address: 10.255.2.1
      remote-as: 65099
      passive: true
      hold-time: 240
      import: all
EOF
	ip netns exec "$(lab_ns cut)" "$CUTOVERD" --config "$LAB_DIR/cut.yaml" \
		> "$LAB_DIR/cut.log" 2>&1 &
	DPID=$!
	lab_wait 10 test -S "$LAB_DIR/cut.sock" || { cat "$LAB_DIR/cut.log" >&2; exit 1; }
	lab_wait 10 sh -c "curl -sf --unix-socket '$LAB_DIR/cut.sock' http://cutoverd/v1/bgp/rib >/dev/null"
}
# (as cheap as birdc + awk: one curl, no jq)
cut_count() {
	curl -sf --unix-socket "$LAB_DIR/cut.sock" http://cutoverd/v1/bgp/rib |
		sed -n 's/^{"prefixes_ipv4":\([0-9]*\),.*/\1/p'
}
cut_stop() {
	kill -TERM "$DPID"
	lab_wait 20 lab_not_running "$DPID" || kill -9 "$DPID"
	wait "$DPID" 2>/dev/null || true
}

# run DAEMON DATASET COUNT INJECTOR-ARGS...
run() {
	local d=$1 set=$2 want=$3 addr idx rss0 t0 t1 ti c hwm cs poll
	shift 3
	case $d in bird) idx=1 ;; cut) idx=2 ;; esac
	addr=10.255.$idx.2
	"${d}_start"
	rss0=$(kb "$DPID" VmRSS)
	rm -f "$LAB_DIR/inj.stats"
	ip netns exec "$(lab_ns up)" "$INJ" --connect "$addr" --bind "10.255.$idx.1" \
		--local-as 65099 --peer-as 65001 --hold 240 --stats-file "$LAB_DIR/inj.stats" "$@" \
		> "$LAB_DIR/inj-$d-$set.log" 2>&1 &
	local ipid=$!
	case $d in
	bird) poll=(--bird "$LAB_DIR/bird.ctl" --protocol inj) ;;
	cut) poll=(--cutoverd "$LAB_DIR/cut.sock") ;;
	esac
	t1=$("$POLL" "${poll[@]}" --want "$want" --interval 2 --timeout 300) ||
		{ echo "$d/$set: not all $want routes arrived" >&2;
		cat "$LAB_DIR/inj-$d-$set.log" >&2; exit 1; }
	hwm=$(kb "$DPID" VmHWM)
	cs=$(cpu "$DPID")
	# cross-check the table itself (not timed; a walk of the whole table for BIRD)
	c=$("${d}_count" 2>/dev/null || echo 0)
	[ "${c:-0}" -ge "$want" ] || { echo "$d/$set: counter says $want, table has $c" >&2; exit 1; }
	lab_wait 10 grep -q '^done=' "$LAB_DIR/inj.stats"
	t0=$(awk -F= '$1 == "start" { print $2 }' "$LAB_DIR/inj.stats")
	ti=$(awk -F= '$1 == "done" { print $2 }' "$LAB_DIR/inj.stats")
	kill -TERM "$ipid" 2>/dev/null || true
	wait "$ipid" 2>/dev/null || true
	"${d}_stop"
	echo "$ROUND $set $d $want $(echo "$t1 - $t0" | bc -l) $hwm $rss0 $cs $(echo "$ti - $t0" | bc -l)" >> "$OUT"
}

for ROUND in $(seq 1 "$RUNS"); do
	run bird gen "$N" --generate "$N"
	run cut gen "$N" --generate "$N"
	run bird ris "$RIS_N" --mrt "$RIS"
	run cut ris "$RIS_N" --mrt "$RIS"
done

# every run's ratios go to build/bench-logs/bgp-ingest.dat (one line per dataset and run)
# and, with gnuplot, to build/bench-logs/bgp-ingest.png (docs/img/bgp-ingest.png is one)
LOGS=$top/build/bench-logs
mkdir -p "$LOGS"
awk -v when="$(date +%Y-%m-%dT%H:%M:%S)" '
{ k = $1 SUBSEP $2; n[k] = $4; t[k, $3] = $5; hwm[k, $3] = $6; rss[k, $3] = $7; key[k] = 1 }
END {
	for (k in key) {
		split(k, rs, SUBSEP)
		printf "%s %s %.4f %.4f\n", when, rs[2], t[k, "cut"] / t[k, "bird"],
		    ((hwm[k, "cut"] - rss[k, "cut"]) / n[k]) / ((hwm[k, "bird"] - rss[k, "bird"]) / n[k])
	}
}' "$OUT" >> "$LOGS/bgp-ingest.dat"
if command -v gnuplot >/dev/null; then
	awk '$2 == "gen" { print ++i, $3, $4 }' "$LOGS/bgp-ingest.dat" > "$LAB_DIR/gen.dat"
	awk '$2 == "ris" { print ++i, $3, $4 }' "$LOGS/bgp-ingest.dat" > "$LAB_DIR/ris.dat"
	gnuplot <<GP
set terminal pngcairo size 900,380 font ",10" noenhanced
set output "$LOGS/bgp-ingest.png"
set title "BGP ingest: cutoverd / BIRD 2, measured in the same run (lower is better)"
set xlabel "run"
set ylabel "ratio"
set yrange [0:1.2]
set key top right
set grid ytics
plot 0.5 with lines lw 2 dt 2 lc rgb "black" title "target 0.5", \
     "$LAB_DIR/gen.dat" using 1:2 with linespoints lw 2 title "time, 1M generated", \
     "$LAB_DIR/ris.dat" using 1:2 with linespoints lw 2 title "time, RIS 113k", \
     "$LAB_DIR/gen.dat" using 1:3 with linespoints lw 2 title "memory/route, 1M generated", \
     "$LAB_DIR/ris.dat" using 1:3 with linespoints lw 2 title "memory/route, RIS 113k"
GP
	echo "plot: $LOGS/bgp-ingest.png"
fi

echo "bgp-ingest: $(nproc) CPUs, $(uname -r), $(bird --version 2>&1 | head -1), cutoverd $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
awk '
function median(a, m,    i, j, x) {
	for (i = 2; i <= m; i++)	# insertion sort, m is small
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { x = a[j]; a[j] = a[j - 1]; a[j - 1] = x }
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
{ k = $1 SUBSEP $2; round[k] = $1; set[k] = $2; n[k] = $4; t[k, $3] = $5; hwm[k, $3] = $6
  rss[k, $3] = $7; cpu[k, $3] = $8; inj[k, $3] = $9; if (!(k in seen)) { seen[k] = 1; order[++nk] = k } }
END {
	printf "%-5s %5s %9s | %9s %9s %6s | %7s %7s | %7s %7s | %10s %10s | %8s %8s %6s\n", "set",
	    "round", "routes", "BIRD s", "cutover s", "ratio", "BIRD cpu", "cut cpu", "inj>B s",
	    "inj>c s", "BIRD peak", "cut peak", "BIRD B/r", "cut B/r", "ratio"
	for (i = 1; i <= nk; i++) {
		k = order[i]
		bb = (hwm[k, "bird"] - rss[k, "bird"]) * 1024 / n[k]
		cb = (hwm[k, "cut"] - rss[k, "cut"]) * 1024 / n[k]
		tr = t[k, "cut"] / t[k, "bird"]
		printf "%-5s %5d %9d | %9.3f %9.3f %6.2f | %7.2f %7.2f | %7.3f %7.3f | %8d kB %8d kB | %8.1f %8.1f %6.2f\n",
		    set[k], round[k], n[k], t[k, "bird"], t[k, "cut"], tr, cpu[k, "bird"],
		    cpu[k, "cut"], inj[k, "bird"], inj[k, "cut"], hwm[k, "bird"], hwm[k, "cut"], bb,
		    cb, cb / bb
		m = ++cnt[set[k]]
		tra[set[k], m] = tr
		mra[set[k], m] = cb / bb
	}
	for (s in cnt) {
		if (cnt[s] < 2)
			continue
		for (i = 1; i <= cnt[s]; i++) { a[i] = tra[s, i]; b[i] = mra[s, i] }
		printf "%-5s median of %d rounds: time ratio %.2f, memory per route ratio %.2f\n", s,
		    cnt[s], median(a, cnt[s]), median(b, cnt[s])
	}
}' "$OUT"
