package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/cel"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// compileSet compiles ws as the engine does, with compiler c.
func compileSet(tb testing.TB, c condition.Compiler, ws []workflow.Workflow) *workflowSet {
	tb.Helper()
	return compileSetEnv(tb, c, ws, condition.Env{Location: time.UTC})
}

// compileSetEnv compiles ws as an engine in env's zone, with its hours.
func compileSetEnv(tb testing.TB, c condition.Compiler, ws []workflow.Workflow, env condition.Env) *workflowSet {
	tb.Helper()
	e := &Engine{cfg: Config{Compiler: c, Registry: action.NewRegistry(), Location: env.Loc()}}
	set, err := e.compile(ws, env.Hours)
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

// indexOnly indexes ws without compiling their conditions: enough for
// candidates, not for evaluation.
func indexOnly(ws []workflow.Workflow) *workflowSet {
	set := &workflowSet{}
	for i, w := range ws {
		set.list = append(set.list, &compiled{Workflow: w, pos: i})
	}
	set.index = newPrefilter(set.list, condition.Env{})
	return set
}

func textWorkflow(name string, tree condition.Node) workflow.Workflow {
	return workflow.Workflow{Name: name, Enabled: true, Priority: workflow.DefaultPriority, Trigger: trigger.KindIncomingMessage, Conditions: tree,
		Actions: []workflow.Step{{Type: "reply", Action: &action.Reply{Text: "ok"}}}}
}

// textMessage is a message of text in session s1 on Monday 23 November
// 2026 at 10:30 UTC, unassigned.
func textMessage(text string) (*condition.Scope, trigger.Event) {
	m := trigger.Message{Session: "s1", Text: text, Type: trigger.MessageText, Time: time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)}
	return condition.NewScope(condition.NewFacts(condition.Input{Message: m, MessageCount: 1})), trigger.Event{Message: m}
}

// The automaton finds exactly the keywords a text contains, overlapping,
// nested and multi-byte ones included: compared with strings.Contains on
// random keywords over a tiny alphabet.
func TestPrefilterAutomatonExact(t *testing.T) {
	g := rand.New(rand.NewPCG(3, 4))
	// Keywords use every letter but the space, which texts add. Odd
	// rounds use 21 letters, so that states have many children.
	narrow := []string{"a", "b", "é", "e", " "}
	wide := append(strings.Split("abcdefghijklmnopqrst", ""), "é", " ")
	var alphabet []string
	word := func(max int) string {
		letters := len(alphabet) - 1
		if max > 5 {
			letters++
		}
		var b strings.Builder
		for range 1 + g.IntN(max) {
			b.WriteString(alphabet[g.IntN(letters)])
		}
		return b.String()
	}
	for round := range 200 {
		alphabet = narrow
		if round%2 == 1 {
			alphabet = wide
		}
		var ws []workflow.Workflow
		var need [][]string
		for i := range 1 + g.IntN(40*len(alphabet)) {
			kws := []string{word(5)}
			if g.IntN(3) == 0 {
				kws = append(kws, word(3))
			}
			ws = append(ws, textWorkflow(fmt.Sprint("w", i), condition.Text{Op: condition.OpContainsAny, Values: kws}))
			for j, k := range kws {
				kws[j] = condition.Fold(k)
			}
			need = append(need, kws)
		}
		set := indexOnly(ws)
		if set.index.stats.Always != 0 || set.index.stats.Indexed != len(ws) {
			t.Fatalf("stats %+v, want every workflow indexed", set.index.stats)
		}
		for range 20 {
			text := word(30)
			var want []int32
			for i, kws := range need {
				if slices.ContainsFunc(kws, func(k string) bool { return strings.Contains(text, k) }) {
					want = append(want, int32(i))
				}
			}
			if got := set.index.lookup(text, nil); !slices.Equal(got, want) {
				t.Fatalf("round %d: text %q: candidates %v, want %v", round, text, got, want)
			}
		}
	}
}

func TestPrefilterStats(t *testing.T) {
	ws := []workflow.Workflow{
		textWorkflow("prix", condition.Text{Op: condition.OpContains, Value: "prix"}),
		textWorkflow("tarif", condition.Text{Op: condition.OpContainsAny, Values: []string{"tarif", "prix"}}),
		textWorkflow("always", condition.Agent{Op: condition.OpAssigned}),
		textWorkflow("assigned", condition.Agent{Op: condition.OpAssigned, IsAssigned: true}),
		textWorkflow("never", condition.Any{}),
		textWorkflow("off", condition.Text{Op: condition.OpContains, Value: "off"}),
		textWorkflow("no conditions", nil),
	}
	ws[5].Enabled = false
	ws[2].Priority = 1
	set := compileSet(t, expr.New(), ws)
	got := set.index.stats
	want := prefilterStats{Enabled: 6, Indexed: 2, Always: 3, Never: 1, Keywords: 2, States: 1 + 4 + 5}
	got.Bytes = 0
	if got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	name := func(text string) []string {
		var out []string
		for c := range set.candidates(textMessage(text)) {
			out = append(out, c.Name)
		}
		return out
	}
	// Priority order: "always" (priority 1) first, then definition order;
	// "assigned" needs an agent, the message has none.
	if got, want := name("Le PRIX ?"), []string{"always", "prix", "tarif", "no conditions"}; !slices.Equal(got, want) {
		t.Errorf("candidates = %q, want %q", got, want)
	}
	if got, want := name("vos tarifs"), []string{"always", "tarif", "no conditions"}; !slices.Equal(got, want) {
		t.Errorf("candidates = %q, want %q", got, want)
	}
	if got, want := name("off"), []string{"always", "no conditions"}; !slices.Equal(got, want) {
		t.Errorf("candidates = %q, want %q", got, want)
	}
	// Stopping the iteration stops it.
	for c := range set.candidates(textMessage("prix")) {
		if c.Name != "always" {
			t.Fatalf("first candidate %q", c.Name)
		}
		break
	}
}

// The property the index exists for: on random workflow sets and random
// messages, the workflows that match with the index (keywords and the
// message's other dimensions, Match on one scope per message, leaves shared
// through the set's cache) are exactly those that match with the naive loop
// over every workflow (Eval on its own), in the same order, with the same
// traces. The trees mix text-heavy ones and the condition suite's
// generator's (schedules and business hours in several zones, agents,
// types, labels...); the messages vary session, group, new contact, agent,
// type and time. 10,000 set × message pairs with expr (-short: 1,000).
func TestPrefilterMatchesNaive(t *testing.T) {
	for _, c := range []condition.Compiler{expr.New(), cel.New()} {
		t.Run(c.Name(), func(t *testing.T) {
			g := rand.New(rand.NewPCG(20261124, 1))
			r := conditiontest.NewRandom(20261127)
			sets, rounds := 2000, 5
			if c.Name() == "cel" {
				sets = 150 // CEL compiles 6x slower
			}
			if testing.Short() {
				sets /= 10
			}
			indexed, total, matches, skipped := 0, 0, 0, 0
			for s := range sets {
				r.NewAccount()
				env := r.Env()
				var ws []workflow.Workflow
				for i := range 1 + g.IntN(12) {
					w := randomWorkflow(g, i)
					if g.IntN(2) == 0 {
						w.Conditions = r.Tree()
					}
					ws = append(ws, w)
				}
				set := compileSetEnv(t, c, ws, env)
				indexed += set.index.stats.Indexed
				total += set.index.stats.Enabled
				for range rounds {
					f, ev := randomMessage(g, r)
					naive, err := matching(set.list, f, ev)
					if err != nil {
						t.Fatal(err)
					}
					sc := condition.NewScope(f)
					var got []string
					n := 0
					for c := range set.candidates(sc, ev) {
						n++
						if !c.applies(ev) {
							continue
						}
						ok, err := c.prog.Match(context.Background(), sc)
						if err != nil {
							t.Fatal(err)
						}
						if !ok {
							continue
						}
						got = append(got, c.Name)
						traced, err := c.prog.Trace(context.Background(), sc)
						want, _ := c.prog.Eval(context.Background(), f)
						if err != nil || !slices.Equal(traced.Trace, want.Trace) || !traced.Matched {
							t.Fatalf("set %d, %s: trace on the scope %v (%v), want %v", s, c.Name, traced, err, want)
						}
					}
					skipped += set.index.stats.Enabled - n
					matches += len(naive)
					if !slices.Equal(got, naive) {
						t.Fatalf("set %d, text %q, agent %q, type %s, %s: indexed matches %q, naive %q\nworkflows: %+v",
							s, f.RawText, f.Agent, f.Type, f.Time, got, naive, ws)
					}
				}
			}
			if indexed < total/5 || matches < sets*rounds/2 || skipped < sets*rounds {
				t.Fatalf("%d of %d workflows indexed, %d matches, %d skipped: generator too weak", indexed, total, matches, skipped)
			}
			t.Logf("%d of %d enabled workflows indexed by keyword; %d matches; %d candidates skipped", indexed, total, matches, skipped)
		})
	}
}

// matching evaluates list in order as a naive loop does and returns the
// names of the workflows that apply and match.
func matching(list []*compiled, f *condition.Facts, ev trigger.Event) ([]string, error) {
	var out []string
	for _, c := range list {
		if !c.Enabled || !c.applies(ev) {
			continue
		}
		res, err := c.prog.Eval(context.Background(), f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		if res.Matched {
			out = append(out, c.Name)
		}
	}
	return out, nil
}

// randomMessage draws a message: the condition suite's facts (time near a
// DST change or midnight, agent, type, labels...), half the time with a
// text-heavy text, in a random session, sometimes from a group.
func randomMessage(g *rand.Rand, r *conditiontest.Random) (*condition.Facts, trigger.Event) {
	f := r.Facts()
	if g.IntN(2) == 0 {
		raw := strings.TrimSpace(pfText(g))
		f.RawText, f.Text, f.Length = raw, condition.Fold(raw), utf8.RuneCountInString(raw)
	}
	f.Session = []string{"s1", "s2"}[g.IntN(2)]
	m := trigger.Message{Session: f.Session, Text: f.RawText, Type: f.Type, Time: f.Time, Group: g.IntN(5) == 0}
	return f, trigger.Event{Message: m, NewContact: f.IsNewContact}
}

var (
	pfWords = []string{
		"prix", "Prix", "prixx", "tarif", "tarifs", "dispo", "disponible", "Problème", "probleme",
		"rdv", "rendez-vous", "ça", "ca", "été", "ÉTÉ", "a", "ab", "b", "🙏", "\u1100\u1161", "가", "İstanbul", "straße",
	}
	pfSeps    = []string{" ", " ", "", ", ", "-", "!", "\u0301"}
	pfTextOps = []condition.Op{
		condition.OpContains, condition.OpContains, condition.OpContainsAny, condition.OpContainsAny, condition.OpNotContains,
		condition.OpStartsWith, condition.OpEndsWith, condition.OpEquals, condition.OpNotEquals, condition.OpContainsAll,
		condition.OpMatches, condition.OpEmpty,
	}
)

func pfText(g *rand.Rand) string {
	var b strings.Builder
	for range g.IntN(6) {
		b.WriteString(pfWords[g.IntN(len(pfWords))])
		b.WriteString(pfSeps[g.IntN(len(pfSeps))])
	}
	return b.String()
}

func randomWorkflow(g *rand.Rand, i int) workflow.Workflow {
	w := textWorkflow(fmt.Sprint("w", i), randomTree(g, 0))
	w.Priority = g.IntN(3)
	w.Enabled = g.IntN(6) > 0
	if g.IntN(4) == 0 {
		w.Session = "s1"
	}
	if g.IntN(5) == 0 {
		w.Trigger = trigger.KindNewContact
	}
	w.Groups = g.IntN(3) == 0
	return w
}

func randomTree(g *rand.Rand, depth int) condition.Node {
	if depth < 3 {
		switch g.IntN(9) {
		case 0, 1:
			return condition.All{Nodes: randomNodes(g, depth)}
		case 2:
			return condition.Any{Nodes: randomNodes(g, depth)}
		case 3:
			return condition.Not{Node: randomTree(g, depth+1)}
		}
	}
	switch g.IntN(8) {
	case 0:
		return condition.Agent{Op: condition.OpAssigned, IsAssigned: g.IntN(2) == 0}
	case 1:
		return condition.Labels{Op: condition.OpHas, Values: []string{"vip"}}
	case 2:
		return condition.Length{Op: condition.OpGt, N: g.IntN(15)}
	}
	n := condition.Text{Op: pfTextOps[g.IntN(len(pfTextOps))], Exact: g.IntN(4) == 0, Word: g.IntN(3) == 0}
	switch n.Op {
	case condition.OpContainsAny, condition.OpContainsAll:
		for range 1 + g.IntN(3) {
			n.Values = append(n.Values, pfWords[g.IntN(len(pfWords))])
		}
	case condition.OpMatches:
		n.Value = `^(prix|tarif)`
	case condition.OpEmpty:
		n.IsEmpty = g.IntN(2) == 0
	case condition.OpEquals, condition.OpNotEquals:
		n.Value = pfText(g)
	default:
		n.Value = pfWords[g.IntN(len(pfWords))]
	}
	return n
}

func randomNodes(g *rand.Rand, depth int) []condition.Node {
	out := make([]condition.Node, g.IntN(4))
	for i := range out {
		out[i] = randomTree(g, depth+1)
	}
	return out
}
