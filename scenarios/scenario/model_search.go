package scenario

import (
	"fmt"
	"math"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// searchModel finds, per arm, the highest constant arrival rate that holds
// a latency objective (load.search); the runner is in search.go.
type searchModel struct{ modelBase }

func (searchModel) fields() []string { return []string{"maxWorkers", "search"} }

func (searchModel) validate(p *Plan) error {
	sr := p.spec.Load.Search
	if sr == nil {
		return p.FieldErr("load.search", "", "the search model needs search: {slo, ...}")
	}
	if sr.SLO.Duration <= 0 {
		return p.FieldErr("load.search.slo", sr.SLO.String(), "want the latency objective, a duration > 0 such as 250ms")
	}
	if sr.Percentile == 0 {
		sr.Percentile = 99
	}
	if !(sr.Percentile > 0 && sr.Percentile < 100) {
		return p.FieldErr("load.search.percentile", ftoa(sr.Percentile), "want a percentile between 0 and 100 such as 99")
	}
	if err := p.validateSearchRates(sr); err != nil {
		return err
	}
	if sr.Steps == 0 {
		sr.Steps = 8
	}
	if sr.Steps < 2 || sr.Steps > maxSearchSteps {
		return p.FieldErr("load.search.steps", itoa(sr.Steps), fmt.Sprintf("want 2 to %d probes per arm and repetition", maxSearchSteps))
	}
	return p.validateSearchCriteria(sr)
}

// validateSearchRates checks and defaults the rates a search moves between.
func (p *Plan) validateSearchRates(sr *SearchSpec) error {
	if sr.MinRate == 0 {
		sr.MinRate = 1
	}
	if sr.MaxRate == 0 {
		sr.MaxRate = 20000
	}
	if !(sr.MinRate > 0 && sr.MinRate < sr.MaxRate && sr.MaxRate <= maxRate) {
		return p.FieldErr("load.search.maxRate", ftoa(sr.MaxRate), fmt.Sprintf("want 0 < minRate (%s) < maxRate <= 1e6", ftoa(sr.MinRate)))
	}
	if sr.StartRate == 0 {
		sr.StartRate = math.Min(sr.MaxRate, math.Max(sr.MinRate, 100))
	}
	if sr.StartRate < sr.MinRate || sr.StartRate > sr.MaxRate {
		return p.FieldErr("load.search.startRate", ftoa(sr.StartRate), "want a rate between minRate and maxRate")
	}
	return nil
}

// validateSearchCriteria checks and defaults what a probe must achieve and
// when the bisection stops.
func (p *Plan) validateSearchCriteria(sr *SearchSpec) error {
	for name, v := range map[string]*float64{"achieved": &sr.Achieved, "success": &sr.Success} {
		if *v == 0 {
			*v = 99
		}
		if *v < 0 || *v > 100 {
			return p.FieldErr("load.search."+name, ftoa(*v), "want a percentage from 0 to 100 such as 99")
		}
	}
	if sr.Precision == 0 {
		sr.Precision = 5
	}
	if sr.Precision < 0.1 || sr.Precision > 100 {
		return p.FieldErr("load.search.precision", ftoa(sr.Precision), "want a percentage from 0.1 to 100 such as 5")
	}
	return nil
}

func (searchModel) shard(l *LoadModel, sh share) error {
	l.MaxWorkers = sh.workers(l.MaxWorkers)
	sp := *l.Search
	sp.MinRate, sp.MaxRate, sp.StartRate = sh.rate(sp.MinRate), sh.rate(sp.MaxRate), sh.rate(sp.StartRate)
	l.Search = &sp
	return nil
}

func (searchModel) describe(p *Plan, c *results.Conditions, _ time.Duration) {
	sr := p.spec.Load.Search
	c.Shape = fmt.Sprintf("search for the highest rate with p%s ≤ %s", ftoa(sr.Percentile), sr.SLO)
}

func (searchModel) text(p *Plan) string {
	return fmt.Sprintf("search p%s ≤ %s", ftoa(p.spec.Load.Search.Percentile), p.spec.Load.Search.SLO)
}

func (searchModel) perRun(p *Plan, quick bool) time.Duration {
	duration, warmup, _ := p.Effective(quick)
	return time.Duration(max(1, p.SearchSteps(quick))) * (duration + warmup)
}

func (searchModel) PeakConns(p *Plan, _ bool) (int, string) { return openPeakConns(p) }

func (searchModel) ResponseTime() bool { return true }
