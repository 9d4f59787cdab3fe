package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestParseDetail reads back every detail the engine writes, filled as the
// engine fills it, and leaves other texts alone.
func TestParseDetail(t *testing.T) {
	codes := map[string]bool{}
	for _, f := range DetailFormats() {
		if codes[f.Code] {
			t.Errorf("code %q is listed twice", f.Code)
		}
		codes[f.Code] = true
	}
	for _, tc := range []struct {
		text, code string
		values     []string
	}{
		{detailShadow, "would_run", []string{}},
		{fmt.Sprintf(detailFollowUp, "f-1a2b", "2026-01-05 10:00", time.UTC), "follow_up", []string{"f-1a2b", "2026-01-05 10:00", "UTC"}},
		{fmt.Sprintf(detailTranslated, "fr"), "translated", []string{"fr"}},
		{fmt.Sprintf(detailWebhookRetry, fmt.Errorf("post: %w", fmt.Errorf("status 502"))), "webhook_retry", []string{"post: status 502"}},
		{detailAIGenerating, "ai_generating", []string{}},
		{detailAIJoinedBurst, "ai_joined_burst", []string{}},
		{detailAIDebouncing, "ai_debouncing", []string{}},
		{detailAIResent, "ai_resent", []string{}},
		{fmt.Sprintf(detailAIUsage, "gpt-4o-mini, v2", 120, 35), "ai_usage", []string{"gpt-4o-mini, v2", "120", "35"}},
		{fmt.Sprintf(detailAIUsageCost, "gpt-4o-mini", 120, 35, 3), "ai_usage_cost", []string{"gpt-4o-mini", "120", "35", "3"}},
	} {
		code, values, ok := ParseDetail(tc.text)
		if !ok || code != tc.code || !slices.Equal(values, tc.values) {
			t.Errorf("ParseDetail(%q) = %q, %q, %t; want %q, %q", tc.text, code, values, ok, tc.code, tc.values)
		}
		delete(codes, tc.code)
	}
	if len(codes) > 0 {
		t.Errorf("codes not read back by this test: %v", codes)
	}
	for _, text := range []string{"", "would run!", "translated to", "model x, many tokens", "my action's own detail", strings.ToUpper(detailShadow)} {
		if code, values, ok := ParseDetail(text); ok {
			t.Errorf("ParseDetail(%q) = %q, %q, true; want not ok", text, code, values)
		}
	}
}
