package riverqueue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// errInjected stands for what a loaded PostgreSQL answers now and then:
// "too many clients", a connection reset, a pool wait past its deadline.
var errInjected = errors.New("injected: database connection refused")

// flakyAckStore is the bun store whose first "sending → sent" transition
// of every failEvery-th scheduled message fails once, after the message
// went out: the one write a loaded database refused in the run that sent
// 6 of 2,000 rows twice.
type flakyAckStore struct {
	*bunstore.Store
	failEvery int

	mu     sync.Mutex
	failed map[string]bool
}

func (s *flakyAckStore) TransitionScheduled(ctx context.Context, id string, from, to workflow.ScheduleStatus, reason string, at time.Time) error {
	if from == workflow.ScheduleSending && to == workflow.ScheduleSent {
		var n int
		fmt.Sscanf(id, "row%d", &n)
		s.mu.Lock()
		fail := n%s.failEvery == 0 && !s.failed[id]
		if fail {
			s.failed[id] = true
		}
		s.mu.Unlock()
		if fail {
			return fmt.Errorf("move scheduled message %q to %s: %w", id, to, errInjected)
		}
	}
	return s.Store.TransitionScheduled(ctx, id, from, to, reason, at)
}

// TestScheduledAckFailureSendsOnce: the database refuses, once, the write
// that records a scheduled message as sent, after the transport took it.
// Before, the job failed, River retried it, the retry took the row left
// "sending" for its own dead attempt's, put it back to pending and sent it
// again (same id): the double sends of TestInstancesShareOnePostgres under
// load. Now the engine retries the record and every row goes out once.
func TestScheduledAckFailureSendsOnce(t *testing.T) {
	const rows = 40
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			store := b.open(t)
			flaky := &flakyAckStore{Store: store, failEvery: 4, failed: map[string]bool{}}
			rec := &countingSender{byRow: map[string][]send{}}
			eng, q, err := newEngineWith(ctx, store, engine.Config{Transport: instanceSender{rec, "i0"}, Store: flaky},
				riverqueue.Config{FetchPollInterval: 20 * time.Millisecond, MaxWorkers: 8, MaxBackoff: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			scheduleDue(t, []*engine.Engine{eng}, rows)
			if err := q.Start(ctx, eng.RunJob); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { q.Stop(context.Background()) })
			waitScheduled(t, store, rows, rec.rows)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			for row, sends := range rec.byRow {
				if len(sends) != 1 {
					t.Errorf("row %s sent %d times: %v", row, len(sends), sends)
				}
			}
			if got := len(flaky.failed); got != rows/4 {
				t.Errorf("%d acks refused, want %d", got, rows/4)
			}
		})
	}
}

// waitScheduled waits until every one of rows scheduled messages is sent
// (status and transport both), then until their jobs are all done, so that
// a duplicate still in a retry has landed before the caller counts.
func waitScheduled(t *testing.T, store *bunstore.Store, rows int, delivered func() int) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		list, err := store.ListScheduled(ctx, workflow.ScheduleQuery{Status: []workflow.ScheduleStatus{workflow.ScheduleSent}})
		if err != nil {
			t.Fatal(err)
		}
		var running int
		if err := store.DB().NewRaw("SELECT count(*) FROM river_job WHERE kind = 'waauto_job' AND state IN ('available', 'running', 'retryable') AND args->>'type' = 'scheduled'").Scan(ctx, &running); err != nil {
			t.Fatal(err)
		}
		if len(list) == rows && delivered() == rows && running == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 2 minutes: %d of %d rows sent, %d delivered, %d jobs not done", len(list), rows, delivered(), running)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
