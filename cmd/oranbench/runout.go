package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/term"

	"github.com/oranbench/oranbench/reports/markdown"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
)

// parseShard parses --shard "i/N" (0 <= i < N); "" means no sharding.
func parseShard(s string) (*results.Shard, error) {
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("--shard %q: want i/N with 0 <= i < N, e.g. 0/4 (a Kubernetes Indexed Job passes $JOB_COMPLETION_INDEX as i)", s)
	}
	return &results.Shard{Index: i, Count: n}, nil
}

// shardScenarios gives each scenario shard sh's share of its load.
func shardScenarios(list []*scenarios.Plan, sh *results.Shard) ([]*scenarios.Plan, error) {
	if sh == nil {
		return list, nil
	}
	out := make([]*scenarios.Plan, len(list))
	for i, s := range list {
		c, err := s.Shard(sh.Index, sh.Count)
		if err != nil {
			return nil, fmt.Errorf("--shard %s: %w", sh, err)
		}
		out[i] = c
	}
	return out, nil
}

// runHooks combines the per-run observers into scenarios.Options.OnRun.
func runHooks(hooks ...func(scenarios.RunInfo) scenarios.ResultFunc) func(scenarios.RunInfo) scenarios.ResultFunc {
	return func(info scenarios.RunInfo) scenarios.ResultFunc {
		var fns []scenarios.ResultFunc
		for _, h := range hooks {
			if h == nil {
				continue
			}
			if fn := h(info); fn != nil {
				fns = append(fns, fn)
			}
		}
		switch len(fns) {
		case 0:
			return nil
		case 1:
			return fns[0]
		}
		return func(r *vegeta.Result) {
			for _, fn := range fns {
				fn(r)
			}
		}
	}
}

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

// progress shows where a run is: on a terminal a bar (scenario, arm,
// repetition, elapsed and remaining time, live req/s) above which the log
// lines scroll; plain log lines when stderr is not a terminal or CI=true;
// nothing with --quiet.
type progress struct {
	out     io.Writer
	bar     *progressbar.ProgressBar
	planned time.Duration

	mu       sync.Mutex
	done     time.Duration // planned time of the finished runs
	cur      scenarios.RunInfo
	curStart time.Time
	count    atomic.Int64
	lastN    int64
	lastAt   time.Time
	rate     float64

	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// progressTick is how often the bar is redrawn.
const progressTick = 250 * time.Millisecond

// useBar reports whether w is an interactive terminal outside CI.
func useBar(w io.Writer) bool {
	if os.Getenv("CI") == "true" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newProgress(stderr io.Writer, quiet bool, planned time.Duration) *progress {
	p := &progress{out: stderr, planned: planned, stop: make(chan struct{})}
	switch {
	case quiet:
		p.out = io.Discard
	case useBar(stderr):
		p.startBar()
	}
	return p
}

// startBar draws the bar on p.out and starts redrawing it.
func (p *progress) startBar() {
	p.bar = progressbar.NewOptions64(max(1, p.planned.Milliseconds()),
		progressbar.OptionSetWriter(p.out),
		progressbar.OptionSetWidth(24),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionClearOnFinish(),
	)
	p.wg.Add(1)
	go p.tick()
}

// Log is where the run's log lines go: above the bar, straight to stderr,
// or nowhere.
func (p *progress) Log() io.Writer {
	if p.bar == nil {
		return p.out
	}
	return progressLog{p}
}

type progressLog struct{ p *progress }

func (l progressLog) Write(b []byte) (int, error) {
	l.p.mu.Lock()
	defer l.p.mu.Unlock()
	_ = l.p.bar.Clear()
	return l.p.out.Write(b)
}

// onRun notes the run that starts and counts its results for the live rate.
func (p *progress) onRun(info scenarios.RunInfo) scenarios.ResultFunc {
	if p.bar == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.curStart.IsZero() {
		p.done += p.cur.Planned
	}
	p.cur, p.curStart = info, time.Now()
	p.count.Store(0)
	p.lastN, p.lastAt, p.rate = 0, p.curStart, 0
	return func(*vegeta.Result) { p.count.Add(1) }
}

func (p *progress) tick() {
	defer p.wg.Done()
	t := time.NewTicker(progressTick)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.redraw(now)
		}
	}
}

func (p *progress) redraw(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.curStart.IsZero() {
		return
	}
	n := p.count.Load()
	if dt := now.Sub(p.lastAt).Seconds(); dt >= 1 {
		p.rate = float64(n-p.lastN) / dt
		p.lastN, p.lastAt = n, now
	}
	c := p.cur
	where := c.Scenario
	if c.Point != "" {
		where += " [" + c.Point + "]"
	}
	p.bar.Describe(fmt.Sprintf("%s · %s · rep %d/%d · %s req/s", where, c.Arm, c.Rep+1, c.Reps, results.Num(p.rate)))
	pos := p.done + min(now.Sub(p.curStart), p.cur.Planned)
	_ = p.bar.Set64(min(pos, p.planned).Milliseconds())
}

// Close stops the bar and clears it; it is idempotent.
func (p *progress) Close() {
	p.closeOnce.Do(func() {
		close(p.stop)
		p.wg.Wait()
		if p.bar != nil {
			p.mu.Lock()
			_ = p.bar.Clear()
			p.mu.Unlock()
		}
	})
}

// plannedTime adds up the planned wall time of every scenario.
func plannedTime(list []*scenarios.Plan, quick bool) time.Duration {
	var d time.Duration
	for _, s := range list {
		d += s.Planned(quick)
	}
	return d
}

// thresholdsDecide reports whether the run's thresholds set its exit code:
// a shard carries part of the load, so absolute thresholds are judged on
// the merged result (oranbench report --merge), not on each shard.
func thresholdsDecide(res *results.Results) bool { return res.Shard == nil }

// printRunOutput tells where the report is, or prints results.json with
// --json.
func printRunOutput(stdout io.Writer, dir string, res *results.Results, asJSON bool) error {
	if asJSON {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(b, '\n'))
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(dir, markdown.ReportFile), filepath.Join(dir, results.ResultsFile))
	if res.Shard != nil {
		fmt.Fprintf(stdout, "shard %s: thresholds are judged on the merged result: oranbench report --merge --out DIR SHARD-DIRS...\n", res.Shard)
	}
	return nil
}
