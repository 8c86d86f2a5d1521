package scenario

import (
	"fmt"
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/internal/engine"
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

// Offer is an open-model load: its pacer, a description, its mean rate and
// how many hits it asks for in a given time.
type Offer struct {
	Pacer    vegeta.Pacer
	Shape    string
	Mean     float64
	Expected func(d time.Duration) float64
	// LateAfter is how late a hit may be sent before it counts as late.
	LateAfter time.Duration
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

func ConstantOffer(rate float64) Offer {
	return Offer{
		Pacer: engine.ConstantRate{PerSec: rate}, Shape: fmt.Sprintf("constant %s/s", ftoa(rate)), Mean: rate,
		Expected: func(d time.Duration) float64 { return math.Floor(rate * d.Seconds()) },
	}
}

// Offered builds the open model's load for a run of duration d.
func (l LoadModel) Offered(d time.Duration) Offer {
	switch l.Shape {
	case ShapeRamp:
		r := *l.Ramp
		slope := (r.To - r.From) / d.Seconds()
		return Offer{
			Pacer: vegeta.LinearPacer{StartAt: ratePacer(r.From), Slope: slope},
			Shape: fmt.Sprintf("ramp %s/s → %s/s", ftoa(r.From), ftoa(r.To)), Mean: (r.From + r.To) / 2,
			Expected: func(t time.Duration) float64 { x := t.Seconds(); return math.Floor(r.From*x + slope*x*x/2) },
		}
	case ShapeSine:
		sn := *l.Sine
		p := sn.Period.Seconds()
		return Offer{
			Pacer: vegeta.SinePacer{Period: sn.Period.Duration, Mean: ratePacer(sn.Mean), Amp: ratePacer(sn.Amplitude), StartAt: vegeta.MeanUp},
			Shape: fmt.Sprintf("sine %s±%s/s over %s", ftoa(sn.Mean), ftoa(sn.Amplitude), sn.Period), Mean: sn.Mean,
			Expected: func(t time.Duration) float64 {
				x := t.Seconds()
				return math.Floor(sn.Mean*x - sn.Amplitude*p/(2*math.Pi)*(math.Cos(2*math.Pi*x/p)-1))
			},
		}
	case ShapeBurst:
		b := *l.Burst
		bp := burstPacer{size: uint64(b.Size), every: b.Every.Duration}
		return Offer{
			Pacer: bp, Shape: fmt.Sprintf("bursts of %d every %s", b.Size, b.Every), Mean: bp.Rate(0),
			// The last hit of a burst waits for the others to be handed out.
			LateAfter: max(LateAfter, b.Every.Duration/4),
			Expected: func(t time.Duration) float64 {
				// bursts due before t; one due exactly at the end is not waited for
				return float64(b.Size) * math.Ceil(float64(t)/float64(b.Every.Duration))
			},
		}
	}
	return ConstantOffer(l.Rate)
}

// WithLate fills in the default lateness limit.
func (o Offer) WithLate() Offer {
	if o.LateAfter == 0 {
		o.LateAfter = LateAfter
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
