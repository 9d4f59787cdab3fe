package bun_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/waauto/waauto/workflow"
)

// Rows appended in batches all reach the database, and re-appending a
// batch that was stored (a retry after a lost commit acknowledgement, or a
// retried inbound job) neither fails nor duplicates.
func TestAppendLogsAndRetriedBatch(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			s := be.open(t)
			ctx := context.Background()
			const n = 250
			var all []workflow.Execution
			for i := range n {
				all = append(all, execution(i))
			}
			for start := 0; start < n; start += 100 {
				if err := s.AppendLogs(ctx, all[start:min(start+100, n)]); err != nil {
					t.Fatal(err)
				}
			}
			batch := []workflow.Execution{execution(10), execution(11), execution(n)}
			if err := s.AppendLogs(ctx, batch); err != nil {
				t.Fatalf("retried batch: %v", err)
			}
			got, err := s.CountLogs(ctx, workflow.LogQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if got != n+1 {
				t.Errorf("%d entries, want %d", got, n+1)
			}
			err = s.AppendLogs(ctx, []workflow.Execution{execution(n + 1), {WorkflowID: "no-id"}})
			if !errors.Is(err, workflow.ErrLogWithoutID) {
				t.Errorf("batch with an entry without ID: err = %v, want ErrLogWithoutID", err)
			}
		})
	}
}

// CountLogs counts per period and reason, e.g. collisions avoided;
// PurgeLogsBefore deletes everything older in bounded batches.
func TestCountAndPurgeLogs(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			s := be.open(t)
			ctx := context.Background()
			var entries []workflow.Execution
			for i := range 30 {
				e := execution(i) // one millisecond apart
				if i%3 == 0 {
					e.Outcome, e.Reason = workflow.OutcomeSkipped, "collision avoided"
				}
				entries = append(entries, e)
			}
			if err := s.AppendLogs(ctx, entries); err != nil {
				t.Fatal(err)
			}
			q := workflow.LogQuery{From: entries[0].Time, To: entries[15].Time, Reason: "collision avoided"}
			if n, err := s.CountLogs(ctx, q); err != nil || n != 5 {
				t.Errorf("collisions in the first 15 ms = %d, %v; want 5", n, err)
			}
			n, err := s.PurgeLogsBefore(ctx, entries[25].Time, 4)
			if err != nil || n != 25 {
				t.Fatalf("PurgeLogsBefore = %d, %v; want 25", n, err)
			}
			page, err := s.QueryLogs(ctx, workflow.LogQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Entries) != 5 || page.Entries[4].ID != entries[25].ID {
				t.Errorf("after purge: %d entries, want the 5 newest", len(page.Entries))
			}
		})
	}
}

// Debits from two stores on one database (two processes) are each applied
// once and never take the balance below 0: the database, not a lock in
// this process, makes the statement atomic.
func TestDebitCreditsAcrossStores(t *testing.T) {
	eachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		stores := twoStores(t, dsn)
		if err := stores[0].SetCredits(ctx, 100); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, s := range stores {
			for range 4 {
				wg.Go(func() {
					for range 10 {
						if b, err := s.DebitCredits(ctx, 3); err != nil || b < 0 {
							t.Errorf("DebitCredits = %d, %v", b, err)
						}
					}
				})
			}
		}
		wg.Wait()
		// 80 debits of 3 = 240 > 100: the balance must stop at exactly 0.
		if b, err := stores[1].CreditBalance(ctx); err != nil || b != 0 {
			t.Errorf("balance = %d, %v; want 0", b, err)
		}
		if err := stores[1].SetCredits(ctx, 1000); err != nil {
			t.Fatal(err)
		}
		for _, s := range stores {
			wg.Go(func() {
				for range 50 {
					s.DebitCredits(ctx, 1)
				}
			})
		}
		wg.Wait()
		if b, _ := stores[0].CreditBalance(ctx); b != 900 {
			t.Errorf("balance after 100 debits of 1 from 1000 = %d, want 900 (a debit was lost)", b)
		}
	})
}
