package scenarios

import (
	"context"

	"github.com/oranbench/oranbench/reports/results"
)

// soakRunner runs a soak: its phases one after another (soak.go).
type soakRunner struct{}

func (soakRunner) run(ctx context.Context, p *Plan, opt Options) (results.Scenario, error) {
	return runSoak(ctx, p, opt)
}
