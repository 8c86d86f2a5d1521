package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
)

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
