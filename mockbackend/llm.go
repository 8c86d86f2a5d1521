package mockbackend

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// chatRequest is an OpenAI-compatible chat completion request.
type chatRequest struct {
	Model          string        `json:"model"`
	Messages       []chatMessage `json:"messages"`
	MaxTokens      *int          `json:"max_tokens"`
	Temperature    *float64      `json:"temperature"`
	Stream         bool          `json:"stream"`
	ResponseFormat *struct {
		Type string `json:"type"`
	} `json:"response_format"`
}

type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type chatMessageOut struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content,omitempty"`
}

type chatChoice struct {
	Index        int             `json:"index"`
	Message      *chatMessageOut `json:"message,omitempty"`
	Delta        *chatMessageOut `json:"delta,omitempty"`
	FinishReason *string         `json:"finish_reason"`
}

type chatResponse struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices []chatChoice `json:"choices"`
	Usage   *chatUsage   `json:"usage,omitempty"`
}

type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

const llmDefaultModel = "oranbench-mock-llm"

var chatRoles = []string{"system", "user", "assistant", "tool", "developer"}

func llmRoutes() []routeSpec {
	return []routeSpec{
		served("llm.chat", http.MethodPost, "/v1/chat/completions", "OpenAI-style chat completion, JSON answer, whole response at once", (*Server).llmChat).
			streaming(isStreamingChat).withLoad(loadShape{body: func(string, uint64) []byte { return loadChatBody(false) }}),
		variant("llm.chat.stream", "llm.chat", "chat completion streamed as server-sent events, one token at a time",
			loadShape{body: func(string, uint64) []byte { return loadChatBody(true) }}),
	}
}

// decodeChat decodes and validates a chat completion request.
func decodeChat(b []byte) (chatRequest, error) {
	var req chatRequest
	if err := decodeObject(b, &req); err != nil {
		return req, err
	}
	if len(req.Messages) == 0 {
		return req, badField("messages", "is required: at least one message")
	}
	for i, m := range req.Messages {
		ok := false
		for _, r := range chatRoles {
			ok = ok || m.Role == r
		}
		if !ok {
			return req, badField("messages["+strconv.Itoa(i)+"].role", "%q is invalid; valid: %s", m.Role, strings.Join(chatRoles, ", "))
		}
	}
	if req.MaxTokens != nil && *req.MaxTokens < 1 {
		return req, badField("max_tokens", "%d is invalid; valid: >= 1", *req.MaxTokens)
	}
	if req.Temperature != nil && (*req.Temperature < 0 || *req.Temperature > 2) {
		return req, badField("temperature", "%v is out of range; valid: 0 to 2", *req.Temperature)
	}
	if rf := req.ResponseFormat; rf != nil && rf.Type != "text" && rf.Type != "json_object" && rf.Type != "json_schema" {
		return req, badField("response_format.type", "%q is invalid; valid: text, json_object, json_schema", rf.Type)
	}
	return req, nil
}

// llmTokens are the canned completions, split into tokens once at start.
type llmTokens struct {
	text []string
	json []string
}

// newLLMTokens builds completions of n tokens. The JSON one is a structured
// intent whose explanation is padded to n tokens, so it stays valid JSON
// unless max_tokens cuts it short (finish_reason "length").
func newLLMTokens(n int) llmTokens {
	words := strings.Fields("the intent asks for a network function deployment with the requested replicas in the target namespace and the mock model confirms it")
	word := func(i int) string { return words[i%len(words)] + " " }
	var t llmTokens
	for i := range n {
		t.text = append(t.text, word(i))
	}
	t.json = append(t.json, `{"type":"NetworkFunctionDeployment","name":"upf","namespace":"default","spec":{"replicas":3},"explanation":"`)
	for i := range max(n-2, 0) {
		t.json = append(t.json, word(i))
	}
	t.json = append(t.json, `"}`)
	return t
}

func promptTokens(msgs []chatMessage) int {
	n := 0
	for _, m := range msgs {
		n += len(m.Content)/4 + 1
	}
	return n
}

// llmChat answers a chat completion, as one JSON object or, with
// "stream": true, as server-sent events with TokenDelay between tokens.
func (s *Server) llmChat(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeChat(b)
	if err != nil {
		writeFieldError(w, err)
		return
	}
	tokens := s.llm.text
	if req.ResponseFormat != nil && req.ResponseFormat.Type != "text" {
		tokens = s.llm.json
	}
	finish := "stop"
	if req.MaxTokens != nil && *req.MaxTokens < len(tokens) {
		tokens, finish = tokens[:*req.MaxTokens], "length"
	}
	model := req.Model
	if model == "" {
		model = llmDefaultModel
	}
	id := "chatcmpl-mock-" + strconv.FormatInt(s.seq.Add(1), 10)
	created := time.Now().Unix()
	if !req.Stream {
		// Non-streaming clients wait for the whole generation.
		if !s.sleep(r.Context(), time.Duration(len(tokens))*s.cfg.TokenDelay) {
			abortWait()
			return
		}
		pt := promptTokens(req.Messages)
		writeJSON(w, http.StatusOK, chatResponse{
			ID: id, Object: "chat.completion", Created: created, Model: model,
			Choices: []chatChoice{{Message: &chatMessageOut{Role: "assistant", Content: strings.Join(tokens, "")}, FinishReason: &finish}},
			Usage:   &chatUsage{PromptTokens: pt, CompletionTokens: len(tokens), TotalTokens: pt + len(tokens)},
		})
		return
	}
	s.streamChat(w, r, chatResponse{ID: id, Object: "chat.completion.chunk", Created: created, Model: model}, tokens, finish)
}

// streamChat writes one SSE event per token, flushing each.
func (s *Server) streamChat(w http.ResponseWriter, r *http.Request, head chatResponse, tokens []string, finish string) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	var buf bytes.Buffer
	send := func(delta chatMessageOut, fin *string) bool {
		head.Choices = []chatChoice{{Delta: &delta, FinishReason: fin}}
		buf.Reset()
		buf.WriteString("data: ")
		_ = json.NewEncoder(&buf).Encode(head) // ends with '\n'
		buf.WriteByte('\n')
		if _, err := w.Write(buf.Bytes()); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(chatMessageOut{Role: "assistant"}, nil) {
		return
	}
	for _, tok := range tokens {
		if !s.sleep(r.Context(), s.cfg.TokenDelay) {
			abortWait() // a cut stream, not one that looks complete
			return
		}
		if !send(chatMessageOut{Content: tok}, nil) {
			return
		}
	}
	if !send(chatMessageOut{}, &finish) {
		return
	}
	_, _ = w.Write([]byte("data: [DONE]\n\n"))
	_ = rc.Flush()
}
