package results

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SchemaVersion is the version of the results.json layout.
const SchemaVersion = 1

// Results is everything one run measured; every number in REPORT.md comes
// from it, so a report can be re-rendered from results.json alone.
type Results struct {
	SchemaVersion int        `json:"schemaVersion"`
	Tool          string     `json:"tool"`
	StartedAt     time.Time  `json:"startedAt"`
	FinishedAt    time.Time  `json:"finishedAt"`
	Machine       Machine    `json:"machine"`
	Quick         bool       `json:"quick"`
	Interrupted   bool       `json:"interrupted"`
	Scenarios     []Scenario `json:"scenarios"`
	// Claims is the verdict on each claim of the seed's results document.
	Claims []Claim `json:"claims,omitempty"`
	// Leakcheck is the watcher's goroutine-leak and shutdown check; nil when
	// it did not run.
	Leakcheck *LeakSummary `json:"leakcheck,omitempty"`
	// Shard is set when this run carried one share of a sharded load
	// (oranbench run --shard i/N); MergedFrom lists the shards a merged
	// result was built from (oranbench report --merge).
	Shard      *Shard  `json:"shard,omitempty"`
	MergedFrom []Shard `json:"mergedFrom,omitempty"`
}

// Shard is the Index-th (0-based) of Count shares of a load.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// String returns the shard as written on the command line, e.g. "0/2".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Machine describes where the run happened.
type Machine struct {
	GoVersion  string `json:"goVersion"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	NumCPU     int    `json:"numCPU"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpuModel,omitempty"`
}

// Scenario is the result of one scenario: its conditions and each arm.
type Scenario struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Conditions  Conditions `json:"conditions"`
	// Arms are in the scenario's order; the first is the baseline of Ratios.
	Arms   []Arm    `json:"arms"`
	Ratios []Ratio  `json:"ratios"`
	Notes  []string `json:"notes,omitempty"`
	// Stats holds medians with confidence intervals across repetitions and
	// the between-arm comparisons.
	Stats *Stats `json:"stats,omitempty"`
	// Thresholds are the scenario's pass/fail criteria as evaluated.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
	// Sweep holds one sub-result per parameter combination; the scenario's
	// own Arms are then empty.
	Sweep *Sweep `json:"sweep,omitempty"`
	// Setup is what a new connection costs on this backend path, measured
	// before the arms run.
	Setup *SetupCost `json:"setupCost,omitempty"`
	// ClaimArms names the arms the claims compare as baseline and
	// candidate; nil means the arms built from the profiles of the claim
	// set's roles ("default" and "tuned" for the seed's).
	ClaimArms *ClaimArms `json:"claimArms,omitempty"`
	// GeneratorCeiling is the harness's own req/s at this load on this
	// machine, measured before the arms against a transport that answers
	// from memory (closed model only; 0 when not measured).
	GeneratorCeiling float64 `json:"generatorCeiling,omitempty"`
	// Soak holds the series and slopes of a soak run (soak model only).
	Soak *Soak `json:"soak,omitempty"`
	// Origin is where the scenario came from: OriginBuiltin, OriginFile or
	// OriginSpec ("" in results from before it was recorded).
	Origin string `json:"origin,omitempty"`
	// Fixtures is what the run created before the load and cleaned up
	// after; nil when the mix needs none.
	Fixtures *Fixtures `json:"fixtures,omitempty"`
	// Error is why the scenario failed to run (an unreachable target, a
	// backend that would not start): one line. A failed scenario carries
	// no figures; analysis and the renderers other than REPORT.md's failed
	// entry skip it, and the run exits 2.
	Error string `json:"error,omitempty"`
}

// Where a scenario came from (Scenario.Origin).
const (
	OriginBuiltin = "builtin" // the embedded set, by name (oranbench scenarios)
	OriginFile    = "file"    // a scenario file of the user's
	OriginSpec    = "spec"    // a Spec built in Go
)

// Builtin reports whether the scenario is one of the built-ins: only those
// judge a claim set made for them. Results from before the origin was
// recorded ran built-ins only.
func (s Scenario) Builtin() bool { return s.Origin == OriginBuiltin || s.Origin == "" }

// TLSSeen is what an arm's TLS handshakes negotiated: the version, the
// name the client asked for (SNI, empty for an IP address), the server
// certificate's name and the ALPN protocol.
type TLSSeen struct {
	Version     string `json:"version,omitempty"`
	ServerName  string `json:"serverName,omitempty"`
	Certificate string `json:"certificate,omitempty"`
	ALPN        string `json:"alpn,omitempty"`
}

// Fixtures is what a run created before its load and removed after it.
type Fixtures struct {
	// Mode is the scenario's fixtures setting in effect: "create" or "none".
	Mode string `json:"mode"`
	// Label is the selector everything the run created carries
	// ("oranbench.io/run=..."), empty when nothing was labelled (the mock,
	// whose objects go with it).
	Label string `json:"label,omitempty"`
	// Created counts the fixture objects created (not those that existed),
	// Deleted the objects with the run's label deleted at the end (fixtures
	// and what the mix created), Leftover those still listed after.
	Created  int `json:"created"`
	Deleted  int `json:"deleted"`
	Leftover int `json:"leftover"`
	// Error is why the clean-up could not finish, "" when it did.
	Error string `json:"error,omitempty"`
	// Unlabelled names the mix's requests that create objects without the
	// run's label (custom requests): clean-up cannot find them.
	Unlabelled []string `json:"unlabelled,omitempty"`
}

// Failed reports whether the scenario failed to run (Error is set).
func (s Scenario) Failed() bool { return s.Error != "" }

// Failed returns the scenarios of r that failed to run.
func (r *Results) Failed() []Scenario {
	var out []Scenario
	for _, s := range r.Scenarios {
		if s.Failed() {
			out = append(out, s)
		}
	}
	return out
}

// ClaimArms are the baseline and the candidate arm of a scenario's claims.
type ClaimArms struct {
	Baseline  string `json:"baseline"`
	Candidate string `json:"candidate"`
}

// Conditions are what a measured figure holds under.
type Conditions struct {
	TLS        bool   `json:"tls"`
	TLSVersion string `json:"tlsVersion,omitempty"`
	HTTP2      bool   `json:"http2"`
	// H2MaxStreams is the mock's limit of concurrent HTTP/2 streams per
	// connection when HTTP2 is on; 0 when unknown (an external target, or
	// results from before it was recorded).
	H2MaxStreams   int           `json:"h2MaxStreams,omitempty"`
	RTT            time.Duration `json:"rtt_ns"`
	HandlerLatency time.Duration `json:"handlerLatency_ns"`
	Model          Model         `json:"model"`
	Concurrency    int           `json:"concurrency,omitempty"`
	RatePerSec     float64       `json:"ratePerSec,omitempty"`
	Duration       time.Duration `json:"duration_ns"`
	Warmup         time.Duration `json:"warmup_ns"`
	Repetitions    int           `json:"repetitions"`
	Routes         []string      `json:"routes"`
	// Order is the sequence arms ran in, e.g. A B A B.
	Order []string `json:"order"`
	// Shape describes the open model's arrivals, e.g. "bursts of 20 every 100ms".
	Shape string `json:"shape,omitempty"`
	// Target is the external URL load went to; empty for the in-process mock.
	Target string `json:"target,omitempty"`
	// MockPreset is the mock's behaviour preset (mockbackend.Preset).
	MockPreset string `json:"mockPreset,omitempty"`
	Bandwidth  string `json:"bandwidth,omitempty"`
	// Latency describes a non-fixed handler latency model, e.g. "lognormal p50 5ms p99 40ms".
	Latency string `json:"latency,omitempty"`
	Faults  bool   `json:"faults,omitempty"`
	// Isolation is where the mock ran: "process" (a child process on CPUs
	// of its own) or "in-process" (sharing the generator's process and
	// CPUs); empty for an external target and in results from before it was
	// recorded.
	Isolation string `json:"isolation,omitempty"`
	// CPUs are the CPU lists of the generator and the backend with process
	// isolation.
	CPUs *CPUs `json:"cpus,omitempty"`
}

// CPUs are the CPU lists ("0", "1-3") the generator and the backend were
// pinned to.
type CPUs struct {
	Generator string `json:"generator"`
	Backend   string `json:"backend"`
}

// TargetHost is the external target as the report names it: scheme, host
// and port, never credentials or a path ("https://203.0.113.5:6443"); "" for
// the mock.
func (c Conditions) TargetHost() string {
	if c.Target == "" {
		return ""
	}
	u, err := url.Parse(c.Target)
	if err != nil || u.Host == "" {
		return "(unparsable target)"
	}
	return u.Scheme + "://" + u.Host
}

// Short describes the conditions in a few words, e.g.
// "TLS 1.3, RTT 0s, handler 0s, closed 20 workers", or for an external
// target, whose network and handler the run did not set,
// "TLS, target https://127.0.0.1:8443, closed 20 workers".
func (c Conditions) Short() string {
	var b []string
	if c.TLS {
		b = append(b, strings.TrimSpace("TLS "+c.TLSVersion))
	} else {
		b = append(b, "plain HTTP")
	}
	if c.Target != "" {
		b = append(b, "target "+c.TargetHost())
	} else {
		if c.HTTP2 {
			b = append(b, "h2")
		}
		handler := "handler " + c.HandlerLatency.String()
		if c.Latency != "" {
			handler = "handler " + c.Latency
		}
		b = append(b, "RTT "+c.RTT.String(), handler)
	}
	switch c.Model {
	case ModelClosed:
		b = append(b, fmt.Sprintf("closed %d workers", c.Concurrency))
	case ModelOpen:
		if c.Shape != "" {
			b = append(b, "open "+c.Shape)
			break
		}
		b = append(b, fmt.Sprintf("open %.0f req/s", c.RatePerSec))
	default:
		b = append(b, string(c.Model))
	}
	switch c.Isolation {
	case "process":
		b = append(b, "isolated mock")
	case "in-process":
		b = append(b, "in-process mock")
	}
	return strings.Join(b, ", ")
}

// Arm is one transport profile's results across repetitions.
type Arm struct {
	Name        string            `json:"name"`
	Profile     string            `json:"profile"`
	Description string            `json:"description,omitempty"`
	Settings    map[string]string `json:"settings,omitempty"`
	// Total merges all repetitions: counts are summed, percentiles come from
	// the merged histograms, ReqPerSec is the median of the repetitions.
	Total Summary `json:"total"`
	Reps  []Rep   `json:"reps"`
	// ServiceHDR and ResponseHDR are the merged histograms, HdrHistogram V2
	// compressed encoding, base64: they merge across runs and shards losslessly.
	ServiceHDR  string `json:"serviceHdr,omitempty"`
	ResponseHDR string `json:"responseHdr,omitempty"`
	// GeneratorBound is set when the arm's req/s reached more than
	// GeneratorBoundPct of the scenario's GeneratorCeiling: the harness, not
	// only the transport, limited it.
	GeneratorBound bool `json:"generatorBound,omitempty"`
}

// GeneratorBoundPct is the share of the generator's ceiling above which an
// arm is generator-bound.
const GeneratorBoundPct = 70

// Rep is one measured repetition of an arm.
type Rep struct {
	Index int `json:"index"`
	// Position is this run's place in the whole scenario's sequence (0-based).
	Position int `json:"position"`
	Summary
	// Search is the rate search of this repetition (search model only); the
	// Summary is then that of the highest passing probe.
	Search *SearchRun `json:"search,omitempty"`
	// ServiceHDR and ResponseHDR are this repetition's histograms (encoded
	// like Arm's), so shards merge per repetition without loss.
	ServiceHDR  string `json:"serviceHdr,omitempty"`
	ResponseHDR string `json:"responseHdr,omitempty"`
	// Series is the repetition's timeline, one Interval per second (narrower
	// for runs under 20 s, wider past 10 min), for the latency-over-time plot.
	Series []Interval `json:"series,omitempty"`
}

// Interval is one slice of a repetition's timeline: the requests that ended
// in [Start, Start+Step) after the measured attack began. The load engine
// builds its timeline in this type (engine.Interval is an alias of it).
type Interval struct {
	Start    time.Duration `json:"start_ns"`
	Step     time.Duration `json:"step_ns"`
	Requests int64         `json:"requests"`
	Errors   int64         `json:"errors,omitempty"`
	P50      time.Duration `json:"p50_ns"`
	P99      time.Duration `json:"p99_ns"`
	Max      time.Duration `json:"max_ns"`
}

// Summary is what one or more attacks measured.
type Summary struct {
	Requests      int64            `json:"requests"`
	Successes     int64            `json:"successes"`
	SuccessPct    float64          `json:"successPct"`
	ReqPerSec     float64          `json:"reqPerSec"`
	SuccessPerSec float64          `json:"successPerSec"`
	Wall          time.Duration    `json:"wall_ns"`
	Latency       Percentiles      `json:"latency"`
	Response      *Percentiles     `json:"response,omitempty"`
	Lag           *Percentiles     `json:"lag,omitempty"`
	Codes         map[string]int64 `json:"codes"`
	Errors        map[string]int64 `json:"errors,omitempty"`
	OtherErrors   int64            `json:"otherErrors,omitempty"`
	// Cancelled counts requests an interruption cut off in flight: they
	// are not in Requests, Codes or Errors, nor in the success rate.
	Cancelled   int64       `json:"cancelled,omitempty"`
	BytesIn     uint64      `json:"bytesIn"`
	BytesOut    uint64      `json:"bytesOut"`
	Client      ClientConns `json:"client"`
	Server      ServerConns `json:"server"`
	Interrupted bool        `json:"interrupted,omitempty"`
	// Open is the open model's offered versus achieved load.
	Open *OpenLoad `json:"open,omitempty"`
	// Limiter is the arm's client-side rate limiter (qps, burst) and the
	// time requests waited in it; nil without one.
	Limiter *Limiter `json:"limiter,omitempty"`
	// CPUPct is the process's CPU use (generator and in-process mock) during
	// the measured attack, in percent of all cores.
	CPUPct float64 `json:"cpuPct,omitempty"`
}

// Limiter is an arm's client-side rate limiter, client-go's token bucket
// (k8s.io/client-go/util/flowcontrol), and how long requests waited in it.
// The wait is part of each request's latency, as it is of a client-go
// caller's (Request.Do waits before it sends).
type Limiter struct {
	QPS   float64 `json:"qps"`
	Burst int     `json:"burst"`
	// Waited counts the requests that got a token; WaitTotal is their
	// summed wait, WaitP50/WaitP99/WaitMax its distribution (WaitP50 and
	// WaitP99 of an arm's total are the worst repetition's).
	Waited    int64         `json:"waited"`
	WaitTotal time.Duration `json:"waitTotal_ns"`
	WaitP50   time.Duration `json:"waitP50_ns"`
	WaitP99   time.Duration `json:"waitP99_ns"`
	WaitMax   time.Duration `json:"waitMax_ns"`
	// WaitPct is WaitTotal in percent of the requests' summed latency.
	WaitPct float64 `json:"waitPct"`
	// Bounded says the limiter, not the transport, set the rate; Reason
	// says why ("sent 70 of the 70 the bucket allows in 2s", "requests
	// spent 97% of their time waiting").
	Bounded bool   `json:"bounded,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Percentiles of a latency distribution.
type Percentiles struct {
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P95  time.Duration `json:"p95_ns"`
	P99  time.Duration `json:"p99_ns"`
	P999 time.Duration `json:"p999_ns"`
	Max  time.Duration `json:"max_ns"`
	Mean time.Duration `json:"mean_ns"`
}

// ClientConns is the client's view of connections, from httptrace.
type ClientConns struct {
	Dials         int64         `json:"dials"`
	DialErrors    int64         `json:"dialErrors"`
	Reused        int64         `json:"reused"`
	New           int64         `json:"new"`
	WasIdle       int64         `json:"wasIdle"`
	ReusePct      float64       `json:"reusePct"`
	TLSHandshakes int64         `json:"tlsHandshakes"`
	TLSResumed    int64         `json:"tlsResumed"`
	TLSErrors     int64         `json:"tlsErrors"`
	ConnWaitMean  time.Duration `json:"connWaitMean_ns"`
	ConnWaitMax   time.Duration `json:"connWaitMax_ns"`
	TTFBMean      time.Duration `json:"ttfbMean_ns"`
	// IdleReturned and IdleRejected count connections the pool kept and
	// refused (closed) after use: refusals are MaxIdleConnsPerHost at work.
	IdleReturned int64 `json:"idleReturned,omitempty"`
	IdleRejected int64 `json:"idleRejected,omitempty"`
	// ConnWaitP99 is the 99th percentile of the wait for a connection
	// (httptrace GetConn to GotConn: dialing, or queueing under
	// MaxConnsPerHost), k6's http_req_blocked; ConnWaitHDR is that
	// distribution in microseconds (encoded like Arm.ServiceHDR), so
	// repetitions and shards merge it without loss.
	ConnWaitP99 time.Duration `json:"connWaitP99_ns"`
	ConnWaitHDR string        `json:"connWaitHdr,omitempty"`
	// Protocols counts responses by negotiated protocol, as net/http's
	// Response.Proto names it: {"HTTP/2.0": 12345}.
	Protocols map[string]int64 `json:"protocols,omitempty"`
	// TLS is what the arm's TLS handshakes negotiated, as the client saw
	// it (nil without TLS, or in results from before it was recorded).
	TLS *TLSSeen `json:"tls,omitempty"`
	// TimeWait counts the client's sockets towards the backend that entered
	// TIME_WAIT during the measured attack (from /proc/net/tcp and tcp6):
	// connections the client closed, each holding an ephemeral port for the
	// kernel's TIME_WAIT period. Nil when not measured (not Linux).
	TimeWait *int64 `json:"timeWait,omitempty"`
}

// Protocol names the protocols the responses came on, e.g. "HTTP/2.0" or
// "HTTP/1.1 97%, HTTP/2.0 3%"; "" when none was counted.
func (c ClientConns) Protocol() string {
	var total int64
	names := make([]string, 0, len(c.Protocols))
	for p, n := range c.Protocols {
		total += n
		names = append(names, p)
	}
	if total == 0 {
		return ""
	}
	sort.Strings(names)
	if len(names) == 1 {
		return names[0]
	}
	sort.SliceStable(names, func(i, j int) bool { return c.Protocols[names[i]] > c.Protocols[names[j]] })
	parts := make([]string, len(names))
	for i, p := range names {
		parts[i] = fmt.Sprintf("%s %s", p, Pct(100*float64(c.Protocols[p])/float64(total)))
	}
	return strings.Join(parts, ", ")
}

// Protocol names as net/http's Response.Proto spells them, the keys of
// ClientConns.Protocols and ServerConns.Protocols. They are the strings
// targets/transport counts by (transport.ProtoHTTP11, transport.ProtoHTTP2),
// copied for the reason the profile names are (see ProfileDefault) and held
// equal by the same test.
const (
	ProtoHTTP11 = "HTTP/1.1"
	ProtoHTTP2  = "HTTP/2.0"
)

// ServerConns is the backend's own count: ground truth beside the client's.
type ServerConns struct {
	Known         bool  `json:"known"`
	Accepted      int64 `json:"accepted"`
	TLSHandshakes int64 `json:"tlsHandshakes"`
	TLSResumed    int64 `json:"tlsResumed"`
	Requests      int64 `json:"requests"`
	// Protocols counts requests by protocol as the server received them.
	Protocols map[string]int64 `json:"protocols,omitempty"`
	// ConnsPeak is the most connections the server held open at once.
	ConnsPeak int64 `json:"connsPeak,omitempty"`
	// InflightRejectedReadOnly and InflightRejectedMutating count the
	// requests the mock's API-server flow control answered 429
	// (maxRequestsInflight, maxMutatingRequestsInflight).
	InflightRejectedReadOnly int64 `json:"inflightRejectedReadOnly,omitempty"`
	InflightRejectedMutating int64 `json:"inflightRejectedMutating,omitempty"`
}

// Ratio compares an arm with the baseline arm: Arm/Baseline for req/s (higher
// is better) and for each latency percentile (lower is better).
type Ratio struct {
	Arm       string  `json:"arm"`
	Baseline  string  `json:"baseline"`
	ReqPerSec float64 `json:"reqPerSec"`
	P50       float64 `json:"p50"`
	P95       float64 `json:"p95"`
	P99       float64 `json:"p99"`
	P999      float64 `json:"p999"`
}

// ThresholdResult is one threshold evaluated on one arm (or arm pair).
type ThresholdResult struct {
	Expr string `json:"expr"`
	// Arm is the arm evaluated, or "tuned/default" for a ratio.
	Arm string `json:"arm"`
	// Point names the sweep point, empty outside sweeps.
	Point    string  `json:"point,omitempty"`
	Required bool    `json:"required"`
	Measured float64 `json:"measured"`
	// MeasuredText is Measured in the metric's unit, with its interval when known.
	MeasuredText string `json:"measuredText"`
	Pass         bool   `json:"pass"`
	Note         string `json:"note,omitempty"`
}

// Claim is the measured verdict on one claim of a claim set (the seed's
// results document's, in a run's results.json).
type Claim struct {
	Claim      string `json:"claim"`
	Measured   string `json:"measured"`
	Conditions string `json:"conditions"`
	// Verdict is one of holds, holds only when, does not hold, not measurable here.
	Verdict string `json:"verdict"`
	// Reason completes the verdict: the conditions it holds under, or why not.
	Reason string `json:"reason,omitempty"`
}

// OpenLoad compares the open model's offered load with what the generator
// really sent, and says whether the generator kept up: a saturated generator
// invalidates the run, because the target was then never offered the load.
type OpenLoad struct {
	// Shape is the arrival pattern, e.g. "constant 200/s", "bursts of 20 every 100ms".
	Shape string `json:"shape"`
	// RequestedRate is the mean asked rate over the duration, req/s.
	RequestedRate float64 `json:"requestedRate"`
	// RequestedHits is how many hits the pacer asked for within the duration;
	// SentHits how many were sent.
	RequestedHits int64 `json:"requestedHits"`
	SentHits      int64 `json:"sentHits"`
	// AchievedRate is SentHits per second of the duration.
	AchievedRate float64 `json:"achievedRate"`
	// AchievedPct is 100*SentHits/RequestedHits.
	AchievedPct float64 `json:"achievedPct"`
	// LateHits were picked up more than LateAfter after they were due.
	LateHits  int64         `json:"lateHits"`
	LateAfter time.Duration `json:"lateAfter_ns"`
	LagP99    time.Duration `json:"lagP99_ns"`
	// Saturated is set when the generator fell behind (sent < 99% of asked,
	// lag p99 > LateAfter) or the machine's CPUs were busy; Reason says which.
	Saturated bool   `json:"saturated"`
	Reason    string `json:"reason,omitempty"`
}

// SearchRun is one repetition's search for the highest rate an arm sustains.
type SearchRun struct {
	// MaxRate is the highest probed rate that passed, req/s (0 when none did).
	MaxRate float64 `json:"maxRate"`
	// SLO and Percentile: a probe passes when that percentile of response
	// time (from the intended send time) is within SLO, and the achieved
	// rate and success meet AchievedPct and SuccessPct.
	SLO         time.Duration `json:"slo_ns"`
	Percentile  float64       `json:"percentile"`
	AchievedPct float64       `json:"achievedPct"`
	SuccessPct  float64       `json:"successPct"`
	Probes      []Probe       `json:"probes"`
	// Capped: even the highest allowed rate passed. Floor: even the lowest failed.
	Capped bool `json:"capped,omitempty"`
	Floor  bool `json:"floor,omitempty"`
}

// Probe is one constant-rate attack of a search.
type Probe struct {
	Rate         float64       `json:"rate"`
	AchievedRate float64       `json:"achievedRate"`
	SuccessPct   float64       `json:"successPct"`
	Latency      time.Duration `json:"latency_ns"`
	Pass         bool          `json:"pass"`
	Reason       string        `json:"reason,omitempty"`
}

// Sweep is a scenario run once per combination of parameter values.
type Sweep struct {
	// Params names the swept parameters, e.g. concurrency, rtt, tls.
	Params []string     `json:"params"`
	Points []SweepPoint `json:"points"`
}

// SweepPoint is the result at one combination; Values are in Params order.
type SweepPoint struct {
	Values []string `json:"values"`
	Result Scenario `json:"result"`
}

// Label names the point, e.g. "concurrency=20 rtt=5ms tls=on".
func (s Sweep) Label(p SweepPoint) string {
	parts := make([]string, 0, len(s.Params))
	for i, name := range s.Params {
		if i < len(p.Values) {
			parts = append(parts, name+"="+p.Values[i])
		}
	}
	return strings.Join(parts, " ")
}

// EachRun calls f for every result that holds arms: each scenario without a
// sweep (point "") and each point of a sweep, with the point's label.
func (r *Results) EachRun(f func(scenario, point string, s Scenario)) {
	for _, s := range r.Scenarios {
		if s.Failed() {
			continue
		}
		eachRun(s.Name, "", s, f)
	}
}

func eachRun(scenario, point string, s Scenario, f func(scenario, point string, s Scenario)) {
	if s.Sweep == nil {
		f(scenario, point, s)
		return
	}
	for _, p := range s.Sweep.Points {
		eachRun(scenario, strings.TrimSpace(point+" "+s.Sweep.Label(p)), p.Result, f)
	}
}

// RunLabel names a result of EachRun: the scenario, with the sweep point in
// brackets when there is one.
func RunLabel(scenario, point string) string {
	if point == "" {
		return scenario
	}
	return scenario + " [" + point + "]"
}

// LeakSummary is the watcher's leak check: Cycles start/close rounds, the
// goroutines before and after, and how long Close took.
type LeakSummary struct {
	Cycles           int           `json:"cycles"`
	Leaked           bool          `json:"leaked"`
	GoroutinesBefore int           `json:"goroutinesBefore"`
	GoroutinesAfter  int           `json:"goroutinesAfter"`
	CloseP50         time.Duration `json:"closeP50_ns"`
	CloseP99         time.Duration `json:"closeP99_ns"`
}

// SetupCost compares one request sent, one at a time, on fresh connections
// (dial and, with TLS, a full handshake each time) with the same request on
// one kept-alive connection: the difference is what a new connection costs
// on this path, handler time cancelling out.
type SetupCost struct {
	Route     string        `json:"route"`
	N         int           `json:"n"`
	TLS       bool          `json:"tls"`
	FreshP50  time.Duration `json:"freshP50_ns"`
	ReusedP50 time.Duration `json:"reusedP50_ns"`
	// ResumedP50 is the same request on fresh connections whose TLS
	// handshake resumed a session from a cache (Resumed of them did); 0
	// without TLS or when no handshake resumed.
	ResumedP50 time.Duration `json:"resumedP50_ns,omitempty"`
	Resumed    int           `json:"resumed,omitempty"`
	// Protocol is the protocol the probe's responses came on.
	Protocol string `json:"protocol,omitempty"`
}

// Cost is FreshP50 - ReusedP50, at least 0.
func (c SetupCost) Cost() time.Duration { return max(0, c.FreshP50-c.ReusedP50) }

// Speedup is FreshP50 / ReusedP50, 0 when unknown.
func (c SetupCost) Speedup() float64 {
	if c.ReusedP50 <= 0 {
		return 0
	}
	return float64(c.FreshP50) / float64(c.ReusedP50)
}

// Soak is a soak run: a steady load held for a while against each subject
// (a transport arm, the watcher) while the harness sampled its resources
// at a fixed interval, and the slope of each resource over time.
type Soak struct {
	// Duration is the whole soak's planned wall time; each phase got an
	// equal share of it.
	Duration time.Duration `json:"duration_ns"`
	// PlannedPhases is how many phases shared Duration (0 in results from
	// before it was recorded: then the phases that ran).
	PlannedPhases int `json:"plannedPhases,omitempty"`
	// Interval is the sampling interval; Warmup the start of each phase
	// left out of the fits.
	Interval time.Duration `json:"interval_ns"`
	Warmup   time.Duration `json:"warmup_ns"`
	// Layout says what each series is of, e.g. "the phases ran one after
	// another in the harness's process; the mock ran in a child process".
	Layout string `json:"layout"`
	// Load describes the offered load and the faults the mock injected.
	Load string `json:"load"`
	// Partial is set when the soak was interrupted: the slopes cover what
	// ran.
	Partial bool `json:"partial,omitempty"`
	// Concurrent is set when every subject ran at once, each in a process
	// of its own, for the whole Duration (then each phase is a subject, and
	// spans Duration); unset in results of soaks that ran phases one after
	// another in the harness's process.
	Concurrent bool `json:"concurrent,omitempty"`
	// Checkpoint, when set, is how far into a soak still running this
	// report was written (a checkpoint, replaced by the next and by the
	// final report).
	Checkpoint time.Duration `json:"checkpoint_ns,omitempty"`
	Phases     []SoakPhase   `json:"phases"`
}

// Roles of a soak phase that is not a subject the claims are judged on.
const (
	// SoakRoleLeakControl is a subject that leaks on purpose: the soak
	// must flag it, or its verdicts are void.
	SoakRoleLeakControl = "leak-control"
	// SoakRoleHarness is the harness's own process, sampled as a
	// reference.
	SoakRoleHarness = "harness"
)

// SoakPhase is one subject soaked: an arm's transport under the open load,
// or the watcher processing a stream of intents.
type SoakPhase struct {
	// Name is the arm's name, or "watcher".
	Name string `json:"name"`
	// Subject says what ran, e.g. "transport profile tuned, open 50 req/s".
	Subject string `json:"subject"`
	// Elapsed is how long the phase ran.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Requests (intents for the watcher) sent and how many failed (an
	// error or a non-2xx status, or an intent moved to failed/).
	Requests int64 `json:"requests"`
	Failures int64 `json:"failures"`
	// Errors counts the failures by kind.
	Errors map[string]int64 `json:"errors,omitempty"`
	Series []SoakSeries     `json:"series"`
	// Role is "" for a subject, else SoakRoleLeakControl or
	// SoakRoleHarness.
	Role string `json:"role,omitempty"`
	// Baseline marks the baseline arm (the default transport, or
	// claims.baseline): shown, but the seed's claims are about the tuned
	// client, not about the one its tuning replaced.
	Baseline bool `json:"baseline,omitempty"`
	// Base is, for the leak control, the arm whose client it runs: its
	// deliberate leak must show above that arm's own slope.
	Base string `json:"base,omitempty"`
	// PID is the subject's process; GCCycles the collections it had
	// completed at its last sample (one is forced per sample).
	PID      int    `json:"pid,omitempty"`
	GCCycles uint64 `json:"gcCycles,omitempty"`
}

// Soak series names and their units.
const (
	SoakRSS        = "rss"
	SoakHeap       = "heap"
	SoakGoroutines = "goroutines"
	SoakFDs        = "fds"
	SoakTimeWait   = "timewait"
	SoakThreads    = "threads"
)

// SoakSeries is one resource sampled over a phase: the points kept (a
// fixed-size buffer, downsampled by averaging on long runs) and the slope
// fitted to them after the warm-up.
type SoakSeries struct {
	Name string `json:"name"`
	// Unit of the values and of the slope per hour: "MB", "goroutines",
	// "fds", "sockets".
	Unit string `json:"unit"`
	// NotMeasured says why the series could not be sampled here; the
	// series is then empty.
	NotMeasured string `json:"notMeasured,omitempty"`
	// Samples is how many samples were taken; each point averages
	// PerPoint of them.
	Samples  int         `json:"samples"`
	PerPoint int         `json:"perPoint"`
	Points   []SoakPoint `json:"points"`
	// AfterGC is set when each value was read right after a collection
	// (the live heap): no sawtooth to see through.
	AfterGC bool `json:"afterGC,omitempty"`
	// Slope is the fit; nil when too few points followed the warm-up.
	Slope *SlopeResult `json:"slope,omitempty"`
}

// SoakPoint is one point of a series: seconds since the phase began and the
// value in the series' unit.
type SoakPoint struct {
	T float64 `json:"t_s"`
	V float64 `json:"v"`
}

// SlopeResult is a Theil–Sen slope per hour with its confidence interval.
type SlopeResult struct {
	// PerHour is the slope in the series' unit per hour; [Lo, Hi] its
	// interval at Confidence.
	PerHour    float64 `json:"perHour"`
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	Confidence float64 `json:"confidence"`
	// Resolution is the smallest slope per hour this fit could have told
	// from 0: the larger of the interval's half-width and one unit of the
	// series' measurement step over the fitted span.
	Resolution float64 `json:"resolution"`
	// N points fitted, spanning Span after the warm-up.
	N    int           `json:"n"`
	Span time.Duration `json:"span_ns"`
}

// Growth says what the interval shows: "growth" when it lies above 0,
// "decline" below 0, else "none detected".
func (s SlopeResult) Growth() string {
	switch {
	case s.Lo > 0:
		return "growth"
	case s.Hi < 0:
		return "decline"
	}
	return "none detected"
}

// PerHourText writes a slope per hour in unit u with 3 significant digits
// and a sign, e.g. "+1.23 MB/h", "−0.5 goroutines/h", "0 fds/h".
func PerHourText(v float64, u string) string {
	return SignedNum(v) + " " + u + "/h"
}

// SignedNum writes v with 3 significant digits and a sign: "+1.23",
// "−0.0456", "0".
func SignedNum(v float64) string {
	if v == 0 {
		return "0"
	}
	s := strconv.FormatFloat(v, 'g', 3, 64)
	if strings.ContainsAny(s, "e") && (v >= 1 || v <= -1) {
		s = strconv.FormatFloat(v, 'f', 0, 64)
	}
	if v > 0 {
		return "+" + s
	}
	return "−" + strings.TrimPrefix(s, "-")
}

// Text writes the slope with its interval and resolution, e.g.
// "+1.2 MB/h [−0.4, +2.8] (resolution ±1.6 MB/h)".
func (s SlopeResult) Text(unit string) string {
	return fmt.Sprintf("%s [%s, %s] (resolution ±%s %s/h)", PerHourText(s.PerHour, unit), SignedNum(s.Lo), SignedNum(s.Hi),
		strings.TrimPrefix(SignedNum(s.Resolution), "+"), unit)
}
