package leakcheck

import "github.com/oranbench/oranbench/reports/results"

// Summary condenses the report for results.json and REPORT.md: the whole
// run's goroutine counts and leak verdict, and the watcher's close latencies
// (the shutdown claim's evidence).
func (r Report) Summary() results.LeakSummary {
	s := results.LeakSummary{
		Cycles:           r.Cycles,
		Leaked:           r.Leaked(),
		GoroutinesBefore: r.GoroutinesBefore,
		GoroutinesAfter:  r.GoroutinesAfter,
	}
	for _, p := range r.Phases {
		if p.Name == "watcher" {
			s.CloseP50, s.CloseP99 = p.CloseP50, p.CloseP99
		}
	}
	return s
}
