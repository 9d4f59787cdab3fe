package engine_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// awayDirectory is an AgentDirectory whose away agents the test changes;
// it counts its calls.
type awayDirectory struct {
	mu    sync.Mutex
	away  map[string]bool
	calls int
}

func (d *awayDirectory) ActiveAgents(_ context.Context, agents []string) ([]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	var out []string
	for _, a := range agents {
		if !d.away[a] {
			out = append(out, a)
		}
	}
	return out, nil
}

func (d *awayDirectory) set(away ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.away = map[string]bool{}
	for _, a := range away {
		d.away[a] = true
	}
}

const (
	roundRobinYAML = "name: R\ntrigger: incoming_message\nactions: [{assign: {agents: [ana, bob, cyd], strategy: round_robin}}, {reply: {text: hi}}]\n"
	leastBusyYAML  = "name: L\ntrigger: incoming_message\nactions: [{assign: {agents: [ana, bob], strategy: least_busy}}]\n"
)

// assignedTo sends one message from each phone and returns who each
// conversation is assigned to.
func assignedTo(t *testing.T, e *engine.Engine, st workflow.Store, phones ...string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for i, p := range phones {
		if _, err := e.Handle(ctx, trigger.Message{ID: "m" + p + string(rune('a'+i)), Session: "main", Phone: p, Text: "hello"}); err != nil {
			t.Fatal(err)
		}
		c, err := st.Conversation(ctx, "main", p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c.Agent)
	}
	return out
}

// Round robin and least busy choose among the active agents only; an
// engine without a directory treats every agent as active.
func TestAssignChoosesActiveAgents(t *testing.T) {
	ctx := context.Background()
	phones := []string{"+33611111101", "+33611111102", "+33611111103", "+33611111104"}

	st := memstore.New()
	e, _ := engine.New(engine.Config{Store: st, Transport: &recorder{}, Compiler: expr.New()})
	if err := e.SetWorkflows(ctx, mustLoad(t, roundRobinYAML, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(assignedTo(t, e, st, phones...), ","); got != "ana,bob,cyd,ana" {
		t.Errorf("round robin without a directory = %s, want ana,bob,cyd,ana", got)
	}

	dir := &awayDirectory{}
	dir.set("bob")
	st = memstore.New()
	e, _ = engine.New(engine.Config{Store: st, Transport: &recorder{}, Compiler: expr.New(), Agents: dir})
	if err := e.SetWorkflows(ctx, mustLoad(t, roundRobinYAML, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(assignedTo(t, e, st, phones...), ","); got != "ana,cyd,ana,cyd" {
		t.Errorf("round robin with bob away = %s, want ana,cyd,ana,cyd", got)
	}

	dir.set("ana")
	st = memstore.New()
	e, _ = engine.New(engine.Config{Store: st, Transport: &recorder{}, Compiler: expr.New(), Agents: dir})
	if err := e.SetWorkflows(ctx, mustLoad(t, leastBusyYAML, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	// ana would be the least busy (ties go to the first listed), but she is away.
	if got := strings.Join(assignedTo(t, e, st, phones[:2]...), ","); got != "bob,bob" {
		t.Errorf("least busy with ana away = %s, want bob,bob", got)
	}
}

// With no active agent the conversation stays unassigned, the action is
// logged as skipped saying why, and the next actions run.
func TestAssignNoActiveAgentSkipped(t *testing.T) {
	ctx := context.Background()
	dir := &awayDirectory{}
	dir.set("ana", "bob", "cyd")
	st, rec := memstore.New(), &recorder{}
	e, _ := engine.New(engine.Config{Store: st, Transport: rec, Compiler: expr.New(), Agents: dir})
	if err := e.SetWorkflows(ctx, mustLoad(t, roundRobinYAML, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if got := assignedTo(t, e, st, "+33611111101"); got[0] != "" {
		t.Errorf("assigned to %q, want nobody", got[0])
	}
	if len(rec.sent) != 1 || rec.sent[0].Text != "hi" {
		t.Errorf("sent = %+v, want the reply after the skipped assign", rec.sent)
	}
	page, err := st.QueryLogs(ctx, workflow.LogQuery{WorkflowID: "r"})
	if err != nil || len(page.Entries) != 1 || len(page.Entries[0].Actions) != 2 {
		t.Fatalf("log = %+v, %v", page.Entries, err)
	}
	a := page.Entries[0].Actions[0]
	if a.Type != "assign" || a.Outcome != workflow.OutcomeSkipped || !strings.Contains(a.Error, "no active agent among ana, bob, cyd") {
		t.Errorf("assign result = %+v, want skipped saying no active agent among ana, bob, cyd", a)
	}
	if n, _ := st.Next(ctx, "workflow/r/assign.round_robin", "", ""); n != 0 {
		t.Errorf("round-robin counter = %d, want 0 (not drawn without an active agent)", n)
	}
	if !errors.Is(engine.ErrSkipped, action.ErrSkipped) {
		t.Error("engine.ErrSkipped is not action.ErrSkipped")
	}
}

// failStepStore fails the completion of step key once.
type failStepStore struct {
	workflow.Store
	key    string
	failed bool
}

func (s *failStepStore) CompleteStep(ctx context.Context, firingID string, st workflow.FiringStep) error {
	if st.Key == s.key && !s.failed {
		s.failed = true
		return errors.New("CompleteStep: SQLSTATE 57P01: terminating connection due to administrator command")
	}
	return s.Store.CompleteStep(ctx, firingID, st)
}

// A firing resumed after a crash chooses among the agents its first run
// saw active, so round robin assigns the same agent although that agent
// went away in between; the directory is asked once.
func TestRoundRobinActiveAgentsStableAcrossResume(t *testing.T) {
	ctx := context.Background()
	dir := &awayDirectory{}
	var agents []string
	obs := engine.ObserverFunc(func(_ context.Context, e engine.Effect) {
		if e.Kind == engine.EffectAssign {
			agents = append(agents, e.Agent)
			dir.set(e.Agent) // the assigned agent goes away before the resume
		}
	})
	mem, q := memstore.New(), &jobBox{}
	e, _ := engine.New(engine.Config{Store: &failStepStore{Store: mem, key: "0"}, Transport: &flakyTransport{}, Compiler: expr.New(), Jobs: q, Observer: obs, Agents: dir})
	if err := e.SetWorkflows(ctx, mustLoad(t, roundRobinYAML, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if err := e.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	q.drain(t, e)
	if len(agents) != 2 || agents[0] != "ana" || agents[1] != "ana" {
		t.Errorf("agents assigned by the first run and the resume = %v, want ana twice", agents)
	}
	if dir.calls != 1 {
		t.Errorf("directory asked %d times, want once (the resume reuses the answer)", dir.calls)
	}
	if c, _ := mem.Conversation(ctx, onceMsg.Session, onceMsg.Phone); c.Agent != "ana" {
		t.Errorf("conversation assigned to %q, want ana", c.Agent)
	}
}

// A least-busy assignment resumed after a crash picks the agent its first
// run picked: the workloads are read once and recorded with the firing.
// Read again, they would count the conversation the first run assigned,
// and the resume would move it to the other agent.
func TestLeastBusyStableAcrossResume(t *testing.T) {
	ctx := context.Background()
	var agents []string
	obs := engine.ObserverFunc(func(_ context.Context, e engine.Effect) {
		if e.Kind == engine.EffectAssign {
			agents = append(agents, e.Agent)
		}
	})
	mem, q, tr := memstore.New(), &jobBox{}, &flakyTransport{}
	e, _ := engine.New(engine.Config{Store: &failStepStore{Store: mem, key: "0"}, Transport: tr, Compiler: expr.New(), Jobs: q, Observer: obs})
	const yaml = "name: L\ntrigger: incoming_message\nactions: [{assign: {agents: [ana, bob], strategy: least_busy}}, {reply: {text: hi}}]\n"
	if err := e.SetWorkflows(ctx, mustLoad(t, yaml, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if err := e.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	q.drain(t, e)
	if len(agents) != 2 || slices.ContainsFunc(agents, func(a string) bool { return a != "ana" }) {
		t.Errorf("agents assigned by the first run and the resume = %v, want ana twice", agents)
	}
	if len(tr.sent) != 1 {
		t.Errorf("sent %d replies, want 1", len(tr.sent))
	}
	if c, _ := mem.Conversation(ctx, onceMsg.Session, onceMsg.Phone); c.Agent != "ana" {
		t.Errorf("conversation assigned to %q, want ana", c.Agent)
	}
}
