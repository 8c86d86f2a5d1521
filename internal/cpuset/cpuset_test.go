package cpuset

import (
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseAndFormatRoundTrip(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
		out  string
	}{
		{"0", []int{0}, "0"},
		{"1-3", []int{1, 2, 3}, "1-3"},
		{"0,2,4-5", []int{0, 2, 4, 5}, "0,2,4-5"},
		{"3,1,2", []int{1, 2, 3}, "1-3"},
	} {
		got, err := Parse(c.in, 8)
		if err != nil || !slices.Equal(got, c.want) || Format(got) != c.out {
			t.Errorf("Parse(%q) = %v, %v (formats as %q), want %v and %q", c.in, got, err, Format(got), c.want, c.out)
		}
	}
	for _, bad := range []string{"", "a", "3-1", "-1", "8", "0,9"} {
		if _, err := Parse(bad, 8); err == nil || !strings.Contains(err.Error(), "cpu list") {
			t.Errorf("Parse(%q) = %v, want an error naming the cpu list", bad, err)
		}
	}
}

func TestSplitGivesTheBackendTheLastCPUs(t *testing.T) {
	for _, c := range []struct {
		cpus    []int
		backend int
		gen, be string
	}{
		{[]int{0, 1}, 1, "0", "1"},
		{[]int{0, 1, 2, 3}, 1, "0-2", "3"},
		{[]int{0, 1, 2, 3}, 2, "0-1", "2-3"},
		{[]int{0, 1, 2, 3}, 9, "0", "1-3"}, // the generator keeps one
		{[]int{2, 5}, 1, "2", "5"},         // a container's CPUs
		{[]int{0}, 1, "0", "0"},
	} {
		if g, b := Split(c.cpus, c.backend); g != c.gen || b != c.be {
			t.Errorf("Split(%v, %d) = %q, %q; want %q, %q", c.cpus, c.backend, g, b, c.gen, c.be)
		}
	}
}

func TestPinRestrictsEveryThreadAndRestores(t *testing.T) {
	if !Supported {
		t.Skip("CPU pinning needs Linux sched_setaffinity; this is " + runtime.GOOS)
	}
	before, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	restore, err := Pin("0")
	if err != nil {
		t.Fatal(err)
	}
	// A goroutine locked to a new OS thread must see the pinned set.
	got := make(chan string)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		c, _ := Current()
		got <- c
	}()
	if c := <-got; c != "0" {
		t.Errorf("a thread of the pinned process may run on %q, want 0", c)
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	if after, _ := Current(); after != before {
		t.Errorf("after restore the process may run on %q, want %q", after, before)
	}
}
