package riverqueue_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// countingSender records which instance sent which row.
type countingSender struct {
	mu    sync.Mutex
	byRow map[string][]string // row -> instances that sent it
}

type instanceSender struct {
	*countingSender
	name string
}

func (s instanceSender) Send(_ context.Context, m workflow.Outgoing) error {
	s.mu.Lock()
	s.byRow[m.Text] = append(s.byRow[m.Text], s.name)
	s.mu.Unlock()
	return nil
}

// TestInstancesShareOnePostgres: 2 and 4 dispatcher instances, each with
// its own pool, engine and River client, work the same due scheduled
// messages: every message is sent exactly once and every instance sent
// some. WAAUTO_DISPATCH_ROWS sets the row count (default 2,000; the
// issue's figure is 10,000).
func TestInstancesShareOnePostgres(t *testing.T) {
	rows := envInt("WAAUTO_DISPATCH_ROWS", 2000)
	if testing.Short() {
		rows = min(rows, 300)
	}
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprintf("%d instances", n), func(t *testing.T) {
			ctx := context.Background()
			dsn := postgresDSN(t)
			rec := &countingSender{byRow: map[string][]string{}}
			var engines []*engine.Engine
			var queues []*riverqueue.Queue
			for i := range n {
				store := openPostgres(t, dsn)
				eng, q, err := newEngine(ctx, store, instanceSender{rec, fmt.Sprintf("i%d", i)},
					riverqueue.Config{ID: fmt.Sprintf("i%d", i), FetchPollInterval: 20 * time.Millisecond, MaxWorkers: 20})
				if err != nil {
					t.Fatal(err)
				}
				engines, queues = append(engines, eng), append(queues, q)
			}
			if err := engines[0].PutSession(ctx, workflow.Session{ID: crashSession}); err != nil {
				t.Fatal(err)
			}
			due := time.Now().Add(-time.Minute)
			for i := range rows {
				id := fmt.Sprintf("row%05d", i)
				if _, err := engines[i%n].Schedule(ctx, engine.ScheduleRequest{ID: id, Session: crashSession, Phone: "+4915112345678", Text: id, At: due}); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			for i, q := range queues {
				if err := q.Start(ctx, engines[i].RunJob); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { q.Stop(context.Background()) })
			}
			deadline := time.Now().Add(2 * time.Minute)
			for {
				rec.mu.Lock()
				got := len(rec.byRow)
				rec.mu.Unlock()
				if got == rows {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d rows sent after 2 minutes", got, rows)
				}
				time.Sleep(20 * time.Millisecond)
			}
			elapsed := time.Since(start)
			// Let any duplicate still in flight land before counting.
			time.Sleep(200 * time.Millisecond)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			per := map[string]int{}
			for row, who := range rec.byRow {
				if len(who) != 1 {
					t.Errorf("row %s sent %d times, by %v", row, len(who), who)
				}
				per[who[0]]++
			}
			for i := range n {
				if per[fmt.Sprintf("i%d", i)] == 0 {
					t.Errorf("instance i%d sent nothing (%v)", i, per)
				}
			}
			t.Logf("%d rows in %s (%.0f/s) by %v", rows, elapsed.Round(time.Millisecond), float64(rows)/elapsed.Seconds(), per)
		})
	}
}
