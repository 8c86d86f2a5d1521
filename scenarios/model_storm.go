package scenarios

import (
	"context"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/reports/results"
)

// stormRunner runs a storm: per arm-repetition, intent files through the watcher
// into Porch until they are processed (storm.go).
type stormRunner struct{}

func (r stormRunner) run(ctx context.Context, p *Plan, opt Options) (results.Scenario, error) {
	return runRepeated(ctx, p, r, opt)
}

func (stormRunner) runArm(ctx context.Context, p *Plan, a armRun) (results.Rep, *engine.Recording, error) {
	return runStorm(ctx, p, a.be, a.profile, a.name, a.warmup > 0, a.quick)
}

func (stormRunner) measuredText(time.Duration) string { return "measured until the storm is processed" }
