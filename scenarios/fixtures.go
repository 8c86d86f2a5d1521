package scenarios

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/reports/results"
	"github.com/oranbench/oranbench/scenarios/scenario"
	"github.com/oranbench/oranbench/targets/transport"
)

// RunLabel is the label key of every object a run creates on an external
// backend; its value is the run's id. Clean-up lists by it and deletes what
// it finds, so what a crashed run left behind can be found the same way:
//
//	kubectl get packagerevisions -A -l oranbench.io/run
const RunLabel = "oranbench.io/run"

// Kubernetes API paths of porch.kpt.dev PackageRevisions.
const (
	porchAPI       = "/apis/porch.kpt.dev/v1alpha1"
	porchRevisions = "packagerevisions"
)

// cleanupTimeout bounds the clean-up at the end of a run, which runs on a
// context of its own: after SIGINT the run's is cancelled. What it leaves
// is counted and reported with the command that deletes it.
const cleanupTimeout = 2 * time.Minute

// fixtureRequests returns the requests that create a fixture set, by stage,
// with paths relative to the backend's URL. With kubeOnly (an external
// backend) it keeps only the Kubernetes API's requests, their objects
// labelled with label; the other sets' paths exist only on the mock.
func fixtureRequests(set string, kubeOnly bool, label string) [][]vegeta.Target {
	var out [][]vegeta.Target
	for _, stage := range mockbackend.Fixtures(set) {
		var ts []vegeta.Target
		for _, r := range stage {
			if kubeOnly && !strings.HasPrefix(r.Path, scenario.KubeAPIPrefix) {
				continue
			}
			t := vegeta.Target{Method: r.Method, URL: r.Path, Body: r.Body}
			if label != "" {
				t.Body, _ = withRunLabel(r.Body, label)
			}
			if r.Body != nil {
				t.Header = jsonHeader
			}
			ts = append(ts, t)
		}
		if len(ts) > 0 {
			out = append(out, ts)
		}
	}
	return out
}

// newRunID is a run's label value: random, so two runs against one server
// (shards, or a retry after a crash) never delete each other's objects.
func newRunID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "r" + hex.EncodeToString(b[:])
}

// metadataKey is where a Kubernetes object's metadata starts in the
// catalog's bodies and most hand-written ones.
var metadataKey = []byte(`"metadata":{`)

// withRunLabel returns a Kubernetes object's JSON body with the run's label
// added to its metadata, and whether it could: a body without a metadata
// object, or with labels of its own, is returned as it is. It edits bytes
// rather than decoding, since the mix's creates pass here on the hot path.
func withRunLabel(body []byte, label string) ([]byte, bool) {
	i := bytes.Index(body, metadataKey)
	if i < 0 || bytes.Contains(body, []byte(`"labels"`)) {
		return body, false
	}
	at := i + len(metadataKey)
	ins := `"labels":{"` + RunLabel + `":"` + label + `"}`
	if rest := bytes.TrimLeft(body[at:], " \t\r\n"); len(rest) > 0 && rest[0] != '}' {
		ins += ","
	}
	out := make([]byte, 0, len(body)+len(ins))
	out = append(append(append(out, body[:at]...), ins...), body[at:]...)
	return out, true
}

// isKubeCreate reports whether a request creates a PackageRevision through
// the Kubernetes API: a POST to a namespace's packagerevisions.
func isKubeCreate(method, path string) bool {
	return method == http.MethodPost && strings.HasPrefix(path, porchAPI+"/namespaces/") && strings.HasSuffix(path, "/"+porchRevisions)
}

// unlabelledWrites names the mix's entries that create or replace objects
// on an external backend that the run cannot label, so clean-up cannot
// find them: writes outside the Kubernetes API, and hand-written requests.
func unlabelledWrites(mix []scenario.MixEntry) []string {
	var out []string
	writes := func(method, path string) bool {
		return (method == http.MethodPost || method == http.MethodPut) && !isKubeCreate(method, path)
	}
	for _, e := range mix {
		switch {
		case e.Route != "":
			if r, ok := scenario.LookupRoute(e.Route); ok && writes(r.Method, r.Path("", 0)) {
				out = append(out, "route "+e.Route)
			}
		case e.Flow != "":
			if f, ok := scenario.LookupFlow(e.Flow); ok {
				for _, st := range f.Steps {
					if writes(st.Method, st.Path("x")) {
						out = append(out, "flow "+e.Flow)
						break
					}
				}
			}
		case e.Request != nil:
			m := strings.ToUpper(e.Request.Method)
			if m == http.MethodPost || m == http.MethodPut {
				out = append(out, m+" "+e.Request.Path)
			}
		}
	}
	return out
}

// fixtures is one run's objects on an external backend: it creates the
// mix's fixtures through the Kubernetes API, labelled with the run's id,
// and at the end deletes everything that carries the label.
type fixtures struct {
	be      *backend
	runID   string
	client  *http.Client
	tr      *http.Transport
	created atomic.Int64
	rec     results.Fixtures
}

func newFixtures(be *backend, mode string) *fixtures {
	tr := transport.DefaultTransport(be.tls)
	return &fixtures{be: be, runID: be.runID, tr: tr,
		client: &http.Client{Transport: be.wrap(tr), Timeout: prepareAttemptTimeout},
		rec:    results.Fixtures{Mode: mode, Label: RunLabel + "=" + be.runID}}
}

// close releases the client's connections.
func (f *fixtures) close() { f.tr.CloseIdleConnections() }

// create creates the Kubernetes API's part of the mix's fixture sets.
func (f *fixtures) create(ctx context.Context, mix []scenario.MixEntry) error {
	for _, k := range scenario.FixtureSets(mix) {
		for _, stage := range fixtureRequests(k, true, f.runID) {
			if err := prepareStage(ctx, f.client, f.be.url, stage, &f.created); err != nil {
				return err
			}
		}
	}
	return nil
}

// objectRef is a listed object's namespace, name and lifecycle.
type objectRef struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		Lifecycle string `json:"lifecycle"`
	} `json:"spec"`
}

// list returns the objects that carry the run's label, page by page.
func (f *fixtures) list(ctx context.Context) ([]objectRef, error) {
	var out []objectRef
	cont := ""
	for range 1000 {
		q := url.Values{"labelSelector": {RunLabel + "=" + f.runID}, "limit": {"500"}}
		if cont != "" {
			q.Set("continue", cont)
		}
		var page struct {
			Metadata struct {
				Continue string `json:"continue"`
			} `json:"metadata"`
			Items []objectRef `json:"items"`
		}
		if err := f.do(ctx, http.MethodGet, porchAPI+"/"+porchRevisions+"?"+q.Encode(), nil, &page); err != nil {
			return out, err
		}
		out = append(out, page.Items...)
		if cont = page.Metadata.Continue; cont == "" {
			return out, nil
		}
	}
	return out, fmt.Errorf("list %s: more than 1000 pages", RunLabel)
}

// cleanup deletes every object with the run's label and counts what it
// deleted and what is still there. It runs on a context of its own,
// bounded by cleanupTimeout, so a cancelled run still cleans up.
func (f *fixtures) cleanup() results.Fixtures {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	rec := f.rec
	rec.Created = int(f.created.Load())
	objs, err := f.list(ctx)
	var errs []string
	if err != nil {
		errs = append(errs, err.Error())
	}
	// A few deletes at a time: a load's creates can number thousands.
	const workers = 8
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(objs); i += workers {
				err := f.delete(ctx, objs[i])
				mu.Lock()
				if err != nil {
					errs = append(errs, err.Error())
				} else {
					rec.Deleted++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	left, err := f.list(ctx)
	switch {
	case err != nil:
		errs = append(errs, err.Error())
		rec.Leftover = len(objs) - rec.Deleted
	default:
		rec.Leftover = len(left)
	}
	if len(errs) > 0 {
		rec.Error = errs[0]
		if len(errs) > 1 {
			rec.Error += fmt.Sprintf(" (and %d more errors)", len(errs)-1)
		}
	}
	return rec
}

// delete removes one object. Porch keeps a published revision until its
// deletion is proposed: refused, it proposes the deletion and tries again.
func (f *fixtures) delete(ctx context.Context, o objectRef) error {
	path := fmt.Sprintf("%s/namespaces/%s/%s/%s", porchAPI, url.PathEscape(o.Metadata.Namespace), porchRevisions, url.PathEscape(o.Metadata.Name))
	err := f.do(ctx, http.MethodDelete, path, nil, nil)
	var se *statusError
	if err == nil || (asStatus(err, &se) && se.code == http.StatusNotFound) {
		return nil
	}
	if o.Spec.Lifecycle != "Published" {
		return err
	}
	if perr := f.do(ctx, http.MethodPatch, path, []byte(`{"spec":{"lifecycle":"DeletionProposed"}}`), nil); perr != nil {
		return err
	}
	return f.do(ctx, http.MethodDelete, path, nil, nil)
}

// statusError is a response other than 2xx.
type statusError struct {
	method, path string
	code         int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("clean-up: %s %s: status %d", e.method, e.path, e.code)
}

func asStatus(err error, se **statusError) bool {
	s, ok := err.(*statusError)
	if ok {
		*se = s
	}
	return ok
}

// do sends one clean-up request and decodes a 2xx answer into out (when
// not nil).
func (f *fixtures) do(ctx context.Context, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, f.be.url+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/merge-patch+json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("clean-up: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, resp.Body)
		return &statusError{method: method, path: path, code: resp.StatusCode}
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("clean-up: %s %s: %w", method, path, err)
	}
	return nil
}

// mixKubeCreates reports whether the mix creates PackageRevisions through
// the Kubernetes API (a route, a flow step or a hand-written request):
// the run labels those and deletes them at its end.
func mixKubeCreates(mix []scenario.MixEntry) bool {
	for _, e := range mix {
		switch {
		case e.Route != "":
			if r, ok := scenario.LookupRoute(e.Route); ok && isKubeCreate(r.Method, r.Path("", 0)) {
				return true
			}
		case e.Flow != "":
			if f, ok := scenario.LookupFlow(e.Flow); ok {
				for _, st := range f.Steps {
					if isKubeCreate(st.Method, st.Path("x")) {
						return true
					}
				}
			}
		case e.Request != nil:
			if isKubeCreate(strings.ToUpper(e.Request.Method), e.Request.Path) {
				return true
			}
		}
	}
	return false
}
