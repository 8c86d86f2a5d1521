package mockbackend

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Porch lifecycle states, as porch.kpt.dev/v1alpha1 spells them.
const (
	LifecycleDraft     = "Draft"
	LifecycleProposed  = "Proposed"
	LifecyclePublished = "Published"

	porchAPIVersion    = "porch.kpt.dev/v1alpha1"
	porchKind          = "PackageRevision"
	porchDefaultNS     = "default"
	porchDefaultWS     = "v1"
	porchGeneratedName = "pkg-"
)

// porchState holds package revisions keyed by namespace and name.
type porchState struct {
	revisions *store[*packageRevision]
	seq       atomic.Int64 // generated names and resourceVersions
}

// packageRevision is the stored and served PackageRevision object.
type packageRevision struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   objectMeta     `json:"metadata"`
	Spec       packageRevSpec `json:"spec"`
	Status     packageRevStat `json:"status"`
}

type objectMeta struct {
	Name              string `json:"name"`
	Namespace         string `json:"namespace"`
	UID               string `json:"uid,omitempty"`
	ResourceVersion   string `json:"resourceVersion,omitempty"`
	CreationTimestamp string `json:"creationTimestamp,omitempty"`
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
	PublishedAt string `json:"publishTimestamp,omitempty"`
}

// porchCreateRequest is the body of the REST create-package call.
type porchCreateRequest struct {
	Metadata struct {
		Name         string `json:"name"`
		Namespace    string `json:"namespace"`
		GenerateName string `json:"generateName"`
	} `json:"metadata"`
	Spec struct {
		Workspace string          `json:"workspace"`
		Intent    json.RawMessage `json:"intent"`
		Revision  string          `json:"revision"`
	} `json:"spec"`
}

// decodePorchCreate decodes and validates a REST create-package body.
func decodePorchCreate(b []byte) (porchCreateRequest, error) {
	var req porchCreateRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if req.Metadata.Name != "" && !validName(req.Metadata.Name) {
		return req, badField("metadata.name", "%q is not a valid name; valid: 1-253 chars of a-z, 0-9, '-', '.'", req.Metadata.Name)
	}
	if req.Metadata.Namespace != "" && !validName(req.Metadata.Namespace) {
		return req, badField("metadata.namespace", "%q is not a valid namespace; valid: 1-253 chars of a-z, 0-9, '-', '.'", req.Metadata.Namespace)
	}
	if req.Spec.Workspace != "" && !validName(req.Spec.Workspace) {
		return req, badField("spec.workspace", "%q is not a valid workspace; valid: 1-253 chars of a-z, 0-9, '-', '.'", req.Spec.Workspace)
	}
	return req, nil
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

func (s *Server) registerPorch() {
	s.porch = &porchState{revisions: newStore[*packageRevision](s.cfg.MaxObjects, s.cfg.StoreFull == StoreEvict)}
	s.handle("porch.package.create", s.porchCreatePackage, "POST /api/v1/repositories/{repo}/packages")
}

// porchCreatePackage creates a Draft PackageRevision named
// "<repo>.<package>.<workspace>" as Porch does. An empty metadata.name is
// generated (generateName as prefix, if given), so load generators can send a
// fixed body without running into 409.
func (s *Server) porchCreatePackage(w http.ResponseWriter, r *http.Request) {
	repo := r.PathValue("repo")
	if !validName(repo) {
		writeError(w, http.StatusBadRequest, "repo", strconv.Quote(repo)+" is not a valid repository name; valid: a-z, 0-9, '-', '.'")
		return
	}
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodePorchCreate(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	seq := s.porch.seq.Add(1)
	pkg := req.Metadata.Name
	if pkg == "" {
		prefix := req.Metadata.GenerateName
		if prefix == "" {
			prefix = porchGeneratedName
		}
		pkg = prefix + strconv.FormatInt(seq, 10)
	}
	ns := req.Metadata.Namespace
	if ns == "" {
		ns = porchDefaultNS
	}
	ws := req.Spec.Workspace
	if ws == "" {
		ws = porchDefaultWS
	}
	pr := &packageRevision{
		APIVersion: porchAPIVersion,
		Kind:       porchKind,
		Metadata: objectMeta{
			Name:              repo + "." + pkg + "." + ws,
			Namespace:         ns,
			UID:               "mock-" + strconv.FormatInt(seq, 10),
			ResourceVersion:   strconv.FormatInt(seq, 10),
			CreationTimestamp: time.Now().UTC().Format(time.RFC3339),
		},
		Spec: packageRevSpec{
			PackageName:   pkg,
			Repository:    repo,
			WorkspaceName: ws,
			Revision:      req.Spec.Revision,
			Lifecycle:     LifecycleDraft,
			Intent:        req.Spec.Intent,
		},
	}
	switch err := s.porch.revisions.create(ns, pr.Metadata.Name, pr); err {
	case nil:
	case errExists:
		writeError(w, http.StatusConflict, "metadata.name", "package revision "+strconv.Quote(pr.Metadata.Name)+" already exists in namespace "+strconv.Quote(ns))
		return
	default:
		writeStoreFull(w, "package revision")
		return
	}
	w.Header().Set("Location", "/api/v1/packagerevisions/"+pr.Metadata.Name)
	writeJSON(w, http.StatusCreated, pr)
}
