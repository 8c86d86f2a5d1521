package mockbackend

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Built-in A1 policy types, present at start.
const (
	A1TypeQoS             = 1000
	A1TypeTrafficSteering = 20008
)

// A1 policy enforcement states (A1-P v2 enforcement_status).
const (
	A1Enforced    = "ENFORCED"
	A1NotEnforced = "NOT_ENFORCED"
)

const (
	a1PrefixSpec  = "/A1-P/v2"
	a1PrefixAlias = "/a1-p/v2" // the operator's client uses lower case
	a1TypeField   = "policyTypeId"
	a1PolicyField = "policyId"
)

// prefixAliases are path prefixes the mock also serves its routes under.
var prefixAliases = []struct{ prefix, alias string }{{a1PrefixSpec, a1PrefixAlias}}

// a1State holds policy types and policies.
type a1State struct {
	types    *store[*a1PolicyType] // parent "", id = decimal type id
	policies *store[*a1Policy]     // parent = type id, id = policy id
}

type a1PolicyType struct {
	ID   int
	Body []byte // the JSON served on GET
}

type a1Policy struct {
	Body     []byte
	Created  time.Time
	Modified time.Time
}

// a1PolicyTypeBody is a policy type as PUT and served.
type a1PolicyTypeBody struct {
	PolicyTypeID *int            `json:"policy_type_id,omitempty"`
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	PolicySchema json.RawMessage `json:"policy_schema"`
	CreateSchema json.RawMessage `json:"create_schema,omitempty"`
}

// a1StatusBody is the policy status object.
type a1StatusBody struct {
	EnforcementStatus string `json:"enforcement_status"`
	EnforcementReason string `json:"enforcement_reason"`
	LastModified      string `json:"last_modified"`
}

func a1Routes() []routeSpec {
	const types, policies = a1PrefixSpec + "/policytypes", a1PrefixSpec + "/policytypes/{t}/policies"
	return []routeSpec{
		served("a1.types.list", http.MethodGet, types, "list policy type ids", (*Server).a1ListTypes).
			withLoad(loadShape{}),
		served("a1.type.get", http.MethodGet, types+"/{t}", "read a policy type and its schema", (*Server).a1GetType),
		served("a1.type.put", http.MethodPut, types+"/{t}", "create a policy type", (*Server).a1PutType),
		served("a1.type.delete", http.MethodDelete, types+"/{t}", "delete a policy type without policies", (*Server).a1DeleteType),
		served("a1.policies.list", http.MethodGet, policies, "list the policy ids of a type", (*Server).a1ListPolicies),
		served("a1.policy.get", http.MethodGet, policies+"/{p}", "read a QoS policy (type 1000)", (*Server).a1GetPolicy).
			withLoad(loadShape{fixtures: FixturesA1,
				params: func(_ string, n uint64) pathVals { return vals(loadA1Type, "read-"+utoa(n%loadReadIDs)) }}),
		served("a1.policy.put", http.MethodPut, policies+"/{p}", "create or update a QoS policy (type 1000)", (*Server).a1PutPolicy).
			withLoad(loadShape{
				params: func(_ string, n uint64) pathVals { return vals(loadA1Type, "pol-"+utoa(n%loadPolicyIDs)) },
				body:   func(_ string, n uint64) []byte { return loadPolicyBody(utoa(n%loadPolicyIDs), n) }}),
		served("a1.policy.delete", http.MethodDelete, policies+"/{p}", "delete a policy", (*Server).a1DeletePolicy),
		served("a1.policy.status", http.MethodGet, policies+"/{p}/status", "poll a policy's enforcement status", (*Server).a1PolicyStatus).
			withLoad(loadShape{fixtures: FixturesA1,
				params: func(_ string, n uint64) pathVals { return vals(loadA1Type, "read-"+utoa(n%loadReadIDs)) }}),
	}
}

func (s *Server) newA1State() *a1State {
	evict := s.cfg.StoreFull == StoreEvict
	st := &a1State{
		types:    newStore[*a1PolicyType](s.cfg.MaxObjects, s.cfg.MaxStoreBytes, evict),
		policies: newStore[*a1Policy](s.cfg.MaxObjects, s.cfg.MaxStoreBytes, evict),
	}
	for _, t := range []struct {
		id         int
		name, desc string
	}{
		{A1TypeQoS, "QoS", "Quality of service targets per slice or UE group"},
		{A1TypeTrafficSteering, "TrafficSteering", "Traffic steering preferences per cell"},
	} {
		id := t.id
		body, _ := json.Marshal(a1PolicyTypeBody{
			PolicyTypeID: &id, Name: t.name, Description: t.desc,
			PolicySchema: json.RawMessage(`{"type":"object"}`),
		})
		_, _ = st.types.put("", strconv.Itoa(t.id), &a1PolicyType{ID: t.id, Body: body})
	}
	return st
}

// parseTypeID validates the {t} path segment and returns its canonical form.
func parseTypeID(w http.ResponseWriter, raw string) (string, int, bool) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		writeError(w, http.StatusBadRequest, a1TypeField, "must be a non-negative integer, got "+strconv.Quote(raw))
		return "", 0, false
	}
	return strconv.Itoa(n), n, true
}

// decodeA1PolicyType decodes a policy type body: name and policy_schema (a
// JSON object) are required; policy_type_id, when present, must match the path.
func decodeA1PolicyType(b []byte, pathID int) (a1PolicyTypeBody, error) {
	var body a1PolicyTypeBody
	if err := decodeObject(b, &body); err != nil {
		return body, err
	}
	if body.PolicyTypeID != nil && *body.PolicyTypeID != pathID {
		return body, badField("policy_type_id", "%d does not match the path's %d", *body.PolicyTypeID, pathID)
	}
	if body.Name == "" {
		return body, badField("name", "is required")
	}
	if len(body.PolicySchema) == 0 || body.PolicySchema[0] != '{' {
		return body, badField("policy_schema", "is required and must be a JSON object")
	}
	return body, nil
}

// decodeA1Policy checks that a policy body is one JSON object; the mock keeps
// it verbatim, as A1 treats policy content as opaque.
func decodeA1Policy(b []byte) (json.RawMessage, error) {
	var probe map[string]json.RawMessage
	if err := decodeObject(b, &probe); err != nil {
		return nil, err
	}
	return b, nil
}

func (s *Server) a1ListTypes(w http.ResponseWriter, _ *http.Request) {
	ids := s.a1.types.ids("")
	out := make([]int, 0, len(ids))
	for _, id := range ids {
		n, _ := strconv.Atoi(id)
		out = append(out, n)
	}
	slices.Sort(out)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) a1GetType(w http.ResponseWriter, r *http.Request) {
	t, _, ok := parseTypeID(w, r.PathValue("t"))
	if !ok {
		return
	}
	pt, ok := s.a1.types.get("", t)
	if !ok {
		writeError(w, http.StatusNotFound, a1TypeField, "policy type "+t+" does not exist")
		return
	}
	writeRawJSON(w, http.StatusOK, pt.Body)
}

// a1PutType creates a policy type (201). A1-P types are immutable: PUT of an
// existing type with another body is 409; the same body again is 201, so
// retries are safe.
func (s *Server) a1PutType(w http.ResponseWriter, r *http.Request) {
	t, n, ok := parseTypeID(w, r.PathValue("t"))
	if !ok {
		return
	}
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	body, err := decodeA1PolicyType(b, n)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	body.PolicyTypeID = &n
	enc, _ := json.Marshal(body)
	switch err := s.a1.types.create("", t, &a1PolicyType{ID: n, Body: enc}); err {
	case nil:
	case errExists:
		if old, ok := s.a1.types.get("", t); ok && string(old.Body) == string(enc) {
			break
		}
		writeError(w, http.StatusConflict, a1TypeField, "policy type "+t+" already exists with another definition; delete it first")
		return
	default:
		writeStoreFull(w, "policy type", err)
		return
	}
	writeRawJSON(w, http.StatusCreated, enc)
}

func (s *Server) a1DeleteType(w http.ResponseWriter, r *http.Request) {
	t, _, ok := parseTypeID(w, r.PathValue("t"))
	if !ok {
		return
	}
	if _, ok := s.a1.types.get("", t); !ok {
		writeError(w, http.StatusNotFound, a1TypeField, "policy type "+t+" does not exist")
		return
	}
	if n := s.a1.policies.countChildren(t); n > 0 {
		writeError(w, http.StatusConflict, a1TypeField, "policy type "+t+" still has "+itoa(n)+" policies; delete them first")
		return
	}
	s.a1.types.delete("", t)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) a1ListPolicies(w http.ResponseWriter, r *http.Request) {
	t, _, ok := parseTypeID(w, r.PathValue("t"))
	if !ok {
		return
	}
	if _, ok := s.a1.types.get("", t); !ok {
		writeError(w, http.StatusNotFound, a1TypeField, "policy type "+t+" does not exist")
		return
	}
	writeJSON(w, http.StatusOK, s.a1.policies.ids(t))
}

// a1PutPolicy creates (201) or replaces (200) a policy of an existing type.
func (s *Server) a1PutPolicy(w http.ResponseWriter, r *http.Request) {
	t, _, ok := parseTypeID(w, r.PathValue("t"))
	if !ok {
		return
	}
	p := r.PathValue("p")
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	body, err := decodeA1Policy(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	if _, ok := s.a1.types.get("", t); !ok {
		writeError(w, http.StatusNotFound, a1TypeField, "policy type "+t+" does not exist")
		return
	}
	now := time.Now()
	created, err := s.a1.policies.upsert(t, p, func(old *a1Policy, exists bool) *a1Policy {
		pol := &a1Policy{Body: body, Created: now, Modified: now}
		if exists {
			pol.Created = old.Created
		}
		return pol
	})
	if err != nil {
		writeStoreFull(w, "policy", err)
		return
	}
	if created {
		w.Header().Set("Location", r.URL.Path)
		writeRawJSON(w, http.StatusCreated, body)
		return
	}
	writeRawJSON(w, http.StatusOK, body)
}

func (s *Server) a1Policy(w http.ResponseWriter, r *http.Request) (string, string, *a1Policy, bool) {
	t, _, ok := parseTypeID(w, r.PathValue("t"))
	if !ok {
		return "", "", nil, false
	}
	p := r.PathValue("p")
	pol, ok := s.a1.policies.get(t, p)
	if !ok {
		writeError(w, http.StatusNotFound, a1PolicyField, "policy "+strconv.Quote(p)+" of type "+t+" does not exist")
		return "", "", nil, false
	}
	return t, p, pol, true
}

func (s *Server) a1GetPolicy(w http.ResponseWriter, r *http.Request) {
	if _, _, pol, ok := s.a1Policy(w, r); ok {
		writeRawJSON(w, http.StatusOK, pol.Body)
	}
}

func (s *Server) a1DeletePolicy(w http.ResponseWriter, r *http.Request) {
	if t, p, _, ok := s.a1Policy(w, r); ok {
		s.a1.policies.delete(t, p)
		w.WriteHeader(http.StatusNoContent)
	}
}

// a1PolicyStatus reports NOT_ENFORCED until EnforceDelay after the policy's
// last PUT, then ENFORCED, so status-polling clients see the transition.
func (s *Server) a1PolicyStatus(w http.ResponseWriter, r *http.Request) {
	_, _, pol, ok := s.a1Policy(w, r)
	if !ok {
		return
	}
	st := a1StatusBody{
		EnforcementStatus: A1Enforced,
		EnforcementReason: "policy enforced by the mock RIC",
		LastModified:      pol.Modified.UTC().Format(time.RFC3339Nano),
	}
	if time.Since(pol.Modified) < s.cfg.EnforceDelay {
		st.EnforcementStatus = A1NotEnforced
		st.EnforcementReason = "enforcement in progress"
	}
	writeJSON(w, http.StatusOK, st)
}

// writeStoreFull answers a write a store refused for lack of room (see
// isStoreFull): 413 for an object larger than the whole store, as a server
// whose storage refuses an oversized request; otherwise 507 Insufficient
// Storage, naming the bound that was reached.
func writeStoreFull(w http.ResponseWriter, what string, err error) {
	code := http.StatusInsufficientStorage
	if errors.Is(err, errTooLarge) {
		code = http.StatusRequestEntityTooLarge
	}
	writeError(w, code, "", what+" "+err.Error())
}
