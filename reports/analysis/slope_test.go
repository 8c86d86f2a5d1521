package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTheilSenOfAnExactLineIsItsSlopeWithAZeroWidthInterval(t *testing.T) {
	var xs, ys []float64
	for i := range 20 {
		xs = append(xs, float64(i))
		ys = append(ys, 2*float64(i)+1)
	}
	f, ok := TheilSen(xs, ys, 0.95)
	if !ok || f.Slope != 2 || f.Lo != 2 || f.Hi != 2 || f.N != 20 || f.Pairs != 190 {
		t.Fatalf("fit = %+v, %v; want slope 2 in [2, 2] from 20 points, 190 pairs", f, ok)
	}
}

// kendallS is Kendall's S of x against the residuals y - b·x, computed from
// the data directly rather than from sorted pairwise slopes: the number of
// concordant minus discordant pairs. The Theil–Sen interval is the set of b
// for which |S(b)| stays within z·σ.
func kendallS(xs, ys []float64, b float64) float64 {
	var s float64
	for i := range xs {
		for j := i + 1; j < len(xs); j++ {
			dx := xs[j] - xs[i]
			dr := (ys[j] - b*xs[j]) - (ys[i] - b*xs[i])
			s += sign(dx) * sign(dr)
		}
	}
	return s
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func TestTheilSenIntervalInvertsKendallsTest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 10 + trial
		var xs, ys []float64
		for i := range n {
			xs = append(xs, float64(i)*0.5)
			ys = append(ys, 3*float64(i)+rng.NormFloat64()*4)
		}
		f, ok := TheilSen(xs, ys, 0.95)
		if !ok {
			t.Fatalf("n=%d: no fit", n)
		}
		fn := float64(n)
		c := 1.959964 * math.Sqrt(fn*(fn-1)*(2*fn+5)/18)
		// Inside the interval Kendall's test does not reject (up to the two
		// ranks the bounds' rounding may add); just outside it does.
		const eps = 1e-9
		for _, b := range []float64{f.Lo + eps, f.Hi - eps, f.Slope} {
			if s := kendallS(xs, ys, b); math.Abs(s) > c+2 {
				t.Fatalf("n=%d: |S(%g)| = %g inside [%g, %g], want ≤ %g", n, b, math.Abs(s), f.Lo, f.Hi, c+2)
			}
		}
		for _, b := range []float64{f.Lo - 1e-6, f.Hi + 1e-6} {
			if s := kendallS(xs, ys, b); math.Abs(s) < c-2 {
				t.Fatalf("n=%d: |S(%g)| = %g outside [%g, %g], want ≥ %g", n, b, math.Abs(s), f.Lo, f.Hi, c-2)
			}
		}
	}
}

func TestTheilSenIntervalCoversTheTrueSlopeAtItsConfidence(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const trials, n, beta = 2000, 40, 0.25
	covered := 0
	for range trials {
		xs, ys := make([]float64, n), make([]float64, n)
		for i := range n {
			xs[i] = float64(i)
			// Heavy-tailed noise: the fit must not care.
			ys[i] = beta*xs[i] + rng.NormFloat64()/math.Max(0.2, math.Abs(rng.NormFloat64()))
		}
		f, _ := TheilSen(xs, ys, 0.95)
		if f.Contains(beta) {
			covered++
		}
	}
	// 2000 trials at 95%: the binomial standard error is 0.5%.
	if got := float64(covered) / trials; got < 0.935 || got > 0.965 {
		t.Fatalf("coverage %.3f of the true slope, want 0.95 ± 0.015", got)
	}
}

func TestTheilSenOfAFlatIntegerSeriesFindsNoGrowth(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var xs, ys []float64
	for i := range 100 {
		xs = append(xs, float64(i))
		ys = append(ys, 40+float64(rng.IntN(3))) // 40–42 goroutines, no trend
	}
	f, ok := TheilSen(xs, ys, 0.95)
	if !ok || !f.Contains(0) {
		t.Fatalf("fit = %+v; want an interval containing 0", f)
	}
}

func TestTheilSenRefusesTooFewOrDegeneratePoints(t *testing.T) {
	for _, tc := range []struct {
		name   string
		xs, ys []float64
	}{
		{"too few points", []float64{1, 2, 3}, []float64{1, 2, 3}},
		{"lengths differ", make([]float64, 10), make([]float64, 9)},
		{"one x", make([]float64, 10), make([]float64, 10)},
	} {
		if _, ok := TheilSen(tc.xs, tc.ys, 0.95); ok {
			t.Errorf("%s: got a fit, want none", tc.name)
		}
	}
}

func TestTheilSenThinsLongSeriesToItsCap(t *testing.T) {
	var xs, ys []float64
	for i := range 5000 {
		xs = append(xs, float64(i))
		ys = append(ys, float64(i)/10)
	}
	f, ok := TheilSen(xs, ys, 0.95)
	if !ok || f.N != MaxSlopePoints || math.Abs(f.Slope-0.1) > 1e-12 {
		t.Fatalf("fit = %+v; want slope 0.1 from %d points", f, MaxSlopePoints)
	}
}
