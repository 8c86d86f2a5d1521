package mockbackend

import (
	"strconv"
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
	st := newStore[*packageRevision](2, true).withIndex(func(pr *packageRevision) []string {
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
