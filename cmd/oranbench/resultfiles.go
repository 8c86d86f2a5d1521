package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
)

// resultFiles streams every measured result, in vegeta's own gob encoding
// (what `vegeta attack` writes and `vegeta report` and `vegeta plot` read),
// into one file per scenario (and sweep point) and arm under DIR/vegeta/.
// Results go straight to a buffered file, never into memory; response
// bodies and headers are left out to keep the files small.
type resultFiles struct {
	dir   string
	mu    sync.Mutex
	files map[string]*resultFile
	order []string
	err   error
}

type resultFile struct {
	f   *os.File
	w   *bufio.Writer
	enc vegeta.Encoder
}

// VegetaDir is the sub-directory of a report that --save-results fills.
const VegetaDir = "vegeta"

func newResultFiles(dir string) *resultFiles {
	return &resultFiles{dir: filepath.Join(dir, VegetaDir), files: map[string]*resultFile{}}
}

// resultPath is where the results of one scenario (point) and arm go.
func resultPath(dir string, info scenarios.RunInfo) string {
	return filepath.Join(dir, results.FileStem(results.RunLabel(info.Scenario, info.Point))+"."+results.FileStem(info.Arm)+".bin")
}

// onRun returns the sink for one arm-repetition; repetitions of an arm
// append to the same file.
func (s *resultFiles) onRun(info scenarios.RunInfo) scenarios.ResultFunc {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil
	}
	path := resultPath(s.dir, info)
	rf, ok := s.files[path]
	if !ok {
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			s.err = fmt.Errorf("--save-results: %w", err)
			return nil
		}
		f, err := os.Create(path)
		if err != nil {
			s.err = fmt.Errorf("--save-results: %w", err)
			return nil
		}
		w := bufio.NewWriterSize(f, 256<<10)
		rf = &resultFile{f: f, w: w, enc: vegeta.NewEncoder(w)}
		s.files[path] = rf
		s.order = append(s.order, path)
	}
	return func(r *vegeta.Result) {
		c := *r
		c.Body, c.Headers = nil, nil
		if err := rf.enc.Encode(&c); err != nil {
			s.mu.Lock()
			if s.err == nil {
				s.err = fmt.Errorf("--save-results: %s: %w", path, err)
			}
			s.mu.Unlock()
		}
	}
}

// Close flushes and closes every file; it is idempotent and returns the
// first error met while saving.
func (s *resultFiles) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, path := range s.order {
		rf := s.files[path]
		if err := rf.w.Flush(); err != nil && s.err == nil {
			s.err = fmt.Errorf("--save-results: %s: %w", path, err)
		}
		if err := rf.f.Close(); err != nil && s.err == nil {
			s.err = fmt.Errorf("--save-results: %s: %w", path, err)
		}
	}
	s.order, s.files = nil, map[string]*resultFile{}
	return s.err
}
