package scenarios

import (
	"fmt"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
)

// WatcherPhase names the soak's watcher phase in results.
const WatcherPhase = "watcher"

// validateSoak checks what a soak needs beyond its load block: one
// repetition, no thresholds (its verdict comes from its slopes), a watcher
// arm that exists, and a duration long enough to fit a slope in every
// phase.
func (s *Plan) validateSoak() error {
	sk := s.spec.Load.Soak
	if s.spec.Repetitions != 1 {
		return s.fieldErr("repetitions", itoa(s.spec.Repetitions), "want 1: a soak is one long run per arm (or leave it out)")
	}
	if len(s.spec.Thresholds) > 0 {
		return s.fieldErr("thresholds", "", "a soak's verdict comes from its slopes; remove thresholds")
	}
	if sk.WatcherArm != "" && s.watcherArm() < 0 {
		return s.fieldErr("load.soak.watcherArm", sk.WatcherArm, "want one of the arms")
	}
	if q := s.spec.Quick; q != nil && q.SampleEvery.Duration != 0 {
		if d := q.SampleEvery.Duration; d < 10*time.Millisecond || d > time.Minute {
			return s.fieldErr("quick.sampleEvery", d.String(), "want 10ms to 1m")
		}
	}
	for _, quick := range []bool{false, true} {
		duration, _, _ := s.Effective(quick)
		if min := s.SoakMinimum(quick); duration < min {
			field := "duration"
			if quick && s.spec.Quick != nil && s.spec.Quick.Duration.Duration > 0 {
				field = "quick.duration"
			}
			return s.fieldErr(field, duration.String(), "want at least "+min.String()+" to fit a slope: "+s.soakMinimumText(quick))
		}
	}
	return nil
}

// watcherArm is the index of the arm whose transport the soak's watcher
// uses: the one named by load.soak.watcherArm, else the last; -1 when the
// named arm does not exist.
func (s *Plan) watcherArm() int {
	name := s.spec.Load.Soak.WatcherArm
	if name == "" {
		return len(s.arms) - 1
	}
	for i, a := range s.arms {
		if a == name {
			return i
		}
	}
	return -1
}

// soakPhases is how many phases the soak splits its duration into: one per
// arm and one for the watcher.
func (s *Plan) soakPhases() int {
	n := len(s.arms)
	if w := s.spec.Load.Soak.Watcher; w == nil || *w {
		n++
	}
	return n
}

// SoakInterval is the soak's sampling interval (0 when the load is not a
// soak), with the quick override.
func (s *Plan) SoakInterval(quick bool) time.Duration {
	if s.spec.Load.Soak == nil {
		return 0
	}
	if quick && s.spec.Quick != nil && s.spec.Quick.SampleEvery.Duration > 0 {
		return s.spec.Quick.SampleEvery.Duration
	}
	return s.spec.Load.Soak.SampleEvery.Duration
}

// SoakMinimum is the shortest duration at which every phase of the soak
// still has analysis.MinSlopePoints samples after its warm-up (0 when the
// load is not a soak).
func (s *Plan) SoakMinimum(quick bool) time.Duration {
	if s.spec.Load.Soak == nil {
		return 0
	}
	_, warmup, _ := s.Effective(quick)
	return time.Duration(s.soakPhases()) * (warmup + time.Duration(analysis.MinSlopePoints)*s.SoakInterval(quick))
}

func (s *Plan) soakMinimumText(quick bool) string {
	_, warmup, _ := s.Effective(quick)
	return fmt.Sprintf("%d phases × (warm-up %s + %d samples × %s)", s.soakPhases(), warmup, analysis.MinSlopePoints, s.SoakInterval(quick))
}
