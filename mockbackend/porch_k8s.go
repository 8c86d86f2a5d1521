package mockbackend

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	porchK8sPrefix = "/apis/porch.kpt.dev/v1alpha1/namespaces/{ns}/packagerevisions"
	porchK8sAll    = "/apis/porch.kpt.dev/v1alpha1/packagerevisions"
)

func porchK8sRoutes() []routeSpec {
	const one = porchK8sPrefix + "/{name}"
	return []routeSpec{
		served("porch.k8s.list", http.MethodGet, porchK8sPrefix, "list a namespace's PackageRevisions (watch=true: stream their changes)", (*Server).k8sList).longRunning(isWatch),
		served("porch.k8s.listall", http.MethodGet, porchK8sAll, "list the PackageRevisions of every namespace (watch=true: stream their changes)", (*Server).k8sListAll).longRunning(isWatch),
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

// k8sStatusBody is a metav1.Status failure. field, when set, is named in
// details.causes; code 200 makes it a Success.
func k8sStatusBody(code int, reason metav1.StatusReason, name, field, msg string) *metav1.Status {
	st := &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure, Message: msg, Reason: reason, Code: int32(code),
		Details: &metav1.StatusDetails{Name: name, Group: porchGroup, Kind: porchResource}}
	if code == http.StatusOK {
		st.Status, st.Message = metav1.StatusSuccess, ""
	}
	if reason == metav1.StatusReasonInvalid {
		st.Details.Kind = porchKind
	}
	if field != "" {
		cause := metav1.CauseTypeFieldValueInvalid
		if strings.HasSuffix(msg, ": is required") {
			cause = metav1.CauseTypeFieldValueRequired
		}
		st.Details.Causes = []metav1.StatusCause{{Type: cause, Message: msg, Field: field}}
	}
	return st
}

func writeK8sStatus(w http.ResponseWriter, code int, reason metav1.StatusReason, name, field, msg string) {
	writeJSON(w, code, k8sStatusBody(code, reason, name, field, msg))
}

// writeK8sInvalid is the API server's 422 for an object that fails
// validation: PackageRevision.porch.kpt.dev "name" is invalid: field: why.
// The cause carries msg alone: kubectl prints "The PackageRevision "name"
// is invalid: field: msg" from it.
func writeK8sInvalid(w http.ResponseWriter, name, field, msg string) {
	st := k8sStatusBody(http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, name, field,
		porchKind+"."+porchGroup+" "+strconv.Quote(name)+" is invalid: "+field+": "+msg)
	st.Details.Causes[0].Message = msg
	writeJSON(w, http.StatusUnprocessableEntity, st)
}

// writeK8sError maps decode and state errors to Status bodies: a body that
// is not JSON is 400 BadRequest, a field that fails validation 422 Invalid
// naming it in details.causes, a state conflict 409 Conflict.
func writeK8sError(w http.ResponseWriter, name string, err error) {
	var fe *fieldError
	var ce *conflictError
	switch {
	case errors.As(err, &fe) && fe.Field == "body":
		writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, name, "", "the object provided is unrecognized (must be of type "+porchKind+"): "+fe.Msg)
	case errors.As(err, &fe):
		writeK8sInvalid(w, name, fe.Field, fe.Msg)
	case isStoreFull(err):
		writeK8sStoreFull(w, name, err)
	case errors.As(err, &ce):
		writeK8sStatus(w, http.StatusConflict, metav1.StatusReasonConflict, name, ce.Field, "Operation cannot be fulfilled on "+porchResource+"."+porchGroup+" "+strconv.Quote(name)+": "+ce.Msg)
	default:
		writeK8sStatus(w, http.StatusInternalServerError, metav1.StatusReasonInternalError, name, "", err.Error())
	}
}

// writeK8sStoreFull answers a write the store refused for lack of room
// (see isStoreFull) with a Status. An object larger than the whole store is
// 413 RequestEntityTooLarge, as the API server answers when etcd refuses a
// request over its size limit ("etcdserver: request is too large"). A full
// store is 507 Insufficient Storage with reason InternalError: the API
// server reports etcd's space quota ("mvcc: database space exceeded") as a
// 500 InternalError, and metav1 has no reason of its own for it; the mock
// keeps the reason and message shape but uses 507, the code its other APIs
// give a full store, so a run can tell a full store from an injected 500.
func writeK8sStoreFull(w http.ResponseWriter, name string, err error) {
	if errors.Is(err, errTooLarge) {
		writeK8sStatus(w, http.StatusRequestEntityTooLarge, metav1.StatusReasonRequestEntityTooLarge, name, "",
			"request is too large: package revision "+err.Error())
		return
	}
	writeK8sStatus(w, http.StatusInsufficientStorage, metav1.StatusReasonInternalError, name, "", "package revision "+err.Error())
}

func k8sNotFound(w http.ResponseWriter, name string) {
	writeK8sStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, name, "", porchResource+"."+porchGroup+" "+strconv.Quote(name)+" not found")
}

// k8sNamespace validates the {ns} path segment.
func k8sNamespace(w http.ResponseWriter, r *http.Request) (string, bool) {
	ns := r.PathValue("ns")
	if !validLabel(ns) {
		writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "", "metadata.namespace", strconv.Quote(ns)+" is not a valid namespace; valid: "+labelValid)
		return "", false
	}
	return ns, true
}

// k8sList lists a namespace's PackageRevisions, or watches them with
// watch=true; labelSelector and fieldSelector filter either.
func (s *Server) k8sList(w http.ResponseWriter, r *http.Request) {
	ns, ok := k8sNamespace(w, r)
	if !ok {
		return
	}
	s.k8sListIn(w, r, ns, false)
}

// k8sListAll lists or watches the PackageRevisions of every namespace.
func (s *Server) k8sListAll(w http.ResponseWriter, r *http.Request) {
	s.k8sListIn(w, r, "", true)
}

func (s *Server) k8sListIn(w http.ResponseWriter, r *http.Request, ns string, all bool) {
	sel, ok := parseK8sSelector(w, r)
	if !ok {
		return
	}
	if isWatch(r) {
		if wr, ok := parseWatch(w, r, ns, all, sel); ok {
			s.k8sWatch(w, r, wr)
		}
		return
	}
	items, rv := s.porch.k8s.list(ns, all)
	out := make([]*packageRevision, 0, len(items))
	for _, pr := range items {
		if sel.matches(pr) {
			out = append(out, pr)
		}
	}
	writeJSON(w, http.StatusOK, struct {
		APIVersion string             `json:"apiVersion"`
		Kind       string             `json:"kind"`
		Metadata   map[string]string  `json:"metadata"`
		Items      []*packageRevision `json:"items"`
	}{porchAPIVersion, "PackageRevisionList", map[string]string{"resourceVersion": strconv.FormatInt(rv, 10)}, out})
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
		writeK8sError(w, req.Metadata.Name, err)
		return
	}
	if !k8sFieldValidation(w, r, req.Metadata.Name, b) {
		return
	}
	if req.Metadata.Namespace != "" && req.Metadata.Namespace != ns {
		writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, req.Metadata.Name, "metadata.namespace",
			"the namespace of the provided object ("+req.Metadata.Namespace+") does not match the namespace sent on the request ("+ns+")")
		return
	}
	if req.Spec.Lifecycle != "" && req.Spec.Lifecycle != LifecycleDraft {
		writeK8sInvalid(w, req.Metadata.Name, "spec.lifecycle", strconv.Quote(req.Spec.Lifecycle)+": a new revision must be Draft")
		return
	}
	name := req.Metadata.Name
	if name == "" && req.Metadata.GenerateName != "" {
		name = req.Metadata.GenerateName + strconv.FormatInt(s.porch.seq.Add(1), 10)
	}
	pr := s.porch.newRevision(ns, name, req.Spec.Repository, req.Spec.PackageName, req.Spec.WorkspaceName, req.Spec.Revision, req.Spec.Intent)
	pr.Metadata.Labels = req.Metadata.Labels
	pr.Metadata.Annotations = req.Metadata.Annotations
	switch err := s.porch.k8s.create(ns, pr); err {
	case nil:
		writeJSON(w, http.StatusCreated, pr)
	case errExists:
		writeK8sStatus(w, http.StatusConflict, metav1.StatusReasonAlreadyExists, pr.Metadata.Name, "",
			porchResource+"."+porchGroup+" "+strconv.Quote(pr.Metadata.Name)+" already exists")
	default:
		writeK8sStoreFull(w, pr.Metadata.Name, err)
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

// k8sFieldValidation applies the request's fieldValidation to an object
// body, as the API server does: Strict refuses an unknown field with 400,
// Warn answers with a Warning header, Ignore (and no value) accepts it.
// It reports false when it wrote the refusal.
func k8sFieldValidation(w http.ResponseWriter, r *http.Request, name string, body []byte) bool {
	mode := r.URL.Query().Get("fieldValidation")
	if mode != "Strict" && mode != "Warn" {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var strict porchObjectRequest
	err := dec.Decode(&strict)
	if err == nil {
		return true
	}
	field := strings.TrimPrefix(err.Error(), "json: ")
	if mode == "Warn" {
		w.Header().Add("Warning", `299 - "`+strings.ReplaceAll(field, `"`, `'`)+`"`)
		return true
	}
	writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, name, "", porchKind+" in version "+strconv.Quote(porchVersion)+" cannot be handled as a "+porchKind+": strict decoding error: "+field)
	return false
}

// k8sModify applies a patch atomically and answers 200, 404, 409 or 422.
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
	if !k8sFieldValidation(w, r, name, b) {
		return
	}
	if req.Metadata.Name != "" && req.Metadata.Name != name {
		writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, name, "metadata.name", "the name of the object ("+req.Metadata.Name+") does not match the name on the URL ("+name+")")
		return
	}
	s.k8sModify(w, ns, name, objectAsPatch(req))
}

// Patch content types: kubectl apply sends a JSON merge patch for a kind it
// has no Go type for (as PackageRevision); strategic merge patch is the
// same thing for the flat fields a PackageRevision has.
const (
	contentTypeMergePatch     = "application/merge-patch+json"
	contentTypeStrategicPatch = "application/strategic-merge-patch+json"
	contentTypeJSONPatch      = "application/json-patch+json"
	contentTypeApplyPatch     = "application/apply-patch+yaml"
)

// k8sPatch applies a JSON merge patch (or a strategic merge patch, which
// for these flat fields means the same); JSON patch and server-side apply
// are 415 Unsupported Media Type.
func (s *Server) k8sPatch(w http.ResponseWriter, r *http.Request) {
	ns, ok := k8sNamespace(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	switch strings.TrimSpace(ct) {
	case contentTypeMergePatch, contentTypeStrategicPatch, contentTypeJSON, "":
	default:
		writeK8sStatus(w, http.StatusUnsupportedMediaType, metav1.StatusReasonUnsupportedMediaType, name, "",
			"the body of the request was in an unknown format - accepted media types include: "+contentTypeMergePatch+", "+contentTypeStrategicPatch)
		return
	}
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
	if _, ok := s.porch.k8s.delete(ns, name); !ok {
		k8sNotFound(w, name)
		return
	}
	writeJSON(w, http.StatusOK, k8sStatusBody(http.StatusOK, "", name, "", ""))
}
