#!/usr/bin/env bash
# Generator capacity, side by side in one run: oranbench's closed model with 50
# workers against `vegeta attack -rate=0 -max-workers=50`, both on the same
# no-latency mock route over plain HTTP on loopback, alternating A B A B so
# machine drift hits both. Also oranbench without httptrace (instrumentation
# cost) and peak RSS of a 10x longer attack. Usage: bench-engine.sh BIN VEGETA
set -euo pipefail
BIN=${1:?oranbench binary}
VEGETA=${2:?vegeta binary}
DUR=${DUR:-5s}
REPS=${REPS:-3}
PORT=${PORT:-18391}
URL="http://127.0.0.1:${PORT}/A1-P/v2/policytypes"
work=$(mktemp -d)
"$BIN" mock --listen "127.0.0.1:${PORT}" --profile fast >"$work/mock.log" 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null; wait $mock 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fsS -o /dev/null "$URL" 2>/dev/null && break; sleep 0.1; done

rate() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d.get("successPerSec", d.get("throughput", 0)),1))'; }
printf '%-4s %-32s %10s\n' rep generator 'req/s'
: >"$work/rates"
for r in $(seq "$REPS"); do
  v=$(echo "GET $URL" | "$VEGETA" attack -rate=0 -max-workers=50 -workers=50 -duration="$DUR" | "$VEGETA" report -type=json | rate)
  o=$("$BIN" attack --url "$URL" --concurrency 50 --duration "$DUR" --profile tuned --json | rate)
  n=$("$BIN" attack --url "$URL" --concurrency 50 --duration "$DUR" --profile tuned --no-trace --json | rate)
  printf '%-4s %-32s %10s\n' "$r" "vegeta -rate=0 -max-workers=50" "$v" "$r" "oranbench closed 50" "$o" "$r" "oranbench closed 50 no-trace" "$n"
  echo "$v $o $n" >>"$work/rates"
done
python3 - "$work/rates" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
v, o, n = (statistics.median(c) for c in zip(*rows))
print(f"median req/s: vegeta {v:.0f}, oranbench {o:.0f} ({o/v:.2f}x vegeta), oranbench without httptrace {n:.0f} (tracing costs {100*(1-o/n):.1f}%)")
# Each repetition runs the three back to back, so per-repetition ratios cancel
# most of the machine's drift between repetitions.
ov = statistics.median(r[1] / r[0] for r in rows)
on = statistics.median(r[1] / r[2] for r in rows)
print(f"median of per-repetition ratios: oranbench/vegeta {ov:.2f}x, tracing costs {100*(1-on):.1f}%")
PY
short=$("$BIN" attack --url "$URL" --concurrency 50 --duration 3s --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["maxRSSBytes"])')
long=$("$BIN" attack --url "$URL" --concurrency 50 --duration 30s --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["maxRSSBytes"])')
python3 -c "s,l=$short,$long; print(f'peak RSS: 3s attack {s/2**20:.1f} MiB, 30s attack {l/2**20:.1f} MiB, ratio {l/s:.2f}x')"
