// Command bareloop is the physical limit that `make bench-engine` measures
// generators against: N goroutines, each sending a request with client.Do
// and draining the body, on a transport built by a registered profile, with
// no tracing, no histograms and no result handling. Its req/s is the 1.00
// line of the ratio table; a generator cannot beat it on the same transport.
//
//	bareloop --url URL --concurrency 50 --duration 5s [--profile tuned] [--cacert ca.pem]
//
// It prints one JSON object: {"requests": N, "successes": N, "successPerSec": X,
// "steady": {...}}, where steady is its own CPU time per request over the
// steady part of the run, as `oranbench attack --json` reports it
// (engine.CPUWindow: start-up and teardown excluded).
// Like every load oranbench sends, it refuses a URL outside loopback and
// stops by itself after --duration or --max-requests.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/internal/loopback"
	"github.com/oranbench/oranbench/targets/transport"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bareloop:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bareloop", flag.ContinueOnError)
	url := fs.String("url", "", "loopback URL to GET")
	concurrency := fs.Int("concurrency", 50, "goroutines")
	duration := fs.Duration("duration", 5*time.Second, "how long to send")
	maxRequests := fs.Uint64("max-requests", 50_000_000, "stop after this many requests")
	profile := fs.String("profile", transport.ProfileTuned, "transport profile")
	caFile := fs.String("cacert", "", "PEM CA certificate to trust")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the load to this file")
	ballastMiB := fs.Int("ballast-mib", 0, "keep this many MiB of pointer-free heap alive, so the loop collects garbage as often as a generator with a larger live heap")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loopback.CheckURL(*url, false); err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	if *ballastMiB < 0 || *ballastMiB > 1024 {
		return fmt.Errorf("--ballast-mib %d: want 0 to 1024", *ballastMiB)
	}
	// The garbage collector runs each time the heap grows by GOGC% of what
	// was live after the last cycle. The loop's own live heap is about
	// 1 MB, oranbench's about 3 MB (histograms, client-go's tables), so
	// without a ballast the loop collects twice as often per request.
	ballast := make([]byte, *ballastMiB<<20)
	defer runtime.KeepAlive(ballast)
	if *concurrency < 1 || *duration <= 0 {
		return fmt.Errorf("--concurrency %d, --duration %v: want both > 0", *concurrency, *duration)
	}
	prof, err := transport.NewRegistry().Lookup(*profile)
	if err != nil {
		return fmt.Errorf("--profile: %w", err)
	}
	var tlsConf *tls.Config
	var caPEM []byte
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return fmt.Errorf("--cacert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("--cacert %s: no PEM certificate found", *caFile)
		}
		tlsConf, caPEM = &tls.Config{RootCAs: pool}, pem
	}
	rt, err := prof.Build(tlsConf, transport.WithCAPEM(caPEM))
	if err != nil {
		return err
	}
	defer transport.CloseIdle(rt)
	client := &http.Client{Transport: rt, Timeout: 30 * time.Second}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var sent, ok atomic.Uint64
	var wg sync.WaitGroup
	began := time.Now()
	// Requests sent so far stand for those completed: they differ by at
	// most --concurrency, and the loop pays nothing more per request.
	win := engine.StartWindow(engine.WindowSkip(*duration), func() int64 { return int64(min(sent.Load(), *maxRequests)) })
	for range *concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && sent.Add(1) <= *maxRequests {
				req, err := http.NewRequest(http.MethodGet, *url, nil)
				if err != nil {
					return
				}
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode < 400 {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	steady := win.Stop()
	wall := time.Since(began)
	n := min(sent.Load(), *maxRequests)
	out := map[string]any{
		"requests": n, "successes": ok.Load(), "successPerSec": float64(ok.Load()) / wall.Seconds(),
	}
	if steady.Requests > 0 && steady.Wall > 0 {
		out["steady"] = map[string]any{
			"requests": steady.Requests, "wallSeconds": steady.Wall.Seconds(), "cpuSeconds": steady.CPU.Seconds(),
			"cpuPerRequestMicros": float64(steady.PerRequest()) / float64(time.Microsecond), "cpuUtilization": steady.Utilization(),
		}
	}
	return json.NewEncoder(stdout).Encode(out)
}
