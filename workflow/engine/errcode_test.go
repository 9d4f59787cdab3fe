package engine

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/action/ai"
)

// errorCode names the engine's known errors however wrapped, the first
// listed when several match, and nothing else.
func TestErrorCode(t *testing.T) {
	for _, c := range errorCodes {
		if got := errorCode(fmt.Errorf("reply: %w", c.err)); got != c.code {
			t.Errorf("errorCode(wrapped %v) = %q, want %q", c.err, got, c.code)
		}
	}
	if got := errorCode(fmt.Errorf("%w among alice, bob: left as it was", action.ErrNoActiveAgent)); got != "no_active_agent" {
		t.Errorf("errorCode(no active agent among …) = %q", got)
	}
	for _, err := range []error{nil, errors.New("unknown placeholder"), action.ErrSkipped} {
		if got := errorCode(err); got != "" {
			t.Errorf("errorCode(%v) = %q, want none", err, got)
		}
	}
	codes := ErrorCodes()
	for i, c := range codes {
		if slices.Contains(codes[i+1:], c) {
			t.Errorf("code %q is listed twice", c)
		}
	}
	for _, r := range []Reason{ReasonConditionsChanged, ReasonCustomerMessage, ReasonAgentReply} {
		if !slices.Contains(codes, string(r)) {
			t.Errorf("a send cancelled for %q has no code", r)
		}
	}
}

// A model's failure has no code: its text, the provider's message, is
// what the shop reads.
func TestModelFailuresKeepTheirText(t *testing.T) {
	for _, err := range []error{fmt.Errorf("ai_reply: %w: 401 Incorrect API key provided", ai.ErrModel), &ai.MediaError{Name: "photo.heic", Err: ai.ErrUnsupportedMedia}} {
		if got := errorCode(err); got != "" {
			t.Errorf("errorCode(%v) = %q, want none", err, got)
		}
	}
}
