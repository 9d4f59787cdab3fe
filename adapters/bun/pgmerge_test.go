package bun_test

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/workflow"
)

var mergeAt = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// mergeFiring is the firing of workflow w for message id.
func mergeFiring(w, id string) workflow.Firing {
	return workflow.Firing{WorkflowID: w, Session: "s1", Phone: "+33600000000", MessageID: id, At: mergeAt}
}

// mergeLog is a log row of f with its own id.
func mergeLog(f workflow.Firing, id string) workflow.Execution {
	return workflow.Execution{ID: id, Time: mergeAt, WorkflowID: f.WorkflowID, Session: f.Session, Phone: f.Phone,
		MessageID: f.MessageID, Outcome: workflow.OutcomeFired, Reason: "conditions matched"}
}

// firingFacts reads f's state ("" when absent), its steps and its log rows.
func firingFacts(t *testing.T, s *bunstore.Store, f workflow.Firing) (state string, steps, logs int) {
	t.Helper()
	db := s.DB().DB
	ctx := t.Context()
	err := db.QueryRowContext(ctx, `SELECT state FROM waauto_firings WHERE workflow_id = $1 AND session = $2 AND message_id = $3`,
		f.WorkflowID, f.Session, f.MessageID).Scan(&state)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM waauto_firing_steps WHERE firing_id = $1`, f.ID()).Scan(&steps); err != nil {
		t.Fatal(err)
	}
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM waauto_executions WHERE workflow_id = $1 AND session = $2 AND message_id = $3`,
		f.WorkflowID, f.Session, f.MessageID).Scan(&logs)
	if err != nil {
		t.Fatal(err)
	}
	return state, steps, logs
}

// Concurrent begins and finishes of firings, several callers per firing,
// through the group commit: the batches merge them (PGMerged), and each
// caller gets what it would alone: one begin per firing wins, one finish
// marks it done, deletes its steps and logs it, a never-begun firing is
// not found.
func TestPGMergeConcurrentFirings(t *testing.T) {
	s := newPostgres(t)
	ctx := t.Context()
	const callers, firings = 64, 24 // 2 or 3 callers per firing
	fs := make([]workflow.Firing, firings)
	for k := range fs {
		fs[k] = mergeFiring(fmt.Sprintf("w%d", k%3), fmt.Sprintf("m%d", k))
	}
	concurrently := func(f func(g int) error) []error {
		errs := make([]error, callers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for g := range callers {
			wg.Go(func() {
				<-start
				errs[g] = f(g)
			})
		}
		close(start)
		wg.Wait()
		return errs
	}

	won := make([]bool, callers)
	for g, err := range concurrently(func(g int) (err error) {
		won[g], err = s.BeginFiring(ctx, fs[g%firings])
		return err
	}) {
		if err != nil {
			t.Fatalf("begin %d: %v", g, err)
		}
	}
	wins := make([]int, firings)
	for g, w := range won {
		if w {
			wins[g%firings]++
		}
	}
	for k, n := range wins {
		if n != 1 {
			t.Errorf("firing %d: %d callers began it, want 1", k, n)
		}
	}
	begun := s.PGMerged()
	if begun == 0 {
		t.Fatal("no BeginFiring was sent merged: the test did not exercise merging")
	}
	for _, f := range fs {
		if err := s.CompleteStep(ctx, f.ID(), workflow.FiringStep{Key: "send"}); err != nil {
			t.Fatal(err)
		}
	}

	never := mergeFiring("w0", "never")
	for g, err := range concurrently(func(g int) error {
		if g == callers-1 {
			return s.FinishFiring(ctx, never, mergeLog(never, "never"))
		}
		return s.FinishFiring(ctx, fs[g%firings], mergeLog(fs[g%firings], fmt.Sprintf("log%02d", g)))
	}) {
		if g == callers-1 {
			if !errors.Is(err, workflow.ErrNotFound) {
				t.Errorf("finish of a firing never begun: %v, want ErrNotFound", err)
			}
		} else if err != nil {
			t.Errorf("finish %d: %v", g, err)
		}
	}
	if s.PGMerged() == begun {
		t.Error("no FinishFiring was sent merged: the test did not exercise merging")
	}
	for k, f := range fs {
		if state, steps, logs := firingFacts(t, s, f); state != "done" || steps != 0 || logs != 1 {
			t.Errorf("firing %d: state %q, %d steps, %d log rows; want done, 0, 1", k, state, steps, logs)
		}
	}
	if state, _, logs := firingFacts(t, s, never); state != "" || logs != 0 {
		t.Errorf("firing never begun: state %q, %d log rows; want none", state, logs)
	}
}

// A member of a merged statement that fails (a NUL in its text: 22021)
// gets its own error; the batch is sent again unmerged, and the other
// members and statements commit.
func TestPGMergeIsolatesFailure(t *testing.T) {
	s := newPostgres(t)
	ctx := t.Context()
	x, y, z := mergeFiring("w", "x"), mergeFiring("w", "y"), mergeFiring("w", "z")
	for _, f := range []workflow.Firing{x, y, z} {
		if _, err := s.BeginFiring(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	a, bad, c := mergeFiring("w", "a"), mergeFiring("w", "b"), mergeFiring("w", "c")
	bad.Phone = "+336\x00"
	var began [3]int64
	var finished [3]int64
	var states [3]sql.NullString
	finish := func(i int, f workflow.Firing, log workflow.Execution) *bunstore.PGStatement {
		st, err := bunstore.FinishFiringStatement(f, log, &finished[i], &states[i])
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	badLog := mergeLog(y, "log-y")
	badLog.Reason = "bad\x00reason"
	stmts := []*bunstore.PGStatement{
		s.BeginFiringStatement(a, &began[0]),
		finish(0, x, mergeLog(x, "log-x")),
		s.BeginFiringStatement(bad, &began[1]),
		{SQL: `INSERT INTO waauto_counters (key, value) VALUES ('other', 1)`},
		finish(1, y, badLog),
		s.BeginFiringStatement(c, &began[2]),
		finish(2, z, mergeLog(z, "log-z")),
	}
	merged := s.PGMerged()
	if err := s.RunPGBatch(ctx, stmts); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if got := s.PGMerged() - merged; got != 6 {
		t.Errorf("%d statements sent merged, want 6: both groups, once, before the batch was sent unmerged", got)
	}
	for _, i := range []int{2, 4} {
		if got := pgCode(stmts[i].Err); got != "22021" {
			t.Errorf("statement %d: err %v (SQLSTATE %q), want its own 22021", i, stmts[i].Err, got)
		}
	}
	for _, i := range []int{0, 1, 3, 5, 6} {
		if stmts[i].Err != nil {
			t.Errorf("statement %d: err %v, want nil (committed)", i, stmts[i].Err)
		}
	}
	if began != [3]int64{1, 0, 1} {
		t.Errorf("begins' row counts %v, want [1 0 1]: a and c inserted", began)
	}
	if finished != [3]int64{1, 0, 1} {
		t.Errorf("finishes' done counts %v, want [1 0 1]: x and z finished", finished)
	}
	for _, w := range []struct {
		f     workflow.Firing
		state string
		logs  int
	}{{a, "running", 0}, {bad, "", 0}, {c, "running", 0}, {x, "done", 1}, {y, "running", 0}, {z, "done", 1}} {
		if state, _, logs := firingFacts(t, s, w.f); state != w.state || logs != w.logs {
			t.Errorf("firing %s: state %q, %d log rows; want %q, %d", w.f.MessageID, state, logs, w.state, w.logs)
		}
	}
	if got := counter(t, s, "other"); got != 1 {
		t.Errorf("the batch's other statement: counter %d, want 1 (committed)", got)
	}
}

// Statements of one batch for the same firing are not merged together:
// the first begin inserts and its duplicate finds the firing; the first
// finish marks it done and logs it, its duplicate finds it done. Each
// member of a merged finish gets its own row (a firing never begun: no
// state) and deletes steps only of the firing it marked done.
func TestPGMergeDuplicateKeys(t *testing.T) {
	s := newPostgres(t)
	ctx := t.Context()
	k1, k2, k3 := mergeFiring("w", "k1"), mergeFiring("w", "k2"), mergeFiring("w", "k3")
	f1, f2, never := mergeFiring("w", "f1"), mergeFiring("w", "f2"), mergeFiring("w", "never")
	for _, f := range []workflow.Firing{f1, f2} {
		if _, err := s.BeginFiring(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	// A step without its firing: only a finish that marks a firing done
	// deletes steps.
	if err := s.CompleteStep(ctx, never.ID(), workflow.FiringStep{Key: "send"}); err != nil {
		t.Fatal(err)
	}
	var began [5]int64
	var finished [4]int64
	var states [4]sql.NullString
	finish := func(i int, f workflow.Firing, logID string) *bunstore.PGStatement {
		st, err := bunstore.FinishFiringStatement(f, mergeLog(f, logID), &finished[i], &states[i])
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	stmts := []*bunstore.PGStatement{
		s.BeginFiringStatement(k1, &began[0]),
		finish(0, f1, "log-f1"),
		s.BeginFiringStatement(k2, &began[1]),
		finish(1, f1, "log-f1-again"),
		s.BeginFiringStatement(k1, &began[2]),
		s.BeginFiringStatement(k3, &began[3]),
		finish(2, f2, "log-f2"),
		s.BeginFiringStatement(k2, &began[4]),
		finish(3, never, "log-never"),
	}
	merged := s.PGMerged()
	if err := s.RunPGBatch(ctx, stmts); err != nil {
		t.Fatalf("commit: %v", err)
	}
	for i, st := range stmts {
		if st.Err != nil {
			t.Errorf("statement %d: %v", i, st.Err)
		}
	}
	if got := s.PGMerged() - merged; got != 6 {
		t.Errorf("%d statements sent merged, want 6: k1, k2, k3 and f1, f2, never, not the duplicates", got)
	}
	if began != [5]int64{1, 1, 0, 1, 0} {
		t.Errorf("begins' row counts %v, want [1 1 0 1 0]: each key inserted once, by its first", began)
	}
	if finished != [4]int64{1, 0, 1, 0} {
		t.Errorf("finishes' done counts %v, want [1 0 1 0]: f1 finished by its first, f2 finished", finished)
	}
	wantStates := [4]sql.NullString{{String: "running", Valid: true}, {String: "done", Valid: true}, {String: "running", Valid: true}, {}}
	if states != wantStates {
		t.Errorf("finishes found states %v, want %v", states, wantStates)
	}
	for _, f := range []workflow.Firing{f1, f2} {
		if state, _, logs := firingFacts(t, s, f); state != "done" || logs != 1 {
			t.Errorf("firing %s: state %q, %d log rows; want done, 1", f.MessageID, state, logs)
		}
	}
	if state, steps, logs := firingFacts(t, s, never); state != "" || steps != 1 || logs != 0 {
		t.Errorf("firing never begun: state %q, %d steps, %d log rows; want none, 1 step kept, none", state, steps, logs)
	}
}
