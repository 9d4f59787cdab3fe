package workflow_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/waauto/waauto/workflow"
)

func TestRedactorShapesAndValues(t *testing.T) {
	r := workflow.NewRedactor("my-configured-key-42", "")
	for in, want := range map[string]string{
		"401: invalid key sk-proj-AbC123xyz789_-q":              "401: invalid key sk-[redacted]",
		"header Authorization: Bearer eyJhbGciOi.JIUzI1NiJ9.x":  "header Authorization: Bearer [redacted]",
		"token shpat_0123456789abcdef0123456789abcdef rejected": "token shp_[redacted] rejected",
		"dial postgres://app:hunter2@db:5432/shop":              "dial postgres://app:xxxxx@db:5432/shop",
		"host=db password=hunter2 dbname=x":                     "host=db password=xxxxx dbname=x",
		"GET /v1?api_key=abc123&x=1":                            "GET /v1?api_key=xxxxx&x=1",
		"echo: my-configured-key-42!":                           "echo: [redacted]!",
		"short sk-1 and message 3EB0ABCDEF0123456789 stay":      "short sk-1 and message 3EB0ABCDEF0123456789 stay",
	} {
		if got := r.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	base := errors.New("provider said: bad key sk-live-0123456789")
	err := r.Error(fmt.Errorf("ai reply: %w", base))
	if err.Error() != "ai reply: provider said: bad key sk-[redacted]" || !errors.Is(err, base) {
		t.Fatalf("Error: %q, Is %v", err, errors.Is(err, base))
	}
}
