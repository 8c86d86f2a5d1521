package mockbackend

import "testing"

func TestRAGRoutesAnswerAndValidate(t *testing.T) {
	s := startServer(t, Config{TLS: true})
	runSteps(t, s, []step{
		{name: "a query is answered with sources", method: "POST", path: "/query", body: `{"question":"What is A1?","max_results":2}`, wantCode: 200,
			want: map[string]any{"sources.1.id": "doc-2", "metadata.documents": 2.0}},
		{name: "a query needs a question", method: "POST", path: "/query", body: `{"context":{}}`, wantCode: 400, wantField: "question"},
		{name: "max_results is bounded", method: "POST", path: "/query", body: `{"question":"q","max_results":1000}`, wantCode: 400, wantField: "max_results"},
		{name: "an intent is structured", method: "POST", path: "/intent", body: `{"intent":"Scale the UPF to 5 replicas in namespace edge-ran"}`, wantCode: 200,
			want: map[string]any{"type": "NetworkFunctionScale", "name": "upf", "namespace": "edge-ran", "spec.replicas": 5.0}},
		{name: "a deployment intent defaults to one replica", method: "POST", path: "/intent", body: `{"intent":"deploy an AMF"}`, wantCode: 200,
			want: map[string]any{"type": "NetworkFunctionDeployment", "name": "amf", "namespace": "default", "spec.replicas": 1.0}},
		{name: "an empty intent is 400", method: "POST", path: "/intent", body: `{"intent":"  "}`, wantCode: 400, wantField: "intent"},
		{name: "a wrongly typed tag list is named", method: "POST", path: "/intent", body: `{"intent":"x","tags":"a"}`, wantCode: 400, wantField: "tags"},
		{name: "process wraps the structured intent", method: "POST", path: "/process", body: `{"query":"deploy smf"}`, wantCode: 200, want: map[string]any{"status": "processed", "result.name": "smf"}},
		{name: "process needs a query", method: "POST", path: "/process", body: `{}`, wantCode: 400, wantField: "query"},
		{name: "health is reported", method: "GET", path: "/health", wantCode: 200, want: map[string]any{"status": "healthy"}},
	})
}

func TestBearerTokenGuardsAPIRoutesOnly(t *testing.T) {
	s := startServer(t, Config{TLS: true, BearerToken: "s3cret"})
	c := newClient(t, s, nil)
	cases := []struct {
		name, path, auth string
		want             int
	}{
		{"an API route without a token is 401", "/health", "", 401},
		{"a wrong token is 401", "/health", "Bearer nope", 401},
		{"the right token passes", "/health", "Bearer s3cret", 200},
		{"healthz needs no token", "/healthz", "", 200},
		{"metrics need no token", "/metrics", "", 200},
	}
	for _, tc := range cases {
		resp := do(t, c, "GET", s.URL()+tc.path, "", "Authorization", tc.auth)
		if resp.code != tc.want {
			t.Errorf("%s: code %d, want %d", tc.name, resp.code, tc.want)
		}
		if tc.want == 401 && resp.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate header", tc.name)
		}
	}
}
