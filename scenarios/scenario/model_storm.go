package scenario

import (
	"fmt"
	"time"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/watcher"
)

// stormModel writes intent files into a watched directory; the watcher
// submits each to the mock's Porch API through the arm's client
// (load.storm). The runner is in storm.go.
type stormModel struct{ modelBase }

func (stormModel) fields() []string { return []string{"storm"} }

func (stormModel) validate(p *Plan) error {
	l := &p.spec.Load
	if l.Storm == nil {
		l.Storm = &StormSpec{}
	}
	st := l.Storm
	if st.Intents == 0 {
		st.Intents = 200
	}
	if st.Intents < 1 || st.Intents > maxStormFiles {
		return p.FieldErr("load.storm.intents", itoa(st.Intents), fmt.Sprintf("want 1 to %d intent files", maxStormFiles))
	}
	if st.IntentsPerSec < 0 || st.IntentsPerSec > maxRate {
		return p.FieldErr("load.storm.intentsPerSec", ftoa(st.IntentsPerSec), "want files per second >= 0 (0 writes them all at once)")
	}
	if st.Workers < 0 || st.Workers > watcher.MaxWorkers() {
		return p.FieldErr("load.storm.workers", itoa(st.Workers), fmt.Sprintf("want 1 to %d (4×NumCPU; 0 means the watcher's default)", watcher.MaxWorkers()))
	}
	if d := st.Debounce.Duration; d != 0 && (d < 10*time.Millisecond || d > 5*time.Second) {
		return p.FieldErr("load.storm.debounce", d.String(), "want 10ms to 5s (0 means the watcher's default)")
	}
	if st.StableFor.Duration > 5*time.Second {
		return p.FieldErr("load.storm.stableFor", st.StableFor.String(), "want at most 5s")
	}
	if st.Timeout.Duration == 0 {
		st.Timeout.Duration = time.Minute
	}
	return nil
}

func (stormModel) shard(l *LoadModel, sh share) error {
	st := *l.Storm
	var err error
	if st.Intents, err = sh.count("load.storm.intents", st.Intents); err != nil {
		return err
	}
	st.IntentsPerSec = sh.rate(st.IntentsPerSec)
	l.Storm = &st
	return nil
}

func (stormModel) describe(p *Plan, c *results.Conditions, _ time.Duration) {
	st := p.spec.Load.Storm
	c.Shape = fmt.Sprintf("storm of %d intent files", st.Intents)
	if st.IntentsPerSec > 0 {
		c.Shape += fmt.Sprintf(" at %s/s", ftoa(st.IntentsPerSec))
	}
	c.Routes = []string{"Porch create + propose, sent by the watcher"}
}

func (stormModel) text(p *Plan) string {
	return fmt.Sprintf("storm %d intents", p.spec.Load.Storm.Intents)
}

func (stormModel) perRun(p *Plan, quick bool) time.Duration {
	duration, warmup, _ := p.Effective(quick)
	if st := p.spec.Load.Storm; st != nil && st.IntentsPerSec > 0 {
		return time.Duration(float64(p.StormIntents(quick)) / st.IntentsPerSec * float64(time.Second))
	}
	return duration + warmup
}

func (stormModel) PeakConns(*Plan, bool) (int, string) { return 0, "" }

func (stormModel) ResponseTime() bool { return false }

// timed is false: a storm runs until the watcher has processed it.
func (stormModel) timed() bool { return false }

// mixes is false: a storm sends what the watcher sends.
func (stormModel) mixes() bool { return false }

func (stormModel) sweeps(LoadModel) ([]string, bool) { return nil, false }
