package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// TestProviderErrorEchoingTheKeyIsRedacted: a model error that echoes the
// configured API key reaches neither the engine's log nor the stored
// execution log.
func TestProviderErrorEchoingTheKeyIsRedacted(t *testing.T) {
	ctx := context.Background()
	const key = "k3y-configured-0123456789"
	var logs bytes.Buffer
	model := &captureAI{err: fmt.Errorf("401 Unauthorized: Incorrect API key provided: %s (Bearer %s)", key, key)}
	h := workflowtest.New(t, workflowtest.Options{Configure: func(c *engine.Config) {
		c.Responder = model
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.Redactor = workflow.NewRedactor(key)
	}})
	d := mustLoad(t, "name: IA\ntrigger: incoming_message\nactions: [{ai_reply: {}}]\n", workflow.LoadOptions{})
	if err := h.Engine.SetWorkflows(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "Prix ?"}); err != nil {
		t.Fatal(err)
	}
	page, err := h.Store.QueryLogs(ctx, workflow.LogQuery{})
	if err != nil || len(page.Entries) == 0 {
		t.Fatalf("log: %v %v", page.Entries, err)
	}
	stored := fmt.Sprintf("%+v", page.Entries)
	if strings.Contains(stored, key) || !strings.Contains(stored, "[redacted]") {
		t.Errorf("stored execution log: %s", stored)
	}
	if strings.Contains(logs.String(), key) || !strings.Contains(logs.String(), "[redacted]") {
		t.Errorf("engine log: %s", logs.String())
	}
}
