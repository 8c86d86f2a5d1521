package mockbackend

import (
	"testing"
	"time"
)

// step is one request of a scripted API conversation and what it must return.
type step struct {
	name, method, path, body string
	wantCode                 int
	wantField                string            // JSON error "field", for codes >= 400
	want                     map[string]any    // dotted JSON paths → values
	wantHeader               map[string]string // response headers
}

// runSteps plays steps in order against s, failing on the first mismatch of
// each step.
func runSteps(t *testing.T, s *Server, steps []step) {
	t.Helper()
	c := newClient(t, s, nil)
	for _, st := range steps {
		resp := do(t, c, st.method, s.URL()+st.path, st.body)
		if resp.code != st.wantCode {
			t.Errorf("%s: %s %s = %d, want %d (body %s)", st.name, st.method, st.path, resp.code, st.wantCode, resp.body)
			continue
		}
		if st.wantField != "" {
			if got := jsonField(t, resp.body, "field"); got != st.wantField {
				t.Errorf("%s: error field = %v, want %q (body %s)", st.name, got, st.wantField, resp.body)
			}
		}
		for path, want := range st.want {
			if got := jsonPath(t, resp.body, path); !jsonEqual(got, want) {
				t.Errorf("%s: %s = %#v, want %#v (body %s)", st.name, path, got, want, resp.body)
			}
		}
		for k, v := range st.wantHeader {
			if got := resp.header.Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", st.name, k, got, v)
			}
		}
	}
}

func TestA1PolicyTypesAndPoliciesFollowTheSpec(t *testing.T) {
	for _, prefix := range []string{"/A1-P/v2", "/a1-p/v2"} {
		t.Run(prefix, func(t *testing.T) {
			s := startServer(t, Config{TLS: true})
			pt := `{"name":"Slicing","policy_schema":{"type":"object"}}`
			runSteps(t, s, []step{
				{name: "the built-in types are listed", method: "GET", path: prefix + "/policytypes", wantCode: 200, want: map[string]any{"": []any{1000.0, 20008.0}}},
				{name: "a built-in type has a schema", method: "GET", path: prefix + "/policytypes/20008", wantCode: 200, want: map[string]any{"policy_type_id": 20008.0, "name": "TrafficSteering"}},
				{name: "a new type is created", method: "PUT", path: prefix + "/policytypes/7", body: pt, wantCode: 201, want: map[string]any{"policy_type_id": 7.0}},
				{name: "the same type again is accepted", method: "PUT", path: prefix + "/policytypes/7", body: pt, wantCode: 201},
				{name: "a different definition conflicts", method: "PUT", path: prefix + "/policytypes/7", body: `{"name":"Other","policy_schema":{}}`, wantCode: 409, wantField: "policyTypeId"},
				{name: "a type without a schema is refused", method: "PUT", path: prefix + "/policytypes/8", body: `{"name":"x"}`, wantCode: 400, wantField: "policy_schema"},
				{name: "a mismatched id is refused", method: "PUT", path: prefix + "/policytypes/8", body: `{"policy_type_id":9,"name":"x","policy_schema":{}}`, wantCode: 400, wantField: "policy_type_id"},
				{name: "a policy is created", method: "PUT", path: prefix + "/policytypes/7/policies/p1", body: `{"sst":1}`, wantCode: 201, wantHeader: map[string]string{"Location": prefix + "/policytypes/7/policies/p1"}},
				{name: "policies are listed by id", method: "GET", path: prefix + "/policytypes/7/policies", wantCode: 200, want: map[string]any{"": []any{"p1"}}},
				{name: "a type with policies cannot be deleted", method: "DELETE", path: prefix + "/policytypes/7", wantCode: 409, wantField: "policyTypeId"},
				{name: "a policy is deleted", method: "DELETE", path: prefix + "/policytypes/7/policies/p1", wantCode: 204},
				{name: "a deleted policy is gone", method: "GET", path: prefix + "/policytypes/7/policies/p1/status", wantCode: 404, wantField: "policyId"},
				{name: "the empty type is deleted", method: "DELETE", path: prefix + "/policytypes/7", wantCode: 204},
				{name: "a deleted type is gone", method: "GET", path: prefix + "/policytypes/7/policies", wantCode: 404, wantField: "policyTypeId"},
			})
		})
	}
}

func TestA1PolicyStatusTurnsEnforcedAfterTheDelay(t *testing.T) {
	const delay = 300 * time.Millisecond
	s := startServer(t, Config{TLS: true, EnforceDelay: delay})
	c := newClient(t, s, nil)
	put := time.Now()
	if resp := do(t, c, "PUT", s.URL()+"/A1-P/v2/policytypes/1000/policies/qos1", `{"qos":9}`); resp.code != 201 {
		t.Fatalf("PUT: %d", resp.code)
	}
	status := func() string {
		resp := do(t, c, "GET", s.URL()+"/A1-P/v2/policytypes/1000/policies/qos1/status", "")
		if resp.code != 200 {
			t.Fatalf("status: code %d", resp.code)
		}
		return jsonField(t, resp.body, "enforcement_status").(string)
	}
	if got := status(); got != A1NotEnforced && time.Since(put) < delay {
		t.Fatalf("status right after PUT = %s, want %s", got, A1NotEnforced)
	}
	// Poll as the operator's client does, but faster.
	var polls int
	for status() != A1Enforced {
		polls++
		if time.Since(put) > 5*time.Second {
			t.Fatal("policy never became ENFORCED")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if took := time.Since(put); took < delay {
		t.Errorf("ENFORCED after %v, before the %v delay", took, delay)
	}
	if polls == 0 {
		t.Errorf("the first poll already saw ENFORCED; want NOT_ENFORCED first")
	}
}
