package watcher

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oranbench/oranbench/targets/watcher/watchertest"
)

// Environment of a crash-test child: crashChildEnv holds the watched
// directory, crashPorchEnv the Porch URL.
const (
	crashChildEnv = "ORANBENCH_WATCHER_CRASH_CHILD_DIR"
	crashPorchEnv = "ORANBENCH_WATCHER_CRASH_CHILD_PORCH"
	// crashSeedEnv replays a crash test's kill delays and intent mix.
	crashSeedEnv = "ORANBENCH_WATCHER_CRASH_SEED"
	childReady   = "ready"
)

// runCrashChild runs a watcher on the directory named by crashChildEnv until
// its stdin reaches EOF (the parent closed it, or died), then closes the
// watcher and prints its Stats as JSON. It prints childReady once started.
func runCrashChild() int {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	w, err := New(Config{
		Dir:       os.Getenv(crashChildEnv),
		Debounce:  MinDebounce,
		StableFor: 10 * time.Millisecond,
		Workers:   2,
		Client:    &http.Client{Transport: tr, Timeout: 10 * time.Second},
		PorchURL:  os.Getenv(crashPorchEnv),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := w.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println(childReady)
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := w.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(w.Stats()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// lineWriter collects a child's output and signals when a line equal to want
// arrives; exec's copying goroutine writes, the test reads.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	want  string
	found chan struct{}
	once  sync.Once
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf.Write(p)
	if slices.Contains(strings.Split(lw.buf.String(), "\n"), lw.want) {
		lw.once.Do(func() { close(lw.found) })
	}
	return len(p), nil
}

func (lw *lineWriter) String() string {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.buf.String()
}

// crashChild is one watcher process. stop ends it: SIGKILL, or a clean
// shutdown (stdin closed). It is always reaped, on test failure too.
type crashChild struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *lineWriter
	stderr *lineWriter
	once   sync.Once
	err    error
}

func startCrashChild(t *testing.T, dir, porchURL string) *crashChild {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &crashChild{
		cmd:    exec.Command(exe, "-test.run=^$"),
		stdout: &lineWriter{want: childReady, found: make(chan struct{})},
		stderr: &lineWriter{found: make(chan struct{})},
	}
	c.cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashPorchEnv+"="+porchURL)
	c.cmd.Stdout, c.cmd.Stderr = c.stdout, c.stderr
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.kill() })
	return c
}

// waitReady waits until the child's watcher has started.
func (c *crashChild) waitReady(t *testing.T) {
	t.Helper()
	select {
	case <-c.stdout.found:
	case <-time.After(20 * time.Second):
		_ = c.kill()
		t.Fatalf("child did not start within 20s; stderr: %s", c.stderr)
	}
}

// kill sends SIGKILL (TerminateProcess on Windows) and reaps the child.
func (c *crashChild) kill() error {
	c.once.Do(func() {
		_ = c.cmd.Process.Kill()
		c.err = c.cmd.Wait()
	})
	return c.err
}

// shutdown closes the child's stdin, so its watcher closes cleanly, and
// reaps it; after timeout it is killed.
func (c *crashChild) shutdown(timeout time.Duration) error {
	c.once.Do(func() {
		_ = c.stdin.Close()
		done := make(chan error, 1)
		go func() { done <- c.cmd.Wait() }()
		select {
		case c.err = <-done:
		case <-time.After(timeout):
			_ = c.cmd.Process.Kill()
			<-done
			c.err = fmt.Errorf("child did not exit within %v of its stdin closing; killed", timeout)
		}
	})
	return c.err
}

// crashIntent is an intent of the crash test and the outcome it must get.
type crashIntent struct {
	name    string
	body    string
	corr    string // correlation_id: identifies the intent's content
	invalid bool   // goes to failed/
}

// crashBatch builds round r's intents: mostly valid and unique, some
// invalid, some repeating the content of an earlier valid intent.
func crashBatch(rng *rand.Rand, r, n int, earlier []crashIntent) []crashIntent {
	var batch []crashIntent
	for i := range n {
		in := crashIntent{name: fmt.Sprintf("intent-r%02d-%03d.json", r, i), corr: fmt.Sprintf("crash-%02d-%03d", r, i)}
		switch p := rng.IntN(10); {
		case p == 0:
			in.invalid = true
			in.body = fmt.Sprintf(`{"intent_type":"scaling","target":"nf-crash","namespace":"ran-a","replicas":%d,"correlation_id":%q}`, MaxReplicas+1, in.corr)
		case p == 1 && len(earlier) > 0:
			orig := earlier[rng.IntN(len(earlier))]
			in.body, in.corr, in.invalid = orig.body, orig.corr, orig.invalid
		default:
			in.body = fmt.Sprintf(`{"intent_type":"scaling","target":"nf-crash","namespace":"ran-a","replicas":%d,"correlation_id":%q}`, i%10+1, in.corr)
		}
		batch = append(batch, in)
	}
	return batch
}

// writeIntentAtomically writes an intent as a writer should: temp file
// (not matching IntentPattern), then rename.
func writeIntentAtomically(t *testing.T, dir string, in crashIntent) {
	t.Helper()
	tmp := filepath.Join(dir, "."+in.name+".tmp")
	if err := os.WriteFile(tmp, []byte(in.body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, in.name)); err != nil {
		t.Fatal(err)
	}
}

// TestAWatcherKilledAtRandomPointsLosesNothingAndCreatesNothingTwice runs
// the watcher as a child process, writes a batch of intents per round and
// kills the child with SIGKILL a random time after it started, 24 times,
// then lets a last child finish. Every intent must then be in exactly one of
// processed/ or failed/ with exactly one status file, no status temp file
// may be left, and Porch must have created each intent's package exactly
// once. SIGKILL loses what the process had not handed to the kernel, not what
// the page cache held: this proves the protocol (order of moves, status
// writes, recovery at start, idempotent submission); the fsyncs that carry it
// over a power loss are checked by TestRecordMakesEachStepDurableBeforeTheNext.
func TestAWatcherKilledAtRandomPointsLosesNothingAndCreatesNothingTwice(t *testing.T) {
	t.Parallel() // mostly waiting on its children and kill delays
	const (
		rounds   = 24
		perRound = 25
		maxDelay = 400 * time.Millisecond
	)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: want an unsigned integer", crashSeedEnv, s)
		}
		seed = v
	}
	t.Logf("seed %d: replay the kill delays and intent mix with %s=%d", seed, crashSeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	// A little Porch latency widens the window between submission and
	// recorded outcome, where a kill matters most.
	porch := watchertest.NewPorch(watchertest.Options{Latency: 2 * time.Millisecond})
	t.Cleanup(porch.Close) // after the children are reaped (cleanups run last first)
	dir := t.TempDir()

	var all []crashIntent
	var delays []time.Duration
	var progress []int // outcomes on disk after each kill
	torn := 0          // status temp files left by kills
	start := time.Now()
	for r := range rounds {
		batch := crashBatch(rng, r, perRound, all)
		child := startCrashChild(t, dir, porch.URL)
		// Half the batch before the child starts (found by its scan), half
		// while it runs (found by fsnotify).
		for i, in := range batch {
			if i == len(batch)/2 {
				child.waitReady(t)
			}
			writeIntentAtomically(t, dir, in)
		}
		all = append(all, batch...)
		delay := time.Duration(rng.Int64N(int64(maxDelay)))
		delays = append(delays, delay)
		time.Sleep(delay)
		_ = child.kill()
		// Only the kill may end a child; anything on its stderr (an error,
		// a data race found by -race) fails the test.
		if (runtime.GOOS != "windows" && child.cmd.ProcessState.Exited()) || child.stderr.String() != "" {
			t.Fatalf("round %d: child %v before or beside the kill; stderr: %s", r, child.cmd.ProcessState, child.stderr)
		}
		progress = append(progress, len(listNames(t, filepath.Join(dir, ProcessedDir), "*.json"))+len(listNames(t, filepath.Join(dir, FailedDir), "*.json")))
		torn += len(listNames(t, filepath.Join(dir, StatusDir), tempStatusPrefix+"*"))
	}
	t.Logf("%d rounds of %d intents in %v; kills %v after each child's start-up; outcomes on disk after each kill %v; %d torn status temp files found after kills",
		rounds, perRound, time.Since(start).Round(time.Millisecond), delays, progress, torn)

	last := startCrashChild(t, dir, porch.URL)
	last.waitReady(t)
	waitFor(t, 30*time.Second, "every intent to have an outcome", func() bool {
		return len(listNames(t, dir, IntentPattern)) == 0 &&
			len(listNames(t, filepath.Join(dir, ProcessedDir), "*.json"))+len(listNames(t, filepath.Join(dir, FailedDir), "*.json")) >= len(all)
	})
	if err := last.shutdown(20 * time.Second); err != nil || last.stderr.String() != "" {
		t.Fatalf("last child: %v; stderr: %s", err, last.stderr)
	}
	var stats Stats
	out := last.stdout.String()
	if err := json.Unmarshal([]byte(strings.TrimSpace(strings.TrimPrefix(out, childReady))), &stats); err != nil {
		t.Fatalf("last child's stats %q: %v", out, err)
	}
	t.Logf("last child: %+v", stats)

	checkCrashOutcomes(t, dir, all)
	checkCrashPorch(t, porch.Counts(), all)
}

// checkCrashOutcomes checks that each intent is in exactly one of processed/
// or failed/ (the right one), with exactly one status file that agrees, and
// that nothing else is in status/.
func checkCrashOutcomes(t *testing.T, dir string, all []crashIntent) {
	t.Helper()
	where := make(map[string]string) // file name → sub-directory
	for _, sub := range []string{ProcessedDir, FailedDir} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if prev, dup := where[e.Name()]; dup {
				t.Errorf("%s is in both %s/ and %s/", e.Name(), prev, sub)
			}
			where[e.Name()] = sub
		}
	}
	if len(where) != len(all) {
		t.Errorf("processed/ and failed/ hold %d files, want the %d intents written", len(where), len(all))
	}
	statusEntries, err := os.ReadDir(filepath.Join(dir, StatusDir))
	if err != nil {
		t.Fatal(err)
	}
	statuses := make(map[string]bool)
	for _, e := range statusEntries {
		if !strings.HasSuffix(e.Name(), ".status.json") {
			t.Errorf("status/ holds %s, which is not a status file (a torn temp file must not survive a start)", e.Name())
		}
		statuses[e.Name()] = true
	}
	if len(statuses) != len(all) {
		t.Errorf("status/ holds %d status files, want one per intent: %d", len(statuses), len(all))
	}
	recovered := 0
	for _, in := range all {
		sub, ok := where[in.name]
		want := ProcessedDir
		if in.invalid {
			want = FailedDir
		}
		if !ok || sub != want {
			t.Errorf("%s is in %q, want %s/", in.name, sub, want)
			continue
		}
		rec := readStatus(t, statusPath(dir, in.name))
		okStatus := rec.Status == StatusFailed
		if want == ProcessedDir {
			okStatus = rec.Status == StatusProcessed || rec.Status == StatusSkipped
		}
		if rec.IntentFile != in.name || !okStatus {
			t.Errorf("status of %s: %+v, want its name and a status that matches %s/", in.name, rec, want)
		}
		if strings.HasPrefix(rec.Message, RecoveredMessage) {
			recovered++
		}
	}
	t.Logf("%d intents: %d status files written at a later start for files moved before a kill", len(all), recovered)
}

// checkCrashPorch checks that each valid intent (by correlation id) was
// created and proposed exactly once, and counts the requests that were
// resubmissions after a kill (at-least-once on the wire, answered with 409).
func checkCrashPorch(t *testing.T, c watchertest.Counts, all []crashIntent) {
	t.Helper()
	want := make(map[string]bool) // correlation ids of valid intents
	for _, in := range all {
		if !in.invalid {
			want[in.corr] = true
		}
	}
	creates := createsPerIntent(t, c)
	for corr := range want {
		if creates[corr] != 1 {
			t.Errorf("intent %s: Porch created %d packages for it, want 1", corr, creates[corr])
		}
	}
	for corr, n := range creates {
		if !want[corr] {
			t.Errorf("Porch created %d packages for %s, which is not a valid intent of this test", n, corr)
		}
	}
	resubmits, reproposals := 0, 0
	for name, n := range c.CreateRequests {
		resubmits += n - 1
		if c.Proposed[name] != 1 {
			t.Errorf("package %s proposed %d times, want 1", name, c.Proposed[name])
		}
		reproposals += c.ProposeRequests[name] - 1
	}
	t.Logf("Porch: %d packages created once each; %d create and %d propose requests were resubmissions after a kill (answered 409)",
		len(c.Created), resubmits, reproposals)
}

// createsPerIntent counts successful creates per intent, keyed by the
// correlation_id of the intent in the created package, so a watcher that
// named the same intent's package differently twice is caught too.
func createsPerIntent(t *testing.T, c watchertest.Counts) map[string]int {
	t.Helper()
	n := make(map[string]int)
	for name, created := range c.Created {
		var in struct {
			Corr string `json:"correlation_id"`
		}
		if err := json.Unmarshal(c.Intents[name], &in); err != nil || in.Corr == "" {
			t.Fatalf("package %s: intent %s has no correlation_id", name, c.Intents[name])
		}
		n[in.Corr] += created
	}
	return n
}

func TestCreatesPerIntentCountsAnIntentCreatedUnderTwoNames(t *testing.T) {
	c := watchertest.Counts{
		Created: map[string]int{"a-1": 1, "a-2": 1, "b-1": 1},
		Intents: map[string]json.RawMessage{
			"a-1": json.RawMessage(`{"correlation_id":"a"}`),
			"a-2": json.RawMessage(`{"correlation_id":"a"}`),
			"b-1": json.RawMessage(`{"correlation_id":"b"}`),
		},
	}
	got := createsPerIntent(t, c)
	if got["a"] != 2 || got["b"] != 1 || len(got) != 2 {
		t.Fatalf("creates per intent = %v, want a:2 b:1", got)
	}
}
