package scenarios

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// F2: a rate below 0.001/s is paced at that rate, not as a flood: the
// scenario's offer waits 1/rate for its first hit, and the ramp and sine
// shapes, which take vegeta's Rate, never get Freq 0 from a positive rate.
func TestATinyRateIsPacedAsAskedNotAsAFlood(t *testing.T) {
	doc := strings.Replace(base, "model: closed\n  concurrency: 2", "model: open\n  rate: 0.0001", 1)
	doc = strings.Replace(doc, "  - p99 < 250ms", "  - expr: p99 < 250ms\n    required: false", 1)
	s, err := scenario.Parse("tiny.yaml", []byte(doc), transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	o := offered(s.Resolved().Load, 5*time.Second)
	if o.shape != "constant 0.0001/s" {
		t.Fatalf("shape %q", o.shape)
	}
	wait, stop := o.pacer.Pace(0, 0)
	if stop || wait < 9999*time.Second || wait > 10001*time.Second {
		t.Fatalf("first hit due in %v (stop %v), want 10000s", wait, stop)
	}
	if got := o.expected(5 * time.Second); got != 0 {
		t.Fatalf("expected %v hits in 5s, want 0", got)
	}
	for _, r := range []float64{0.0009, 0.0004, 1e-9, 1e-300, 0.0015, 0.5, 3, 1e6} {
		p := ratePacer(r)
		if p.Freq < 1 || p.Per <= 0 || p.Per.Nanoseconds() < int64(p.Freq) {
			t.Errorf("ratePacer(%v) = %v: Freq 0 floods, Per/Freq under 1ns divides by zero", r, p)
		}
		if got := p.Rate(0); r > 1e-10 && math.Abs(got-r)/r > 1e-9 {
			t.Errorf("ratePacer(%v) paces %v/s", r, got)
		}
	}
}

func TestBurstPacerSendsWholeBurstsAtTheirStart(t *testing.T) {
	p := burstPacer{size: 20, every: 100 * time.Millisecond}
	cases := []struct {
		elapsed time.Duration
		hit     uint64
		want    time.Duration
	}{
		{0, 0, 0}, {0, 19, 0}, {0, 20, 100 * time.Millisecond},
		{150 * time.Millisecond, 40, 50 * time.Millisecond}, {250 * time.Millisecond, 20, -150 * time.Millisecond},
	}
	for _, c := range cases {
		if wait, stop := p.Pace(c.elapsed, c.hit); wait != c.want || stop {
			t.Errorf("Pace(%v, %d) = %v, %v; want %v", c.elapsed, c.hit, wait, stop, c.want)
		}
	}
	if r := p.Rate(0); r != 200 {
		t.Errorf("rate %v, want 200/s", r)
	}
}

func TestOfferedLoadKnowsHowManyHitsItAsksFor(t *testing.T) {
	cases := []struct {
		name string
		l    LoadModel
		want float64
	}{
		{"constant", scenario.LoadModel{Shape: scenario.ShapeConstant, Rate: 200}, 600},
		{"bursts", scenario.LoadModel{Shape: scenario.ShapeBurst, Burst: &scenario.BurstSpec{Size: 20, Every: scenario.Duration{Duration: 100 * time.Millisecond}}}, 600},
		{"ramp", scenario.LoadModel{Shape: scenario.ShapeRamp, Ramp: &scenario.RampSpec{From: 100, To: 300}}, 600},
		{"sine over whole periods", scenario.LoadModel{Shape: scenario.ShapeSine, Sine: &scenario.SineSpec{Mean: 200, Amplitude: 50, Period: scenario.Duration{Duration: time.Second}}}, 600},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := offered(c.l, 3*time.Second)
			if got := o.expected(3 * time.Second); got != c.want {
				t.Fatalf("expected hits %v, want %v", got, c.want)
			}
			if o.mean != 200 {
				t.Fatalf("mean rate %v, want 200", o.mean)
			}
		})
	}
}
