package scenario

import (
	"fmt"
	"time"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/watcher"
)

// soakModel holds a steady open load (load.rate) on each arm's client,
// streams intent files through the watcher, and runs a leak control, all
// at once, each in a process of its own, sampling each one's resources
// (load.soak). It runs subjects, not repetitions: the runner is soak.go,
// the checks that need the arms soakplan.go.
type soakModel struct{ modelBase }

func (soakModel) fields() []string { return []string{"rate", "maxWorkers", "soak"} }

func (soakModel) validate(p *Plan) error {
	l := &p.spec.Load
	if !rateOK(l.Rate) {
		return p.FieldErr("load.rate", ftoa(l.Rate), "want each arm's requests per second, > 0 and <= 1e6")
	}
	if l.Soak == nil {
		l.Soak = &SoakSpec{}
	}
	sk := l.Soak
	if sk.SampleEvery.Duration == 0 {
		sk.SampleEvery.Duration = time.Second
	}
	if d := sk.SampleEvery.Duration; d < 10*time.Millisecond || d > time.Minute {
		return p.FieldErr("load.soak.sampleEvery", d.String(), "want 10ms to 1m")
	}
	if sk.IntentsPerSec == 0 {
		sk.IntentsPerSec = 10
	}
	if sk.RequestTimeout.Duration == 0 {
		sk.RequestTimeout.Duration = 2 * time.Second
	}
	if d := sk.RequestTimeout.Duration; d < 10*time.Millisecond || d > 5*time.Minute {
		return p.FieldErr("load.soak.requestTimeout", d.String(), "want 10ms to 5m")
	}
	if !(sk.IntentsPerSec > 0 && sk.IntentsPerSec <= 1000) {
		return p.FieldErr("load.soak.intentsPerSec", ftoa(sk.IntentsPerSec), "want intent files per second, > 0 and <= 1000")
	}
	if sk.Workers < 0 || sk.Workers > watcher.MaxWorkers() {
		return p.FieldErr("load.soak.workers", itoa(sk.Workers), fmt.Sprintf("want 1 to %d (4×NumCPU; 0 means the watcher's default)", watcher.MaxWorkers()))
	}
	return nil
}

func (soakModel) shard(l *LoadModel, sh share) error {
	l.Rate, l.MaxWorkers = sh.rate(l.Rate), sh.workers(l.MaxWorkers)
	return nil
}

func (soakModel) describe(p *Plan, c *results.Conditions, duration time.Duration) {
	c.RatePerSec = p.spec.Load.Rate
	c.Shape = fmt.Sprintf("soak: constant %s/s per arm, held for %s by %d subjects at once, each in a process of its own", ftoa(p.spec.Load.Rate), duration, p.SoakPhases()+1)
}

func (soakModel) text(p *Plan) string {
	return fmt.Sprintf("soak %s req/s per arm", ftoa(p.spec.Load.Rate))
}

// perRun is the whole duration: every subject runs all of it.
func (soakModel) perRun(p *Plan, quick bool) time.Duration {
	duration, _, _ := p.Effective(quick)
	return duration
}

func (soakModel) PeakConns(*Plan, bool) (int, string) { return 0, "" }

func (soakModel) ResponseTime() bool { return false }

func (soakModel) sweeps(LoadModel) ([]string, bool) { return nil, false }

// repetitions is 1: a soak is one long run per arm.
func (soakModel) repetitions() int { return 1 }

// byReps is false: a soak runs its phases one after another within its
// duration.
func (soakModel) byReps() bool { return false }

// maxDuration is longer: a soak's point is to run long.
func (soakModel) maxDuration() (time.Duration, string) {
	return maxSoakDuration, "168h (7 days) for a soak"
}

func (soakModel) check(p *Plan) error { return p.validateSoak() }
