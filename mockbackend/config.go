package mockbackend

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config configures a Server. The zero value is a plain-HTTP, HTTP/1.1 server
// on an ephemeral loopback port with no added latency, no faults and no
// network emulation. Every field has a yaml name for LoadConfig.
type Config struct {
	Listen  string        `yaml:"listen"`  // host:port clients connect to; DefaultListen when empty
	TLS     bool          `yaml:"tls"`     // HTTPS with an ECDSA P-256 certificate from a CA generated at start
	Latency time.Duration `yaml:"latency"` // fixed latency of every API route without a latency model

	// PreciseLatency starts each injected latency's timer early by the
	// median timer lateness learned so far and yields through the rest, so
	// the median wait lands within tens of microseconds of the latency
	// instead of a few hundred late (make bench-mock, BenchmarkSleepAccuracy).
	// The yielding keeps a CPU busy for a moment per delayed request, so it
	// is off by default.
	PreciseLatency bool `yaml:"preciseLatency"`

	TLSVersion string `yaml:"tlsVersion"` // TLS12, TLS13, or empty for both
	HTTP2      bool   `yaml:"http2"`      // also serve h2 (ALPN over TLS; prior-knowledge h2c without TLS)
	// H2MaxStreams is the most concurrent HTTP/2 streams per connection
	// the server allows (SETTINGS_MAX_CONCURRENT_STREAMS);
	// DefaultH2MaxStreams when 0, as a Kubernetes API server's
	// --http2-max-streams-per-connection. Clients queue or open more
	// connections beyond it.
	H2MaxStreams int `yaml:"h2MaxStreams"`

	// Network emulation. Any of RTT, Bandwidth or NetFaults puts an in-process
	// Toxiproxy on Listen in front of the HTTP server (which then listens on
	// an ephemeral loopback port); URL returns the proxy's address.
	//
	// RTT is the round-trip time: each direction gets RTT/2 (and Jitter/2) via
	// a latency toxic, so one request/response exchange on an open connection
	// costs one RTT on top of the handler latency, a TLS 1.3 handshake one
	// more RTT and a TLS 1.2 full handshake two. Toxiproxy works in whole
	// milliseconds, so each half is rounded to the millisecond.
	RTT            time.Duration `yaml:"rtt"`
	Jitter         time.Duration `yaml:"jitter"`         // ± spread of RTT, uniform, split over both directions
	Bandwidth      ByteRate      `yaml:"bandwidth"`      // per connection and direction; 0 means unlimited
	ConnSetupDelay time.Duration `yaml:"connSetupDelay"` // extra delay before a new connection's first byte is read: a TCP handshake costs about one RTT
	NetFaults      NetFaults     `yaml:"netFaults"`      // TCP-level faults (Toxiproxy)

	// Behaviour of the API routes. Default applies to every API route;
	// Routes overrides it by route name ("a1.policy.put") or by group, the
	// part before the first dot ("a1", "e2", "porch", "rag", "llm").
	// Each of latency, faults and capacity is taken from the most specific
	// entry that sets it.
	Default Behavior            `yaml:"default"`
	Routes  map[string]Behavior `yaml:"routes"`
	// Seed drives every latency and fault draw and the RTT jitter
	// (DefaultSeed when 0), so runs repeat. The netFaults rates use
	// Toxiproxy's own unseeded generator and do not repeat.
	Seed uint64 `yaml:"seed"`

	MaxObjects int `yaml:"maxObjects"` // cap of each in-memory store; DefaultMaxObjects when 0
	// MaxStoreBytes bounds the bytes each in-memory store holds (an
	// estimate: the bodies, names and fields kept plus a fixed overhead per
	// object), and the bytes the PackageRevision watch history keeps.
	// Beyond it storeFull applies as for maxObjects: evict the oldest
	// objects, or refuse with 507 Insufficient Storage. An object larger
	// than the whole bound is always refused. DefaultMaxStoreBytes when 0.
	MaxStoreBytes int64 `yaml:"maxStoreBytes"`
	// MaxWatches bounds the PackageRevision watches open at once; one more
	// is refused with 429 and Retry-After, as a Kubernetes API server
	// refuses requests beyond its in-flight limit. DefaultMaxWatches when 0.
	MaxWatches int `yaml:"maxWatches"`
	// WatchHistory is how many PackageRevision changes are kept for
	// watches that resume from a resourceVersion; an older one answers 410
	// Gone (reason Expired). DefaultWatchHistory when 0.
	WatchHistory int    `yaml:"watchHistory"`
	StoreFull    string `yaml:"storeFull"` // StoreEvict (default) or StoreReject (507)

	EnforceDelay time.Duration `yaml:"enforceDelay"` // A1 policy status turns ENFORCED this long after its PUT
	TokenDelay   time.Duration `yaml:"tokenDelay"`   // LLM delay per streamed token
	LLMTokens    int           `yaml:"llmTokens"`    // tokens per LLM completion; DefaultLLMTokens when 0
	BearerToken  string        `yaml:"bearerToken"`  // when set, API routes require "Authorization: Bearer <token>" (or a client certificate, see ClientCAFile)

	// ClientCAFile is a PEM file of CA certificates (tls: true only). The
	// server asks for client certificates, and a request presenting one
	// signed by these CAs is authenticated without a bearer token, as by a
	// Kubernetes API server's --client-ca-file. With it set, API routes
	// require a valid certificate or the bearer token.
	ClientCAFile string `yaml:"clientCAFile"`

	// MaxRequestsInflight and MaxMutatingRequestsInflight are the API
	// server's flow control, kube-apiserver's --max-requests-inflight and
	// --max-mutating-requests-inflight (400 and 200 there,
	// APIServerMaxRequestsInflight and APIServerMaxMutatingRequestsInflight):
	// the most read-only (GET, HEAD, OPTIONS) and mutating (POST, PUT,
	// PATCH, DELETE) requests served at once. One more is answered at once
	// with 429 and Retry-After: 1. Long-running requests (watches, streamed
	// LLM completions) are exempt. 0, the default, is unlimited.
	MaxRequestsInflight         int `yaml:"maxRequestsInflight"`
	MaxMutatingRequestsInflight int `yaml:"maxMutatingRequestsInflight"`

	MaxBodyBytes      int64         `yaml:"maxBodyBytes"`      // request body cap; 413 beyond; DefaultMaxBodyBytes when 0
	ReadHeaderTimeout time.Duration `yaml:"readHeaderTimeout"` // slowloris guard; DefaultReadHeaderTimeout when 0
	IdleTimeout       time.Duration `yaml:"idleTimeout"`       // keep-alive idle limit; DefaultIdleTimeout when 0
	ShutdownTimeout   time.Duration `yaml:"shutdownTimeout"`   // grace for in-flight requests on Close; DefaultShutdownTimeout when 0
}

// Behavior is how a route (or a group of routes) behaves.
type Behavior struct {
	Latency  Distribution `yaml:"latency"`
	Faults   Faults       `yaml:"faults"`
	Capacity Capacity     `yaml:"capacity"`
}

// Latency distribution kinds (Distribution.Kind).
const (
	DistFixed     = "fixed"     // Value
	DistUniform   = "uniform"   // between Min and Max
	DistNormal    = "normal"    // Mean and StdDev, or P50 and P99
	DistLogNormal = "lognormal" // P50 and P99: a right-skewed service time
)

// Distribution is a latency model. The zero value (empty Kind) means "not
// set here"; samples are clamped at 0 and at Cap when Cap is set.
type Distribution struct {
	Kind   string        `yaml:"kind"`
	Value  time.Duration `yaml:"value"`
	Min    time.Duration `yaml:"min"`
	Max    time.Duration `yaml:"max"`
	Mean   time.Duration `yaml:"mean"`
	StdDev time.Duration `yaml:"stddev"`
	P50    time.Duration `yaml:"p50"`
	P99    time.Duration `yaml:"p99"`
	Cap    time.Duration `yaml:"cap"`
}

// Faults are per-request failures, drawn independently for every request;
// the rates are probabilities in [0, 1] and together at most 1.
type Faults struct {
	ErrorRates       map[int]float64 `yaml:"errorRates"`       // status code → probability, e.g. {500: 0.01, 503: 0.02}
	RateLimit        float64         `yaml:"rateLimit"`        // probability of a 429 with Retry-After
	RetryAfter       time.Duration   `yaml:"retryAfter"`       // Retry-After on 429 and 503; DefaultRetryAfter when 0
	Hang             float64         `yaml:"hang"`             // probability of never answering until the client gives up
	CloseMidResponse float64         `yaml:"closeMidResponse"` // probability of sending half a body, then dropping the connection (h2: resetting the stream)
	// FailFirst answers the first n requests of each route it applies to
	// with 503 and Retry-After, before any drawn fault: a backend that is
	// still starting up. The rates apply from request n+1 on.
	FailFirst int `yaml:"failFirst"`
}

// Capacity limits concurrent work like a saturating backend. Routes that
// take their capacity from the same Config entry share one limit, so
// `routes: {porch: {capacity: ...}}` caps Porch as a whole.
type Capacity struct {
	MaxInFlight  int           `yaml:"maxInFlight"`  // concurrent requests being served; 0 means unlimited
	QueueDepth   int           `yaml:"queueDepth"`   // requests allowed to wait beyond that; more get 503
	QueueTimeout time.Duration `yaml:"queueTimeout"` // longest wait in the queue before a 503; 0 waits until the client gives up
}

// NetFaults are TCP-level faults applied by Toxiproxy. Rate is the fraction
// of connections affected (Toxiproxy's toxicity); 0 disables a fault.
type NetFaults struct {
	ResetPeer NetFault `yaml:"resetPeer"` // RST the connection After its first bytes
	Timeout   NetFault `yaml:"timeout"`   // swallow all data; close After (0: never)
	SlowClose NetFault `yaml:"slowClose"` // delay the close of a connection by After
}

// NetFault is one Toxiproxy fault.
type NetFault struct {
	Rate  float64       `yaml:"rate"`
	After time.Duration `yaml:"after"`
}

// Defaults filled in by Start for zero Config fields.
const (
	DefaultListen            = "127.0.0.1:0"
	DefaultMaxBodyBytes      = 1 << 20 // 1 MiB
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 3 * time.Second
	DefaultMaxObjects        = 100_000
	DefaultSeed              = 1
	DefaultRetryAfter        = time.Second
	DefaultLLMTokens         = 32
	// DefaultH2MaxStreams is the Kubernetes API server's default of HTTP/2
	// streams per connection since CVE-2023-44487 (it was 250 before).
	DefaultH2MaxStreams = 100
	// DefaultMaxStoreBytes bounds each store to 64 MiB. The mock keeps six
	// stores plus the watch history, so a server full everywhere holds
	// about half a GiB: it fits a small CI machine or a laptop next to the
	// load generator, and still holds tens of thousands of typical objects
	// (a policy or a PackageRevision is well under a KiB).
	DefaultMaxStoreBytes = 64 << 20
	// DefaultMaxWatches is 1,000 concurrent watches: many times what the
	// controllers of a benchmark open, a few MiB of goroutines and buffers.
	DefaultMaxWatches = 1000
)

// MaxWatchesLimit is the largest MaxWatches accepted.
const MaxWatchesLimit = 1_000_000

// MinStoreBytes is the smallest MaxStoreBytes accepted: a few objects, and
// room for the built-in A1 policy types, which a smaller store would drop.
const MinStoreBytes = 16 << 10

// Upper bounds of the config's durations and sizes: a larger value is a typo
// (rtt: 100000h) that would leave a run waiting forever, or an allocation
// that cannot succeed, and is refused.
const (
	// MaxDelay bounds every per-request delay: latency, rtt, jitter,
	// connSetupDelay, tokenDelay and the latency distributions.
	MaxDelay = time.Minute
	// MaxStateDelay bounds delays of state and client advice: enforceDelay,
	// retryAfter, queueTimeout and netFaults.*.after.
	MaxStateDelay = time.Hour
	// MaxServerTimeout bounds readHeaderTimeout and idleTimeout.
	MaxServerTimeout = time.Hour
	// MaxShutdownTimeout bounds shutdownTimeout, which delays the exit.
	MaxShutdownTimeout = time.Minute
	// MaxWatchHistory bounds watchHistory; the ring is allocated at start.
	MaxWatchHistory = 1_000_000
	// MaxInFlightLimit bounds capacity.maxInFlight; its slots are
	// allocated at start.
	MaxInFlightLimit = 1_000_000
	// MaxLLMTokens bounds llmTokens, the tokens of one completion.
	MaxLLMTokens = 100_000
)

// MaxH2MaxStreams is the largest H2MaxStreams accepted: net/http caps the
// streams it allows per connection at 2^31-1, and a larger value than this
// only hides a typo.
const MaxH2MaxStreams = 1 << 20

// TLS versions accepted in Config.TLSVersion.
const (
	TLS12 = "1.2"
	TLS13 = "1.3"
)

// Store-full policies (Config.StoreFull).
const (
	StoreEvict  = "evict"  // drop the oldest object of that store to make room
	StoreReject = "reject" // refuse the create with 507 Insufficient Storage
)

// RouteGroups are the valid group keys of Config.Routes.
var RouteGroups = []string{"a1", "e2", "porch", "rag", "llm"}

// withDefaults returns a copy of c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.MaxObjects == 0 {
		c.MaxObjects = DefaultMaxObjects
	}
	if c.MaxStoreBytes == 0 {
		c.MaxStoreBytes = DefaultMaxStoreBytes
	}
	if c.MaxWatches == 0 {
		c.MaxWatches = DefaultMaxWatches
	}
	if c.StoreFull == "" {
		c.StoreFull = StoreEvict
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.LLMTokens == 0 {
		c.LLMTokens = DefaultLLMTokens
	}
	if c.H2MaxStreams == 0 {
		c.H2MaxStreams = DefaultH2MaxStreams
	}
	if c.WatchHistory == 0 {
		c.WatchHistory = DefaultWatchHistory
	}
	// Copy the map so the caller's Config is never shared or mutated.
	c.Routes = maps.Clone(c.Routes)
	return c
}

// cfgPath is the yaml path of a field, one segment per key, so LoadConfig
// can find the line; route keys may themselves contain dots.
type cfgPath []string

func at(segs ...string) cfgPath { return segs }

// at extends the path without aliasing p's backing array.
func (p cfgPath) at(segs ...string) cfgPath {
	return append(slices.Clip(p), segs...)
}

// String renders the path as written in yaml, e.g.
// routes["a1.policy.put"].latency.kind.
func (p cfgPath) String() string {
	var b strings.Builder
	for i, seg := range p {
		switch {
		case strings.Contains(seg, "."):
			b.WriteString(`["` + seg + `"]`)
		case i > 0:
			b.WriteString("." + seg)
		default:
			b.WriteString(seg)
		}
	}
	return b.String()
}

// ConfigError is a validation failure of one Config field; Validate
// returns it, so that a program embedding the mock (a scenario's backend)
// can name the field in its own terms.
type ConfigError struct {
	path cfgPath
	msg  string
	// value is the field's value when msg starts with it; reason is msg
	// without it.
	value, reason string
}

// Error is "path: message", e.g. "rtt: 2m0s is out of range; valid: a
// duration from 0 to 1m0s".
func (e *ConfigError) Error() string { return e.path.String() + ": " + e.msg }

// Field is the path of the field as a config file nests it, one key per
// element: ["rtt"], ["default", "faults", "errorRates", "500"],
// ["routes", "a1.policy.put", "latency", "kind"].
func (e *ConfigError) Field() []string { return slices.Clone(e.path) }

// Value is the field's value as the message writes it, "" when the message
// is not about one value (e.g. "fault rates add up to 1.2").
func (e *ConfigError) Value() string { return e.value }

// Reason is the message without the value: what is wrong and what is valid.
func (e *ConfigError) Reason() string { return e.reason }

// leadingVerb matches a format that starts with the value it names.
var leadingVerb = regexp.MustCompile(`^%[vdqs] `)

func cfgErr(p cfgPath, format string, args ...any) *ConfigError {
	e := &ConfigError{path: p, msg: fmt.Sprintf(format, args...)}
	e.reason = e.msg
	if leadingVerb.MatchString(format) && len(args) > 0 {
		e.value = fmt.Sprint(args[0])
		e.reason = fmt.Sprintf(format[3:], args[1:]...)
	}
	return e
}

// Validate reports the first invalid field, naming it, its value and what is
// valid. Start calls it; LoadConfig adds file and line.
func (c Config) Validate() error {
	if err := c.validate(); err != nil {
		return err
	}
	return nil
}

func (c Config) validate() *ConfigError {
	switch c.TLSVersion {
	case "", TLS12, TLS13:
	default:
		return cfgErr(at("tlsVersion"), "%q is invalid; valid: %q, %q, or empty for both", c.TLSVersion, TLS12, TLS13)
	}
	if c.TLSVersion != "" && !c.TLS {
		return cfgErr(at("tlsVersion"), "%q is set but tls is false; valid: set tls: true, or leave tlsVersion empty", c.TLSVersion)
	}
	durs := []struct {
		path string
		d    time.Duration
		max  time.Duration
	}{
		{"latency", c.Latency, MaxDelay}, {"rtt", c.RTT, MaxDelay}, {"jitter", c.Jitter, MaxDelay}, {"connSetupDelay", c.ConnSetupDelay, MaxDelay},
		{"enforceDelay", c.EnforceDelay, MaxStateDelay}, {"tokenDelay", c.TokenDelay, MaxDelay},
		{"readHeaderTimeout", c.ReadHeaderTimeout, MaxServerTimeout}, {"idleTimeout", c.IdleTimeout, MaxServerTimeout},
		{"shutdownTimeout", c.ShutdownTimeout, MaxShutdownTimeout},
	}
	for _, d := range durs {
		if err := checkDuration(at(d.path), d.d, d.max); err != nil {
			return err
		}
	}
	if c.Jitter > 0 && c.RTT == 0 {
		return cfgErr(at("jitter"), "%v is set without rtt; valid: set rtt > 0 too, or jitter 0", c.Jitter)
	}
	if c.Jitter > c.RTT {
		return cfgErr(at("jitter"), "%v exceeds rtt %v; valid: 0 to rtt", c.Jitter, c.RTT)
	}
	if c.RTT > 0 && c.RTT < 2*time.Millisecond {
		return cfgErr(at("rtt"), "%v is below Toxiproxy's 1 ms per direction resolution; valid: 0 or >= 2ms", c.RTT)
	}
	if c.Bandwidth < 0 {
		return cfgErr(at("bandwidth"), "%d is negative; valid: >= 0 bytes/s (0 = unlimited)", c.Bandwidth)
	}
	for _, nf := range []struct {
		name string
		f    NetFault
	}{{"resetPeer", c.NetFaults.ResetPeer}, {"timeout", c.NetFaults.Timeout}, {"slowClose", c.NetFaults.SlowClose}} {
		name, f := nf.name, nf.f
		if !(f.Rate >= 0 && f.Rate <= 1) { // also refuses NaN
			return cfgErr(at("netFaults", name, "rate"), "%v is out of range; valid: 0 to 1", f.Rate)
		}
		if err := checkDuration(at("netFaults", name, "after"), f.After, MaxStateDelay); err != nil {
			return err
		}
	}
	switch c.StoreFull {
	case "", StoreEvict, StoreReject:
	default:
		return cfgErr(at("storeFull"), "%q is invalid; valid: %q, %q", c.StoreFull, StoreEvict, StoreReject)
	}
	if c.MaxObjects < 0 {
		return cfgErr(at("maxObjects"), "%d is negative; valid: > 0 (0 means %d)", c.MaxObjects, DefaultMaxObjects)
	}
	if c.MaxBodyBytes < 0 {
		return cfgErr(at("maxBodyBytes"), "%d is negative; valid: > 0 (0 means %d)", c.MaxBodyBytes, DefaultMaxBodyBytes)
	}
	if c.MaxStoreBytes < 0 || c.MaxStoreBytes > 0 && c.MaxStoreBytes < MinStoreBytes {
		return cfgErr(at("maxStoreBytes"), "%d is out of range; valid: >= %d (0 means %d)", c.MaxStoreBytes, MinStoreBytes, DefaultMaxStoreBytes)
	}
	if body, store := cmp.Or(c.MaxBodyBytes, DefaultMaxBodyBytes), cmp.Or(c.MaxStoreBytes, DefaultMaxStoreBytes); body > store {
		// A body the store could never hold is a configuration mistake.
		return cfgErr(at("maxStoreBytes"), "%d is below maxBodyBytes %d; valid: >= maxBodyBytes", store, body)
	}
	if c.MaxWatches < 0 || c.MaxWatches > MaxWatchesLimit {
		return cfgErr(at("maxWatches"), "%d is out of range; valid: 1 to %d (0 means %d)", c.MaxWatches, MaxWatchesLimit, DefaultMaxWatches)
	}
	if c.H2MaxStreams < 0 || c.H2MaxStreams > MaxH2MaxStreams {
		return cfgErr(at("h2MaxStreams"), "%d is out of range; valid: 1 to %d (0 means %d)", c.H2MaxStreams, MaxH2MaxStreams, DefaultH2MaxStreams)
	}
	if c.WatchHistory < 0 || c.WatchHistory > MaxWatchHistory {
		return cfgErr(at("watchHistory"), "%d is out of range; valid: 1 to %d (0 means %d)", c.WatchHistory, MaxWatchHistory, DefaultWatchHistory)
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"maxRequestsInflight", c.MaxRequestsInflight}, {"maxMutatingRequestsInflight", c.MaxMutatingRequestsInflight}} {
		if f.n < 0 || f.n > MaxInFlightLimit {
			return cfgErr(at(f.name), "%d is out of range; valid: 0 to %d (0 = unlimited; kube-apiserver's default is %d)", f.n, MaxInFlightLimit, kubeInflightDefault(f.name))
		}
	}
	if c.ClientCAFile != "" && !c.TLS {
		return cfgErr(at("clientCAFile"), "%q is set but tls is false; valid: set tls: true (client certificates need TLS), or leave clientCAFile empty", c.ClientCAFile)
	}
	if c.LLMTokens < 0 || c.LLMTokens > MaxLLMTokens {
		return cfgErr(at("llmTokens"), "%d is out of range; valid: 1 to %d (0 means %d)", c.LLMTokens, MaxLLMTokens, DefaultLLMTokens)
	}
	if err := c.Default.validate(at("default")); err != nil {
		return err
	}
	keys := slices.Sorted(maps.Keys(c.Routes))
	for _, k := range keys {
		if !validRouteKey(k) {
			return cfgErr(at("routes", k), "is not a route or group; valid groups: %s; valid routes: %s",
				strings.Join(RouteGroups, ", "), strings.Join(RouteNames(), ", "))
		}
		if err := c.Routes[k].validate(at("routes", k)); err != nil {
			return err
		}
	}
	return nil
}

// checkDuration refuses a negative duration or one above max.
func checkDuration(p cfgPath, d, max time.Duration) *ConfigError {
	if d < 0 || d > max {
		return cfgErr(p, "%v is out of range; valid: a duration from 0 to %v", d, max)
	}
	return nil
}

func validRouteKey(k string) bool {
	return slices.Contains(RouteGroups, k) || slices.Contains(RouteNames(), k)
}

func (b Behavior) validate(p cfgPath) *ConfigError {
	if err := b.Latency.validate(p.at("latency")); err != nil {
		return err
	}
	if err := b.Faults.validate(p.at("faults")); err != nil {
		return err
	}
	return b.Capacity.validate(p.at("capacity"))
}

func (d Distribution) validate(p cfgPath) *ConfigError {
	neg := func(name string, v time.Duration) *ConfigError {
		return checkDuration(p.at(name), v, MaxDelay)
	}
	for _, f := range []struct {
		n string
		v time.Duration
	}{{"value", d.Value}, {"min", d.Min}, {"max", d.Max}, {"mean", d.Mean}, {"stddev", d.StdDev}, {"p50", d.P50}, {"p99", d.P99}, {"cap", d.Cap}} {
		if err := neg(f.n, f.v); err != nil {
			return err
		}
	}
	switch d.Kind {
	case "":
		if d != (Distribution{}) {
			return cfgErr(p.at("kind"), "is empty but parameters are set; valid: %s", strings.Join(distKinds, ", "))
		}
	case DistFixed:
	case DistUniform:
		if d.Max < d.Min {
			return cfgErr(p.at("max"), "%v is below min %v; valid: max >= min", d.Max, d.Min)
		}
	case DistNormal:
		if d.P50 == 0 && d.P99 == 0 && d.Mean == 0 {
			return cfgErr(p.at("mean"), "is 0; valid: mean and stddev, or p50 and p99")
		}
		if d.P99 != 0 && d.P99 < d.P50 {
			return cfgErr(p.at("p99"), "%v is below p50 %v; valid: p99 >= p50", d.P99, d.P50)
		}
	case DistLogNormal:
		if d.P50 <= 0 {
			return cfgErr(p.at("p50"), "%v; valid: > 0 for a lognormal", d.P50)
		}
		if d.P99 < d.P50 {
			return cfgErr(p.at("p99"), "%v is below p50 %v; valid: p99 >= p50", d.P99, d.P50)
		}
	default:
		return cfgErr(p.at("kind"), "%q is invalid; valid: %s", d.Kind, strings.Join(distKinds, ", "))
	}
	return nil
}

var distKinds = []string{DistFixed, DistUniform, DistNormal, DistLogNormal}

func (f Faults) validate(p cfgPath) *ConfigError {
	total := 0.0
	rate := func(at cfgPath, v float64) *ConfigError {
		if !(v >= 0 && v <= 1) { // also refuses NaN
			return cfgErr(at, "%v is out of range; valid: 0 to 1", v)
		}
		total += v
		return nil
	}
	codes := make([]int, 0, len(f.ErrorRates))
	for code := range f.ErrorRates {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	for _, code := range codes {
		if code < 400 || code > 599 {
			return cfgErr(p.at("errorRates", strconv.Itoa(code)), "status %d is not an error; valid: 400 to 599", code)
		}
		if err := rate(p.at("errorRates", strconv.Itoa(code)), f.ErrorRates[code]); err != nil {
			return err
		}
	}
	for _, r := range []struct {
		n string
		v float64
	}{{"rateLimit", f.RateLimit}, {"hang", f.Hang}, {"closeMidResponse", f.CloseMidResponse}} {
		if err := rate(p.at(r.n), r.v); err != nil {
			return err
		}
	}
	if total > 1+1e-9 {
		return cfgErr(p, "fault rates add up to %v; valid: a total of at most 1", total)
	}
	if err := checkDuration(p.at("retryAfter"), f.RetryAfter, MaxStateDelay); err != nil {
		return err
	}
	if f.FailFirst < 0 {
		return cfgErr(p.at("failFirst"), "%d is negative; valid: a number of requests >= 0", f.FailFirst)
	}
	return nil
}

func (f Faults) any() bool {
	return len(f.ErrorRates) > 0 || f.RateLimit > 0 || f.Hang > 0 || f.CloseMidResponse > 0 || f.RetryAfter > 0 || f.FailFirst > 0
}

func (c Capacity) validate(p cfgPath) *ConfigError {
	if c.MaxInFlight < 0 || c.MaxInFlight > MaxInFlightLimit {
		return cfgErr(p.at("maxInFlight"), "%d is out of range; valid: 0 to %d (0 = unlimited)", c.MaxInFlight, MaxInFlightLimit)
	}
	if c.QueueDepth < 0 {
		return cfgErr(p.at("queueDepth"), "%d is negative; valid: >= 0", c.QueueDepth)
	}
	if err := checkDuration(p.at("queueTimeout"), c.QueueTimeout, MaxStateDelay); err != nil {
		return err
	}
	if c.MaxInFlight == 0 && (c.QueueDepth > 0 || c.QueueTimeout > 0) {
		return cfgErr(p.at("maxInFlight"), "is 0 (unlimited) but a queue is set; valid: maxInFlight > 0 with a queue")
	}
	return nil
}
