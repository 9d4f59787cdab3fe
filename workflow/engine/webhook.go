package engine

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/waauto/waauto/workflow"
)

// httpWebhooks posts webhooks over HTTP; it is the engine's WebhookPoster
// when Config.Webhooks is nil. Its zero value uses
// http.DefaultClient with a 10s timeout per attempt.
type httpWebhooks struct {
	Client  *http.Client
	Timeout time.Duration
}

// Post sends d; any status other than 2xx is an error.
func (h *httpWebhooks) Post(ctx context.Context, d workflow.WebhookDelivery) error {
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
	if d.IdempotencyKey != "" {
		req.Header.Set(workflow.IdempotencyHeader, d.IdempotencyKey)
	}
	if d.Secret != "" {
		req.Header.Set(workflow.SignatureHeader, workflow.Sign(d.Secret, d.Body))
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
