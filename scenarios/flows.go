package scenarios

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/oranbench/oranbench/mockbackend"
)

// A flow (mockbackend.Flow) is a sequence of dependent requests on one
// object, such as Porch's create → propose → approve. A step is sent only
// after the previous step of the same object succeeded, so a flow never reads
// what does not exist yet; an object whose step fails is dropped. Object ids
// are unique per run (run-flow-n).

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
	flow  *mockbackend.Flow
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
