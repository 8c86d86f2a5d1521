// Package scenarios loads scenario files (built-in or user-supplied YAML) and
// runs them: it starts the backend, drives each arm through the attack
// engine in interleaved repetitions and returns the report model.
package scenarios

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// APIVersion and Kind identify a scenario document.
const (
	APIVersion = "oranbench/v1"
	Kind       = "Scenario"
)

// Scenario is one benchmark: a backend, a request mix, a load model and the
// transport arms to compare.
type Scenario struct {
	APIVersion  string     `yaml:"apiVersion"`
	Kind        string     `yaml:"kind"`
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Backend     Backend    `yaml:"backend"`
	Mix         []MixEntry `yaml:"mix"`
	Load        LoadModel  `yaml:"load"`
	// Arms are transport profile names; the first is the baseline of ratios.
	Arms        []string `yaml:"arms"`
	Duration    Duration `yaml:"duration"`
	Warmup      Duration `yaml:"warmup"`
	Repetitions int      `yaml:"repetitions"`
	Seed        int64    `yaml:"seed"`
	// Quick overrides duration, warm-up and repetitions for --quick runs.
	Quick *Quick `yaml:"quick"`

	// File is where the scenario was read from ("builtin:NAME" for built-ins).
	File string `yaml:"-"`
	root *yaml.Node
}

// Backend describes the in-process mock backend the scenario runs against.
type Backend struct {
	TLS bool `yaml:"tls"`
	// Latency is the fixed handler latency of every route.
	Latency Duration `yaml:"latency"`
}

// MixEntry is one route of the request mix with its relative weight.
type MixEntry struct {
	Route  string `yaml:"route"`
	Weight int    `yaml:"weight"`
}

// LoadModel is how load is offered.
type LoadModel struct {
	// Model is "closed" (fixed concurrency) or "open" (arrival rate).
	Model       string  `yaml:"model"`
	Concurrency int     `yaml:"concurrency"`
	Rate        float64 `yaml:"rate"`
	// MaxWorkers caps the open model's workers (vegeta spawns more when behind).
	MaxWorkers uint64 `yaml:"maxWorkers"`
}

// Quick holds the shorter settings used by --quick.
type Quick struct {
	Duration    Duration `yaml:"duration"`
	Warmup      Duration `yaml:"warmup"`
	Repetitions int      `yaml:"repetitions"`
}

// Duration is a time.Duration written as "250ms", "5s" in YAML.
type Duration struct{ time.Duration }

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: %q: want a duration such as 250ms or 5s", n.Line, n.Value)
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q: want a non-negative duration such as 250ms or 5s", n.Line, n.Value)
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// Effective returns the scenario's run settings, shortened when quick.
func (s *Scenario) Effective(quick bool) (duration, warmup time.Duration, reps int) {
	duration, warmup, reps = s.Duration.Duration, s.Warmup.Duration, s.Repetitions
	if quick && s.Quick != nil {
		if s.Quick.Duration.Duration > 0 {
			duration = s.Quick.Duration.Duration
		}
		if s.Quick.Warmup.Duration > 0 {
			warmup = s.Quick.Warmup.Duration
		}
		if s.Quick.Repetitions > 0 {
			reps = s.Quick.Repetitions
		}
	}
	return duration, warmup, reps
}
