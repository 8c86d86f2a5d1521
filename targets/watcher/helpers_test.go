package watcher

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

// fastConfig is a test config with short windows so tests stay quick.
func fastConfig(dir string, p *watchertest.Porch) Config {
	return Config{
		Dir:       dir,
		Debounce:  MinDebounce,
		StableFor: 10 * time.Millisecond,
		Client:    p.Client(),
		PorchURL:  p.URL,
	}
}

// startWatcher creates and starts a watcher and closes it at test end.
func startWatcher(t *testing.T, cfg Config) *Watcher {
	t.Helper()
	w, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := w.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func validIntent(i int) string {
	return fmt.Sprintf(`{"intent_type":"scaling","target":"nf-%d","namespace":"ran-a","replicas":%d,"correlation_id":"c-%d"}`, i%7, i%10+1, i)
}

// writeFile writes body with a plain WriteFile (create + write events).
func writeFile(t testing.TB, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the timeout expires.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// outcomes is the number of recorded outcomes.
func outcomes(w *Watcher) int64 {
	s := w.Stats()
	return s.Processed + s.Skipped + s.Failed
}

// listNames lists the regular files of dir whose name matches pattern.
func listNames(t testing.TB, dir, pattern string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if ok, _ := filepath.Match(pattern, e.Name()); ok && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names
}

func readStatus(t testing.TB, path string) StatusRecord {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rec StatusRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatalf("status file %s: %v", path, err)
	}
	return rec
}

func statusPath(dir, name string) string {
	return filepath.Join(dir, StatusDir, strings.TrimSuffix(name, ".json")+".status.json")
}

// get fetches url with a client the caller closes, returning status and body.
func get(t testing.TB, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// newScrapeClient returns a client with its own transport, closed at test end
// so no keep-alive goroutine outlives the test.
func newScrapeClient(t testing.TB) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}
