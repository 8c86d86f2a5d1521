package mockbackend

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Built-in A1 policy types, present at start.
const (
	A1TypeQoS              = 1000
	A1TypeTrafficSteering  = 20008
	a1PrefixSpec           = "/A1-P/v2"
	a1PrefixAlias          = "/a1-p/v2"
	a1EnforcedStatus       = "ENFORCED"
	a1NotEnforcedStatus    = "NOT_ENFORCED"
	a1PolicyTypeIDField    = "policyTypeId"
	a1PolicyIDField        = "policyId"
	a1DefaultEnforceReason = "policy accepted by the mock RIC"
)

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

func (s *Server) newA1State() *a1State {
	evict := s.cfg.StoreFull == StoreEvict
	st := &a1State{
		types:    newStore[*a1PolicyType](s.cfg.MaxObjects, evict),
		policies: newStore[*a1Policy](s.cfg.MaxObjects, evict),
	}
	for _, t := range []struct {
		id         int
		name, desc string
	}{
		{A1TypeQoS, "QoS", "Quality of service targets per slice or UE group"},
		{A1TypeTrafficSteering, "TrafficSteering", "Traffic steering preferences per cell"},
	} {
		body, _ := json.Marshal(map[string]any{
			"policy_type_id": t.id,
			"name":           t.name,
			"description":    t.desc,
			"policy_schema":  map[string]any{"type": "object"},
		})
		_, _ = st.types.put("", strconv.Itoa(t.id), &a1PolicyType{ID: t.id, Body: body})
	}
	return st
}

func (s *Server) registerA1() {
	s.a1 = s.newA1State()
	both := func(method, path string) []string {
		return []string{method + " " + a1PrefixSpec + path, method + " " + a1PrefixAlias + path}
	}
	s.handle("a1.policy.put", s.a1PutPolicy, both("PUT", "/policytypes/{t}/policies/{p}")...)
	s.handle("a1.policy.get", s.a1GetPolicy, both("GET", "/policytypes/{t}/policies/{p}")...)
}

// parseTypeID validates the {t} path segment.
func parseTypeID(w http.ResponseWriter, raw string) (string, bool) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		writeError(w, http.StatusBadRequest, a1PolicyTypeIDField, "must be a non-negative integer, got "+strconv.Quote(raw))
		return "", false
	}
	return strconv.Itoa(n), true
}

// decodeA1Policy checks that a policy body is one JSON object; the mock keeps
// it verbatim, as the A1 spec treats it as opaque to the transport.
func decodeA1Policy(b []byte) (json.RawMessage, error) {
	if json.Valid(b) {
		// Valid JSON but maybe not an object: decodeObject names the problem.
		var probe struct{}
		if err := decodeObject(b, &probe); err != nil {
			return nil, err
		}
		return b, nil
	}
	var probe map[string]any
	if err := decodeObject(b, &probe); err != nil {
		return nil, err
	}
	return nil, badField("body", "is not valid JSON")
}

func (s *Server) a1PutPolicy(w http.ResponseWriter, r *http.Request) {
	t, ok := parseTypeID(w, r.PathValue("t"))
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
		writeError(w, http.StatusNotFound, a1PolicyTypeIDField, "policy type "+t+" does not exist")
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
		writeStoreFull(w, "policy")
		return
	}
	if created {
		w.Header().Set("Location", r.URL.Path)
		writeRawJSON(w, http.StatusCreated, body)
		return
	}
	writeRawJSON(w, http.StatusOK, body)
}

func (s *Server) a1GetPolicy(w http.ResponseWriter, r *http.Request) {
	t, ok := parseTypeID(w, r.PathValue("t"))
	if !ok {
		return
	}
	pol, ok := s.a1.policies.get(t, r.PathValue("p"))
	if !ok {
		writeError(w, http.StatusNotFound, a1PolicyIDField, "policy "+strconv.Quote(r.PathValue("p"))+" of type "+t+" does not exist")
		return
	}
	writeRawJSON(w, http.StatusOK, pol.Body)
}

// writeStoreFull answers a create refused by a full store (StoreReject).
func writeStoreFull(w http.ResponseWriter, what string) {
	writeError(w, http.StatusInsufficientStorage, "", what+" store is full (max_objects reached, store_full: reject)")
}
