package scenarios

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios/scenario"
)

// runSearch finds the highest constant rate the arm sustains: it doubles
// (or halves) from the start rate until a probe passes and one fails, then
// bisects, geometrically, until the bracket is within the search's precision
// or the step budget is spent. Every probe is a fresh transport with its own
// warm-up. The repetition's summary is that of the highest passing probe
// (or of the last probe when none passed).
func runSearch(ctx context.Context, p *Plan, a armRun, steps int) (results.Rep, *engine.Recording, error) {
	sp, duration := p.Resolved().Load.Search, a.duration
	sr := &results.SearchRun{SLO: sp.SLO.Duration, Percentile: sp.Percentile, AchievedPct: sp.Achieved, SuccessPct: sp.Success}
	lo, hi := 0.0, math.Inf(1)
	rate := sp.StartRate
	var best, last results.Rep
	var bestRec, lastRec *engine.Recording
	for step := 0; step < steps; step++ {
		if ctx.Err() != nil {
			break
		}
		o := constantOffer(rate)
		probe := a
		probe.name = fmt.Sprintf("%s-s%d", a.name, step)
		r, rec, err := attack(ctx, p, probe, &o)
		if err != nil {
			return results.Rep{}, nil, err
		}
		if r.Interrupted {
			last, lastRec = r, rec
			break
		}
		pr := judge(sp, rate, rec, duration)
		sr.Probes = append(sr.Probes, pr)
		fmt.Fprintf(a.log, "%s: probe %d: %s req/s: %s\n", a.who, step+1, ftoa(math.Round(rate)), probeText(pr))
		last, lastRec = r, rec
		if pr.Pass {
			lo, best, bestRec = rate, r, rec
			if math.IsInf(hi, 1) {
				if rate >= sp.MaxRate {
					sr.Capped = true
					break
				}
				rate = math.Min(rate*2, sp.MaxRate)
				continue
			}
		} else {
			hi = rate
			if lo == 0 {
				if rate <= sp.MinRate {
					sr.Floor = true
					break
				}
				rate = math.Max(rate/2, sp.MinRate)
				continue
			}
		}
		if hi/lo <= 1+sp.Precision/100 {
			break
		}
		rate = math.Sqrt(lo * hi)
	}
	sr.MaxRate = lo
	out, rec := best, bestRec
	if bestRec == nil {
		out, rec = last, lastRec
	}
	out.Search = sr
	return out, rec, nil
}

// judge decides whether a probe at rate, sent for duration, passed. The
// achieved rate counts successful responses over the sending window: slow
// responses are the latency criterion's business, failed or missing ones
// this one's.
func judge(sp *scenario.SearchSpec, rate float64, rec *engine.Recording, duration time.Duration) results.Probe {
	pr := results.Probe{Rate: rate, AchievedRate: float64(rec.Successes) / duration.Seconds(), SuccessPct: 100 * rec.SuccessRatio(), Latency: engine.Quantile(rec.Response, sp.Percentile)}
	switch {
	case rec.Hits == 0:
		pr.Reason = "no request completed"
	case pr.Latency > sp.SLO.Duration:
		pr.Reason = fmt.Sprintf("p%s %s > %s", ftoa(sp.Percentile), results.Dur(pr.Latency), results.Dur(sp.SLO.Duration))
	case pr.AchievedRate < rate*sp.Achieved/100:
		pr.Reason = fmt.Sprintf("served %.0f req/s < %s of %.0f", pr.AchievedRate, results.Pct(sp.Achieved), rate)
	case pr.SuccessPct < sp.Success:
		pr.Reason = fmt.Sprintf("success %s < %s", results.Pct(pr.SuccessPct), results.Pct(sp.Success))
	default:
		pr.Pass = true
	}
	return pr
}

func probeText(pr results.Probe) string {
	if pr.Pass {
		return fmt.Sprintf("pass (served %.0f req/s, latency %s)", pr.AchievedRate, results.Dur(pr.Latency))
	}
	return "fail: " + pr.Reason
}
