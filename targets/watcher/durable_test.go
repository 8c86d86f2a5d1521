package watcher

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

// TestRecordMakesEachStepDurableBeforeTheNext checks the order of renames
// and fsyncs that carries an outcome over a power loss: the intent's move is
// synced in both directories before the status file is written, the status
// file's content before its rename, and status/ after it.
func TestRecordMakesEachStepDurableBeforeTheNext(t *testing.T) {
	cases := []struct {
		name   string
		status Status
		sub    string
		noSync bool
		want   []string // op and path relative to the watched directory
	}{
		{"processed, synced", StatusProcessed, ProcessedDir, false, []string{
			"rename processed/intent-a.json", "syncdir processed", "syncdir .",
			"sync status/" + tempStatusPrefix + "*", "rename status/intent-a.status.json", "syncdir status",
		}},
		{"failed, synced", StatusFailed, FailedDir, false, []string{
			"rename failed/intent-a.json", "syncdir failed", "syncdir .",
			"sync status/" + tempStatusPrefix + "*", "rename status/intent-a.status.json", "syncdir status",
		}},
		{"processed, NoSync", StatusProcessed, ProcessedDir, true, []string{
			"rename processed/intent-a.json", "rename status/intent-a.status.json",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, sub := range []string{ProcessedDir, FailedDir, StatusDir} {
				if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			writeFile(t, dir, "intent-a.json", validIntent(1))
			var got []string
			d := durability{off: tc.noSync, trace: func(op, path string) {
				rel, err := filepath.Rel(dir, path)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, op+" "+filepath.ToSlash(rel))
			}}
			out, err := record(d, dir, "intent-a.json", StatusRecord{IntentFile: "intent-a.json", Status: tc.status, Timestamp: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("steps %q, want %q", got, tc.want)
			}
			for i := range got {
				if ok, _ := filepath.Match(tc.want[i], got[i]); !ok {
					t.Fatalf("step %d is %q, want %q (all steps: %q)", i, got[i], tc.want[i], got)
				}
			}
			if out.MovedTo != filepath.Join(dir, tc.sub, "intent-a.json") || readStatus(t, out.StatusFile).Status != tc.status {
				t.Fatalf("outcome %+v, want the file in %s/ and its status %s", out, tc.sub, tc.status)
			}
		})
	}
}

// TestAStatusFileTornByACrashIsNotAnOutcome starts a watcher on what a
// crashed one can leave: a status temp file that never reached its rename
// (for an intent still in the directory) and an intent moved to processed/
// whose status file was never written. The temp file is removed and its
// intent processed as new; the moved intent gets a status file saying what
// happened; nothing is submitted twice.
func TestAStatusFileTornByACrashIsNotAnOutcome(t *testing.T) {
	porch := watchertest.NewPorch(watchertest.Options{})
	defer porch.Close()
	dir := t.TempDir()
	for _, sub := range []string{ProcessedDir, FailedDir, StatusDir} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, dir, "intent-torn.json", validIntent(1))
	torn := filepath.Join(dir, StatusDir, tempStatusPrefix+"123456")
	writeFile(t, filepath.Join(dir, StatusDir), filepath.Base(torn), `{"intent_file":"intent-torn.json","status":"proc`)
	writeFile(t, filepath.Join(dir, ProcessedDir), "intent-moved.json", validIntent(2))
	writeFile(t, filepath.Join(dir, FailedDir), "intent-bad.json", `{"target":"x"}`)

	w := startWatcher(t, fastConfig(dir, porch))
	waitFor(t, 10*time.Second, "the torn intent's outcome", func() bool { return outcomes(w) == 1 })
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := os.Stat(torn); !os.IsNotExist(err) {
		t.Fatalf("torn status temp file still there (stat: %v)", err)
	}
	s := w.Stats()
	if s.TempsRemoved != 1 || s.Recovered != 2 || s.Processed != 1 {
		t.Fatalf("temps removed %d, recovered %d, processed %d; want 1, 2, 1", s.TempsRemoved, s.Recovered, s.Processed)
	}
	if rec := readStatus(t, statusPath(dir, "intent-torn.json")); rec.Status != StatusProcessed || strings.HasPrefix(rec.Message, RecoveredMessage) {
		t.Fatalf("status of the torn intent: %+v, want processed by this watcher", rec)
	}
	for name, want := range map[string]Status{"intent-moved.json": StatusProcessed, "intent-bad.json": StatusFailed} {
		rec := readStatus(t, statusPath(dir, name))
		if rec.Status != want || rec.IntentFile != name || !strings.HasPrefix(rec.Message, RecoveredMessage) {
			t.Fatalf("status of %s: %+v, want %s, recovered", name, rec, want)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, StatusDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"intent-bad.status.json", "intent-moved.status.json", "intent-torn.status.json"}; !slices.Equal(names, want) {
		t.Fatalf("status/ = %v, want %v", names, want)
	}
	c := porch.Counts()
	if len(c.CreateRequests) != 1 {
		t.Fatalf("Porch saw creates for %v, want only the torn intent's package", c.CreateRequests)
	}
}

// TestADuplicateWaitsForTheOriginalsOutcome: a duplicate is skipped only once
// the original is done; if the original is released (it failed or was
// interrupted), the duplicate claims the content itself.
func TestADuplicateWaitsForTheOriginalsOutcome(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	cases := []struct {
		name        string
		settle      func(d *dedupSet)
		wantClaimed bool
	}{
		{"original done: the duplicate is skipped", func(d *dedupSet) { d.done(sum) }, false},
		{"original released: the duplicate claims it", func(d *dedupSet) { d.release(sum) }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDedupSet()
			if ok, err := d.claim(context.Background(), sum); !ok || err != nil {
				t.Fatalf("first claim: %v %v", ok, err)
			}
			type result struct {
				ok  bool
				err error
			}
			got := make(chan result, 1)
			go func() {
				ok, err := d.claim(context.Background(), sum)
				got <- result{ok, err}
			}()
			select {
			case r := <-got:
				t.Fatalf("second claim returned %v while the first was in flight; want it to wait", r)
			case <-time.After(20 * time.Millisecond):
			}
			tc.settle(d)
			if r := <-got; r.ok != tc.wantClaimed || r.err != nil {
				t.Fatalf("second claim = %v, %v; want %v, nil", r.ok, r.err, tc.wantClaimed)
			}
		})
	}
	t.Run("cancelled while waiting", func(t *testing.T) {
		d := newDedupSet()
		_, _ = d.claim(context.Background(), sum)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if ok, err := d.claim(ctx, sum); ok || err == nil {
			t.Fatalf("claim = %v, %v; want false and the context's error", ok, err)
		}
	})
}
