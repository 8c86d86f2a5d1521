package scenarios

import (
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Route is one request shape of a real O-RAN / Porch API that a mix can use.
type Route struct {
	Name        string
	API         string
	Description string
	Method      string
	// Path returns the request path for request number n of a run whose
	// unique prefix is run (so creates never collide across runs).
	Path func(run string, n uint64) string
	// Body returns the JSON body, or nil.
	Body func(run string, n uint64) []byte
	// Prepare lists requests that must succeed before load starts (objects
	// that reads of this route expect to exist).
	Prepare func() []vegeta.Target
}

// policyIDs bounds the A1 policy ids that writes cycle through, so a long
// run updates policies instead of growing the backend's store.
const policyIDs = 4096

// readIDs is the number of policies created before load so reads find them.
const readIDs = 64

var routes = map[string]*Route{
	"a1-policy-put": {
		API: "A1-P v2", Description: "create or update a QoS policy (type 1000)",
		Method: http.MethodPut,
		Path: func(_ string, n uint64) string {
			return "/A1-P/v2/policytypes/1000/policies/pol-" + strconv.FormatUint(n%policyIDs, 10)
		},
		Body: func(_ string, n uint64) []byte {
			return []byte(`{"scope":{"ueId":"ue-` + strconv.FormatUint(n%policyIDs, 10) + `","qosId":"5qi-7"},"qosObjectives":{"priorityLevel":` + strconv.FormatUint(n%16, 10) + `}}`)
		},
	},
	"a1-policy-get": {
		API: "A1-P v2", Description: "read a QoS policy (type 1000)",
		Method: http.MethodGet,
		Path: func(_ string, n uint64) string {
			return "/A1-P/v2/policytypes/1000/policies/read-" + strconv.FormatUint(n%readIDs, 10)
		},
		Prepare: func() []vegeta.Target {
			out := make([]vegeta.Target, readIDs)
			for i := range out {
				out[i] = vegeta.Target{
					Method: http.MethodPut,
					URL:    "/A1-P/v2/policytypes/1000/policies/read-" + strconv.Itoa(i),
					Body:   []byte(`{"scope":{"ueId":"ue-read","qosId":"5qi-9"},"qosObjectives":{"priorityLevel":1}}`),
					Header: jsonHeader,
				}
			}
			return out
		},
	},
	"porch-package-create": {
		API: "Porch REST", Description: "create a package revision from an intent",
		Method: http.MethodPost,
		Path:   func(string, uint64) string { return "/api/v1/repositories/deployments/packages" },
		Body: func(run string, n uint64) []byte {
			name := "intent-" + run + "-" + strconv.FormatUint(n, 10)
			return []byte(`{"metadata":{"name":"` + name + `","namespace":"default"},"spec":{"workspace":"ws-` + strconv.FormatUint(n, 10) + `","intent":{"target":"odu-high","namespace":"ran","replicas":3},"revision":"v1"}}`)
		},
	},
}

func init() {
	for name, r := range routes {
		r.Name = name
	}
}

var jsonHeader = http.Header{"Content-Type": []string{"application/json"}}

// RouteNames lists the routes a mix may use, sorted.
func RouteNames() []string {
	out := make([]string, 0, len(routes))
	for n := range routes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// mixTargeter hands out requests of a weighted mix in a fixed, seeded order;
// it is safe for vegeta's concurrent workers (one atomic add per request).
type mixTargeter struct {
	base     string
	run      string
	schedule []*Route
	n        atomic.Uint64
}

func newMixTargeter(base, run string, mix []MixEntry, seed int64) *mixTargeter {
	var schedule []*Route
	for _, m := range mix {
		w := max(m.Weight, 1)
		for range w {
			schedule = append(schedule, routes[m.Route])
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f72616e))
	rng.Shuffle(len(schedule), func(i, j int) { schedule[i], schedule[j] = schedule[j], schedule[i] })
	return &mixTargeter{base: base, run: run, schedule: schedule}
}

func (m *mixTargeter) targeter() vegeta.Targeter {
	return func(t *vegeta.Target) error {
		if t == nil {
			return vegeta.ErrNilTarget
		}
		n := m.n.Add(1) - 1
		r := m.schedule[n%uint64(len(m.schedule))]
		t.Method = r.Method
		t.URL = m.base + r.Path(m.run, n)
		t.Body, t.Header = nil, nil
		if r.Body != nil {
			t.Body, t.Header = r.Body(m.run, n), jsonHeader
		}
		return nil
	}
}
