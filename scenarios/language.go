package scenarios

import (
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// The language's names, so that a program that runs scenarios needs this
// one import: a scenario is written, parsed and validated by package
// scenario, and run by this one.

// A Spec is a scenario document as written (scenario.Spec).
type Spec = scenario.Spec

// A Plan is a validated Spec, ready to run (scenario.Plan).
type Plan = scenario.Plan

// The parts of a Spec (see package scenario).
type (
	Backend   = scenario.Backend
	MixEntry  = scenario.MixEntry
	LoadModel = scenario.LoadModel
	ArmSpec   = scenario.ArmSpec
	Duration  = scenario.Duration
)

// APIVersion and Kind identify a scenario document.
const (
	APIVersion = scenario.APIVersion
	Kind       = scenario.Kind
)

// Load models, as load.model names them.
const (
	ModelClosed = scenario.ModelClosed
	ModelOpen   = scenario.ModelOpen
	ModelSearch = scenario.ModelSearch
	ModelStorm  = scenario.ModelStorm
	ModelSoak   = scenario.ModelSoak
)

// ErrUnknown is what Load wraps for a name that is neither a built-in nor
// a file.
var ErrUnknown = scenario.ErrUnknown

// Parse decodes and validates a scenario document read from file (see
// scenario.Parse).
func Parse(file string, data []byte, reg *transport.Registry) (*Plan, error) {
	return scenario.Parse(file, data, reg)
}

// NewPlan validates a Spec written in Go as Parse validates a document
// (see scenario.NewPlan).
func NewPlan(spec Spec, reg *transport.Registry) (*Plan, error) {
	return scenario.NewPlan(spec, reg)
}

// Load reads a built-in scenario by name or a scenario file by path (see
// scenario.Load).
func Load(nameOrPath string, reg *transport.Registry) (*Plan, error) {
	return scenario.Load(nameOrPath, reg)
}

// Builtins parses every built-in scenario, in name order (see
// scenario.Builtins).
func Builtins() ([]*Plan, error) { return scenario.Builtins() }

// BuiltinNames lists the built-in scenarios' names (see
// scenario.BuiltinNames).
func BuiltinNames() []string { return scenario.BuiltinNames() }
