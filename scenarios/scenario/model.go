package scenario

import (
	"fmt"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// Model is one load model: how a scenario offers load (load.model).
// Each model is one file, model_<name>.go (its runner is package
// scenarios' model_<name>.go), and what differs by model in the language
// goes through this interface: no code outside those
// files tests a scenario's model by name. Its name is the results.Model the
// reports read; the metric that decides a run is that name's
// DecidingMetric.
type Model interface {
	// Name is the model's name as load.model and results.json write it.
	Name() results.Model
	// DecidingMetric is the Stats metric that decides which arm did better.
	DecidingMetric() string

	// fields are the keys of the load block the model takes besides model.
	fields() []string
	// validate checks the model's part of p's load block and fills in its
	// defaults; errors name the field, the value and what is valid.
	validate(p *Plan) error
	// shard cuts l, a copy of a validated load block, to one share.
	shard(l *LoadModel, sh share) error
	// describe fills the model's part of a run's conditions: the
	// concurrency, rate or shape of the load over duration.
	describe(p *Plan, c *results.Conditions, duration time.Duration)
	// text is the load in a few words for listings, e.g. "closed 20".
	text(p *Plan) string
	// perRun estimates one arm-repetition's wall time.
	perRun(p *Plan, quick bool) time.Duration
	// PeakConns is the most connections the load can hold open at once and
	// the field that sets it; 0 when no setting bounds it.
	PeakConns(p *Plan, quick bool) (int, string)
	// ResponseTime reports whether the model records response time from
	// the intended send time (an arrival rate), besides service time.
	ResponseTime() bool

	// The rest have defaults in modelBase; a model overrides what differs.

	// timed reports whether the scenario's duration bounds the load.
	timed() bool
	// mixes reports whether the model sends the scenario's request mix.
	mixes() bool
	// sweeps lists the load block's fields a sweep may vary (besides the
	// backend's); ok is false when the model cannot be swept at all.
	sweeps(l LoadModel) (fields []string, ok bool)
	// repetitions is the default number of repetitions.
	repetitions() int
	// maxDuration bounds the duration and warm-up, with its text for errors.
	maxDuration() (time.Duration, string)
	// check validates what needs the whole Plan (its arms resolved,
	// repetitions and thresholds set).
	check(p *Plan) error
	// byReps reports whether the model runs arm by arm, repetition by
	// repetition (every model but soak, which runs phases).
	byReps() bool
	// Ceiling reports whether a run measures the generator's ceiling, the
	// engine's req/s against an in-memory transport.
	Ceiling() bool
}

// Compile-time check that every model implements the interface.
var (
	_ Model = closedModel{}
	_ Model = openModel{}
	_ Model = searchModel{}
	_ Model = stormModel{}
	_ Model = soakModel{}
)

// models are the load models by name.
var models = map[results.Model]Model{
	ModelClosed: closedModel{modelBase(ModelClosed)},
	ModelOpen:   openModel{modelBase(ModelOpen)},
	ModelSearch: searchModel{modelBase(ModelSearch)},
	ModelStorm:  stormModel{modelBase(ModelStorm)},
	ModelSoak:   soakModel{modelBase(ModelSoak)},
}

// modelNamed returns the load model called name.
func modelNamed(name results.Model) (Model, bool) {
	m, ok := models[name]
	return m, ok
}

// Model is p's load model; a Plan is validated, so it has one.
func (p *Plan) Model() Model { return models[p.spec.Load.Model] }

// modelBase gives a model its name and deciding metric, and the defaults of the
// methods most models share.
type modelBase results.Model

// Name is the model's name.
func (b modelBase) Name() results.Model { return results.Model(b) }

// DecidingMetric is the metric that decides a run of the model.
func (b modelBase) DecidingMetric() string { return results.Model(b).DecidingMetric() }

func (modelBase) timed() bool                          { return true }
func (modelBase) mixes() bool                          { return true }
func (modelBase) sweeps(LoadModel) ([]string, bool)    { return nil, true }
func (modelBase) repetitions() int                     { return DefaultRepetitions }
func (modelBase) maxDuration() (time.Duration, string) { return maxDuration, "24h" }
func (modelBase) Ceiling() bool                        { return false }
func (modelBase) byReps() bool                         { return true }

// check refuses the soak's settings in other models.
func (modelBase) check(p *Plan) error {
	if q := p.spec.Quick; q != nil && q.SampleEvery.Duration != 0 {
		return p.FieldErr("quick.sampleEvery", q.SampleEvery.String(), "applies to the soak model only")
	}
	return nil
}

// share is one shard's part of a load: shard i of n.
type share struct {
	i, n     int
	scenario string
}

// count splits total as evenly as whole numbers allow, the first shards
// taking the remainder; an empty share is an error naming field.
func (sh share) count(field string, total int) (int, error) {
	n := total / sh.n
	if sh.i < total%sh.n {
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("scenario %s: %s %d cannot be split into %d shards (shard %d would get none)", sh.scenario, field, total, sh.n, sh.i)
	}
	return n, nil
}

// rate divides a rate by the number of shards.
func (sh share) rate(r float64) float64 { return r / float64(sh.n) }

// workers divides a worker cap, rounding up.
func (sh share) workers(w uint64) uint64 {
	if w == 0 {
		return 0
	}
	return (w + uint64(sh.n) - 1) / uint64(sh.n)
}
