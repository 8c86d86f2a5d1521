package mockbackend

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Porch lifecycle states, as porch.kpt.dev/v1alpha1 spells them.
const (
	LifecycleDraft     = "Draft"
	LifecycleProposed  = "Proposed"
	LifecyclePublished = "Published"
)

const (
	porchGroup           = "porch.kpt.dev"
	porchVersion         = "v1alpha1"
	porchAPIVersion      = porchGroup + "/" + porchVersion
	porchKind            = "PackageRevision"
	porchResource        = "packagerevisions"
	porchDefaultNS       = "default"
	porchDefaultWS       = "v1"
	porchGeneratedPrefix = "pkg-"
	porchMaxResources    = 256 // files per revision; only their digests are kept
)

// porchState holds package revisions. The REST scheme (/api/v1) and the
// Kubernetes-style scheme (/apis/porch.kpt.dev) model two deployments and
// keep separate stores: REST names are global, Kubernetes names namespaced.
type porchState struct {
	rest *store[*packageRevision] // parent "", id = name; indexed by repo and package
	k8s  *k8sObjects              // parent = namespace, id = name; with watch history
	seq  atomic.Int64             // generated names, uids, resourceVersions
}

// packageRevision is the stored and served PackageRevision object. Stored
// values are never mutated; updates store a modified copy.
type packageRevision struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   objectMeta     `json:"metadata"`
	Spec       packageRevSpec `json:"spec"`
	Status     packageRevStat `json:"status"`
	seq        int64          // creation order, to find a package's latest revision
}

type objectMeta struct {
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace"`
	UID               string            `json:"uid,omitempty"`
	ResourceVersion   string            `json:"resourceVersion,omitempty"`
	CreationTimestamp string            `json:"creationTimestamp,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	Annotations       map[string]string `json:"annotations,omitempty"`
}

type packageRevSpec struct {
	PackageName   string          `json:"packageName"`
	Repository    string          `json:"repository"`
	WorkspaceName string          `json:"workspaceName"`
	Revision      string          `json:"revision,omitempty"`
	Lifecycle     string          `json:"lifecycle"`
	Intent        json.RawMessage `json:"intent,omitempty"`
}

type packageRevStat struct {
	PublishedAt string         `json:"publishTimestamp,omitempty"`
	Resources   []resourceInfo `json:"resources,omitempty"`
}

// resourceInfo records a file pushed to a revision: its digest, not its
// content, so the store's memory stays bounded by object count.
type resourceInfo struct {
	Path   string `json:"path"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

func (s *Server) newPorchState() *porchState {
	evict := s.cfg.StoreFull == StoreEvict
	p := &porchState{
		rest: newStore[*packageRevision](s.cfg.MaxObjects, s.cfg.MaxStoreBytes, evict).withIndex(func(pr *packageRevision) []string {
			return []string{"repo:" + pr.Spec.Repository, "pkg:" + pr.Spec.Repository + "/" + pr.Spec.PackageName}
		}),
	}
	p.k8s = newK8sObjects(newStore[*packageRevision](s.cfg.MaxObjects, s.cfg.MaxStoreBytes, evict), &p.seq, s.cfg.WatchHistory)
	return p
}

// newRevision builds a Draft revision; name defaults to Porch's
// "<repo>.<package>.<workspace>".
func (p *porchState) newRevision(ns, name, repo, pkg, ws, revision string, intent json.RawMessage) *packageRevision {
	seq := p.seq.Add(1)
	if ws == "" {
		ws = porchDefaultWS
	}
	if name == "" {
		name = repo + "." + pkg + "." + ws
	}
	return &packageRevision{
		APIVersion: porchAPIVersion,
		Kind:       porchKind,
		Metadata: objectMeta{
			Name:              name,
			Namespace:         ns,
			UID:               "mock-" + strconv.FormatInt(seq, 10),
			ResourceVersion:   strconv.FormatInt(seq, 10),
			CreationTimestamp: time.Now().UTC().Format(time.RFC3339),
		},
		Spec: packageRevSpec{PackageName: pkg, Repository: repo, WorkspaceName: ws, Revision: revision, Lifecycle: LifecycleDraft, Intent: intent},
		seq:  seq,
	}
}

// bump returns a copy of pr with a new resourceVersion, for an update.
func (p *porchState) bump(pr *packageRevision) *packageRevision {
	c := *pr
	c.Metadata.ResourceVersion = strconv.FormatInt(p.seq.Add(1), 10)
	return &c
}

// parseLifecycle accepts Porch's states and the REST client's spellings
// (DRAFT, REVIEW, PUBLISHED), case-insensitively.
func parseLifecycle(v string) (string, bool) {
	switch strings.ToLower(v) {
	case "draft":
		return LifecycleDraft, true
	case "proposed", "review":
		return LifecycleProposed, true
	case "published":
		return LifecyclePublished, true
	}
	return "", false
}

const lifecycleValid = "Draft, Proposed (or REVIEW), Published"

// conflictError is a request that is valid but not in the object's state: 409.
type conflictError struct {
	Field string
	Msg   string
}

func (e *conflictError) Error() string { return e.Field + ": " + e.Msg }

// transition checks a lifecycle move: Draft → Proposed → Published, and back
// from Proposed to Draft (a rejected proposal). Published is final.
func transition(from, to string) error {
	if from == to {
		return nil
	}
	ok := from == LifecycleDraft && to == LifecycleProposed ||
		from == LifecycleProposed && (to == LifecycleDraft || to == LifecyclePublished)
	if ok {
		return nil
	}
	msg := "cannot move from " + from + " to " + to
	switch {
	case from == LifecyclePublished:
		msg += ": published revisions are immutable"
	case to == LifecyclePublished:
		msg += ": propose it first (Draft → Proposed → Published)"
	}
	return &conflictError{Field: "spec.lifecycle", Msg: msg}
}

// applyLifecycle returns a copy of pr moved to lifecycle to.
func (p *porchState) applyLifecycle(pr *packageRevision, to string) (*packageRevision, error) {
	if err := transition(pr.Spec.Lifecycle, to); err != nil {
		return nil, err
	}
	if pr.Spec.Lifecycle == to {
		return pr, nil
	}
	c := p.bump(pr)
	c.Spec.Lifecycle = to
	if to == LifecyclePublished {
		c.Status.PublishedAt = time.Now().UTC().Format(time.RFC3339)
		if c.Spec.Revision == "" {
			c.Spec.Revision = "v1"
		}
	}
	return c, nil
}

// porchPatch is a JSON merge patch of a PackageRevision (REST PATCH and
// Kubernetes PATCH): absent fields are left alone.
type porchPatch struct {
	Metadata *porchPatchMeta `json:"metadata"`
	Spec     *porchPatchSpec `json:"spec"`
}

type porchPatchMeta struct {
	Labels          map[string]*string `json:"labels"`
	Annotations     map[string]*string `json:"annotations"`
	ResourceVersion string             `json:"resourceVersion"`
	// replace makes labels and annotations replace the object's (an update)
	// instead of merging into them (a merge patch, where null deletes a key).
	replace bool
}

type porchPatchSpec struct {
	Lifecycle     *string         `json:"lifecycle"`
	Revision      *string         `json:"revision"`
	Intent        json.RawMessage `json:"intent"`
	PackageName   *string         `json:"packageName"`
	Repository    *string         `json:"repository"`
	WorkspaceName *string         `json:"workspaceName"`
}

// decodePorchPatch decodes and validates a merge patch.
func decodePorchPatch(b []byte) (porchPatch, error) {
	var p porchPatch
	if err := decodeObject(b, &p); err != nil {
		return p, err
	}
	if p.Spec != nil && p.Spec.Lifecycle != nil {
		lc, ok := parseLifecycle(*p.Spec.Lifecycle)
		if !ok {
			return p, badField("spec.lifecycle", "%q is invalid; valid: %s", *p.Spec.Lifecycle, lifecycleValid)
		}
		p.Spec.Lifecycle = &lc
	}
	return p, nil
}

// applyPatch returns a patched copy of pr, or a *fieldError (400) or
// *conflictError (409).
func (p *porchState) applyPatch(pr *packageRevision, pt porchPatch) (*packageRevision, error) {
	if pt.Metadata != nil && pt.Metadata.ResourceVersion != "" && pt.Metadata.ResourceVersion != pr.Metadata.ResourceVersion {
		return nil, &conflictError{Field: "metadata.resourceVersion", Msg: "the object has been modified (now " + pr.Metadata.ResourceVersion + "); re-read it and retry"}
	}
	c := p.bump(pr)
	if m := pt.Metadata; m != nil {
		c.Metadata.Labels = mergeStrings(c.Metadata.Labels, m.Labels, m.replace)
		c.Metadata.Annotations = mergeStrings(c.Metadata.Annotations, m.Annotations, m.replace)
	}
	if sp := pt.Spec; sp != nil {
		for _, f := range []struct {
			name      string
			give, now string
			set       bool
		}{
			{"spec.packageName", deref(sp.PackageName), pr.Spec.PackageName, sp.PackageName != nil},
			{"spec.repository", deref(sp.Repository), pr.Spec.Repository, sp.Repository != nil},
			{"spec.workspaceName", deref(sp.WorkspaceName), pr.Spec.WorkspaceName, sp.WorkspaceName != nil},
		} {
			if f.set && f.give != f.now {
				return nil, badField(f.name, "is immutable (is %q, patch asks %q)", f.now, f.give)
			}
		}
		changesContent := sp.Revision != nil && *sp.Revision != pr.Spec.Revision || len(sp.Intent) > 0
		if changesContent && pr.Spec.Lifecycle == LifecyclePublished {
			return nil, &conflictError{Field: "spec", Msg: "published revisions are immutable"}
		}
		if sp.Revision != nil {
			c.Spec.Revision = *sp.Revision
		}
		if len(sp.Intent) > 0 {
			c.Spec.Intent = sp.Intent
		}
		if sp.Lifecycle != nil {
			moved, err := p.applyLifecycle(c, *sp.Lifecycle)
			if err != nil {
				return nil, err
			}
			c = moved
		}
	}
	return c, nil
}

// mergeStrings applies a JSON merge patch to a string map (a nil value
// deletes its key), or replaces the map when replace is set. The old map is
// never modified.
func mergeStrings(old map[string]string, patch map[string]*string, replace bool) map[string]string {
	if patch == nil && !replace {
		return old
	}
	out := make(map[string]string, len(old)+len(patch))
	if !replace {
		for k, v := range old {
			out[k] = v
		}
	}
	for k, v := range patch {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// porchResourceRequest is the body of a resource push.
type porchResourceRequest struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

func decodePorchResource(b []byte) (porchResourceRequest, error) {
	var req porchResourceRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if req.Path == "" {
		return req, badField("path", "is required")
	}
	if strings.HasPrefix(req.Path, "/") || strings.Contains(req.Path, "..") {
		return req, badField("path", "%q must be relative and stay inside the package", req.Path)
	}
	return req, nil
}

// addResource returns a copy of pr with the file recorded; created reports a
// new path.
func (p *porchState) addResource(pr *packageRevision, req porchResourceRequest) (*packageRevision, bool, error) {
	if pr.Spec.Lifecycle == LifecyclePublished {
		return nil, false, &conflictError{Field: "spec.lifecycle", Msg: "published revisions are immutable"}
	}
	sum := sha256.Sum256([]byte(req.Content))
	info := resourceInfo{Path: req.Path, Size: len(req.Content), SHA256: hex.EncodeToString(sum[:])}
	c := p.bump(pr)
	c.Status.Resources = make([]resourceInfo, 0, len(pr.Status.Resources)+1)
	created := true
	for _, r := range pr.Status.Resources {
		if r.Path == req.Path {
			r, created = info, false
		}
		c.Status.Resources = append(c.Status.Resources, r)
	}
	if created {
		if len(pr.Status.Resources) >= porchMaxResources {
			return nil, false, badField("path", "revision already holds %d files, the mock's limit", porchMaxResources)
		}
		c.Status.Resources = append(c.Status.Resources, info)
	}
	return c, created, nil
}

// validName accepts Kubernetes-like object names (lower-case DNS subdomain).
func validName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// validLabel accepts a DNS label (no dots): repository, package and
// workspace names, which Porch joins with dots into revision names.
func validLabel(s string) bool {
	return len(s) <= 63 && validName(s) && !strings.Contains(s, ".")
}

const nameValid = "1-253 chars of a-z, 0-9, '-', '.'"
const labelValid = "1-63 chars of a-z, 0-9, '-'"

// writePorchError maps a decode/state error to 400 or 409.
func writePorchError(w http.ResponseWriter, err error) {
	if ce, ok := err.(*conflictError); ok {
		writeError(w, http.StatusConflict, ce.Field, ce.Msg)
		return
	}
	if isStoreFull(err) {
		writeStoreFull(w, "package revision", err)
		return
	}
	writeFieldError(w, err)
}
