package engine

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/hyperjumptech/grule-rule-engine/ast"
	"github.com/hyperjumptech/grule-rule-engine/builder"
	grule "github.com/hyperjumptech/grule-rule-engine/engine"
	"github.com/hyperjumptech/grule-rule-engine/pkg"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// The grule baseline of BenchmarkMatch (issue 16): the benchmark's trees
// written as GRL rules (github.com/hyperjumptech/grule-rule-engine,
// v1.20.4, a test-only dependency), one rule per workflow, built into one
// knowledge base once per rule set and reused for every message; each
// message gets a fresh data context holding the same struct the naive
// loops fill, and GruleEngine.FetchMatchingRules evaluates every rule's
// "when" to its boolean (grule's own working memory shares identical
// sub-expressions across rules within one message). Nothing is executed:
// the "then" is empty (a no-op assignment).
//
// The translation (naiveSource) is exact for the benchmark's trees: text
// contains a folded keyword is Fact.Text.Contains("..."), agent
// (un)assigned compares Fact.Agent with "", a schedule is a disjunction of
// the weekdays and a minute range. What grule does not do is the
// engine's work around the tree: folding the text (the fact holds the
// already folded text, as for the naive loops) and the trigger's applies
// check (done in Go on the rules FetchMatchingRules returns, as the naive
// loops do before evaluating).

// gruleVars is the fact of the grule rules; grule reads exported fields by
// reflection. Done is the target of the rules' no-op "then".
type gruleVars struct {
	Text    string
	Agent   string
	Weekday int64
	Minute  int64
	Done    bool
}

// naiveGrule is one knowledge base holding a rule per workflow.
type naiveGrule struct {
	kb     *ast.KnowledgeBase
	engine *grule.GruleEngine
	pos    map[string]int // rule name → position in the list
}

// newNaiveGrule builds the knowledge base of list: one rule wf<i> per
// workflow, salience = the workflow's priority.
func newNaiveGrule(tb testing.TB, list []*compiled) naiveLoop {
	var src strings.Builder
	pos := make(map[string]int, len(list))
	for i, c := range list {
		name := "wf" + strconv.Itoa(i)
		pos[name] = i
		fmt.Fprintf(&src, "rule %s %q salience %d {\n when\n  %s\n then\n  Fact.Done = true;\n}\n",
			name, c.ID, c.Priority, naiveSource(c.Conditions, "grule"))
	}
	lib := ast.NewKnowledgeLibrary()
	if err := builder.NewRuleBuilder(lib).BuildRuleFromResource("bench", "1", pkg.NewBytesResource([]byte(src.String()))); err != nil {
		tb.Fatal(err)
	}
	// The blueprint itself, not NewKnowledgeBaseInstance's clone: the
	// benchmark is single-goroutine, and the clone's snapshot check would
	// only lengthen the build.
	kb := lib.GetKnowledgeBase("bench", "1")
	if kb == nil || len(kb.RuleEntries) != len(list) {
		tb.Fatalf("grule knowledge base holds %d rules, want %d", len(kb.RuleEntries), len(list))
	}
	return naiveGrule{kb: kb, engine: grule.NewGruleEngine(), pos: pos}
}

func (n naiveGrule) matches(tb testing.TB, list []*compiled, f *condition.Facts, ev trigger.Event) int {
	v := newNaiveVars(f)
	fact := &gruleVars{Text: v.Text, Agent: v.Agent, Weekday: v.Weekday, Minute: v.Minute}
	dctx := ast.NewDataContext()
	if err := dctx.Add("Fact", fact); err != nil {
		tb.Fatal(err)
	}
	rules, err := n.engine.FetchMatchingRules(dctx, n.kb)
	if err != nil {
		tb.Fatal(err)
	}
	count := 0
	for _, r := range rules {
		if list[n.pos[r.RuleName]].applies(ev) {
			count++
		}
	}
	return count
}
