package mockbackend

import (
	"net/http"
	"sync"
)

// recorder wraps the ResponseWriter to learn the route and the status code
// for accounting, and to turn ServeMux's plain-text 404/405 into JSON errors.
type recorder struct {
	http.ResponseWriter
	route   *route
	status  int
	swallow bool // discard the mux's text body after writing the JSON error
}

var recorderPool = sync.Pool{New: func() any { return new(recorder) }}

func getRecorder(w http.ResponseWriter) *recorder {
	rec := recorderPool.Get().(*recorder)
	*rec = recorder{ResponseWriter: w}
	return rec
}

func putRecorder(rec *recorder) {
	*rec = recorder{}
	recorderPool.Put(rec)
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status != 0 {
		return // net/http ignores superfluous calls too; keep the first code
	}
	rec.status = code
	if rec.route == nil && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		rec.swallow = true
		h := rec.ResponseWriter.Header()
		h.Del("Content-Length")
		h.Set("Content-Type", contentTypeJSON)
		rec.ResponseWriter.WriteHeader(code)
		msg := "no route for this path"
		if code == http.StatusMethodNotAllowed {
			msg = "method not allowed; see the Allow header"
		}
		_, _ = rec.ResponseWriter.Write(errorBody(code, "", msg))
		return
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	if rec.swallow {
		return len(p), nil
	}
	return rec.ResponseWriter.Write(p)
}

// Flush lets streaming handlers (SSE) push each event.
func (rec *recorder) Flush() {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	if f, ok := rec.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
