package watcher

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Sub-directories of the watched directory.
const (
	ProcessedDir = "processed"
	FailedDir    = "failed"
	StatusDir    = "status"
)

// Status is the result recorded for one intent file.
type Status string

// Statuses written to status files.
const (
	// StatusProcessed: submitted to Porch (created and proposed).
	StatusProcessed Status = "processed"
	// StatusSkipped: same content (SHA-256) was already processed; not
	// resubmitted. The file goes to processed/.
	StatusSkipped Status = "skipped"
	// StatusFailed: invalid, too large, or Porch refused it. The file goes to
	// failed/.
	StatusFailed Status = "failed"
)

// StatusRecord is the JSON content of a status file.
type StatusRecord struct {
	IntentFile string    `json:"intent_file"`
	Status     Status    `json:"status"`
	Message    string    `json:"message"`
	Timestamp  time.Time `json:"timestamp"`
}

// Outcome is what happened to one intent file, passed to Config.OnOutcome.
type Outcome struct {
	StatusRecord
	// MovedTo is the file's path under processed/ or failed/.
	MovedTo string
	// StatusFile is the path of the status file.
	StatusFile string
	// Elapsed is the time from dequeue to recorded outcome.
	Elapsed time.Duration
}

// readCapped reads at most limit bytes of a file, failing with errTooLarge
// beyond it.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w (%d bytes)", errTooLarge, limit)
	}
	return data, nil
}

// record moves name out of dir into processed/ or failed/ and then writes
// its status file atomically (temp file + rename), so a reader of status/
// never sees a partial record and every status file's intent is already
// moved. A name already used in processed/, failed/ or status/ gets a unique
// suffix.
//
// Unless d is off, every step is durable before the next one starts: the
// move is fsynced in both directories, then the status file's content, then
// status/. So after a power loss a status file's intent is moved, and an
// intent that was moved without its status file gets one at the next Start
// (see recoverOutcomes).
func record(d durability, dir, name string, rec StatusRecord) (Outcome, error) {
	sub := ProcessedDir
	if rec.Status == StatusFailed {
		sub = FailedDir
	}
	src := filepath.Join(dir, name)
	final, err := uniqueName(dir, name)
	if err != nil {
		return Outcome{}, err
	}
	dst := filepath.Join(dir, sub, final)
	if err := d.rename(src, dst); err != nil {
		return Outcome{}, fmt.Errorf("move %s to %s: %w", src, dst, err)
	}
	// Journaling file systems (ext4, xfs) commit a rename's two directory
	// entries together. Where one does not, syncing the destination first
	// means a power loss leaves the file in both places rather than in none:
	// the copy left in the directory is then processed again, as a
	// duplicate of processed content (skipped, not resubmitted) or failed
	// again, and gets its own, suffixed outcome.
	if err := errors.Join(d.dir(filepath.Join(dir, sub)), d.dir(dir)); err != nil {
		return Outcome{}, fmt.Errorf("move %s to %s: %w", src, dst, err)
	}
	statusPath := filepath.Join(dir, StatusDir, statusName(final))
	if err := writeAtomic(d, statusPath, rec); err != nil {
		return Outcome{}, err
	}
	return Outcome{StatusRecord: rec, MovedTo: dst, StatusFile: statusPath}, nil
}

// statusName is the status file's name for an intent file's final name.
func statusName(final string) string {
	return strings.TrimSuffix(final, ".json") + ".status.json"
}

// uniqueName returns name, or name with a numeric suffix, such that no file
// of that name is in processed/ or failed/ and no status file for it exists:
// each status file belongs to exactly one moved intent.
func uniqueName(dir, name string) (string, error) {
	base := strings.TrimSuffix(name, ".json")
	candidate := name
	for i := 1; i <= 1000; i++ {
		free := true
		for _, p := range []string{
			filepath.Join(dir, ProcessedDir, candidate),
			filepath.Join(dir, FailedDir, candidate),
			filepath.Join(dir, StatusDir, statusName(candidate)),
		} {
			_, err := os.Lstat(p)
			if err == nil {
				free = false
				break
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("check %s: %w", p, err)
			}
		}
		if free {
			return candidate, nil
		}
		candidate = fmt.Sprintf("%s.%d.json", base, i)
	}
	return "", fmt.Errorf("%s: more than 1000 outcomes recorded for files named %s", dir, name)
}

// tempStatusPrefix starts the name of a status file being written. A file
// with this prefix is never an outcome: it is renamed to its final name only
// once complete (and, unless NoSync, fsynced).
const tempStatusPrefix = ".tmp-status-"

func writeAtomic(d durability, path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), tempStatusPrefix+"*")
	if err != nil {
		return fmt.Errorf("status file %s: %w", path, err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	serr := d.file(tmp)
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("status file %s: %w", path, err)
	}
	if err := d.rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("status file %s: %w", path, err)
	}
	if err := d.dir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("status file %s: %w", path, err)
	}
	return nil
}

// recovery is what recoverOutcomes found and repaired.
type recovery struct {
	tempsRemoved int // torn status temp files removed
	recovered    int // status files written for moved intents that had none
}

// recoverOutcomes repairs what a crash (kill, power loss) can leave behind,
// before a watcher starts on dir:
//   - a status temp file (tempStatusPrefix) is the remains of a write that
//     never reached its rename; it is not an outcome and is removed;
//   - an intent in processed/ or failed/ without a status file was moved by
//     a watcher that stopped before writing the status; its outcome is
//     known from the directory, so a status file saying so is written (the
//     original message is lost).
//
// It assumes no other watcher runs on dir, as does the rest of the package.
func recoverOutcomes(d durability, dir string) (recovery, error) {
	var r recovery
	statusDir := filepath.Join(dir, StatusDir)
	entries, err := os.ReadDir(statusDir)
	if err != nil {
		return r, fmt.Errorf("recover %s: %w", statusDir, err)
	}
	have := make(map[string]bool, len(entries))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempStatusPrefix) {
			if err := os.Remove(filepath.Join(statusDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return r, fmt.Errorf("recover: remove torn status file: %w", err)
			}
			r.tempsRemoved++
			continue
		}
		have[e.Name()] = true
	}
	for _, sub := range []struct {
		dir    string
		status Status
	}{{ProcessedDir, StatusProcessed}, {FailedDir, StatusFailed}} {
		subDir := filepath.Join(dir, sub.dir)
		moved, err := os.ReadDir(subDir)
		if err != nil {
			return r, fmt.Errorf("recover %s: %w", subDir, err)
		}
		for _, e := range moved {
			if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".json") || have[statusName(e.Name())] {
				continue
			}
			rec := StatusRecord{
				IntentFile: e.Name(),
				Status:     sub.status,
				Message:    fmt.Sprintf("%s %s/ before the watcher stopped; this status file was written at the next start and the original message is lost", RecoveredMessage, sub.dir),
				Timestamp:  time.Now().UTC(),
			}
			if err := writeAtomic(d, filepath.Join(statusDir, statusName(e.Name())), rec); err != nil {
				return r, fmt.Errorf("recover: %w", err)
			}
			r.recovered++
		}
	}
	if r.tempsRemoved > 0 {
		if err := d.dir(statusDir); err != nil {
			return r, fmt.Errorf("recover: %w", err)
		}
	}
	return r, nil
}

// RecoveredMessage starts the message of a status file written at Start for
// an intent that an earlier watcher moved but stopped before recording. Its
// status is processed for processed/ (which also holds skipped files) and
// failed for failed/.
const RecoveredMessage = "outcome recovered after a crash: the file had been moved to"

// dedupSet tracks content hashes: claimed while a worker submits the
// content, done once it was processed. A claim on done content fails; a claim
// on claimed content waits until the claimer is done (then it fails) or
// releases it (then it is claimed anew). So equal content is submitted at most
// once, and a duplicate is judged "skipped" only once the original's outcome
// is recorded: never while the original could still fail or be interrupted.
type dedupSet struct {
	mu   sync.Mutex
	seen map[[32]byte]*dedupEntry
}

type dedupEntry struct {
	done    bool
	settled chan struct{} // closed by done or release; nil for seeded entries
}

// doneEntry stands for every content hash that is done: the set keeps one
// map slot per processed content (it must, to skip a later duplicate), but
// no entry and no channel of its own, about a quarter of the memory a
// processed intent would otherwise hold for the watcher's life.
var doneEntry = &dedupEntry{done: true}

func newDedupSet() *dedupSet { return &dedupSet{seen: make(map[[32]byte]*dedupEntry)} }

// claim reports whether the caller now owns sum; false means the content is
// done. It fails with ctx's error if ctx ends while it waits.
func (d *dedupSet) claim(ctx context.Context, sum [32]byte) (bool, error) {
	for {
		d.mu.Lock()
		e, ok := d.seen[sum]
		if !ok {
			d.seen[sum] = &dedupEntry{settled: make(chan struct{})}
			d.mu.Unlock()
			return true, nil
		}
		if e.done {
			d.mu.Unlock()
			return false, nil
		}
		d.mu.Unlock()
		select {
		case <-e.settled:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

func (d *dedupSet) done(sum [32]byte) {
	d.mu.Lock()
	if e := d.seen[sum]; e != nil && !e.done {
		close(e.settled) // waiters hold the channel; they find doneEntry
		d.seen[sum] = doneEntry
	}
	d.mu.Unlock()
}

func (d *dedupSet) release(sum [32]byte) {
	d.mu.Lock()
	if e := d.seen[sum]; e != nil && !e.done {
		delete(d.seen, sum)
		close(e.settled)
	}
	d.mu.Unlock()
}

func (d *dedupSet) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen)
}

// seed marks the content of every intent file already in processed/ as done,
// so a restarted watcher skips content processed by an earlier run.
func (d *dedupSet) seed(processedDir string, limit int64) error {
	entries, err := os.ReadDir(processedDir)
	if err != nil {
		return fmt.Errorf("seed de-duplication from %s: %w", processedDir, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := readCapped(filepath.Join(processedDir, e.Name()), limit)
		if err != nil {
			continue // unreadable or oversized: it cannot match a valid intent
		}
		d.mu.Lock()
		d.seen[sha256.Sum256(data)] = doneEntry
		d.mu.Unlock()
	}
	return nil
}

func shortSum(sum [32]byte) string { return hex.EncodeToString(sum[:8]) }
