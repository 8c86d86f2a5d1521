package soak

import "time"

// Point is one stored point of a Series: the mean of the samples it holds
// (one, until the series has been downsampled) and the mean of their times
// since sampling began.
type Point struct {
	T time.Duration
	V float64
}

// Series keeps a sampled time series in a fixed number of points, however
// long it runs: once its buffer is full, neighbouring points are averaged
// in pairs (halving their number) and each new point then averages twice as
// many samples as before. Memory is the buffer, allocated once by NewSeries.
// A Series is not safe for concurrent use.
type Series struct {
	pts []Point
	// per is how many samples a new point averages (a power of two).
	per int
	// acc accumulates the samples of the next point.
	accT time.Duration
	accV float64
	accN int
	// samples counts every sample added.
	samples int
}

// NewSeries returns an empty series of at most capacity points (at least 2;
// an odd capacity is rounded down to an even one).
func NewSeries(capacity int) *Series {
	capacity = max(2, capacity&^1)
	return &Series{pts: make([]Point, 0, capacity), per: 1}
}

// Add records the sample v taken t after sampling began.
func (s *Series) Add(t time.Duration, v float64) {
	s.samples++
	s.accT += t
	s.accV += v
	s.accN++
	if s.accN < s.per {
		return
	}
	if len(s.pts) == cap(s.pts) {
		for i := range len(s.pts) / 2 {
			a, b := s.pts[2*i], s.pts[2*i+1]
			s.pts[i] = Point{T: (a.T + b.T) / 2, V: (a.V + b.V) / 2}
		}
		s.pts = s.pts[:len(s.pts)/2]
		s.per *= 2
		// The pending samples are fewer than a point now holds: keep
		// accumulating.
		if s.accN < s.per {
			return
		}
	}
	n := time.Duration(s.accN)
	s.pts = append(s.pts, Point{T: s.accT / n, V: s.accV / float64(s.accN)})
	s.accT, s.accV, s.accN = 0, 0, 0
}

// Points returns a copy of the stored points, oldest first; samples still
// accumulating towards the next point are not included.
func (s *Series) Points() []Point { return append([]Point(nil), s.pts...) }

// Samples is how many samples were added; PerPoint how many a new point
// averages; Cap the buffer's size in points.
func (s *Series) Samples() int  { return s.samples }
func (s *Series) PerPoint() int { return s.per }
func (s *Series) Cap() int      { return cap(s.pts) }
