package engine

import (
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
