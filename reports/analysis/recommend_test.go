package analysis_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

// withTunedPool sets MaxIdleConnsPerHost of every tuned arm of the sweep s
// to pool, or drops the arms' settings when pool is "".
func withTunedPool(s results.Scenario, pool string) results.Scenario {
	for i := range s.Sweep.Points {
		arms := s.Sweep.Points[i].Result.Arms
		for j := range arms {
			if arms[j].Profile != results.ProfileTuned {
				continue
			}
			if pool == "" {
				arms[j].Settings = nil
				continue
			}
			set := maps.Clone(arms[j].Settings)
			set["MaxIdleConnsPerHost"] = pool
			arms[j].Settings = set
		}
	}
	return s
}

// The recommendation's families split HTTP/1.1 runs at the pool the run's
// tuned arm recorded, not at a figure of a claims document.
func TestRecommendationFamiliesSplitAtTheRecordedPool(t *testing.T) {
	rec := analysis.Recommend(&results.Results{Scenarios: []results.Scenario{withTunedPool(synth.Cliff(4), "100")}})
	at, above := rec.Families[0], rec.Families[1]
	if !strings.Contains(at.Name, "at most 100 requests") || len(at.Runs) != 2 || !strings.Contains(at.Runs[1], "concurrency=100") {
		t.Errorf("pool of 100: the runs at 20 and 100 in flight belong to the pool's family: %q %q", at.Name, at.Runs)
	}
	if !strings.Contains(above.Name, "more than 100") || len(above.Runs) != 1 || !strings.Contains(above.Runs[0], "concurrency=1000") {
		t.Errorf("pool of 100: only the run at 1000 is above it: %q %q", above.Name, above.Runs)
	}

	rec = analysis.Recommend(&results.Results{Scenarios: []results.Scenario{withTunedPool(synth.Cliff(4), "")}})
	if f := rec.Families[0]; f.Name != "HTTP/1.1 backend, no RTT" || len(f.Runs) != 3 || len(rec.Families) != 3 {
		t.Errorf("no recorded pool: one HTTP/1.1 family of every run: %q %q, %d families", f.Name, f.Runs, len(rec.Families))
	}
}
