package langchaingo_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"

	"github.com/waauto/waauto/action/ai"
	lcg "github.com/waauto/waauto/adapters/langchaingo"
	"github.com/waauto/waauto/trigger"
)

// recorder is an httptest handler that stores decoded JSON bodies.
type recorder struct {
	mu     sync.Mutex
	bodies []map[string]any
	status int
	answer string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec.mu.Lock()
	rec.bodies = append(rec.bodies, body)
	status, answer := rec.status, rec.answer
	rec.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if status != 0 {
		w.WriteHeader(status)
	}
	_, _ = w.Write([]byte(answer))
}

func (rec *recorder) last(t *testing.T) map[string]any {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.bodies) == 0 {
		t.Fatal("no request")
	}
	return rec.bodies[len(rec.bodies)-1]
}

func TestAnthropicWireFormat(t *testing.T) {
	rec := &recorder{answer: `{"id":"msg_1","type":"message","role":"assistant","model":"claude-test",
	  "content":[{"type":"text","text":"Oui, en M."}],"stop_reason":"end_turn","usage":{"input_tokens":120,"output_tokens":6}}`}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/messages", rec)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	r, err := lcg.NewAnthropic(lcg.AnthropicConfig{BaseURL: srv.URL + "/v1", APIKey: "k", Model: "claude-test", HTTPClient: srv.Client()},
		quiet, lcg.WithMaxTokens(256), lcg.WithRetries(1, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	reply, err := r.Respond(context.Background(), ai.Request{AccountPrompt: "Shop prompt.",
		History: []ai.Message{{Role: ai.RoleCustomer, Text: "Salut"}, {Role: ai.RoleAutomation, Text: "Bonjour !"}},
		Message: ai.Message{Role: ai.RoleCustomer, Text: "Vous l'avez en M ?", Media: media(trigger.MessageImage, "image/jpeg", "", jpeg)}})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Text != "Oui, en M." || reply.Usage != (ai.Usage{Model: "claude-test", PromptTokens: 120, CompletionTokens: 6, TotalTokens: 126}) {
		t.Errorf("reply %q usage %+v", reply.Text, reply.Usage)
	}
	body := rec.last(t)
	if body["model"] != "claude-test" || body["max_tokens"] != float64(256) {
		t.Errorf("model %v max_tokens %v", body["model"], body["max_tokens"])
	}
	if sys, _ := body["system"].(string); !strings.HasPrefix(sys, "Shop prompt.") || !strings.Contains(sys, "Rules:") {
		t.Errorf("system = %v", body["system"])
	}
	msgs, _ := body["messages"].([]any)
	if len(msgs) != 3 {
		t.Fatalf("messages = %v", msgs)
	}
	last := msgs[2].(map[string]any)
	content := last["content"].([]any)
	if last["role"] != "user" || len(content) != 2 {
		t.Fatalf("last = %v", last)
	}
	img := content[1].(map[string]any)
	src, _ := img["source"].(map[string]any)
	if img["type"] != "image" || src["media_type"] != "image/jpeg" || src["type"] != "base64" {
		t.Errorf("image block = %v", img)
	}

	rec.mu.Lock()
	rec.status, rec.answer = 429, `{"type":"error","error":{"type":"rate_limit_error","message":"rate limit"}}`
	rec.mu.Unlock()
	_, err = r.Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Text: "?"}})
	if !llms.IsRateLimitError(err) || !errors.Is(err, ai.ErrModel) {
		t.Errorf("429: err = %v", err)
	}
}

func TestOllamaWireFormat(t *testing.T) {
	rec := &recorder{answer: `{"model":"llava","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Bonjour !"},"done":true,"prompt_eval_count":40,"eval_count":3}`}
	mux := http.NewServeMux()
	mux.Handle("POST /api/chat", rec)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	r, err := lcg.NewOllama(lcg.OllamaConfig{ServerURL: srv.URL, Model: "llava", HTTPClient: srv.Client()}, quiet, lcg.WithMaxTokens(128), lcg.WithRetries(1, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	reply, err := r.Respond(context.Background(), ai.Request{AccountPrompt: "Shop.",
		History: []ai.Message{{Role: ai.RoleCustomer, Text: "a"}, {Role: ai.RoleCustomer, Text: "b"}, {Role: ai.RoleAgent, Text: "c"}},
		Message: ai.Message{Role: ai.RoleCustomer, Text: "photo ?", Media: media(trigger.MessageImage, "image/png", "", []byte("\x89PNG\r\n\x1a\nrest"))}})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Text != "Bonjour !" || reply.Usage.PromptTokens != 40 || reply.Usage.CompletionTokens != 3 || reply.Usage.TotalTokens != 43 {
		t.Errorf("reply %q usage %+v", reply.Text, reply.Usage)
	}
	body := rec.last(t)
	if body["model"] != "llava" || body["stream"] == true {
		t.Errorf("model %v stream %v", body["model"], body["stream"])
	}
	if opts, _ := body["options"].(map[string]any); opts["num_predict"] != float64(128) {
		t.Errorf("options = %v", body["options"])
	}
	msgs := body["messages"].([]any)
	var roles []string
	for _, m := range msgs {
		roles = append(roles, m.(map[string]any)["role"].(string))
	}
	if strings.Join(roles, ",") != "system,user,assistant,user" {
		t.Fatalf("roles = %v", roles)
	}
	if c := msgs[1].(map[string]any)["content"]; c != "a\nb" {
		t.Errorf("merged customer turn = %q", c)
	}
	last := msgs[3].(map[string]any)
	if imgs, _ := last["images"].([]any); len(imgs) != 1 {
		t.Errorf("images = %v", last["images"])
	}

	rec.mu.Lock()
	rec.status, rec.answer = 500, `{"error":"model crashed"}`
	rec.mu.Unlock()
	if _, err := r.Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Text: "?"}}); !errors.Is(err, ai.ErrModel) {
		t.Errorf("500: err = %v", err)
	}
}
