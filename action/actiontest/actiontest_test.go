package actiontest_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/action/actiontest"
)

func TestBuildReportsBadDefinitions(t *testing.T) {
	reg := action.NewRegistry()
	for _, c := range []struct{ name, def, want string }{
		{"reply", "{text: hi, colour: red}", "colour"},
		{"reply", "{}", "text"},
		{"nope", "{}", "unknown action"},
		{"reply", "{text: [", "reply"},
	} {
		_, err := actiontest.Build(reg, c.name, c.def)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Build(%s, %s) = %v, want an error naming %q", c.name, c.def, err, c.want)
		}
	}
	if _, err := actiontest.Build(reg, "nope", "{}"); !errors.Is(err, action.ErrUnknownAction) {
		t.Errorf("Build of an unknown action: %v, want ErrUnknownAction", err)
	}
}

func TestRuntimeRecordsBuiltins(t *testing.T) {
	ctx := context.Background()
	rt := &actiontest.Runtime{Translations: map[string]string{"Bonjour": "Hello"}}
	for _, def := range []struct{ name, def string }{
		{"reply", "{text: Bonjour, translate: true}"},
		{"label", "{add: [vip], remove: [new]}"},
		{"assign", "{agents: [alice, bob], strategy: round_robin}"},
		{"assign", "{agents: [alice, bob], strategy: round_robin}"},
	} {
		a, err := actiontest.Build(action.NewRegistry(), def.name, def.def)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Run(ctx, actiontest.NewCall(rt, "salut")); err != nil {
			t.Fatalf("%s: %v", def.name, err)
		}
	}
	var got []string
	for _, e := range rt.Effects() {
		got = append(got, e.String())
	}
	want := []string{`send "Hello"`, "label +vip -new", "assign alice", "assign bob"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("effects %q, want %q", got, want)
	}
	if s := rt.Sent(); !reflect.DeepEqual(s, []string{"Hello"}) {
		t.Errorf("Sent() = %q", s)
	}
}

// Assign with a strategy leaves the away agents out, and is skipped
// (ErrNoActiveAgent) when every agent is away.
func TestAssignAwayAgents(t *testing.T) {
	ctx := context.Background()
	rt := &actiontest.Runtime{Away: map[string]bool{"alice": true}, Open: map[string]int{"bob": 3, "carl": 5}}
	for _, def := range []string{"{agents: [alice, bob, carl], strategy: round_robin}", "{agents: [alice, bob, carl], strategy: round_robin}", "{agents: [alice, carl, bob], strategy: least_busy}"} {
		a, err := actiontest.Build(action.NewRegistry(), "assign", def)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Run(ctx, actiontest.NewCall(rt, "salut")); err != nil {
			t.Fatalf("%s: %v", def, err)
		}
	}
	var got []string
	for _, e := range rt.Effects() {
		got = append(got, e.String())
	}
	if want := []string{"assign bob", "assign carl", "assign bob"}; !reflect.DeepEqual(got, want) {
		t.Errorf("effects %q, want %q", got, want)
	}
	a, _ := actiontest.Build(action.NewRegistry(), "assign", "{agents: [alice], strategy: least_busy}")
	if err := a.Run(ctx, actiontest.NewCall(rt, "salut")); !errors.Is(err, action.ErrNoActiveAgent) || !errors.Is(err, action.ErrSkipped) {
		t.Errorf("every agent away: %v, want ErrNoActiveAgent (a skip)", err)
	}
}

func TestRuntimeErr(t *testing.T) {
	boom := errors.New("boom")
	rt := &actiontest.Runtime{Err: boom}
	a, err := actiontest.Build(action.NewRegistry(), "reply", "{text: hi}")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background(), actiontest.NewCall(rt, "x")); !errors.Is(err, boom) {
		t.Errorf("Run = %v, want boom", err)
	}
	if n := len(rt.Effects()); n != 0 {
		t.Errorf("%d effects recorded on error", n)
	}
}
