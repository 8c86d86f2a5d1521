package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/hgrm"
	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
)

// countVegeta decodes a --save-results file with vegeta's own decoder (the
// one `vegeta report` picks for it) and counts its results by status code.
func countVegeta(t *testing.T, path string) (total int64, codes map[uint16]int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := vegeta.DecoderFor(f)
	if dec == nil {
		t.Fatalf("%s: vegeta cannot detect the encoding", path)
	}
	codes = map[uint16]int64{}
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err != nil {
			if errors.Is(err, io.EOF) {
				return total, codes
			}
			t.Fatalf("%s: result %d: %v", path, total+1, err)
		}
		total++
		codes[r.Code]++
	}
}

func TestRunWritesEveryOutputAndReportReRendersTheSameReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(t, "run", "--quiet", "--json", "--save-results", "--leakcheck-cycles", "0", "--out", dir, "testdata/tiny.yaml")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var printed results.Results
	if err := json.Unmarshal([]byte(stdout), &printed); err != nil || len(printed.Scenarios) != 1 {
		t.Fatalf("--json printed no results (%v):\n%.300s", err, stdout)
	}
	res, err := results.ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Scenarios[0]
	for _, a := range s.Arms {
		// The saved vegeta file holds exactly the measured requests.
		n, codes := countVegeta(t, filepath.Join(dir, "vegeta", "tiny."+a.Name+".bin"))
		if n != a.Total.Requests || n == 0 {
			t.Errorf("arm %s: vegeta file holds %d results, the report counts %d", a.Name, n, a.Total.Requests)
		}
		for c, k := range codes {
			if a.Total.Codes[fmt.Sprint(c)] != k {
				t.Errorf("arm %s: %d × %d in the vegeta file, %d in the report", a.Name, k, c, a.Total.Codes[fmt.Sprint(c)])
			}
		}
		// The .hgrm file gives back the report's median.
		f, err := os.Open(filepath.Join(dir, "hgrm", "tiny."+a.Name+".service.hgrm"))
		if err != nil {
			t.Fatal(err)
		}
		h, err := hgrm.ParseHgrm(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := h.ValueAtMs(0.5), float64(a.Total.Latency.P50)/1e6; got != want || h.Total != a.Total.Requests {
			t.Errorf("arm %s: .hgrm p50 %v ms of %d, report %v ms of %d", a.Name, got, h.Total, want, a.Total.Requests)
		}
	}
	for _, f := range []string{"bench.txt", "plots/tiny.percentiles.svg", "plots/tiny.reqps.svg", "plots/tiny.timeline.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing: %v", f, err)
		}
	}

	original, err := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"REPORT.md", "bench.txt", "plots", "hgrm"} {
		if err := os.RemoveAll(filepath.Join(dir, gone)); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := run(t, "report", dir); code != exitOK {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	again, err := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(original, again) {
		t.Fatalf("REPORT.md re-rendered from results.json differs:\n--- original\n%s\n--- re-rendered\n%s", original, again)
	}
	if _, err := os.Stat(filepath.Join(dir, "plots", "tiny.timeline.svg")); err != nil {
		t.Errorf("report did not redraw the plots: %v", err)
	}
}

func TestTwoShardsMergeIntoTheCountsOfOneRun(t *testing.T) {
	srv, err := mockbackend.Start(mockbackend.Config{Latency: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	root := t.TempDir()
	scenario := filepath.Join(root, "sharded.yaml")
	doc := fmt.Sprintf(`apiVersion: oranbench/v1
kind: Scenario
name: sharded
description: two generators share one load
backend:
  target: %s
mix:
  - route: a1.policy.put
load:
  model: closed
  concurrency: 6
arms: [default, tuned]
duration: 300ms
repetitions: 2
thresholds:
  - p99 < 10s
`, srv.URL())
	if err := os.WriteFile(scenario, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Join(root, "shard-0"), filepath.Join(root, "shard-1")}
	codes, errs := make([]int, 2), make([]string, 2)
	var wg sync.WaitGroup
	for i := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, errs[i] = run(t, "run", "--quiet", "--save-results", "--leakcheck-cycles", "0",
				"--shard", fmt.Sprintf("%d/2", i), "--out", dirs[i], scenario)
		}()
	}
	wg.Wait()
	for i := range dirs {
		if codes[i] != exitOK {
			t.Fatalf("shard %d: exit %d: %s", i, codes[i], errs[i])
		}
	}
	merged := filepath.Join(root, "merged")
	code, stdout, stderr := run(t, "report", "--merge", "--out", merged, filepath.Join(root, "shard-*"))
	if code != exitOK || !strings.Contains(stdout, "merged 2 shards") {
		t.Fatalf("merge: exit %d: %s%s", code, stdout, stderr)
	}
	m, err := results.ReadResults(merged)
	if err != nil {
		t.Fatal(err)
	}
	shards := make([]*results.Results, 2)
	for i, d := range dirs {
		if shards[i], err = results.ReadResults(d); err != nil {
			t.Fatal(err)
		}
		if c := shards[i].Scenarios[0].Conditions.Concurrency; c != 3 {
			t.Fatalf("shard %d ran %d workers, want half of 6", i, c)
		}
	}
	for path, want := range map[string]string{
		filepath.Join(dirs[1], "REPORT.md"): "shard 1/2 of the load",
		filepath.Join(merged, "REPORT.md"):  "merged from 2 shards",
	} {
		if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s does not say %q (err %v)", path, want, err)
		}
	}
	s := m.Scenarios[0]
	if s.Conditions.Concurrency != 6 || len(m.MergedFrom) != 2 {
		t.Fatalf("merged concurrency %d from %v, want 6 from 2 shards", s.Conditions.Concurrency, m.MergedFrom)
	}
	for ai, a := range s.Arms {
		var saved, dials int64
		for i, d := range dirs {
			n, _ := countVegeta(t, filepath.Join(d, "vegeta", "sharded."+a.Name+".bin"))
			saved += n
			dials += shards[i].Scenarios[0].Arms[ai].Total.Client.Dials
		}
		h, err := results.DecodeHDR(a.ServiceHDR)
		if err != nil {
			t.Fatal(err)
		}
		if a.Total.Requests != saved || h.TotalCount() != saved || saved == 0 {
			t.Errorf("arm %s: merged report counts %d requests (histogram %d); the shards sent %d", a.Name, a.Total.Requests, h.TotalCount(), saved)
		}
		if a.Total.Client.Dials != dials {
			t.Errorf("arm %s: merged dials %d, shards %d", a.Name, a.Total.Client.Dials, dials)
		}
		for _, r := range a.Reps {
			var rate float64
			for _, sh := range shards {
				rate += sh.Scenarios[0].Arms[ai].Reps[r.Index].SuccessPerSec
			}
			if r.SuccessPerSec != rate {
				t.Errorf("arm %s rep %d: merged %v req/s, shards together %v", a.Name, r.Index, r.SuccessPerSec, rate)
			}
		}
	}
	if len(s.Thresholds) != 2 || !s.Thresholds[0].Pass {
		t.Errorf("thresholds re-evaluated on the merged run: %+v", s.Thresholds)
	}
	md, err := os.ReadFile(filepath.Join(merged, "REPORT.md"))
	if err != nil || !strings.Contains(string(md), "Merged from 2 shards") {
		t.Fatalf("merged REPORT.md does not say it was merged (%v)", err)
	}

	if code, _, stderr := run(t, "report", "--merge", "--out", filepath.Join(root, "bad"), dirs[0]); code != exitUsage || !strings.Contains(stderr, "1/2 missing") {
		t.Errorf("merging one shard of two: exit %d, %s", code, stderr)
	}
}

// compareFixture writes a results.json with five repetitions per arm whose
// tuned arm's req/s and latency are scaled by k.
func compareFixture(t *testing.T, dir string, k float64) {
	t.Helper()
	arm := func(name string, rate float64, p50 time.Duration, k float64) results.Arm {
		a := results.Arm{Name: name, Profile: name}
		for i, jitter := range []float64{0.98, 0.99, 1, 1.01, 1.02} {
			lat := time.Duration(float64(p50) * jitter / k)
			a.Reps = append(a.Reps, results.Rep{Index: i, Position: 2 * i, Summary: results.Summary{
				Requests: 1000, Successes: 1000, SuccessPct: 100, ReqPerSec: rate * jitter * k, SuccessPerSec: rate * jitter * k,
				Latency: results.Percentiles{P50: lat, P95: 2 * lat, P99: 3 * lat},
			}})
		}
		return a
	}
	r := &results.Results{SchemaVersion: results.SchemaVersion, Tool: "oranbench", Machine: machine(),
		Scenarios: []results.Scenario{{Name: "seed-20-concurrent", Arms: []results.Arm{
			arm("default", 1000, 12*time.Millisecond, 1), arm("tuned", 2000, 10*time.Millisecond, k)}}}}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteJSON(filepath.Join(dir, "results.json"), r); err != nil {
		t.Fatal(err)
	}
}

func TestCompareExitsOneOnARegressionAndZeroForTheSameRun(t *testing.T) {
	root := t.TempDir()
	old, regressed := filepath.Join(root, "old"), filepath.Join(root, "new")
	compareFixture(t, old, 1)
	compareFixture(t, regressed, 0.8)
	summary := filepath.Join(root, "summary.md")
	t.Setenv(markdown.StepSummaryEnv, summary)

	code, stdout, stderr := run(t, "compare", old, regressed)
	if code != exitFailed || !strings.Contains(stdout, "**-20.0% regression**") || !strings.Contains(stderr, "regression(s): seed-20-concurrent: tuned/default req/s ratio -20.0%") {
		t.Fatalf("a 20%% regression: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "compare", filepath.Join(old, "results.json"), old)
	if code != exitOK || strings.Contains(stdout, "% regression**") || strings.Count(stdout, "(p=1) |") != 11 {
		t.Fatalf("the same run twice: exit %d\n%s", code, stdout)
	}
	code, _, _ = run(t, "compare", "--tolerance", "30%", old, regressed)
	if code != exitOK {
		t.Fatalf("a 25%% change within a 30%% tolerance: exit %d", code)
	}
	code, stdout, _ = run(t, "compare", "--noise-floor", "10%", "--method", "holm", old, regressed)
	if code != exitFailed || !strings.Contains(stdout, "Holm") || !strings.Contains(stdout, "given (10%)") {
		t.Fatalf("with a noise floor and Holm: exit %d\n%s", code, stdout)
	}
	// Per-metric floors: p50 may move 30% (the change is 25%), req/s 10%.
	code, stdout, _ = run(t, "compare", "--noise-floor", "p50=30%,req_per_s=10%,50%", old, regressed)
	if code != exitFailed || !strings.Contains(stdout, "given (p50 30%, req/s 10%, others 50%)") ||
		!strings.Contains(stdout, "| `tuned`         | req/s  | absolute | 2,000 (n=5)    | 1,600 (n=5)    | **-20.0% regression**") {
		t.Fatalf("per-metric floors: exit %d\n%s", code, stdout)
	}
	if b, err := os.ReadFile(summary); err != nil || strings.Count(string(b), "# oranbench compare") != 5 {
		t.Fatalf("$%s holds %d comparisons (%v), want 5", markdown.StepSummaryEnv, strings.Count(string(b), "# oranbench compare"), err)
	}
	corrupt := filepath.Join(root, "corrupt")
	if err := os.MkdirAll(corrupt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corrupt, "results.json"), []byte(`{"schemaVersion": 1, "machine": {"numCPU": "two"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"compare", old, filepath.Join(root, "missing")},
		{"compare", "--tolerance", "lots", old, old},
		{"compare", "--method", "fdr", old, old},
		{"compare", "--noise-floor", "p42=5%", old, old},
		{"compare", old},
		{"compare", old, corrupt},
	} {
		if code, _, stderr := run(t, args...); code != exitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
	if _, _, stderr := run(t, "compare", old, corrupt); !strings.Contains(stderr, "field machine.numCPU") {
		t.Errorf("a corrupt NEW: stderr %q, want the bad field named", stderr)
	}
}

func TestCompareAAPrintsTheNoiseFloor(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	compareFixture(t, a, 1)
	compareFixture(t, b, 0.93) // tuned moved by 7% between two runs of one build
	code, stdout, stderr := run(t, "compare", "--aa", a, b)
	if code != exitOK || !strings.Contains(stdout, "| absolute req_per_s | 2 |") || !strings.Contains(stdout, "Noise floor for absolute metrics: 8%") ||
		!strings.Contains(stdout, "--noise-floor p50=8%,p95=8%,p99=8%,req_per_s=7%") {
		t.Fatalf("--aa: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// --rerun runs the OLD and NEW binaries alternately; two scripts stand in for
// them here, each writing a prepared results.json where it is told to.
func TestCompareRerunAlternatesTheTwoBuilds(t *testing.T) {
	root := t.TempDir()
	fast, slow := filepath.Join(root, "fast"), filepath.Join(root, "slow")
	compareFixture(t, fast, 1)
	compareFixture(t, slow, 0.8)
	order := filepath.Join(root, "order.log")
	script := func(name, fixture string) string {
		path := filepath.Join(root, name)
		body := "#!/bin/sh\n# usage: run --out DIR ...\necho " + name + " >> " + order + "\nmkdir -p \"$3\" && cp " + filepath.Join(fixture, "results.json") + " \"$3/results.json\"\n"
		if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	oldBin, newBin := script("old-build", fast), script("new-build", slow)
	code, stdout, stderr := run(t, "compare", "--rerun", "--rounds", "2", "--out", filepath.Join(root, "runs"), oldBin, newBin, "seed-20-concurrent")
	if code != exitFailed || !strings.Contains(stdout, "(2 runs)") || !strings.Contains(stdout, "tuned/default") {
		t.Fatalf("--rerun: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(order)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(b)); strings.Join(got, " ") != "old-build new-build old-build new-build" {
		t.Errorf("run order %q, want old new old new", got)
	}
	if code, _, stderr := run(t, "compare", "--rerun", filepath.Join(root, "missing"), newBin); code != exitUsage || !strings.Contains(stderr, "not an executable") {
		t.Errorf("a missing binary: exit %d, %s", code, stderr)
	}
}
