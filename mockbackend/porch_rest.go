package mockbackend

import (
	"encoding/json"
	"net/http"
	"strconv"
)

const porchRESTPrefix = "/api/v1"

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

// porchObjectRequest is a PackageRevision as sent to the CRUD routes
// (POST/PUT /packages) and the Kubernetes-style routes.
type porchObjectRequest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name            string            `json:"name"`
		GenerateName    string            `json:"generateName"`
		Namespace       string            `json:"namespace"`
		ResourceVersion string            `json:"resourceVersion"`
		Labels          map[string]string `json:"labels"`
		Annotations     map[string]string `json:"annotations"`
		// Read back from a server and sent again (kubectl get -o yaml,
		// then apply): accepted and ignored.
		UID               string          `json:"uid"`
		CreationTimestamp json.RawMessage `json:"creationTimestamp"`
		Generation        int64           `json:"generation"`
		ManagedFields     json.RawMessage `json:"managedFields"`
	} `json:"metadata"`
	Spec struct {
		PackageName   string          `json:"packageName"`
		Repository    string          `json:"repository"`
		WorkspaceName string          `json:"workspaceName"`
		Revision      string          `json:"revision"`
		Lifecycle     string          `json:"lifecycle"`
		Intent        json.RawMessage `json:"intent"`
	} `json:"spec"`
	Status json.RawMessage `json:"status"` // set by the server; ignored
}

// porchProposalRequest is the body of POST /proposals.
type porchProposalRequest struct {
	PackageRevision string `json:"packageRevision"`
	Namespace       string `json:"namespace"`
}

// porchRollbackRequest is the optional body of POST /packages/{name}/rollback.
type porchRollbackRequest struct {
	TargetRevision string `json:"targetRevision"`
}

func porchRoutes() []routeSpec {
	const packages, revisions, crud = porchRESTPrefix + "/repositories/{repo}/packages", porchRESTPrefix + "/packagerevisions", porchRESTPrefix + "/packages"
	return []routeSpec{
		served("porch.package.create", http.MethodPost, packages, "create a package revision from an intent (unique name)", (*Server).porchCreatePackage).
			withLoad(loadShape{
				params: func(string, uint64) pathVals { return vals(loadPorchRepo) },
				body:   func(run string, n uint64) []byte { return loadPorchCreateBody("intent-"+run+"-"+utoa(n), n) }}),
		served("porch.packages.list", http.MethodGet, packages, "list a repository's package revisions", (*Server).porchListPackages),
		served("porch.package.get", http.MethodGet, packages+"/{pkg}", "read a package's latest revision", (*Server).porchGetPackage).
			withLoad(loadShape{fixtures: FixturesPorch,
				params: func(_ string, n uint64) pathVals { return vals(loadPorchRepo, "read-"+utoa(n%loadPorchRead)) }}),
		served("porch.revisions.list", http.MethodGet, revisions, "list every package revision", (*Server).porchListRevisions),
		served("porch.revision.get", http.MethodGet, revisions+"/{name}", "read a package revision by name", (*Server).porchGetRevision).
			withLoad(loadShape{fixtures: FixturesPorch,
				params: func(_ string, n uint64) pathVals { return vals(loadPorchRevision("read-" + utoa(n%loadPorchRead))) }}),
		served("porch.revision.patch", http.MethodPatch, revisions+"/{name}", "merge-patch a revision (lifecycle, revision, intent, labels)", (*Server).porchPatchRevision),
		served("porch.revision.resources", http.MethodPost, revisions+"/{name}/resources", "push a file to a draft revision", (*Server).porchPushResource),
		served("porch.revision.approve", http.MethodPost, revisions+"/{name}/approve", "approve a proposed revision (Proposed → Published)", (*Server).porchApprove),
		served("porch.proposal.create", http.MethodPost, porchRESTPrefix+"/proposals", "propose a draft revision (Draft → Proposed)", (*Server).porchPropose),
		served("porch.crud.create", http.MethodPost, crud, "create a revision from a PackageRevision object", (*Server).porchCRUDCreate),
		served("porch.crud.get", http.MethodGet, crud+"/{name}", "read a revision by name", (*Server).porchGetRevision),
		served("porch.crud.put", http.MethodPut, crud+"/{name}", "replace a revision's mutable fields", (*Server).porchCRUDPut),
		served("porch.crud.delete", http.MethodDelete, crud+"/{name}", "delete a revision", (*Server).porchCRUDDelete),
		served("porch.crud.rollback", http.MethodPost, crud+"/{name}/rollback", "turn a revision back into a draft", (*Server).porchRollback),
	}
}

// decodePorchCreate decodes and validates a REST create-package body.
func decodePorchCreate(b []byte) (porchCreateRequest, error) {
	var req porchCreateRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if req.Metadata.Name != "" && !validLabel(req.Metadata.Name) {
		return req, badField("metadata.name", "%q is not a valid package name; valid: %s", req.Metadata.Name, labelValid)
	}
	if req.Metadata.GenerateName != "" && !validLabel(req.Metadata.GenerateName) {
		return req, badField("metadata.generateName", "%q is not a valid prefix; valid: %s", req.Metadata.GenerateName, labelValid)
	}
	if req.Metadata.Namespace != "" && !validLabel(req.Metadata.Namespace) {
		return req, badField("metadata.namespace", "%q is not a valid namespace; valid: %s", req.Metadata.Namespace, labelValid)
	}
	if req.Spec.Workspace != "" && !validLabel(req.Spec.Workspace) {
		return req, badField("spec.workspace", "%q is not a valid workspace; valid: %s", req.Spec.Workspace, labelValid)
	}
	return req, nil
}

// decodePorchObject decodes a PackageRevision object body.
func decodePorchObject(b []byte) (porchObjectRequest, error) {
	var req porchObjectRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if req.APIVersion != "" && req.APIVersion != porchAPIVersion {
		return req, badField("apiVersion", "%q is invalid; valid: %q", req.APIVersion, porchAPIVersion)
	}
	if req.Kind != "" && req.Kind != porchKind {
		return req, badField("kind", "%q is invalid; valid: %q", req.Kind, porchKind)
	}
	if req.Metadata.Name != "" && !validName(req.Metadata.Name) {
		return req, badField("metadata.name", "%q is invalid; valid: %s", req.Metadata.Name, nameValid)
	}
	for _, f := range []struct{ field, v string }{
		{"spec.packageName", req.Spec.PackageName}, {"spec.repository", req.Spec.Repository},
	} {
		if f.v == "" {
			return req, badField(f.field, "is required")
		}
		if !validLabel(f.v) {
			return req, badField(f.field, "%q is invalid; valid: %s", f.v, labelValid)
		}
	}
	if req.Spec.WorkspaceName != "" && !validLabel(req.Spec.WorkspaceName) {
		return req, badField("spec.workspaceName", "%q is invalid; valid: %s", req.Spec.WorkspaceName, labelValid)
	}
	if req.Spec.Lifecycle != "" {
		lc, ok := parseLifecycle(req.Spec.Lifecycle)
		if !ok {
			return req, badField("spec.lifecycle", "%q is invalid; valid: %s", req.Spec.Lifecycle, lifecycleValid)
		}
		req.Spec.Lifecycle = lc
	}
	return req, nil
}

func decodePorchProposal(b []byte) (porchProposalRequest, error) {
	var req porchProposalRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if req.PackageRevision == "" {
		return req, badField("packageRevision", "is required")
	}
	return req, nil
}

func decodePorchRollback(b []byte) (porchRollbackRequest, error) {
	var req porchRollbackRequest
	if len(b) == 0 {
		return req, nil // the body is optional
	}
	err := decodeObject(b, &req)
	return req, err
}

// porchCreatePackage creates a Draft PackageRevision named
// "<repo>.<package>.<workspace>" as Porch does. An empty metadata.name is
// generated (metadata.generateName as prefix), so a load generator can send
// one fixed body without running into 409.
func (s *Server) porchCreatePackage(w http.ResponseWriter, r *http.Request) {
	repo := r.PathValue("repo")
	if !validLabel(repo) {
		writeError(w, http.StatusBadRequest, "repo", strconv.Quote(repo)+" is not a valid repository name; valid: "+labelValid)
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
	pkg := req.Metadata.Name
	if pkg == "" {
		prefix := req.Metadata.GenerateName
		if prefix == "" {
			prefix = porchGeneratedPrefix
		}
		pkg = prefix + strconv.FormatInt(s.porch.seq.Add(1), 10)
	}
	ns := req.Metadata.Namespace
	if ns == "" {
		ns = porchDefaultNS
	}
	pr := s.porch.newRevision(ns, "", repo, pkg, req.Spec.Workspace, req.Spec.Revision, req.Spec.Intent)
	s.porchStoreNew(w, pr)
}

// porchStoreNew stores a new REST revision and answers 201, 409 or 507.
func (s *Server) porchStoreNew(w http.ResponseWriter, pr *packageRevision) {
	switch err := s.porch.rest.create("", pr.Metadata.Name, pr); err {
	case nil:
		w.Header().Set("Location", porchRESTPrefix+"/packagerevisions/"+pr.Metadata.Name)
		writeJSON(w, http.StatusCreated, pr)
	case errExists:
		writeError(w, http.StatusConflict, "metadata.name", "package revision "+strconv.Quote(pr.Metadata.Name)+" already exists")
	default:
		writeStoreFull(w, "package revision", err)
	}
}

func (s *Server) porchListPackages(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.porch.rest.lookup("repo:"+r.PathValue("repo")))
}

// porchGetPackage returns the package's most recently created revision.
func (s *Server) porchGetPackage(w http.ResponseWriter, r *http.Request) {
	repo, pkg := r.PathValue("repo"), r.PathValue("pkg")
	var latest *packageRevision
	for _, pr := range s.porch.rest.lookup("pkg:" + repo + "/" + pkg) {
		if latest == nil || pr.seq > latest.seq {
			latest = pr
		}
	}
	if latest == nil {
		writeError(w, http.StatusNotFound, "package", "package "+strconv.Quote(pkg)+" does not exist in repository "+strconv.Quote(repo))
		return
	}
	writeJSON(w, http.StatusOK, latest)
}

func (s *Server) porchListRevisions(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.porch.rest.values(""))
}

func (s *Server) porchRevision(w http.ResponseWriter, name string) (*packageRevision, bool) {
	pr, ok := s.porch.rest.get("", name)
	if !ok {
		writeError(w, http.StatusNotFound, "name", "package revision "+strconv.Quote(name)+" does not exist")
	}
	return pr, ok
}

func (s *Server) porchGetRevision(w http.ResponseWriter, r *http.Request) {
	if pr, ok := s.porchRevision(w, r.PathValue("name")); ok {
		writeJSON(w, http.StatusOK, pr)
	}
}

// porchModify applies fn to a stored REST revision atomically; it answers
// 404, 400 or 409 itself and reports whether the caller should write pr.
func (s *Server) porchModify(w http.ResponseWriter, name string, fn func(*packageRevision) (*packageRevision, error)) (*packageRevision, bool) {
	pr, found, err := s.porch.rest.update("", name, fn)
	switch {
	case !found:
		writeError(w, http.StatusNotFound, "name", "package revision "+strconv.Quote(name)+" does not exist")
		return nil, false
	case err != nil:
		writePorchError(w, err)
		return nil, false
	}
	return pr, true
}

// porchPatchRevision applies a merge patch; lifecycle moves follow Porch.
func (s *Server) porchPatchRevision(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	pt, err := decodePorchPatch(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	if pr, ok := s.porchModify(w, r.PathValue("name"), func(pr *packageRevision) (*packageRevision, error) {
		return s.porch.applyPatch(pr, pt)
	}); ok {
		writeJSON(w, http.StatusOK, pr)
	}
}

// porchPushResource records a file: 201 for a new path, 200 for a replace.
func (s *Server) porchPushResource(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodePorchResource(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	code := http.StatusOK
	if pr, ok := s.porchModify(w, r.PathValue("name"), func(pr *packageRevision) (*packageRevision, error) {
		c, created, err := s.porch.addResource(pr, req)
		if created {
			code = http.StatusCreated
		}
		return c, err
	}); ok {
		writeJSON(w, code, pr)
	}
}

// porchApprove publishes a Proposed revision (200); approving a Published
// one again is a no-op 200, approving a Draft is 409.
func (s *Server) porchApprove(w http.ResponseWriter, r *http.Request) {
	if pr, ok := s.porchModify(w, r.PathValue("name"), func(pr *packageRevision) (*packageRevision, error) {
		if pr.Spec.Lifecycle == LifecyclePublished {
			return pr, nil
		}
		if pr.Spec.Lifecycle != LifecycleProposed {
			return nil, &conflictError{Field: "spec.lifecycle", Msg: "only a Proposed revision can be approved; this one is " + pr.Spec.Lifecycle}
		}
		return s.porch.applyLifecycle(pr, LifecyclePublished)
	}); ok {
		writeJSON(w, http.StatusOK, pr)
	}
}

// porchPropose moves a Draft to Proposed and answers 201 with the proposal.
func (s *Server) porchPropose(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodePorchProposal(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	pr, found, err := s.porch.rest.update("", req.PackageRevision, func(pr *packageRevision) (*packageRevision, error) {
		if pr.Spec.Lifecycle != LifecycleDraft {
			return nil, &conflictError{Field: "packageRevision", Msg: "only a Draft can be proposed; this one is " + pr.Spec.Lifecycle}
		}
		return s.porch.applyLifecycle(pr, LifecycleProposed)
	})
	switch {
	case !found:
		writeError(w, http.StatusNotFound, "packageRevision", "package revision "+strconv.Quote(req.PackageRevision)+" does not exist")
	case err != nil:
		writePorchError(w, err)
	default:
		writeJSON(w, http.StatusCreated, map[string]any{
			"name":            "proposal-" + pr.Metadata.ResourceVersion,
			"packageRevision": pr.Metadata.Name,
			"namespace":       pr.Metadata.Namespace,
			"status":          "Pending",
			"lifecycle":       pr.Spec.Lifecycle,
		})
	}
}

// porchCRUDCreate creates a revision from a PackageRevision object.
func (s *Server) porchCRUDCreate(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodePorchObject(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	if req.Spec.Lifecycle != "" && req.Spec.Lifecycle != LifecycleDraft {
		writeError(w, http.StatusBadRequest, "spec.lifecycle", "a new revision must be Draft, got "+req.Spec.Lifecycle)
		return
	}
	ns := req.Metadata.Namespace
	if ns == "" {
		ns = porchDefaultNS
	}
	pr := s.porch.newRevision(ns, req.Metadata.Name, req.Spec.Repository, req.Spec.PackageName, req.Spec.WorkspaceName, req.Spec.Revision, req.Spec.Intent)
	pr.Metadata.Labels = req.Metadata.Labels
	s.porchStoreNew(w, pr)
}

// porchCRUDPut replaces a revision's mutable fields (labels, revision,
// intent, lifecycle); identity fields are immutable.
func (s *Server) porchCRUDPut(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodePorchObject(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	name := r.PathValue("name")
	if req.Metadata.Name != "" && req.Metadata.Name != name {
		writeError(w, http.StatusBadRequest, "metadata.name", strconv.Quote(req.Metadata.Name)+" does not match the path's "+strconv.Quote(name))
		return
	}
	if pr, ok := s.porchModify(w, name, func(pr *packageRevision) (*packageRevision, error) {
		return s.porch.applyPatch(pr, objectAsPatch(req))
	}); ok {
		writeJSON(w, http.StatusOK, pr)
	}
}

// ptrValues turns a string map into the form of a merge patch's.
func ptrValues(m map[string]string) map[string]*string {
	if m == nil {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = &v
	}
	return out
}

// objectAsPatch expresses a full-object update as a merge patch.
func objectAsPatch(req porchObjectRequest) porchPatch {
	sp := &req.Spec
	pt := porchPatch{
		Metadata: &porchPatchMeta{Labels: ptrValues(req.Metadata.Labels), Annotations: ptrValues(req.Metadata.Annotations), ResourceVersion: req.Metadata.ResourceVersion, replace: true},
		Spec:     &porchPatchSpec{Revision: &sp.Revision, Intent: sp.Intent, PackageName: &sp.PackageName, Repository: &sp.Repository},
	}
	if sp.WorkspaceName != "" {
		pt.Spec.WorkspaceName = &sp.WorkspaceName
	}
	if sp.Lifecycle != "" {
		pt.Spec.Lifecycle = &sp.Lifecycle
	}
	return pt
}

func (s *Server) porchCRUDDelete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !s.porch.rest.delete("", name) {
		writeError(w, http.StatusNotFound, "name", "package revision "+strconv.Quote(name)+" does not exist")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// porchRollback turns the revision back into a Draft at targetRevision (or
// its current revision), as a new draft is cut from an older revision.
func (s *Server) porchRollback(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodePorchRollback(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	if pr, ok := s.porchModify(w, r.PathValue("name"), func(pr *packageRevision) (*packageRevision, error) {
		c := s.porch.bump(pr)
		c.Spec.Lifecycle = LifecycleDraft
		c.Status.PublishedAt = ""
		if req.TargetRevision != "" {
			c.Spec.Revision = req.TargetRevision
		}
		return c, nil
	}); ok {
		writeJSON(w, http.StatusOK, pr)
	}
}
