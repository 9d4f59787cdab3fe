package langchaingo

import (
	"fmt"
	"net/http"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"
)

// OpenAIConfig configures an OpenAI-compatible server: OpenAI, Ollama's
// /v1, vLLM, llama.cpp server, Gemini's OpenAI endpoint.
type OpenAIConfig struct {
	// BaseURL includes the version path, e.g. "http://127.0.0.1:11434/v1";
	// the client appends "/chat/completions". Empty means OpenAI.
	BaseURL string
	// APIKey must be non-empty for langchaingo; servers that ignore it take
	// any value.
	APIKey string
	// Model is sent with every call.
	Model string
	// TranscriptionModel enables voice notes through the same server's
	// /audio/transcriptions (e.g. "whisper-1"); empty disables them.
	TranscriptionModel string
	// LegacyMaxTokens sends max_tokens instead of max_completion_tokens,
	// for compatible servers that ignore the newer field.
	LegacyMaxTokens bool
	// HTTPClient defaults to http.DefaultClient; deadlines come from ctx.
	HTTPClient *http.Client
}

// NewOpenAICompatible returns a Responder over langchaingo's openai client.
// Images are sent as data URLs.
func NewOpenAICompatible(cfg OpenAIConfig, opts ...Option) (*Responder, error) {
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	oo := []openai.Option{openai.WithToken(cfg.APIKey), openai.WithModel(cfg.Model), openai.WithHTTPClient(client)}
	if cfg.BaseURL != "" {
		oo = append(oo, openai.WithBaseURL(cfg.BaseURL))
	}
	llm, err := openai.New(oo...)
	if err != nil {
		return nil, fmt.Errorf("ai.base_url/ai.api_key: %w", err)
	}
	pre := []Option{WithModelName(cfg.Model), WithImageParts(ImagePartDataURL)}
	if cfg.TranscriptionModel != "" {
		base := cfg.BaseURL
		if base == "" {
			base = "https://api.openai.com/v1"
		}
		pre = append(pre, WithTranscriber(&HTTPTranscriber{BaseURL: base, APIKey: cfg.APIKey, Model: cfg.TranscriptionModel, HTTPClient: client}))
	}
	if cfg.LegacyMaxTokens {
		pre = append(pre, WithCallOptions(openai.WithLegacyMaxTokensField()))
	}
	return New(llm, append(pre, opts...)...), nil
}

// AnthropicConfig configures Anthropic's Messages API.
type AnthropicConfig struct {
	// BaseURL defaults to "https://api.anthropic.com/v1".
	BaseURL string
	APIKey  string
	Model   string
	// HTTPClient defaults to http.DefaultClient; deadlines come from ctx.
	HTTPClient *http.Client
}

// NewAnthropic returns a Responder over langchaingo's anthropic client.
// Images are sent as binary parts; Anthropic has no transcription, so pass
// WithTranscriber for voice notes.
func NewAnthropic(cfg AnthropicConfig, opts ...Option) (*Responder, error) {
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	ao := []anthropic.Option{anthropic.WithToken(cfg.APIKey), anthropic.WithModel(cfg.Model), anthropic.WithHTTPClient(client)}
	if cfg.BaseURL != "" {
		ao = append(ao, anthropic.WithBaseURL(cfg.BaseURL))
	}
	llm, err := anthropic.New(ao...)
	if err != nil {
		return nil, fmt.Errorf("ai.base_url/ai.api_key: %w", err)
	}
	pre := []Option{WithModelName(cfg.Model), WithImageParts(ImagePartBinary), WithCallOptions(llms.WithModel(cfg.Model))}
	return New(llm, append(pre, opts...)...), nil
}

// OllamaConfig configures Ollama's native /api/chat.
type OllamaConfig struct {
	// ServerURL defaults to "http://127.0.0.1:11434".
	ServerURL string
	Model     string
	// HTTPClient defaults to http.DefaultClient; deadlines come from ctx.
	HTTPClient *http.Client
}

// NewOllama returns a Responder over langchaingo's native ollama client.
// Images are sent as binary parts (the model must be a vision model, or
// pass WithVision(false)).
func NewOllama(cfg OllamaConfig, opts ...Option) (*Responder, error) {
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	oo := []ollama.Option{ollama.WithModel(cfg.Model), ollama.WithHTTPClient(client)}
	if cfg.ServerURL != "" {
		oo = append(oo, ollama.WithServerURL(cfg.ServerURL))
	}
	llm, err := ollama.New(oo...)
	if err != nil {
		return nil, fmt.Errorf("ai.base_url: %w", err)
	}
	pre := []Option{WithModelName(cfg.Model), WithImageParts(ImagePartBinary)}
	return New(llm, append(pre, opts...)...), nil
}
