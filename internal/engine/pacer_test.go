package engine

import (
	"math"
	"net/http"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestDuePacerSaysWhenEachHitIsDue(t *testing.T) {
	// At 100/s vegeta's constant pacer lets hit n go at (n+1)*10ms.
	cases := []struct {
		name    string
		elapsed time.Duration
		hit     uint64
		want    time.Duration
	}{
		{"on time: due in the future", 0, 0, 10 * time.Millisecond},
		{"a little late: negative wait", 25 * time.Millisecond, 1, 20 * time.Millisecond},
		{"far behind: pacer answers 0", 1500 * time.Millisecond, 3, 40 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newDuePacer(vegeta.Rate{Freq: 100, Per: time.Second}, 1000)
			_, got, stop := p.next(c.elapsed, c.hit)
			if stop {
				t.Fatal("pacer stopped")
			}
			if d := got - c.want; d < -time.Microsecond || d > time.Microsecond {
				t.Fatalf("due = %v, want %v", got, c.want)
			}
		})
	}
}

func TestDuePacerStopsAtMaxHits(t *testing.T) {
	p := newDuePacer(vegeta.Rate{Freq: 0}, 5)
	if _, _, stop := p.next(0, 4); stop {
		t.Fatal("stopped before the 5th hit")
	}
	if _, _, stop := p.next(0, 5); !stop {
		t.Fatal("did not stop after 5 hits")
	}
}

// F2, F3: every positive rate is paced as asked, however small or large;
// a rate that cannot be paced stops instead of flooding.
func TestConstantRatePacesEveryPositiveRateAsAsked(t *testing.T) {
	cases := []struct {
		name     string
		perSec   float64
		hit      uint64
		wantWait time.Duration
		wantStop bool
	}{
		{"one per second", 1, 0, time.Second, false},
		{"the tenth at 10/s", 10, 9, time.Second, false},
		{"0.0009/s: not a flood", 0.0009, 0, 1111111111111 * time.Nanosecond, false},
		{"1e-9/s: one hit in 31 years", 1e-9, 0, time.Duration(1e18), false},
		{"1e6/s: one hit per microsecond", 1e6, 0, time.Microsecond, false},
		{"1e12/s: no divide by zero", 1e12, 999, time.Nanosecond, false},
		{"1e-12/s: due beyond time.Duration", 1e-12, 0, 0, true},
		{"zero", 0, 0, 0, true},
		{"negative", -1, 0, 0, true},
		{"infinite", math.Inf(1), 0, 0, true},
		{"NaN", math.NaN(), 0, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wait, stop := ConstantRate{PerSec: c.perSec}.Pace(0, c.hit)
			if stop != c.wantStop {
				t.Fatalf("stop = %v, want %v", stop, c.wantStop)
			}
			if d := wait - c.wantWait; d < -time.Microsecond || d > time.Microsecond {
				t.Fatalf("wait = %v, want %v", wait, c.wantWait)
			}
		})
	}
}

// F2, F3: the engine refuses vegeta constant pacers that do not pace: Freq 0
// (an unlimited rate to vegeta) and Per/Freq under 1 ns (divides by zero);
// and a ConstantRate that is not positive and finite.
func TestNormalizeRefusesConstantPacersThatDoNotPace(t *testing.T) {
	for _, p := range []vegeta.Rate{
		{Freq: 0, Per: 1000 * time.Second},
		{Freq: 1, Per: 0},
		{Freq: int(1e12 * 1000), Per: 1000 * time.Second},
	} {
		a := Attack{Targeter: target("http://127.0.0.1:1"), Client: http.DefaultClient, Duration: time.Second, Model: Open, Pacer: p}
		if _, err := a.Normalize(); err == nil {
			t.Errorf("pacer %v: want an error", p)
		}
	}
	for _, r := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		a := Attack{Targeter: target("http://127.0.0.1:1"), Client: http.DefaultClient, Duration: time.Second, Model: Open, Pacer: ConstantRate{PerSec: r}}
		if _, err := a.Normalize(); err == nil {
			t.Errorf("rate %v: want an error", r)
		}
	}
}
