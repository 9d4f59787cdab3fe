package bun_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/replay"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// plainStore hides the store's fast replay reads (replay.FactsReader,
// replay.LogScanner): Run reads through it as through any store, a
// conversation and a contact at a time and the log page by page with its
// traces.
type plainStore struct{ replay.Store }

// The store reads a replay's facts and log the fast way.
var (
	_ replay.FactsReader = (*bunstore.Store)(nil)
	_ replay.LogScanner  = (*bunstore.Store)(nil)
)

// A replay reads the store its fast way (the facts of a batch at once, the
// log without traces) and gives the report of the plain reads: on the
// databases the scenario runner fills (the replay shop and the public
// scenarios) and on a synthetic one where every customer message has a
// logged firing, with two drafts.
func TestReplayFastReadsGiveThePlainReport(t *testing.T) {
	ctx := context.Background()
	files, err := filepath.Glob("../../testdata/public-scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no public scenarios: %v", err)
	}
	files = append(files, "../../testdata/replay/shop.yaml")
	var drafts []workflow.Definitions
	for _, src := range []string{replayDraft, readFile(t, "../../testdata/replay/draft.yaml")} {
		d, err := workflow.Load("draft.yaml", []byte(src), workflow.LoadOptions{Compiler: expr.New()})
		if err != nil {
			t.Fatal(err)
		}
		drafts = append(drafts, d)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range []struct {
		name string
		open func(testing.TB) *bunstore.Store
	}{{"sqlite", buntest.SQLite}, {"postgres", buntest.Postgres}} {
		t.Run(db.name, func(t *testing.T) {
			if db.name == "postgres" && os.Getenv(buntest.PostgresEnv) == "" {
				t.Skipf("PostgreSQL tests skipped: set %s", buntest.PostgresEnv)
			}
			// messages and no-longer examples with both traces (read
			// again and explained) seen over the stores.
			var messages, explained int
			compare := func(t *testing.T, st *bunstore.Store) {
				t.Helper()
				for i, d := range drafts {
					opts := replay.Options{Compiler: expr.New(), Location: paris}
					fast, err := replay.Run(ctx, st, d, opts)
					if err != nil {
						t.Fatal(err)
					}
					plain, err := replay.Run(ctx, plainStore{st}, d, opts)
					if err != nil {
						t.Fatal(err)
					}
					messages += fast.Messages
					for _, w := range fast.Workflows {
						for _, e := range w.NoLongerExamples {
							if len(e.BeforeTrace) > 0 && len(e.Trace) > 0 {
								explained++
							}
						}
					}
					if !reflect.DeepEqual(fast, plain) {
						t.Errorf("draft %d: fast reads give\n%+v\nplain reads give\n%+v", i, fast, plain)
					}
				}
			}
			for _, f := range files {
				t.Run(filepath.Base(f), func(t *testing.T) {
					st := db.open(t)
					rep, err := workflowtest.Run(ctx, f, workflowtest.RunOptions{NewStore: func(context.Context) (workflow.Store, func(), error) {
						return st, func() {}, nil
					}})
					if err != nil || !rep.Passed() {
						t.Fatalf("scenario: %v %v", err, rep.Failures)
					}
					compare(t, st)
				})
			}
			t.Run("synthetic", func(t *testing.T) {
				st := db.open(t)
				fillReplay(t, st, 60, 20, time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC))
				compare(t, st)
			})
			if messages == 0 || explained == 0 {
				t.Errorf("%d messages replayed, %d examples with both traces: the comparison tests little", messages, explained)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
