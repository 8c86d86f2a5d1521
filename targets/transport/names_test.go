package transport_test

import (
	"slices"
	"testing"

	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/targets/transport"
)

// The results model keeps its own copy of the built-in profile names and the
// protocol names (reports may not import targets; see results.ProfileDefault).
// This test is where the copy is held to the source: a renamed or added
// built-in profile, or a respelled protocol, fails here rather than as arms
// the analysis silently does not recognize.
func TestResultsSpellsProfileNamesAsTransport(t *testing.T) {
	pairs := []struct{ transport, results string }{
		{transport.ProfileDefault, results.ProfileDefault},
		{transport.ProfileTuned, results.ProfileTuned},
		{transport.ProfileTunedResume, results.ProfileTunedResume},
		{transport.ProfileTunedH2, results.ProfileTunedH2},
		{transport.ProfileTunedCapped, results.ProfileTunedCapped},
		{transport.ProfileClientGo, results.ProfileClientGo},
		{transport.ProtoHTTP11, results.ProtoHTTP11},
		{transport.ProtoHTTP2, results.ProtoHTTP2},
	}
	for _, p := range pairs {
		if p.transport != p.results {
			t.Errorf("transport spells %q, results %q: make reports/results' constant match targets/transport's", p.transport, p.results)
		}
	}

	var copied []string
	for _, p := range pairs[:6] {
		copied = append(copied, p.results)
	}
	slices.Sort(copied)
	if builtin := transport.NewRegistry().Names(); !slices.Equal(builtin, copied) {
		t.Errorf("built-in profiles %v, results names %v: give reports/results a constant for every built-in profile (and add it here)", builtin, copied)
	}
}
