package markdown

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// An arm behind a client-side limiter gets a row saying what was set, how
// long requests waited and whether the limiter bounded it; a scenario
// without one gets no such section.
func TestTheLimiterTableSaysWhenTheLimiterBoundedAnArm(t *testing.T) {
	s := results.Scenario{Name: "limited", Arms: []results.Arm{
		{Name: "tuned-qps20", Total: results.Summary{Requests: 70, ReqPerSec: 35, Codes: map[string]int64{"200": 70},
			Limiter: &results.Limiter{QPS: 20, Burst: 30, Waited: 70, WaitP50: 240 * time.Millisecond, WaitP99: 1900 * time.Millisecond,
				WaitPct: 99, Bounded: true, Reason: "sent 70 requests of the 70 its bucket allows"}}},
		{Name: "tuned", Total: results.Summary{Requests: 9000, ReqPerSec: 4500, Codes: map[string]int64{"200": 9000}}},
	}}
	var b bytes.Buffer
	if err := ScenarioReport(&b, s); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, w := range []string{"Client-side rate limiter", "| `tuned-qps20` | 20 | 30 | 35 |", "**yes**: sent 70 requests", "part of each request's latency"} {
		if !strings.Contains(out, w) {
			t.Errorf("the report lacks %q:\n%s", w, out)
		}
	}
	section := out[strings.Index(out, "Client-side rate limiter"):]
	if end := strings.Index(section[1:], "\n#"); end > 0 {
		section = section[:end]
	}
	if strings.Contains(section, "`tuned` |") {
		t.Errorf("an arm without a limiter has a row in the limiter table:\n%s", section)
	}
	s.Arms[0].Total.Cancelled = 50
	b.Reset()
	if err := ScenarioReport(&b, s); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "waiting for a client-side limiter's token") || strings.Contains(out, "the interruption") {
		t.Errorf("requests the window cut off in a limiter are called an interruption's:\n%s", out)
	}
	s.Arms[0].Total.Limiter = nil
	b.Reset()
	if err := ScenarioReport(&b, s); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Client-side rate limiter") {
		t.Error("a scenario without limiters has a limiter section")
	}
}
