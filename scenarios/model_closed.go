package scenarios

import (
	"context"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/reports/results"
)

// closedRunner runs a closed load: arm by arm, repetition by repetition, each a fixed
// number of workers for the duration.
type closedRunner struct{}

func (r closedRunner) run(ctx context.Context, p *Plan, opt Options) (results.Scenario, error) {
	return runRepeated(ctx, p, r, opt)
}

func (closedRunner) runArm(ctx context.Context, p *Plan, a armRun) (results.Rep, *engine.Recording, error) {
	return attack(ctx, p, a, nil)
}

func (closedRunner) measuredText(duration time.Duration) string {
	return duration.String() + " measured"
}
