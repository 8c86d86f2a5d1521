package mockbackend

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

const porchK8sPrefix = "/apis/porch.kpt.dev/v1alpha1/namespaces/{ns}/packagerevisions"

func porchK8sRoutes() []routeSpec {
	const one = porchK8sPrefix + "/{name}"
	return []routeSpec{
		served("porch.k8s.list", http.MethodGet, porchK8sPrefix, "list a namespace's PackageRevisions", (*Server).k8sList),
		served("porch.k8s.create", http.MethodPost, porchK8sPrefix, "create a PackageRevision through the Kubernetes-style API (unique name)", (*Server).k8sCreate).
			withLoad(loadShape{
				params: func(string, uint64) pathVals { return vals(loadPorchNS) },
				body: func(run string, n uint64) []byte {
					return loadPorchObjectBody("pr-"+run+"-"+utoa(n), "pkg-"+run+"-"+utoa(n))
				}}),
		served("porch.k8s.get", http.MethodGet, one, "read a PackageRevision through the Kubernetes-style API", (*Server).k8sGet).
			withLoad(loadShape{fixtures: FixturesPorch,
				params: func(_ string, n uint64) pathVals { return vals(loadPorchNS, "read-pr-"+utoa(n%loadPorchRead)) }}),
		served("porch.k8s.put", http.MethodPut, one, "replace a PackageRevision", (*Server).k8sPut),
		served("porch.k8s.patch", http.MethodPatch, one, "merge-patch a PackageRevision", (*Server).k8sPatch),
		served("porch.k8s.delete", http.MethodDelete, one, "delete a PackageRevision", (*Server).k8sDelete),
	}
}

// k8sStatus is the Kubernetes metav1.Status error body; a 400 names the
// field in details.causes.
type k8sStatus struct {
	Kind       string           `json:"kind"`
	APIVersion string           `json:"apiVersion"`
	Metadata   struct{}         `json:"metadata"`
	Status     string           `json:"status"`
	Message    string           `json:"message"`
	Reason     string           `json:"reason,omitempty"`
	Details    *k8sStatusDetail `json:"details,omitempty"`
	Code       int              `json:"code"`
}

type k8sStatusDetail struct {
	Name   string           `json:"name,omitempty"`
	Group  string           `json:"group"`
	Kind   string           `json:"kind"`
	Causes []k8sStatusCause `json:"causes,omitempty"`
}

type k8sStatusCause struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

func writeK8sStatus(w http.ResponseWriter, code int, reason, name, field, msg string) {
	st := k8sStatus{Kind: "Status", APIVersion: "v1", Status: "Failure", Message: msg, Reason: reason, Code: code,
		Details: &k8sStatusDetail{Name: name, Group: "porch.kpt.dev", Kind: "packagerevisions"}}
	if code == http.StatusOK {
		st.Status, st.Message = "Success", ""
	}
	if field != "" {
		st.Details.Causes = []k8sStatusCause{{Reason: "FieldValueInvalid", Message: msg, Field: field}}
	}
	writeJSON(w, code, st)
}

// writeK8sError maps decode and state errors to Status bodies.
func writeK8sError(w http.ResponseWriter, name string, err error) {
	var fe *fieldError
	var ce *conflictError
	switch {
	case errors.As(err, &fe):
		writeK8sStatus(w, http.StatusBadRequest, "BadRequest", name, fe.Field, fe.Field+": "+fe.Msg)
	case errors.As(err, &ce):
		writeK8sStatus(w, http.StatusConflict, "Conflict", name, ce.Field, "Operation cannot be fulfilled on packagerevisions.porch.kpt.dev "+strconv.Quote(name)+": "+ce.Msg)
	default:
		writeK8sStatus(w, http.StatusInternalServerError, "InternalError", name, "", err.Error())
	}
}

func k8sNotFound(w http.ResponseWriter, name string) {
	writeK8sStatus(w, http.StatusNotFound, "NotFound", name, "", "packagerevisions.porch.kpt.dev "+strconv.Quote(name)+" not found")
}

// k8sNamespace validates the {ns} path segment.
func k8sNamespace(w http.ResponseWriter, r *http.Request) (string, bool) {
	ns := r.PathValue("ns")
	if !validLabel(ns) {
		writeK8sStatus(w, http.StatusBadRequest, "BadRequest", "", "metadata.namespace", strconv.Quote(ns)+" is not a valid namespace; valid: "+labelValid)
		return "", false
	}
	return ns, true
}

func (s *Server) k8sList(w http.ResponseWriter, r *http.Request) {
	ns, ok := k8sNamespace(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, struct {
		APIVersion string             `json:"apiVersion"`
		Kind       string             `json:"kind"`
		Metadata   map[string]string  `json:"metadata"`
		Items      []*packageRevision `json:"items"`
	}{porchAPIVersion, "PackageRevisionList", map[string]string{"resourceVersion": strconv.FormatInt(s.porch.seq.Load(), 10)}, s.porch.k8s.values(ns)})
}

// k8sCreate creates a Draft revision; the name defaults to
// "<repo>.<package>.<workspace>", or generateName plus a counter.
func (s *Server) k8sCreate(w http.ResponseWriter, r *http.Request) {
	ns, ok := k8sNamespace(w, r)
	if !ok {
		return
	}
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodePorchObject(b)
	if err != nil {
		writeK8sError(w, "", err)
		return
	}
	if req.Metadata.Namespace != "" && req.Metadata.Namespace != ns {
		writeK8sStatus(w, http.StatusBadRequest, "BadRequest", req.Metadata.Name, "metadata.namespace",
			"the namespace of the object ("+req.Metadata.Namespace+") does not match the namespace on the request ("+ns+")")
		return
	}
	if req.Spec.Lifecycle != "" && req.Spec.Lifecycle != LifecycleDraft {
		writeK8sStatus(w, http.StatusBadRequest, "BadRequest", req.Metadata.Name, "spec.lifecycle", "a new revision must be Draft, got "+req.Spec.Lifecycle)
		return
	}
	name := req.Metadata.Name
	if name == "" && req.Metadata.GenerateName != "" {
		name = req.Metadata.GenerateName + strconv.FormatInt(s.porch.seq.Add(1), 10)
	}
	pr := s.porch.newRevision(ns, name, req.Spec.Repository, req.Spec.PackageName, req.Spec.WorkspaceName, req.Spec.Revision, req.Spec.Intent)
	pr.Metadata.Labels = req.Metadata.Labels
	switch err := s.porch.k8s.create(ns, pr.Metadata.Name, pr); err {
	case nil:
		writeJSON(w, http.StatusCreated, pr)
	case errExists:
		writeK8sStatus(w, http.StatusConflict, "AlreadyExists", pr.Metadata.Name, "",
			"packagerevisions.porch.kpt.dev "+strconv.Quote(pr.Metadata.Name)+" already exists")
	default:
		writeK8sStatus(w, http.StatusInsufficientStorage, "InternalError", pr.Metadata.Name, "", "package revision store is full (max_objects reached, store_full: reject)")
	}
}

func (s *Server) k8sGet(w http.ResponseWriter, r *http.Request) {
	ns, ok := k8sNamespace(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	pr, ok := s.porch.k8s.get(ns, name)
	if !ok {
		k8sNotFound(w, name)
		return
	}
	writeJSON(w, http.StatusOK, pr)
}

// k8sModify applies a patch atomically and answers 200, 400, 404 or 409.
func (s *Server) k8sModify(w http.ResponseWriter, ns, name string, pt porchPatch) {
	pr, found, err := s.porch.k8s.update(ns, name, func(pr *packageRevision) (*packageRevision, error) {
		return s.porch.applyPatch(pr, pt)
	})
	switch {
	case !found:
		k8sNotFound(w, name)
	case err != nil:
		writeK8sError(w, name, err)
	default:
		writeJSON(w, http.StatusOK, pr)
	}
}

// k8sPut updates a revision; a stale metadata.resourceVersion is 409, as
// with the Kubernetes API's optimistic concurrency.
func (s *Server) k8sPut(w http.ResponseWriter, r *http.Request) {
	ns, ok := k8sNamespace(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodePorchObject(b)
	if err != nil {
		writeK8sError(w, name, err)
		return
	}
	if req.Metadata.Name != "" && req.Metadata.Name != name {
		writeK8sStatus(w, http.StatusBadRequest, "BadRequest", name, "metadata.name", "the name of the object ("+req.Metadata.Name+") does not match the name on the URL ("+name+")")
		return
	}
	s.k8sModify(w, ns, name, objectAsPatch(req))
}

// k8sPatch applies a JSON merge patch.
func (s *Server) k8sPatch(w http.ResponseWriter, r *http.Request) {
	ns, ok := k8sNamespace(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	pt, err := decodePorchPatch(b)
	if err != nil {
		writeK8sError(w, name, err)
		return
	}
	s.k8sModify(w, ns, name, pt)
}

func (s *Server) k8sDelete(w http.ResponseWriter, r *http.Request) {
	ns, ok := k8sNamespace(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	if !s.porch.k8s.delete(ns, name) {
		k8sNotFound(w, name)
		return
	}
	b, _ := json.Marshal(k8sStatus{Kind: "Status", APIVersion: "v1", Status: "Success", Code: http.StatusOK,
		Details: &k8sStatusDetail{Name: name, Group: "porch.kpt.dev", Kind: "packagerevisions"}})
	writeRawJSON(w, http.StatusOK, b)
}
