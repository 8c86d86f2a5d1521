package mockbackend

import "testing"

func TestE2NodesSubscriptionsAndControl(t *testing.T) {
	s := startServer(t, Config{TLS: true})
	node := `{"global_e2_node_id":"gnb-001","node_type":"gnb","ran_functions":[{"ran_function_id":2,"ran_function_oid":"1.3.6.1.4.1.53148.1.2.2.2"}]}`
	sub := `{"subscription_id":"s1","requestor_id":"xapp-kpm","ran_function_id":2,"event_triggers":[{"trigger_type":"PERIODIC"}],"actions":[{"action_id":1,"action_type":"report"}],"reporting_period":1000000000}`
	runSteps(t, s, []step{
		{name: "a node registers", method: "POST", path: "/e2ap/v1/nodes/gnb1/register", body: node, wantCode: 201, want: map[string]any{"node_id": "gnb1", "connection_state": "connected"}},
		{name: "registering twice conflicts", method: "POST", path: "/e2ap/v1/nodes/gnb1/register", body: node, wantCode: 409, wantField: "node_id"},
		{name: "a mismatched node id is refused", method: "POST", path: "/e2ap/v1/nodes/gnb2/register", body: `{"node_id":"other"}`, wantCode: 400, wantField: "node_id"},
		{name: "duplicate RAN functions are refused", method: "POST", path: "/e2ap/v1/nodes/gnb2/register", body: `{"ran_functions":[{"ran_function_id":1},{"ran_function_id":1}]}`, wantCode: 400, wantField: "ran_functions[1].ran_function_id"},
		{name: "the node is listed", method: "GET", path: "/e2ap/v1/nodes", wantCode: 200, want: map[string]any{"0.node_id": "gnb1"}},
		{name: "an update changes the type", method: "PUT", path: "/e2ap/v1/nodes/gnb1/update", body: `{"node_type":"du"}`, wantCode: 200, want: map[string]any{"node_type": "du", "global_e2_node_id": "gnb-001"}},
		{name: "updating an unknown node is 404", method: "PUT", path: "/e2ap/v1/nodes/ghost/update", body: `{}`, wantCode: 404, wantField: "node_id"},
		{name: "service models are listed", method: "GET", path: "/e2ap/v1/service-models", wantCode: 200, want: map[string]any{"0.service_model_name": "ORAN-E2SM-KPM"}},
		{name: "a service model is found by id", method: "GET", path: "/e2ap/v1/service-models/rc", wantCode: 200, want: map[string]any{"service_model_name": "ORAN-E2SM-RC"}},
		{name: "an unknown service model is 404", method: "GET", path: "/e2ap/v1/service-models/zz", wantCode: 404, wantField: "service_model_id"},
		{name: "a supported function validates", method: "POST", path: "/e2ap/v1/service-models/validate", body: `{"service_model_id":"kpm","function":"REPORT"}`, wantCode: 200, want: map[string]any{"valid": true}},
		{name: "an unsupported function does not", method: "POST", path: "/e2ap/v1/service-models/validate", body: `{"service_model_id":"kpm","function":"CONTROL"}`, wantCode: 200, want: map[string]any{"valid": false}},
		{name: "validation needs a model", method: "POST", path: "/e2ap/v1/service-models/validate", body: `{}`, wantCode: 400, wantField: "service_model_oid"},
		{name: "a subscription is created", method: "POST", path: "/e2ap/v1/nodes/gnb1/subscriptions", body: sub, wantCode: 201, want: map[string]any{"subscription_id": "s1", "status": "ACTIVE"}},
		{name: "the same subscription id conflicts", method: "POST", path: "/e2ap/v1/nodes/gnb1/subscriptions", body: sub, wantCode: 409, wantField: "subscription_id"},
		{name: "an undeclared RAN function is refused", method: "POST", path: "/e2ap/v1/nodes/gnb1/subscriptions", body: `{"ran_function_id":9,"actions":[{}]}`, wantCode: 400, wantField: "ran_function_id"},
		{name: "a subscription needs actions", method: "POST", path: "/e2ap/v1/nodes/gnb1/subscriptions", body: `{"ran_function_id":2}`, wantCode: 400, wantField: "actions"},
		{name: "a wrongly typed field is named", method: "POST", path: "/e2ap/v1/nodes/gnb1/subscriptions", body: `{"ran_function_id":"two"}`, wantCode: 400, wantField: "ran_function_id"},
		{name: "a subscription without id gets one", method: "POST", path: "/e2ap/v1/nodes/gnb1/subscriptions", body: `{"ran_function_id":2,"actions":[{}]}`, wantCode: 201, want: map[string]any{"subscription_id": "sub-1"}},
		{name: "subscriptions are listed", method: "GET", path: "/e2ap/v1/nodes/gnb1/subscriptions", wantCode: 200, want: map[string]any{"0.subscription_id": "s1", "1.subscription_id": "sub-1"}},
		{name: "a subscription is updated", method: "PUT", path: "/e2ap/v1/nodes/gnb1/subscriptions/s1", body: `{"ran_function_id":2,"actions":[{}],"reporting_period":5}`, wantCode: 200, want: map[string]any{"reporting_period": 5.0}},
		{name: "indications are reported", method: "GET", path: "/e2ap/v1/nodes/gnb1/subscriptions/s1/indications", wantCode: 200, want: map[string]any{"2.request_id": "s1-3"}},
		{name: "a control request succeeds", method: "POST", path: "/e2ap/v1/nodes/gnb1/control", body: `{"request_id":"r1","ran_function_id":2,"control_message":{"cmd":"handover"}}`, wantCode: 200, want: map[string]any{"request_id": "r1", "status.result": "SUCCESS"}},
		{name: "a control request needs a message", method: "POST", path: "/e2ap/v1/nodes/gnb1/control", body: `{"ran_function_id":2}`, wantCode: 400, wantField: "control_message"},
		{name: "a subscription is deleted", method: "DELETE", path: "/e2ap/v1/nodes/gnb1/subscriptions/s1", wantCode: 204},
		{name: "a deleted subscription is 404", method: "GET", path: "/e2ap/v1/nodes/gnb1/subscriptions/s1", wantCode: 404, wantField: "subscription_id"},
		{name: "the node deregisters", method: "DELETE", path: "/e2ap/v1/nodes/gnb1/deregister", wantCode: 204},
		{name: "its subscriptions went with it", method: "GET", path: "/e2ap/v1/nodes/gnb1/subscriptions", wantCode: 404, wantField: "node_id"},
	})
	if n := s.e2.subs.len(); n != 0 {
		t.Errorf("subscriptions left after deregister: %d, want 0", n)
	}
}
