package scenario

import (
	"fmt"
	"slices"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// closedModel keeps a fixed number of requests in flight
// (load.concurrency workers, each sending when its last request returned).
type closedModel struct{ modelBase }

func (closedModel) fields() []string { return []string{"concurrency"} }

func (closedModel) validate(p *Plan) error {
	l := &p.spec.Load
	if err := CheckConcurrency(l.Concurrency); err != nil {
		return p.FieldErr("load.concurrency", itoa(l.Concurrency), err.Error())
	}
	return nil
}

func (closedModel) shard(l *LoadModel, sh share) (err error) {
	l.Concurrency, err = sh.count("load.concurrency", l.Concurrency)
	return err
}

func (closedModel) describe(p *Plan, c *results.Conditions, _ time.Duration) {
	c.Concurrency = p.spec.Load.Concurrency
}

func (closedModel) text(p *Plan) string { return fmt.Sprintf("closed %d", p.spec.Load.Concurrency) }

func (closedModel) perRun(p *Plan, quick bool) time.Duration {
	duration, warmup, _ := p.Effective(quick)
	return duration + warmup
}

func (closedModel) PeakConns(p *Plan, quick bool) (int, string) {
	if sw := p.effectiveSweep(quick); sw != nil && len(sw.Concurrency) > 0 {
		path := "sweep.concurrency"
		if quick && p.spec.Quick != nil && p.spec.Quick.Sweep != nil {
			path = "quick.sweep.concurrency"
		}
		return slices.Max(sw.Concurrency), path
	}
	return p.spec.Load.Concurrency, "load.concurrency"
}

func (closedModel) ResponseTime() bool { return false }

func (closedModel) sweeps(LoadModel) ([]string, bool) { return []string{"concurrency"}, true }

// Ceiling is true: a fixed concurrency can outrun the generator itself,
// which the ceiling shows.
func (closedModel) Ceiling() bool { return true }
