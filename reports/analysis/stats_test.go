package analysis_test

import (
	"math"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMedianCIMatchesOrderStatisticsByHand(t *testing.T) {
	cases := []struct {
		name           string
		xs             []float64
		center, lo, hi float64
		conf           float64
	}{
		// n=5: P(Bin(5,½)=0) = 1/32 > 2.5%, so no interval reaches 95%;
		// [min, max] covers 1 - 2/32 = 93.75%.
		{"five values", []float64{5, 1, 4, 2, 3}, 3, 1, 5, 1 - 2.0/32},
		// n=6: [min, max] covers 1 - 2/64 = 96.875%.
		{"six values", []float64{6, 5, 4, 3, 2, 1}, 3.5, 1, 6, 1 - 2.0/64},
		// n=10: P(X<=1) = 11/1024 <= 2.5% < P(X<=2) = 56/1024, so [x(2), x(9)],
		// covering 1 - 22/1024.
		{"ten values", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5.5, 2, 9, 1 - 22.0/1024},
		{"three values", []float64{30, 10, 20}, 20, 10, 30, 0.75},
		{"one value", []float64{7}, 7, 7, 7, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := analysis.MedianCI(c.xs, 0.95)
			if !near(e.Center, c.center) || !near(e.Lo, c.lo) || !near(e.Hi, c.hi) || !near(e.Confidence, c.conf) || e.N != len(c.xs) {
				t.Fatalf("MedianCI = %+v, want center %v [%v, %v] at %v", e, c.center, c.lo, c.hi, c.conf)
			}
		})
	}
}

func TestMannWhitneyPMatchesTheExactDistribution(t *testing.T) {
	cases := []struct {
		name string
		x, y []float64
		want float64
	}{
		// Complete separation of 5 and 5: U = 0, P(U<=0) = 1/C(10,5) = 1/252, two-sided 2/252.
		{"separated fives", []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10}, 2.0 / 252},
		{"separated fives, other way", []float64{6, 7, 8, 9, 10}, []float64{1, 2, 3, 4, 5}, 2.0 / 252},
		// x={1,3,5}, y={2,4,6}: U = 3 (3>2, 5>2, 5>4); the null counts of U for
		// 3+3 are 1,1,2,3,3,3,3,2,1,1 over 20, so P(U<=3) = 7/20 and p = 0.7.
		{"interleaved threes", []float64{1, 3, 5}, []float64{2, 4, 6}, 0.7},
		// 3 against 3 can never go below 2/20.
		{"separated threes", []float64{1, 2, 3}, []float64{4, 5, 6}, 0.1},
		{"identical values", []float64{1, 1, 1}, []float64{1, 1, 1}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := analysis.MannWhitneyP(c.x, c.y); !near(got, c.want) {
				t.Fatalf("p = %v, want %v", got, c.want)
			}
		})
	}
	// With ties the normal approximation applies; a clear shift stays significant.
	if p := analysis.MannWhitneyP([]float64{1, 1, 2, 2, 3, 3}, []float64{7, 7, 8, 8, 9, 9}); p > 0.01 {
		t.Fatalf("tied but separated samples: p = %v, want < 0.01", p)
	}
}

func TestRatioCIInvertsTheMannWhitneyTest(t *testing.T) {
	// 5 against 5: k = 3 (P(U<=2) = 4/252 <= 2.5% < P(U<=3) = 7/252), so the
	// interval is the 3rd smallest and 3rd largest of the 25 ratios, covering
	// 1 - 8/252. Ratios of {10..50}/{1..5}: smallest 2, 2.5, 3.33…; largest 50, 40, 30.
	x, y := []float64{10, 20, 30, 40, 50}, []float64{1, 2, 3, 4, 5}
	lo, hi, conf := analysis.RatioCI(x, y, 0.95)
	if !near(lo, 10.0/3) || !near(hi, 30) || !near(conf, 1-8.0/252) {
		t.Fatalf("RatioCI = [%v, %v] at %v, want [3.333, 30] at %v", lo, hi, conf, 1-8.0/252)
	}
	// 3 against 2: P(U=0) = 1/10 > 2.5%, so [min, max] of the ratios at 80%.
	lo, hi, conf = analysis.RatioCI([]float64{4, 6, 8}, []float64{1, 2}, 0.95)
	if !near(lo, 2) || !near(hi, 8) || !near(conf, 0.8) {
		t.Fatalf("RatioCI = [%v, %v] at %v, want [2, 8] at 0.8", lo, hi, conf)
	}
	if lo, hi, _ := analysis.RatioCI([]float64{1, 0}, []float64{1}, 0.95); lo != 0 || hi != 0 {
		t.Fatal("a zero value must give no interval")
	}
}

func TestCompareGivesTheRatioOfMediansAndSignificance(t *testing.T) {
	c := analysis.Compare([]float64{10, 20, 30, 40, 50}, []float64{1, 2, 3, 4, 5}, 0.95)
	if !near(c.Ratio, 10) || !c.Significant || !near(c.P, 2.0/252) || c.N1 != 5 || c.N2 != 5 {
		t.Fatalf("Compare = %+v", c)
	}
	if got := results.FormatComparison(c); got != "10.00x [3.33x – 30.00x] (p=0.008)" {
		t.Fatalf("formatted %q", got)
	}
	c = analysis.Compare([]float64{1, 3, 5}, []float64{2, 4, 6}, 0.95)
	if c.Significant || results.FormatComparison(c) != "~ (p=0.7)" {
		t.Fatalf("not significant: %+v, %q", c, results.FormatComparison(c))
	}
}

func TestComputeStatsEstimatesEveryArmAndComparesWithTheFirst(t *testing.T) {
	ms := time.Millisecond
	s := results.Scenario{Arms: []results.Arm{
		{Name: "default", Reps: synth.Reps([]float64{100, 110, 90, 105, 95}, []time.Duration{50 * ms, 60 * ms, 55 * ms, 52 * ms, 58 * ms})},
		{Name: "tuned", Reps: synth.Reps([]float64{400, 420, 380, 410, 390}, []time.Duration{20 * ms, 22 * ms, 21 * ms, 19 * ms, 23 * ms})},
	}}
	st := analysis.ComputeStats(s)
	if st.Weak || st.MinReps != 5 {
		t.Fatalf("5 repetitions must not be weak: %+v", st)
	}
	e, ok := st.Arm("tuned", results.MetricReqPerSec)
	if !ok || e.Center != 400 || e.Lo != 380 || e.Hi != 420 {
		t.Fatalf("tuned req/s = %+v", e)
	}
	c, ok := st.Comparison("tuned", "default", results.MetricReqPerSec)
	if !ok || !near(c.Ratio, 4) || !c.Significant {
		t.Fatalf("req/s comparison = %+v", c)
	}
	c, _ = st.Comparison("tuned", "default", results.MetricP99)
	if !near(c.Ratio, 21.0/55) || !c.Significant {
		t.Fatalf("p99 comparison = %+v", c)
	}
	if _, ok := st.Arm("tuned", results.MetricRespP99); ok {
		t.Fatal("a closed-model run has no response-time estimate")
	}
	s.Arms[1].Reps = s.Arms[1].Reps[:3]
	if st := analysis.ComputeStats(s); !st.Weak || st.MinReps != 3 {
		t.Fatalf("3 repetitions must be weak: %+v", st)
	}
}
