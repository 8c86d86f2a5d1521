package scenarios

import (
	"net/http"
	"sort"
	"strconv"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Route is one request shape of a real O-RAN / Porch / RAG / LLM API that a
// mix can use.
type Route struct {
	Name        string
	API         string
	Description string
	Method      string
	// Path returns the request path for request number n of a run whose
	// unique prefix is run (so creates never collide across runs).
	Path func(run string, n uint64) string
	// Body returns the JSON body, or nil.
	Body func(run string, n uint64) []byte
	// Prepare names the objects that reads of this route expect to exist
	// (see fixtures); routes sharing fixtures name the same set.
	Prepare string
}

// Bounds of the id spaces routes cycle through, so long runs update and read
// a fixed set instead of growing the backend's stores without end.
const (
	policyIDs = 4096 // A1 policies written by a1-policy-put
	readIDs   = 64   // A1 policies created before load for reads
	e2Nodes   = 16   // E2 nodes registered before load
	porchRead = 32   // Porch packages created before load for reads
)

const (
	a1Base      = "/A1-P/v2/policytypes/1000/policies/"
	e2Base      = "/e2ap/v1/nodes/"
	porchREST   = "/api/v1"
	porchK8s    = "/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions"
	porchRepo   = "deployments"
	porchWS     = "main"
	llmPrompt   = `[{"role":"system","content":"You translate network intents into Kubernetes resources. Answer with JSON."},{"role":"user","content":"scale odu-high in namespace ran to 3 replicas"}]`
	ragQuestion = "Which E2 service model reports per-cell PRB usage, and how often can it report?"
)

func u(n uint64) string { return strconv.FormatUint(n, 10) }

func policyBody(id string, prio uint64) []byte {
	return []byte(`{"scope":{"ueId":"ue-` + id + `","qosId":"5qi-7"},"qosObjectives":{"priorityLevel":` + u(prio%16) + `}}`)
}

func e2Node(n uint64) string { return "e2node-" + u(n%e2Nodes) }

func subscriptionBody(id string) []byte {
	return []byte(`{"subscription_id":"` + id + `","requestor_id":"oranbench","ran_function_id":1,"event_triggers":[{"trigger_type":"periodic","period_ms":1000}],"actions":[{"action_id":1,"action_type":"REPORT"}],"reporting_period":1000}`)
}

func porchCreateBody(pkg string, n uint64) []byte {
	return []byte(`{"metadata":{"name":"` + pkg + `","namespace":"default"},"spec":{"workspace":"` + porchWS + `","intent":{"target":"odu-high","namespace":"ran","replicas":` + u(1+n%5) + `},"revision":"v1"}}`)
}

func porchObjectBody(name, pkg string) []byte {
	return []byte(`{"apiVersion":"porch.kpt.dev/v1alpha1","kind":"PackageRevision","metadata":{"name":"` + name + `","namespace":"default"},"spec":{"packageName":"` + pkg + `","repository":"` + porchRepo + `","workspaceName":"` + porchWS + `","revision":"v1","lifecycle":"Draft"}}`)
}

func chatBody(stream bool) []byte {
	s := "false"
	if stream {
		s = "true"
	}
	return []byte(`{"model":"intent-llm","messages":` + llmPrompt + `,"temperature":0,"response_format":{"type":"json_object"},"stream":` + s + `}`)
}

var routes = map[string]*Route{
	"a1-policy-put": {
		API: "A1-P v2", Description: "create or update a QoS policy (type 1000)", Method: http.MethodPut,
		Path: func(_ string, n uint64) string { return a1Base + "pol-" + u(n%policyIDs) },
		Body: func(_ string, n uint64) []byte { return policyBody(u(n%policyIDs), n) },
	},
	"a1-policy-get": {
		API: "A1-P v2", Description: "read a QoS policy (type 1000)", Method: http.MethodGet, Prepare: "a1",
		Path: func(_ string, n uint64) string { return a1Base + "read-" + u(n%readIDs) },
	},
	"a1-policy-status": {
		API: "A1-P v2", Description: "poll a policy's enforcement status", Method: http.MethodGet, Prepare: "a1",
		Path: func(_ string, n uint64) string { return a1Base + "read-" + u(n%readIDs) + "/status" },
	},
	"a1-policytypes-list": {
		API: "A1-P v2", Description: "list policy type ids", Method: http.MethodGet,
		Path: func(string, uint64) string { return "/A1-P/v2/policytypes" },
	},
	"e2-servicemodels-list": {
		API: "E2", Description: "list the RIC's service models", Method: http.MethodGet,
		Path: func(string, uint64) string { return "/e2ap/v1/service-models" },
	},
	"e2-node-get": {
		API: "E2", Description: "read a registered E2 node", Method: http.MethodGet, Prepare: "e2",
		Path: func(_ string, n uint64) string { return e2Base + e2Node(n) },
	},
	"e2-subscription-create": {
		API: "E2", Description: "subscribe to KPM reports on a node (unique subscription id)", Method: http.MethodPost, Prepare: "e2",
		Path: func(_ string, n uint64) string { return e2Base + e2Node(n) + "/subscriptions" },
		Body: func(run string, n uint64) []byte { return subscriptionBody("sub-" + run + "-" + u(n)) },
	},
	"e2-subscription-get": {
		API: "E2", Description: "read a subscription", Method: http.MethodGet, Prepare: "e2",
		Path: func(_ string, n uint64) string { return e2Base + e2Node(n) + "/subscriptions/sub-read" },
	},
	"e2-indications-list": {
		API: "E2", Description: "poll a subscription's indications", Method: http.MethodGet, Prepare: "e2",
		Path: func(_ string, n uint64) string { return e2Base + e2Node(n) + "/subscriptions/sub-read/indications" },
	},
	"e2-control": {
		API: "E2", Description: "send a RAN control request", Method: http.MethodPost, Prepare: "e2",
		Path: func(_ string, n uint64) string { return e2Base + e2Node(n) + "/control" },
		Body: func(run string, n uint64) []byte {
			return []byte(`{"request_id":"ctl-` + run + `-` + u(n) + `","ran_function_id":2,"control_header":{"ue_id":"ue-` + u(n%1000) + `"},"control_message":{"action":"handover","target_cell":"cell-` + u(n%7) + `"},"control_ack_request":true}`)
		},
	},
	"porch-package-create": {
		API: "Porch REST", Description: "create a package revision from an intent (unique name)", Method: http.MethodPost,
		Path: func(string, uint64) string { return porchREST + "/repositories/" + porchRepo + "/packages" },
		Body: func(run string, n uint64) []byte { return porchCreateBody("intent-"+run+"-"+u(n), n) },
	},
	"porch-package-get": {
		API: "Porch REST", Description: "read a package's latest revision", Method: http.MethodGet, Prepare: "porch",
		Path: func(_ string, n uint64) string {
			return porchREST + "/repositories/" + porchRepo + "/packages/read-" + u(n%porchRead)
		},
	},
	"porch-revision-get": {
		API: "Porch REST", Description: "read a package revision by name", Method: http.MethodGet, Prepare: "porch",
		Path: func(_ string, n uint64) string {
			return porchREST + "/packagerevisions/" + porchRepo + ".read-" + u(n%porchRead) + "." + porchWS
		},
	},
	"porch-k8s-create": {
		API: "Porch k8s", Description: "create a PackageRevision through the Kubernetes-style API (unique name)", Method: http.MethodPost,
		Path: func(string, uint64) string { return porchK8s },
		Body: func(run string, n uint64) []byte { return porchObjectBody("pr-"+run+"-"+u(n), "pkg-"+run+"-"+u(n)) },
	},
	"porch-k8s-get": {
		API: "Porch k8s", Description: "read a PackageRevision through the Kubernetes-style API", Method: http.MethodGet, Prepare: "porch",
		Path: func(_ string, n uint64) string { return porchK8s + "/read-pr-" + u(n%porchRead) },
	},
	"rag-query": {
		API: "RAG", Description: "ask the retrieval service a question", Method: http.MethodPost,
		Path: func(string, uint64) string { return "/query" },
		Body: func(_ string, n uint64) []byte {
			return []byte(`{"question":"` + ragQuestion + `","context":{"cluster":"edge-` + u(n%8) + `"},"max_results":3}`)
		},
	},
	"rag-intent": {
		API: "RAG", Description: "turn a natural-language intent into a structured one", Method: http.MethodPost,
		Path: func(string, uint64) string { return "/intent" },
		Body: func(_ string, n uint64) []byte {
			return []byte(`{"intent":"scale odu-high in namespace ran to ` + u(1+n%5) + ` replicas","user":"oranbench","tags":["scaling"]}`)
		},
	},
	"rag-process": {
		API: "RAG", Description: "process a free-form query", Method: http.MethodPost,
		Path: func(string, uint64) string { return "/process" },
		Body: func(string, uint64) []byte { return []byte(`{"query":"deploy a UPF with 3 replicas at the edge"}`) },
	},
	"llm-chat": {
		API: "LLM", Description: "OpenAI-style chat completion, JSON answer, whole response at once", Method: http.MethodPost,
		Path: func(string, uint64) string { return "/v1/chat/completions" },
		Body: func(string, uint64) []byte { return chatBody(false) },
	},
	"llm-chat-stream": {
		API: "LLM", Description: "chat completion streamed as server-sent events, one token at a time", Method: http.MethodPost,
		Path: func(string, uint64) string { return "/v1/chat/completions" },
		Body: func(string, uint64) []byte { return chatBody(true) },
	},
}

func init() {
	for name, r := range routes {
		r.Name = name
	}
}

var jsonHeader = http.Header{"Content-Type": []string{"application/json"}}

// RouteNames lists the routes a mix may use, sorted.
func RouteNames() []string {
	out := make([]string, 0, len(routes))
	for n := range routes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Routes returns the route catalog, sorted by name.
func Routes() []Route {
	out := make([]Route, 0, len(routes))
	for _, n := range RouteNames() {
		out = append(out, *routes[n])
	}
	return out
}

// fixtures are the objects read routes expect, created before load in
// stages (E2 subscriptions need their nodes first). Creating one that exists
// (409) is fine: an external target may keep them from an earlier run.
var fixtures = map[string][][]vegeta.Target{
	"a1": {func() []vegeta.Target {
		out := make([]vegeta.Target, readIDs)
		for i := range out {
			out[i] = vegeta.Target{Method: http.MethodPut, URL: a1Base + "read-" + strconv.Itoa(i), Body: policyBody("read", 1), Header: jsonHeader}
		}
		return out
	}()},
	"e2": func() [][]vegeta.Target {
		nodes := make([]vegeta.Target, e2Nodes)
		subs := make([]vegeta.Target, e2Nodes)
		for i := range nodes {
			id := "e2node-" + strconv.Itoa(i)
			nodes[i] = vegeta.Target{Method: http.MethodPost, URL: e2Base + id + "/register", Header: jsonHeader,
				Body: []byte(`{"node_id":"` + id + `","global_e2_node_id":"gnb-` + strconv.Itoa(i) + `","node_type":"gNB","ran_functions":[{"ran_function_id":1,"ran_function_oid":"1.3.6.1.4.1.53148.1.2.2.2"},{"ran_function_id":2,"ran_function_oid":"1.3.6.1.4.1.53148.1.1.2.3"}]}`)}
			subs[i] = vegeta.Target{Method: http.MethodPost, URL: e2Base + id + "/subscriptions", Header: jsonHeader, Body: subscriptionBody("sub-read")}
		}
		return [][]vegeta.Target{nodes, subs}
	}(),
	"porch": func() [][]vegeta.Target {
		var rest, k8s []vegeta.Target
		for i := range porchRead {
			rest = append(rest, vegeta.Target{Method: http.MethodPost, URL: porchREST + "/repositories/" + porchRepo + "/packages", Header: jsonHeader,
				Body: porchCreateBody("read-"+strconv.Itoa(i), uint64(i))})
			k8s = append(k8s, vegeta.Target{Method: http.MethodPost, URL: porchK8s, Header: jsonHeader,
				Body: porchObjectBody("read-pr-"+strconv.Itoa(i), "read-pkg-"+strconv.Itoa(i))})
		}
		return [][]vegeta.Target{append(rest, k8s...)}
	}(),
}
