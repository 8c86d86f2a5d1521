package scenarios

import (
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/mockbackend"
)

// fixtureRequests returns the requests that create a fixture set, by stage,
// with paths relative to the backend's URL.
func fixtureRequests(set string) [][]vegeta.Target {
	var out [][]vegeta.Target
	for _, stage := range mockbackend.Fixtures(set) {
		ts := make([]vegeta.Target, len(stage))
		for i, r := range stage {
			ts[i] = vegeta.Target{Method: r.Method, URL: r.Path, Body: r.Body}
			if r.Body != nil {
				ts[i].Header = jsonHeader
			}
		}
		out = append(out, ts)
	}
	return out
}
