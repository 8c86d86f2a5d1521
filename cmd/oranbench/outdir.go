package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/oranbench/oranbench/reports"
	"github.com/oranbench/oranbench/reports/results"
)

// LockFile marks a report directory that an oranbench process is writing.
// It holds that process's pid. A lock whose pid no longer runs is stale (a
// run that was killed) and is taken over.
const LockFile = ".oranbench.lock"

// outLock is a held LockFile.
type outLock struct{ path string }

// lockOut takes dir's LockFile, or says which live process holds it.
func lockOut(dir string) (*outLock, error) {
	path := filepath.Join(dir, LockFile)
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := fmt.Fprintf(f, "%d\n", os.Getpid())
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				_ = os.Remove(path)
				return nil, werr
			}
			return &outLock{path: path}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		b, rerr := os.ReadFile(path)
		if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return nil, rerr
		}
		pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
		if rerr == nil && perr == nil && pid > 0 && pid != os.Getpid() && processAlive(pid) {
			return nil, fmt.Errorf("another oranbench (pid %d) is writing this directory (%s); give another --out or wait for it", pid, path)
		}
		// Stale: its process is gone (or the file is not ours to read as a
		// pid); take it over.
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%s: could not take the lock", path)
}

// Unlock removes the lock; it is idempotent.
func (l *outLock) Unlock() {
	if l == nil || l.path == "" {
		return
	}
	_ = os.Remove(l.path)
	l.path = ""
}

// prepareOut makes dir a fresh report directory for one writer: it checks
// that dir is writable, takes its lock and removes the files an earlier
// run of oranbench wrote there (results.json, the rendered report, plots,
// .hgrm and --save-results files), never any other file.
func prepareOut(dir string) (*outLock, error) {
	if err := checkWritableDir(dir); err != nil {
		return nil, err
	}
	l, err := lockOut(dir)
	if err != nil {
		return nil, err
	}
	if err := reports.RemoveOwn(dir, results.ResultsFile, filepath.Join(VegetaDir, "*.bin")); err != nil {
		l.Unlock()
		return nil, err
	}
	if err := reports.RemoveArtifacts(dir); err != nil {
		l.Unlock()
		return nil, err
	}
	return l, nil
}
