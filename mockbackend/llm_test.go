package mockbackend

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLLMChatCompletionsNonStreaming(t *testing.T) {
	s := startServer(t, Config{TLS: true, LLMTokens: 12})
	runSteps(t, s, []step{
		{name: "a completion has content and usage", method: "POST", path: "/v1/chat/completions",
			body: `{"model":"gpt-x","messages":[{"role":"user","content":"deploy upf"}]}`, wantCode: 200,
			want: map[string]any{"object": "chat.completion", "model": "gpt-x", "choices.0.message.role": "assistant", "choices.0.finish_reason": "stop", "usage.completion_tokens": 12.0}},
		{name: "max_tokens cuts the answer short", method: "POST", path: "/v1/chat/completions",
			body: `{"messages":[{"role":"user","content":"x"}],"max_tokens":3}`, wantCode: 200,
			want: map[string]any{"choices.0.finish_reason": "length", "usage.completion_tokens": 3.0}},
		{name: "messages are required", method: "POST", path: "/v1/chat/completions", body: `{"model":"m"}`, wantCode: 400, wantField: "messages"},
		{name: "a role is checked", method: "POST", path: "/v1/chat/completions", body: `{"messages":[{"role":"robot","content":"x"}]}`, wantCode: 400, wantField: "messages[0].role"},
		{name: "temperature is bounded", method: "POST", path: "/v1/chat/completions", body: `{"messages":[{"role":"user"}],"temperature":3}`, wantCode: 400, wantField: "temperature"},
		{name: "an unknown response format is refused", method: "POST", path: "/v1/chat/completions", body: `{"messages":[{"role":"user"}],"response_format":{"type":"xml"}}`, wantCode: 400, wantField: "response_format.type"},
	})
	c := newClient(t, s, nil)
	resp := do(t, c, "POST", s.URL()+"/v1/chat/completions", `{"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}`)
	content, _ := jsonPath(t, resp.body, "choices.0.message.content").(string)
	var intent map[string]any
	if err := json.Unmarshal([]byte(content), &intent); err != nil || intent["name"] != "upf" {
		t.Errorf("json_object content is not a JSON intent: %v: %q", err, content)
	}
}

func TestLLMStreamsServerSentEventsWithPerTokenDelay(t *testing.T) {
	const tokens, delay = 8, 15 * time.Millisecond
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "over HTTP/1.1", true: "over h2"}[h2], func(t *testing.T) {
			s := startServer(t, Config{TLS: true, HTTP2: h2, LLMTokens: tokens, TokenDelay: delay})
			c := newClient(t, s, func(tr *http.Transport) { tr.ForceAttemptHTTP2 = h2 })
			req, _ := http.NewRequest("POST", s.URL()+"/v1/chat/completions", strings.NewReader(`{"stream":true,"messages":[{"role":"user","content":"hi"}]}`))
			start := time.Now()
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Fatalf("Content-Type = %q, want text/event-stream", ct)
			}
			if (resp.ProtoMajor == 2) != h2 {
				t.Fatalf("protocol %s, want h2=%v", resp.Proto, h2)
			}
			var arrivals []time.Duration
			var text strings.Builder
			var finish string
			done := false
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				line, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				if line == "[DONE]" {
					done = true
					break
				}
				var chunk chatResponse
				if err := json.Unmarshal([]byte(line), &chunk); err != nil {
					t.Fatalf("event is not a chunk: %v: %s", err, line)
				}
				if d := chunk.Choices[0].Delta; d != nil && d.Content != "" {
					text.WriteString(d.Content)
					arrivals = append(arrivals, time.Since(start))
				}
				if f := chunk.Choices[0].FinishReason; f != nil {
					finish = *f
				}
			}
			if !done || finish != "stop" || len(arrivals) != tokens {
				t.Fatalf("stream: done=%v finish=%q tokens=%d, want done, stop, %d", done, finish, len(arrivals), tokens)
			}
			// The server waits the delay before every token, and the tokens
			// arrive spread out rather than in one burst at the end.
			if last := arrivals[tokens-1]; last < tokens*delay {
				t.Errorf("last token after %v, want >= %v", last, tokens*delay)
			}
			if spread := arrivals[tokens-1] - arrivals[0]; spread < tokens/2*delay {
				t.Errorf("tokens spread over %v, want >= %v", spread, tokens/2*delay)
			}
			if !strings.HasPrefix(text.String(), "the intent asks") {
				t.Errorf("streamed text = %q", text.String())
			}
		})
	}
}
