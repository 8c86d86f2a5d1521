#!/usr/bin/env bash
# Generator capacity against the physical limit. The mock serves HTTPS (0 ms
# handler, HTTP/1.1 and HTTP/2 by ALPN) pinned to one CPU; every generator
# runs pinned to another, 50 requests in flight, interleaved within each
# repetition so machine drift hits all alike:
#   bare           cmd/bareloop: client.Do + drain, nothing else (1.00)
#   bare-gc        the same with a 2 MiB ballast: its live heap (about 1 MB)
#                  is a third of oranbench's, so without one it collects
#                  garbage twice as often per request; the gap between the
#                  two rows is what a larger live heap saves, not the engine
#   oranbench      `oranbench attack`, closed model, traced
#   no-trace       the same without the tracer (the cost of tracing)
#   open           `oranbench attack`, open model offered far more than it
#                  can send, 50 workers at most: the scheduler's own cost
#   vegeta         the vegeta CLI, -rate 0 -workers 50 -max-workers 50
#   wrk            wrk -c 50 -t 1, where wrk is installed (a C reference; its
#                  transport is not Go's, so it is shown, not a ceiling)
# and over HTTP/2 (one connection, 50 streams), as a ratio to bare-h2:
#   bare-h2        cmd/bareloop on the tuned-h2 profile
#   oranbench-h2   `oranbench attack --profile tuned-h2`, traced
#   h2load         h2load -c 1 -m 50 -t 1, where nghttp2-client is installed
# Each generator's req/s is divided by its bare loop's of the same
# repetition; the tables print the median of those ratios. The order
# rotates from one repetition to the next.
#
# CPU per request is each Go generator's own: getrusage of its process over
# the steady part of its attack (from a tenth of the duration, at most 1 s,
# to its last request), as `attack --json` and bareloop print it under
# "steady". Start-up (binary page-in, client-go's init) and teardown are
# outside it, so the bare loop's small binary gains nothing.
#
# A busy machine hides what is measured. The script prints /proc/loadavg
# before, during (each repetition) and after, and warns when the machine
# was busy: a 1-minute load average above 1 before the run, or above 3
# after it (the benchmark itself keeps about 2 CPUs busy: generator and
# mock). It ends with the targets: traced closed model >= 0.95x the bare
# loop, open model >= 0.9x, tracing <= 3% CPU per request.
#
# Usage: bench-engine.sh BIN VEGETA BARELOOP
# (REPS, DUR, PROFILE, GEN_CPU, MOCK_CPU, PORT and RSS_LONG override the
# defaults: 5 repetitions of 3 s, about 3.5 minutes in all)
set -euo pipefail
BIN=${1:?oranbench binary}
VEGETA=${2:?vegeta binary}
BARE=${3:?bareloop binary}
DUR=${DUR:-3s}
REPS=${REPS:-5}
PROFILE=${PROFILE:-tuned}
PORT=${PORT:-18391}
RSS_LONG=${RSS_LONG:-30s}
ncpu=$(nproc)
GEN_CPU=${GEN_CPU:-0}
MOCK_CPU=${MOCK_CPU:-$(( ncpu > 1 ? 1 : 0 ))}
pin() { if command -v taskset >/dev/null; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi; }
load1() { cut -d' ' -f1 /proc/loadavg; }
load_before=$(load1)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; $ncpu CPUs)"
URL="https://127.0.0.1:${PORT}/A1-P/v2/policytypes"
work=$(mktemp -d)
# Not through pin: a backgrounded shell function is a subshell, and $! would
# name it instead of the mock.
mockcmd=("$BIN" mock --tls --http2 --listen "127.0.0.1:${PORT}" --ca-out "$work/ca.pem" --preset fast)
command -v taskset >/dev/null && mockcmd=(taskset -c "$MOCK_CPU" "${mockcmd[@]}")
"${mockcmd[@]}" >"$work/mock.log" 2>&1 &
mock=$!
cleanup() { rc=$?; kill "$mock" 2>/dev/null; wait "$mock" 2>/dev/null; rm -rf "$work"; exit "$rc"; }
trap cleanup EXIT INT TERM
for _ in $(seq 100); do [ -s "$work/ca.pem" ] && curl -fsS --cacert "$work/ca.pem" -o /dev/null "$URL" 2>/dev/null && break; sleep 0.1; done
if ! kill -0 "$mock" 2>/dev/null || [ ! -s "$work/ca.pem" ]; then
  echo "bench-engine: the mock did not start:" >&2; cat "$work/mock.log" >&2; exit 2
fi
echo "mock on CPU $MOCK_CPU, generators on CPU $GEN_CPU; TLS, 0 ms handler, 50 in flight, profile $PROFILE (HTTP/2: tuned-h2), $DUR x $REPS interleaved repetitions"

# Each generator prints "REQ_PER_S CPU_US_PER_REQUEST" (- where it cannot say).
go_json() { python3 -c 'import json,sys; d=json.load(sys.stdin); s=d.get("steady") or {}; print(round(d["successPerSec"],1), s.get("cpuPerRequestMicros","-"))'; }
gens=(bare bare-gc oranbench no-trace open vegeta)
if command -v wrk >/dev/null; then gens+=(wrk); else echo "note: wrk not installed, its row is skipped (apt-get install wrk)"; fi
gens+=(bare-h2 oranbench-h2)
if command -v h2load >/dev/null; then gens+=(h2load); else echo "note: h2load not installed, its row is skipped (apt-get install nghttp2-client)"; fi
attack=("$BIN" attack --url "$URL" --cacert "$work/ca.pem" --duration "$DUR" --json)
run_gen() {
  case $1 in
  bare) pin "$GEN_CPU" "$BARE" --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration "$DUR" --profile "$PROFILE" | go_json ;;
  bare-gc) pin "$GEN_CPU" "$BARE" --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration "$DUR" --profile "$PROFILE" --ballast-mib 2 | go_json ;;
  oranbench) pin "$GEN_CPU" "${attack[@]}" --concurrency 50 --profile "$PROFILE" | go_json ;;
  no-trace) pin "$GEN_CPU" "${attack[@]}" --concurrency 50 --profile "$PROFILE" --no-trace | go_json ;;
  open) pin "$GEN_CPU" "${attack[@]}" --rate 1000000 --max-workers 50 --profile "$PROFILE" | go_json ;;
  vegeta) echo "GET $URL" | pin "$GEN_CPU" "$VEGETA" attack -root-certs "$work/ca.pem" -rate=0 -workers=50 -max-workers=50 -duration="$DUR" | "$VEGETA" report -type=json |
    python3 -c 'import json,sys; print(round(json.load(sys.stdin)["throughput"],1), "-")' ;;
  wrk) pin "$GEN_CPU" wrk -t1 -c50 -d"$DUR" "$URL" | awk '/Requests\/sec/ {print $2, "-"}' ;;
  bare-h2) pin "$GEN_CPU" "$BARE" --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration "$DUR" --profile tuned-h2 | go_json ;;
  oranbench-h2) pin "$GEN_CPU" "${attack[@]}" --concurrency 50 --profile tuned-h2 | go_json ;;
  h2load) pin "$GEN_CPU" h2load -c 1 -m 50 -t 1 -D "$DUR" "$URL" | awk '/^finished in/ {print $4, "-"}' ;;
  esac
}
: >"$work/rates"
for r in $(seq "$REPS"); do
  line="load=$(load1) "
  # Rotate the order each repetition so no generator always runs first
  # (fresh mock) or last.
  n=${#gens[@]}
  for k in $(seq 0 $((n - 1))); do
    g=${gens[$(( (k + r) % n ))]}
    out=$(run_gen "$g")
    line+="$g=${out// //} "
  done
  echo "rep $r: $line"
  echo "$line" >>"$work/rates"
done
python3 - "$work/rates" "$PROFILE" <<'PY'
import statistics, sys
rows = []
for l in open(sys.argv[1]):
    if l.strip():
        kv = dict(x.split("=") for x in l.split())
        rows.append({g: v.split("/") for g, v in kv.items() if g != "load"})
med = statistics.median
def rate(r, g): return float(r[g][0])
def cpu(r, g): return None if r[g][1] == "-" else float(r[g][1])
def table(title, gens, base):
    print(f"\n{title}\n")
    print("| generator | median req/s | vs %s (median of per-repetition ratios) | range of ratios | CPU per request (steady window, median) | CPU vs %s |" % (base, base))
    print("|---|---|---|---|---|---|")
    for g in gens:
        if g not in rows[0]:
            continue
        ratios = [rate(r, g) / rate(r, base) for r in rows]
        c = [cpu(r, g) for r in rows]
        cs, cr = "–", "–"
        if None not in c:
            cs = f"{med(c):.2f} µs"
            cr = f"{med([cpu(r, g) / cpu(r, base) for r in rows]):.2f}x"
        print(f"| {g} | {med([rate(r, g) for r in rows]):,.0f} | {med(ratios):.2f}x | {min(ratios):.2f}x – {max(ratios):.2f}x | {cs} | {cr} |")
table(f"HTTP/1.1 (profile {sys.argv[2]})", ["bare", "bare-gc", "oranbench", "no-trace", "open", "vegeta", "wrk"], "bare")
table("HTTP/2 (profile tuned-h2; h2load: 1 connection, 50 streams)", ["bare-h2", "oranbench-h2", "h2load"], "bare-h2")
closed = med([rate(r, "oranbench") / rate(r, "bare") for r in rows])
opn = med([rate(r, "open") / rate(r, "bare") for r in rows])
tput = med([rate(r, "oranbench") / rate(r, "no-trace") for r in rows])
tcpu = [cpu(r, "oranbench") / cpu(r, "no-trace") - 1 for r in rows]
print(f"\ntracing costs {100*(1-tput):.1f}% of throughput (median of per-repetition oranbench/no-trace) "
      f"and {100*med(tcpu):+.1f}% CPU per request (steady window, median; range {100*min(tcpu):+.1f}% – {100*max(tcpu):+.1f}%)")
ok = lambda b: "met" if b else "NOT met"
print(f"target: traced closed model >= 0.95x the bare loop: {closed:.2f}x, {ok(closed >= 0.95)}")
print(f"target: open model >= 0.90x the bare loop: {opn:.2f}x, {ok(opn >= 0.90)}")
print(f"target: tracing <= 3% CPU per request: {100*med(tcpu):+.1f}%, {ok(med(tcpu) <= 0.03)}")
gc = med([rate(r, "oranbench") / rate(r, "bare-gc") for r in rows])
print(f"for reference: traced closed model vs bare-gc (the bare loop collecting garbage as often): {gc:.2f}x")
PY
short=$(pin "$GEN_CPU" "$BIN" attack --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration "$DUR" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["maxRSSBytes"])')
long=$(pin "$GEN_CPU" "$BIN" attack --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration "$RSS_LONG" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["maxRSSBytes"])')
python3 -c "s,l=$short,$long; print(f'peak RSS: $DUR attack {s/2**20:.1f} MiB, $RSS_LONG attack {l/2**20:.1f} MiB, ratio {l/s:.2f}x')"
load_after=$(load1)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$load_before" "$load_after" <<'PY'
import sys
before, after = map(float, sys.argv[1:])
if before > 1 or after > 3:
    print(f"WARNING: the machine was busy (1-minute load average {before} before, {after} after; "
          "quiet means <= 1 before and <= 3 after, of which about 2 are this benchmark's): "
          "other processes took CPU from the generator or the mock, so the ratios above are noisy")
PY
