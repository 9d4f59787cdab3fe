package bun_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/storetest"
)

// groupCommitted opens a store with group commit on, on both databases.
var groupCommitted = []struct {
	name string
	open func(testing.TB) *bunstore.Store
}{
	{"sqlite", newSQLite}, // on by default
	{"postgres", func(t testing.TB) *bunstore.Store {
		o := quiet()
		o.GroupCommit = bunstore.GroupCommitOn
		s, err := bunstore.Open(context.Background(), postgresDSN(t), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

// Concurrent writes share transactions: a
// write that fails (here: a message recorded twice, rolled back by the
// store; an InTx whose function fails after writing; one that panics)
// gets its own error and leaves nothing, and every other write of the
// same batches is committed when its call returns.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	for _, b := range groupCommitted {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			if !st.GroupsCommits() {
				t.Fatal("group commit is off")
			}
			ctx := context.Background()
			const n = 300
			errBoom := errors.New("boom")
			var wg sync.WaitGroup
			errs := make([]error, n)
			panics := make([]any, n)
			for i := range n {
				wg.Go(func() {
					defer func() { panics[i] = recover() }()
					m := trigger.Message{Session: "s1", ID: fmt.Sprint("m", i/2), Phone: fmt.Sprintf("+3361234%04d", i%50), Text: "prix", Time: time.Now()}
					switch i % 6 {
					case 0, 1: // i and i+1 record the same message id
						_, errs[i] = st.RecordInbound(ctx, m)
					case 2:
						errs[i] = st.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
							if _, err := tx.ExecContext(ctx, `INSERT INTO waauto_counters (key, value) VALUES (?, 1)`, fmt.Sprint("fail", i)); err != nil {
								return err
							}
							return errBoom
						})
					case 3:
						errs[i] = st.InTx(ctx, func(ctx context.Context, tx bun.Tx) error { panic(fmt.Sprint("panic ", i)) })
					default:
						_, errs[i] = st.Next(ctx, "ok", "", "")
					}
				})
			}
			wg.Wait()
			for i := range n {
				switch i % 6 {
				case 2:
					if !errors.Is(errs[i], errBoom) {
						t.Errorf("write %d: err %v, want its own error", i, errs[i])
					}
				case 3:
					if panics[i] != fmt.Sprint("panic ", i) {
						t.Errorf("write %d: panic %v reached its caller, want its own", i, panics[i])
					}
				default:
					if errs[i] != nil || panics[i] != nil {
						t.Errorf("write %d: err %v, panic %v", i, errs[i], panics[i])
					}
				}
			}
			var failed int
			if err := st.DB().NewRaw(`SELECT COUNT(*) FROM waauto_counters WHERE key LIKE 'fail%'`).Scan(ctx, &failed); err != nil {
				t.Fatal(err)
			}
			if failed != 0 {
				t.Errorf("%d rows of failed writes were committed", failed)
			}
			if v, err := st.Next(ctx, "ok", "", ""); err != nil || v != 2*n/6 {
				t.Errorf("counter %d (%v), want %d: every successful write committed once", v, err, 2*n/6)
			}
			for i := range n / 2 {
				if _, err := st.Message(ctx, "s1", fmt.Sprint("m", i)); (err == nil) != (i%3 == 0) {
					t.Errorf("message m%d: %v", i, err)
				}
			}
			var msgs int
			if err := st.DB().NewRaw(`SELECT COUNT(*) FROM waauto_messages`).Scan(ctx, &msgs); err != nil || msgs != n/6 {
				t.Errorf("%d messages (%v), want %d: a failed write undid only its own rows", msgs, err, n/6)
			}
		})
	}
}

// A write whose context ended before its batch ran is not run.
func TestGroupCommitCancelled(t *testing.T) {
	st := newSQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := st.InTx(ctx, func(ctx context.Context, tx bun.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("err %v, ran %v: want context.Canceled, not run", err, ran)
	}
}

// The store's conformance suite on PostgreSQL with group commit off (on
// by default there, as on SQLite, where TestConformancePostgres and
// TestConformanceSQLite run it).
func TestConformancePostgresNoGroupCommit(t *testing.T) {
	buntest.PostgresDSN(t) // skips without PostgreSQL
	storetest.Run(t, func(t *testing.T) workflow.Store {
		dsn := buntest.PostgresDSN(t) // a schema of its own
		o := quiet()
		o.GroupCommit = bunstore.GroupCommitOff
		s, err := bunstore.Open(context.Background(), dsn, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if s.GroupsCommits() {
			t.Fatal("group commit is on")
		}
		return s
	})
}
