package lint_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/lint"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// Property test sizes: random rule sets are drawn until propertyClaims
// workflows are reported unreachable; each set with a "never" finding gets
// propertyMessages messages (a tenth with -short), so every reported
// workflow is held to that many messages.
const (
	propertyClaims   = 8
	propertyMessages = 10000
)

func messagesPerSet() int {
	if testing.Short() {
		return propertyMessages / 10
	}
	return propertyMessages
}

// randomSet draws a rule set over one account. Some trees are built from
// an earlier one (conjoined with a new tree, or the same), so that stop
// workflows often shadow later ones.
func randomSet(r *conditiontest.Random) workflow.Definitions {
	r.NewAccount()
	n := 4 + r.IntN(5)
	var ws []workflow.Workflow
	for i := range n {
		tree := r.Tree()
		if i > 0 {
			earlier := ws[r.IntN(i)].Conditions
			switch r.IntN(4) {
			case 0:
				if earlier != nil {
					tree = condition.All{Nodes: []condition.Node{earlier, tree}}
				}
			case 1:
				tree = earlier
			}
		}
		if r.IntN(10) == 0 {
			tree = nil
		}
		w := workflow.Workflow{
			Name: fmt.Sprintf("w%d", i), ID: fmt.Sprintf("w%d", i), Enabled: r.IntN(8) > 0,
			Priority: 10 * r.IntN(3), Trigger: trigger.KindIncomingMessage, Stop: r.IntN(2) == 0,
			Mode: workflow.ModeLive, Conditions: tree,
			Actions: []workflow.Step{{Type: "reply", Action: &action.Reply{Text: fmt.Sprintf("w%d", i)}}},
		}
		if r.IntN(6) == 0 {
			w.Trigger = trigger.KindNewContact
		}
		if r.IntN(8) == 0 {
			w.Mode = workflow.ModeShadow
		}
		if r.IntN(6) == 0 {
			w.Cooldown = time.Hour
		}
		ws = append(ws, w)
	}
	return workflow.Definitions{Workflows: ws, Hours: r.Env().Hours}
}

// never returns the workflows Check says never fire, with the check:
// unreachable, or contradiction (conditions that can never be true).
func never(fs []lint.Finding, byCheck map[string]int) map[string]string {
	out := map[string]string{}
	for _, f := range fs {
		if f.Check == lint.CheckUnreachable || f.Check == lint.CheckContradiction && f.Severity == lint.SeverityError {
			out[f.Workflow] = f.Check
			byCheck[f.Check]++
		}
	}
	return out
}

// Every workflow reported as never firing does not fire on random messages
// run through the real engine. Each such workflow gets a twin evaluated
// first (same trigger and conditions, not a stop workflow, a label as its
// only action). The twin of a workflow whose conditions are reported as
// never true must never fire either; the firings of the twin of an
// unreachable workflow count the messages that workflow's own conditions
// matched, showing the claim is not vacuous.
func TestPropertyNeverFires(t *testing.T) {
	r := conditiontest.NewRandom(conditiontest.Seed)
	var sets, drawn, messages, claims, matched int
	byCheck := map[string]int{}
	for byCheck[lint.CheckUnreachable] < propertyClaims {
		drawn++
		defs := randomSet(r)
		loc := r.Env().Location
		fs := lint.Check(defs, lint.Options{Location: loc})
		found := never(fs, byCheck)
		if len(found) == 0 {
			continue
		}
		sets++
		claims += len(found)
		m, n := runSet(t, r, defs, loc, found)
		messages += n
		matched += m
	}
	t.Logf("%d rule sets drawn, %d with findings; %d workflows reported as never firing %v; %d messages through the engine; the unreachable ones' conditions matched %d times, they fired 0 times",
		drawn, sets, claims, byCheck, messages, matched)
	if matched == 0 {
		t.Error("the reported workflows' conditions never matched: the test shows nothing")
	}
}

// runSet runs messages through an engine holding defs and twins of the
// claimed workflows; it fails the test when a claim is refuted. It
// returns how often the twins of unreachable workflows fired and the
// number of messages.
func runSet(t *testing.T, r *conditiontest.Random, defs workflow.Definitions, loc *time.Location, claims map[string]string) (twins, messages int) {
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := workflowtest.New(t, workflowtest.Options{Location: loc, Start: start})
	run := defs
	run.Workflows = slices.Clone(defs.Workflows)
	for _, w := range defs.Workflows {
		if _, ok := claims[w.Name]; ok {
			twin := w
			twin.Name, twin.ID, twin.Priority, twin.Stop, twin.Cooldown = "twin "+w.Name, "twin-"+w.ID, -1000, false, 0
			twin.Enabled, twin.Mode = true, workflow.ModeLive
			twin.Actions = []workflow.Step{{Type: "label", Action: &action.Label{Add: action.Strings{"twin"}}}}
			run.Workflows = append(run.Workflows, twin)
		}
	}
	if err := h.Engine.SetWorkflows(ctx, run); err != nil {
		t.Fatalf("SetWorkflows: %v", err)
	}
	labels := []string{"vip", "urgent", "handoff", "b2b", "été", "twin"}
	now, session := start, 0
	for i := range messagesPerSet() {
		f := r.Facts()
		now = now.Add(time.Duration(1+r.IntN(120)) * time.Minute)
		if r.IntN(8) == 0 {
			session++
		}
		sess := fmt.Sprintf("s%d", session)
		remove := slices.DeleteFunc(slices.Clone(labels), func(l string) bool { return slices.Contains(f.Labels, l) })
		if err := h.Engine.Label(ctx, f.Phone, f.Labels, remove); err != nil {
			t.Fatal(err)
		}
		if err := h.Engine.Assign(ctx, sess, f.Phone, f.Agent); err != nil {
			t.Fatal(err)
		}
		h.Clock.Set(ctx, now)
		res, err := h.Receive(ctx, trigger.Message{Session: sess, ID: fmt.Sprintf("m%d", i), Phone: f.Phone,
			Text: f.RawText, Type: f.Type, Time: now})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range res.Executions {
			name, twin := strings.CutPrefix(x.Workflow, "twin ")
			check, claimed := claims[name]
			switch {
			case !claimed:
			case !twin || check == lint.CheckContradiction:
				t.Fatalf("%s ran on message %d (%q at %s) although %s was reported %s; rule set:\n%s",
					x.Workflow, i, f.RawText, now, name, check, describeSet(defs))
			case x.Outcome == workflow.OutcomeFired:
				twins++
			}
		}
	}
	return twins, messagesPerSet()
}

func describeSet(defs workflow.Definitions) string {
	out := ""
	for _, w := range defs.Workflows {
		out += fmt.Sprintf("  %s prio=%d stop=%t enabled=%t mode=%s trigger=%s cooldown=%s: %#v\n",
			w.Name, w.Priority, w.Stop, w.Enabled, w.Mode, w.Trigger, w.Cooldown, w.Conditions)
	}
	return out
}

// Sizes of the overlap property test.
const (
	overlapSets    = 150
	overlapReplays = 60
)

// Every overlap reported is replayed through the real engine: its example
// message, in a conversation built to match the example (labels, agent,
// earlier messages, last reply), makes both workflows fire.
func TestPropertyOverlapsReplay(t *testing.T) {
	r := conditiontest.NewRandom(conditiontest.Seed + 2)
	replays, drawn := 0, 0
	var earlier, replied, agent, labelled, newContact int
	for ; drawn < overlapSets && replays < overlapReplays; drawn++ {
		defs := randomSet(r)
		loc := r.Env().Location
		for _, f := range lint.Check(defs, lint.Options{Location: loc, Compiler: expr.New()}) {
			if f.Check != lint.CheckOverlap {
				continue
			}
			replays++
			ex := f.Example
			earlier += min(ex.MessageCount-1, 1)
			replied += min(len(ex.SinceLastReply), 1)
			agent += min(len(ex.Agent), 1)
			labelled += min(len(ex.Labels), 1)
			if ex.NewContact {
				newContact++
			}
			fired := replay(t, defs, loc, ex)
			if !slices.Contains(fired, f.Workflow) || !slices.Contains(fired, f.Related[0]) {
				t.Fatalf("overlap of %s and %s: on the example %s the engine fired %q; rule set:\n%s",
					f.Related[0], f.Workflow, f.Example, fired, describeSet(defs))
			}
		}
	}
	t.Logf("%d rule sets drawn; %d overlaps reported, each replayed through the engine: both workflows fired (examples with earlier messages %d, a reply %d, an agent %d, labels %d, a new contact %d)",
		drawn, replays, earlier, replied, agent, labelled, newContact)
	if replays < 10 {
		t.Errorf("only %d overlaps to replay", replays)
	}
}

// replay sends ex through a fresh engine holding defs and returns the
// workflows that fired. The example's earlier messages are the customer's,
// recorded while excluded from automation, and its last reply the shop's
// own message; labels and agent are set by hand.
func replay(t *testing.T, defs workflow.Definitions, loc *time.Location, ex *lint.Example) []string {
	ctx := context.Background()
	var since time.Duration
	if ex.SinceLastReply != "" {
		d, err := time.ParseDuration(ex.SinceLastReply)
		if err != nil {
			t.Fatal(err)
		}
		since = d
	}
	earlier := ex.MessageCount - 1
	at := ex.Time.Add(-since - time.Duration(earlier+1)*time.Minute)
	h := workflowtest.New(t, workflowtest.Options{Location: loc, Start: at})
	if err := h.Engine.SetWorkflows(ctx, defs); err != nil {
		t.Fatalf("SetWorkflows: %v", err)
	}
	customer := earlier
	if ex.SinceLastReply != "" {
		customer--
	}
	if customer > 0 {
		if err := h.Engine.Exclude(ctx, ex.Phone, true); err != nil {
			t.Fatal(err)
		}
		for i := range customer {
			when := at.Add(time.Duration(i) * time.Minute)
			h.Clock.Set(ctx, when)
			if _, err := h.Receive(ctx, trigger.Message{Session: ex.Session, ID: fmt.Sprintf("c%d", i), Phone: ex.Phone, Text: "avant", Time: when}); err != nil {
				t.Fatal(err)
			}
		}
		if err := h.Engine.Exclude(ctx, ex.Phone, false); err != nil {
			t.Fatal(err)
		}
	}
	if ex.SinceLastReply != "" {
		h.Clock.Set(ctx, ex.Time.Add(-since))
		if err := h.Engine.ReceiveOwn(ctx, ex.Session, ex.Phone, "reply", "agent", ex.Time.Add(-since)); err != nil {
			t.Fatal(err)
		}
	}
	if len(ex.Labels) > 0 {
		if err := h.Engine.Label(ctx, ex.Phone, ex.Labels, nil); err != nil {
			t.Fatal(err)
		}
	}
	if ex.Agent != "" {
		if err := h.Engine.Assign(ctx, ex.Session, ex.Phone, ex.Agent); err != nil {
			t.Fatal(err)
		}
	}
	h.Clock.Set(ctx, ex.Time)
	res, err := h.Receive(ctx, trigger.Message{Session: ex.Session, ID: "example", Phone: ex.Phone, Text: ex.Text,
		Type: trigger.MessageType(ex.Type), Time: ex.Time})
	if err != nil {
		t.Fatal(err)
	}
	var fired []string
	for _, x := range res.Executions {
		if x.Outcome == workflow.OutcomeFired {
			fired = append(fired, x.Workflow)
		}
	}
	return fired
}
