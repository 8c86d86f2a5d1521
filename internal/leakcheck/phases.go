package leakcheck

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/targets/transport"
	"github.com/oranbench/oranbench/targets/watcher"
)

// startMock serves the project's mock backend over TLS on an ephemeral
// loopback port, HTTP/2 offered when h2 is set. The leak check ships in the
// binary, so it uses the mock itself rather than a test server.
func startMock(h2 bool) (*mockbackend.Server, error) {
	return mockbackend.Start(mockbackend.Config{Listen: "127.0.0.1:0", TLS: true, HTTP2: h2})
}

// transportPath is the mock route each transport cycle GETs: a small JSON
// list that no request changes.
const transportPath = "/A1-P/v2/policytypes"

// runWatcherPhase cycles the intent watcher with its metrics server and
// collection loop on: create, start, drop files (one malformed), wait for
// their outcomes, scrape /metrics, close.
func runWatcherPhase(ctx context.Context, opts Options) (ph Phase, err error) {
	ph = Phase{Name: "watcher", GoroutinesBefore: runtime.NumGoroutine()}
	porch, err := startMock(false)
	if err != nil {
		return ph, fmt.Errorf("leakcheck: watcher: %w", err)
	}
	defer porch.Close()
	porchTr := &http.Transport{TLSClientConfig: porch.ClientTLSConfig()}
	defer porchTr.CloseIdleConnections()
	porchClient := &http.Client{Transport: porchTr}
	scrapeTr := &http.Transport{}
	defer scrapeTr.CloseIdleConnections()
	scrape := &http.Client{Transport: scrapeTr, Timeout: opts.RequestTimeout}
	root, err := os.MkdirTemp("", "oranbench-leakcheck-")
	if err != nil {
		return ph, fmt.Errorf("leakcheck: watcher: %w", err)
	}
	defer os.RemoveAll(root)

	var closeTimes []time.Duration
	defer func() { ph.CloseP50, ph.CloseP99, ph.CloseMax = quantiles(closeTimes) }()
	for i := range opts.Cycles {
		if err := ctx.Err(); err != nil {
			return ph, fmt.Errorf("leakcheck: watcher: cycle %d: %w", i, err)
		}
		took, outcomes, err := watcherCycle(ctx, opts, porchClient, porch.URL(), scrape, filepath.Join(root, fmt.Sprint(i)), i)
		ph.Work += outcomes
		if err != nil && ctx.Err() != nil {
			// Cancelled mid-cycle: the cycle did not finish, it did not fail.
			return ph, fmt.Errorf("leakcheck: watcher: cycle %d: %w", i, ctx.Err())
		}
		if err != nil {
			ph.fail(fmt.Errorf("cycle %d: %w", i, err))
		}
		if took > 0 {
			closeTimes = append(closeTimes, took)
		}
		ph.Cycles++
		if opts.afterCycle != nil {
			opts.afterCycle(ph.Name, i)
		}
	}
	return ph, nil
}

func watcherCycle(ctx context.Context, opts Options, porch *http.Client, porchURL string, scrape *http.Client, dir string, cycle int) (time.Duration, int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	var outcomes atomic.Int64
	done := make(chan struct{})
	w, err := watcher.New(watcher.Config{
		Dir:             dir,
		Debounce:        watcher.MinDebounce,
		StableFor:       10 * time.Millisecond,
		MetricsAddr:     watcher.DefaultMetricsAddr,
		MetricsInterval: 10 * time.Millisecond,
		Client:          porch,
		PorchURL:        porchURL,
		OnOutcome: func(watcher.Outcome) {
			if outcomes.Add(1) == int64(opts.FilesPerCycle) {
				close(done)
			}
		},
	})
	if err != nil {
		return 0, 0, err
	}
	if err := w.Start(ctx); err != nil {
		return 0, 0, err
	}
	var cycleErr error
	for f := range opts.FilesPerCycle {
		body := fmt.Sprintf(`{"intent_type":"scaling","target":"leak-nf","namespace":"ran-a","replicas":%d,"correlation_id":"c%d-f%d"}`, f%5+1, cycle, f)
		if f == 0 {
			body = `{"target":"leak-nf","namespace":` // malformed on purpose
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("intent-%d.json", f)), []byte(body), 0o644); err != nil {
			cycleErr = err
			break
		}
	}
	if cycleErr == nil {
		timer := time.NewTimer(opts.CycleTimeout)
		select {
		case <-done:
		case <-timer.C:
			cycleErr = fmt.Errorf("%d of %d intent outcomes after %v", outcomes.Load(), opts.FilesPerCycle, opts.CycleTimeout)
		case <-ctx.Done():
			cycleErr = ctx.Err()
		}
		timer.Stop()
	}
	if cycleErr == nil {
		cycleErr = scrapeOnce(ctx, scrape, w.MetricsURL()+"/metrics")
	}
	start := time.Now()
	closeErr := w.Close()
	took := time.Since(start)
	if cycleErr == nil {
		cycleErr = closeErr
	}
	return took, outcomes.Load(), cycleErr
}

func scrapeOnce(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("scrape %s: %w", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("scrape %s: status %d", url, resp.StatusCode)
	}
	return nil
}

// runTransportPhase cycles one profile: per cycle a fresh instrumented client
// sends a bounded load to the mock over loopback TLS (HTTP/2 offered, so
// profiles that negotiate it are covered too), then is closed.
func runTransportPhase(ctx context.Context, opts Options, p transport.Profile) (ph Phase, err error) {
	ph = Phase{Name: "transport/" + p.Name, GoroutinesBefore: runtime.NumGoroutine()}
	srv, err := startMock(true)
	if err != nil {
		return ph, fmt.Errorf("leakcheck: %s: %w", ph.Name, err)
	}
	defer srv.Close()
	tlsConf := srv.ClientTLSConfig()
	caPEM := srv.CACertPEM()

	var closeTimes []time.Duration
	defer func() { ph.CloseP50, ph.CloseP99, ph.CloseMax = quantiles(closeTimes) }()
	for i := range opts.Cycles {
		if err := ctx.Err(); err != nil {
			return ph, fmt.Errorf("leakcheck: %s: cycle %d: %w", ph.Name, i, err)
		}
		inst := p.Instrument(tlsConf, transport.WithCAPEM(caPEM))
		ok, firstErr := load(ctx, opts, inst.Client, srv.URL()+transportPath)
		ph.Work += ok
		if failed := int64(opts.Requests) - ok; failed > 0 && ctx.Err() == nil {
			ph.Errors += failed - 1
			ph.fail(fmt.Errorf("cycle %d: %d of %d requests failed: %v", i, failed, opts.Requests, firstErr))
		}
		start := time.Now()
		inst.Close()
		closeTimes = append(closeTimes, time.Since(start))
		ph.Dials += inst.Tracer.Stats().Dials
		ph.Cycles++
		if opts.afterCycle != nil {
			opts.afterCycle(ph.Name, i)
		}
	}
	return ph, nil
}

// load sends opts.Requests GETs with opts.Concurrency workers and returns how
// many succeeded and the first error.
func load(ctx context.Context, opts Options, c *http.Client, url string) (int64, error) {
	var next, ok atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	for range min(opts.Concurrency, opts.Requests) {
		wg.Go(func() {
			for next.Add(1) <= int64(opts.Requests) {
				if err := get(ctx, c, url, opts.RequestTimeout); err != nil {
					once.Do(func() { firstErr = err })
					continue
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	return ok.Load(), firstErr
}

func get(ctx context.Context, c *http.Client, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	// Drain before closing so the connection goes back to the pool.
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return err
}
