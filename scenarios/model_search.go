package scenarios

import (
	"context"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/reports/results"
)

// searchRunner runs a search: per arm-repetition, probes of rising rate until
// the p99 SLO breaks (search.go).
type searchRunner struct{}

func (r searchRunner) run(ctx context.Context, p *Plan, opt Options) (results.Scenario, error) {
	return runRepeated(ctx, p, r, opt)
}

func (searchRunner) runArm(ctx context.Context, p *Plan, a armRun) (results.Rep, *engine.Recording, error) {
	return runSearch(ctx, p, a, p.SearchSteps(a.quick))
}

func (searchRunner) measuredText(duration time.Duration) string {
	return duration.String() + " measured"
}
