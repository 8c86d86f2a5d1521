package scenarios

import (
	"strconv"

	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/scenarios/scenario"
)

// slot is one element of the mix's schedule.
type slot struct {
	route  *mockbackend.Route
	body   *scenario.Template // route body override
	method string             // custom request
	path   *scenario.Template
	header http.Header
	flow   int // index into mixTargeter.flows, or -1
}

// mixTargeter hands out requests of a weighted mix in a fixed, seeded order;
// it is safe for vegeta's concurrent workers (one atomic add per request,
// one short lock per flow request).
type mixTargeter struct {
	backendURL string // the paths of the requests are appended to it
	run        string
	// label, when set, is the run's id, added to the objects the mix
	// creates through the Kubernetes API so clean-up finds them.
	label    string
	schedule []slot
	flows    []*flowRun
	n        atomic.Uint64
}

func newMixTargeter(backendURL, run string, mix []scenario.MixEntry, seed int64) (*mixTargeter, error) {
	m := &mixTargeter{backendURL: backendURL, run: run}
	for i, e := range mix {
		s := slot{flow: -1}
		switch {
		case e.Route != "":
			r, ok := scenario.LookupRoute(e.Route)
			if !ok {
				return nil, fmt.Errorf("mix[%d].route: unknown route %q", i, e.Route)
			}
			s.route = r
			if e.Body != "" {
				t, err := scenario.CompileTemplate(e.Body)
				if err != nil {
					return nil, fmt.Errorf("mix[%d].body: %w", i, err)
				}
				s.body = t
			}
		case e.Flow != "":
			f, ok := scenario.LookupFlow(e.Flow)
			if !ok {
				return nil, fmt.Errorf("mix[%d].flow: unknown flow %q", i, e.Flow)
			}
			s.flow = len(m.flows)
			m.flows = append(m.flows, &flowRun{flow: f, index: s.flow, run: run})
		case e.Request != nil:
			p, err := scenario.CompileTemplate(e.Request.Path)
			if err != nil {
				return nil, fmt.Errorf("mix[%d].request.path: %w", i, err)
			}
			s.method, s.path = strings.ToUpper(e.Request.Method), p
			if e.Request.Body != "" {
				if s.body, err = scenario.CompileTemplate(e.Request.Body); err != nil {
					return nil, fmt.Errorf("mix[%d].request.body: %w", i, err)
				}
			}
			s.header = http.Header{}
			if s.body != nil {
				s.header.Set("Content-Type", "application/json")
			}
			for k, v := range e.Request.Headers {
				s.header.Set(k, v)
			}
		}
		for range max(e.Weight, 1) {
			m.schedule = append(m.schedule, s)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f72616e))
	rng.Shuffle(len(m.schedule), func(i, j int) { m.schedule[i], m.schedule[j] = m.schedule[j], m.schedule[i] })
	return m, nil
}

// wrap puts the flow tracker under the client when the mix has flows.
func (m *mixTargeter) wrap(next http.RoundTripper) http.RoundTripper {
	if len(m.flows) == 0 {
		return next
	}
	return &flowTracker{next: next, flows: m.flows}
}

// targeter fills in each request vegeta asks for (a vegeta.Target).
func (m *mixTargeter) targeter() vegeta.Targeter {
	return func(req *vegeta.Target) error {
		if req == nil {
			return vegeta.ErrNilTarget
		}
		n := m.n.Add(1) - 1
		s := &m.schedule[n%uint64(len(m.schedule))]
		req.Body, req.Header = nil, nil
		switch {
		case s.route != nil:
			r := s.route
			req.Method = r.Method
			req.URL = m.backendURL + r.Path(m.run, n)
			switch {
			case s.body != nil:
				req.Body, req.Header = []byte(s.body.Render(m.run, n)), jsonHeader
			case r.Body != nil:
				req.Body, req.Header = r.Body(m.run, n), jsonHeader
			}
		case s.flow >= 0:
			f := m.flows[s.flow]
			id, step := f.take()
			st := f.flow.Steps[step]
			// Flows of one mix may create the same kind of object: the
			// flow's index keeps their names apart.
			oid := m.run + "-" + itoa(s.flow) + "-" + u(id)
			req.Method = st.Method
			req.URL = m.backendURL + st.Path(oid)
			req.Header = http.Header{flowHeader: []string{flowHeaderValue(s.flow, id, step)}}
			if st.Body != nil {
				req.Body = st.Body(oid)
				req.Header["Content-Type"] = jsonHeader["Content-Type"]
			}
		default:
			req.Method = s.method
			req.URL = m.backendURL + s.path.Render(m.run, n)
			req.Header = s.header
			if s.body != nil {
				req.Body = []byte(s.body.Render(m.run, n))
			}
		}
		if m.label != "" && req.Body != nil && isKubeCreate(req.Method, strings.TrimPrefix(req.URL, m.backendURL)) {
			req.Body, _ = withRunLabel(req.Body, m.label)
		}
		return nil
	}
}

// jsonHeader is the Content-Type of custom requests' and flows' bodies.
var jsonHeader = http.Header{"Content-Type": []string{"application/json"}}

func u(n uint64) string { return strconv.FormatUint(n, 10) }
