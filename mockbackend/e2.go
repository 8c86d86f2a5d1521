package mockbackend

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

const e2Prefix = "/e2ap/v1"

// e2State holds registered E2 nodes and their subscriptions.
type e2State struct {
	nodes *store[*e2Node]         // parent "", id = node id
	subs  *store[*e2Subscription] // parent = node id, id = subscription id
	seq   atomic.Int64
}

type e2Node struct {
	NodeID         string           `json:"node_id"`
	GlobalE2NodeID string           `json:"global_e2_node_id,omitempty"`
	NodeType       string           `json:"node_type,omitempty"`
	RANFunctions   []e2RANFunction  `json:"ran_functions"`
	Config         *json.RawMessage `json:"config,omitempty"`
	State          string           `json:"connection_state"`
	RegisteredAt   time.Time        `json:"registered_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
}

type e2RANFunction struct {
	RANFunctionID         int    `json:"ran_function_id"`
	RANFunctionDefinition string `json:"ran_function_definition,omitempty"`
	RANFunctionRevision   int    `json:"ran_function_revision,omitempty"`
	RANFunctionOID        string `json:"ran_function_oid,omitempty"`
}

// e2NodeRequest is the body of register and update.
type e2NodeRequest struct {
	NodeID         string           `json:"node_id"`
	GlobalE2NodeID string           `json:"global_e2_node_id"`
	NodeType       string           `json:"node_type"`
	RANFunctions   []e2RANFunction  `json:"ran_functions"`
	Config         *json.RawMessage `json:"config"`
}

type e2Subscription struct {
	SubscriptionID  string            `json:"subscription_id"`
	NodeID          string            `json:"node_id"`
	RequestorID     string            `json:"requestor_id"`
	RANFunctionID   int               `json:"ran_function_id"`
	EventTriggers   []json.RawMessage `json:"event_triggers"`
	Actions         []json.RawMessage `json:"actions"`
	ReportingPeriod int64             `json:"reporting_period"`
	Status          string            `json:"status"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
}

// e2SubscriptionRequest is the body of subscription create and update.
type e2SubscriptionRequest struct {
	SubscriptionID  string            `json:"subscription_id"`
	RequestorID     string            `json:"requestor_id"`
	RANFunctionID   *int              `json:"ran_function_id"`
	EventTriggers   []json.RawMessage `json:"event_triggers"`
	Actions         []json.RawMessage `json:"actions"`
	ReportingPeriod int64             `json:"reporting_period"`
}

// e2ControlRequest is the body of a control request.
type e2ControlRequest struct {
	RequestID         string          `json:"request_id"`
	RANFunctionID     *int            `json:"ran_function_id"`
	CallProcessID     string          `json:"call_process_id"`
	ControlHeader     json.RawMessage `json:"control_header"`
	ControlMessage    json.RawMessage `json:"control_message"`
	ControlAckRequest bool            `json:"control_ack_request"`
}

type e2ControlResponse struct {
	ResponseID string          `json:"response_id"`
	RequestID  string          `json:"request_id"`
	NodeID     string          `json:"node_id"`
	Status     e2ControlStatus `json:"status"`
}

type e2ControlStatus struct {
	Result           string `json:"result"`
	CauseCode        int    `json:"cause_code"`
	CauseDescription string `json:"cause_description"`
}

// e2ServiceModel is one of the built-in service models.
type e2ServiceModel struct {
	ID        string   `json:"service_model_id"`
	OID       string   `json:"service_model_oid"`
	Name      string   `json:"service_model_name"`
	Version   string   `json:"service_model_version"`
	Functions []string `json:"functions"`
}

var e2ServiceModels = []e2ServiceModel{
	{"kpm", "1.3.6.1.4.1.53148.1.2.2.2", "ORAN-E2SM-KPM", "3.0", []string{"REPORT"}},
	{"rc", "1.3.6.1.4.1.53148.1.1.2.3", "ORAN-E2SM-RC", "1.03", []string{"REPORT", "INSERT", "CONTROL", "POLICY"}},
	{"ni", "1.3.6.1.4.1.53148.1.1.2.1", "ORAN-E2SM-NI", "1.0", []string{"REPORT", "INSERT", "CONTROL", "POLICY"}},
}

// e2ValidateRequest is the body of service-model validation.
type e2ValidateRequest struct {
	ServiceModelOID string `json:"service_model_oid"`
	ServiceModelID  string `json:"service_model_id"`
	Function        string `json:"function"`
}

func e2Routes() []routeSpec {
	const node, sms, subs = e2Prefix + "/nodes/{id}", e2Prefix + "/service-models", e2Prefix + "/nodes/{id}/subscriptions"
	nodeOf := func(_ string, n uint64) pathVals { return vals(loadE2Node(n)) }
	readSub := func(_ string, n uint64) pathVals { return vals(loadE2Node(n), "sub-read") }
	return []routeSpec{
		served("e2.nodes.list", http.MethodGet, e2Prefix+"/nodes", "list the registered E2 nodes", (*Server).e2ListNodes),
		served("e2.node.get", http.MethodGet, node, "read a registered E2 node", (*Server).e2GetNode).
			withLoad(loadShape{fixtures: FixturesE2, params: nodeOf}),
		served("e2.node.register", http.MethodPost, node+"/register", "register an E2 node and its RAN functions", (*Server).e2Register),
		served("e2.node.deregister", http.MethodDelete, node+"/deregister", "deregister an E2 node and drop its subscriptions", (*Server).e2Deregister),
		served("e2.node.update", http.MethodPut, node+"/update", "replace an E2 node's RAN functions", (*Server).e2UpdateNode),
		served("e2.servicemodels.list", http.MethodGet, sms, "list the RIC's service models", (*Server).e2ListServiceModels).
			withLoad(loadShape{}),
		served("e2.servicemodel.get", http.MethodGet, sms+"/{sm}", "read a service model", (*Server).e2GetServiceModel),
		served("e2.servicemodel.validate", http.MethodPost, sms+"/validate", "check that a service model supports a function", (*Server).e2ValidateServiceModel),
		served("e2.subscriptions.list", http.MethodGet, subs, "list a node's subscriptions", (*Server).e2ListSubscriptions),
		served("e2.subscription.create", http.MethodPost, subs, "subscribe to KPM reports on a node (unique subscription id)", (*Server).e2CreateSubscription).
			withLoad(loadShape{fixtures: FixturesE2, params: nodeOf,
				body: func(run string, n uint64) []byte { return loadSubscriptionBody("sub-" + run + "-" + utoa(n)) }}),
		served("e2.subscription.get", http.MethodGet, subs+"/{sid}", "read a subscription", (*Server).e2GetSubscription).
			withLoad(loadShape{fixtures: FixturesE2, params: readSub}),
		served("e2.subscription.update", http.MethodPut, subs+"/{sid}", "replace a subscription's triggers and actions", (*Server).e2UpdateSubscription),
		served("e2.subscription.delete", http.MethodDelete, subs+"/{sid}", "unsubscribe", (*Server).e2DeleteSubscription),
		served("e2.indications.list", http.MethodGet, subs+"/{sid}/indications", "poll a subscription's indications", (*Server).e2ListIndications).
			withLoad(loadShape{fixtures: FixturesE2, params: readSub}),
		served("e2.control", http.MethodPost, node+"/control", "send a RAN control request", (*Server).e2Control).
			withLoad(loadShape{fixtures: FixturesE2, params: nodeOf, body: loadControlBody}),
	}
}

func (s *Server) newE2State() *e2State {
	evict := s.cfg.StoreFull == StoreEvict
	return &e2State{
		nodes: newStore[*e2Node](s.cfg.MaxObjects, s.cfg.MaxStoreBytes, evict),
		subs:  newStore[*e2Subscription](s.cfg.MaxObjects, s.cfg.MaxStoreBytes, evict),
	}
}

// decodeE2Node decodes a register/update body; node_id, when present, must
// match the path, and RAN function ids must be unique and non-negative.
func decodeE2Node(b []byte, pathID string) (e2NodeRequest, error) {
	var req e2NodeRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if req.NodeID != "" && req.NodeID != pathID {
		return req, badField("node_id", "%q does not match the path's %q", req.NodeID, pathID)
	}
	seen := make(map[int]bool, len(req.RANFunctions))
	for i, f := range req.RANFunctions {
		field := "ran_functions[" + strconv.Itoa(i) + "].ran_function_id"
		if f.RANFunctionID < 0 || f.RANFunctionID > 4095 {
			return req, badField(field, "%d is out of range; valid: 0 to 4095", f.RANFunctionID)
		}
		if seen[f.RANFunctionID] {
			return req, badField(field, "%d is listed twice", f.RANFunctionID)
		}
		seen[f.RANFunctionID] = true
	}
	return req, nil
}

// decodeE2Subscription decodes a subscription body; ran_function_id and at
// least one action are required.
func decodeE2Subscription(b []byte) (e2SubscriptionRequest, error) {
	var req e2SubscriptionRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if req.RANFunctionID == nil {
		return req, badField("ran_function_id", "is required")
	}
	if len(req.Actions) == 0 {
		return req, badField("actions", "is required: at least one action")
	}
	if req.ReportingPeriod < 0 {
		return req, badField("reporting_period", "%d is negative; valid: >= 0", req.ReportingPeriod)
	}
	return req, nil
}

// decodeE2Control decodes a control request; ran_function_id and
// control_message are required.
func decodeE2Control(b []byte) (e2ControlRequest, error) {
	var req e2ControlRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if req.RANFunctionID == nil {
		return req, badField("ran_function_id", "is required")
	}
	if len(req.ControlMessage) == 0 || string(req.ControlMessage) == "null" {
		return req, badField("control_message", "is required")
	}
	return req, nil
}

// decodeE2Validate decodes a service-model validation request.
func decodeE2Validate(b []byte) (e2ValidateRequest, error) {
	var req e2ValidateRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if req.ServiceModelOID == "" && req.ServiceModelID == "" {
		return req, badField("service_model_oid", "is required (or service_model_id)")
	}
	return req, nil
}

func (s *Server) e2Node(w http.ResponseWriter, r *http.Request) (*e2Node, bool) {
	id := r.PathValue("id")
	n, ok := s.e2.nodes.get("", id)
	if !ok {
		writeError(w, http.StatusNotFound, "node_id", "E2 node "+strconv.Quote(id)+" is not registered")
	}
	return n, ok
}

func (s *Server) e2ListNodes(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.e2.nodes.values(""))
}

func (s *Server) e2GetNode(w http.ResponseWriter, r *http.Request) {
	if n, ok := s.e2Node(w, r); ok {
		writeJSON(w, http.StatusOK, n)
	}
}

// e2Register registers a node (201); registering it again is 409.
func (s *Server) e2Register(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeE2Node(b, id)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	now := time.Now().UTC()
	n := &e2Node{NodeID: id, GlobalE2NodeID: req.GlobalE2NodeID, NodeType: req.NodeType, RANFunctions: req.RANFunctions,
		Config: req.Config, State: "connected", RegisteredAt: now, UpdatedAt: now}
	if n.RANFunctions == nil {
		n.RANFunctions = []e2RANFunction{}
	}
	switch err := s.e2.nodes.create("", id, n); err {
	case nil:
		writeJSON(w, http.StatusCreated, n)
	case errExists:
		writeError(w, http.StatusConflict, "node_id", "E2 node "+strconv.Quote(id)+" is already registered")
	default:
		writeStoreFull(w, "E2 node", err)
	}
}

// e2Deregister removes a node and its subscriptions (204).
func (s *Server) e2Deregister(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.e2.nodes.delete("", id) {
		writeError(w, http.StatusNotFound, "node_id", "E2 node "+strconv.Quote(id)+" is not registered")
		return
	}
	s.e2.subs.deleteChildren(id)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) e2UpdateNode(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeE2Node(b, id)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	n, found, err := s.e2.nodes.update("", id, func(old *e2Node) (*e2Node, error) {
		nn := *old
		if req.GlobalE2NodeID != "" {
			nn.GlobalE2NodeID = req.GlobalE2NodeID
		}
		if req.NodeType != "" {
			nn.NodeType = req.NodeType
		}
		if req.RANFunctions != nil {
			nn.RANFunctions = req.RANFunctions
		}
		if req.Config != nil {
			nn.Config = req.Config
		}
		nn.UpdatedAt = time.Now().UTC()
		return &nn, nil
	})
	if !found {
		writeError(w, http.StatusNotFound, "node_id", "E2 node "+strconv.Quote(id)+" is not registered")
		return
	}
	if err != nil {
		writeStoreFull(w, "E2 node", err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (s *Server) e2ListServiceModels(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e2ServiceModels)
}

func (s *Server) e2GetServiceModel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("sm")
	for _, m := range e2ServiceModels {
		if m.ID == id || m.OID == id {
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	writeError(w, http.StatusNotFound, "service_model_id", strconv.Quote(id)+" is unknown; valid: kpm, rc, ni or their OIDs")
}

// e2ValidateServiceModel answers 200 with valid true/false and the reasons.
func (s *Server) e2ValidateServiceModel(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeE2Validate(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	resp := struct {
		Valid  bool     `json:"valid"`
		Errors []string `json:"errors"`
	}{Errors: []string{}}
	for _, m := range e2ServiceModels {
		if m.OID == req.ServiceModelOID || m.ID == req.ServiceModelID {
			resp.Valid = req.Function == "" || slices.Contains(m.Functions, req.Function)
			if !resp.Valid {
				resp.Errors = append(resp.Errors, "function "+strconv.Quote(req.Function)+" is not supported by "+m.Name)
			}
			writeJSON(w, http.StatusOK, resp)
			return
		}
	}
	resp.Errors = append(resp.Errors, "unknown service model")
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) e2ListSubscriptions(w http.ResponseWriter, r *http.Request) {
	if n, ok := s.e2Node(w, r); ok {
		writeJSON(w, http.StatusOK, s.e2.subs.values(n.NodeID))
	}
}

// requireRANFunction answers 400 naming ran_function_id unless the node
// declared fn, and reports whether it did.
func requireRANFunction(w http.ResponseWriter, n *e2Node, fn int) bool {
	if checkRANFunction(n, fn) {
		return true
	}
	writeError(w, http.StatusBadRequest, "ran_function_id", strconv.Itoa(fn)+" is not a RAN function of node "+strconv.Quote(n.NodeID))
	return false
}

// checkRANFunction reports whether the node declared fn (nodes that declared
// no functions accept any).
func checkRANFunction(n *e2Node, fn int) bool {
	if len(n.RANFunctions) == 0 {
		return true
	}
	for _, f := range n.RANFunctions {
		if f.RANFunctionID == fn {
			return true
		}
	}
	return false
}

func (s *Server) e2CreateSubscription(w http.ResponseWriter, r *http.Request) {
	n, ok := s.e2Node(w, r)
	if !ok {
		return
	}
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeE2Subscription(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	if !requireRANFunction(w, n, *req.RANFunctionID) {
		return
	}
	sid := req.SubscriptionID
	if sid == "" {
		sid = "sub-" + strconv.FormatInt(s.e2.seq.Add(1), 10)
	}
	now := time.Now().UTC()
	sub := &e2Subscription{SubscriptionID: sid, NodeID: n.NodeID, RequestorID: req.RequestorID, RANFunctionID: *req.RANFunctionID,
		EventTriggers: req.EventTriggers, Actions: req.Actions, ReportingPeriod: req.ReportingPeriod,
		Status: "ACTIVE", CreatedAt: now, UpdatedAt: now}
	switch err := s.e2.subs.create(n.NodeID, sid, sub); err {
	case nil:
		w.Header().Set("Location", e2Prefix+"/nodes/"+n.NodeID+"/subscriptions/"+sid)
		writeJSON(w, http.StatusCreated, sub)
	case errExists:
		writeError(w, http.StatusConflict, "subscription_id", "subscription "+strconv.Quote(sid)+" already exists")
	default:
		writeStoreFull(w, "E2 subscription", err)
	}
}

func (s *Server) e2Subscription(w http.ResponseWriter, r *http.Request) (*e2Subscription, bool) {
	n, ok := s.e2Node(w, r)
	if !ok {
		return nil, false
	}
	sid := r.PathValue("sid")
	sub, ok := s.e2.subs.get(n.NodeID, sid)
	if !ok {
		writeError(w, http.StatusNotFound, "subscription_id", "subscription "+strconv.Quote(sid)+" does not exist on node "+strconv.Quote(n.NodeID))
	}
	return sub, ok
}

func (s *Server) e2GetSubscription(w http.ResponseWriter, r *http.Request) {
	if sub, ok := s.e2Subscription(w, r); ok {
		writeJSON(w, http.StatusOK, sub)
	}
}

func (s *Server) e2UpdateSubscription(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.e2Subscription(w, r)
	if !ok {
		return
	}
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeE2Subscription(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	if req.SubscriptionID != "" && req.SubscriptionID != sub.SubscriptionID {
		writeError(w, http.StatusBadRequest, "subscription_id", strconv.Quote(req.SubscriptionID)+" does not match the path's "+strconv.Quote(sub.SubscriptionID))
		return
	}
	updated, found, err := s.e2.subs.update(sub.NodeID, sub.SubscriptionID, func(old *e2Subscription) (*e2Subscription, error) {
		ns := *old
		ns.RequestorID, ns.RANFunctionID = req.RequestorID, *req.RANFunctionID
		ns.EventTriggers, ns.Actions, ns.ReportingPeriod = req.EventTriggers, req.Actions, req.ReportingPeriod
		ns.UpdatedAt = time.Now().UTC()
		return &ns, nil
	})
	if !found { // deleted concurrently
		writeError(w, http.StatusNotFound, "subscription_id", "subscription "+strconv.Quote(sub.SubscriptionID)+" was deleted")
		return
	}
	if err != nil {
		writeStoreFull(w, "E2 subscription", err)
		return
	}
	writeJSON(w, http.StatusOK, updated)
}

func (s *Server) e2DeleteSubscription(w http.ResponseWriter, r *http.Request) {
	if sub, ok := s.e2Subscription(w, r); ok {
		s.e2.subs.delete(sub.NodeID, sub.SubscriptionID)
		w.WriteHeader(http.StatusNoContent)
	}
}

// e2ListIndications returns a small synthetic batch of KPM-like indications,
// derived from the subscription so repeated reads are stable.
func (s *Server) e2ListIndications(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.e2Subscription(w, r)
	if !ok {
		return
	}
	type indication struct {
		RequestID     string         `json:"request_id"`
		RANFunctionID int            `json:"ran_function_id"`
		ActionID      int            `json:"action_id"`
		Type          string         `json:"indication_type"`
		Timestamp     time.Time      `json:"timestamp"`
		Measurements  map[string]int `json:"measurements"`
	}
	out := make([]indication, 3)
	for i := range out {
		out[i] = indication{
			RequestID: sub.SubscriptionID + "-" + strconv.Itoa(i+1), RANFunctionID: sub.RANFunctionID, ActionID: 1,
			Type: "report", Timestamp: sub.CreatedAt.Add(time.Duration(i+1) * time.Second),
			Measurements: map[string]int{"DRB.UEThpDl": 1000 * (i + 1), "RRU.PrbUsedDl": 40 + i},
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// e2Control executes a control request: SUCCESS, with a unique response id.
func (s *Server) e2Control(w http.ResponseWriter, r *http.Request) {
	n, ok := s.e2Node(w, r)
	if !ok {
		return
	}
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeE2Control(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	if !requireRANFunction(w, n, *req.RANFunctionID) {
		return
	}
	writeJSON(w, http.StatusOK, e2ControlResponse{
		ResponseID: "ctrl-" + strconv.FormatInt(s.e2.seq.Add(1), 10),
		RequestID:  req.RequestID,
		NodeID:     n.NodeID,
		Status:     e2ControlStatus{Result: "SUCCESS", CauseDescription: "control executed"},
	})
}
