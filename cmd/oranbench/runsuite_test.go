package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

// exitCodeOf is the process exit code execute would give err.
func exitCodeOf(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsage
}

// TestRunSuiteOrchestratesWithoutTheCommandLine calls oranbench run's
// orchestration (leak check, scenarios, report, exit code) directly, with no
// cobra command: each outcome gives its exit code, and whatever ran is in
// results.json.
func TestRunSuiteOrchestratesWithoutTheCommandLine(t *testing.T) {
	threshold := func(edit func(string) string) func(*testing.T, string) string {
		return func(t *testing.T, dir string) string {
			doc, err := os.ReadFile("testdata/threshold.yaml")
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "threshold.yaml")
			if err := os.WriteFile(file, []byte(edit(string(doc))), 0o644); err != nil {
				t.Fatal(err)
			}
			return file
		}
	}
	same := func(s string) string { return s }
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name       string
		ctx        context.Context
		scenario   func(t *testing.T, dir string) string
		code       int
		leakcheck  bool // results.json holds the leak check
		scenarios  int  // and this many scenarios
		errContain string
	}{
		{"every required threshold holds: exit 0 after the leak check", context.Background(),
			threshold(same), exitOK, true, 1, ""},
		{"a required threshold fails: exit 1", context.Background(),
			threshold(func(s string) string { return strings.Replace(s, "p99 < 10s", "p99 < 1us", 1) }), exitFailed, true, 1, "1 required threshold(s) failed"},
		{"the target refuses connections: exit 2, the failure recorded", context.Background(),
			func(t *testing.T, dir string) string { return refusedScenario(t, dir, "refused") }, exitUsage, true, 1, "connection refused"},
		{"interrupted during the leak check: exit 130, a partial report without scenarios", cancelled,
			threshold(same), exitInterrupted, false, 0, "interrupted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			o := runOptions{scenarios: []string{c.scenario(t, dir)}, out: filepath.Join(dir, "out"), quiet: true, leakCycles: 1}
			var stdout, stderr bytes.Buffer
			err := runSuite(c.ctx, o, &stdout, &stderr)
			if got := exitCodeOf(err); got != c.code {
				t.Fatalf("exit %d (%v), want %d; stderr: %s", got, err, c.code, stderr.String())
			}
			if c.errContain != "" && !strings.Contains(err.Error(), c.errContain) {
				t.Fatalf("error %q lacks %q", err, c.errContain)
			}
			res, err := results.ReadJSON(filepath.Join(o.out, results.ResultsFile))
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Leakcheck != nil && res.Leakcheck.Cycles == 1 && !res.Leakcheck.Leaked; got != c.leakcheck {
				t.Fatalf("leak check in results.json: %+v, want one clean cycle: %v", res.Leakcheck, c.leakcheck)
			}
			if len(res.Scenarios) != c.scenarios || res.Interrupted != (c.code == exitInterrupted) {
				t.Fatalf("results.json holds %d scenarios (interrupted %v), want %d", len(res.Scenarios), res.Interrupted, c.scenarios)
			}
		})
	}
}

// TestEachCommandRunsWithoutTheCommandLine calls attack, mock and soak's
// functions with options a test builds, as their RunE does after binding
// the flags.
func TestEachCommandRunsWithoutTheCommandLine(t *testing.T) {
	t.Run("attack sends its load and prints the result", func(t *testing.T) {
		srv, err := mockbackend.Start(mockbackend.Config{Listen: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		o := attackOptions{url: srv.URL() + "/A1-P/v2/policytypes", method: http.MethodGet, profile: transport.ProfileTuned,
			concurrency: 2, concurrencySet: true, duration: 200 * time.Millisecond, timeout: 5 * time.Second, asJSON: true}
		var stdout bytes.Buffer
		if err := runAttack(context.Background(), o, &stdout); err != nil {
			t.Fatal(err)
		}
		var res attackResult
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
			t.Fatalf("%v: %s", err, stdout.String())
		}
		if res.Successes == 0 || res.Codes[http.StatusOK] != res.Successes || res.Model != "closed" {
			t.Fatalf("attack: %d successes, codes %v, model %q", res.Successes, res.Codes, res.Model)
		}
		o.rateSet, o.rate = true, 10
		if err := runAttack(context.Background(), o, io.Discard); exitCodeOf(err) != exitUsage || !strings.Contains(err.Error(), "exactly one of --concurrency") {
			t.Fatalf("both models: %v, want exit 2 naming the two flags", err)
		}
	})
	t.Run("mock serves until its context ends, and only given flags override the preset", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		o := mockOptions{listen: "127.0.0.1:0", preset: mockbackend.PresetFast, latency: 2 * time.Minute}
		var stdout bytes.Buffer
		if err := runMock(ctx, o, strings.NewReader(""), &stdout); err != nil {
			t.Fatal(err)
		}
		if out := stdout.String(); !strings.Contains(out, "mock backend listening on http://127.0.0.1:") || !strings.Contains(out, "shutting down") {
			t.Fatalf("stdout %q, want listening then shutting down", out)
		}
		o.changed = map[string]bool{"latency": true}
		if err := runMock(ctx, o, strings.NewReader(""), io.Discard); exitCodeOf(err) != exitUsage || !strings.Contains(err.Error(), "latency") {
			t.Fatalf("a given --latency 2m: %v, want exit 2 naming latency", err)
		}
	})
	t.Run("soak refuses a duration too short to fit a slope", func(t *testing.T) {
		o := soakOptions{duration: time.Second, interval: time.Second, scenario: "soak", out: t.TempDir()}
		err := runSoak(context.Background(), o, io.Discard, io.Discard)
		if exitCodeOf(err) != exitUsage || !strings.Contains(err.Error(), "below the minimum") {
			t.Fatalf("soak of 1s: %v, want exit 2 naming the minimum", err)
		}
	})
}
