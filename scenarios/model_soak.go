package scenarios

import (
	"context"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios/scenario"
)

// soakRunner runs a soak: its phases one after another (soak.go).
type soakRunner struct{}

func (soakRunner) run(ctx context.Context, p *scenario.Plan, opt Options) (results.Scenario, error) {
	return runSoak(ctx, p, opt)
}
