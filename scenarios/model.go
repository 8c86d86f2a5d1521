package scenarios

import (
	"context"
	"io"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// modelRunner runs a Plan of one load model: the runner's half of the
// model, beside the language's half (the Plan's model).
type modelRunner interface {
	// run runs p: its sweep points, repetitions and arms.
	run(ctx context.Context, p *Plan, opt Options) (results.Scenario, error)
}

// armRunner is a load model that runs arm by arm, repetition by
// repetition, interleaved (every model but soak, which runs phases).
type armRunner interface {
	modelRunner
	// runArm measures one arm-repetition on a fresh transport.
	runArm(ctx context.Context, p *Plan, a armRun) (results.Rep, *engine.Recording, error)
	// measuredText says how long the measurement lasts, for the log.
	measuredText(duration time.Duration) string
}

// Compile-time checks that every runner implements its interfaces.
var (
	_ armRunner   = closedRunner{}
	_ armRunner   = openRunner{}
	_ armRunner   = searchRunner{}
	_ armRunner   = stormRunner{}
	_ modelRunner = soakRunner{}
)

// runners are the load models' runners by name.
var runners = map[results.Model]modelRunner{
	scenario.ModelClosed: closedRunner{},
	scenario.ModelOpen:   openRunner{},
	scenario.ModelSearch: searchRunner{},
	scenario.ModelStorm:  stormRunner{},
	scenario.ModelSoak:   soakRunner{},
}

// runnerFor is the runner of p's load model; a Plan is validated, so it
// has one.
func runnerFor(p *Plan) modelRunner { return runners[p.Model().Name()] }

// armRun is one arm-repetition to measure.
type armRun struct {
	be      *backend
	profile transport.Profile
	// limit is the arm's client-side rate limit (qps, burst).
	limit scenario.Limit
	// name is the run's name ("tuned-r0"); who is the log's prefix
	// ("scenario: arm").
	name, who        string
	duration, warmup time.Duration
	quick            bool
	log              io.Writer
	onResult         ResultFunc
}
