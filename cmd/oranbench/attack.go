package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/spf13/cobra"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/internal/loopback"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// maxAttackTimeout is the longest --timeout: the latency histograms end at 1 h.
const maxAttackTimeout = time.Hour

// attackResult is what `oranbench attack --json` prints.
type attackResult struct {
	URL       string `json:"url"`
	Profile   string `json:"profile"`
	Model     string `json:"model"`
	Requests  int64  `json:"requests"`
	Successes int64  `json:"successes"`
	// Cancelled requests were cut off in flight by the end of --duration or
	// an interrupt: neither successes nor errors, and not in Requests.
	Cancelled     int64                `json:"cancelled"`
	Interrupted   bool                 `json:"interrupted,omitempty"`
	ReqPerSec     float64              `json:"reqPerSec"`
	SuccessPerSec float64              `json:"successPerSec"`
	Latency       results.Percentiles  `json:"latency"`
	Response      *results.Percentiles `json:"response,omitempty"`
	Client        results.ClientConns  `json:"client"`
	Codes         map[uint16]int64     `json:"codes"`
	Errors        map[string]int64     `json:"errors,omitempty"`
	MaxRSSBytes   int64                `json:"maxRSSBytes"`
	// Steady is this process's CPU time over the attack's steady part,
	// start-up and teardown excluded (engine.CPUWindow).
	Steady *steadyCPU `json:"steady,omitempty"`
}

// steadyCPU is engine.CPUWindow as attack --json prints it.
type steadyCPU struct {
	Requests         int64   `json:"requests"`
	WallSeconds      float64 `json:"wallSeconds"`
	CPUSeconds       float64 `json:"cpuSeconds"`
	CPUPerRequestMus float64 `json:"cpuPerRequestMicros"`
	// CPUUtilization is CPU/wall: 1 is one CPU busy throughout.
	CPUUtilization float64 `json:"cpuUtilization"`
}

func steadyOf(w engine.CPUWindow) *steadyCPU {
	if w.Requests <= 0 || w.Wall <= 0 {
		return nil
	}
	return &steadyCPU{
		Requests: w.Requests, WallSeconds: w.Wall.Seconds(), CPUSeconds: w.CPU.Seconds(),
		CPUPerRequestMus: float64(w.PerRequest()) / float64(time.Microsecond), CPUUtilization: w.Utilization(),
	}
}

// attackOptions are the flags of oranbench attack.
type attackOptions struct {
	url, method, body string
	headers           []string
	profile, caFile   string
	// Exactly one model: --concurrency (closed) or --rate (open), as
	// concurrencySet and rateSet say.
	concurrency             int
	concurrencySet          bool
	rate                    float64
	rateSet                 bool
	maxWorkers, maxRequests uint64
	duration, timeout       time.Duration
	allowRemote             bool
	noTrace, asJSON         bool
	cpuProfile              string
}

func newAttackCmd(stdout io.Writer) *cobra.Command {
	var o attackOptions
	cmd := &cobra.Command{
		Use:   "attack --url URL [--concurrency N | --rate R]",
		Short: "Ad hoc attack on one URL with one transport profile (vegeta-like)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.concurrencySet, o.rateSet = cmd.Flags().Changed("concurrency"), cmd.Flags().Changed("rate")
			return runAttack(cmd.Context(), o, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.url, "url", "", "target URL (loopback only unless --allow-remote)")
	f.StringVar(&o.method, "method", http.MethodGet, "HTTP method")
	f.StringVar(&o.body, "body", "", "request body")
	f.StringArrayVarP(&o.headers, "header", "H", nil, `request header "Name: value" (repeatable)`)
	f.StringVar(&o.profile, "profile", transport.ProfileTuned, "transport profile")
	f.StringVar(&o.caFile, "cacert", "", "PEM CA certificate to trust (e.g. the one `oranbench mock` writes)")
	f.IntVar(&o.concurrency, "concurrency", 0, "closed model: number of workers, 1 to 10000")
	f.Float64Var(&o.rate, "rate", 0, "open model: requests per second, > 0 and <= 1e6 (0.01 is one every 100 s)")
	f.Uint64Var(&o.maxWorkers, "max-workers", 0, "open model: most requests in flight at once (0: 10000)")
	f.DurationVar(&o.duration, "duration", 10*time.Second, "how long to attack; requests still in flight then are cancelled")
	f.DurationVar(&o.timeout, "timeout", engine.DefaultRequestTimeout, "per-request timeout (a request that takes longer is an error)")
	f.Uint64Var(&o.maxRequests, "max-requests", 0, "stop after this many requests (0: engine default bound)")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow a target outside loopback")
	f.BoolVar(&o.noTrace, "no-trace", false, "skip httptrace instrumentation (to measure its cost)")
	f.BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the attack (not of start-up or printing) to this file")
	return cmd
}

// runAttack is oranbench attack without its command line: it checks o,
// attacks o.url and prints the result; the error's exitError carries the
// exit code.
func runAttack(ctx context.Context, o attackOptions, stdout io.Writer) error {
	if err := loopback.CheckURL(o.url, o.allowRemote); err != nil {
		return usageErr("--url: %v", err)
	}
	// The bounds are the ones scenario files get (scenario.Check*),
	// and a value given is never replaced by a default.
	closed, open := o.concurrencySet, o.rateSet
	if closed == open {
		return usageErr("give exactly one of --concurrency N (closed model, 1 to 10000 workers) or --rate R (open model, requests per second > 0 and <= 1e6)")
	}
	if closed {
		if err := scenario.CheckConcurrency(o.concurrency); err != nil {
			return usageErr("--concurrency %d: %v", o.concurrency, err)
		}
	}
	if open {
		if err := scenario.CheckRate(o.rate); err != nil {
			return usageErr("--rate %s: %v", strconv.FormatFloat(o.rate, 'g', -1, 64), err)
		}
	}
	if o.maxWorkers > 0 && !open {
		return usageErr("--max-workers %d: it caps the open model's workers; give --rate R with it", o.maxWorkers)
	}
	if o.duration <= 0 {
		return usageErr("--duration %s: want a duration > 0 such as 10s", o.duration)
	}
	if o.timeout <= 0 || o.timeout > maxAttackTimeout {
		return usageErr("--timeout %s: want a per-request timeout > 0 and <= 1h such as 5s", o.timeout)
	}
	if err := scenario.CheckMethod(o.method); err != nil {
		return usageErr("--method %q: %v", o.method, err)
	}
	// Each connection costs this process one file descriptor.
	if closed {
		if err := scenarios.CheckConns(o.concurrency, 1); err != nil {
			return usageErr("--concurrency %d: %v", o.concurrency, err)
		}
	} else if o.maxWorkers > 0 {
		if err := scenarios.CheckConns(int(min(o.maxWorkers, math.MaxInt32)), 1); err != nil {
			return usageErr("--max-workers %d: %v", o.maxWorkers, err)
		}
	}
	prof, err := transport.NewRegistry().Lookup(o.profile)
	if err != nil {
		return usageErr("--profile: %v", err)
	}
	var tlsConf *tls.Config
	var caPEM []byte
	if o.caFile != "" {
		pem, err := os.ReadFile(o.caFile)
		if err != nil {
			return usageErr("--cacert: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return usageErr("--cacert %s: no PEM certificate found", o.caFile)
		}
		tlsConf, caPEM = &tls.Config{RootCAs: pool}, pem
	}
	hdr := http.Header{}
	for _, h := range o.headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return usageErr("--header %q: want \"Name: value\"", h)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if err := scenario.CheckHeader(k, v); err != nil {
			return usageErr("--header %q: %v", h, err)
		}
		hdr.Add(k, v)
	}
	inst, err := prof.TryInstrument(tlsConf, transport.WithCAPEM(caPEM))
	if err != nil {
		return usageErr("--profile: %v", err)
	}
	defer inst.Close()
	client := *inst.Client
	if o.noTrace {
		client = http.Client{Transport: inst.Transport}
	}
	client.Timeout = o.timeout
	a := engine.Attack{
		Name:     "attack",
		Targeter: vegeta.NewStaticTargeter(vegeta.Target{Method: o.method, URL: o.url, Body: []byte(o.body), Header: hdr}),
		Client:   &client, Duration: o.duration, MaxHits: o.maxRequests, RequestTimeout: o.timeout,
		// --duration bounds the attack whatever the target does.
		CancelAtEnd: true,
	}
	if !o.noTrace {
		// Each closed-model worker carries its own trace state.
		a.WorkerContext = inst.Tracer.Bind
	}
	if o.concurrency > 0 {
		a.Model, a.Concurrency = engine.Closed, o.concurrency
	} else {
		a.Model, a.Pacer = engine.Open, engine.ConstantRate{PerSec: o.rate}
		a.MaxWorkers = o.maxWorkers
	}
	stopProfile, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		return usageErr("--cpuprofile: %v", err)
	}
	rec, err := engine.Run(ctx, a)
	if perr := stopProfile(); perr != nil && err == nil {
		return fmt.Errorf("--cpuprofile: %w", perr)
	}
	if err != nil {
		return usageErr("%v", err)
	}
	res := attackResult{
		URL: o.url, Profile: prof.Name, Model: string(a.Model),
		Requests: rec.Hits, Successes: rec.Successes, Cancelled: rec.Cancelled, Interrupted: rec.Interrupted,
		ReqPerSec: rec.ReqPerSec(), SuccessPerSec: rec.SuccessPerSec(),
		Latency: percentilesOf(rec.Service), Codes: rec.Codes, Errors: rec.Errors,
		MaxRSSBytes: maxRSS(), Steady: steadyOf(rec.Steady),
	}
	if rec.Response != nil {
		p := percentilesOf(rec.Response)
		res.Response = &p
	}
	if !o.noTrace {
		c := inst.Tracer.Stats()
		res.Client = scenarios.ClientConns(c)
		if w := inst.Tracer.ConnWaits(); w.TotalCount() > 0 {
			res.Client.ConnWaitP99 = time.Duration(w.ValueAtQuantile(99)) * time.Microsecond
		}
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	} else {
		err = printAttack(stdout, res, o.noTrace)
	}
	if err == nil && res.Interrupted {
		return &exitError{code: exitInterrupted, err: fmt.Errorf("interrupted: the result is partial (%d requests completed, %d cut off and counted as cancelled)", res.Requests, res.Cancelled)}
	}
	return err
}

func percentilesOf(h *hdrhistogram.Histogram) results.Percentiles { return results.HDRPercentiles(h) }

func printAttack(w io.Writer, r attackResult, noTrace bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "target\t%s (%s, profile %s)\n", r.URL, r.Model, r.Profile)
	if r.Interrupted {
		fmt.Fprintf(tw, "status\tINTERRUPTED: partial result\n")
	}
	fmt.Fprintf(tw, "requests\t%d (%d ok)", r.Requests, r.Successes)
	if r.Cancelled > 0 {
		fmt.Fprintf(tw, ", %d cancelled in flight at the end (not errors)", r.Cancelled)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "req/s\t%.1f (ok %.1f)\n", r.ReqPerSec, r.SuccessPerSec)
	l := r.Latency
	fmt.Fprintf(tw, "latency\tp50 %s  p95 %s  p99 %s  p99.9 %s  max %s\n", results.Dur(l.P50), results.Dur(l.P95), results.Dur(l.P99), results.Dur(l.P999), results.Dur(l.Max))
	if r.Response != nil {
		p := r.Response
		fmt.Fprintf(tw, "response (from intended send)\tp50 %s  p99 %s  max %s\n", results.Dur(p.P50), results.Dur(p.P99), results.Dur(p.Max))
	}
	if !noTrace {
		fmt.Fprintf(tw, "connections\t%d dials, %d TLS handshakes, %.1f%% reused, conn wait mean %s p99 %s, %s\n", r.Client.Dials, r.Client.TLSHandshakes, r.Client.ReusePct,
			results.Dur(r.Client.ConnWaitMean), results.Dur(r.Client.ConnWaitP99), r.Client.Protocol())
	}
	fmt.Fprintf(tw, "codes\t%v\n", r.Codes)
	for e, n := range r.Errors {
		fmt.Fprintf(tw, "error\t%d × %s\n", n, e)
	}
	if s := r.Steady; s != nil {
		fmt.Fprintf(tw, "CPU (steady window)\t%.2f µs per request, %.2f CPUs busy, over %d requests in %.1f s\n", s.CPUPerRequestMus, s.CPUUtilization, s.Requests, s.WallSeconds)
	}
	fmt.Fprintf(tw, "max RSS\t%.1f MiB\n", float64(r.MaxRSSBytes)/(1<<20))
	return tw.Flush()
}

// startCPUProfile starts a CPU profile into path ("" profiles nothing) and
// returns the function that stops it and closes the file.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// maxRSS is this process's peak resident set size in bytes (Linux: ru_maxrss
// is in KiB).
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024
}
