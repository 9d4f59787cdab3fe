// Package langchaingotest is a fake OpenAI-compatible server for tests: an
// httptest server that speaks POST /v1/chat/completions and
// POST /v1/audio/transcriptions, records every request and answers with
// scripted replies. Point the real langchaingo openai client (or
// langchaingo.NewOpenAICompatible) at Server.BaseURL.
package langchaingotest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// ChatRequest is a decoded /chat/completions request.
type ChatRequest struct {
	Model               string        `json:"model"`
	Messages            []ChatMessage `json:"messages"`
	MaxTokens           *int          `json:"max_tokens"`
	MaxCompletionTokens *int          `json:"max_completion_tokens"`
	Temperature         *float64      `json:"temperature"`
	Tools               []any         `json:"tools"`
}

// ChatMessage is one message of a request. Content is either a plain
// string (Text) or an array of parts (Parts).
type ChatMessage struct {
	Role  string
	Text  string // the string content, or the text parts joined with "\n"
	Parts []Part // nil when the content was a plain string
}

// Part is one element of an array content.
type Part struct {
	Type     string // "text" or "image_url" (or anything the client sent)
	Text     string
	ImageURL string
}

// UnmarshalJSON accepts both content forms.
func (m *ChatMessage) UnmarshalJSON(b []byte) error {
	var raw struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m.Role = raw.Role
	if len(raw.Content) == 0 || string(raw.Content) == "null" {
		return nil
	}
	if raw.Content[0] == '"' {
		return json.Unmarshal(raw.Content, &m.Text)
	}
	var parts []struct {
		Type     string `json:"type"`
		Text     string `json:"text"`
		ImageURL struct {
			URL string `json:"url"`
		} `json:"image_url"`
	}
	if err := json.Unmarshal(raw.Content, &parts); err != nil {
		return err
	}
	var texts []string
	for _, p := range parts {
		m.Parts = append(m.Parts, Part{Type: p.Type, Text: p.Text, ImageURL: p.ImageURL.URL})
		if p.Type == "text" {
			texts = append(texts, p.Text)
		}
	}
	m.Text = strings.Join(texts, "\n")
	return nil
}

// Response scripts one answer of the server.
type Response struct {
	// Status defaults to 200. Any other status sends Error as the body.
	Status int
	Error  string
	// Content is the assistant message; FinishReason defaults to "stop".
	Content      string
	FinishReason string
	// PromptTokens and CompletionTokens fill usage.
	PromptTokens, CompletionTokens int
	// Delay holds the answer back (or until the client gives up).
	Delay time.Duration
	// NoChoices sends an empty choices array.
	NoChoices bool
}

// Transcription is a recorded /audio/transcriptions request.
type Transcription struct {
	FileName, Model, Format, Language string
	Size                              int
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	// BaseURL is the server's URL with "/v1", for openai.WithBaseURL.
	BaseURL string
	srv     *httptest.Server

	mu         sync.Mutex
	reply      func(ChatRequest) Response
	transcript string
	reqs       []ChatRequest
	trans      []Transcription
}

// NewServer starts a fake (see Start) that is closed when tb's test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := Start()
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake that answers "OK" with 10+2 tokens until Reply
// changes it, and transcribes every upload as "transcript". Close it when
// done.
func Start() *Server {
	s := &Server{
		reply:      func(ChatRequest) Response { return Response{Content: "OK", PromptTokens: 10, CompletionTokens: 2} },
		transcript: "transcript",
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/audio/transcriptions", s.transcribe)
	s.srv = httptest.NewServer(mux)
	s.BaseURL = s.srv.URL + "/v1"
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Reply sets how the server answers chat requests.
func (s *Server) Reply(fn func(ChatRequest) Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = fn
}

// SetTranscript sets the text every transcription returns.
func (s *Server) SetTranscript(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transcript = text
}

// Requests returns the chat requests received so far.
func (s *Server) Requests() []ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ChatRequest(nil), s.reqs...)
}

// Transcriptions returns the transcription requests received so far.
func (s *Server) Transcriptions() []Transcription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Transcription(nil), s.trans...)
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req ChatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad json: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	fn := s.reply
	s.mu.Unlock()
	resp := fn(req)
	if resp.Delay > 0 {
		select {
		case <-time.After(resp.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if resp.Status != 0 && resp.Status != http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.Status)
		fmt.Fprintf(w, `{"error":{"message":%q}}`, resp.Error)
		return
	}
	choices := []map[string]any{}
	if !resp.NoChoices {
		finish := resp.FinishReason
		if finish == "" {
			finish = "stop"
		}
		choices = append(choices, map[string]any{
			"index": 0, "finish_reason": finish,
			"message": map[string]any{"role": "assistant", "content": resp.Content},
		})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1764000000, "model": req.Model,
		"choices": choices,
		"usage": map[string]int{"prompt_tokens": resp.PromptTokens, "completion_tokens": resp.CompletionTokens,
			"total_tokens": resp.PromptTokens + resp.CompletionTokens},
	})
}

func (s *Server) transcribe(w http.ResponseWriter, r *http.Request) {
	f, h, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file: "+err.Error(), http.StatusBadRequest)
		return
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	s.mu.Lock()
	s.trans = append(s.trans, Transcription{FileName: h.Filename, Model: r.FormValue("model"),
		Format: r.FormValue("response_format"), Language: r.FormValue("language"), Size: len(data)})
	text := s.transcript
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"text": text})
}
