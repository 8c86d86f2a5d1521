package markdown

import (
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
