package workflow

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"
)

// WebhookPoster delivers webhook posts. An error makes the engine retry the
// delivery later with backoff.
type WebhookPoster interface {
	Post(ctx context.Context, d WebhookDelivery) error
}

// WebhookDelivery is one webhook post.
type WebhookDelivery struct {
	URL    string
	Secret string
	// Body is the JSON of the event, conversation and workflow.
	Body []byte
}

// SignatureHeader carries the HMAC-SHA256 of the body, hex, as "sha256=…".
const SignatureHeader = "X-Waauto-Signature"

// Sign returns the SignatureHeader value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// HTTPWebhooks posts webhooks over HTTP. Its zero value uses
// http.DefaultClient with a 10s timeout per attempt.
type HTTPWebhooks struct {
	Client  *http.Client
	Timeout time.Duration
}

// Post sends d; any status other than 2xx is an error.
func (h *HTTPWebhooks) Post(ctx context.Context, d WebhookDelivery) error {
	timeout := h.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", d.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if d.Secret != "" {
		req.Header.Set(SignatureHeader, Sign(d.Secret, d.Body))
	}
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", d.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s: status %d", d.URL, resp.StatusCode)
	}
	return nil
}
