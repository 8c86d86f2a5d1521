package scenarios

import (
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/internal/engine"
	"github.com/oranbench/oranbench/scenarios/scenario"
)

// burstPacer sends Size hits at once every Every, starting at 0: the shape of
// fan-out and status polling.
type burstPacer struct {
	size  uint64
	every time.Duration
}

var _ vegeta.Pacer = burstPacer{}

// Pace returns how long until hit number hits is due: its burst's start.
func (b burstPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	due := time.Duration(hits/b.size) * b.every
	return due - elapsed, false
}

// Rate is the mean rate in hits per second.
func (b burstPacer) Rate(time.Duration) float64 { return float64(b.size) / b.every.Seconds() }

// offer is an open-model load: its pacer, a description, its mean rate and
// how many hits it asks for in a given time.
type offer struct {
	pacer    vegeta.Pacer
	shape    string
	mean     float64
	expected func(d time.Duration) float64
	// lateAfter is how late a hit may be sent before it counts as late.
	lateAfter time.Duration
}

// ratePacer turns a rate in requests per second into vegeta's constant pacer
// for the ramp and sine shapes, which take one. A rate held to the
// thousandth is exact (Freq per 1000 s); any other keeps Freq of at least 1
// with Per from the rate itself, so a positive rate never becomes Freq 0,
// which vegeta reads as unlimited. Per saturates at about 292 years (rates
// below 1.1e-10/s). 0 (a sine without amplitude) stays 0.
func ratePacer(perSec float64) vegeta.Rate {
	if perSec <= 0 {
		return vegeta.Rate{Freq: 0, Per: time.Second}
	}
	if perSec == math.Trunc(perSec) {
		return vegeta.Rate{Freq: int(perSec), Per: time.Second}
	}
	freq := max(1, math.Round(perSec*1000))
	per := math.Round(freq / perSec * float64(time.Second))
	if per >= math.MaxInt64 {
		return vegeta.Rate{Freq: 1, Per: math.MaxInt64}
	}
	return vegeta.Rate{Freq: int(freq), Per: time.Duration(per)}
}

// constantOffer is an open load at a constant rate in requests per second.
func constantOffer(rate float64) offer {
	shape, mean := scenario.LoadModel{Rate: rate}.OfferText()
	return offer{
		pacer: engine.ConstantRate{PerSec: rate}, shape: shape, mean: mean,
		expected: func(d time.Duration) float64 { return math.Floor(rate * d.Seconds()) },
	}
}

// offered builds the open model's load l for a run of duration d.
func offered(l scenario.LoadModel, d time.Duration) offer {
	shape, mean := l.OfferText()
	switch l.Shape {
	case scenario.ShapeRamp:
		r := *l.Ramp
		slope := (r.To - r.From) / d.Seconds()
		return offer{
			pacer: vegeta.LinearPacer{StartAt: ratePacer(r.From), Slope: slope},
			shape: shape, mean: mean,
			expected: func(t time.Duration) float64 { x := t.Seconds(); return math.Floor(r.From*x + slope*x*x/2) },
		}
	case scenario.ShapeSine:
		sn := *l.Sine
		p := sn.Period.Seconds()
		return offer{
			pacer: vegeta.SinePacer{Period: sn.Period.Duration, Mean: ratePacer(sn.Mean), Amp: ratePacer(sn.Amplitude), StartAt: vegeta.MeanUp},
			shape: shape, mean: mean,
			expected: func(t time.Duration) float64 {
				x := t.Seconds()
				return math.Floor(sn.Mean*x - sn.Amplitude*p/(2*math.Pi)*(math.Cos(2*math.Pi*x/p)-1))
			},
		}
	case scenario.ShapeBurst:
		b := *l.Burst
		bp := burstPacer{size: uint64(b.Size), every: b.Every.Duration}
		return offer{
			pacer: bp, shape: shape, mean: mean,
			// The last hit of a burst waits for the others to be handed out.
			lateAfter: max(LateAfter, b.Every.Duration/4),
			expected: func(t time.Duration) float64 {
				// bursts due before t; one due exactly at the end is not waited for
				return float64(b.Size) * math.Ceil(float64(t)/float64(b.Every.Duration))
			},
		}
	}
	return constantOffer(l.Rate)
}

// withLate fills in the default lateness limit.
func (o offer) withLate() offer {
	if o.lateAfter == 0 {
		o.lateAfter = LateAfter
	}
	return o
}

// Generator health limits of the open model: a hit picked up more than
// LateAfter (for bursts, a quarter of the burst interval if that is longer)
// after it was due is late. A run in which more than a tenth of the hits were
// late (lag p90 beyond the limit: behind systematically, not a scheduling
// hiccup), that sent less than MinAchievedPct of the asked hits, or during
// which the process used more than SaturatedCPUPct of the generator's cores, had a
// saturated generator and is invalid.
const (
	LateAfter       = 10 * time.Millisecond
	MinAchievedPct  = 99
	SaturatedCPUPct = 95
)
