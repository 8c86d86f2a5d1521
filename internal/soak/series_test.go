package soak

import (
	"testing"
	"time"
)

func TestASeriesTenTimesLongerKeepsTheSameBuffer(t *testing.T) {
	const capacity = 64
	fill := func(n int) *Series {
		s := NewSeries(capacity)
		for i := range n {
			s.Add(time.Duration(i)*time.Second, float64(i))
		}
		return s
	}
	short, long := fill(1000), fill(10000)
	for _, s := range []*Series{short, long} {
		if s.Cap() != capacity || len(s.Points()) > capacity {
			t.Fatalf("%d samples: buffer %d, %d points; want the buffer to stay %d", s.Samples(), s.Cap(), len(s.Points()), capacity)
		}
	}
	if len(long.Points()) < capacity/2 {
		t.Fatalf("10000 samples kept %d points, want at least %d", len(long.Points()), capacity/2)
	}
	// Adding samples to a full series allocates nothing.
	if a := testing.AllocsPerRun(10000, func() { long.Add(time.Hour, 1) }); a != 0 {
		t.Fatalf("Add allocates %v times per call, want 0", a)
	}
}

func TestDownsampledPointsAverageTheirSamples(t *testing.T) {
	s := NewSeries(4)
	for i := range 8 { // y = 2t: every average stays on the line
		s.Add(time.Duration(i)*time.Second, 2*float64(i))
	}
	pts := s.Points()
	if len(pts) != 4 || s.PerPoint() != 2 {
		t.Fatalf("points %v, per point %d; want 4 points of 2 samples", pts, s.PerPoint())
	}
	for _, p := range pts {
		if p.V != 2*p.T.Seconds() {
			t.Fatalf("point %+v is off the line y = 2t", p)
		}
	}
	if pts[0].T != 500*time.Millisecond || pts[3].T != 6500*time.Millisecond {
		t.Fatalf("points %v; want times 0.5s … 6.5s", pts)
	}
}
