package riverqueue_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// countingSender records which instance sent which row, with which id.
type countingSender struct {
	mu    sync.Mutex
	byRow map[string][]send // row -> its sends
}

// send is one delivery of a row: by which instance, with which WhatsApp id.
type send struct{ instance, id string }

type instanceSender struct {
	*countingSender
	name string
}

func (s instanceSender) Send(_ context.Context, m workflow.Outgoing) error {
	s.mu.Lock()
	s.byRow[m.Text] = append(s.byRow[m.Text], send{s.name, m.ID})
	s.mu.Unlock()
	return nil
}

// scheduleDue adds the session crashSession and schedules rows messages
// "row00000"…, due a minute ago (texts are the ids), through the engines
// in turn (message and jobs in one transaction).
func scheduleDue(t *testing.T, engines []*engine.Engine, rows int) {
	t.Helper()
	ctx := context.Background()
	if err := engines[0].PutSession(ctx, workflow.Session{ID: crashSession}); err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(-time.Minute)
	for i := range rows {
		id := fmt.Sprintf("row%05d", i)
		if _, err := engines[i%len(engines)].Schedule(ctx, engine.ScheduleRequest{ID: id, Session: crashSession, Phone: "+4915112345678", Text: id, At: due}); err != nil {
			t.Fatal(err)
		}
	}
}

func (s *countingSender) rows() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byRow)
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
			rec := &countingSender{byRow: map[string][]send{}}
			var engines []*engine.Engine
			var queues []*riverqueue.Queue
			var stores []*bunstore.Store
			for i := range n {
				store := openPostgres(t, dsn)
				eng, q, err := newEngine(ctx, store, instanceSender{rec, fmt.Sprintf("i%d", i)},
					riverqueue.Config{ID: fmt.Sprintf("i%d", i), FetchPollInterval: 20 * time.Millisecond, MaxWorkers: 20})
				if err != nil {
					t.Fatal(err)
				}
				engines, queues, stores = append(engines, eng), append(queues, q), append(stores, store)
			}
			scheduleDue(t, engines, rows)
			start := time.Now()
			for i, q := range queues {
				if err := q.Start(ctx, engines[i].RunJob); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { q.Stop(context.Background()) })
			}
			waitScheduled(t, stores[0], rows, rec.rows)
			elapsed := time.Since(start)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			per := map[string]int{}
			for row, sends := range rec.byRow {
				// No instance crashes here: a second send is a bug even
				// with the same id (a crash's at-least-once resend is
				// TestCrashMidDispatch's). The id tells the two causes
				// apart: the same id is a retry that took the row back,
				// another id a second message.
				if len(sends) != 1 {
					kind := "the same id: a retry resent it"
					if sends[0].id != sends[1].id {
						kind = "different ids: two messages"
					}
					t.Errorf("row %s sent %d times (%s): %v", row, len(sends), kind, sends)
				}
				per[sends[0].instance]++
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
