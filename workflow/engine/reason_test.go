package engine

import (
	"fmt"
	"testing"
	"time"
)

// TestParseReason reads back every reason the engine logs, bare and with
// a detail, and leaves other texts alone.
func TestParseReason(t *testing.T) {
	seen := map[Reason]bool{}
	for _, r := range Reasons() {
		if seen[r] {
			t.Errorf("%q is listed twice", r)
		}
		seen[r] = true
		if got, d, ok := ParseReason(string(r)); !ok || got != r || d != "" {
			t.Errorf("ParseReason(%q) = %q, %q, %t", r, got, d, ok)
		}
		text := r.with("cel: no such key: x")
		if got, d, ok := ParseReason(text); !ok || got != r || d != "cel: no such key: x" {
			t.Errorf("ParseReason(%q) = %q, %q, %t", text, got, d, ok)
		}
	}
	for _, text := range []string{"", "conditions matched; shadow", "Cooldown: x", "conditions:x", "something else"} {
		if r, d, ok := ParseReason(text); ok {
			t.Errorf("ParseReason(%q) = %q, %q, true; want not ok", text, r, d)
		}
	}
}

// TestCooldownElapsed reads the cooldown detail the engine writes.
func TestCooldownElapsed(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second, 5 * time.Minute, 26*time.Hour + 3*time.Second} {
		detail := fmt.Sprintf(cooldownDetail, d)
		if got, ok := CooldownElapsed(detail); !ok || got != d {
			t.Errorf("CooldownElapsed(%q) = %v, %t; want %v", detail, got, ok, d)
		}
	}
	for _, detail := range []string{"", "fired ago", "fired 5m ago", "fired 5m0s", "5m0s", "fired 5m0s ago!", "fired x ago"} {
		if got, ok := CooldownElapsed(detail); ok {
			t.Errorf("CooldownElapsed(%q) = %v, true; want not ok", detail, got)
		}
	}
}

// TestExpiredAfter reads the expiry detail the engine writes.
func TestExpiredAfter(t *testing.T) {
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 90 * time.Minute} {
		detail := fmt.Sprintf(expiredDetail, d)
		if got, ok := ExpiredAfter(detail); !ok || got != d {
			t.Errorf("ExpiredAfter(%q) = %v, %t; want %v", detail, got, ok, d)
		}
	}
	for _, detail := range []string{"", "still unsent after its time", "still unsent 24h after its time", "still unsent 24h0m0s", "fired 5m0s ago"} {
		if got, ok := ExpiredAfter(detail); ok {
			t.Errorf("ExpiredAfter(%q) = %v, true; want not ok", detail, got)
		}
	}
}
