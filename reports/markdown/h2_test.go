package markdown

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/reports/results"
)

func TestTheHTTP2ConditionStatesTheStreamLimit(t *testing.T) {
	for _, tc := range []struct {
		c    results.Conditions
		want string
	}{
		{results.Conditions{HTTP2: true, H2MaxStreams: 100}, "on, 100 streams per connection"},
		{results.Conditions{HTTP2: true}, "on"}, // an external target or older results: unknown
		{results.Conditions{HTTP2: false, H2MaxStreams: 100}, "off"},
	} {
		if got := h2Text(tc.c); got != tc.want {
			t.Errorf("h2Text(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}

func TestASweepStatesTheStreamLimitOfItsHTTP2Points(t *testing.T) {
	point := func(h2 bool, streams int) results.SweepPoint {
		return results.SweepPoint{Result: results.Scenario{Conditions: results.Conditions{HTTP2: h2, H2MaxStreams: streams}}}
	}
	for _, tc := range []struct {
		points []results.SweepPoint
		want   bool
	}{
		{[]results.SweepPoint{point(false, 100), point(true, 100)}, true},
		{[]results.SweepPoint{point(false, 100)}, false},
		{[]results.SweepPoint{point(true, 0)}, false},
	} {
		var b bytes.Buffer
		p := &printer{w: &b}
		p.sweep(results.Scenario{Name: "porch-h2", Sweep: &results.Sweep{Params: []string{"http2"}, Points: tc.points}})
		if got := strings.Contains(b.String(), "at most 100 concurrent streams per connection"); got != tc.want {
			t.Errorf("points %+v: stream limit stated %v, want %v:\n%s", tc.points, got, tc.want, b.String())
		}
	}
}
