package leakcheck

import (
	"testing"
	"time"
)

func TestSummaryCarriesTheVerdictAndTheWatchersCloseLatency(t *testing.T) {
	r := Report{Cycles: 50, GoroutinesBefore: 2, GoroutinesAfter: 3, LeakedStacks: []string{"goroutine 7 [chan receive]"},
		Phases: []Phase{
			{Name: "transport/tuned", CloseP50: time.Millisecond, CloseP99: 9 * time.Millisecond},
			{Name: "watcher", CloseP50: 10 * time.Millisecond, CloseP99: 22 * time.Millisecond},
		}}
	s := r.Summary()
	if !s.Leaked || s.Cycles != 50 || s.GoroutinesBefore != 2 || s.GoroutinesAfter != 3 {
		t.Fatalf("summary = %+v", s)
	}
	if s.CloseP50 != 10*time.Millisecond || s.CloseP99 != 22*time.Millisecond {
		t.Fatalf("close latencies %v/%v, want the watcher's 10ms/22ms", s.CloseP50, s.CloseP99)
	}
	if (Report{}).Summary().Leaked {
		t.Fatal("an empty report has no leak")
	}
}
