// Package watchertest serves the project's mock backend (mockbackend) on a
// loopback httptest server and counts what the intent watcher submits to its
// Porch REST API, so tests can prove that each valid intent reached Porch
// exactly once.
package watchertest

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"path"
	"sync"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
)

// Options configure a fake Porch.
type Options struct {
	// TLS serves HTTPS with httptest's certificate; use Porch.Client or
	// Porch.Certificate to trust it.
	TLS bool
	// Latency delays every response (handler time).
	Latency time.Duration
	// FailCreates answers the first n create requests with 503.
	FailCreates int
}

// The mock's routes the watcher uses.
const (
	routeCreate  = "porch.package.create"  // POST .../repositories/{repo}/packages
	routePropose = "porch.proposal.create" // POST .../proposals
)

// Porch is the mock backend's Porch, as the watcher uses it:
//
//   - porch.package.create: 201 with a revision named
//     {repo}.{package}.{workspace}; 409 if that revision exists.
//   - porch.package.get: 200 with the package's latest revision.
//   - porch.proposal.create {packageRevision}: 201; 404 for an unknown
//     revision; 409 if already proposed.
//
// A create without metadata.name or spec.intent, which the watcher always
// sends, is refused with 400 before it reaches the mock and is not counted.
// Counts are keyed by package name (metadata.name of the create request).
type Porch struct {
	*httptest.Server
	mock *mockbackend.Handler

	mu              sync.Mutex
	created         map[string]int
	createRequests  map[string]int
	proposed        map[string]int
	proposeRequests map[string]int
	intents         map[string]json.RawMessage
	revisions       map[string]string // revision name → package name
}

// NewPorch starts a fake Porch on 127.0.0.1. Close it when done.
func NewPorch(opts Options) *Porch {
	cfg := mockbackend.Config{Latency: opts.Latency}
	if opts.FailCreates > 0 {
		cfg.Routes = map[string]mockbackend.Behavior{routeCreate: {Faults: mockbackend.Faults{FailFirst: opts.FailCreates}}}
	}
	mock, err := mockbackend.NewHandler(cfg)
	if err != nil {
		panic("watchertest: " + err.Error()) // Options cannot make an invalid config
	}
	p := &Porch{
		mock:            mock,
		created:         make(map[string]int),
		createRequests:  make(map[string]int),
		proposed:        make(map[string]int),
		proposeRequests: make(map[string]int),
		intents:         make(map[string]json.RawMessage),
		revisions:       make(map[string]string),
	}
	mux := http.NewServeMux()
	for name, h := range map[string]http.HandlerFunc{routeCreate: p.create, routePropose: p.propose} {
		r, ok := mockbackend.LookupRoute(name)
		if !ok {
			panic("watchertest: the mock has no route " + name)
		}
		mux.HandleFunc(r.Method+" "+r.Pattern, h)
	}
	mux.Handle("/", mock)
	p.Server = httptest.NewUnstartedServer(mux)
	// Aborted requests during shutdown tests are expected; keep logs quiet.
	p.Server.Config.ErrorLog = log.New(io.Discard, "", 0)
	if opts.TLS {
		p.Server.StartTLS()
	} else {
		p.Server.Start()
	}
	return p
}

// Client returns a client that trusts the server. Its idle connections are
// closed by Close.
func (p *Porch) Client() *http.Client { return p.Server.Client() }

// Close shuts the server down, waiting for the requests being served, then
// the mock behind it.
func (p *Porch) Close() {
	p.Server.Close()
	p.mock.Close()
}

// statusWriter calls onStatus with the status code before any of the
// response is written, so the counts are in place before a client can see
// the answer.
type statusWriter struct {
	http.ResponseWriter
	onStatus func(code int, h http.Header)
	written  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.written {
		w.written = true
		w.onStatus(code, w.Header())
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// readBody reads r's body and puts it back for the mock.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

func (p *Porch) create(rw http.ResponseWriter, r *http.Request) {
	var body struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Intent json.RawMessage `json:"intent"`
		} `json:"spec"`
	}
	b, err := readBody(r)
	if err != nil || json.Unmarshal(b, &body) != nil || body.Metadata.Name == "" || len(body.Spec.Intent) == 0 {
		http.Error(rw, `{"error":"want {metadata:{name,namespace},spec:{workspace,intent,revision}}"}`, http.StatusBadRequest)
		return
	}
	name := body.Metadata.Name
	p.mock.ServeHTTP(&statusWriter{ResponseWriter: rw, onStatus: func(code int, h http.Header) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.createRequests[name]++
		if code == http.StatusCreated {
			p.created[name]++
			p.intents[name] = body.Spec.Intent
			// The mock names the new revision in Location.
			p.revisions[path.Base(h.Get("Location"))] = name
		}
	}}, r)
}

func (p *Porch) propose(rw http.ResponseWriter, r *http.Request) {
	var body struct {
		PackageRevision string `json:"packageRevision"`
	}
	b, err := readBody(r)
	if err != nil || json.Unmarshal(b, &body) != nil || body.PackageRevision == "" {
		http.Error(rw, `{"error":"want {packageRevision, namespace}"}`, http.StatusBadRequest)
		return
	}
	p.mock.ServeHTTP(&statusWriter{ResponseWriter: rw, onStatus: func(code int, _ http.Header) {
		p.mu.Lock()
		defer p.mu.Unlock()
		// Counted under the package's name; an unknown revision under the
		// name sent.
		name, known := p.revisions[body.PackageRevision]
		if !known {
			name = body.PackageRevision
		}
		p.proposeRequests[name]++
		if code == http.StatusCreated {
			p.proposed[name]++
		}
	}}, r)
}

// Counts is a snapshot of what the fake saw, keyed by package name.
type Counts struct {
	// Created counts successful creations (201): at most 1 per name for
	// the watcher, which derives the workspace from the content as the
	// name (the mock refuses a second revision of one repository, package
	// and workspace with 409).
	Created map[string]int
	// CreateRequests counts every create request, retries and conflicts
	// included.
	CreateRequests map[string]int
	// Proposed counts successful proposals (201) per package.
	Proposed map[string]int
	// ProposeRequests counts every proposal request per package (unknown
	// revisions under the name sent).
	ProposeRequests map[string]int
	// Intents holds the intent JSON of each created package.
	Intents map[string]json.RawMessage
}

// Counts returns a copy of the counters.
func (p *Porch) Counts() Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Counts{
		Created:         maps.Clone(p.created),
		CreateRequests:  maps.Clone(p.createRequests),
		Proposed:        maps.Clone(p.proposed),
		ProposeRequests: maps.Clone(p.proposeRequests),
		Intents:         maps.Clone(p.intents),
	}
}
