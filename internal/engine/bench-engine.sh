#!/usr/bin/env bash
# Generator capacity against the physical limit. The mock serves HTTPS (0 ms
# handler) pinned to one CPU; every generator runs pinned to another, with 50
# concurrent requests and the same transport profile, interleaved within
# each repetition so machine drift hits all alike:
#   bare loop      cmd/bareloop: client.Do + drain, nothing else (1.00)
#   oranbench      `oranbench attack`, closed model, httptrace on
#   no-trace       the same without httptrace (the cost of tracing)
#   open           `oranbench attack`, open model offered far more than it
#                  can send, 50 workers at most: the scheduler's own cost
#   vegeta         the vegeta CLI, -rate 0 -workers 50 -max-workers 50
#   wrk            wrk -c 50 -t 1, where wrk is installed (a C reference; its
#                  transport is not Go's, so it is shown, not a ceiling)
# Each generator's req/s is divided by the bare loop's of the same
# repetition; the table prints the median of those ratios. The order rotates
# from one repetition to the next. It ends with the
# peak RSS of a 10x longer attack.
# Usage: bench-engine.sh BIN VEGETA BARELOOP
# (REPS, DUR, PROFILE, GEN_CPU, MOCK_CPU and PORT override the defaults)
set -euo pipefail
BIN=${1:?oranbench binary}
VEGETA=${2:?vegeta binary}
BARE=${3:?bareloop binary}
DUR=${DUR:-3s}
REPS=${REPS:-5}
PROFILE=${PROFILE:-tuned}
PORT=${PORT:-18391}
ncpu=$(nproc)
GEN_CPU=${GEN_CPU:-0}
MOCK_CPU=${MOCK_CPU:-$(( ncpu > 1 ? 1 : 0 ))}
pin() { if command -v taskset >/dev/null; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi; }
URL="https://127.0.0.1:${PORT}/A1-P/v2/policytypes"
work=$(mktemp -d)
# Not through pin: a backgrounded shell function is a subshell, and $! would
# name it instead of the mock.
mockcmd=("$BIN" mock --tls --listen "127.0.0.1:${PORT}" --ca-out "$work/ca.pem" --preset fast)
command -v taskset >/dev/null && mockcmd=(taskset -c "$MOCK_CPU" "${mockcmd[@]}")
"${mockcmd[@]}" >"$work/mock.log" 2>&1 &
mock=$!
cleanup() { rc=$?; kill "$mock" 2>/dev/null; wait "$mock" 2>/dev/null; rm -rf "$work"; exit "$rc"; }
trap cleanup EXIT INT TERM
for _ in $(seq 100); do [ -s "$work/ca.pem" ] && curl -fsS --cacert "$work/ca.pem" -o /dev/null "$URL" 2>/dev/null && break; sleep 0.1; done
if ! kill -0 "$mock" 2>/dev/null || [ ! -s "$work/ca.pem" ]; then
  echo "bench-engine: the mock did not start:" >&2; cat "$work/mock.log" >&2; exit 2
fi
echo "mock on CPU $MOCK_CPU, generators on CPU $GEN_CPU; TLS, 0 ms handler, 50 concurrent, profile $PROFILE, $DUR x $REPS interleaved repetitions"

json_rate() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d.get("successPerSec", d.get("throughput", 0)),1))'; }
gens=(bare oranbench no-trace open vegeta)
command -v wrk >/dev/null && gens+=(wrk)
run_gen() {
  case $1 in
  bare) pin "$GEN_CPU" "$BARE" --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration "$DUR" --profile "$PROFILE" | json_rate ;;
  oranbench) pin "$GEN_CPU" "$BIN" attack --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration "$DUR" --profile "$PROFILE" --json | json_rate ;;
  no-trace) pin "$GEN_CPU" "$BIN" attack --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration "$DUR" --profile "$PROFILE" --no-trace --json | json_rate ;;
  open) pin "$GEN_CPU" "$BIN" attack --url "$URL" --cacert "$work/ca.pem" --rate 1000000 --max-workers 50 --duration "$DUR" --profile "$PROFILE" --json | json_rate ;;
  vegeta) echo "GET $URL" | pin "$GEN_CPU" "$VEGETA" attack -root-certs "$work/ca.pem" -rate=0 -workers=50 -max-workers=50 -duration="$DUR" | "$VEGETA" report -type=json | json_rate ;;
  wrk) pin "$GEN_CPU" wrk -t1 -c50 -d"$DUR" "$URL" | awk '/Requests\/sec/ {print $2}' ;;
  esac
}
: >"$work/rates"
for r in $(seq "$REPS"); do
  line=""
  # Rotate the order each repetition so no generator always runs first
  # (fresh mock) or last.
  n=${#gens[@]}
  for k in $(seq 0 $((n - 1))); do g=${gens[$(( (k + r) % n ))]}; line+="$g=$(run_gen "$g") "; done
  echo "rep $r: $line"
  echo "$line" >>"$work/rates"
done
python3 - "$work/rates" <<'PY'
import statistics, sys
rows = [dict(kv.split("=") for kv in l.split()) for l in open(sys.argv[1]) if l.strip()]
gens = sorted(rows[0], key=lambda g: ["bare", "oranbench", "no-trace", "open", "vegeta", "wrk"].index(g))
print()
print(f"| generator | median req/s | vs bare loop (median of per-repetition ratios) | range of ratios |")
print(f"|---|---|---|---|")
for g in gens:
    rates = [float(r[g]) for r in rows]
    ratios = [float(r[g]) / float(r["bare"]) for r in rows]
    print(f"| {g} | {statistics.median(rates):,.0f} | {statistics.median(ratios):.2f}x | {min(ratios):.2f}x – {max(ratios):.2f}x |")
trace = [float(r["oranbench"]) / float(r["no-trace"]) for r in rows]
print(f"\ntracing costs {100*(1-statistics.median(trace)):.1f}% (median of per-repetition oranbench/no-trace)")
PY
# Throughput on a shared machine swings by 10% from one run to the next;
# the generator's own CPU time for a fixed number of requests swings far
# less, and it is what tracing adds to. Same rotation, N requests each.
N=${N:-20000}
TIMEFORMAT='%U %S'
cpu_gen() {
  case $1 in
  bare) pin "$GEN_CPU" "$BARE" --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration 120s --max-requests "$N" --profile "$PROFILE" ;;
  oranbench) pin "$GEN_CPU" "$BIN" attack --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration 120s --max-requests "$N" --profile "$PROFILE" --json ;;
  no-trace) pin "$GEN_CPU" "$BIN" attack --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration 120s --max-requests "$N" --profile "$PROFILE" --no-trace --json ;;
  esac
}
: >"$work/cpu"
cgens=(bare oranbench no-trace)
for r in $(seq "$REPS"); do
  line=""
  for k in 0 1 2; do
    g=${cgens[$(( (k + r) % 3 ))]}
    t=$( { time cpu_gen "$g" >/dev/null; } 2>&1 | tail -n 1)
    line+="$g=$(echo "$t" | awk -v n="$N" '{printf "%.2f", ($1+$2)*1e6/n}') "
  done
  echo "$line" >>"$work/cpu"
done
python3 - "$work/cpu" "$N" <<'PY'
import statistics, sys
rows = [dict(kv.split("=") for kv in l.split()) for l in open(sys.argv[1]) if l.strip()]
print(f"\nCPU time of the generator per request ({sys.argv[2]} requests, user+sys, median of {len(rows)} rotated repetitions):")
for g in ["bare", "oranbench", "no-trace"]:
    v = [float(r[g]) for r in rows]
    ratio = [float(r[g]) / float(r["bare"]) for r in rows]
    print(f"  {g:10s} {statistics.median(v):6.1f} µs  ({statistics.median(ratio):.2f}x the bare loop, range {min(ratio):.2f}x – {max(ratio):.2f}x)")
t = [float(r["oranbench"]) / float(r["no-trace"]) - 1 for r in rows]
print(f"tracing adds {100*statistics.median(t):.1f}% CPU per request (median of per-repetition oranbench/no-trace; range {100*min(t):.1f}% – {100*max(t):.1f}%)")
PY
short=$(pin "$GEN_CPU" "$BIN" attack --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration 3s --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["maxRSSBytes"])')
long=$(pin "$GEN_CPU" "$BIN" attack --url "$URL" --cacert "$work/ca.pem" --concurrency 50 --duration 30s --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["maxRSSBytes"])')
python3 -c "s,l=$short,$long; print(f'peak RSS: 3s attack {s/2**20:.1f} MiB, 30s attack {l/2**20:.1f} MiB, ratio {l/s:.2f}x')"
