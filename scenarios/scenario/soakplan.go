package scenario

import (
	"fmt"
	"github.com/oranbench/oranbench/reports/results"
	"slices"
	"strings"
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
		return p.FieldErr("repetitions", itoa(p.spec.Repetitions), "want 1: a soak is one long run per arm (or leave it out)")
	}
	if len(p.spec.Thresholds) > 0 {
		return p.FieldErr("thresholds", "", "a soak's verdict comes from its slopes; remove thresholds")
	}
	if sk.WatcherArm != "" && p.WatcherArm() < 0 {
		return p.FieldErr("load.soak.watcherArm", sk.WatcherArm, "want one of the arms")
	}
	if q := p.spec.Quick; q != nil && q.SampleEvery.Duration != 0 {
		if d := q.SampleEvery.Duration; d < 10*time.Millisecond || d > time.Minute {
			return p.FieldErr("quick.sampleEvery", d.String(), "want 10ms to 1m")
		}
	}
	for _, quick := range []bool{false, true} {
		duration, _, _ := p.Effective(quick)
		if min := p.SoakMinimum(quick); duration < min {
			field := "duration"
			if quick && p.spec.Quick != nil && p.spec.Quick.Duration.Duration > 0 {
				field = "quick.duration"
			}
			return p.FieldErr(field, duration.String(), "want at least "+min.String()+" to fit a slope: "+p.soakMinimumText(quick))
		}
	}
	return nil
}

// WatcherArm is the index of the arm whose transport the soak's watcher
// uses: the one named by load.soak.watcherArm, else the last; -1 when the
// named arm does not exist.
func (p *Plan) WatcherArm() int {
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

// SoakPhases is how many subjects the soak's claims are judged on: one per
// arm and one for the watcher (the leak control runs beside them).
func (p *Plan) SoakPhases() int {
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

// SoakMinimum is the shortest duration at which the soak's subjects, all
// running the whole of it, still have analysis.MinSlopePoints samples
// after the warm-up (0 when the load is not a soak).
func (p *Plan) SoakMinimum(quick bool) time.Duration {
	if p.spec.Load.Soak == nil {
		return 0
	}
	_, warmup, _ := p.Effective(quick)
	return warmup + time.Duration(analysis.MinSlopePoints)*p.SoakSampleEvery(quick)
}

func (p *Plan) soakMinimumText(quick bool) string {
	_, warmup, _ := p.Effective(quick)
	return fmt.Sprintf("warm-up %s + %d samples × %s", warmup, analysis.MinSlopePoints, p.SoakSampleEvery(quick))
}

// SoakLoadText describes the soak's load and the mock's faults.
func (p *Plan) SoakLoadText() string {
	var routes []string
	for _, m := range p.spec.Mix {
		switch {
		case m.Route != "":
			routes = append(routes, m.Route)
		case m.Flow != "":
			routes = append(routes, "flow "+m.Flow)
		default:
			routes = append(routes, m.Request.Method+" "+m.Request.Path)
		}
	}
	t := fmt.Sprintf("open %s req/s per arm (%s)", ftoa(p.spec.Load.Rate), strings.Join(routes, ", "))
	if w := p.spec.Load.Soak.Watcher; w == nil || *w {
		t += fmt.Sprintf("; the watcher at %s intents/s", ftoa(p.spec.Load.Soak.IntentsPerSec))
	}
	if f := p.faultText(); f != "" {
		t += "; the mock injects " + f
	}
	return t
}

// faultText lists the faults the mock injects, "" when none.
func (p *Plan) faultText() string {
	mc, err := p.MockConfig()
	if err != nil || p.spec.Backend.External() {
		return ""
	}
	var out []string
	f := mc.Default.Faults
	for code, prob := range f.ErrorRates {
		out = append(out, fmt.Sprintf("HTTP %d %s", code, results.Pct(100*prob)))
	}
	if f.RateLimit > 0 {
		out = append(out, "429 "+results.Pct(100*f.RateLimit))
	}
	if f.Hang > 0 {
		out = append(out, fmt.Sprintf("hangs until the client's %s timeout %s", p.spec.Load.Soak.RequestTimeout, results.Pct(100*f.Hang)))
	}
	if f.CloseMidResponse > 0 {
		out = append(out, "closes mid-response "+results.Pct(100*f.CloseMidResponse))
	}
	nf := mc.NetFaults
	if nf.ResetPeer.Rate > 0 {
		out = append(out, "TCP resets "+results.Pct(100*nf.ResetPeer.Rate)+" of connections")
	}
	if nf.Timeout.Rate > 0 {
		out = append(out, "TCP stalls "+results.Pct(100*nf.Timeout.Rate)+" of connections")
	}
	if nf.SlowClose.Rate > 0 {
		out = append(out, "slow closes "+results.Pct(100*nf.SlowClose.Rate)+" of connections")
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
