package scenarios

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Flow is a sequence of dependent requests on one object, such as Porch's
// create → propose → approve. A step is sent only after the previous step of
// the same object succeeded, so a flow never reads what does not exist yet;
// an object whose step fails is dropped.
type Flow struct {
	Name        string
	API         string
	Description string
	Steps       []FlowStep
}

// FlowStep is one request of a flow; id is unique per run (run-n).
type FlowStep struct {
	Method string
	Path   func(id string) string
	Body   func(id string) []byte
}

func porchRevision(id string) string { return porchRepo + ".intent-" + id + "." + porchWS }

var flows = map[string]*Flow{
	"porch-propose-approve": {
		API: "Porch REST", Description: "create a package revision, propose it, approve it (Draft → Proposed → Published)",
		Steps: []FlowStep{
			{Method: http.MethodPost,
				Path: func(string) string { return porchREST + "/repositories/" + porchRepo + "/packages" },
				Body: func(id string) []byte { return porchCreateBody("intent-"+id, uint64(len(id))) }},
			{Method: http.MethodPost,
				Path: func(string) string { return porchREST + "/proposals" },
				Body: func(id string) []byte {
					return []byte(`{"packageRevision":"` + porchRevision(id) + `","namespace":"default"}`)
				}},
			{Method: http.MethodPost,
				Path: func(id string) string { return porchREST + "/packagerevisions/" + porchRevision(id) + "/approve" }},
		},
	},
	"porch-k8s-lifecycle": {
		API: "Porch k8s", Description: "create a PackageRevision, then patch its lifecycle to Proposed and Published",
		Steps: []FlowStep{
			{Method: http.MethodPost,
				Path: func(string) string { return porchK8s },
				Body: func(id string) []byte { return porchObjectBody("pr-"+id, "pkg-"+id) }},
			{Method: http.MethodPatch,
				Path: func(id string) string { return porchK8s + "/pr-" + id },
				Body: func(string) []byte { return []byte(`{"spec":{"lifecycle":"Proposed"}}`) }},
			{Method: http.MethodPatch,
				Path: func(id string) string { return porchK8s + "/pr-" + id },
				Body: func(string) []byte { return []byte(`{"spec":{"lifecycle":"Published"}}`) }},
		},
	},
	"a1-policy-apply": {
		API: "A1-P v2", Description: "put a policy, then poll its enforcement status twice",
		Steps: []FlowStep{
			{Method: http.MethodPut,
				Path: func(id string) string { return a1Base + "apply-" + id },
				Body: func(id string) []byte { return policyBody(id, uint64(len(id))) }},
			{Method: http.MethodGet, Path: func(id string) string { return a1Base + "apply-" + id + "/status" }},
			{Method: http.MethodGet, Path: func(id string) string { return a1Base + "apply-" + id + "/status" }},
		},
	},
	"e2-subscribe": {
		API: "E2", Description: "subscribe on a node, read the indications, unsubscribe",
		Steps: []FlowStep{
			{Method: http.MethodPost,
				Path: func(id string) string { return e2Base + flowNode(id) + "/subscriptions" },
				Body: func(id string) []byte { return subscriptionBody("fsub-" + id) }},
			{Method: http.MethodGet, Path: func(id string) string { return e2Base + flowNode(id) + "/subscriptions/fsub-" + id + "/indications" }},
			{Method: http.MethodDelete, Path: func(id string) string { return e2Base + flowNode(id) + "/subscriptions/fsub-" + id }},
		},
	},
	"intent-pipeline": {
		API: "RAG, LLM, Porch REST", Description: "the operator's path for one intent: RAG intent, LLM completion, Porch create and propose",
		Steps: []FlowStep{
			{Method: http.MethodPost, Path: func(string) string { return "/intent" },
				Body: func(string) []byte {
					return []byte(`{"intent":"scale odu-high in namespace ran to 3 replicas","user":"oranbench","tags":["scaling"]}`)
				}},
			{Method: http.MethodPost, Path: func(string) string { return "/v1/chat/completions" },
				Body: func(string) []byte { return chatBody(false) }},
			{Method: http.MethodPost,
				Path: func(string) string { return porchREST + "/repositories/" + porchRepo + "/packages" },
				Body: func(id string) []byte { return porchCreateBody("intent-"+id, 3) }},
			{Method: http.MethodPost,
				Path: func(string) string { return porchREST + "/proposals" },
				Body: func(id string) []byte {
					return []byte(`{"packageRevision":"` + porchRevision(id) + `","namespace":"default"}`)
				}},
		},
	},
}

// flowPrepare names the fixtures a flow needs.
var flowPrepare = map[string]string{"e2-subscribe": "e2"}

// flowNode spreads flow objects over the registered E2 nodes by their id.
func flowNode(id string) string {
	h := uint64(0)
	for i := 0; i < len(id); i++ {
		h = h*31 + uint64(id[i])
	}
	return e2Node(h)
}

func init() {
	for name, f := range flows {
		f.Name = name
	}
}

// FlowNames lists the flows a mix may use, sorted.
func FlowNames() []string {
	out := make([]string, 0, len(flows))
	for n := range flows {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// flowHeader carries "flow.object.step" so the tracker can tell which step of
// which object a response completes.
const flowHeader = "X-Oranbench-Flow"

// maxReady bounds the objects waiting for their next step.
const maxReady = 1 << 16

type flowInst struct {
	id   uint64
	step int
}

// flowRun is one attack's state of one flow: objects whose last step
// succeeded and that wait for the next one, oldest first.
type flowRun struct {
	flow  *Flow
	index int
	run   string

	mu    sync.Mutex
	ready []flowInst
	next  uint64
}

// take returns the step to send next: the oldest waiting object's next step,
// or the first step of a new object.
func (f *flowRun) take() (uint64, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.ready) > 0 {
		it := f.ready[0]
		f.ready = f.ready[1:]
		return it.id, it.step
	}
	id := f.next
	f.next++
	return id, 0
}

// done records the outcome of a step; a success queues the object's next step.
func (f *flowRun) done(id uint64, step int, ok bool) {
	if !ok || step+1 >= len(f.flow.Steps) {
		return
	}
	f.mu.Lock()
	if len(f.ready) < maxReady {
		f.ready = append(f.ready, flowInst{id: id, step: step + 1})
	}
	f.mu.Unlock()
}

// flowTracker sits under the arm's client and reports each flow response to
// its flowRun as soon as the status line is in.
type flowTracker struct {
	next  http.RoundTripper
	flows []*flowRun
}

func (t *flowTracker) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if v := r.Header.Get(flowHeader); v != "" {
		if fi, id, step, ok := parseFlowHeader(v); ok && fi < len(t.flows) {
			t.flows[fi].done(id, step, err == nil && resp.StatusCode < 300)
		}
	}
	return resp, err
}

// CloseIdleConnections forwards to the wrapped transport.
func (t *flowTracker) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func flowHeaderValue(fi int, id uint64, step int) string {
	return strconv.Itoa(fi) + "." + strconv.FormatUint(id, 10) + "." + strconv.Itoa(step)
}

func parseFlowHeader(v string) (fi int, id uint64, step int, ok bool) {
	a, rest, ok1 := strings.Cut(v, ".")
	b, c, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	fi, err1 = strconv.Atoi(a)
	id, err2 = strconv.ParseUint(b, 10, 64)
	step, err3 = strconv.Atoi(c)
	return fi, id, step, err1 == nil && err2 == nil && err3 == nil
}
