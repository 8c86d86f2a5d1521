// Package watchertest provides a fake Porch REST API on a loopback httptest
// server that counts what the intent watcher submits, so tests can prove that
// each valid intent reached Porch exactly once.
package watchertest

import (
	"encoding/json"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
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

// Porch is a fake of the Porch routes the watcher uses, answering as the
// project's mock backend does:
//
//   - POST /api/v1/repositories/{repo}/packages: 201 with a revision named
//     {repo}.{package}.{workspace}; 409 if the package exists.
//   - GET /api/v1/repositories/{repo}/packages/{pkg}: 200 with the revision.
//   - POST /api/v1/proposals {packageRevision}: 201; 404 for an unknown
//     revision; 409 if already proposed.
//
// Counts are keyed by package name (metadata.name of the create request).
type Porch struct {
	*httptest.Server
	opts Options

	mu              sync.Mutex
	failuresLeft    int
	created         map[string]int
	createRequests  map[string]int
	proposed        map[string]int
	proposeRequests map[string]int
	intents         map[string]json.RawMessage
	revisions       map[string]string // revision name → package name
	revisionOf      map[string]string // package name → revision name
}

// NewPorch starts a fake Porch on 127.0.0.1. Close it when done.
func NewPorch(opts Options) *Porch {
	p := &Porch{
		opts:            opts,
		failuresLeft:    opts.FailCreates,
		created:         make(map[string]int),
		createRequests:  make(map[string]int),
		proposed:        make(map[string]int),
		proposeRequests: make(map[string]int),
		intents:         make(map[string]json.RawMessage),
		revisions:       make(map[string]string),
		revisionOf:      make(map[string]string),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/repositories/{repo}/packages", p.create)
	mux.HandleFunc("GET /api/v1/repositories/{repo}/packages/{pkg}", p.lookup)
	mux.HandleFunc("POST /api/v1/proposals", p.propose)
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

func (p *Porch) delay(r *http.Request) bool {
	if p.opts.Latency <= 0 {
		return true
	}
	t := time.NewTimer(p.opts.Latency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (p *Porch) create(rw http.ResponseWriter, r *http.Request) {
	var body struct {
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Spec struct {
			Workspace string          `json:"workspace"`
			Intent    json.RawMessage `json:"intent"`
			Revision  string          `json:"revision"`
		} `json:"spec"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Metadata.Name == "" || len(body.Spec.Intent) == 0 {
		http.Error(rw, `{"error":"want {metadata:{name,namespace},spec:{workspace,intent,revision}}"}`, http.StatusBadRequest)
		return
	}
	if !p.delay(r) {
		return
	}
	name := body.Metadata.Name
	rev := r.PathValue("repo") + "." + name + "." + body.Spec.Workspace
	p.mu.Lock()
	p.createRequests[name]++
	code := http.StatusCreated
	switch {
	case p.failuresLeft > 0:
		p.failuresLeft--
		code = http.StatusServiceUnavailable
	case p.created[name] > 0:
		code = http.StatusConflict
	default:
		p.created[name]++
		p.intents[name] = body.Spec.Intent
		p.revisions[rev] = name
		p.revisionOf[name] = rev
	}
	p.mu.Unlock()
	if code != http.StatusCreated {
		writeJSON(rw, code, map[string]string{"error": http.StatusText(code)})
		return
	}
	writeJSON(rw, code, revision(rev, name, body.Metadata.Namespace, "Draft"))
}

func revision(rev, pkg, ns, lifecycle string) map[string]any {
	return map[string]any{
		"metadata": map[string]string{"name": rev, "namespace": ns},
		"spec":     map[string]string{"packageName": pkg, "lifecycle": lifecycle},
	}
}

func (p *Porch) lookup(rw http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	rev, ok := p.revisionOf[r.PathValue("pkg")]
	p.mu.Unlock()
	if !ok {
		writeJSON(rw, http.StatusNotFound, map[string]string{"error": "no such package"})
		return
	}
	writeJSON(rw, http.StatusOK, revision(rev, r.PathValue("pkg"), "default", "Draft"))
}

func (p *Porch) propose(rw http.ResponseWriter, r *http.Request) {
	var body struct {
		PackageRevision string `json:"packageRevision"`
		Namespace       string `json:"namespace"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.PackageRevision == "" {
		http.Error(rw, `{"error":"want {packageRevision, namespace}"}`, http.StatusBadRequest)
		return
	}
	if !p.delay(r) {
		return
	}
	p.mu.Lock()
	name, known := p.revisions[body.PackageRevision]
	if !known {
		name = body.PackageRevision
	}
	p.proposeRequests[name]++
	code := http.StatusCreated
	switch {
	case !known:
		code = http.StatusNotFound
	case p.proposed[name] > 0:
		code = http.StatusConflict
	default:
		p.proposed[name]++
	}
	p.mu.Unlock()
	writeJSON(rw, code, map[string]string{"packageRevision": body.PackageRevision, "lifecycle": "Proposed"})
}

func writeJSON(rw http.ResponseWriter, code int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	_ = json.NewEncoder(rw).Encode(v)
}

// Counts is a snapshot of what the fake saw, keyed by package name.
type Counts struct {
	// Created counts successful creations (201): at most 1 per name.
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
