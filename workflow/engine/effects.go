package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/waauto/waauto/workflow"
)

// EffectKind names something the product did by itself.
type EffectKind string

// The effects the engine reports to its Observer.
const (
	EffectSend           EffectKind = "send"
	EffectAssign         EffectKind = "assign"
	EffectLabel          EffectKind = "label"
	EffectCancel         EffectKind = "cancel"
	EffectScheduleFailed EffectKind = "schedule_failed"
	EffectWebhook        EffectKind = "webhook"
)

// Effect is one thing the product did: a message sent, a conversation
// assigned, a label changed, a reply cancelled by the pre-send check (an
// AI reply, or any deferred send with verify_before_send.conditions), a
// scheduled message that failed, a webhook delivered.
type Effect struct {
	Kind     EffectKind
	Time     time.Time
	Session  string
	Phone    string
	Workflow string
	// Send
	Text     string
	SendKind workflow.SendKind
	// Assign
	Agent string
	// Label: exactly one of Add and Remove
	Add, Remove string
	// Cancel: "customer_message" or "agent_reply" (an AI reply overtaken
	// by the conversation), or "conditions_changed" (a deferred send whose
	// workflow's conditions no longer hold: verify_before_send.conditions)
	Reason string
	// ScheduleFailed
	ScheduleID string
	// Webhook
	URL string
}

// Observer is told of every effect, in the order they happen.
type Observer interface {
	Effect(ctx context.Context, e Effect)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ctx context.Context, e Effect)

// Effect calls f.
func (f ObserverFunc) Effect(ctx context.Context, e Effect) { f(ctx, e) }

// NewMessageID returns a random WhatsApp-style message id ("3EB0" and 18 hex digits).
func NewMessageID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return "3EB0" + strings.ToUpper(hex.EncodeToString(b[:]))
}

// MessageIDFor returns the WhatsApp-style message id ("3EB0" and 18 hex
// digits) derived from an idempotency key: a resumed or retried send of the
// same key gets the same id, which the store records once and WhatsApp
// delivers once.
func MessageIDFor(key string) string {
	h := sha256.Sum256([]byte("waauto/message/" + key))
	return "3EB0" + strings.ToUpper(hex.EncodeToString(h[:9]))
}

// logID returns the execution-log id derived from a time and a key: hex of
// the time first, so that ids sort as the entries were made (keyset
// pagination), then a hash of the key, so that re-running the same
// evaluation yields the same id and its row is stored once.
func logID(at time.Time, key string) string {
	h := sha256.Sum256([]byte(key))
	return fmt.Sprintf("%016x", at.UnixNano()) + hex.EncodeToString(h[:6])
}

// retryableError is a store or transport failure met while running a
// firing or a job: the firing stays running and the job is run again,
// rather than the failure being logged as the workflow's.
type retryableError struct {
	err error
	// transport: the transport failed after the message was recorded.
	transport bool
}

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

// retryable marks err (nil stays nil) as a retryableError.
func retryable(err error) error {
	if err == nil {
		return nil
	}
	return &retryableError{err: err}
}

// isRetryable reports whether err wraps a retryableError.
func isRetryable(err error) bool {
	var r *retryableError
	return errors.As(err, &r)
}

// idGen makes time-ordered execution ids: fixed-width hex of the time, a
// process counter and a random suffix, so that ids sort as entries were made.
type idGen struct {
	n      atomic.Uint64
	suffix string
}

func newIDGen() *idGen {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return &idGen{suffix: hex.EncodeToString(b[:])}
}

func (g *idGen) next(t time.Time) string {
	return fmt.Sprintf("%016x%08x%s", t.UnixNano(), uint32(g.n.Add(1)), g.suffix)
}
