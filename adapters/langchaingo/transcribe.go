package langchaingo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
)

// Transcriber turns a voice note into text.
type Transcriber interface {
	Transcribe(ctx context.Context, data []byte, mimeType, fileName string) (string, error)
}

// ErrTranscription is wrapped by HTTPTranscriber errors.
var ErrTranscription = errors.New("transcription failed")

// HTTPTranscriber calls an OpenAI-compatible POST {BaseURL}/audio/transcriptions
// (OpenAI, vLLM, LocalAI/speaches, whisper.cpp's server with
// --inference-path /v1/audio/transcriptions). langchaingo v0.1.14 has no
// transcription API, so this is plain net/http.
type HTTPTranscriber struct {
	// BaseURL includes the API version, e.g. "https://api.openai.com/v1".
	BaseURL string
	// APIKey is sent as a bearer token when non-empty.
	APIKey string
	// Model, e.g. "whisper-1".
	Model string
	// Language is an optional ISO 639-1 hint.
	Language string
	// HTTPClient defaults to http.DefaultClient; the deadline comes from ctx.
	HTTPClient *http.Client
}

// Transcribe uploads data as a multipart file and returns the text.
func (t *HTTPTranscriber) Transcribe(ctx context.Context, data []byte, mimeType, fileName string) (string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("file", fileName)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrTranscription, err)
	}
	if _, err := fw.Write(data); err != nil {
		return "", fmt.Errorf("%w: %w", ErrTranscription, err)
	}
	fields := map[string]string{"model": t.Model, "response_format": "json", "language": t.Language}
	for k, v := range fields {
		if v != "" {
			if err := w.WriteField(k, v); err != nil {
				return "", fmt.Errorf("%w: %w", ErrTranscription, err)
			}
		}
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("%w: %w", ErrTranscription, err)
	}
	url := strings.TrimSuffix(t.BaseURL, "/") + "/audio/transcriptions"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrTranscription, err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if t.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+t.APIKey)
	}
	client := t.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrTranscription, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrTranscription, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: status %d: %s", ErrTranscription, resp.StatusCode, oneLine(string(raw), 200))
	}
	var out struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("%w: decode: %w", ErrTranscription, err)
	}
	return out.Text, nil
}
