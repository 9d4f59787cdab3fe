package replay_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/replay"
	"github.com/waauto/waauto/workflow/workflowtest"
)

const live = `
workflows:
  - name: Prix
    trigger: incoming_message
    conditions: {text: {contains: prix}}
    actions: [{reply: {text: "Nos prix sont en ligne."}}]
  - name: Hors horaires
    trigger: incoming_message
    conditions:
      all:
        - not: {schedule: {days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}}
        - agent: {assigned: false}
    actions: [{reply: {text: "Nous sommes fermés."}}]
`

const draft = `
workflows:
  - name: Prix
    trigger: incoming_message
    conditions: {text: {contains: tarif}}
    actions: [{reply: {text: "Nos tarifs sont en ligne."}}]
  - name: Hors horaires
    trigger: incoming_message
    conditions:
      all:
        - not: {schedule: {days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}}
        - agent: {assigned: false}
    actions: [{reply: {text: "Nous sommes fermés."}}]
  - name: Bonjour
    trigger: incoming_message
    conditions: {text: {contains: bonjour}}
    cooldown: 1h
    actions: [{reply: {text: "Bonjour !"}}]
`

func load(t *testing.T, src string) workflow.Definitions {
	t.Helper()
	d, err := workflow.Load("test.yaml", []byte(src), workflow.LoadOptions{Compiler: expr.New()})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// record plays a Monday on the live rule set: a price question at 09:00,
// "bonjour" twice at 19:00 (out of hours) and, in a conversation an agent
// answered at 18:30, "bonsoir" at 20:01.
func record(t *testing.T) (*memstore.Store, time.Time) {
	t.Helper()
	ctx := context.Background()
	st := memstore.New()
	h := workflowtest.New(t, workflowtest.Options{Store: st})
	if err := h.Engine.SetWorkflows(ctx, load(t, live)); err != nil {
		t.Fatal(err)
	}
	start := h.Clock.Now()
	play := func(phone, text string) {
		t.Helper()
		if _, err := h.Receive(ctx, trigger.Message{Phone: phone, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	play("+33611111111", "quel prix ?")
	h.Advance(ctx, 9*time.Hour+30*time.Minute)
	if err := h.Engine.Assign(ctx, "main", "+33633333333", "alice"); err != nil {
		t.Fatal(err)
	}
	if err := h.Engine.ReceiveOwn(ctx, "main", "+33633333333", "own1", "Je regarde", h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.Advance(ctx, 30*time.Minute)
	play("+33622222222", "bonjour")
	h.Advance(ctx, time.Minute)
	play("+33622222222", "bonjour ?")
	h.Advance(ctx, time.Hour)
	play("+33633333333", "bonsoir")
	return st, start
}

func TestRunComparesTheDraftWithTheLog(t *testing.T) {
	st, start := record(t)
	rep, err := replay.Run(context.Background(), st, load(t, draft), replay.Options{Since: start, Compiler: expr.New()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Messages != 4 {
		t.Fatalf("replayed %d messages, want 4", rep.Messages)
	}
	got := map[string]replay.WorkflowReport{}
	for _, w := range rep.Workflows {
		got[w.Name] = w
	}
	type counts struct{ before, would, new, noLonger int }
	want := map[string]counts{
		"Prix": {1, 0, 0, 1},
		// Both "bonjour" messages got the out-of-hours reply; the assigned
		// conversation (an agent replied at 18:30) none, before or now.
		"Hors horaires": {2, 2, 0, 0},
		// New, once: the cooldown holds the second "bonjour".
		"Bonjour": {0, 1, 1, 0},
	}
	for name, c := range want {
		w := got[name]
		if (counts{w.Before, w.Would, w.New, w.NoLonger}) != c || !w.InDraft {
			t.Errorf("%s: %+v, want %+v", name, w, c)
		}
	}
	p := got["Prix"]
	if len(p.NoLongerExamples) != 1 || p.NoLongerExamples[0].Text != "quel prix ?" ||
		!strings.HasPrefix(p.NoLongerExamples[0].Note, "conditions do not match") || len(p.NoLongerExamples[0].BeforeTrace) != 1 {
		t.Errorf("Prix no longer examples = %+v", p.NoLongerExamples)
	}
	b := got["Bonjour"]
	if len(b.NewExamples) != 1 || b.NewExamples[0].Phone != "+33622222222" || len(b.NewExamples[0].Trace) != 1 || !b.NewExamples[0].Trace[0].Value {
		t.Errorf("Bonjour new examples = %+v", b.NewExamples)
	}
}

// Until bounds the period; a draft identical to the live set changes nothing.
func TestRunSameDraftWithinPeriod(t *testing.T) {
	st, start := record(t)
	rep, err := replay.Run(context.Background(), st, load(t, live), replay.Options{Since: start, Until: start.Add(10*time.Hour + 30*time.Minute), Compiler: expr.New()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Messages != 3 {
		t.Fatalf("replayed %d messages, want 3 (the 20:01 one is after Until)", rep.Messages)
	}
	for _, w := range rep.Workflows {
		if w.New != 0 || w.NoLonger != 0 || w.Before != w.Would {
			t.Errorf("%s changed with the same rules: %+v", w.Name, w)
		}
	}
}

func TestRunNeedsACompiler(t *testing.T) {
	if _, err := replay.Run(context.Background(), memstore.New(), workflow.Definitions{}, replay.Options{}); err != replay.ErrNoCompiler {
		t.Fatalf("err = %v, want ErrNoCompiler", err)
	}
}

// The workflows that fired before and are not in the draft follow the
// draft's, by name (Prix fired first in the period).
func TestRunListsWorkflowsNotInTheDraftByName(t *testing.T) {
	st, start := record(t)
	only := `
workflows:
  - name: Bonjour
    trigger: incoming_message
    conditions: {text: {contains: bonjour}}
    actions: [{reply: {text: "Bonjour !"}}]
`
	rep, err := replay.Run(context.Background(), st, load(t, only), replay.Options{Since: start, Compiler: expr.New()})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range rep.Workflows {
		names = append(names, w.Name)
		if w.Name != "Bonjour" && (w.InDraft || w.NoLonger != w.Before || len(w.NoLongerExamples) == 0 || w.NoLongerExamples[0].Note != "not in the draft") {
			t.Errorf("%s: %+v", w.Name, w)
		}
	}
	if got := strings.Join(names, ", "); got != "Bonjour, Hors horaires, Prix" {
		t.Errorf("workflows = %s, want Bonjour, Hors horaires, Prix", got)
	}
}
