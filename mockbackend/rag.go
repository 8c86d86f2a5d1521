package mockbackend

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// ragQueryRequest is the body of POST /query.
type ragQueryRequest struct {
	Question   string         `json:"question"`
	Context    map[string]any `json:"context"`
	MaxResults int            `json:"max_results"`
}

// ragIntentRequest is the body of POST /intent.
type ragIntentRequest struct {
	Intent string   `json:"intent"`
	User   string   `json:"user"`
	Tags   []string `json:"tags"`
}

// ragProcessRequest is the body of POST /process.
type ragProcessRequest struct {
	Query string `json:"query"`
}

type ragSource struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
}

// ragIntent is the structured intent the RAG service returns.
type ragIntent struct {
	Type           string         `json:"type"`
	Name           string         `json:"name"`
	Namespace      string         `json:"namespace"`
	Spec           map[string]any `json:"spec"`
	OriginalIntent string         `json:"original_intent"`
	Error          string         `json:"error,omitempty"`
}

const ragMaxText = 64 << 10 // longest question or intent accepted, in bytes

func ragRoutes() []routeSpec {
	return []routeSpec{
		served("rag.query", http.MethodPost, "/query", "ask the retrieval service a question", (*Server).ragQuery).
			withLoad(loadShape{body: func(_ string, n uint64) []byte { return loadRAGQueryBody(n) }}),
		served("rag.intent", http.MethodPost, "/intent", "turn a natural-language intent into a structured one", (*Server).ragIntentHandler).
			withLoad(loadShape{body: func(_ string, n uint64) []byte { return loadRAGIntentBody(1 + n%5) }}),
		served("rag.process", http.MethodPost, "/process", "process a free-form query", (*Server).ragProcess).
			withLoad(loadShape{body: func(string, uint64) []byte { return []byte(`{"query":"deploy a UPF with 3 replicas at the edge"}`) }}),
		served("rag.health", http.MethodGet, "/health", "the retrieval service's health", (*Server).ragHealth),
	}
}

func requiredText(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return badField(field, "is required")
	}
	if len(v) > ragMaxText {
		return badField(field, "is %d bytes; valid: at most %d", len(v), ragMaxText)
	}
	return nil
}

func decodeRAGQuery(b []byte) (ragQueryRequest, error) {
	var req ragQueryRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if err := requiredText("question", req.Question); err != nil {
		return req, err
	}
	if req.MaxResults < 0 || req.MaxResults > 100 {
		return req, badField("max_results", "%d is out of range; valid: 0 to 100", req.MaxResults)
	}
	return req, nil
}

func decodeRAGIntent(b []byte) (ragIntentRequest, error) {
	var req ragIntentRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	return req, requiredText("intent", req.Intent)
}

func decodeRAGProcess(b []byte) (ragProcessRequest, error) {
	var req ragProcessRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	return req, requiredText("query", req.Query)
}

var (
	nfNames    = []string{"amf", "smf", "upf", "nrf", "ausf", "udm", "pcf", "nssf", "cu-cp", "cu-up", "du", "ric"}
	nfRes      = compileWords(nfNames)
	replicasRe = regexp.MustCompile(`\b(\d{1,4})\s*(?:replicas?|instances?|copies)\b`)
	nsRe       = regexp.MustCompile(`\bnamespace\s+([a-z0-9][a-z0-9-]{0,62})\b`)
)

func compileWords(words []string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(words))
	for i, w := range words {
		out[i] = regexp.MustCompile(`\b` + regexp.QuoteMeta(w) + `\b`)
	}
	return out
}

// parseIntent turns free text into a structured intent deterministically:
// same text, same answer, so runs are comparable.
func parseIntent(text string) ragIntent {
	lower := strings.ToLower(text)
	in := ragIntent{Type: "NetworkFunctionDeployment", Name: "network-function", Namespace: "default",
		Spec: map[string]any{"replicas": 1}, OriginalIntent: text}
	if strings.Contains(lower, "scale") {
		in.Type = "NetworkFunctionScale"
	}
	for i, re := range nfRes {
		if re.MatchString(lower) {
			in.Name = nfNames[i]
			break
		}
	}
	if m := replicasRe.FindStringSubmatch(lower); m != nil {
		n, _ := strconv.Atoi(m[1])
		in.Spec["replicas"] = n
	}
	if m := nsRe.FindStringSubmatch(lower); m != nil {
		in.Namespace = m[1]
	}
	return in
}

func (s *Server) ragQuery(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeRAGQuery(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	n := req.MaxResults
	if n == 0 {
		n = 3
	}
	sources := make([]ragSource, n)
	for i := range sources {
		sources[i] = ragSource{ID: "doc-" + strconv.Itoa(i+1), Title: "O-RAN specification excerpt " + strconv.Itoa(i+1), Score: 0.9 - 0.1*float64(i)}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"answer":   "Based on the retrieved O-RAN documents: " + req.Question,
		"sources":  sources,
		"metadata": map[string]any{"retriever": "mock", "documents": n},
	})
}

func (s *Server) ragIntentHandler(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeRAGIntent(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, parseIntent(req.Intent))
}

func (s *Server) ragProcess(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeRAGProcess(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "processed", "result": parseIntent(req.Query)})
}

func (s *Server) ragHealth(w http.ResponseWriter, _ *http.Request) {
	writeRawJSON(w, http.StatusOK, []byte(`{"status":"healthy","components":{"retriever":"ok","vector_store":"ok"}}`+"\n"))
}
