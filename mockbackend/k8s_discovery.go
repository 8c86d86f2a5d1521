package mockbackend

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"sync"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/version"
)

// The Kubernetes discovery the mock serves, so that kubectl and client-go
// find the Porch API: the plain (v1) discovery documents, /version and the
// OpenAPI v3 document of porch.kpt.dev/v1alpha1. Aggregated discovery (v2)
// is not served: a client that asks for it in Accept gets the v1 document
// with Content-Type application/json and falls back to fetching each group
// version, as it does from an API server without aggregated discovery.

// Porch serves packagerevisions with these verbs (it lists, gets, creates,
// updates, deletes and watches them) and defines no short names.
var porchVerbs = metav1.Verbs{"create", "delete", "get", "list", "patch", "update", "watch"}

// mockKubernetesVersion is what /version reports: the API level the mock's
// discovery follows.
var mockKubernetesVersion = version.Info{Major: "1", Minor: "37", GitVersion: "v1.37.0-oranbench-mock",
	GitCommit: "0000000000000000000000000000000000000000", GitTreeState: "clean", BuildDate: "2026-01-01T00:00:00Z",
	GoVersion: runtime.Version(), Compiler: runtime.Compiler, Platform: runtime.GOOS + "/" + runtime.GOARCH}

func discoveryRoutes() []routeSpec {
	plain := func(pattern string, h handlerFunc) routeSpec {
		return routeSpec{Route: Route{Name: "discovery", Method: http.MethodGet, Pattern: pattern}, handler: h, plain: true}
	}
	return []routeSpec{
		plain("/api", (*Server).discoveryCore),
		plain("/apis", (*Server).discoveryGroups),
		plain("/apis/"+porchGroup, (*Server).discoveryPorchGroup),
		plain("/apis/"+porchAPIVersion, (*Server).discoveryPorchResources),
		plain("/version", (*Server).discoveryVersion),
		plain("/openapi/v2", (*Server).openAPIV2),
		plain("/openapi/v3", (*Server).openAPIPaths),
		plain("/openapi/v3/apis/"+porchAPIVersion, (*Server).openAPIPorch),
		// Everything else under /apis: the API server's 404 or 405 Status,
		// not the mock's own error body. (/api/v1/... is also Porch REST's
		// prefix and keeps the mock's errors.)
		{Route: Route{Name: "discovery", Pattern: "/apis/"}, handler: (*Server).k8sNoRoute, plain: true},
	}
}

func porchGroupVersion() metav1.GroupVersionForDiscovery {
	return metav1.GroupVersionForDiscovery{GroupVersion: porchAPIVersion, Version: porchVersion}
}

func porchAPIGroup() metav1.APIGroup {
	return metav1.APIGroup{TypeMeta: metav1.TypeMeta{Kind: "APIGroup", APIVersion: "v1"}, Name: porchGroup,
		Versions: []metav1.GroupVersionForDiscovery{porchGroupVersion()}, PreferredVersion: porchGroupVersion()}
}

// discoveryCore is /api, the legacy core group. The mock serves no core
// resources, so it lists no versions: a client then asks no /api/v1 (an
// empty resource list there is an error to client-go).
func (s *Server) discoveryCore(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{},
		ServerAddressByClientCIDRs: []metav1.ServerAddressByClientCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: r.Host}}})
}

func (s *Server) discoveryGroups(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}, Groups: []metav1.APIGroup{porchAPIGroup()}})
}

func (s *Server) discoveryPorchGroup(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, porchAPIGroup())
}

func (s *Server) discoveryPorchResources(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: porchAPIVersion,
		APIResources: []metav1.APIResource{{Name: porchResource, SingularName: "packagerevision", Namespaced: true, Kind: porchKind, Verbs: porchVerbs}}})
}

func (s *Server) discoveryVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, mockKubernetesVersion)
}

// k8sNoRoute answers a path under /api or /apis that the mock does not
// serve as the API server does: 405 when another method is served there,
// otherwise 404 (an unknown group, version, resource or subresource).
func (s *Server) k8sNoRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/apis/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
			Message: r.Method + " is not supported on " + r.URL.Path + "; allowed: " + strings.Join(allow, ", "), Reason: metav1.StatusReasonMethodNotAllowed,
			Details: &metav1.StatusDetails{}, Code: http.StatusMethodNotAllowed})
		return
	}
	writeJSON(w, http.StatusNotFound, &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
		Message: "the server could not find the requested resource", Reason: metav1.StatusReasonNotFound, Details: &metav1.StatusDetails{}, Code: http.StatusNotFound})
}

// openAPIV2Doc is the Swagger 2.0 document of the Porch API, as JSON and as
// the gnostic protobuf kubectl reads. kubectl 1.20 (Debian 12's) validates
// objects against it before create and apply; newer ones read OpenAPI v3
// first. Unknown fields fail that validation, so the schema declares every
// field the mock keeps, and leaves intent and status open.
var openAPIV2Doc = sync.OnceValues(func() ([]byte, []byte) {
	gvk := map[string]string{"group": porchGroup, "version": porchVersion, "kind": porchKind}
	ref := map[string]any{"$ref": "#/definitions/" + porchSchemaName}
	ok := map[string]any{"200": map[string]any{"description": "OK", "schema": ref}}
	params := []any{
		map[string]any{"name": "fieldValidation", "in": "query", "type": "string", "uniqueItems": true, "description": "Ignore, Warn or Strict"},
		map[string]any{"name": "fieldManager", "in": "query", "type": "string", "uniqueItems": true, "description": "the actor making the change"},
	}
	op := func(action, desc string, consumes []string) map[string]any {
		o := map[string]any{"description": desc, "operationId": action + "PorchKptDevV1alpha1NamespacedPackageRevision",
			"produces": []string{contentTypeJSON}, "parameters": params, "responses": ok,
			"x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk}
		if consumes != nil {
			o["consumes"] = consumes
		}
		return o
	}
	str := map[string]string{"type": "string"}
	strMap := map[string]any{"type": "object", "additionalProperties": str}
	doc := map[string]any{
		"swagger": "2.0",
		"info":    map[string]string{"title": "oranbench mock: " + porchAPIVersion, "version": porchVersion},
		"paths":   porchPaths(op),
		"definitions": map[string]any{
			porchSchemaName: map[string]any{
				"type": "object", "description": "PackageRevision: one revision of a kpt package, Draft → Proposed → Published",
				"x-kubernetes-group-version-kind": []any{gvk},
				"properties": map[string]any{
					"apiVersion": str, "kind": str,
					"metadata": map[string]any{"type": "object", "properties": map[string]any{
						"name": str, "generateName": str, "namespace": str, "uid": str, "resourceVersion": str,
						"creationTimestamp": str, "generation": map[string]string{"type": "integer", "format": "int64"},
						"labels": strMap, "annotations": strMap, "managedFields": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}},
					"spec": map[string]any{"type": "object", "properties": map[string]any{
						"packageName": str, "repository": str, "workspaceName": str, "revision": str, "lifecycle": str,
						"intent": map[string]any{"description": "any JSON"}}},
					"status": map[string]any{"description": "set by the server"},
				},
			},
		},
	}
	js, _ := json.Marshal(doc)
	d, err := openapi_v2.ParseDocument(js)
	if err != nil {
		panic("mockbackend: OpenAPI v2 document: " + err.Error())
	}
	pb, err := proto.Marshal(d)
	if err != nil {
		panic("mockbackend: OpenAPI v2 document: " + err.Error())
	}
	return js, pb
})

// openAPIV2 serves the Swagger document as protobuf when asked (kubectl),
// JSON otherwise.
func (s *Server) openAPIV2(w http.ResponseWriter, r *http.Request) {
	js, pb := openAPIV2Doc()
	if strings.Contains(r.Header.Get("Accept"), "protobuf") {
		// As the API server answers: older clients fail to parse the
		// requested media type with its "@" back as a Content-Type.
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(pb)
		return
	}
	writeRawJSON(w, http.StatusOK, js)
}

// openAPIPorchDoc is the OpenAPI v3 document of porch.kpt.dev/v1alpha1 and
// its hash. kubectl reads it to learn that the server validates fields
// (fieldValidation on PATCH) and which patch types it takes; without it,
// kubectl validates client-side against OpenAPI v2.
var openAPIPorchDoc = sync.OnceValues(func() ([]byte, string) {
	gvk := map[string]string{"group": porchGroup, "version": porchVersion, "kind": porchKind}
	ref := map[string]any{"$ref": "#/components/schemas/" + porchSchemaName}
	param := func(name, in, desc string) map[string]any {
		return map[string]any{"name": name, "in": in, "description": desc, "schema": map[string]string{"type": "string"}}
	}
	// kubectl looks for fieldValidation among the PATCH operation's own
	// parameters, not the path's.
	params := []any{param("namespace", "path", "object name and auth scope"), param("fieldValidation", "query", "Ignore, Warn or Strict"), param("fieldManager", "query", "the actor making the change")}
	op := func(action, desc string, body []string) map[string]any {
		o := map[string]any{
			"parameters":                      params,
			"description":                     desc,
			"operationId":                     action + "PorchKptDevV1alpha1NamespacedPackageRevision",
			"x-kubernetes-action":             action,
			"x-kubernetes-group-version-kind": gvk,
			"responses":                       map[string]any{"200": map[string]any{"description": "OK", "content": map[string]any{contentTypeJSON: map[string]any{"schema": ref}}}},
		}
		if body != nil {
			content := map[string]any{}
			for _, ct := range body {
				content[ct] = map[string]any{"schema": ref}
			}
			o["requestBody"] = map[string]any{"required": true, "content": content}
		}
		return o
	}
	str := map[string]string{"type": "string"}
	strMap := map[string]any{"type": "object", "additionalProperties": str}
	doc := map[string]any{
		"openapi": "3.0.0",
		"info":    map[string]string{"title": "oranbench mock: " + porchAPIVersion, "version": porchVersion},
		"paths":   porchPaths(op),
		"components": map[string]any{"schemas": map[string]any{
			porchSchemaName: map[string]any{
				"type":                            "object",
				"description":                     "PackageRevision: one revision of a kpt package, Draft → Proposed → Published",
				"x-kubernetes-group-version-kind": []any{gvk},
				"properties": map[string]any{
					"apiVersion": str, "kind": str,
					"metadata": map[string]any{"type": "object", "properties": map[string]any{
						"name": str, "generateName": str, "namespace": str, "uid": str, "resourceVersion": str,
						"creationTimestamp": str, "labels": strMap, "annotations": strMap}},
					"spec": map[string]any{"type": "object", "properties": map[string]any{
						"packageName": str, "repository": str, "workspaceName": str, "revision": str,
						"lifecycle": map[string]any{"type": "string", "enum": []string{LifecycleDraft, LifecycleProposed, LifecyclePublished}},
						"intent":    map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
					"status": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true},
				},
			},
		}},
	}
	b, _ := json.Marshal(doc)
	sum := sha256.Sum256(b)
	return b, strings.ToUpper(hex.EncodeToString(sum[:16]))
})

const porchSchemaName = "dev.kpt.porch.v1alpha1.PackageRevision"

// openAPIPaths is /openapi/v3: where each group version's document is.
func (s *Server) openAPIPaths(w http.ResponseWriter, _ *http.Request) {
	_, hash := openAPIPorchDoc()
	writeJSON(w, http.StatusOK, map[string]any{"paths": map[string]any{
		"apis/" + porchAPIVersion: map[string]string{"serverRelativeURL": "/openapi/v3/apis/" + porchAPIVersion + "?hash=" + hash},
	}})
}

func (s *Server) openAPIPorch(w http.ResponseWriter, _ *http.Request) {
	b, _ := openAPIPorchDoc()
	writeRawJSON(w, http.StatusOK, b)
}

// porchPaths lists the PackageRevision operations for an OpenAPI document;
// op renders one in the document's version (body is the content types a
// request body may have, nil for none).
func porchPaths(op func(action, desc string, body []string) map[string]any) map[string]any {
	return map[string]any{
		"/apis/" + porchAPIVersion + "/namespaces/{namespace}/" + porchResource: map[string]any{
			"get":  op("list", "list or watch PackageRevisions", nil),
			"post": op("post", "create a PackageRevision", []string{contentTypeJSON}),
		},
		"/apis/" + porchAPIVersion + "/namespaces/{namespace}/" + porchResource + "/{name}": map[string]any{
			"get":    op("get", "read a PackageRevision", nil),
			"put":    op("put", "replace a PackageRevision", []string{contentTypeJSON}),
			"patch":  op("patch", "partially update a PackageRevision (JSON merge patch)", []string{contentTypeMergePatch}),
			"delete": op("delete", "delete a PackageRevision", nil),
		},
	}
}
