package conditiontest

import (
	"context"
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"
	"sync"
	"testing"

	"github.com/waauto/waauto/condition"
)

// RandomTrees is how many random trees Run checks against Reference.
const RandomTrees = 1500

// Seed is the seed of the random trees; a failure names the tree's index.
const Seed = 20261123

// Run checks each compiler against the suite: the hand-written Cases, the
// compile errors every backend must report, RandomTrees random trees (every
// leaf type but raw expressions) held to Reference for result and trace, and
// concurrent use of one program. Match is held to the same results, on a
// fresh scope and on scopes shared by many programs. Every disagreement is reported, not only
// the first. Raw cases run only for compilers named like their language.
func Run(t *testing.T, compilers ...condition.Compiler) {
	t.Helper()
	for _, c := range compilers {
		t.Run(c.Name(), func(t *testing.T) {
			t.Run("cases", func(t *testing.T) { runCases(t, c) })
			t.Run("compile_errors", func(t *testing.T) { runCompileErrors(t, c) })
			t.Run("random", func(t *testing.T) { runRandom(t, c) })
			t.Run("shared_scope", func(t *testing.T) { runSharedScope(t, c) })
			t.Run("concurrent", func(t *testing.T) { runConcurrent(t, c) })
		})
	}
}

// check compiles and evaluates one tree and compares it with want; it
// returns a readable disagreement, or "" when there is none.
func check(c condition.Compiler, tree condition.Node, env condition.Env, f *condition.Facts, want condition.Result) string {
	prg, err := c.Compile(tree, env)
	if err != nil {
		return fmt.Sprintf("compile error: %v", err)
	}
	got, err := prg.Eval(context.Background(), f)
	if err != nil {
		return fmt.Sprintf("eval error: %v", err)
	}
	if d := diff(want, got); d != "" {
		return d
	}
	return checkMatch(prg, condition.NewScope(f), want.Matched)
}

// checkMatch compares prg's Match on s with want.
func checkMatch(prg condition.Program, s *condition.Scope, want bool) string {
	got, err := prg.Match(context.Background(), s)
	switch {
	case err != nil:
		return fmt.Sprintf("match error: %v", err)
	case got != want:
		return fmt.Sprintf("Match: got %t, want %t", got, want)
	}
	return ""
}

func diff(want, got condition.Result) string {
	var b strings.Builder
	if want.Matched != got.Matched {
		fmt.Fprintf(&b, "matched: got %t, want %t\n", got.Matched, want.Matched)
	}
	if len(want.Trace) != len(got.Trace) {
		fmt.Fprintf(&b, "trace has %d leaves, want %d\n", len(got.Trace), len(want.Trace))
	}
	for i := range min(len(want.Trace), len(got.Trace)) {
		if w, g := want.Trace[i], got.Trace[i]; w != g {
			fmt.Fprintf(&b, "leaf %d: got %s %s=%t, want %s %s=%t\n", i, g.Path, g.Leaf, g.Value, w.Path, w.Leaf, w.Value)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + "want trace:\n" + want.Trace.String() + "got trace:\n" + got.Trace.String()
}

func runCases(t *testing.T, c condition.Compiler) {
	var bad []string
	for _, tc := range Cases() {
		if tc.Lang != "" && tc.Lang != c.Name() {
			continue
		}
		want := condition.Result{Matched: tc.Want}
		if tc.Lang == "" {
			ref, err := Reference(tc.Tree, tc.Env, tc.Facts)
			if err != nil || ref.Matched != tc.Want {
				bad = append(bad, fmt.Sprintf("%s: reference evaluator says %t (%v), case wants %t", tc.Name, ref.Matched, err, tc.Want))
				continue
			}
			want = ref
		} else {
			leaves := condition.Leaves(tc.Tree)
			want.Trace = condition.Trace{{Path: leaves[0].Path, Leaf: condition.Describe(leaves[0].Node), Value: tc.Want}}
		}
		if d := check(c, tc.Tree, tc.Env, tc.Facts, want); d != "" {
			bad = append(bad, fmt.Sprintf("%s:\n%s", tc.Name, d))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d case(s) failed:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

// CompileErrorCase is a tree a compiler must refuse: with a
// *condition.CompileError at Path, wrapping Is when set, and wrapping the
// regexp's *syntax.Error when Syntax is set.
type CompileErrorCase struct {
	Name   string
	Tree   condition.Node
	Env    condition.Env
	Path   string
	Is     error
	Syntax bool
}

// CheckCompileErrors compiles each case with c and reports every
// difference from what the case wants.
func CheckCompileErrors(t *testing.T, c condition.Compiler, cases []CompileErrorCase) {
	t.Helper()
	for _, tc := range cases {
		_, err := c.Compile(tc.Tree, tc.Env)
		var ce *condition.CompileError
		var se *syntax.Error
		switch {
		case err == nil:
			t.Errorf("%s: compiled without error", tc.Name)
		case !errors.As(err, &ce):
			t.Errorf("%s: error %v (%T) is not a *condition.CompileError", tc.Name, err, err)
		case ce.Path != tc.Path:
			t.Errorf("%s: error path %q, want %q", tc.Name, ce.Path, tc.Path)
		case tc.Is != nil && !errors.Is(err, tc.Is):
			t.Errorf("%s: error %v does not wrap %v", tc.Name, err, tc.Is)
		case tc.Syntax && !errors.As(err, &se):
			t.Errorf("%s: error %v does not wrap the regexp's *syntax.Error", tc.Name, err)
		}
	}
}

func runCompileErrors(t *testing.T, c condition.Compiler) {
	CheckCompileErrors(t, c, []CompileErrorCase{
		{Name: "bad regexp", Tree: condition.All{Nodes: []condition.Node{condition.Text{Op: condition.OpMatches, Value: "(a"}}}, Path: "all[0].text", Syntax: true},
		{Name: "unknown hours", Tree: condition.Not{Node: condition.InHours{Name: "nope"}}, Path: "not.schedule"},
		{Name: "unknown text operator", Tree: condition.Text{Op: "sounds_like", Value: "a"}, Path: "text"},
		{Name: "since_last_reply eq", Tree: condition.SinceLastReply{Op: condition.OpEq}, Path: "since_last_reply"},
	})
	// Every faulty leaf is reported, not only the first.
	tree := condition.Any{Nodes: []condition.Node{condition.Text{Op: condition.OpMatches, Value: "("}, condition.InHours{Name: "x"}}}
	_, err := c.Compile(tree, condition.Env{})
	if n := strings.Count(fmt.Sprint(err), "\n") + 1; err == nil || n < 2 {
		t.Errorf("two faulty leaves: got %v, want both reported", err)
	}
}

func runRandom(t *testing.T, c condition.Compiler) {
	g := newGenerator(Seed)
	var bad []string
	for i := range RandomTrees {
		tree, env := g.tree(), g.env()
		f := g.facts()
		want, err := Reference(tree, env, f)
		if err != nil {
			t.Fatalf("tree %d: reference evaluator: %v", i, err)
		}
		if d := check(c, tree, env, f, want); d != "" {
			bad = append(bad, fmt.Sprintf("tree %d (location %s, time %s, text %q, labels %q, since %s):\n%s",
				i, env.Loc(), f.Time.In(env.Loc()).Format("Mon 2006-01-02 15:04 MST"), f.RawText, f.Labels, f.SinceLastReply, d))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d random trees disagree with the reference evaluator:\n%s", len(bad), RandomTrees, strings.Join(bad, "\n"))
	}
}

// runSharedScope matches and then traces many programs (different trees
// and time zones) sharing their leaves through one LeafCache on one scope
// per message, as an engine does for one message.
func runSharedScope(t *testing.T, c condition.Compiler) {
	g := newGenerator(Seed + 2)
	cache := condition.NewLeafCache()
	total := 0
	var bad []string
	for m := range 20 {
		f := g.facts()
		s := condition.NewScope(f)
		for i := range 20 {
			tree := g.tree() // a new account each time
			// The same tree in every zone: its leaves' text is the same,
			// their meaning is not.
			for _, loc := range g.zones {
				env := g.env()
				env.Location, env.Leaves = loc, cache
				total += len(condition.Leaves(tree))
				want, err := Reference(tree, env, f)
				if err != nil {
					t.Fatalf("message %d, tree %d: reference evaluator: %v", m, i, err)
				}
				prg, err := c.Compile(tree, env)
				if err != nil {
					t.Fatalf("message %d, tree %d: compile: %v", m, i, err)
				}
				d := checkMatch(prg, s, want.Matched)
				if d == "" {
					// After Match, on the same scope: the trace.
					got, err := prg.Trace(context.Background(), s)
					if d = diff(want, got); err != nil {
						d = fmt.Sprintf("trace error: %v", err)
					}
				}
				if d != "" {
					bad = append(bad, fmt.Sprintf("message %d, tree %d (location %s): %s", m, i, env.Loc(), d))
				}
			}
		}
	}
	if n := cache.Len(); n > total*3/4 {
		t.Errorf("%d distinct leaves of %d: the cache shares too little", n, total)
	}
	if len(bad) > 0 {
		t.Errorf("%d programs matched on a shared scope disagree with the reference evaluator:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

func runConcurrent(t *testing.T, c condition.Compiler) {
	g := newGenerator(Seed + 1)
	tree, env := g.tree(), g.env()
	prg, err := c.Compile(tree, env)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	facts := make([]*condition.Facts, 64)
	wants := make([]condition.Result, len(facts))
	for i := range facts {
		facts[i] = g.facts()
		if wants[i], err = Reference(tree, env, facts[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(facts))
	for w := range 4 {
		wg.Go(func() {
			for k := range facts {
				i := (k + w*7) % len(facts)
				got, err := prg.Eval(context.Background(), facts[i])
				if err != nil {
					errs <- fmt.Sprintf("facts %d: %v", i, err)
				} else if d := diff(wants[i], got); d != "" {
					errs <- fmt.Sprintf("facts %d:\n%s", i, d)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	var bad []string
	for e := range errs {
		bad = append(bad, e)
	}
	if len(bad) > 0 {
		t.Errorf("concurrent evaluations disagree:\n%s", strings.Join(bad, "\n"))
	}
}
