package mockbackend

import "strconv"

// The request shapes of the catalog's load: what a load generator sends to
// each route (the loadShape of an entry in the API's route table), the flows
// and the fixture sets. Paths are filled into the routes' patterns, so the
// patterns stay written once, in the route tables.

// Bounds of the id spaces the load cycles through, so long runs update and
// read a fixed set instead of growing the stores without end.
const (
	loadPolicyIDs = 4096 // A1 policies written by a1.policy.put
	loadReadIDs   = 64   // A1 policies created before load for reads
	loadE2Nodes   = 16   // E2 nodes registered before load
	loadPorchRead = 32   // Porch packages created before load for reads
)

// Fixture sets (Route.Fixtures, Flow.Fixtures).
const (
	FixturesA1    = "a1"
	FixturesE2    = "e2"
	FixturesPorch = "porch"
)

const (
	loadA1Type    = "1000" // A1TypeQoS
	loadPorchRepo = "deployments"
	loadPorchWS   = "main"
	loadPorchNS   = "default"
	loadPrompt    = `[{"role":"system","content":"You translate network intents into Kubernetes resources. Answer with JSON."},{"role":"user","content":"scale odu-high in namespace ran to 3 replicas"}]`
	loadQuestion  = "Which E2 service model reports per-cell PRB usage, and how often can it report?"
)

func utoa(n uint64) string { return strconv.FormatUint(n, 10) }

func loadPolicyBody(id string, prio uint64) []byte {
	return []byte(`{"scope":{"ueId":"ue-` + id + `","qosId":"5qi-7"},"qosObjectives":{"priorityLevel":` + utoa(prio%16) + `}}`)
}

// loadE2Node is the registered E2 node request n goes to.
func loadE2Node(n uint64) string { return "e2node-" + utoa(n%loadE2Nodes) }

func loadSubscriptionBody(id string) []byte {
	return []byte(`{"subscription_id":"` + id + `","requestor_id":"oranbench","ran_function_id":1,"event_triggers":[{"trigger_type":"periodic","period_ms":1000}],"actions":[{"action_id":1,"action_type":"REPORT"}],"reporting_period":1000}`)
}

func loadControlBody(run string, n uint64) []byte {
	return []byte(`{"request_id":"ctl-` + run + `-` + utoa(n) + `","ran_function_id":2,"control_header":{"ue_id":"ue-` + utoa(n%1000) + `"},"control_message":{"action":"handover","target_cell":"cell-` + utoa(n%7) + `"},"control_ack_request":true}`)
}

func loadE2RegisterBody(id string, i int) []byte {
	return []byte(`{"node_id":"` + id + `","global_e2_node_id":"gnb-` + strconv.Itoa(i) + `","node_type":"gNB","ran_functions":[{"ran_function_id":1,"ran_function_oid":"1.3.6.1.4.1.53148.1.2.2.2"},{"ran_function_id":2,"ran_function_oid":"1.3.6.1.4.1.53148.1.1.2.3"}]}`)
}

func loadPorchCreateBody(pkg string, n uint64) []byte {
	return []byte(`{"metadata":{"name":"` + pkg + `","namespace":"default"},"spec":{"workspace":"` + loadPorchWS + `","intent":{"target":"odu-high","namespace":"ran","replicas":` + utoa(1+n%5) + `},"revision":"v1"}}`)
}

func loadPorchObjectBody(name, pkg string) []byte {
	return []byte(`{"apiVersion":"porch.kpt.dev/v1alpha1","kind":"PackageRevision","metadata":{"name":"` + name + `","namespace":"default"},"spec":{"packageName":"` + pkg + `","repository":"` + loadPorchRepo + `","workspaceName":"` + loadPorchWS + `","revision":"v1","lifecycle":"Draft"}}`)
}

// loadPorchRevision is the revision name Porch gives package pkg of the load.
func loadPorchRevision(pkg string) string { return loadPorchRepo + "." + pkg + "." + loadPorchWS }

func loadProposalBody(pkg string) []byte {
	return []byte(`{"packageRevision":"` + loadPorchRevision(pkg) + `","namespace":"default"}`)
}

func loadRAGQueryBody(n uint64) []byte {
	return []byte(`{"question":"` + loadQuestion + `","context":{"cluster":"edge-` + utoa(n%8) + `"},"max_results":3}`)
}

func loadRAGIntentBody(replicas uint64) []byte {
	return []byte(`{"intent":"scale odu-high in namespace ran to ` + utoa(replicas) + ` replicas","user":"oranbench","tags":["scaling"]}`)
}

func loadChatBody(stream bool) []byte {
	s := "false"
	if stream {
		s = "true"
	}
	return []byte(`{"model":"intent-llm","messages":` + loadPrompt + `,"temperature":0,"response_format":{"type":"json_object"},"stream":` + s + `}`)
}

// flowNode spreads flow objects over the registered E2 nodes by their id.
func flowNode(id string) string {
	h := uint64(0)
	for i := 0; i < len(id); i++ {
		h = h*31 + uint64(id[i])
	}
	return loadE2Node(h)
}

// flowDefs are the catalog's flows by name.
var flowDefs = map[string]flowDef{
	"porch.package.publish": {
		api: "Porch REST", description: "create a package revision, propose it, approve it (Draft → Proposed → Published)",
		steps: []flowStepDef{
			{route: "porch.package.create", params: func(string) pathVals { return vals(loadPorchRepo) },
				body: func(id string) []byte { return loadPorchCreateBody("intent-"+id, uint64(len(id))) }},
			{route: "porch.proposal.create", body: func(id string) []byte { return loadProposalBody("intent-" + id) }},
			{route: "porch.revision.approve", params: func(id string) pathVals { return vals(loadPorchRevision("intent-" + id)) }},
		},
	},
	"porch.k8s.lifecycle": {
		api: "Porch k8s", description: "create a PackageRevision, then patch its lifecycle to Proposed and Published",
		steps: []flowStepDef{
			{route: "porch.k8s.create", params: func(string) pathVals { return vals(loadPorchNS) },
				body: func(id string) []byte { return loadPorchObjectBody("pr-"+id, "pkg-"+id) }},
			{route: "porch.k8s.patch", params: func(id string) pathVals { return vals(loadPorchNS, "pr-"+id) },
				body: func(string) []byte { return []byte(`{"spec":{"lifecycle":"Proposed"}}`) }},
			{route: "porch.k8s.patch", params: func(id string) pathVals { return vals(loadPorchNS, "pr-"+id) },
				body: func(string) []byte { return []byte(`{"spec":{"lifecycle":"Published"}}`) }},
		},
	},
	"a1.policy.apply": {
		api: "A1-P v2", description: "put a policy, then poll its enforcement status twice",
		steps: []flowStepDef{
			{route: "a1.policy.put", params: func(id string) pathVals { return vals(loadA1Type, "apply-"+id) },
				body: func(id string) []byte { return loadPolicyBody(id, uint64(len(id))) }},
			{route: "a1.policy.status", params: func(id string) pathVals { return vals(loadA1Type, "apply-"+id) }},
			{route: "a1.policy.status", params: func(id string) pathVals { return vals(loadA1Type, "apply-"+id) }},
		},
	},
	"e2.subscription.lifecycle": {
		api: "E2", description: "subscribe on a node, read the indications, unsubscribe", fixtures: FixturesE2,
		steps: []flowStepDef{
			{route: "e2.subscription.create", params: func(id string) pathVals { return vals(flowNode(id)) },
				body: func(id string) []byte { return loadSubscriptionBody("fsub-" + id) }},
			{route: "e2.indications.list", params: func(id string) pathVals { return vals(flowNode(id), "fsub-"+id) }},
			{route: "e2.subscription.delete", params: func(id string) pathVals { return vals(flowNode(id), "fsub-"+id) }},
		},
	},
	"intent.pipeline": {
		api: "RAG, LLM, Porch REST", description: "the operator's path for one intent: RAG intent, LLM completion, Porch create and propose",
		steps: []flowStepDef{
			{route: "rag.intent", body: func(string) []byte { return loadRAGIntentBody(3) }},
			{route: "llm.chat", body: func(string) []byte { return loadChatBody(false) }},
			{route: "porch.package.create", params: func(string) pathVals { return vals(loadPorchRepo) },
				body: func(id string) []byte { return loadPorchCreateBody("intent-"+id, 3) }},
			{route: "porch.proposal.create", body: func(id string) []byte { return loadProposalBody("intent-" + id) }},
		},
	},
}

// fixtureSets build the fixture sets' requests by stage.
var fixtureSets = map[string]func() [][]fixtureReq{
	FixturesA1: func() [][]fixtureReq {
		out := make([]fixtureReq, loadReadIDs)
		for i := range out {
			out[i] = fixtureReq{route: "a1.policy.put", params: vals(loadA1Type, "read-"+strconv.Itoa(i)), body: loadPolicyBody("read", 1)}
		}
		return [][]fixtureReq{out}
	},
	FixturesE2: func() [][]fixtureReq {
		nodes := make([]fixtureReq, loadE2Nodes)
		subs := make([]fixtureReq, loadE2Nodes)
		for i := range nodes {
			id := "e2node-" + strconv.Itoa(i)
			nodes[i] = fixtureReq{route: "e2.node.register", params: vals(id), body: loadE2RegisterBody(id, i)}
			subs[i] = fixtureReq{route: "e2.subscription.create", params: vals(id), body: loadSubscriptionBody("sub-read")}
		}
		return [][]fixtureReq{nodes, subs}
	},
	FixturesPorch: func() [][]fixtureReq {
		var rest, k8s []fixtureReq
		for i := range loadPorchRead {
			rest = append(rest, fixtureReq{route: "porch.package.create", params: vals(loadPorchRepo),
				body: loadPorchCreateBody("read-"+strconv.Itoa(i), uint64(i))})
			k8s = append(k8s, fixtureReq{route: "porch.k8s.create", params: vals(loadPorchNS),
				body: loadPorchObjectBody("read-pr-"+strconv.Itoa(i), "read-pkg-"+strconv.Itoa(i))})
		}
		return [][]fixtureReq{append(rest, k8s...)}
	},
}

// served is a route the mock answers with h.
func served(name, method, pattern, description string, h handlerFunc) routeSpec {
	return routeSpec{Route: Route{Name: name, Method: method, Pattern: pattern, Description: description}, handler: h}
}

// withLoad attaches the load a generator sends to the route.
func (rs routeSpec) withLoad(l loadShape) routeSpec {
	rs.load = &l
	return rs
}

// variant is a second load shape of the served route of, with the same
// method and pattern.
func variant(name, of, description string, l loadShape) routeSpec {
	return routeSpec{Route: Route{Name: name, Serves: of, Description: description}, load: &l}
}
