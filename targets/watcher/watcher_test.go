package watcher

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

func TestEachFileGetsExactlyOneOutcome(t *testing.T) {
	big := `{"target":"nf-a","namespace":"ran-a","replicas":1,"pad":"` + strings.Repeat("x", 2048) + `"}`
	cases := []struct {
		name        string
		body        string
		porchPath   string // appended to the fake's URL, to reach a route it does not serve
		wantStatus  Status
		wantSubDir  string
		wantMessage string
		wantCreated int
	}{
		{"a valid intent is created and proposed in Porch", validIntent(1), "", StatusProcessed, ProcessedDir, "created and proposed", 1},
		{"an intent without replicas fails naming the field", `{"target":"nf-a","namespace":"ran-a"}`, "", StatusFailed, FailedDir, `field "replicas": required field is missing`, 0},
		{"malformed JSON fails", `{"target":`, "", StatusFailed, FailedDir, "not a JSON object", 0},
		{"a file over MaxFileBytes fails naming the cap", big, "", StatusFailed, FailedDir, "MaxFileBytes", 0},
		{"a Porch 404 fails the intent with the status code", validIntent(2), "/nowhere", StatusFailed, FailedDir, "status 404", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			porch := watchertest.NewPorch(watchertest.Options{TLS: true})
			defer porch.Close()
			dir := t.TempDir()
			cfg := fastConfig(dir, porch)
			cfg.PorchURL += tc.porchPath
			cfg.MaxFileBytes = 1024
			var mu sync.Mutex
			var got []Outcome
			cfg.OnOutcome = func(o Outcome) { mu.Lock(); got = append(got, o); mu.Unlock() }
			w := startWatcher(t, cfg)

			writeFile(t, dir, "intent-a.json", tc.body)
			waitFor(t, 10*time.Second, "an outcome", func() bool { return outcomes(w) == 1 })
			if err := w.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}

			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("OnOutcome called %d times, want 1", len(got))
			}
			if got[0].Status != tc.wantStatus || !strings.Contains(got[0].Message, tc.wantMessage) {
				t.Fatalf("outcome = %s %q, want %s containing %q", got[0].Status, got[0].Message, tc.wantStatus, tc.wantMessage)
			}
			if names := listNames(t, filepath.Join(dir, tc.wantSubDir), "*.json"); len(names) != 1 || names[0] != "intent-a.json" {
				t.Fatalf("%s/ holds %v, want [intent-a.json]", tc.wantSubDir, names)
			}
			if left := listNames(t, dir, IntentPattern); len(left) != 0 {
				t.Fatalf("watched dir still holds %v", left)
			}
			rec := readStatus(t, statusPath(dir, "intent-a.json"))
			if rec.IntentFile != "intent-a.json" || rec.Status != tc.wantStatus || rec.Message != got[0].Message || rec.Timestamp.IsZero() {
				t.Fatalf("status file = %+v, want intent-a.json %s with the outcome's message and a timestamp", rec, tc.wantStatus)
			}
			if n := len(porch.Counts().Created); n != tc.wantCreated {
				t.Fatalf("Porch created %d packages, want %d", n, tc.wantCreated)
			}
		})
	}
}

func TestDuplicateContentIsSubmittedOnce(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	dir := t.TempDir()
	w := startWatcher(t, fastConfig(dir, porch))

	writeFile(t, dir, "intent-1.json", validIntent(7))
	waitFor(t, 10*time.Second, "first outcome", func() bool { return outcomes(w) == 1 })
	writeFile(t, dir, "intent-2.json", validIntent(7))
	waitFor(t, 10*time.Second, "second outcome", func() bool { return outcomes(w) == 2 })

	s := w.Stats()
	if s.Processed != 1 || s.Skipped != 1 {
		t.Fatalf("processed %d skipped %d, want 1 and 1", s.Processed, s.Skipped)
	}
	c := porch.Counts()
	name := PackageName("nf-0", sha256.Sum256([]byte(validIntent(7))))
	if len(c.CreateRequests) != 1 || c.CreateRequests[name] != 1 || c.Proposed[name] != 1 {
		t.Fatalf("Porch create requests %v proposed %v, want exactly one each for %s", c.CreateRequests, c.Proposed, name)
	}
	if rec := readStatus(t, statusPath(dir, "intent-2.json")); rec.Status != StatusSkipped {
		t.Fatalf("second file status = %s, want %s", rec.Status, StatusSkipped)
	}
}

func TestARestartedWatcherSkipsContentProcessedBefore(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	dir := t.TempDir()
	w1 := startWatcher(t, fastConfig(dir, porch))
	writeFile(t, dir, "intent-1.json", validIntent(3))
	waitFor(t, 10*time.Second, "first outcome", func() bool { return outcomes(w1) == 1 })
	if err := w1.Close(); err != nil {
		t.Fatal(err)
	}

	w2 := startWatcher(t, fastConfig(dir, porch))
	writeFile(t, dir, "intent-1.json", validIntent(3)) // same name and content again
	waitFor(t, 10*time.Second, "second outcome", func() bool { return outcomes(w2) == 1 })
	if s := w2.Stats(); s.Skipped != 1 || s.PorchRequests != 0 {
		t.Fatalf("restarted watcher: skipped %d, Porch requests %d; want 1 and 0", s.Skipped, s.PorchRequests)
	}
	names := listNames(t, filepath.Join(dir, ProcessedDir), "*.json")
	if len(names) != 2 || names[0] != "intent-1.1.json" || names[1] != "intent-1.json" {
		t.Fatalf("processed/ = %v, want the reused name kept apart: [intent-1.1.json intent-1.json]", names)
	}
}

func TestFilesPresentAtStartAreProcessed(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	dir := t.TempDir()
	for i := range 20 {
		writeFile(t, dir, "intent-pre-"+string(rune('a'+i))+".json", validIntent(i))
	}
	writeFile(t, dir, "notes.json", validIntent(99)) // not an intent name: ignored
	w := startWatcher(t, fastConfig(dir, porch))
	waitFor(t, 10*time.Second, "20 outcomes", func() bool { return outcomes(w) == 20 })
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := len(porch.Counts().Created); got != 20 {
		t.Fatalf("Porch created %d packages, want 20", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.json")); err != nil {
		t.Fatalf("notes.json should be left alone: %v", err)
	}
}

func TestPorchUnavailableIsRetried(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{FailCreates: 2})
	defer porch.Close()
	dir := t.TempDir()
	w := startWatcher(t, fastConfig(dir, porch))
	writeFile(t, dir, "intent-r.json", validIntent(1))
	waitFor(t, 10*time.Second, "an outcome", func() bool { return outcomes(w) == 1 })
	s := w.Stats()
	if s.Processed != 1 || s.PorchRetries != 2 || s.PorchRequests != 4 {
		t.Fatalf("processed %d retries %d requests %d, want 1, 2, 4 (3 creates + 1 propose)", s.Processed, s.PorchRetries, s.PorchRequests)
	}
}

func TestCloseIsIdempotentAndSafeFromManyGoroutines(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	cfg := fastConfig(t.TempDir(), porch)
	cfg.MetricsAddr = DefaultMetricsAddr

	t.Run("closing before start is a no-op", func(t *testing.T) {
		w, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := w.Start(context.Background()); err == nil {
			t.Fatal("Start after Close succeeded, want an error")
		}
	})
	t.Run("16 concurrent closes all return nil", func(t *testing.T) {
		w := startWatcher(t, cfg)
		if err := w.Start(context.Background()); err == nil {
			t.Fatal("second Start succeeded, want an error")
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Go(func() { errs <- w.Close() })
		}
		wg.Wait()
		close(errs)
		n := 0
		for err := range errs {
			if err != nil {
				t.Errorf("Close: %v", err)
			}
			n++
		}
		if n != 16 {
			t.Fatalf("%d Close calls returned, want 16", n)
		}
	})
	t.Run("cancelling the start context closes the watcher", func(t *testing.T) {
		w, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		url := w.MetricsURL()
		cancel()
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		c := newScrapeClient(t)
		if resp, err := c.Get(url + "/health"); err == nil {
			resp.Body.Close()
			t.Fatalf("metrics server still answers after cancel: %s", resp.Status)
		}
	})
}

func TestMetricsServerServesPrometheusAndHealth(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	dir := t.TempDir()
	cfg := fastConfig(dir, porch)
	cfg.MetricsAddr = DefaultMetricsAddr
	cfg.MetricsInterval = 10 * time.Millisecond
	w := startWatcher(t, cfg)
	if !strings.HasPrefix(w.MetricsURL(), "http://127.0.0.1:") {
		t.Fatalf("MetricsURL = %q, want a 127.0.0.1 URL", w.MetricsURL())
	}
	writeFile(t, dir, "intent-m.json", validIntent(1))
	writeFile(t, dir, "intent-bad.json", `{}`)
	waitFor(t, 10*time.Second, "two outcomes", func() bool { return outcomes(w) == 2 })

	c := newScrapeClient(t)
	code, body := get(t, c, w.MetricsURL()+"/health")
	if code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Fatalf("/health = %d %q, want 200 ok", code, body)
	}
	waitFor(t, 5*time.Second, "the collection loop to run twice", func() bool {
		_, body := get(t, c, w.MetricsURL()+"/metrics")
		return !strings.Contains(body, "watcher_metrics_collections_total 1\n") &&
			strings.Contains(body, "watcher_metrics_collections_total")
	})
	_, body = get(t, c, w.MetricsURL()+"/metrics")
	for _, want := range []string{
		`watcher_intent_outcomes_total{status="processed"} 1`,
		`watcher_intent_outcomes_total{status="failed"} 1`,
		`watcher_porch_requests_total{code="201",op="create"} 1`,
		`watcher_porch_requests_total{code="201",op="propose"} 1`,
		`watcher_intent_processing_seconds_count 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics exposes process-global collectors; want the watcher's own registry only")
	}
}

// An interrupted run may have created the package before it was stopped: the
// resubmission gets 409, looks the revision up and proposes it.
func TestAPackageCreatedByAnInterruptedRunIsProposedNotCreatedAgain(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	body := validIntent(5)
	sum := sha256.Sum256([]byte(body))
	name := PackageName("nf-5", sum)
	pre := fmt.Sprintf(`{"metadata":{"name":%q,"namespace":"default"},"spec":{"workspace":"ws-%x","intent":%s,"revision":"v1"}}`, name, sum[:6], body)
	resp, err := porch.Client().Post(porch.URL+"/api/v1/repositories/default/packages", "application/json", strings.NewReader(pre))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("pre-create: status %d", resp.StatusCode)
	}

	dir := t.TempDir()
	w := startWatcher(t, fastConfig(dir, porch))
	writeFile(t, dir, "intent-again.json", body)
	waitFor(t, 10*time.Second, "an outcome", func() bool { return outcomes(w) == 1 })
	if rec := readStatus(t, statusPath(dir, "intent-again.json")); !strings.Contains(rec.Message, "already existed") {
		t.Fatalf("status message %q, want it to say the package already existed", rec.Message)
	}
	s := w.Stats()
	c := porch.Counts()
	if s.Processed != 1 || s.PorchRequests != 3 || c.Created[name] != 1 || c.CreateRequests[name] != 2 || c.Proposed[name] != 1 {
		t.Fatalf("processed %d after %d Porch requests; Porch created %d of %d requests, proposed %d; want 1 after 3 (create 409, lookup, propose), 1 of 2, 1",
			s.Processed, s.PorchRequests, c.Created[name], c.CreateRequests[name], c.Proposed[name])
	}
}

// A package under the intent's name that holds a different intent (a hash
// prefix collision, or a package not made by the watcher) is not taken for
// an earlier submission: the intent fails and nothing is proposed.
func TestAPackageWithTheSameNameButAnotherIntentIsNotProposed(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	body := validIntent(5)
	sum := sha256.Sum256([]byte(body))
	name := PackageName("nf-5", sum)
	pre := fmt.Sprintf(`{"metadata":{"name":%q,"namespace":"default"},"spec":{"workspace":"ws-%x","intent":%s,"revision":"v1"}}`, name, sum[:6], validIntent(12))
	resp, err := porch.Client().Post(porch.URL+"/api/v1/repositories/default/packages", "application/json", strings.NewReader(pre))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("pre-create: status %d", resp.StatusCode)
	}

	dir := t.TempDir()
	w := startWatcher(t, fastConfig(dir, porch))
	writeFile(t, dir, "intent-other.json", body)
	waitFor(t, 10*time.Second, "an outcome", func() bool { return outcomes(w) == 1 })
	rec := readStatus(t, statusPath(dir, "intent-other.json"))
	if rec.Status != StatusFailed || !strings.Contains(rec.Message, "exists with a different intent") {
		t.Fatalf("status %+v, want failed because the package holds a different intent", rec)
	}
	if c := porch.Counts(); c.ProposeRequests[name] != 0 {
		t.Fatalf("package %s got %d proposals, want none", name, c.ProposeRequests[name])
	}
}

func TestAnEmptyFileWaitsForItsContent(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	dir := t.TempDir()
	w := startWatcher(t, fastConfig(dir, porch))
	cases := []struct {
		name       string
		fill       bool // content arrives 200 ms after the file was created
		wantStatus Status
	}{
		{"an empty file filled later is processed", true, StatusProcessed},
		{"a file that stays empty fails once it has been empty for a while", false, StatusFailed},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("intent-empty-%d.json", i)
			before := outcomes(w)
			start := time.Now()
			writeFile(t, dir, name, "")
			if tc.fill {
				time.Sleep(200 * time.Millisecond) // far beyond Debounce + StableFor
				writeFile(t, dir, name, validIntent(100+i))
			}
			waitFor(t, 10*time.Second, "an outcome", func() bool { return outcomes(w) == before+1 })
			rec := readStatus(t, statusPath(dir, name))
			if rec.Status != tc.wantStatus {
				t.Fatalf("status %s (%s), want %s", rec.Status, rec.Message, tc.wantStatus)
			}
			if !tc.fill && time.Since(start) < emptyFileWait {
				t.Fatalf("an empty file failed after %v, want it to wait at least %v", time.Since(start), emptyFileWait)
			}
		})
	}
}
