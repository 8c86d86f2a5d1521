package main

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/scenarios"
)

// syncBuffer is a bytes.Buffer safe for the bar's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressIsPlainLinesOffATerminalAndInCI(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if useBar(w) {
		t.Fatal("a pipe is not a terminal")
	}
	t.Setenv("CI", "true")
	if useBar(os.Stderr) {
		t.Fatal("CI=true must give plain lines")
	}
	var buf bytes.Buffer
	p := newProgress(&buf, false, time.Second)
	defer p.Close()
	if p.bar != nil || p.Log() != &buf || p.onRun(scenarios.RunInfo{Arm: "tuned"}) != nil {
		t.Fatal("without a terminal, log lines must go straight to stderr and no bar be drawn")
	}
	if q := newProgress(&buf, true, time.Second); q.Log() == &buf {
		t.Fatal("--quiet must discard the log lines")
	}
}

func TestProgressBarShowsTheRunningArmAndItsLiveRate(t *testing.T) {
	var out syncBuffer
	p := &progress{out: &out, planned: 4 * time.Second, stop: make(chan struct{})}
	p.startBar()
	count := p.onRun(scenarios.RunInfo{Scenario: "seed-20-concurrent", Arm: "tuned", Rep: 1, Reps: 3, Planned: 2 * time.Second})
	for range 500 {
		count(&vegeta.Result{})
	}
	p.mu.Lock()
	now := p.lastAt.Add(time.Second) // as if exactly a second went by with 500 results
	p.mu.Unlock()
	p.redraw(now)
	if _, err := p.Log().Write([]byte("a log line\n")); err != nil {
		t.Fatal(err)
	}
	p.Close()
	p.Close() // idempotent
	got := out.String()
	for _, want := range []string{"seed-20-concurrent · tuned · rep 2/3 · 500 req/s", "a log line\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output lacks %q:\n%q", want, got)
		}
	}
}
