package analysis

import (
	"math"
	"testing"
)

func TestMinMannWhitneyPIsTheExactTestsFloor(t *testing.T) {
	cases := []struct {
		n1, n2 int
		want   float64
	}{{3, 3, 0.1}, {4, 4, 2.0 / 70}, {5, 5, 2.0 / 252}, {1, 1, 1}}
	for _, c := range cases {
		if got := minMannWhitneyP(c.n1, c.n2); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("minMannWhitneyP(%d, %d) = %v, want %v", c.n1, c.n2, got, c.want)
		}
		// The floor is what MannWhitneyP gives for fully separated samples.
		x, y := make([]float64, c.n1), make([]float64, c.n2)
		for i := range x {
			x[i] = float64(100 + i)
		}
		for i := range y {
			y[i] = float64(i)
		}
		if got := MannWhitneyP(x, y); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("MannWhitneyP of separated samples %d/%d = %v, want the floor %v", c.n1, c.n2, got, c.want)
		}
	}
}
