package scenarios

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oranbench/oranbench/internal/cpuset"
	"github.com/oranbench/oranbench/scenarios/scenario"
)

const isolatedDoc = `apiVersion: oranbench/v1
kind: Scenario
name: isolated
backend:
  tls: true
  isolation: process
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: 4}
arms: [default, tuned]
duration: 300ms
warmup: 100ms
repetitions: 2
`

// children lists the processes this one has started and not yet reaped.
func children(t *testing.T) []string {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/children")
		if err != nil {
			continue
		}
		out = append(out, strings.Fields(string(b))...)
	}
	return out
}

func requireIsolation(t *testing.T) {
	t.Helper()
	if !cpuset.Supported {
		t.Skip("process isolation pins CPUs with Linux sched_setaffinity; this is " + runtime.GOOS)
	}
	if allowed, _ := cpuset.Allowed(); len(allowed) < 2 {
		t.Skip("process isolation splits the CPUs; this process may use 1")
	}
}

func TestAProcessIsolatedBackendCountsLikeTheInProcessOne(t *testing.T) {
	requireIsolation(t)
	p := mustParse(t, isolatedDoc)
	before, _ := cpuset.Current()
	res, err := Run(context.Background(), p, Options{BackendBinary: os.Args[0]})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Conditions
	if c.Isolation != scenario.IsolationProcess || c.CPUs == nil || c.CPUs.Generator == "" || c.CPUs.Backend == "" || c.CPUs.Generator == c.CPUs.Backend {
		t.Fatalf("conditions: isolation %q cpus %+v, want process on split CPUs", c.Isolation, c.CPUs)
	}
	for _, a := range res.Arms {
		for _, r := range a.Reps {
			if r.Requests == 0 || r.Client.Dials != r.Server.Accepted || r.Client.TLSHandshakes != r.Server.TLSHandshakes {
				t.Errorf("arm %s rep %d: %d requests, client dialed %d (%d handshakes), child accepted %d (%d)",
					a.Name, r.Index, r.Requests, r.Client.Dials, r.Client.TLSHandshakes, r.Server.Accepted, r.Server.TLSHandshakes)
			}
		}
	}
	if res.GeneratorCeiling <= 0 {
		t.Errorf("generator ceiling %v, want it measured before the arms", res.GeneratorCeiling)
	}
	if after, _ := cpuset.Current(); after != before {
		t.Errorf("the generator runs on CPUs %q after the run, want its own %q back", after, before)
	}
	if kids := children(t); len(kids) > 0 {
		t.Fatalf("children %v outlived the run", kids)
	}
}

func TestAnInterruptedIsolatedRunLeavesNoChild(t *testing.T) {
	requireIsolation(t)
	p := mustParse(t, strings.Replace(isolatedDoc, "duration: 300ms", "duration: 20s", 1))
	ctx, cancel := context.WithCancel(context.Background())
	saw := make(chan []string, 1)
	go func() {
		time.Sleep(700 * time.Millisecond) // into the first measured arm
		saw <- children(t)
		cancel()
	}()
	res, err := Run(ctx, p, Options{BackendBinary: os.Args[0]})
	if kids := <-saw; len(kids) != 1 {
		t.Fatalf("children mid-run: %v, want the backend's one", kids)
	}
	if err == nil && !res.Arms[0].Reps[0].Interrupted {
		t.Fatal("a cancelled run was not marked interrupted")
	}
	if kids := children(t); len(kids) > 0 {
		t.Fatalf("children %v outlived the interrupted run", kids)
	}
}

func TestProcessIsolationThatCannotStartFailsAndNamesTheCause(t *testing.T) {
	p := mustParse(t, isolatedDoc)
	_, err := Run(context.Background(), p, Options{BackendBinary: "/nonexistent/oranbench"})
	if err == nil || !strings.Contains(err.Error(), "backend.isolation") || !strings.Contains(err.Error(), "/nonexistent/oranbench") {
		t.Fatalf("err = %v, want one naming backend.isolation and the binary", err)
	}
	if !cpuset.Supported {
		return
	}
	// Without a binary, "process" is refused while "auto" runs in-process.
	if _, err := Run(context.Background(), p, Options{}); err == nil || !strings.Contains(err.Error(), "BackendBinary") {
		t.Fatalf("err = %v, want one saying there is no binary to start", err)
	}
	auto := mustParse(t, strings.Replace(isolatedDoc, "isolation: process", "isolation: auto", 1))
	res, err := Run(context.Background(), auto, Options{})
	if err != nil || res.Conditions.Isolation != scenario.IsolationInProcess {
		t.Fatalf("auto without a binary: isolation %q, err %v; want in-process", res.Conditions.Isolation, err)
	}
}

func TestABackendThatDiesMidRunFailsTheRunAndTheReportSaysWhen(t *testing.T) {
	requireIsolation(t)
	p := mustParse(t, strings.Replace(isolatedDoc, "duration: 300ms", "duration: 2s", 1))
	killed := make(chan error, 1)
	go func() {
		time.Sleep(900 * time.Millisecond) // into the first measured arm
		kids := children(t)
		if len(kids) != 1 {
			killed <- fmt.Errorf("children %v, want one", kids)
			return
		}
		pid, _ := strconv.Atoi(kids[0])
		killed <- syscall.Kill(pid, syscall.SIGKILL)
	}()
	res, err := Run(context.Background(), p, Options{BackendBinary: os.Args[0]})
	if kerr := <-killed; kerr != nil {
		t.Fatal(kerr)
	}
	if err != nil {
		t.Fatalf("a dead backend is a failed run with a report, not an error: %v", err)
	}
	var failed bool
	for _, th := range res.Thresholds {
		if th.Expr == "the backend stays up" && th.Required && !th.Pass && strings.Contains(th.MeasuredText, "died at") {
			failed = true
		}
	}
	if !failed || !strings.Contains(strings.Join(res.Notes, " "), "the backend process died at") {
		t.Fatalf("thresholds %+v notes %q: want a failed required threshold and a note saying when the backend died", res.Thresholds, res.Notes)
	}
	if tot := res.Arms[0].Total; tot.Requests == 0 || tot.Successes == tot.Requests {
		t.Errorf("the dying arm recorded %d requests, %d successes: want its errors counted", tot.Requests, tot.Successes)
	}
}
