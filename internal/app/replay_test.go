package app

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/replay"
	"github.com/waauto/waauto/workflow/workflowtest"
)

const (
	replayShop  = "../../testdata/replay/shop.yaml"
	replayDraft = "../../testdata/replay/draft.yaml"
)

func replayRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), append([]string{"replay"}, args...), nil, &out, &errOut)
	return out.String(), errOut.String(), code
}

// checkShopReplay replays the draft over the shop's recorded week in db
// and checks the counts (testdata/replay/shop.yaml explains them).
func checkShopReplay(t *testing.T, db string) {
	t.Helper()
	out, errOut, code := replayRun(t, "--db", db, "--workflows", replayDraft, "--since", "2026-11-16", "--until", "2026-11-23", "--tz", "Europe/Paris", "--json")
	var rep replay.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("replay --json: exit %d, %v, stderr %s, output:\n%s", code, err, errOut, out)
	}
	want := map[string][4]int{"Hors horaires": {3, 2, 0, 1}, "Prix": {2, 2, 0, 0}, "Livraison": {0, 1, 1, 0}}
	if rep.Messages != 6 || len(rep.Workflows) != len(want) {
		t.Fatalf("replayed %d messages, workflows %+v", rep.Messages, rep.Workflows)
	}
	for _, w := range rep.Workflows {
		if got := [4]int{w.Before, w.Would, w.New, w.NoLonger}; got != want[w.Name] {
			t.Errorf("%s: before, would, new, no longer = %v, want %v", w.Name, got, want[w.Name])
		}
	}
	// Saturday 11:00 is in the draft's new opening hours.
	if ex := rep.Workflows[0].NoLongerExamples; len(ex) != 1 || ex[0].Text != "Ouvert le samedi ?" || len(ex[0].BeforeTrace) != 2 || len(ex[0].Trace) != 3 {
		t.Errorf("Hors horaires no longer examples = %+v", ex)
	}
}

func TestReplayCommandOnSQLiteFilledByTheScenarioRunner(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"test", "--store", "sqlite", "--keep-db", dir, "--backend", "expr", replayShop}, nil, &out, &errOut); code != 0 {
		t.Fatalf("test: exit %d: %s%s", code, out.String(), errOut.String())
	}
	db := filepath.Join(dir, "shop-expr.db")
	checkShopReplay(t, db)
	text, _, code := replayRun(t, "--db", db, "--workflows", replayDraft, "--since", "2026-11-16", "--until", "2026-11-23", "--tz", "Europe/Paris")
	for _, s := range []string{"Replay of 6 customer messages", "Hors horaires  3             2           0    1", "Livraison — new:", "Approximations:"} {
		if code != 0 || !strings.Contains(text, s) {
			t.Errorf("replay: exit %d, no %q in:\n%s", code, s, text)
		}
	}
}

func TestReplayCommandOnPostgres(t *testing.T) {
	dsn := buntest.PostgresDSN(t)
	_, err := workflowtest.Run(context.Background(), replayShop, workflowtest.RunOptions{NewStore: func(ctx context.Context) (workflow.Store, func(), error) {
		st := buntest.Open(t, dsn)
		return st, func() {}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	checkShopReplay(t, dsn)
}

func TestReplayCommandErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", "x.db"}, "no --workflows FILE given"},
		{[]string{"--since", "soon", "--workflows", replayDraft}, `--since "soon" is neither a duration`},
		{[]string{"--workflows", replayDraft, "--db", filepath.Join(t.TempDir(), "none.db")}, "none.db: stat"},
		{[]string{"--workflows", replayShop}, "shop.yaml:"},
	} {
		_, errOut, code := replayRun(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("replay %v: exit %d, stderr %q, want %q", c.args, code, errOut, c.want)
		}
	}
}
