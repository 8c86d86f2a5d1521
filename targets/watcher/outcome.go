package watcher

import (
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
// moved. A destination that exists (same name reused) gets a unique suffix.
func record(dir, name string, rec StatusRecord) (Outcome, error) {
	sub := ProcessedDir
	if rec.Status == StatusFailed {
		sub = FailedDir
	}
	src := filepath.Join(dir, name)
	final, err := uniqueName(filepath.Join(dir, sub), name)
	if err != nil {
		return Outcome{}, err
	}
	dst := filepath.Join(dir, sub, final)
	if err := os.Rename(src, dst); err != nil {
		return Outcome{}, fmt.Errorf("move %s to %s: %w", src, dst, err)
	}
	statusPath := filepath.Join(dir, StatusDir, strings.TrimSuffix(final, ".json")+".status.json")
	if err := writeAtomic(statusPath, rec); err != nil {
		return Outcome{}, err
	}
	return Outcome{StatusRecord: rec, MovedTo: dst, StatusFile: statusPath}, nil
}

func uniqueName(dir, name string) (string, error) {
	base := strings.TrimSuffix(name, ".json")
	candidate := name
	for i := 1; i <= 1000; i++ {
		_, err := os.Lstat(filepath.Join(dir, candidate))
		if errors.Is(err, fs.ErrNotExist) {
			return candidate, nil
		}
		if err != nil {
			return "", fmt.Errorf("check %s: %w", filepath.Join(dir, candidate), err)
		}
		candidate = fmt.Sprintf("%s.%d.json", base, i)
	}
	return "", fmt.Errorf("%s: more than 1000 files named %s", dir, name)
}

func writeAtomic(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-status-*")
	if err != nil {
		return fmt.Errorf("status file %s: %w", path, err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("status file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("status file %s: %w", path, err)
	}
	return nil
}

// dedupSet tracks content hashes: claimed while a worker submits the
// content, done once it was processed. A claim on claimed or done content
// fails, so equal content is submitted at most once.
type dedupSet struct {
	mu   sync.Mutex
	seen map[[32]byte]bool // false: claimed, true: done
}

func newDedupSet() *dedupSet { return &dedupSet{seen: make(map[[32]byte]bool)} }

func (d *dedupSet) claim(sum [32]byte) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.seen[sum]; ok {
		return false
	}
	d.seen[sum] = false
	return true
}

func (d *dedupSet) done(sum [32]byte) {
	d.mu.Lock()
	d.seen[sum] = true
	d.mu.Unlock()
}

func (d *dedupSet) release(sum [32]byte) {
	d.mu.Lock()
	delete(d.seen, sum)
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
		d.seen[sha256.Sum256(data)] = true
		d.mu.Unlock()
	}
	return nil
}

func shortSum(sum [32]byte) string { return hex.EncodeToString(sum[:8]) }
