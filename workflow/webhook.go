package workflow

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	// IdempotencyKey is the same on every retry of the delivery (the
	// firing id and the action index): posts are at least once, and a
	// receiver drops a key it has seen. It is sent as IdempotencyHeader.
	IdempotencyKey string `json:",omitempty"`
}

// IdempotencyHeader carries WebhookDelivery.IdempotencyKey.
const IdempotencyHeader = "X-Waauto-Idempotency-Key"

// SignatureHeader carries the HMAC-SHA256 of the body, hex, as "sha256=…".
const SignatureHeader = "X-Waauto-Signature"

// Sign returns the SignatureHeader value of body under secret. A receiver
// verifies a post by comparing it with the header.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
