package engine_test

import (
	"context"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// sessionWithInbound is a store whose RecordInbound returns the number it
// read (as the PostgreSQL store does) and which counts Session reads.
type sessionWithInbound struct {
	*memstore.Store
	sess  workflow.Session
	reads int
}

func (s *sessionWithInbound) RecordInbound(ctx context.Context, m trigger.Message) (workflow.Inbound, error) {
	in, err := s.Store.RecordInbound(ctx, m)
	n := s.sess
	in.Session = &n
	return in, err
}

func (s *sessionWithInbound) Session(ctx context.Context, id string) (workflow.Session, error) {
	s.reads++
	return s.Store.Session(ctx, id)
}

// The engine takes the number from Inbound.Session when the store read it
// while recording, and reads it no more: its modules decide.
func TestReceiveUsesTheSessionReadWithTheMessage(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		disabled []workflow.Module
		replies  int
	}{{"workflows on", nil, 1}, {"workflows off", []workflow.Module{workflow.ModuleWorkflows}, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			st := &sessionWithInbound{Store: memstore.New(),
				sess: workflow.Session{ID: "main", Status: workflow.SessionConnected, Disabled: tc.disabled}}
			rec := &recorder{}
			e, err := engine.New(engine.Config{Store: st, Transport: rec, Compiler: expr.New()})
			if err != nil {
				t.Fatal(err)
			}
			ws := []workflow.Workflow{{Name: "Tout", Enabled: true, Actions: []workflow.Step{{Type: "reply", Action: &action.Reply{Text: "ok"}}}}}
			if err := e.SetWorkflows(ctx, workflow.Definitions{Workflows: ws}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Handle(ctx, trigger.Message{ID: "m1", Session: "main", Phone: "+33611111111", Text: "x"}); err != nil {
				t.Fatal(err)
			}
			if len(rec.sent) != tc.replies || st.reads != 0 {
				t.Errorf("replies %d, Session reads %d; want %d and 0", len(rec.sent), st.reads, tc.replies)
			}
		})
	}
}
