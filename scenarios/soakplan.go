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
func (p *Plan) validateSoak() error {
	sk := p.spec.Load.Soak
	if p.spec.Repetitions != 1 {
		return p.fieldErr("repetitions", itoa(p.spec.Repetitions), "want 1: a soak is one long run per arm (or leave it out)")
	}
	if len(p.spec.Thresholds) > 0 {
		return p.fieldErr("thresholds", "", "a soak's verdict comes from its slopes; remove thresholds")
	}
	if sk.WatcherArm != "" && p.watcherArm() < 0 {
		return p.fieldErr("load.soak.watcherArm", sk.WatcherArm, "want one of the arms")
	}
	if q := p.spec.Quick; q != nil && q.SampleEvery.Duration != 0 {
		if d := q.SampleEvery.Duration; d < 10*time.Millisecond || d > time.Minute {
			return p.fieldErr("quick.sampleEvery", d.String(), "want 10ms to 1m")
		}
	}
	for _, quick := range []bool{false, true} {
		duration, _, _ := p.Effective(quick)
		if min := p.SoakMinimum(quick); duration < min {
			field := "duration"
			if quick && p.spec.Quick != nil && p.spec.Quick.Duration.Duration > 0 {
				field = "quick.duration"
			}
			return p.fieldErr(field, duration.String(), "want at least "+min.String()+" to fit a slope: "+p.soakMinimumText(quick))
		}
	}
	return nil
}

// watcherArm is the index of the arm whose transport the soak's watcher
// uses: the one named by load.soak.watcherArm, else the last; -1 when the
// named arm does not exist.
func (p *Plan) watcherArm() int {
	name := p.spec.Load.Soak.WatcherArm
	if name == "" {
		return len(p.arms) - 1
	}
	for i, a := range p.arms {
		if a == name {
			return i
		}
	}
	return -1
}

// soakPhases is how many phases the soak splits its duration into: one per
// arm and one for the watcher.
func (p *Plan) soakPhases() int {
	n := len(p.arms)
	if w := p.spec.Load.Soak.Watcher; w == nil || *w {
		n++
	}
	return n
}

// SoakSampleEvery is the soak's sampling interval, load.soak.sampleEvery
// with the quick override (0 when the load is not a soak).
func (p *Plan) SoakSampleEvery(quick bool) time.Duration {
	if p.spec.Load.Soak == nil {
		return 0
	}
	if quick && p.spec.Quick != nil && p.spec.Quick.SampleEvery.Duration > 0 {
		return p.spec.Quick.SampleEvery.Duration
	}
	return p.spec.Load.Soak.SampleEvery.Duration
}

// SoakMinimum is the shortest duration at which every phase of the soak
// still has analysis.MinSlopePoints samples after its warm-up (0 when the
// load is not a soak).
func (p *Plan) SoakMinimum(quick bool) time.Duration {
	if p.spec.Load.Soak == nil {
		return 0
	}
	_, warmup, _ := p.Effective(quick)
	return time.Duration(p.soakPhases()) * (warmup + time.Duration(analysis.MinSlopePoints)*p.SoakSampleEvery(quick))
}

func (p *Plan) soakMinimumText(quick bool) string {
	_, warmup, _ := p.Effective(quick)
	return fmt.Sprintf("%d phases × (warm-up %s + %d samples × %s)", p.soakPhases(), warmup, analysis.MinSlopePoints, p.SoakSampleEvery(quick))
}
