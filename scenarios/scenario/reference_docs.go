package scenario

// referenceIntro opens REFERENCE.md.
const referenceIntro = `# Scenario reference

Every key of a scenario file (` + "`apiVersion: oranbench/v1`, `kind: Scenario`" + `), with its
type, default, valid values and an example. A key left out takes its default. A key that is not
listed here is refused with the file, line and the keys valid at that place.

This file is generated from the scenario language itself (` + "`scenarios/scenario/reference_docs.go`" + `);
` + "`go test ./scenarios/scenario -run TestReference -update`" + ` rewrites it, and the test fails
when a key is added to the language without an entry here, or an example stops parsing.

Paths: ` + "`a.b`" + ` is key b inside mapping a; ` + "`a[]`" + ` is any element of list a; ` + "`<route>`" + `
stands for any key of a mapping. Types used at several places (latency, faults, capacity, sweep,
netFault) are described once, in a section of their own.

Durations are Go durations (` + "`250ms`, `5s`, `1m30s`" + `). Byte rates are bytes per second,
an integer or a string with a unit (` + "`64KB/s`, `10MB/s`, `1MiB/s`" + `).
`

// sectionIntro introduces each section of shared keys.
var sectionIntro = map[string]string{
	"":         "The top-level keys and those that appear at one place only.",
	"capacity": "A saturating backend: concurrent work beyond `maxInFlight` queues, and beyond the queue is refused with 503. Used at `backend.capacity` and `backend.routes.<route>.capacity`.",
	"faults":   "Faults the mock injects into answers, each a probability per request. Used at `backend.faults` and `backend.routes.<route>.faults`.",
	"latency":  "A service-time model: a duration (fixed) or a distribution. Used at `backend.latency` and `backend.routes.<route>.latency`.",
	"netFault": "One TCP-level fault, applied by Toxiproxy to a fraction of connections. Used at `backend.netFaults.resetPeer`, `.timeout` and `.slowClose`.",
	"sweep":    "Values per parameter; the scenario runs once per combination, each a full interleaved run with its own backend. Used at `sweep` and `quick.sweep`.",
}

// referenceDocs documents every key Keys returns.
var referenceDocs = []KeyDoc{
	{Path: "apiVersion", Valid: "`oranbench/v1`", Text: "The version of the scenario language.", Example: "apiVersion: oranbench/v1"},
	{Path: "kind", Valid: "`Scenario`", Text: "The kind of document.", Example: "kind: Scenario"},
	{Path: "name", Valid: "1 to 63 lower-case letters, digits and dashes", Text: "The scenario's name: the report's section, file names and `oranbench run NAME`.", Example: "name: my-porch-reads"},
	{Path: "description", Default: "empty", Valid: "any text", Text: "What the scenario measures and why, shown under its heading in the report.", Example: "description: Porch reads at 200 in flight, tuned against the default transport"},

	{Path: "backend", Default: "the in-process mock with its defaults", Text: "Where the load goes: the mock (its behaviour below) or an external server (`target`).", Example: "backend:\n  tls: true\n  latency: 5ms"},
	{Path: "backend.preset", Default: "none: the mock's defaults", Valid: "`fast`, `realistic`, `flaky`", Text: "A named mock behaviour to start from; the keys beside it override it.", Example: "backend:\n  preset: realistic"},
	{Path: "backend.tls", Default: "`false`", Valid: "`true`, `false`", Text: "Serve the mock over TLS with a private CA the arms trust.", Example: "backend:\n  tls: true"},
	{Path: "backend.tlsVersion", Default: "empty: TLS 1.2 and 1.3", Valid: "`\"1.2\"`, `\"1.3\"`; needs `tls: true`", Text: "The only TLS version the mock accepts.", Example: "backend:\n  tls: true\n  tlsVersion: \"1.3\""},
	{Path: "backend.http2", Default: "`false`", Valid: "`true`, `false`", Text: "Offer HTTP/2 (h2 by ALPN with TLS, h2c without): the arm's transport decides whether it is used.", Example: "backend:\n  tls: true\n  http2: true"},
	{Path: "backend.h2MaxStreams", Default: "100, as a Kubernetes API server", Valid: "1 to 1048576 (0: the default)", Text: "The mock's limit of concurrent HTTP/2 streams per connection.", Example: "backend:\n  http2: true\n  h2MaxStreams: 250"},
	{Path: "backend.latency", Default: "0: answer at once", Text: "Every route's service time (see section latency).", Example: "backend:\n  latency: 10ms"},
	{Path: "backend.faults", Default: "none", Text: "Faults on every route (see section faults).", Example: "backend:\n  faults:\n    errorRates: {503: 0.01}"},
	{Path: "backend.capacity", Default: "unlimited", Text: "A concurrency limit on every route (see section capacity).", Example: "backend:\n  capacity:\n    maxInFlight: 64"},
	{Path: "backend.routes", Default: "none", Valid: "a mock route (`a1.policy.put`) or group (`a1`, `e2`, `porch`, `rag`, `llm`) as key", Text: "Behaviour per route or group, overriding `backend.latency`, `faults` and `capacity`.", Example: "backend:\n  routes:\n    porch:\n      latency: 20ms"},
	{Path: "backend.routes.<route>.latency", Default: "`backend.latency`", Text: "The route's service time (see section latency).", Example: "backend:\n  routes:\n    llm.chat:\n      latency: {kind: lognormal, p50: 200ms, p99: 2s}"},
	{Path: "backend.routes.<route>.faults", Default: "`backend.faults`", Text: "The route's faults (see section faults).", Example: "backend:\n  routes:\n    a1:\n      faults: {rateLimit: 0.05}"},
	{Path: "backend.routes.<route>.capacity", Default: "`backend.capacity`", Text: "The route's concurrency limit (see section capacity); routes of one group share it.", Example: "backend:\n  routes:\n    porch:\n      capacity: {maxInFlight: 32, queueDepth: 64}"},
	{Path: "backend.rtt", Default: "0", Valid: ">= 0", Text: "Emulated network round-trip time between client and mock (Toxiproxy latency, half each way).", Example: "backend:\n  rtt: 20ms"},
	{Path: "backend.jitter", Default: "0", Valid: ">= 0; needs `rtt`", Text: "Random variation of the emulated RTT.", Example: "backend:\n  rtt: 20ms\n  jitter: 2ms"},
	{Path: "backend.bandwidth", Default: "unlimited", Valid: "> 0", Text: "Emulated bandwidth of each connection (Toxiproxy).", Example: "backend:\n  bandwidth: 10MB/s"},
	{Path: "backend.connSetupDelay", Default: "0", Valid: ">= 0", Text: "Extra delay before each new connection's first byte: the cost of a dial the RTT does not show (a load balancer, a sidecar).", Example: "backend:\n  connSetupDelay: 5ms"},
	{Path: "backend.netFaults", Default: "none", Text: "TCP-level faults applied by Toxiproxy (see section netFault).", Example: "backend:\n  netFaults:\n    resetPeer: {rate: 0.01, after: 1ms}"},
	{Path: "backend.netFaults.resetPeer", Default: "off", Text: "Reset the connection (RST) after its first bytes.", Example: "backend:\n  netFaults:\n    resetPeer: {rate: 0.02}"},
	{Path: "backend.netFaults.timeout", Default: "off", Text: "Swallow all data of the connection; close it after `after` (0: never).", Example: "backend:\n  netFaults:\n    timeout: {rate: 0.01, after: 5s}"},
	{Path: "backend.netFaults.slowClose", Default: "off", Text: "Delay the close of a connection by `after`.", Example: "backend:\n  netFaults:\n    slowClose: {rate: 0.1, after: 100ms}"},
	{Path: "backend.enforceDelay", Default: "0", Valid: ">= 0", Text: "How long an A1 policy stays NOT_ENFORCED before it reads ENFORCED.", Example: "backend:\n  enforceDelay: 2s"},
	{Path: "backend.tokenDelay", Default: "0", Valid: ">= 0", Text: "The LLM routes' delay between streamed tokens.", Example: "backend:\n  tokenDelay: 20ms"},
	{Path: "backend.llmTokens", Default: "32", Valid: "1 to 100000 (0: the default)", Text: "Tokens in each LLM answer.", Example: "backend:\n  llmTokens: 256"},
	{Path: "backend.maxObjects", Default: "100000", Valid: "> 0 (0: the default)", Text: "Objects each of the mock's stores holds at most.", Example: "backend:\n  maxObjects: 5000"},
	{Path: "backend.maxStoreBytes", Default: "64 MiB", Valid: ">= 16 KiB and >= the largest body (0: the default)", Text: "Bytes each of the mock's stores holds at most (an estimate); the oldest objects go beyond it.", Example: "backend:\n  maxStoreBytes: 16777216"},
	{Path: "backend.maxWatches", Default: "1000", Valid: "> 0 (0: the default)", Text: "Open watches the mock serves at once; one more gets 429 with Retry-After.", Example: "backend:\n  maxWatches: 100"},
	{Path: "backend.target", Default: "empty: the mock", Valid: "an absolute `http://` or `https://` base URL without a path; loopback unless `run --allow-remote`", Text: "Send the load to an external server instead of the mock. The server's own counts are then unknown.", Example: "backend:\n  target: https://127.0.0.1:8443"},
	{Path: "backend.caCert", Default: "empty: the system's roots", Valid: "a PEM file; only with an `https` target", Text: "The CA the arms trust for an external https target. Certificate checks are never skipped.", Example: "backend:\n  target: https://127.0.0.1:8443\n  caCert: ca.pem"},
	{Path: "backend.isolation", Default: "`auto`", Valid: "`auto` (process where supported: Linux with 2 CPUs or more), `process`, `in-process`", Text: "Where the mock runs: in a child process on CPUs of its own, or in the generator's process.", Example: "backend:\n  isolation: process"},
	{Path: "backend.cpus", Default: "the backend gets the last CPU, the generator the others", Valid: "only with process isolation", Text: "The split of CPUs between generator and a process-isolated mock.", Example: "backend:\n  cpus: {generator: \"0\", backend: \"1\"}"},
	{Path: "backend.cpus.generator", Default: "every allowed CPU but the last", Valid: "a CPU list (`0`, `0-2`, `0,2`) of CPUs this process may use", Text: "The generator's CPUs.", Example: "backend:\n  cpus: {generator: \"0-2\", backend: \"3\"}"},
	{Path: "backend.cpus.backend", Default: "the last allowed CPU", Valid: "a CPU list apart from the generator's", Text: "The mock's CPUs.", Example: "backend:\n  cpus: {generator: \"0\", backend: \"1\"}"},

	{Path: "mix", Valid: "at least one entry", Text: "The request mix: routes of the mock's catalog, multi-step flows or custom requests, each with a weight.", Example: "mix:\n  - {route: porch.k8s.get, weight: 8}\n  - {route: porch.k8s.create, weight: 2}"},
	{Path: "mix[].route", Valid: "a route of the mock's catalog (mockbackend/README.md, \"Route catalog\"); an unknown name is refused with the list", Text: "One catalog route; its path and body are filled per request.", Example: "mix:\n  - route: a1.policy.put"},
	{Path: "mix[].flow", Valid: "a catalog flow (e.g. `a1.policy.lifecycle`); an unknown name is refused with the list", Text: "A multi-step flow, one request per step, counted as one entry.", Example: "mix:\n  - flow: a1.policy.lifecycle"},
	{Path: "mix[].request", Text: "A custom request, for paths the catalog does not name.", Example: "mix:\n  - request: {method: GET, path: /healthz}"},
	{Path: "mix[].request.method", Default: "`GET`", Valid: "an HTTP method", Text: "The request's method.", Example: "mix:\n  - request: {method: POST, path: \"/items/{{id}}\", body: '{}'}"},
	{Path: "mix[].request.path", Valid: "a path starting with `/`; a template where `{{n}}` is the request number, `{{run}}` the run's unique prefix, `{{id}}` both", Text: "The request's path, relative to the backend.", Example: "mix:\n  - request: {path: \"/items/{{id}}\"}"},
	{Path: "mix[].request.body", Default: "empty", Valid: "a template, as `path`", Text: "The request's body.", Example: "mix:\n  - request: {method: PUT, path: \"/items/{{n}}\", body: '{\"n\": {{n}}}'}"},
	{Path: "mix[].request.headers", Default: "none", Valid: "header names and values; not Host, Content-Length, Transfer-Encoding or Connection", Text: "Headers of the custom request.", Example: "mix:\n  - request:\n      path: /v1/chat/completions\n      headers: {Accept: text/event-stream}"},
	{Path: "mix[].weight", Default: "1", Valid: ">= 1", Text: "The entry's share of the requests, relative to the others.", Example: "mix:\n  - {route: e2.subscription.create, weight: 3}\n  - {route: e2.subscription.delete, weight: 1}"},
	{Path: "mix[].body", Default: "the route's own body", Valid: "a template, as `request.path`", Text: "Replaces a catalog route's body.", Example: "mix:\n  - route: rag.query\n    body: '{\"query\": \"cell {{n}} capacity\"}'"},

	{Path: "load", Text: "How load is offered: the load model and its settings.", Example: "load:\n  model: closed\n  concurrency: 50"},
	{Path: "load.model", Valid: "`closed` (fixed concurrency), `open` (arrival rate), `search` (highest sustainable rate), `storm` (intent files through the watcher), `soak` (a steady load while resources are sampled)", Text: "The load model; it decides which of the keys below apply and which metric decides the run.", Example: "load:\n  model: open\n  rate: 500"},
	{Path: "load.concurrency", Valid: "1 to 10000; closed and storm models", Text: "Requests in flight at once, per arm (closed model).", Example: "load:\n  model: closed\n  concurrency: 200"},
	{Path: "load.rate", Valid: "> 0 and <= 1e6; open (with shape constant), search is separate, soak", Text: "Requests per second per arm.", Example: "load:\n  model: open\n  rate: 1000"},
	{Path: "load.maxWorkers", Default: "unbounded: vegeta adds workers when behind", Valid: ">= 0 (0: unbounded)", Text: "Caps the open model's workers, so a stalled backend shows as lag instead of more connections.", Example: "load:\n  model: open\n  rate: 1000\n  maxWorkers: 200"},
	{Path: "load.shape", Default: "`constant`", Valid: "`constant`, `ramp`, `sine`, `burst`", Text: "The open model's arrival shape; each but constant needs its block below.", Example: "load:\n  model: open\n  shape: ramp\n  ramp: {from: 100, to: 2000}"},
	{Path: "load.ramp", Valid: "with `shape: ramp`", Text: "A linear ramp of the rate over the duration.", Example: "load:\n  model: open\n  shape: ramp\n  ramp: {from: 10, to: 500}"},
	{Path: "load.ramp.from", Valid: "> 0 and <= 1e6", Text: "The starting rate, requests per second.", Example: "load:\n  model: open\n  shape: ramp\n  ramp: {from: 50, to: 500}"},
	{Path: "load.ramp.to", Valid: "> 0 and <= 1e6", Text: "The final rate, requests per second.", Example: "load:\n  model: open\n  shape: ramp\n  ramp: {from: 50, to: 5000}"},
	{Path: "load.sine", Valid: "with `shape: sine`", Text: "A rate that varies as mean ± amplitude over a period.", Example: "load:\n  model: open\n  shape: sine\n  sine: {mean: 500, amplitude: 300, period: 10s}"},
	{Path: "load.sine.mean", Valid: "> 0 and <= 1e6", Text: "The mean rate, requests per second.", Example: "load:\n  model: open\n  shape: sine\n  sine: {mean: 200, amplitude: 100, period: 5s}"},
	{Path: "load.sine.amplitude", Valid: ">= 0 and < mean", Text: "How far the rate swings above and below the mean.", Example: "load:\n  model: open\n  shape: sine\n  sine: {mean: 200, amplitude: 150, period: 5s}"},
	{Path: "load.sine.period", Valid: "> 0", Text: "The length of one cycle.", Example: "load:\n  model: open\n  shape: sine\n  sine: {mean: 200, amplitude: 100, period: 30s}"},
	{Path: "load.burst", Valid: "with `shape: burst`", Text: "Bursts of requests at once at a fixed interval: the arrival shape of fan-out and status polling.", Example: "load:\n  model: open\n  shape: burst\n  burst: {size: 20, every: 100ms}"},
	{Path: "load.burst.size", Valid: "1 to 10000", Text: "Requests sent at once in each burst.", Example: "load:\n  model: open\n  shape: burst\n  burst: {size: 50, every: 200ms}"},
	{Path: "load.burst.every", Valid: ">= 1ms; the bursts may add up to at most 1e6 req/s", Text: "The interval between bursts.", Example: "load:\n  model: open\n  shape: burst\n  burst: {size: 20, every: 50ms}"},
	{Path: "load.search", Valid: "with `model: search`", Text: "Finds, per arm, the highest constant rate that meets the SLO; each probe runs for `duration`.", Example: "load:\n  model: search\n  search: {slo: 50ms, percentile: 99}"},
	{Path: "load.search.slo", Valid: "> 0", Text: "The latency objective a probe's percentile of response time (from the intended send time) must meet.", Example: "load:\n  model: search\n  search: {slo: 100ms}"},
	{Path: "load.search.percentile", Default: "99", Valid: "> 0 and < 100", Text: "The percentile the SLO applies to.", Example: "load:\n  model: search\n  search: {slo: 100ms, percentile: 95}"},
	{Path: "load.search.minRate", Default: "1", Valid: "> 0 and < maxRate", Text: "The lowest rate the search tries, requests per second.", Example: "load:\n  model: search\n  search: {slo: 100ms, minRate: 50}"},
	{Path: "load.search.maxRate", Default: "20000", Valid: "> minRate and <= 1e6", Text: "The highest rate the search tries.", Example: "load:\n  model: search\n  search: {slo: 100ms, maxRate: 5000}"},
	{Path: "load.search.startRate", Default: "100, within minRate and maxRate", Valid: "between minRate and maxRate", Text: "The first probe's rate.", Example: "load:\n  model: search\n  search: {slo: 100ms, startRate: 1000}"},
	{Path: "load.search.steps", Default: "8", Valid: "2 to the maximum the error names", Text: "Probes per arm and repetition at most.", Example: "load:\n  model: search\n  search: {slo: 100ms, steps: 12}"},
	{Path: "load.search.achieved", Default: "99", Valid: "0 to 100 (percent)", Text: "The share of the asked rate a probe must achieve to pass.", Example: "load:\n  model: search\n  search: {slo: 100ms, achieved: 95}"},
	{Path: "load.search.success", Default: "99", Valid: "0 to 100 (percent)", Text: "The share of requests that must succeed for a probe to pass.", Example: "load:\n  model: search\n  search: {slo: 100ms, success: 99.9}"},
	{Path: "load.search.precision", Default: "5", Valid: "0.1 to 100 (percent)", Text: "The search stops when the bracket is narrower than this share of its lower end.", Example: "load:\n  model: search\n  search: {slo: 100ms, precision: 2}"},
	{Path: "load.storm", Valid: "with `model: storm`", Text: "Intent files written into a watched directory; the watcher submits each to the mock's Porch API through the arm's client.", Example: "load:\n  model: storm\n  storm: {intents: 200, intentsPerSec: 50}"},
	{Path: "load.storm.intents", Default: "100", Valid: "1 to the maximum the error names", Text: "Intent files written per arm and repetition.", Example: "load:\n  model: storm\n  storm: {intents: 500}"},
	{Path: "load.storm.intentsPerSec", Default: "0: all at once", Valid: ">= 0", Text: "The rate the files are written at.", Example: "load:\n  model: storm\n  storm: {intents: 500, intentsPerSec: 100}"},
	{Path: "load.storm.workers", Default: "the watcher's default", Valid: "1 to 4×NumCPU (0: the default)", Text: "The watcher's workers.", Example: "load:\n  model: storm\n  storm: {intents: 200, workers: 4}"},
	{Path: "load.storm.debounce", Default: "the watcher's default", Valid: "10ms to 5s (0: the default)", Text: "How long the watcher waits for a file to stop changing.", Example: "load:\n  model: storm\n  storm: {intents: 200, debounce: 50ms}"},
	{Path: "load.storm.stableFor", Default: "0", Valid: "at most 5s", Text: "How long a file must keep its size before it is read.", Example: "load:\n  model: storm\n  storm: {intents: 200, stableFor: 100ms}"},
	{Path: "load.storm.timeout", Default: "1m", Valid: "> 0", Text: "How long a storm may take before it is cut off and counted as such.", Example: "load:\n  model: storm\n  storm: {intents: 200, timeout: 2m}"},
	{Path: "load.soak", Valid: "with `model: soak`", Text: "A steady open load held while memory, goroutines, file descriptors and sockets are sampled; each gets a slope.", Example: "load:\n  model: soak\n  rate: 50\n  soak: {sampleEvery: 1s}"},
	{Path: "load.soak.sampleEvery", Default: "1s", Valid: "10ms to 1m", Text: "The sampling interval.", Example: "load:\n  model: soak\n  rate: 50\n  soak: {sampleEvery: 5s}"},
	{Path: "load.soak.intentsPerSec", Default: "10", Valid: "> 0 and <= 1000", Text: "The watcher subject's stream of intent files.", Example: "load:\n  model: soak\n  rate: 50\n  soak: {intentsPerSec: 20}"},
	{Path: "load.soak.workers", Default: "the watcher's default", Valid: "1 to 4×NumCPU (0: the default)", Text: "The watcher's workers.", Example: "load:\n  model: soak\n  rate: 50\n  soak: {workers: 2}"},
	{Path: "load.soak.watcher", Default: "`true`", Valid: "`true`, `false`", Text: "Whether the watcher is a soak subject.", Example: "load:\n  model: soak\n  rate: 50\n  soak: {watcher: false}"},
	{Path: "load.soak.watcherArm", Default: "the last arm", Valid: "one of the arms", Text: "The arm whose transport the watcher's Porch client uses.", Example: "load:\n  model: soak\n  rate: 50\n  soak: {watcherArm: tuned}"},
	{Path: "load.soak.requestTimeout", Default: "2s", Valid: "10ms to 5m", Text: "Bounds each request, replacing a longer client timeout, so an injected hang ends within the soak.", Example: "load:\n  model: soak\n  rate: 50\n  soak: {requestTimeout: 5s}"},

	{Path: "sweep", Default: "none: one run", Text: "Runs the scenario once per combination of its values (see section sweep).", Example: "sweep:\n  concurrency: [10, 100, 500]\n  tls: [true, false]"},

	{Path: "arms", Valid: "at least one; built-in profiles: `default`, `tuned`, `tuned-resume`, `tuned-h2`, `tuned-capped`, `client-go`", Text: "The transports compared, interleaved A B A B, each with a fresh client per repetition: a profile name, or an inline profile built from a base.", Example: "arms: [default, tuned, tuned-h2]"},
	{Path: "arms[].name", Valid: "a profile name, or a new name for an inline profile", Text: "The arm's name in the report.", Example: "arms:\n  - default\n  - {name: pool-100, base: tuned, config: {MaxIdleConnsPerHost: 100}}"},
	{Path: "arms[].base", Default: "`tuned` for an inline profile", Valid: "a built-in profile built from a configuration (`tuned`, `tuned-resume`, `tuned-h2`, `tuned-capped`)", Text: "The profile an inline arm starts from.", Example: "arms:\n  - {name: h2-small-pool, base: tuned-h2, config: {MaxIdleConnsPerHost: 4}}"},
	{Path: "arms[].description", Default: "derived from the changed fields", Valid: "any text", Text: "The arm's description in the report.", Example: "arms:\n  - {name: no-keepalive, base: tuned, description: every request on a new connection, config: {DisableKeepAlives: true}}"},
	{Path: "arms[].config", Default: "the base's configuration", Text: "Overrides of the base profile's `http.Transport` fields, by Go field name; a field left out keeps the base's value, 0 selects the factory default.", Example: "arms:\n  - {name: pool-200, base: tuned, config: {MaxIdleConns: 200, MaxIdleConnsPerHost: 200}}"},
	{Path: "arms[].config.MaxIdleConns", Valid: ">= 0", Text: "Idle connections kept across all hosts.", Example: "arms:\n  - {name: a, config: {MaxIdleConns: 500}}"},
	{Path: "arms[].config.MaxIdleConnsPerHost", Valid: ">= 0 (0: net/http's 2)", Text: "Idle connections kept per host; below the concurrency, connections churn.", Example: "arms:\n  - {name: a, config: {MaxIdleConnsPerHost: 100}}"},
	{Path: "arms[].config.MaxConnsPerHost", Valid: ">= 0 (0: unlimited)", Text: "Connections per host at most; beyond it requests wait for one.", Example: "arms:\n  - {name: a, config: {MaxConnsPerHost: 50}}"},
	{Path: "arms[].config.IdleConnTimeout", Valid: ">= 0", Text: "How long an idle connection is kept.", Example: "arms:\n  - {name: a, config: {IdleConnTimeout: 90s}}"},
	{Path: "arms[].config.TLSHandshakeTimeout", Valid: ">= 0", Text: "The longest TLS handshake.", Example: "arms:\n  - {name: a, config: {TLSHandshakeTimeout: 10s}}"},
	{Path: "arms[].config.DialTimeout", Valid: ">= 0", Text: "The longest TCP connect.", Example: "arms:\n  - {name: a, config: {DialTimeout: 5s}}"},
	{Path: "arms[].config.KeepAlive", Valid: ">= 0", Text: "The TCP keep-alive period of the dialer.", Example: "arms:\n  - {name: a, config: {KeepAlive: 30s}}"},
	{Path: "arms[].config.ResponseHeaderTimeout", Valid: ">= 0 (0: none)", Text: "The longest wait for response headers after the request is written.", Example: "arms:\n  - {name: a, config: {ResponseHeaderTimeout: 5s}}"},
	{Path: "arms[].config.ExpectContinueTimeout", Valid: ">= 0", Text: "The wait for a 100 Continue.", Example: "arms:\n  - {name: a, config: {ExpectContinueTimeout: 1s}}"},
	{Path: "arms[].config.DisableKeepAlives", Valid: "`true`, `false`", Text: "A new connection for every request.", Example: "arms:\n  - {name: a, config: {DisableKeepAlives: true}}"},
	{Path: "arms[].config.ForceAttemptHTTP2", Valid: "`true`, `false`", Text: "Negotiate HTTP/2 when the server offers it, even with a custom dialer or TLS configuration.", Example: "arms:\n  - {name: a, config: {ForceAttemptHTTP2: true}}"},
	{Path: "arms[].config.TLSSessionCacheSize", Valid: ">= 0 (0: no cache)", Text: "Entries of a TLS session cache, so new connections resume instead of a full handshake.", Example: "arms:\n  - {name: a, config: {TLSSessionCacheSize: 256}}"},
	{Path: "arms[].config.ClientTimeout", Valid: ">= 0 (0: none)", Text: "The `http.Client` timeout of a whole request.", Example: "arms:\n  - {name: a, config: {ClientTimeout: 30s}}"},

	{Path: "duration", Valid: "> 0", Text: "How long each arm runs per repetition (per probe for search), after the warm-up.", Example: "duration: 10s"},
	{Path: "warmup", Default: "0", Valid: ">= 0", Text: "Load sent before each measured window and not recorded: connections and TLS sessions are warm when measuring starts.", Example: "warmup: 500ms"},
	{Path: "repetitions", Default: "5", Valid: "1 to 100; 1 for a soak", Text: "Interleaved runs of each arm; the report's intervals come from them, and fewer than 3 make a verdict weak.", Example: "repetitions: 7"},
	{Path: "seed", Default: "1", Valid: "any integer", Text: "Seeds the mix's order and the mock's drawn latencies and faults, so runs repeat.", Example: "seed: 42"},
	{Path: "thresholds", Default: "none", Text: "Pass/fail criteria: a required failure makes `run` exit 1. An expression (`p99 < 250ms`, `ratio(tuned/default, req_per_s) >= 2`) or a mapping.", Example: "thresholds:\n  - p99 < 250ms\n  - {expr: success >= 99%, arm: tuned}"},
	{Path: "thresholds[].expr", Valid: "`METRIC OP VALUE` or `ratio(ARM/ARM, METRIC) OP VALUE`; metrics: p50, p90, p95, p99, max, mean, resp_p50, resp_p95, resp_p99, resp_max, lag_p99, req_per_s (rate), success, errors, reuse, http2, dials, tls_handshakes, conn_wait, max_rate, achieved", Text: "The criterion.", Example: "thresholds:\n  - expr: ratio(tuned/default, req_per_s) >= 1.5"},
	{Path: "thresholds[].arm", Default: "every arm", Valid: "one of the arms", Text: "Restricts a per-arm criterion to one arm.", Example: "thresholds:\n  - {expr: reuse >= 95%, arm: tuned}"},
	{Path: "thresholds[].required", Default: "`true`", Valid: "`true`, `false`", Text: "`false` reports the result without failing the run.", Example: "thresholds:\n  - {expr: p99 < 50ms, required: false}"},
	{Path: "thresholds[].point", Default: "every point", Valid: "sweep values as the report labels them", Text: "Restricts the criterion to the sweep points with these values.", Example: "thresholds:\n  - {expr: p99 < 100ms, point: \"tls=on concurrency=100\"}"},

	{Path: "quick", Default: "the full settings", Text: "Shorter settings for `run --quick` (CI-sized runs).", Example: "quick:\n  duration: 2s\n  repetitions: 3"},
	{Path: "quick.duration", Default: "`duration`", Valid: "> 0", Text: "Replaces `duration`.", Example: "quick:\n  duration: 1s"},
	{Path: "quick.warmup", Default: "`warmup`", Valid: ">= 0", Text: "Replaces `warmup`.", Example: "quick:\n  warmup: 200ms"},
	{Path: "quick.repetitions", Default: "`repetitions`", Valid: "1 to 100 (0: keep)", Text: "Replaces `repetitions`.", Example: "quick:\n  repetitions: 3"},
	{Path: "quick.sweep", Default: "`sweep`", Text: "Replaces the sweep's values (see section sweep).", Example: "quick:\n  sweep:\n    concurrency: [10, 100]"},
	{Path: "quick.steps", Default: "`load.search.steps`", Valid: "2 to the search maximum (0: keep)", Text: "Replaces the search's step budget.", Example: "quick:\n  steps: 4"},
	{Path: "quick.intents", Default: "`load.storm.intents`", Valid: "1 to the storm maximum (0: keep)", Text: "Replaces the storm's size.", Example: "quick:\n  intents: 50"},
	{Path: "quick.sampleEvery", Default: "`load.soak.sampleEvery`", Valid: "10ms to 1m; soak model only", Text: "Replaces a soak's sampling interval.", Example: "quick:\n  sampleEvery: 200ms"},

	{Path: "claims", Default: "the arms built from the `default` and `tuned` profiles", Text: "The arms the seed-claims table compares.", Example: "claims: {baseline: default, candidate: pool-100}"},
	{Path: "claims.baseline", Valid: "one of the arms", Text: "The arm the claims compare against.", Example: "claims: {baseline: default, candidate: tuned-h2}"},
	{Path: "claims.candidate", Valid: "one of the arms, not the baseline", Text: "The arm the claims are about.", Example: "claims: {baseline: default, candidate: tuned-h2}"},

	{Path: "capacity.maxInFlight", Default: "0: unlimited", Valid: ">= 0", Text: "Requests served at once.", Example: "backend:\n  capacity: {maxInFlight: 16}"},
	{Path: "capacity.queueDepth", Default: "0: no queue", Valid: ">= 0", Text: "Requests that may wait beyond `maxInFlight`; more get 503.", Example: "backend:\n  capacity: {maxInFlight: 16, queueDepth: 100}"},
	{Path: "capacity.queueTimeout", Default: "0: wait until the client gives up", Valid: ">= 0", Text: "The longest wait in the queue before a 503.", Example: "backend:\n  capacity: {maxInFlight: 16, queueDepth: 100, queueTimeout: 1s}"},

	{Path: "faults.errorRates", Default: "none", Valid: "HTTP status codes 400 to 599 as keys, probabilities 0 to 1 as values", Text: "Answers with these statuses at these rates.", Example: "backend:\n  faults:\n    errorRates: {500: 0.01, 503: 0.02}"},
	{Path: "faults.rateLimit", Default: "0", Valid: "0 to 1", Text: "The probability of a 429 with Retry-After.", Example: "backend:\n  faults: {rateLimit: 0.05}"},
	{Path: "faults.retryAfter", Default: "1s", Valid: ">= 0", Text: "The Retry-After of a 429 or 503.", Example: "backend:\n  faults: {rateLimit: 0.05, retryAfter: 2s}"},
	{Path: "faults.hang", Default: "0", Valid: "0 to 1", Text: "The probability of never answering until the client gives up.", Example: "backend:\n  faults: {hang: 0.001}"},
	{Path: "faults.closeMidResponse", Default: "0", Valid: "0 to 1", Text: "The probability of sending half a body, then dropping the connection (HTTP/2: resetting the stream).", Example: "backend:\n  faults: {closeMidResponse: 0.01}"},
	{Path: "faults.failFirst", Default: "0", Valid: ">= 0", Text: "Answers the first n requests of each route with 503 and Retry-After: a backend still starting up.", Example: "backend:\n  faults: {failFirst: 10}"},

	{Path: "latency.kind", Default: "`fixed` when written as a duration", Valid: "`fixed` (value), `uniform` (min, max), `normal` (mean and stddev, or p50 and p99), `lognormal` (p50 and p99)", Text: "The distribution of service times.", Example: "backend:\n  latency: {kind: uniform, min: 1ms, max: 9ms}"},
	{Path: "latency.value", Valid: ">= 0; kind fixed", Text: "The fixed service time (the same as writing the duration alone).", Example: "backend:\n  latency: {kind: fixed, value: 5ms}"},
	{Path: "latency.min", Valid: ">= 0; kind uniform", Text: "The shortest service time.", Example: "backend:\n  latency: {kind: uniform, min: 2ms, max: 8ms}"},
	{Path: "latency.max", Valid: "> min; kind uniform", Text: "The longest service time.", Example: "backend:\n  latency: {kind: uniform, min: 2ms, max: 20ms}"},
	{Path: "latency.mean", Valid: ">= 0; kind normal", Text: "The mean service time.", Example: "backend:\n  latency: {kind: normal, mean: 10ms, stddev: 2ms}"},
	{Path: "latency.stddev", Valid: ">= 0; kind normal", Text: "The standard deviation.", Example: "backend:\n  latency: {kind: normal, mean: 10ms, stddev: 3ms}"},
	{Path: "latency.p50", Valid: "> 0; kinds normal and lognormal", Text: "The median service time.", Example: "backend:\n  latency: {kind: lognormal, p50: 5ms, p99: 50ms}"},
	{Path: "latency.p99", Valid: "> p50; kinds normal and lognormal", Text: "The 99th percentile of service time.", Example: "backend:\n  latency: {kind: lognormal, p50: 5ms, p99: 80ms}"},
	{Path: "latency.cap", Default: "none (lognormal from a preset: 10×p99)", Valid: ">= 0", Text: "Service times are clamped at this.", Example: "backend:\n  latency: {kind: lognormal, p50: 5ms, p99: 50ms, cap: 200ms}"},

	{Path: "netFault.rate", Default: "0: off", Valid: "0 to 1", Text: "The fraction of connections affected (Toxiproxy's toxicity).", Example: "backend:\n  netFaults:\n    resetPeer: {rate: 0.05}"},
	{Path: "netFault.after", Default: "0", Valid: ">= 0", Text: "When the fault acts: bytes' delay for resetPeer, the close for timeout and slowClose.", Example: "backend:\n  netFaults:\n    slowClose: {rate: 1, after: 50ms}"},

	{Path: "sweep.concurrency", Valid: "values as `load.concurrency`", Text: "Concurrency values.", Example: "sweep:\n  concurrency: [10, 50, 200]"},
	{Path: "sweep.rate", Valid: "values as `load.rate`", Text: "Rate values.", Example: "sweep:\n  rate: [100, 1000]"},
	{Path: "sweep.rtt", Valid: "values as `backend.rtt`", Text: "Emulated RTT values.", Example: "sweep:\n  rtt: [0s, 5ms, 20ms]"},
	{Path: "sweep.latency", Valid: "fixed service times", Text: "Service-time values of every route.", Example: "sweep:\n  latency: [0s, 5ms]"},
	{Path: "sweep.tls", Valid: "`true`, `false`", Text: "TLS on and off.", Example: "sweep:\n  tls: [true, false]"},
	{Path: "sweep.http2", Valid: "`true`, `false`", Text: "HTTP/2 offered or not.", Example: "sweep:\n  http2: [true, false]"},
}
