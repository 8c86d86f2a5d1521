package mockbackend

import "testing"

func TestPorchRESTLifecycleDraftProposedPublished(t *testing.T) {
	s := startServer(t, Config{TLS: true})
	create := `{"metadata":{"name":"upf","namespace":"ran"},"spec":{"workspace":"ws1","intent":{"replicas":3}}}`
	rev := "/api/v1/packagerevisions/edge.upf.ws1"
	runSteps(t, s, []step{
		{name: "a package is created as Draft", method: "POST", path: "/api/v1/repositories/edge/packages", body: create, wantCode: 201,
			want: map[string]any{"metadata.name": "edge.upf.ws1", "spec.lifecycle": "Draft", "spec.intent.replicas": 3.0}},
		{name: "the package is found in its repository", method: "GET", path: "/api/v1/repositories/edge/packages/upf", wantCode: 200, want: map[string]any{"metadata.name": "edge.upf.ws1"}},
		{name: "an unknown package is 404", method: "GET", path: "/api/v1/repositories/edge/packages/nope", wantCode: 404, wantField: "package"},
		{name: "a dotted repository name is refused", method: "POST", path: "/api/v1/repositories/a.b/packages", body: `{}`, wantCode: 400, wantField: "repo"},
		{name: "a Draft cannot be published directly", method: "PATCH", path: rev, body: `{"spec":{"lifecycle":"PUBLISHED"}}`, wantCode: 409, wantField: "spec.lifecycle"},
		{name: "an unknown lifecycle is 400", method: "PATCH", path: rev, body: `{"spec":{"lifecycle":"Shipped"}}`, wantCode: 400, wantField: "spec.lifecycle"},
		{name: "identity fields are immutable", method: "PATCH", path: rev, body: `{"spec":{"repository":"other"}}`, wantCode: 400, wantField: "spec.repository"},
		{name: "a file is pushed", method: "POST", path: rev + "/resources", body: `{"path":"Kptfile","content":"apiVersion: kpt.dev/v1"}`, wantCode: 201, want: map[string]any{"status.resources.0.size": 22.0}},
		{name: "the same path is replaced", method: "POST", path: rev + "/resources", body: `{"path":"Kptfile","content":"x"}`, wantCode: 200, want: map[string]any{"status.resources.0.size": 1.0}},
		{name: "an escaping path is refused", method: "POST", path: rev + "/resources", body: `{"path":"../etc/passwd"}`, wantCode: 400, wantField: "path"},
		{name: "approving a Draft conflicts", method: "POST", path: rev + "/approve", wantCode: 409, wantField: "spec.lifecycle"},
		{name: "REVIEW proposes it", method: "PATCH", path: rev, body: `{"spec":{"lifecycle":"REVIEW"}}`, wantCode: 200, want: map[string]any{"spec.lifecycle": "Proposed"}},
		{name: "approve publishes it", method: "POST", path: rev + "/approve", wantCode: 200, want: map[string]any{"spec.lifecycle": "Published", "spec.revision": "v1"}},
		{name: "approving again is a no-op", method: "POST", path: rev + "/approve", wantCode: 200, want: map[string]any{"spec.lifecycle": "Published"}},
		{name: "a Published revision is immutable", method: "PATCH", path: rev, body: `{"spec":{"revision":"v2"}}`, wantCode: 409},
		{name: "files cannot be pushed to it", method: "POST", path: rev + "/resources", body: `{"path":"a.yaml"}`, wantCode: 409},
		{name: "it cannot go back to Draft", method: "PATCH", path: rev, body: `{"spec":{"lifecycle":"DRAFT"}}`, wantCode: 409, wantField: "spec.lifecycle"},
		{name: "a second workspace is a new revision", method: "POST", path: "/api/v1/repositories/edge/packages", body: `{"metadata":{"name":"upf"},"spec":{"workspace":"ws2"}}`, wantCode: 201},
		{name: "the package now answers with its latest revision", method: "GET", path: "/api/v1/repositories/edge/packages/upf", wantCode: 200, want: map[string]any{"metadata.name": "edge.upf.ws2"}},
		{name: "a proposal moves a Draft to Proposed", method: "POST", path: "/api/v1/proposals", body: `{"packageRevision":"edge.upf.ws2","namespace":"default"}`, wantCode: 201, want: map[string]any{"lifecycle": "Proposed", "status": "Pending"}},
		{name: "proposing twice conflicts", method: "POST", path: "/api/v1/proposals", body: `{"packageRevision":"edge.upf.ws2"}`, wantCode: 409, wantField: "packageRevision"},
		{name: "a proposal for nothing is 404", method: "POST", path: "/api/v1/proposals", body: `{"packageRevision":"ghost"}`, wantCode: 404, wantField: "packageRevision"},
		{name: "a proposal needs a revision", method: "POST", path: "/api/v1/proposals", body: `{}`, wantCode: 400, wantField: "packageRevision"},
		{name: "the repository lists both revisions", method: "GET", path: "/api/v1/repositories/edge/packages", wantCode: 200, want: map[string]any{"0.metadata.name": "edge.upf.ws1", "1.metadata.name": "edge.upf.ws2"}},
		{name: "all revisions are listed", method: "GET", path: "/api/v1/packagerevisions", wantCode: 200, want: map[string]any{"1.spec.lifecycle": "Proposed"}},
	})
}

func TestPorchRESTCRUDAndRollback(t *testing.T) {
	s := startServer(t, Config{TLS: true})
	obj := `{"metadata":{"namespace":"ran"},"spec":{"packageName":"smf","repository":"core","workspaceName":"w1"}}`
	runSteps(t, s, []step{
		{name: "a revision object is created", method: "POST", path: "/api/v1/packages", body: obj, wantCode: 201, want: map[string]any{"metadata.name": "core.smf.w1", "metadata.resourceVersion": "1"}},
		{name: "creating it again conflicts", method: "POST", path: "/api/v1/packages", body: obj, wantCode: 409, wantField: "metadata.name"},
		{name: "a package name is required", method: "POST", path: "/api/v1/packages", body: `{"spec":{"repository":"core"}}`, wantCode: 400, wantField: "spec.packageName"},
		{name: "a wrong kind is refused", method: "POST", path: "/api/v1/packages", body: `{"kind":"Deployment"}`, wantCode: 400, wantField: "kind"},
		{name: "it is read back", method: "GET", path: "/api/v1/packages/core.smf.w1", wantCode: 200, want: map[string]any{"spec.lifecycle": "Draft"}},
		{name: "PUT with a stale resourceVersion conflicts", method: "PUT", path: "/api/v1/packages/core.smf.w1", body: `{"metadata":{"resourceVersion":"999"},"spec":{"packageName":"smf","repository":"core","lifecycle":"Proposed"}}`, wantCode: 409, wantField: "metadata.resourceVersion"},
		{name: "PUT proposes it", method: "PUT", path: "/api/v1/packages/core.smf.w1", body: `{"metadata":{"resourceVersion":"1"},"spec":{"packageName":"smf","repository":"core","lifecycle":"Proposed","revision":"v3"}}`, wantCode: 200, want: map[string]any{"spec.lifecycle": "Proposed", "spec.revision": "v3"}},
		{name: "rollback turns it into a Draft at the target", method: "POST", path: "/api/v1/packages/core.smf.w1/rollback", body: `{"targetRevision":"v2"}`, wantCode: 200, want: map[string]any{"spec.lifecycle": "Draft", "spec.revision": "v2"}},
		{name: "rollback without a body keeps the revision", method: "POST", path: "/api/v1/packages/core.smf.w1/rollback", wantCode: 200, want: map[string]any{"spec.revision": "v2"}},
		{name: "it is deleted", method: "DELETE", path: "/api/v1/packages/core.smf.w1", wantCode: 204},
		{name: "a deleted revision is 404", method: "GET", path: "/api/v1/packagerevisions/core.smf.w1", wantCode: 404, wantField: "name"},
		{name: "deleting it again is 404", method: "DELETE", path: "/api/v1/packages/core.smf.w1", wantCode: 404},
	})
}

func TestPorchKubernetesStyleLifecycle(t *testing.T) {
	s := startServer(t, Config{TLS: true})
	base := "/apis/porch.kpt.dev/v1alpha1/namespaces/ran/packagerevisions"
	pr := `{"apiVersion":"porch.kpt.dev/v1alpha1","kind":"PackageRevision","metadata":{"namespace":"ran"},"spec":{"packageName":"upf","repository":"edge","workspaceName":"ws1","lifecycle":"Draft"}}`
	runSteps(t, s, []step{
		{name: "a PackageRevision is created", method: "POST", path: base, body: pr, wantCode: 201, want: map[string]any{"metadata.name": "edge.upf.ws1", "metadata.namespace": "ran", "spec.lifecycle": "Draft"}},
		{name: "the same name is AlreadyExists", method: "POST", path: base, body: pr, wantCode: 409, want: map[string]any{"kind": "Status", "reason": "AlreadyExists", "code": 409.0}},
		{name: "a namespace mismatch names the field", method: "POST", path: base, body: `{"metadata":{"namespace":"core"},"spec":{"packageName":"a","repository":"b"}}`, wantCode: 400, want: map[string]any{"details.causes.0.field": "metadata.namespace"}},
		{name: "a missing repository is Invalid, naming the field", method: "POST", path: base, body: `{"spec":{"packageName":"a"}}`, wantCode: 422, want: map[string]any{"reason": "Invalid", "details.causes.0.field": "spec.repository", "details.causes.0.reason": "FieldValueRequired"}},
		{name: "a body that is not JSON is BadRequest", method: "POST", path: base, body: `{"spec":`, wantCode: 400, want: map[string]any{"kind": "Status", "reason": "BadRequest"}},
		{name: "generateName makes unique names", method: "POST", path: base, body: `{"metadata":{"generateName":"edge-"},"spec":{"packageName":"a","repository":"edge"}}`, wantCode: 201, want: map[string]any{"metadata.name": "edge-3"}},
		{name: "the list holds both", method: "GET", path: base, wantCode: 200, want: map[string]any{"kind": "PackageRevisionList", "items.0.metadata.name": "edge-3", "items.1.metadata.name": "edge.upf.ws1"}},
		{name: "other namespaces are empty", method: "GET", path: "/apis/porch.kpt.dev/v1alpha1/namespaces/core/packagerevisions", wantCode: 200, want: map[string]any{"items": []any{}}},
		{name: "it is read back", method: "GET", path: base + "/edge.upf.ws1", wantCode: 200, want: map[string]any{"metadata.resourceVersion": "1"}},
		{name: "a stale update is a Conflict", method: "PUT", path: base + "/edge.upf.ws1", body: `{"metadata":{"resourceVersion":"0"},"spec":{"packageName":"upf","repository":"edge","lifecycle":"Proposed"}}`, wantCode: 409, want: map[string]any{"reason": "Conflict"}},
		{name: "an update proposes it", method: "PUT", path: base + "/edge.upf.ws1", body: `{"metadata":{"name":"edge.upf.ws1","resourceVersion":"1"},"spec":{"packageName":"upf","repository":"edge","workspaceName":"ws1","lifecycle":"Proposed"}}`, wantCode: 200, want: map[string]any{"spec.lifecycle": "Proposed"}},
		{name: "a merge patch publishes it", method: "PATCH", path: base + "/edge.upf.ws1", body: `{"spec":{"lifecycle":"Published"}}`, wantCode: 200, want: map[string]any{"spec.lifecycle": "Published"}},
		{name: "a Published revision cannot return to Draft", method: "PATCH", path: base + "/edge.upf.ws1", body: `{"spec":{"lifecycle":"Draft"}}`, wantCode: 409, want: map[string]any{"details.causes.0.field": "spec.lifecycle"}},
		{name: "it is deleted", method: "DELETE", path: base + "/edge.upf.ws1", wantCode: 200, want: map[string]any{"status": "Success"}},
		{name: "a deleted one is NotFound", method: "GET", path: base + "/edge.upf.ws1", wantCode: 404, want: map[string]any{"reason": "NotFound"}},
		{name: "a bad namespace is refused", method: "GET", path: "/apis/porch.kpt.dev/v1alpha1/namespaces/Bad_NS/packagerevisions", wantCode: 400},
	})
}
