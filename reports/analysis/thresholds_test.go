package analysis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/reports/analysis"
	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestParseThresholdReadsValuesInTheMetricsUnit(t *testing.T) {
	cases := []struct {
		expr   string
		metric string
		op     string
		value  float64
		ratio  string
	}{
		{"p99 < 250ms", "p99", "<", float64(250 * time.Millisecond), ""},
		{"  p99.9<=1s ", "p99.9", "<=", float64(time.Second), ""},
		{"success >= 99.9%", "success", ">=", 99.9, ""},
		{"success >= 99.9", "success", ">=", 99.9, ""},
		{"rate >= 200/s", "req_per_s", ">=", 200, ""},
		{"req_per_s > 50", "req_per_s", ">", 50, ""},
		{"dials <= 40", "dials", "<=", 40, ""},
		{"ratio(tuned/default, req_per_s) >= 4", "req_per_s", ">=", 4, "tuned/default"},
		{"ratio(tuned/default, p99) <= 0.5", "p99", "<=", 0.5, "tuned/default"},
		{"ratio( tuned-resume / default , max_rate ) >= 1.5x", "max_rate", ">=", 1.5, "tuned-resume/default"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			th, err := analysis.ParseThreshold(c.expr)
			if err != nil {
				t.Fatal(err)
			}
			ratio := ""
			if th.IsRatio() {
				ratio = th.RatioArm + "/" + th.RatioBaseline
			}
			if th.Metric != c.metric || th.Op != c.op || th.Value != c.value || ratio != c.ratio || !th.Required {
				t.Fatalf("parsed %+v", th)
			}
		})
	}
}

func TestParseThresholdSaysWhatIsValid(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"p98 < 250ms", "valid metrics are"},
		{"p99 < 250", "want a duration such as 250ms"},
		{"success >= 101%", "want a percentage"},
		{"rate >= fast", "want a rate such as 200/s"},
		{"p99 ~ 250ms", "OP one of"},
		{"ratio(tuned, p99) <= 0.5", "ratio(ARM/BASELINE, METRIC)"},
		{"ratio(tuned/default, p99) <= -1", "number > 0"},
		{"", "METRIC OP VALUE"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			_, err := analysis.ParseThreshold(c.expr)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to say %q", err, c.want)
			}
		})
	}
}

func thresholdFixture() results.Scenario {
	ms := time.Millisecond
	s := results.Scenario{Name: "fix", Arms: []results.Arm{
		{Name: "default", Profile: "default", Reps: synth.Reps([]float64{100, 110, 90, 105, 95}, []time.Duration{50 * ms, 60 * ms, 55 * ms, 52 * ms, 58 * ms})},
		{Name: "tuned", Profile: "tuned", Reps: synth.Reps([]float64{400, 420, 380, 410, 390}, []time.Duration{20 * ms, 22 * ms, 21 * ms, 19 * ms, 23 * ms})},
	}}
	s.Arms[0].Total = results.Summary{Requests: 1000, Successes: 990, SuccessPct: 99, SuccessPerSec: 100, Latency: results.Percentiles{P99: 58 * ms}}
	s.Arms[1].Total = results.Summary{Requests: 4000, Successes: 4000, SuccessPct: 100, SuccessPerSec: 400, Latency: results.Percentiles{P99: 22 * ms}}
	s.Stats = analysis.ComputeStats(s)
	return s
}

func TestThresholdsEvaluateOnKnownData(t *testing.T) {
	s := thresholdFixture()
	parse := func(expr string, required bool, arm string) analysis.Threshold {
		th, err := analysis.ParseThreshold(expr)
		if err != nil {
			t.Fatal(err)
		}
		th.Required, th.Arm = required, arm
		return th
	}
	got := analysis.EvaluateThresholds(s, []analysis.Threshold{
		parse("p99 < 30ms", true, ""),                           // default 58 ms fails, tuned 22 ms passes
		parse("success >= 99.9%", true, "tuned"),                // 100% passes
		parse("rate >= 200/s", false, "default"),                // 100/s fails, informative
		parse("ratio(tuned/default, req_per_s) >= 4", true, ""), // 400/100 = 4 passes
		parse("ratio(tuned/default, p99) <= 0.35", true, ""),    // 21/55 = 0.38 fails
		parse("resp_p99 < 1s", true, "tuned"),                   // not measured: fails
		parse("ratio(tuned/default, success) >= 1", false, ""),  // 100/99 from totals
	})
	type want struct {
		arm      string
		pass     bool
		measured float64
	}
	wants := []want{
		{"default", false, float64(58 * time.Millisecond)}, {"tuned", true, float64(22 * time.Millisecond)},
		{"tuned", true, 100}, {"default", false, 100}, {"tuned/default", true, 4},
		{"tuned/default", false, 21.0 / 55}, {"tuned", false, 0}, {"tuned/default", true, 100.0 / 99},
	}
	if len(got) != len(wants) {
		t.Fatalf("%d results, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		if g.Arm != w.arm || g.Pass != w.pass || !near(g.Measured, w.measured) {
			t.Errorf("result %d (%s on %s) = pass %v measured %v, want pass %v measured %v", i, g.Expr, g.Arm, g.Pass, g.Measured, w.pass, w.measured)
		}
	}
	if got[6].Note != "not measured in this run" {
		t.Errorf("an unmeasured metric must say so: %+v", got[6])
	}
	if !strings.Contains(got[4].MeasuredText, "4.00x [") || !strings.Contains(got[4].MeasuredText, "(p=0.008)") {
		t.Errorf("a ratio shows its interval and p-value: %q", got[4].MeasuredText)
	}
	s.Thresholds = got
	failed := analysis.FailedRequired(&results.Results{Scenarios: []results.Scenario{s}})
	if len(failed) != 3 {
		t.Fatalf("failed required = %+v, want default p99, the p99 ratio and resp_p99", failed)
	}
	if msg := failed[0].String(); !strings.Contains(msg, "fix: `p99 < 30ms` on default: measured 58.00 ms") {
		t.Errorf("failure line %q", msg)
	}
}

func TestHTTP2ThresholdReadsTheProtocolCounts(t *testing.T) {
	th, err := analysis.ParseThreshold("http2 >= 99%")
	if err != nil {
		t.Fatal(err)
	}
	arm := func(name string, protocols map[string]int64) results.Arm {
		a := results.Arm{Name: name, Reps: make([]results.Rep, 1)}
		a.Total.Requests, a.Total.Client.Protocols = 1000, protocols
		return a
	}
	s := results.Scenario{Name: "h2", Arms: []results.Arm{
		arm("client-go", map[string]int64{results.ProtoHTTP2: 995, results.ProtoHTTP11: 5}),
		arm("tuned", map[string]int64{results.ProtoHTTP11: 1000}),
		arm("old", nil),
	}}
	got := analysis.EvaluateThresholds(s, []analysis.Threshold{th})
	wants := []struct {
		arm      string
		pass     bool
		measured float64
		note     string
	}{
		{"client-go", true, 99.5, ""},
		{"tuned", false, 0, ""},
		{"old", false, 0, "not measured in this run"},
	}
	if len(got) != len(wants) {
		t.Fatalf("%d results, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		if g.Arm != w.arm || g.Pass != w.pass || !near(g.Measured, w.measured) || g.Note != w.note {
			t.Errorf("result %d = %+v, want arm %s pass %v measured %v note %q", i, g, w.arm, w.pass, w.measured, w.note)
		}
	}
}
