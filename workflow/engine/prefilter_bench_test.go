package engine

import (
	"context"
	"fmt"
	"os"
	goruntime "runtime"
	"sync"
	"testing"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/cel"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// The matching benchmarks follow research/performance.md §2.2: every
// workflow is all: [any: [text contains k1, text contains k2], agent
// unassigned, schedule mon-fri from (i%10):00 for 9 hours]. With
// kw=unique every workflow has keywords of its own; with kw=shared they
// come from a 200-word vocabulary (each in about 1% of the workflows);
// kw=open20 is unique with 20% of the workflows
// without a text condition. BenchmarkMatch (unique and open20) compares the
// engine's path with naive loops; the message, Monday 10:30 UTC, contains
// one workflow's first keyword.
//
//	scripts/bench.sh

const benchFiller = "Bonjour, le modèle bleu en taille 42 est-il encore en boutique ? Merci beaucoup, bonne journée"

type benchFixture struct {
	key      string
	set      *workflowSet
	hit      string // a keyword of workflow hitIndex
	compiled time.Duration
}

var benchCache = struct {
	sync.Mutex
	m     map[string]*benchFixture
	naive map[string]naiveLoop
}{m: map[string]*benchFixture{}, naive: map[string]naiveLoop{}}

// benchKeyword is the i-th unique keyword: "xq" and four letters, which
// neither French filler nor another keyword contains.
func benchKeyword(i int) string {
	b := []byte("xq____")
	for k := 5; k >= 2; k-- {
		b[k] = byte('a' + i%26)
		i /= 26
	}
	return string(b)
}

func benchWorkflows(n int, kw string) ([]workflow.Workflow, string) {
	ws := make([]workflow.Workflow, n)
	hit := ""
	for i := range ws {
		var k1, k2 string
		switch kw {
		case "shared":
			k1, k2 = benchKeyword((i*7)%200), benchKeyword(200+(i*13)%200)
		default:
			k1, k2 = benchKeyword(2*i), benchKeyword(2*i+1)
		}
		if i == hitIndex(n) {
			hit = k1
		}
		from := condition.TimeOfDay((i % 10) * 60)
		nodes := []condition.Node{
			condition.Any{Nodes: []condition.Node{
				condition.Text{Op: condition.OpContains, Value: k1},
				condition.Text{Op: condition.OpContains, Value: k2},
			}},
			condition.Agent{Op: condition.OpAssigned, IsAssigned: false},
			condition.Schedule{Days: []time.Weekday{1, 2, 3, 4, 5}, From: from, To: from + 9*60},
		}
		if kw == "open20" && i%5 == 1 {
			nodes = nodes[1:]
		}
		ws[i] = textWorkflow(fmt.Sprint("w", i), condition.All{Nodes: nodes})
	}
	return ws, hit
}

// hitIndex is the workflow in the middle whose hours (from i%10 o'clock,
// 9 hours) contain the benchmark's 10:30.
func hitIndex(n int) int { return n/2/10*10 + 5 }

func benchCompiler(name string) condition.Compiler {
	if name == "cel" {
		return cel.New()
	}
	return expr.New()
}

func fixture(b *testing.B, backend string, n int, kw string) *benchFixture {
	key := fmt.Sprint(backend, n, kw)
	benchCache.Lock()
	defer benchCache.Unlock()
	if f, ok := benchCache.m[key]; ok {
		return f
	}
	ws, hit := benchWorkflows(n, kw)
	start := time.Now()
	set := compileSet(b, benchCompiler(backend), ws)
	f := &benchFixture{key: key, set: set, hit: hit, compiled: time.Since(start)}
	benchCache.m[key] = f
	return f
}

func benchFacts(text string) (*condition.Facts, trigger.Event) {
	m := trigger.Message{Session: "s1", Text: text, Type: trigger.MessageText, Time: time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)}
	return condition.NewFacts(condition.Input{Message: m, MessageCount: 3}), trigger.Event{Message: m}
}

// engineMatch is what Engine.run does to decide, without the actions: one
// scope for the message, the prefilter's candidates, each matched to its
// boolean, and traced (the log's "why") when it matches. It counts the
// matches.
func engineMatch(tb testing.TB, set *workflowSet, f *condition.Facts, ev trigger.Event) int {
	ctx := context.Background()
	sc := condition.NewScope(f)
	n := 0
	for c := range set.candidates(sc, ev) {
		if !c.applies(ev) {
			continue
		}
		ok, err := c.prog.Match(ctx, sc)
		if err != nil {
			tb.Fatal(err)
		}
		if !ok {
			continue
		}
		if _, err := c.prog.Trace(ctx, sc); err != nil {
			tb.Fatal(err)
		}
		n++
	}
	return n
}

// naiveLoops compiles the naive baseline of backend for fx, once.
func naiveLoops(b *testing.B, fx *benchFixture, backend string) naiveLoop {
	key := fx.key + "/" + backend
	benchCache.Lock()
	defer benchCache.Unlock()
	if l, ok := benchCache.naive[key]; ok {
		return l
	}
	var l naiveLoop
	start := time.Now()
	defer func() {
		b.Logf("%s baseline of %s built in %v", backend, fx.key, time.Since(start).Round(time.Millisecond))
	}()
	switch backend {
	case "cel":
		l = newNaiveCEL(b, fx.set.list)
	case "grule":
		l = newNaiveGrule(b, fx.set.list)
	default:
		l = newNaiveExpr(b, fx.set.list)
	}
	benchCache.naive[key] = l
	return l
}

// BenchmarkMatch measures the cost of matching one message against N
// workflows: engine is the engine's path (engineMatch, expr backend),
// naive-expr and naive-cel the naive loop over one program per workflow
// (naive_bench_test.go), grule one grule knowledge base holding a rule per
// workflow (grule_bench_test.go; at N=100,000 only with
// WAAUTO_BENCH_GRULE_100K=1: its build takes too long).
// The sets are kw=unique (every workflow has keywords of its own) and
// open20 (20% of the workflows without a text condition); the message
// contains one workflow's keyword. The naive loops at N=100,000 take
// about half a second per message each: they run only with
// WAAUTO_BENCH_NAIVE_100K=1.
//
//	go test ./workflow/engine -run '^$' -bench 'BenchmarkMatch/' -benchtime 200ms
//	scripts/bench.sh (with -count and benchstat)
func BenchmarkMatch(b *testing.B) {
	for _, kw := range []string{"unique", "open20"} {
		prefix := ""
		if kw != "unique" {
			prefix = kw + "/"
		}
		for _, n := range []int{10, 1000, 10000, 100000} {
			b.Run(fmt.Sprintf("%sn=%d", prefix, n), func(b *testing.B) {
				fx := fixture(b, "expr", n, kw)
				f, ev := benchFacts(benchFiller[:40] + fx.hit + " " + benchFiller[40:])
				want := engineMatch(b, fx.set, f, ev)
				if want == 0 {
					b.Fatal("the message matches nothing")
				}
				b.Run("engine", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						engineMatch(b, fx.set, f, ev)
					}
				})
				for _, backend := range []string{"expr", "cel", "grule"} {
					name := "naive-" + backend
					if backend == "grule" {
						name = backend
					}
					b.Run(name, func(b *testing.B) {
						switch {
						case n >= 100000 && backend == "grule" && os.Getenv("WAAUTO_BENCH_GRULE_100K") == "":
							b.Skip("grule's knowledge base of 100,000 rules takes most of an hour to build (10,000: minutes); set WAAUTO_BENCH_GRULE_100K=1 to run it")
						case n >= 100000 && backend != "grule" && os.Getenv("WAAUTO_BENCH_NAIVE_100K") == "":
							b.Skip("set WAAUTO_BENCH_NAIVE_100K=1 to run the naive loops over 100,000 workflows")
						}
						loop := naiveLoops(b, fx, backend)
						if got := loop.matches(b, fx.set.list, f, ev); got != want {
							b.Fatalf("naive loop matches %d workflows, the engine %d", got, want)
						}
						b.ReportAllocs()
						for b.Loop() {
							loop.matches(b, fx.set.list, f, ev)
						}
					})
				}
			})
		}
	}
}

// BenchmarkMatchParallel is the engine's path at N=1k on every core (T6).
func BenchmarkMatchParallel(b *testing.B) {
	fx := fixture(b, "expr", 1000, "unique")
	f, ev := benchFacts(benchFiller[:40] + fx.hit + " " + benchFiller[40:])
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			engineMatch(b, fx.set, f, ev)
		}
	})
}

// BenchmarkPrefilterBuild measures building the index alone (the programs
// are compiled once, outside the loop), and reports its memory per workflow.
func BenchmarkPrefilterBuild(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		for _, kw := range []string{"unique", "shared"} {
			b.Run(fmt.Sprintf("N=%d/kw=%s", n, kw), func(b *testing.B) {
				ws, _ := benchWorkflows(n, kw)
				list := make([]*compiled, len(ws))
				for i, w := range ws {
					list[i] = &compiled{Workflow: w, pos: i}
				}
				var p *prefilter
				b.ReportAllocs()
				for b.Loop() {
					p = newPrefilter(list, condition.Env{Location: time.UTC})
				}
				b.ReportMetric(float64(p.stats.Bytes)/float64(n), "index-B/wf")
				b.ReportMetric(float64(p.stats.States), "states")
			})
		}
	}
}

// BenchmarkCompileSet is the whole compile() of N workflows with expr:
// validation, programs and index, to set the index build against (T10).
// It also reports the heap the compiled set holds per workflow.
func BenchmarkCompileSet(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			ws, _ := benchWorkflows(n, "unique")
			var set *workflowSet
			var before, after goruntime.MemStats
			goruntime.GC()
			goruntime.ReadMemStats(&before)
			for b.Loop() {
				set = compileSet(b, expr.New(), ws)
			}
			goruntime.GC()
			goruntime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc))/float64(n), "heap-B/wf")
			b.ReportMetric(float64(set.index.stats.Bytes)/float64(n), "index-B/wf")
			goruntime.KeepAlive(set)
		})
	}
}
