package mockbackend

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// faultKind is what a request suffers instead of a normal answer.
type faultKind uint8

const (
	faultNone faultKind = iota
	faultStatus
	faultRateLimit
	faultHang
	faultCloseMid
)

// faultPlan is a compiled Faults: cumulative thresholds walked with one
// uniform draw per request, after the first failFirst requests that fail
// without a draw.
type faultPlan struct {
	steps      []faultStep
	retryAfter string // Retry-After header value, whole seconds
	failFirst  int64
	seen       atomic.Int64 // requests counted against failFirst
}

type faultStep struct {
	upTo float64 // cumulative probability
	kind faultKind
	code int
}

// newFaultPlan compiles f; nil when f injects nothing.
func newFaultPlan(f Faults) *faultPlan {
	p := &faultPlan{}
	ra := f.RetryAfter
	if ra == 0 {
		ra = DefaultRetryAfter
	}
	p.retryAfter = retryAfterSeconds(ra)
	acc := 0.0
	add := func(rate float64, kind faultKind, code int) {
		if rate > 0 {
			acc += rate
			p.steps = append(p.steps, faultStep{upTo: acc, kind: kind, code: code})
		}
	}
	codes := make([]int, 0, len(f.ErrorRates))
	for c := range f.ErrorRates {
		codes = append(codes, c)
	}
	slices.Sort(codes) // map order must not change which request fails
	for _, c := range codes {
		add(f.ErrorRates[c], faultStatus, c)
	}
	add(f.RateLimit, faultRateLimit, http.StatusTooManyRequests)
	add(f.Hang, faultHang, 0)
	add(f.CloseMidResponse, faultCloseMid, 0)
	p.failFirst = int64(f.FailFirst)
	if len(p.steps) == 0 && p.failFirst == 0 {
		return nil
	}
	return p
}

// failing reports whether this request is one of the first failFirst.
func (p *faultPlan) failing() bool {
	return p.failFirst > 0 && p.seen.Load() < p.failFirst && p.seen.Add(1) <= p.failFirst
}

func (p *faultPlan) pick(u float64) (faultKind, int) {
	for _, st := range p.steps {
		if u < st.upTo {
			return st.kind, st.code
		}
	}
	return faultNone, 0
}

// injectFault answers r with the drawn fault instead of the route's handler.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, rt *route, kind faultKind, code int) {
	switch kind {
	case faultStatus:
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", rt.faults.retryAfter)
		}
		writeError(w, code, "", "injected fault")
	case faultRateLimit:
		w.Header().Set("Retry-After", rt.faults.retryAfter)
		writeError(w, http.StatusTooManyRequests, "", "injected rate limit; retry after "+rt.faults.retryAfter+"s")
	case faultHang:
		// Never answer: wait for the client to give up (or a forced close).
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		abortWait()
	case faultCloseMid:
		// Promise a body, send half of it, then abort: net/http closes the
		// connection (HTTP/1.1) or resets the stream (h2), so the client
		// sees an unexpected EOF after a 200.
		body := []byte(`{"status":"partial","detail":"this response is cut off by an injected fault"}`)
		h := w.Header()
		h.Set("Content-Type", contentTypeJSON)
		h.Set("Content-Length", itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)/2])
		http.NewResponseController(w).Flush() //nolint:errcheck // best effort before the abort
		panic(http.ErrAbortHandler)
	}
}

// retryAfterSeconds formats d as a Retry-After value (whole seconds, at least 1).
func retryAfterSeconds(d time.Duration) string {
	sec := int(math.Ceil(d.Seconds()))
	if sec < 1 {
		sec = 1
	}
	return strconv.Itoa(sec)
}
