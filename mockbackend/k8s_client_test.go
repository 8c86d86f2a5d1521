package mockbackend

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

var porchGVR = schema.GroupVersionResource{Group: porchGroup, Version: porchVersion, Resource: porchResource}

// k8sClients builds client-go's discovery and dynamic clients for s, as
// kubectl and controllers do (rest.Config with the CA and a bearer token),
// on one HTTP client whose connections are closed at cleanup.
func k8sClients(t *testing.T, s *Server) (*discovery.DiscoveryClient, *dynamic.DynamicClient) {
	t.Helper()
	cfg := &rest.Config{Host: s.URL(), BearerToken: "client-go-test",
		TLSClientConfig: rest.TLSClientConfig{CAData: s.CACertPEM()}}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { utilnet.CloseIdleConnectionsFor(hc.Transport) })
	dc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, hc)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, hc)
	if err != nil {
		t.Fatal(err)
	}
	return dc, dyn
}

func packageRevisionObject(ns, name, repo, pkg string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": porchAPIVersion, "kind": porchKind,
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"app": pkg}},
		"spec":     map[string]any{"repository": repo, "packageName": pkg, "workspaceName": "v1"},
	}}
}

// TestClientGoDiscoversAndUsesPackageRevisions drives the mock with
// client-go's own discovery and dynamic clients, over HTTP/1.1 and h2.
func TestClientGoDiscoversAndUsesPackageRevisions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		http2 bool
		proto string
	}{{"TLS HTTP/1.1", false, "HTTP/1.1"}, {"TLS h2", true, "HTTP/2.0"}} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{TLS: true, HTTP2: tc.http2, BearerToken: "client-go-test"})
			dc, dyn := k8sClients(t, s)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			before := s.Stats()

			// Full discovery, as kubectl runs it: it asks for aggregated
			// discovery and must fall back to the v1 documents.
			_, lists, err := dc.ServerGroupsAndResources()
			if err != nil {
				t.Fatalf("ServerGroupsAndResources: %v", err)
			}
			var found *metav1.APIResource
			for _, l := range lists {
				for i, r := range l.APIResources {
					if l.GroupVersion == porchAPIVersion && r.Name == porchResource {
						found = &l.APIResources[i]
					}
				}
			}
			if found == nil || !found.Namespaced || found.Kind != porchKind || !slices.Contains(found.Verbs, "watch") || !slices.Contains(found.Verbs, "patch") {
				t.Fatalf("discovery: packagerevisions = %+v; want namespaced kind %s with watch and patch verbs", found, porchKind)
			}
			if v, err := dc.ServerVersion(); err != nil || v.Major != "1" {
				t.Fatalf("ServerVersion = %+v, %v", v, err)
			}
			// kubectl validates and picks its patch type from these.
			v2, err := dc.OpenAPISchema()
			if err != nil || !slices.ContainsFunc(v2.GetDefinitions().GetAdditionalProperties(), func(p *openapi_v2.NamedSchema) bool { return p.GetName() == porchSchemaName }) {
				t.Fatalf("OpenAPI v2 (protobuf): %v; want the %s definition", err, porchSchemaName)
			}
			v3, err := dc.OpenAPIV3().Paths()
			if _, ok := v3["apis/"+porchAPIVersion]; err != nil || !ok {
				t.Fatalf("OpenAPI v3 paths %v, %v; want apis/%s", v3, err, porchAPIVersion)
			}
			if _, err := v3["apis/"+porchAPIVersion].Schema(contentTypeJSON); err != nil {
				t.Fatalf("OpenAPI v3 document: %v", err)
			}

			prs := dyn.Resource(porchGVR).Namespace("ran")
			list, err := prs.List(ctx, metav1.ListOptions{})
			if err != nil || len(list.Items) != 0 {
				t.Fatalf("empty List = %v items, %v", list, err)
			}
			w, err := prs.Watch(ctx, metav1.ListOptions{ResourceVersion: list.GetResourceVersion()})
			if err != nil {
				t.Fatalf("Watch: %v", err)
			}
			defer w.Stop()

			created, err := prs.Create(ctx, packageRevisionObject("ran", "edge.upf.v1", "edge", "upf"), metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if created.GetName() != "edge.upf.v1" || created.GetResourceVersion() == "" {
				t.Fatalf("created %s at resourceVersion %q", created.GetName(), created.GetResourceVersion())
			}
			select {
			case ev := <-w.ResultChan():
				obj, ok := ev.Object.(*unstructured.Unstructured)
				if ev.Type != watch.Added || !ok || obj.GetName() != "edge.upf.v1" || obj.GetResourceVersion() != created.GetResourceVersion() {
					t.Fatalf("watch event %s %+v; want ADDED edge.upf.v1 at %s", ev.Type, ev.Object, created.GetResourceVersion())
				}
			case <-ctx.Done():
				t.Fatal("the watch saw no event for the create")
			}

			if _, err := prs.Create(ctx, packageRevisionObject("ran", "edge.smf.v1", "edge", "smf"), metav1.CreateOptions{}); err != nil {
				t.Fatalf("second Create: %v", err)
			}
			got, err := prs.Get(ctx, "edge.upf.v1", metav1.GetOptions{})
			if err != nil || got.GetLabels()["app"] != "upf" {
				t.Fatalf("Get = %v, %v", got, err)
			}
			list, err = prs.List(ctx, metav1.ListOptions{LabelSelector: "app=smf"})
			if err != nil || len(list.Items) != 1 || list.Items[0].GetName() != "edge.smf.v1" {
				t.Fatalf("List app=smf = %v, %v; want edge.smf.v1 alone", list, err)
			}
			rv1, _ := strconv.ParseInt(created.GetResourceVersion(), 10, 64)
			rvList, _ := strconv.ParseInt(list.GetResourceVersion(), 10, 64)
			if rvList <= rv1 {
				t.Fatalf("list resourceVersion %d, after a create at %d; want it to increase", rvList, rv1)
			}
			if err := prs.Delete(ctx, "edge.upf.v1", metav1.DeleteOptions{}); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, err := prs.Get(ctx, "edge.upf.v1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Fatalf("Get after Delete: %v; want NotFound", err)
			}
			d := s.Stats().Sub(before)
			if d.Protocols[tc.proto] == 0 || len(d.Protocols) != 1 {
				t.Fatalf("protocols %v; want every request on %s", d.Protocols, tc.proto)
			}
		})
	}
}

// TestClientGoDecodesTheMocksErrors checks that the bad-input answers are
// the API server's: client-go turns them into apierrors with the reason.
func TestClientGoDecodesTheMocksErrors(t *testing.T) {
	s := startServer(t, Config{TLS: true, HTTP2: true, WatchHistory: 2})
	_, dyn := k8sClients(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	prs := dyn.Resource(porchGVR).Namespace("ran")

	_, err := dyn.Resource(schema.GroupVersionResource{Group: "widgets.example.com", Version: "v1", Resource: "widgets"}).Namespace("ran").List(ctx, metav1.ListOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("an unknown group: %v; want NotFound", err)
	}
	_, err = dyn.Resource(schema.GroupVersionResource{Group: porchGroup, Version: "v9", Resource: porchResource}).Namespace("ran").List(ctx, metav1.ListOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("an unknown version: %v; want NotFound", err)
	}

	bad := packageRevisionObject("ran", "edge.x.v1", "edge", "x")
	unstructured.RemoveNestedField(bad.Object, "spec", "repository")
	_, err = prs.Create(ctx, bad, metav1.CreateOptions{})
	var se *apierrors.StatusError
	if !apierrors.IsInvalid(err) || !errors.As(err, &se) || se.ErrStatus.Code != http.StatusUnprocessableEntity ||
		se.ErrStatus.Details == nil || len(se.ErrStatus.Details.Causes) != 1 || se.ErrStatus.Details.Causes[0].Field != "spec.repository" {
		t.Errorf("a PackageRevision without a repository: %#v; want 422 Invalid naming spec.repository", err)
	}

	if _, err := prs.Create(ctx, packageRevisionObject("ran", "a.b.v1", "a", "b"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = prs.Create(ctx, packageRevisionObject("ran", "a.b.v1", "a", "b"), metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		t.Errorf("a second create of one name: %v; want AlreadyExists", err)
	}
	stale := packageRevisionObject("ran", "a.b.v1", "a", "b")
	stale.SetResourceVersion("1")
	if _, err := prs.Update(ctx, stale, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("an update at the current resourceVersion: %v", err)
	}
	if _, err := prs.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("an update at a stale resourceVersion: %v; want Conflict", err)
	}

	// With a history of 2 events, four more changes push resourceVersion
	// 1 out of it.
	for _, name := range []string{"c.d.v1", "e.f.v1", "g.h.v1", "i.j.v1"} {
		if _, err := prs.Create(ctx, packageRevisionObject("ran", name, "r", "p"), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := prs.Watch(ctx, metav1.ListOptions{ResourceVersion: "1"})
	if err == nil {
		w.Stop()
	}
	if !apierrors.IsResourceExpired(err) || !errors.As(err, &se) || se.ErrStatus.Code != http.StatusGone {
		t.Errorf("a watch from a resourceVersion out of the history: %v; want 410 Gone, reason Expired", err)
	}
}

// TestWatchesEndWhenTheServerCloses proves a watch does not hold Close for
// the shutdown grace period, and that its handler returns (goleak checks
// the rest at the end of the package).
func TestWatchesEndWhenTheServerCloses(t *testing.T) {
	s, err := Start(Config{TLS: true, HTTP2: true, ShutdownTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, dyn := k8sClients(t, s)
	w, err := dyn.Resource(porchGVR).Namespace("ran").Watch(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if n := s.Stats().InFlight; n != 1 {
		t.Fatalf("%d requests in flight with a watch open; want 1", n)
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Close took %v with a watch open; want well under the 10s grace", d)
	}
	select {
	case _, open := <-w.ResultChan():
		if open {
			t.Fatal("the watch delivered an event after the server closed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watch was still open 5s after the server closed")
	}
}
