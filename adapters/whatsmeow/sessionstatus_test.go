package whatsmeow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	wa "github.com/waauto/waauto/adapters/whatsmeow"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// holds records the holds of a number: true while held.
type holds map[string]bool

func (h holds) Hold(session string, until time.Time) { h[session] = true }
func (h holds) Release(session string)               { h[session] = false }

// TestSessionStatusesMapsManagerStatuses plays the Manager's statuses on a
// real engine: the session follows, a deleted one stays deleted, an
// unknown one is ignored, and a banned or logged-out number's sends are
// held until it connects again.
func TestSessionStatusesMapsManagerStatuses(t *testing.T) {
	ctx := t.Context()
	store := memstore.New()
	eng, err := engine.New(engine.Config{Store: store, Transport: workflow.TransportFunc(func(context.Context, workflow.Outgoing) error { return nil }), Compiler: expr.New()})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.PutSession(ctx, workflow.Session{ID: "shop", Status: workflow.SessionDisconnected}); err != nil {
		t.Fatal(err)
	}
	held := holds{}
	sink := &wa.SessionStatuses{Sessions: eng, Holds: held}
	steps := []struct {
		st   wa.Status
		want workflow.SessionStatus
		held bool
	}{
		{wa.StatusPairing, workflow.SessionDisconnected, false},
		{wa.StatusConnected, workflow.SessionConnected, false},
		{wa.StatusBanned, workflow.SessionDisconnected, true},
		{wa.StatusConnected, workflow.SessionConnected, false},
		{wa.StatusLoggedOut, workflow.SessionDisconnected, true},
		{wa.StatusDisconnected, workflow.SessionDisconnected, true}, // a mere disconnection keeps the hold
		{wa.StatusDeleted, workflow.SessionDeleted, true},
		{wa.StatusDisconnected, workflow.SessionDeleted, true}, // a late event does not resurrect it
	}
	for _, s := range steps {
		if err := sink.SessionStatus(ctx, "shop", s.st, time.Now()); err != nil {
			t.Fatalf("%s: %v", s.st, err)
		}
		got, err := store.Session(ctx, "shop")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != s.want || held["shop"] != s.held {
			t.Fatalf("after %s: %s held=%v, want %s held=%v", s.st, got.Status, held["shop"], s.want, s.held)
		}
	}
	for _, st := range []wa.Status{wa.StatusDisconnected, wa.StatusBanned, wa.StatusDeleted} {
		if err := sink.SessionStatus(ctx, "never-added", st, time.Now()); err != nil {
			t.Fatalf("unknown number, %s: %v", st, err)
		}
	}
	// Without Holds the mapping alone applies.
	if err := (&wa.SessionStatuses{Sessions: eng}).SessionStatus(ctx, "never-added", wa.StatusBanned, time.Now()); err != nil {
		t.Fatalf("no holds: %v", err)
	}
}

// SessionStatuses keeps the engine's sessions in step with the Manager:
// pass it as ManagerConfig.Status.
func ExampleSessionStatuses() {
	ctx := context.Background()
	store := memstore.New()
	eng, _ := engine.New(engine.Config{Store: store, Transport: workflow.TransportFunc(func(context.Context, workflow.Outgoing) error { return nil }), Compiler: expr.New()})
	_ = eng.PutSession(ctx, workflow.Session{ID: "shop", Status: workflow.SessionDisconnected})
	sink := &wa.SessionStatuses{Sessions: eng} // Holds: a *pacing.Pacer, to pause a banned number's sends
	for _, st := range []wa.Status{wa.StatusConnected, wa.StatusBanned, wa.StatusDeleted} {
		_ = sink.SessionStatus(ctx, "shop", st, time.Now())
		s, _ := store.Session(ctx, "shop")
		fmt.Println(st, "→", s.Status)
	}
	// Output:
	// connected → connected
	// banned → disconnected
	// deleted → deleted
}
