package mockbackend

import (
	"strconv"
	"strings"
	"testing"
)

func TestStoreCapsRejectOrEvict(t *testing.T) {
	cases := []struct {
		name       string
		full       string
		wantFourth int
		wantFirst  int // GET of the first policy after the fourth PUT
	}{
		{"reject answers 507 beyond the cap", StoreReject, 507, 200},
		{"evict drops the oldest object", StoreEvict, 201, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{TLS: true, MaxObjects: 3, StoreFull: tc.full})
			c := newClient(t, s, nil)
			put := func(i int) int {
				return do(t, c, "PUT", s.URL()+"/A1-P/v2/policytypes/1000/policies/p"+strconv.Itoa(i), `{}`).code
			}
			for i := range 3 {
				if code := put(i); code != 201 {
					t.Fatalf("PUT %d: %d, want 201", i, code)
				}
			}
			if code := put(0); code != 200 {
				t.Errorf("updating an existing policy in a full store: %d, want 200", code)
			}
			if code := put(3); code != tc.wantFourth {
				t.Errorf("fourth PUT: %d, want %d", code, tc.wantFourth)
			}
			if code := do(t, c, "GET", s.URL()+"/A1-P/v2/policytypes/1000/policies/p0", "").code; code != tc.wantFirst {
				t.Errorf("GET of the first policy: %d, want %d", code, tc.wantFirst)
			}
			if n := s.a1.policies.len(); n != 3 {
				t.Errorf("store holds %d policies, want the cap of 3", n)
			}
		})
	}
}

func TestStoreIndexesFollowEvictionAndDeletes(t *testing.T) {
	st := newStore[*packageRevision](2, DefaultMaxStoreBytes, true).withIndex(func(pr *packageRevision) []string {
		return []string{"repo:" + pr.Spec.Repository}
	})
	rev := func(name, repo string) *packageRevision {
		return &packageRevision{Metadata: objectMeta{Name: name}, Spec: packageRevSpec{Repository: repo}}
	}
	for _, r := range []*packageRevision{rev("a", "r1"), rev("b", "r1"), rev("c", "r2")} {
		if err := st.create("", r.Metadata.Name, r); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(st.lookup("repo:r1")); got != 1 {
		t.Errorf("after evicting a: r1 has %d revisions indexed, want 1", got)
	}
	_, _, _ = st.update("", "b", func(*packageRevision) (*packageRevision, error) { return rev("b", "r2"), nil })
	if r1, r2 := len(st.lookup("repo:r1")), len(st.lookup("repo:r2")); r1 != 0 || r2 != 2 {
		t.Errorf("after moving b: r1=%d r2=%d, want 0 and 2", r1, r2)
	}
	st.delete("", "c")
	if got := st.lookup("repo:r2"); len(got) != 1 || got[0].Metadata.Name != "b" {
		t.Errorf("after deleting c: r2 = %v, want [b]", got)
	}
	if len(st.byIndex) != 1 || len(st.children) != 1 {
		t.Errorf("index maps keep %d keys and %d parents, want 1 and 1 (no leak)", len(st.byIndex), len(st.children))
	}
}

// F4: 800 PUTs of 1 MiB A1 policies were all answered 201 and the mock's
// memory grew by a GiB: maxObjects (100,000) times maxBodyBytes (1 MiB)
// allowed about 100 GB per store. The bytes a store holds are now bounded
// by maxStoreBytes; beyond it storeFull applies as it does to
// maxObjects. A small bound here keeps the test to a few hundred KiB.
func TestStoreBytesAreBoundedByMaxStoreBytes(t *testing.T) {
	const bound = 64 << 10
	big := `{"pad":"` + strings.Repeat("x", 8<<10) + `"}` // 8 KiB: at most 8 fit
	const puts = 40
	for _, tc := range []struct {
		name string
		full string
	}{{"reject answers 507 naming the bound", StoreReject}, {"evict drops the oldest policies", StoreEvict}} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{MaxStoreBytes: bound, MaxBodyBytes: 16 << 10, StoreFull: tc.full})
			c := newClient(t, s, nil)
			url := func(i int) string { return s.URL() + "/A1-P/v2/policytypes/1000/policies/p" + strconv.Itoa(i) }
			codes := map[int]int{}
			var refusal response
			for i := range puts {
				r := do(t, c, "PUT", url(i), big)
				codes[r.code]++
				if r.code != 201 && refusal.code == 0 {
					refusal = r
				}
				if held := s.a1.policies.size(); held > bound {
					t.Fatalf("after PUT %d the store holds %d bytes, over the %d-byte bound", i, held, bound)
				}
			}
			n := s.a1.policies.len()
			if n == 0 || n >= puts || n > bound/(8<<10) {
				t.Errorf("store holds %d of %d policies, want between 1 and %d", n, puts, bound/(8<<10))
			}
			switch tc.full {
			case StoreReject:
				if codes[201] != n || codes[507] != puts-n {
					t.Errorf("codes %v, want %d×201 then 507 for the other %d", codes, n, puts-n)
				}
				if !strings.Contains(string(refusal.body), "maxStoreBytes") {
					t.Errorf("507 body %q does not name maxStoreBytes", refusal.body)
				}
				if got := s.a1.policies.refusals(); got != int64(puts-n) {
					t.Errorf("refusals counted %d, want %d", got, puts-n)
				}
				// Growing the stored policies past the bound is refused
				// too, and a refused one keeps its old body.
				huge := `{"pad":"` + strings.Repeat("y", 15<<10) + `"}`
				grown := 0
				for i := range n {
					switch r := do(t, c, "PUT", url(i), huge); r.code {
					case 200:
						grown++
					case 507:
						if got := do(t, c, "GET", url(i), ""); got.code != 200 || string(got.body) != big {
							t.Errorf("after a refused update, GET = %d with %d bytes, want 200 with the old %d bytes", got.code, len(got.body), len(big))
						}
					default:
						t.Errorf("growing policy %d: %d, want 200 or 507", i, r.code)
					}
					if held := s.a1.policies.size(); held > bound {
						t.Fatalf("after growing policy %d the store holds %d bytes, over the %d-byte bound", i, held, bound)
					}
				}
				if grown == n {
					t.Errorf("all %d policies grew to 15 KiB in a 64 KiB store", n)
				}
			case StoreEvict:
				if codes[201] != puts {
					t.Errorf("codes %v, want %d×201", codes, puts)
				}
				if got := do(t, c, "GET", url(0), "").code; got != 404 {
					t.Errorf("GET of the oldest policy: %d, want 404 (evicted)", got)
				}
				if got := do(t, c, "GET", url(puts-1), "").code; got != 200 {
					t.Errorf("GET of the newest policy: %d, want 200", got)
				}
			}
			m := do(t, c, "GET", s.URL()+"/metrics", "")
			if !strings.Contains(string(m.body), `oranbench_mock_store_bytes{store="a1_policies"}`) {
				t.Errorf("/metrics lacks the store_bytes gauge")
			}
			if want := `oranbench_mock_store_writes_refused_total{store="a1_policies"} ` + strconv.FormatInt(s.a1.policies.refusals(), 10); !strings.Contains(string(m.body), want) {
				t.Errorf("/metrics lacks %q", want)
			}
		})
	}
}

// F4: the Porch Kubernetes API answers a refused write with a Status: 413
// RequestEntityTooLarge for an object larger than the whole store, 507 for
// a full one; the watch history, which keeps objects the store has dropped,
// stays within the bound as well.
func TestPorchK8sStoreBytesAreBounded(t *testing.T) {
	const bound = 16 << 10
	obj := func(name string, pad int) string {
		return `{"metadata":{"name":"` + name + `"},"spec":{"packageName":"p","repository":"r","workspaceName":"v1",` +
			`"intent":{"pad":"` + strings.Repeat("x", pad) + `"}}}`
	}
	base := "/apis/porch.kpt.dev/v1alpha1/namespaces/ran/packagerevisions"

	t.Run("reject", func(t *testing.T) {
		s := startServer(t, Config{MaxStoreBytes: bound, MaxBodyBytes: bound, StoreFull: StoreReject})
		c := newClient(t, s, nil)
		r := do(t, c, "POST", s.URL()+base, obj("too-big", bound-200))
		if r.code != 413 || jsonField(t, r.body, "kind") != "Status" || jsonField(t, r.body, "reason") != "RequestEntityTooLarge" {
			t.Errorf("an object larger than the store: %d %.200s, want 413 Status RequestEntityTooLarge", r.code, r.body)
		}
		var full response
		for i := range 40 {
			if r := do(t, c, "POST", s.URL()+base, obj("pr-"+strconv.Itoa(i), 2<<10)); r.code != 201 {
				full = r
				break
			}
		}
		if full.code != 507 || jsonField(t, full.body, "kind") != "Status" || jsonField(t, full.body, "reason") != "InternalError" ||
			!strings.Contains(jsonField(t, full.body, "message").(string), "maxStoreBytes") {
			t.Errorf("a create beyond the bound: %d %.200s, want 507 Status InternalError naming maxStoreBytes", full.code, full.body)
		}
		// An update that grows an object past the bound is refused the
		// same way, and the object keeps its old state.
		grow := `{"spec":{"intent":{"pad":"` + strings.Repeat("y", 6<<10) + `"}}}`
		r = do(t, c, "PATCH", s.URL()+base+"/pr-0", grow, "Content-Type", "application/merge-patch+json")
		if r.code != 507 || jsonField(t, r.body, "kind") != "Status" || jsonField(t, r.body, "reason") != "InternalError" {
			t.Errorf("growing pr-0 past the bound: %d %.200s, want 507 Status InternalError", r.code, r.body)
		}
		if got := do(t, c, "GET", s.URL()+base+"/pr-0", ""); got.code != 200 || strings.Contains(string(got.body), "yyy") {
			t.Errorf("pr-0 after a refused update: %d, want 200 with its old intent", got.code)
		}
		if held := s.porch.k8s.st.size(); held > bound {
			t.Errorf("store holds %d bytes, over the %d bound", held, bound)
		}
	})

	t.Run("evict keeps the store and the watch history bounded", func(t *testing.T) {
		s := startServer(t, Config{MaxStoreBytes: bound, MaxBodyBytes: bound})
		c := newClient(t, s, nil)
		for i := range 60 {
			if r := do(t, c, "POST", s.URL()+base, obj("pr-"+strconv.Itoa(i), 2<<10)); r.code != 201 {
				t.Fatalf("create %d: %d %.200s", i, r.code, r.body)
			}
		}
		k := s.porch.k8s
		k.mu.RLock()
		held, events := k.bytes, k.n
		k.mu.RUnlock()
		if held > bound || k.st.size() > bound {
			t.Errorf("watch history holds %d bytes and the store %d, want both within %d", held, k.st.size(), bound)
		}
		if events == 0 || events >= 60 {
			t.Errorf("watch history keeps %d events, want some but fewer than the 60+ recorded", events)
		}
		// A watch from before the compacted history answers 410, as etcd's
		// compaction makes the API server do.
		if r := do(t, c, "GET", s.URL()+base+"?watch=true&resourceVersion=1", ""); r.code != 410 {
			t.Errorf("watch from resourceVersion 1: %d, want 410 Gone", r.code)
		}
	})
}

// F4: the default bound fits a small machine: every store and the watch
// history full at once stay well within 1 GiB, and a store still holds
// tens of thousands of typical objects.
func TestDefaultMaxStoreBytesFitsASmallMachine(t *testing.T) {
	s := startServer(t, Config{})
	stores := int64(len(s.storeStats()) + 1) // + the watch history
	if total := stores * s.Config().MaxStoreBytes; total > 1<<30 {
		t.Errorf("%d stores of %d bytes can hold %d bytes, want at most 1 GiB", stores, int64(DefaultMaxStoreBytes), total)
	}
	policy := &a1Policy{Body: make([]byte, 512)}
	if n := DefaultMaxStoreBytes / entrySize(policy); n < 50_000 {
		t.Errorf("the default store holds %d policies of 512 bytes, want at least 50,000", n)
	}
	if DefaultMaxBodyBytes > DefaultMaxStoreBytes {
		t.Errorf("the default body limit %d exceeds the default store bound %d", DefaultMaxBodyBytes, DefaultMaxStoreBytes)
	}
}
