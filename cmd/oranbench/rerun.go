package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios"
)

// rerunGrace is how long a child of compare --rerun has, after the SIGINT
// it is forwarded, to write its partial report and exit before its whole
// process group is killed.
var rerunGrace = 10 * time.Second

// errRerunInterrupted is returned (wrapped) when compare --rerun is
// interrupted: the child was asked to stop and its process group reaped.
var errRerunInterrupted = errors.New("interrupted")

// rerunBuilds runs the two binaries alternately, rounds times each, on the
// given scenarios (the CI-sized set when none), and reads their results
// back. Each child runs in a process group of its own: on cancel the group
// gets SIGINT, then SIGKILL after rerunGrace, and is reaped either way, so
// a wrapper script's grandchildren do not outlive it. Each child's output
// goes to a log file beside its run. The directory is kept (and named in
// the error) when a child fails or the comparison is interrupted.
func rerunBuilds(ctx context.Context, log io.Writer, oldBin, newBin string, scenarioArgs []string, rounds int, quick bool, out string) (olds, news []*results.Results, err error) {
	for _, b := range []string{oldBin, newBin} {
		if st, err := os.Stat(b); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return nil, nil, fmt.Errorf("--rerun: %s: not an executable oranbench binary", b)
		}
	}
	if out == "" {
		tmp, err := os.MkdirTemp("", "oranbench-rerun-")
		if err != nil {
			return nil, nil, err
		}
		defer func() {
			if err == nil {
				os.RemoveAll(tmp)
			}
		}()
		out = tmp
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, nil, fmt.Errorf("--out: %w", err)
	}
	if len(scenarioArgs) == 0 {
		// The CI-sized set, written out so that both builds run the same text.
		dir := filepath.Join(out, "scenarios")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, err
		}
		if scenarioArgs, err = scenarios.WriteCISet(dir); err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(log, "compare --rerun: the CI-sized set (%d scenarios), %d rounds of each build\n", len(scenarioArgs), rounds)
	}
	for r := 1; r <= rounds; r++ {
		for _, side := range []struct {
			name, label, bin string
			into             *[]*results.Results
		}{{"old", "OLD", oldBin, &olds}, {"new", "NEW", newBin, &news}} {
			dir := filepath.Join(out, fmt.Sprintf("%s-%d", side.name, r))
			logPath := dir + ".log"
			args := append([]string{"run", "--out", dir, "--quiet", "--leakcheck-cycles", "0"}, scenarioArgs...)
			if quick {
				args = append(args, "--quick")
			}
			fmt.Fprintf(log, "compare --rerun: round %d/%d: %s %s\n", r, rounds, side.label, side.bin)
			code, err := runChild(ctx, side.bin, args, logPath)
			switch {
			case errors.Is(err, errRerunInterrupted):
				return nil, nil, fmt.Errorf("--rerun: %w in round %d/%d while %s ran; its partial run and log are in %s", err, r, rounds, side.label, out)
			case err != nil:
				return nil, nil, fmt.Errorf("--rerun: %s %s: %v; its log: %s", side.label, side.bin, err, logPath)
			case code != 0 && code != exitFailed:
				// Exit 1 is a failed threshold: the run is complete and compared.
				return nil, nil, fmt.Errorf("--rerun: %s %s exited %d in round %d/%d: %s; its log: %s", side.label, side.bin, code, r, rounds, lastLine(logPath), logPath)
			}
			res, err := results.ReadResults(dir)
			if err != nil {
				return nil, nil, fmt.Errorf("--rerun: %s %s wrote no results (%v); its log: %s", side.label, side.bin, err, logPath)
			}
			*side.into = append(*side.into, res)
		}
	}
	return olds, news, nil
}

// runChild runs bin with args in a process group of its own, its stdout and
// stderr to logPath, and returns its exit code. When ctx is cancelled the
// group gets SIGINT, then SIGKILL after rerunGrace; the group is killed once
// the child has exited in any case, so nothing it started outlives it.
func runChild(ctx context.Context, bin string, args []string, logPath string) (int, error) {
	if ctx.Err() != nil {
		return 0, errRerunInterrupted
	}
	f, err := os.Create(logPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	c := exec.Command(bin, args...)
	c.Stdout, c.Stderr = f, f
	setProcessGroup(c)
	if err := c.Start(); err != nil {
		return 0, err
	}
	pid := c.Process.Pid
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	var werr error
	interrupted := false
	select {
	case werr = <-done:
	case <-ctx.Done():
		interrupted = true
		signalGroup(c.Process, pid, interruptSignal)
		t := time.NewTimer(rerunGrace)
		select {
		case werr = <-done:
			t.Stop()
		case <-t.C:
			killGroup(c.Process, pid)
			werr = <-done
		}
	}
	// Whatever the child left in its group (a wrapper's children, a mock
	// child) goes with it.
	killGroup(nil, pid)
	if interrupted {
		return 0, errRerunInterrupted
	}
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		if ee.ExitCode() < 0 {
			return 0, fmt.Errorf("killed by %v", ee.ProcessState)
		}
		return ee.ExitCode(), nil
	}
	return 0, werr
}

// lastLine is the last non-empty line of a child's log, for a one-line error.
func lastLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log)"
	}
	defer f.Close()
	last := "(no output)"
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			last = l
		}
	}
	return last
}
