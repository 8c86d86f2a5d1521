package analysis

import (
	"fmt"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// leakNotMeasured is the reason of a leak claim when the run had no leak
// check.
const leakNotMeasured = "not measured in this run (oranbench leakcheck)"

// leakConditions describes the leak check.
func leakConditions(l *results.LeakSummary) string {
	return fmt.Sprintf("%d start/close cycles of the watcher", l.Cycles)
}

// noLeaks judges "goroutine leaks: 0" on the watcher's leak check.
func noLeaks(rs Runs) results.Claim {
	var c results.Claim
	l := rs.Results.Leakcheck
	if l == nil {
		c.Verdict, c.Reason = VerdictNotMeasurable, leakNotMeasured
		return c
	}
	c.Measured = fmt.Sprintf("goroutines before %d, after %d", l.GoroutinesBefore, l.GoroutinesAfter)
	c.Conditions = leakConditions(l)
	if l.Leaked {
		c.Verdict, c.Reason = VerdictDoesNotHold, "goroutines outlived Close"
	} else {
		c.Verdict = VerdictHolds
	}
	return c
}

// shutdownUnder judges "watcher shutdown < d" on the p99 of Close in the
// watcher's leak check.
func shutdownUnder(d time.Duration) RuleFunc {
	return func(rs Runs) results.Claim {
		var c results.Claim
		l := rs.Results.Leakcheck
		if l == nil {
			c.Verdict, c.Reason = VerdictNotMeasurable, leakNotMeasured
			return c
		}
		c.Measured = fmt.Sprintf("Close p50 %s, p99 %s", results.Dur(l.CloseP50), results.Dur(l.CloseP99))
		c.Conditions = leakConditions(l)
		if l.CloseP99 < d {
			c.Verdict = VerdictHolds
		} else {
			c.Verdict, c.Reason = VerdictDoesNotHold, "p99 of Close is "+results.Dur(l.CloseP99)
		}
		return c
	}
}
