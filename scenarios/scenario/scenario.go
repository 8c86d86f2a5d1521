// Package scenario is the scenario language: a document (Spec), how it is
// read (Parse, Load, the built-ins), checked and completed (Plan), cut into
// shards, and described (conditions, listing text). It holds one scenario's
// description, hence the singular noun; package scenarios runs them.
//
// The data flow, one file per step:
//
//	YAML ──Parse──▶ Spec ──validate──▶ Plan
//	       load.go   scenario.go  plan.go, validate.go, arms.go
//
// A Spec (scenario.go) is the document as written, plain data; a Spec built
// in Go goes through NewPlan, with the same validation. A Plan (plan.go) is
// immutable: defaults filled, arms resolved to transport profiles,
// thresholds parsed, sweep points expanded. Nothing here does I/O but
// reading the scenario file it is given (Load, Parse's callers); the
// built-in scenarios (builtin/*.yaml) are embedded.
//
// Each load model (closed, open, search, storm, soak) implements Model
// (model.go) in a file of its own, model_<name>.go: the load fields it
// takes, their validation and defaults, its share of a shard, its
// conditions and listing text, and the metric that decides a run
// (results.Model.DecidingMetric). How a model runs is package scenarios'
// business, in its own model_<name>.go.
//
// The package imports mockbackend, targets/transport and targets/watcher for
// their configuration types, names and bounds (a scenario's backend: block
// is a mockbackend.Config section, its arms are transport profiles), never
// to start a server, a transport or a watcher.
package scenario

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/results"
)

// APIVersion and Kind identify a scenario document.
const (
	APIVersion = "oranbench/v1"
	Kind       = "Scenario"
)

// DefaultRepetitions is how often each arm runs when a scenario does not
// say; fewer than analysis.WeakBelowReps make the report call its verdict
// weak.
const DefaultRepetitions = 5

// DefaultWarmup is the warm-up before each arm-repetition when a scenario
// file leaves warmup out: what most built-ins write, enough for a pool to
// open its connections before the measured window.
const DefaultWarmup = 500 * time.Millisecond

// Values of the fixtures key.
const (
	FixturesCreate = "create" // create the mix's objects before the load (labelled, deleted after)
	FixturesNone   = "none"   // create nothing: the objects must exist
)

// TLSOn reports whether the mock serves TLS: tls as written, on when unset.
func (b Backend) TLSOn() bool { return b.TLS == nil || *b.TLS }

// Load models, as load.model names them (see results.Model).
const (
	ModelClosed = results.ModelClosed // fixed concurrency
	ModelOpen   = results.ModelOpen   // arrival rate
	ModelSearch = results.ModelSearch // highest sustainable arrival rate per arm
	ModelStorm  = results.ModelStorm  // intent files through the watcher into Porch
	ModelSoak   = results.ModelSoak   // a steady open load held while resources are sampled
)

// Isolation of the backend from the generator (backend.isolation).
const (
	IsolationAuto      = "auto"       // process where supported, else in-process
	IsolationProcess   = "process"    // a child process on CPUs of its own
	IsolationInProcess = "in-process" // sharing the generator's process and CPUs
)

// Open-model shapes.
const (
	ShapeConstant = "constant"
	ShapeRamp     = "ramp"
	ShapeSine     = "sine"
	ShapeBurst    = "burst"
)

// Spec is a scenario document as written: one benchmark's backend, request
// mix, load model, transport arms and thresholds. It is plain data, decoded
// from YAML by Parse or written in Go and given to NewPlan; neither changes
// it. A Spec runs only as a Plan, which fills its defaults and resolves what
// it names.
type Spec struct {
	APIVersion  string     `yaml:"apiVersion"`
	Kind        string     `yaml:"kind"`
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Backend     Backend    `yaml:"backend"`
	Mix         []MixEntry `yaml:"mix"`
	Load        LoadModel  `yaml:"load"`
	// Sweep, when set, runs the scenario once per combination of its values.
	Sweep *Sweep `yaml:"sweep"`
	// ArmSpecs are the arms as written: a profile name, or an inline profile
	// built from a base profile with overridden Config fields.
	ArmSpecs []ArmSpec `yaml:"arms"`
	// Baseline names the arm every ratio divides by; unset, the arm named
	// "default" when there is one, else the first. The baseline runs first
	// in each round and heads every table.
	Baseline string `yaml:"baseline"`
	// Fixtures says whether the run creates the objects the mix reads
	// before the load (FixturesCreate) or not (FixturesNone). Unset: create
	// on the mock, none against an external backend, where everything
	// created carries the run's label and is deleted at the end.
	Fixtures string   `yaml:"fixtures"`
	Duration Duration `yaml:"duration"`
	// Warmup runs before each arm-repetition, not counted; a scenario file
	// that leaves it out gets DefaultWarmup (write warmup: 0s for none).
	Warmup      Duration        `yaml:"warmup"`
	Repetitions int             `yaml:"repetitions"`
	Seed        int64           `yaml:"seed"`
	Thresholds  []ThresholdSpec `yaml:"thresholds"`
	// Quick overrides duration, warm-up, repetitions and the size of sweeps,
	// searches and storms for --quick runs.
	Quick *Quick `yaml:"quick"`
	// Claims names the arms the seed-claims table compares, e.g.
	// {baseline: default, candidate: mine}; unset, the arms built from the
	// default and tuned profiles.
	Claims *ClaimsSpec `yaml:"claims"`
	// Headers are added to every request of every arm and of the set-up
	// (an API key or token for an A1, RAG or LLM backend). A value may name
	// environment variables as ${NAME}, expanded when the plan is made, so
	// a token need not be written in the file; the report shows the names
	// of the headers, never their values.
	Headers map[string]string `yaml:"headers"`
}

// Backend is what the load goes to: the in-process mock (per-route latency,
// faults and capacity, TLS, HTTP/2, emulated RTT and bandwidth) or an
// external server at URL.
type Backend struct {
	// Preset starts from a named mock behaviour preset (fast, realistic,
	// flaky); the fields below override it.
	Preset string `yaml:"preset"`
	// TLS serves the mock over TLS; unset (nil) means on, as in every
	// built-in scenario (tls: false for plain HTTP). See TLSOn.
	TLS        *bool  `yaml:"tls"`
	TLSVersion string `yaml:"tlsVersion"`
	HTTP2      bool   `yaml:"http2"`
	// H2MaxStreams is the mock's limit of concurrent HTTP/2 streams per
	// connection (0: the mock's default, 100, as a Kubernetes API server).
	H2MaxStreams int `yaml:"h2MaxStreams"`
	// Latency is every route's service time: a duration (fixed) or a
	// distribution.
	Latency LatencySpec `yaml:"latency"`
	// Faults and Capacity apply to every route unless Routes says otherwise;
	// they are the mock's own settings, spelled as in its config file.
	Faults   *mockbackend.Faults   `yaml:"faults"`
	Capacity *mockbackend.Capacity `yaml:"capacity"`
	// Routes overrides behaviour by mock route ("a1.policy.put") or group
	// ("a1", "e2", "porch", "rag", "llm").
	Routes         map[string]RouteBehavior `yaml:"routes"`
	RTT            Duration                 `yaml:"rtt"`
	Jitter         Duration                 `yaml:"jitter"`
	Bandwidth      mockbackend.ByteRate     `yaml:"bandwidth"`
	ConnSetupDelay Duration                 `yaml:"connSetupDelay"`
	NetFaults      *mockbackend.NetFaults   `yaml:"netFaults"`
	EnforceDelay   Duration                 `yaml:"enforceDelay"`
	TokenDelay     Duration                 `yaml:"tokenDelay"`
	LLMTokens      int                      `yaml:"llmTokens"`
	MaxObjects     int                      `yaml:"maxObjects"`
	// MaxStoreBytes and MaxWatches bound the mock's stores and its open
	// watches (0: the mock's defaults).
	MaxStoreBytes int64 `yaml:"maxStoreBytes"`
	MaxWatches    int   `yaml:"maxWatches"`
	// MaxRequestsInflight and MaxMutatingRequestsInflight are the mock's
	// API-server flow control, kube-apiserver's --max-requests-inflight and
	// --max-mutating-requests-inflight (400 and 200 there): beyond them a
	// request is answered 429 with Retry-After. 0: unlimited.
	MaxRequestsInflight         int `yaml:"maxRequestsInflight"`
	MaxMutatingRequestsInflight int `yaml:"maxMutatingRequestsInflight"`

	// URL (YAML "target") sends the load to an external server instead of
	// the mock; it must be loopback unless Options.AllowRemote is set.
	URL string `yaml:"target"`
	// CACert is a PEM file the client trusts for an https URL (the system
	// roots otherwise). Certificate checks are never skipped.
	CACert string `yaml:"caCert"`
	// Kubeconfig sends the load to the API server of a kubeconfig file, read
	// as kubectl reads it (k8s.io/client-go/tools/clientcmd): its server URL
	// is the target (loopback unless Options.AllowRemote is set), its CA is
	// trusted, and its credentials (bearer token or token file, client
	// certificate, exec plugin, basic auth, impersonation) go with every
	// request of every arm and of the set-up. It excludes target and caCert.
	Kubeconfig string `yaml:"kubeconfig"`
	// Context names the kubeconfig's context to use (default: its
	// current-context).
	Context string `yaml:"context"`

	// Isolation is where the mock runs: "process" (a child process, the
	// CPUs split between it and the generator), "in-process" (sharing the
	// generator's process and CPUs) or "auto" (the default: process where
	// supported, on Linux with 2 CPUs or more, else in-process).
	Isolation string `yaml:"isolation"`
	// CPUs overrides the split of process isolation; by default the
	// backend gets the last CPU and the generator the others.
	CPUs *CPUSplit `yaml:"cpus"`
}

// External reports whether the load goes to a server the run does not
// start: backend.target or backend.kubeconfig.
func (b Backend) External() bool { return b.URL != "" || b.Kubeconfig != "" }

// CPUSplit names the CPUs ("0", "1-3", "0,2") of the generator and of a
// process-isolated backend.
type CPUSplit struct {
	Generator string `yaml:"generator"`
	Backend   string `yaml:"backend"`
}

// RouteBehavior is the behaviour of one mock route or group.
type RouteBehavior struct {
	Latency  LatencySpec           `yaml:"latency"`
	Faults   *mockbackend.Faults   `yaml:"faults"`
	Capacity *mockbackend.Capacity `yaml:"capacity"`
}

// LatencySpec is a service-time model: written as a duration ("10ms",
// fixed) or as a distribution {kind, value, min, max, mean, stddev, p50,
// p99, cap}.
type LatencySpec struct {
	Kind   string   `yaml:"kind"`
	Value  Duration `yaml:"value"`
	Min    Duration `yaml:"min"`
	Max    Duration `yaml:"max"`
	Mean   Duration `yaml:"mean"`
	StdDev Duration `yaml:"stddev"`
	P50    Duration `yaml:"p50"`
	P99    Duration `yaml:"p99"`
	Cap    Duration `yaml:"cap"`
	// scalar is set when the YAML gave a plain duration.
	scalar bool
}

type latencyLong LatencySpec

// UnmarshalYAML accepts a duration or a distribution mapping.
func (l *LatencySpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		var long latencyLong
		if err := n.Decode(&long); err != nil {
			return err
		}
		*l = LatencySpec(long)
		return nil
	}
	var d Duration
	if err := d.UnmarshalYAML(n); err != nil {
		return err
	}
	*l = LatencySpec{Kind: mockbackend.DistFixed, Value: d, scalar: true}
	return nil
}

func (l *LatencySpec) longForm() any { return &latencyLong{} }

// IsSet reports whether a latency was given.
func (l LatencySpec) IsSet() bool { return l.Kind != "" }

// Fixed returns the fixed latency and true when the model is a fixed value.
func (l LatencySpec) Fixed() (time.Duration, bool) {
	if l.Kind == mockbackend.DistFixed {
		return l.Value.Duration, true
	}
	return 0, false
}

// MixEntry is one element of the request mix with its relative weight:
// a catalog route, a multi-step flow, or a custom request.
type MixEntry struct {
	Route   string       `yaml:"route"`
	Flow    string       `yaml:"flow"`
	Request *RequestSpec `yaml:"request"`
	Weight  int          `yaml:"weight"`
	// Body replaces the route's body; a template (see RequestSpec).
	Body string `yaml:"body"`
}

// RequestSpec is a custom request. Path and Body are templates in which
// {{n}} is the request number, {{run}} the run's unique prefix and {{id}}
// both joined ("run-n"), unique across runs.
type RequestSpec struct {
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Body    string            `yaml:"body"`
	Headers map[string]string `yaml:"headers"`
}

// LoadModel is how load is offered.
type LoadModel struct {
	// Model is closed, open, search, storm or soak.
	Model       results.Model `yaml:"model"`
	Concurrency int           `yaml:"concurrency"`
	Rate        float64       `yaml:"rate"`
	// MaxWorkers caps the open model's workers (vegeta spawns more when behind).
	MaxWorkers uint64 `yaml:"maxWorkers"`
	// Shape of the open model's rate: constant (Rate), ramp, sine or burst.
	Shape  string      `yaml:"shape"`
	Ramp   *RampSpec   `yaml:"ramp"`
	Sine   *SineSpec   `yaml:"sine"`
	Burst  *BurstSpec  `yaml:"burst"`
	Search *SearchSpec `yaml:"search"`
	Storm  *StormSpec  `yaml:"storm"`
	// Soak configures the soak model (Rate is then each arm's request
	// rate).
	Soak *SoakSpec `yaml:"soak"`
}

// RampSpec raises the rate linearly from From to To over the duration.
type RampSpec struct {
	From float64 `yaml:"from"`
	To   float64 `yaml:"to"`
}

// SineSpec varies the rate as Mean ± Amplitude over Period.
type SineSpec struct {
	Mean      float64  `yaml:"mean"`
	Amplitude float64  `yaml:"amplitude"`
	Period    Duration `yaml:"period"`
}

// BurstSpec sends Size requests at once every Every: the arrival shape of
// fan-out and status polling, where pooling pays.
type BurstSpec struct {
	Size  int      `yaml:"size"`
	Every Duration `yaml:"every"`
}

// SearchSpec finds, per arm, the highest constant rate at which the
// Percentile of response time (from the intended send time) stays within
// SLO, the achieved rate is at least Achieved of the asked one and at least
// Success of the requests succeed. Each probe runs for the scenario's
// duration; at most Steps probes run per arm and repetition.
type SearchSpec struct {
	SLO        Duration `yaml:"slo"`
	Percentile float64  `yaml:"percentile"`
	MinRate    float64  `yaml:"minRate"`
	MaxRate    float64  `yaml:"maxRate"`
	StartRate  float64  `yaml:"startRate"`
	Steps      int      `yaml:"steps"`
	// Achieved and Success are percentages (99 means 99%).
	Achieved float64 `yaml:"achieved"`
	Success  float64 `yaml:"success"`
	// Precision stops the bisection when the bracket is narrower than this
	// many percent of its lower end.
	Precision float64 `yaml:"precision"`
}

// StormSpec writes Intents intent files into a watched directory; the
// watcher submits each to the mock's Porch API through the arm's client.
type StormSpec struct {
	Intents       int      `yaml:"intents"`
	IntentsPerSec float64  `yaml:"intentsPerSec"`
	Workers       int      `yaml:"workers"`
	Debounce      Duration `yaml:"debounce"`
	StableFor     Duration `yaml:"stableFor"`
	Timeout       Duration `yaml:"timeout"`
}

// SoakSpec holds a steady open load (the LoadModel's Rate, constant) on
// each arm in turn, then streams intent files through the watcher at
// IntentsPerSec, for the scenario's duration split evenly between these
// phases, and samples the process's RSS, Go heap, goroutines, open file
// descriptors and TIME_WAIT sockets every SampleEvery. Each series gets a
// Theil–Sen slope after the warm-up (the scenario's warmup, per phase).
type SoakSpec struct {
	// SampleEvery is the sampling interval (default 1s).
	SampleEvery Duration `yaml:"sampleEvery"`
	// IntentsPerSec is the watcher phase's stream of intent files (default
	// 10); Workers the watcher's workers (0: its default). Watcher: false
	// leaves the watcher phase out.
	IntentsPerSec float64 `yaml:"intentsPerSec"`
	Workers       int     `yaml:"workers"`
	Watcher       *bool   `yaml:"watcher"`
	// WatcherArm names the arm whose transport the watcher's Porch client
	// uses (default: the last arm).
	WatcherArm string `yaml:"watcherArm"`
	// RequestTimeout bounds each request (default 2s): it replaces an
	// arm's client timeout when that is longer or unset, so a hang the
	// mock injects ends within the phase. The watcher's submission gets
	// its attempts times this.
	RequestTimeout Duration `yaml:"requestTimeout"`
}

// Sweep lists values per parameter; the scenario runs once per combination
// (in the order concurrency, rate, rtt, latency, tls, http2), each a full
// interleaved A/B run with its own backend.
type Sweep struct {
	Concurrency []int      `yaml:"concurrency"`
	Rate        []float64  `yaml:"rate"`
	RTT         []Duration `yaml:"rtt"`
	Latency     []Duration `yaml:"latency"`
	TLS         []bool     `yaml:"tls"`
	HTTP2       []bool     `yaml:"http2"`
}

// ClaimsSpec names the baseline and candidate arms of the seed claims.
type ClaimsSpec struct {
	Baseline  string `yaml:"baseline"`
	Candidate string `yaml:"candidate"`
}

// ArmSpec is one arm: a registered profile name, or an inline profile
// {name, base, description, config} whose Config fields override base's.
type ArmSpec struct {
	Name        string     `yaml:"name"`
	Base        string     `yaml:"base"`
	Description string     `yaml:"description"`
	Config      *ArmConfig `yaml:"config"`
	// QPS puts client-go's client-side rate limiter (a token bucket,
	// k8s.io/client-go/util/flowcontrol) in front of the arm, as a
	// rest.Config's QPS does for a Clientset: at most QPS requests per
	// second after a first Burst. 0 (the default) is no limiter.
	QPS float64 `yaml:"qps"`
	// Burst is the bucket's size; 0 with a QPS means DefaultBurst(QPS).
	Burst int `yaml:"burst"`
}

type armLong ArmSpec

// UnmarshalYAML accepts a profile name or an inline profile mapping.
func (a *ArmSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		var long armLong
		if err := n.Decode(&long); err != nil {
			return err
		}
		*a = ArmSpec(long)
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a profile name or {name, base, config}")
	}
	*a = ArmSpec{Name: n.Value}
	return nil
}

func (a *ArmSpec) longForm() any { return &armLong{} }

// Inline reports whether the arm defines its own profile.
func (a ArmSpec) Inline() bool { return a.Config != nil || a.Base != "" }

// ArmConfig overrides transport.Config fields; keys are the Go field names.
// An absent field keeps the base profile's value; zero numbers select the
// factory default, as transport.Config documents.
type ArmConfig struct {
	MaxIdleConns          *int      `yaml:"MaxIdleConns"`
	MaxIdleConnsPerHost   *int      `yaml:"MaxIdleConnsPerHost"`
	MaxConnsPerHost       *int      `yaml:"MaxConnsPerHost"`
	IdleConnTimeout       *Duration `yaml:"IdleConnTimeout"`
	TLSHandshakeTimeout   *Duration `yaml:"TLSHandshakeTimeout"`
	DialTimeout           *Duration `yaml:"DialTimeout"`
	KeepAlive             *Duration `yaml:"KeepAlive"`
	ResponseHeaderTimeout *Duration `yaml:"ResponseHeaderTimeout"`
	ExpectContinueTimeout *Duration `yaml:"ExpectContinueTimeout"`
	DisableKeepAlives     *bool     `yaml:"DisableKeepAlives"`
	ForceAttemptHTTP2     *bool     `yaml:"ForceAttemptHTTP2"`
	TLSSessionCacheSize   *int      `yaml:"TLSSessionCacheSize"`
	ClientTimeout         *Duration `yaml:"ClientTimeout"`
}

// ThresholdSpec is a pass/fail criterion, written as an expression string
// (required) or as {expr, arm, required}.
type ThresholdSpec struct {
	Expr string `yaml:"expr"`
	// Arm restricts a per-arm expression to one arm; empty means every arm.
	Arm string `yaml:"arm"`
	// Required makes a failure exit 1; false makes it informative. Default true.
	Required *bool `yaml:"required"`
	// Point restricts the threshold to the sweep points that have these
	// values, written as the report labels them: "http2=on concurrency=200".
	// Empty means every point (or the scenario, without a sweep).
	Point string `yaml:"point"`
}

type thresholdLong ThresholdSpec

// UnmarshalYAML accepts an expression or a mapping.
func (t *ThresholdSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		var long thresholdLong
		if err := n.Decode(&long); err != nil {
			return err
		}
		*t = ThresholdSpec(long)
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf(`want an expression such as "p99 < 250ms" or {expr, arm, required}`)
	}
	*t = ThresholdSpec{Expr: n.Value}
	return nil
}

func (t *ThresholdSpec) longForm() any { return &thresholdLong{} }

// IsRequired reports whether a failure of t fails the run.
func (t ThresholdSpec) IsRequired() bool { return t.Required == nil || *t.Required }

// Quick holds the shorter settings used by --quick.
type Quick struct {
	Duration    Duration `yaml:"duration"`
	Warmup      Duration `yaml:"warmup"`
	Repetitions int      `yaml:"repetitions"`
	// Sweep replaces the sweep's values.
	Sweep *Sweep `yaml:"sweep"`
	// Steps replaces the search's step budget; Intents the storm's size.
	Steps   int `yaml:"steps"`
	Intents int `yaml:"intents"`
	// SampleEvery replaces a soak's sampling interval.
	SampleEvery Duration `yaml:"sampleEvery"`
}

// Duration is a time.Duration written as "250ms", "5s" in YAML.
type Duration struct{ time.Duration }

// UnmarshalYAML parses a Go duration string ("0" is accepted).
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a duration such as 250ms or 5s")
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("want a non-negative duration such as 250ms or 5s")
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }
