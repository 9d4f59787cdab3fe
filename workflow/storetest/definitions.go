package storetest

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/waauto/waauto/workflow"
)

// sameJSON reports whether a and b hold the same JSON value (a database
// may reformat a JSON column).
func sameJSON(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func checkWorkflow(t *testing.T, what string, got, want workflow.StoredWorkflow) {
	t.Helper()
	var f fields
	f.eq("ID", got.ID, want.ID)
	f.eq("Name", got.Name, want.Name)
	f.eq("Position", got.Position, want.Position)
	if !sameJSON(got.Definition, want.Definition) {
		f.diffs = append(f.diffs, "Definition = "+string(got.Definition)+", want "+string(want.Definition))
	}
	f.eq("Template", got.Template, want.Template)
	f.eq("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	f.report(t, what)
}

func workflowIDs(ws []workflow.StoredWorkflow) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.ID
	}
	return out
}

func storedWorkflow(id string, position int) workflow.StoredWorkflow {
	return workflow.StoredWorkflow{
		ID: id, Name: "Workflow " + id, Position: position,
		Definition: []byte(`{"id":"` + id + `","trigger":"incoming_message","actions":[{"type":"reply","text":"hi"}]}`),
		UpdatedAt:  at(position),
	}
}

func testWorkflows(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("empty", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		if ws := get(s.Workflows(ctx)).must(t, "Workflows"); len(ws) != 0 {
			t.Errorf("Workflows of a new store = %v, want none", workflowIDs(ws))
		}
	})

	t.Run("ordered_by_position_then_id", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		tpl := storedWorkflow("t", 0)
		tpl.Template = true
		for _, w := range []workflow.StoredWorkflow{storedWorkflow("b", 2), storedWorkflow("z", 1), storedWorkflow("a", 2), tpl} {
			ok(t, s.PutWorkflow(ctx, w), "PutWorkflow("+w.ID+")")
		}
		ws := get(s.Workflows(ctx)).must(t, "Workflows")
		if got, want := workflowIDs(ws), []string{"t", "z", "a", "b"}; !same(got, want) {
			t.Fatalf("Workflows = %v, want %v (by Position, then ID)", got, want)
		}
		checkWorkflow(t, "Workflows[0] (template)", ws[0], tpl)
		checkWorkflow(t, "Workflows[1]", ws[1], storedWorkflow("z", 1))
	})

	t.Run("put_replaces", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.PutWorkflow(ctx, storedWorkflow("a", 1)), "PutWorkflow(a)")
		ok(t, s.PutWorkflow(ctx, storedWorkflow("b", 2)), "PutWorkflow(b)")
		a := storedWorkflow("a", 3)
		a.Name, a.Definition = "Renamed", []byte(`{"id":"a","enabled":false}`)
		ok(t, s.PutWorkflow(ctx, a), "PutWorkflow(a) again")
		ws := get(s.Workflows(ctx)).must(t, "Workflows")
		if got, want := workflowIDs(ws), []string{"b", "a"}; !same(got, want) {
			t.Fatalf("Workflows after replacing a = %v, want %v", got, want)
		}
		checkWorkflow(t, "replaced workflow", ws[1], a)
	})

	t.Run("delete", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.PutWorkflow(ctx, storedWorkflow("a", 1)), "PutWorkflow(a)")
		ok(t, s.PutWorkflow(ctx, storedWorkflow("b", 2)), "PutWorkflow(b)")
		ok(t, s.DeleteWorkflow(ctx, "a"), "DeleteWorkflow(a)")
		if got := workflowIDs(get(s.Workflows(ctx)).must(t, "Workflows")); !same(got, []string{"b"}) {
			t.Errorf("Workflows after deleting a = %v, want [b]", got)
		}
		wantErr(t, s.DeleteWorkflow(ctx, "a"), "DeleteWorkflow(a) twice", workflow.ErrNotFound)
		wantErr(t, s.DeleteWorkflow(ctx, "never"), "DeleteWorkflow(unknown)", workflow.ErrNotFound)
	})

	t.Run("definitions_are_copied", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		w := storedWorkflow("a", 1)
		want := storedWorkflow("a", 1)
		ok(t, s.PutWorkflow(ctx, w), "PutWorkflow")
		copy(w.Definition, `{"id":"mutated input"`)
		ws := get(s.Workflows(ctx)).must(t, "Workflows")
		checkWorkflow(t, "after mutating the Definition passed to PutWorkflow", ws[0], want)
		copy(ws[0].Definition, `{"id":"mutated output"`)
		checkWorkflow(t, "after mutating a returned Definition", get(s.Workflows(ctx)).must(t, "Workflows")[0], want)
	})
}

func sessionIDs(ss []workflow.Session) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

func testSessions(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("Session/not_found", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		_, err := s.Session(ctx, sess1)
		wantErr(t, err, "Session(unknown)", workflow.ErrNotFound)
		if ss := get(s.ListSessions(ctx)).must(t, "ListSessions"); len(ss) != 0 {
			t.Errorf("ListSessions of a new store = %v, want none", sessionIDs(ss))
		}
	})

	t.Run("PutSession/round_trip_and_replace", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		want := workflow.Session{
			ID: sess1, Label: "Boutique", Status: workflow.SessionDisconnected,
			Disabled: []workflow.Module{workflow.ModuleAI, workflow.ModuleScheduled}, DisconnectedAt: at(10), CreatedAt: at(0),
		}
		ok(t, s.PutSession(ctx, want), "PutSession")
		checkSession(t, "Session", get(s.Session(ctx, sess1)).must(t, "Session"), want)
		want.Status, want.Disabled, want.DisconnectedAt = workflow.SessionConnected, nil, time.Time{}
		ok(t, s.PutSession(ctx, want), "PutSession (replace)")
		checkSession(t, "Session after replacing", get(s.Session(ctx, sess1)).must(t, "Session"), want)
		if ss := get(s.ListSessions(ctx)).must(t, "ListSessions"); len(ss) != 1 {
			t.Errorf("ListSessions after replacing = %v, want one session", sessionIDs(ss))
		}
	})

	t.Run("ListSessions/ordered_by_creation_then_id", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		for _, sess := range []workflow.Session{
			{ID: "s2", Status: workflow.SessionConnected, CreatedAt: at(1)},
			{ID: "s3", Status: workflow.SessionConnected, CreatedAt: at(0), Disabled: []workflow.Module{workflow.ModuleWorkflows}},
			{ID: "s1", Status: workflow.SessionDeleted, CreatedAt: at(1)},
		} {
			ok(t, s.PutSession(ctx, sess), "PutSession("+sess.ID+")")
		}
		ss := get(s.ListSessions(ctx)).must(t, "ListSessions")
		if got, want := sessionIDs(ss), []string{"s3", "s1", "s2"}; !same(got, want) {
			t.Fatalf("ListSessions = %v, want %v", got, want)
		}
		ss[0].Disabled[0] = workflow.ModuleAI
		if got := get(s.Session(ctx, "s3")).must(t, "Session"); !same(got.Disabled, []workflow.Module{workflow.ModuleWorkflows}) {
			t.Errorf("mutating Disabled returned by ListSessions changed the store: %v", got.Disabled)
		}
	})
}
