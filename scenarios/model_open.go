package scenarios

import (
	"context"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/reports/results"
)

// openRunner runs an open load: arm by arm, repetition by repetition, each an
// arrival rate for the duration.
type openRunner struct{}

func (r openRunner) run(ctx context.Context, p *Plan, opt Options) (results.Scenario, error) {
	return runRepeated(ctx, p, r, opt)
}

func (openRunner) runArm(ctx context.Context, p *Plan, a armRun) (results.Rep, *engine.Recording, error) {
	o := offered(p.Resolved().Load, a.duration)
	return attack(ctx, p, a, &o)
}

func (openRunner) measuredText(duration time.Duration) string { return duration.String() + " measured" }
