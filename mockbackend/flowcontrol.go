package mockbackend

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kube-apiserver's defaults of --max-requests-inflight and
// --max-mutating-requests-inflight.
const (
	APIServerMaxRequestsInflight         = 400
	APIServerMaxMutatingRequestsInflight = 200
)

// MaxInflightScale is the largest factor APIServerInflight takes.
const MaxInflightScale = 1000

// APIServerInflight returns kube-apiserver's default in-flight limits
// scaled by scale, for MaxRequestsInflight and
// MaxMutatingRequestsInflight: 0.5 gives 200 and 100. Each is rounded to
// the nearest integer and at least 1. scale must be above 0 and at most
// MaxInflightScale.
func APIServerInflight(scale float64) (readOnly, mutating int) {
	f := func(n int) int { return max(1, int(math.Round(float64(n)*scale))) }
	return f(APIServerMaxRequestsInflight), f(APIServerMaxMutatingRequestsInflight)
}

func kubeInflightDefault(field string) int {
	if field == "maxMutatingRequestsInflight" {
		return APIServerMaxMutatingRequestsInflight
	}
	return APIServerMaxRequestsInflight
}

// flowRetryAfter is the Retry-After, in seconds, of a request refused by
// flow control: kube-apiserver's max-in-flight filter sends 1.
const flowRetryAfter = 1

// Request kinds of flow control, as kube-apiserver's request_kind label.
const (
	kindReadOnly = "readOnly"
	kindMutating = "mutating"
)

// flowControl is kube-apiserver's max-in-flight filter
// (WithMaxInFlightLimit): two pools of seats, one for read-only and one for
// mutating requests; a request that finds its pool full is refused at once
// (no queue: that is API Priority and Fairness, not modelled). A nil pool
// is unlimited.
type flowControl struct {
	readOnly, mutating                 chan struct{}
	rejectedReadOnly, rejectedMutating atomic.Int64
}

func newFlowControl(c Config) *flowControl {
	fc := &flowControl{}
	if c.MaxRequestsInflight > 0 {
		fc.readOnly = make(chan struct{}, c.MaxRequestsInflight)
	}
	if c.MaxMutatingRequestsInflight > 0 {
		fc.mutating = make(chan struct{}, c.MaxMutatingRequestsInflight)
	}
	return fc
}

// isMutating reports whether a request counts against the mutating limit.
func isMutating(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// admitFlow takes a flow-control seat for rt's request r. It returns the
// function that gives the seat back (nil when r's kind is unlimited or r is
// exempt) and false when the pool is full: it has then counted the refusal
// and the caller must answer 429.
func (s *Server) admitFlow(rt *route, r *http.Request) (release func(), ok bool) {
	fc := s.flow
	pool, rejected := fc.readOnly, &fc.rejectedReadOnly
	if isMutating(r.Method) {
		pool, rejected = fc.mutating, &fc.rejectedMutating
	}
	if pool == nil || s.flowExempt(rt, r) {
		return nil, true
	}
	select {
	case pool <- struct{}{}:
		return func() { <-pool }, true
	default:
		rejected.Add(1)
		return nil, false
	}
}

// flowExempt reports whether rt's request r is long-running, which
// kube-apiserver's max-in-flight filter does not count: a watch, or a
// streamed LLM completion (whose body it reads to tell, putting it back).
func (s *Server) flowExempt(rt *route, r *http.Request) bool {
	if rt.long != nil && rt.long(r) {
		return true
	}
	return rt.streams != nil && rt.streams(r, s.cfg.MaxBodyBytes)
}

// writeTooManyRequests answers a request flow control refused: for the
// Kubernetes API the Status kube-apiserver sends
// (apierrors.NewTooManyRequests, reason TooManyRequests, retryAfterSeconds
// 1), for the other APIs the mock's own error body; Retry-After: 1 on both.
func (s *Server) writeTooManyRequests(w http.ResponseWriter, rt *route, r *http.Request) {
	w.Header().Set("Retry-After", strconv.Itoa(flowRetryAfter))
	if rt.kube {
		writeJSON(w, http.StatusTooManyRequests, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
			Status: metav1.StatusFailure, Message: "Too many requests, please try again later.", Reason: metav1.StatusReasonTooManyRequests,
			Details: &metav1.StatusDetails{RetryAfterSeconds: flowRetryAfter}, Code: http.StatusTooManyRequests})
		return
	}
	kind, limit := "maxRequestsInflight", s.cfg.MaxRequestsInflight
	if isMutating(r.Method) {
		kind, limit = "maxMutatingRequestsInflight", s.cfg.MaxMutatingRequestsInflight
	}
	writeError(w, http.StatusTooManyRequests, "", "too many requests in flight ("+kind+" "+itoa(limit)+"); retry after "+itoa(flowRetryAfter)+"s")
}

// isStreamingChat reports a chat completion that asks for a stream
// ("stream": true). It reads up to limit+1 bytes of the body and puts them
// back in front of the rest, so the handler (and its body limit) sees the
// whole body.
func isStreamingChat(r *http.Request, limit int64) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	r.Body = replayBody{Reader: io.MultiReader(bytes.NewReader(b), r.Body), Closer: r.Body}
	if err != nil {
		return false
	}
	var v struct {
		Stream bool `json:"stream"`
	}
	return json.Unmarshal(b, &v) == nil && v.Stream
}

// replayBody is a request body read in part and put back.
type replayBody struct {
	io.Reader
	io.Closer
}
