package scenario

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// openModel sends requests at an arrival rate whatever the responses do:
// constant (load.rate), a ramp, a sine or bursts.
type openModel struct{ modelBase }

func (openModel) fields() []string {
	return []string{"rate", "maxWorkers", "shape", "ramp", "sine", "burst"}
}

func (openModel) validate(p *Plan) error {
	l := &p.spec.Load
	if l.Shape == "" {
		l.Shape = ShapeConstant
	}
	shapes := []string{ShapeConstant, ShapeRamp, ShapeSine, ShapeBurst}
	if !slices.Contains(shapes, l.Shape) {
		return p.FieldErr("load.shape", l.Shape, "valid shapes are "+strings.Join(shapes, ", "))
	}
	blocks := map[string]bool{ShapeRamp: l.Ramp != nil, ShapeSine: l.Sine != nil, ShapeBurst: l.Burst != nil}
	for _, k := range []string{ShapeRamp, ShapeSine, ShapeBurst} {
		if blocks[k] && l.Shape != k {
			return p.FieldErr("load."+k, "", "only applies with shape: "+k)
		}
	}
	if l.Rate != 0 && l.Shape != ShapeConstant {
		return p.FieldErr("load.rate", ftoa(l.Rate), "only applies with shape: constant; the "+l.Shape+" block sets the rate")
	}
	switch l.Shape {
	case ShapeRamp:
		return p.validateRamp(l.Ramp)
	case ShapeSine:
		return p.validateSine(l.Sine)
	case ShapeBurst:
		return p.validateBurst(l.Burst)
	}
	if err := CheckRate(l.Rate); err != nil {
		return p.FieldErr("load.rate", ftoa(l.Rate), err.Error())
	}
	return nil
}

func (p *Plan) validateRamp(r *RampSpec) error {
	if r == nil {
		return p.FieldErr("load.ramp", "", "shape: ramp needs ramp: {from, to}")
	}
	if !rateOK(r.From) {
		return p.FieldErr("load.ramp.from", ftoa(r.From), "want a starting rate > 0 and <= 1e6")
	}
	if !rateOK(r.To) {
		return p.FieldErr("load.ramp.to", ftoa(r.To), "want a final rate > 0 and <= 1e6")
	}
	return nil
}

func (p *Plan) validateSine(sn *SineSpec) error {
	if sn == nil {
		return p.FieldErr("load.sine", "", "shape: sine needs sine: {mean, amplitude, period}")
	}
	if !rateOK(sn.Mean) {
		return p.FieldErr("load.sine.mean", ftoa(sn.Mean), "want a mean rate > 0 and <= 1e6")
	}
	if !(sn.Amplitude >= 0 && sn.Amplitude < sn.Mean) {
		return p.FieldErr("load.sine.amplitude", ftoa(sn.Amplitude), "want 0 <= amplitude < mean")
	}
	if sn.Period.Duration <= 0 {
		return p.FieldErr("load.sine.period", sn.Period.String(), "want a period > 0 such as 10s")
	}
	return nil
}

func (p *Plan) validateBurst(b *BurstSpec) error {
	if b == nil {
		return p.FieldErr("load.burst", "", "shape: burst needs burst: {size, every}")
	}
	if b.Size < 1 || b.Size > maxConcurrency {
		return p.FieldErr("load.burst.size", itoa(b.Size), fmt.Sprintf("want 1 to %d requests per burst", maxConcurrency))
	}
	if b.Every.Duration < time.Millisecond {
		return p.FieldErr("load.burst.every", b.Every.String(), "want an interval >= 1ms such as 100ms")
	}
	if float64(b.Size)/b.Every.Seconds() > maxRate {
		return p.FieldErr("load.burst", "", "the bursts add up to more than 1e6 requests per second")
	}
	return nil
}

func (openModel) shard(l *LoadModel, sh share) error {
	l.Rate, l.MaxWorkers = sh.rate(l.Rate), sh.workers(l.MaxWorkers)
	if l.Ramp != nil {
		r := *l.Ramp
		r.From, r.To = sh.rate(r.From), sh.rate(r.To)
		l.Ramp = &r
	}
	if l.Sine != nil {
		sn := *l.Sine
		sn.Mean, sn.Amplitude = sh.rate(sn.Mean), sh.rate(sn.Amplitude)
		l.Sine = &sn
	}
	if l.Burst != nil {
		b := *l.Burst
		var err error
		if b.Size, err = sh.count("load.burst.size", b.Size); err != nil {
			return err
		}
		l.Burst = &b
	}
	return nil
}

func (openModel) describe(p *Plan, c *results.Conditions, duration time.Duration) {
	c.Shape, c.RatePerSec = p.spec.Load.OfferText()
}

func (openModel) text(p *Plan) string {
	shape, _ := p.spec.Load.OfferText()
	return "open " + shape
}

func (openModel) perRun(p *Plan, quick bool) time.Duration {
	duration, warmup, _ := p.Effective(quick)
	return duration + warmup
}

func (openModel) PeakConns(p *Plan, _ bool) (int, string) { return openPeakConns(p) }

// openPeakConns bounds an arrival rate's connections by its worker cap.
func openPeakConns(p *Plan) (int, string) {
	return int(min(p.spec.Load.MaxWorkers, maxConcurrency*100)), "load.maxWorkers"
}

func (openModel) ResponseTime() bool { return true }

// sweeps lets a constant rate vary; a shape sets its own rates.
func (openModel) sweeps(l LoadModel) ([]string, bool) {
	if l.Shape == ShapeConstant {
		return []string{"rate"}, true
	}
	return nil, true
}
