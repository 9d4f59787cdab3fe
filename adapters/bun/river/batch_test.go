package riverqueue_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/pacing"
)

// newQueue opens a store and a stopped queue on it, with fast().
func newQueue(t *testing.T, open func(testing.TB) *bunstore.Store) (*bunstore.Store, *riverqueue.Queue) {
	t.Helper()
	store := open(t)
	q, err := riverqueue.New(context.Background(), store, fast())
	if err != nil {
		t.Fatal(err)
	}
	return store, q
}

// start starts q with h until the test ends.
func start(t *testing.T, q *riverqueue.Queue, h workflow.JobHandler) {
	t.Helper()
	if err := q.Start(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })
}

// enqueueAtOnce enqueues jobs from one goroutine each, so that they
// queue behind each other's inserts as Receive's do under a burst.
func enqueueAtOnce(t *testing.T, q *riverqueue.Queue, jobs []workflow.Job) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		wg.Go(func() { errs[i] = q.Enqueue(context.Background(), j) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// attempts records every run of every job, with its Attempt.
type attempts struct {
	mu   sync.Mutex
	runs map[string][]int
}

func (a *attempts) add(j workflow.Job) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.runs[j.ID] = append(a.runs[j.ID], j.Attempt)
	return len(a.runs[j.ID])
}

func (a *attempts) get() map[string][]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string][]int{}
	for id, r := range a.runs {
		out[id] = append([]int(nil), r...)
	}
	return out
}

// errPanic makes the handler panic.
var errPanic = errors.New("panic")

// TestNewJobsShareBatches: on each database, 200 New jobs enqueued at
// once take fewer River jobs than 200 (they were batched) and each runs
// exactly once, as attempt 1; a job that fails inside a batch, one that
// panics, one that pacing defers, one held and one asking to run later
// run again on their own, once, as attempt 2, and the others of their
// batch are not run again.
func TestNewJobsShareBatches(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			store, q := newQueue(t, b.open)
			const n = 200
			jobs := make([]workflow.Job, n)
			for i := range jobs {
				jobs[i] = workflow.Job{ID: fmt.Sprintf("inbound/shop/m%03d", i), Kind: workflow.JobInbound, New: true,
					Payload: fmt.Appendf(nil, `{"n":%d}`, i)}
			}
			enqueueAtOnce(t, q, jobs)
			var rows int
			if err := store.DB().QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows >= n {
				t.Fatalf("%d New jobs enqueued at once took %d River jobs: none was batched", n, rows)
			}
			t.Logf("%d jobs in %d River jobs", n, rows)
			if waiting, err := q.Waiting(ctx); err != nil || waiting != n {
				t.Fatalf("Waiting = %d, %v; want %d", waiting, err, n)
			}

			// The second run of each of these ends well.
			firstRunErr := map[string]error{
				"inbound/shop/m007": errors.New("store unavailable"),
				"inbound/shop/m050": &pacing.DeferredError{Until: time.Now().Add(300 * time.Millisecond)},
				"inbound/shop/m120": pacing.ErrHeld,
				"inbound/shop/m199": &workflow.RetryAtError{At: time.Now().Add(200 * time.Millisecond), Reason: "later"},
				"inbound/shop/m150": errPanic,
			}
			seen := &attempts{runs: map[string][]int{}}
			done := make(chan struct{}, 2*n)
			start(t, q, func(_ context.Context, j workflow.Job) error {
				if string(j.Payload) != fmt.Sprintf(`{"n":%d}`, atoi(j.ID[len("inbound/shop/m"):])) {
					t.Errorf("job %s: payload %s", j.ID, j.Payload)
				}
				run := seen.add(j)
				done <- struct{}{}
				if err := firstRunErr[j.ID]; err != nil && run == 1 {
					if err == errPanic {
						panic("the handler's bug")
					}
					return err
				}
				return nil
			})
			want := n + len(firstRunErr)
			for range want {
				select {
				case <-done:
				case <-time.After(30 * time.Second):
					t.Fatalf("%d of %d runs in 30 s", len(seen.get()), want)
				}
			}
			time.Sleep(500 * time.Millisecond) // a run too many would show now
			for _, j := range jobs {
				got := seen.get()[j.ID]
				wantRuns := []int{1}
				if firstRunErr[j.ID] != nil {
					wantRuns = []int{1, 2}
				}
				if fmt.Sprint(got) != fmt.Sprint(wantRuns) {
					t.Errorf("job %s: runs with attempts %v, want %v", j.ID, got, wantRuns)
				}
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestBatchRunsAgainWhenItsJobCannotBeQueuedAgain: when a job of a batch
// fails and queuing it again on its own fails too (here a trigger refuses
// the insert), the batch fails and River runs all of its jobs again, as
// attempt 2; jobs of other batches run once.
func TestBatchRunsAgainWhenItsJobCannotBeQueuedAgain(t *testing.T) {
	refuse := map[string][]string{
		"sqlite": {`CREATE TRIGGER refuse_requeue BEFORE INSERT ON river_job
			WHEN json_extract(json(NEW.args), '$.runs') IS NOT NULL BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`},
		"postgres": {`CREATE FUNCTION refuse_requeue() RETURNS trigger AS $$ BEGIN
				IF NEW.args ? 'runs' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER refuse_requeue BEFORE INSERT ON river_job FOR EACH ROW EXECUTE FUNCTION refuse_requeue()`},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			store, q := newQueue(t, b.open)
			jobs := make([]workflow.Job, 40)
			for i := range jobs {
				jobs[i] = workflow.Job{ID: fmt.Sprintf("j%02d", i), Kind: workflow.JobInbound, New: true, Payload: []byte(`{}`)}
			}
			enqueueAtOnce(t, q, jobs)
			batches := batchesOf(t, store.DB(), b.name)
			var failing string
			for id, members := range batches {
				if len(members) > 1 {
					failing = id
				}
			}
			if failing == "" {
				t.Fatalf("no batch among %v", batches)
			}
			for _, stmt := range refuse[b.name] {
				if _, err := store.DB().ExecContext(ctx, stmt); err != nil {
					t.Fatal(err)
				}
			}
			seen := &attempts{runs: map[string][]int{}}
			done := make(chan struct{}, 100)
			start(t, q, func(_ context.Context, j workflow.Job) error {
				run := seen.add(j)
				done <- struct{}{}
				if j.ID == failing && run == 1 {
					return errors.New("fails once")
				}
				return nil
			})
			batchOf := map[string]string{}
			for first, members := range batches {
				for _, m := range members {
					batchOf[m] = first
				}
			}
			want := len(jobs) + len(batches[batchOf[failing]])
			for range want {
				select {
				case <-done:
				case <-time.After(30 * time.Second):
					t.Fatalf("runs %v, want %d runs, in 30 s", seen.get(), want)
				}
			}
			time.Sleep(500 * time.Millisecond)
			for _, j := range jobs {
				wantRuns := "[1]"
				if batchOf[j.ID] == batchOf[failing] {
					wantRuns = "[1 2]"
				}
				if got := fmt.Sprint(seen.get()[j.ID]); got != wantRuns {
					t.Errorf("job %s (batch of %s, failing %s): attempts %s, want %s", j.ID, batchOf[j.ID], failing, got, wantRuns)
				}
			}
		})
	}
}

// batchesOf maps each River job of the queue to the IDs of the jobs it
// runs, by the first of them: one for a job of its own, several for a
// batch.
func batchesOf(t *testing.T, db interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, backend string) map[string][]string {
	t.Helper()
	argsText := "CAST(json(args) AS TEXT)"
	if backend != "sqlite" {
		argsText = "args::text"
	}
	rows, err := db.QueryContext(context.Background(), "SELECT "+argsText+" FROM river_job")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			t.Fatal(err)
		}
		var a struct {
			ID    string `json:"id"`
			Batch []struct {
				ID string `json:"id"`
			} `json:"batch"`
		}
		if err := json.Unmarshal([]byte(text), &a); err != nil {
			t.Fatal(err)
		}
		if len(a.Batch) == 0 {
			out[a.ID] = []string{a.ID}
			continue
		}
		for _, m := range a.Batch {
			out[a.Batch[0].ID] = append(out[a.Batch[0].ID], m.ID)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBatchesStaySmall: no batch holds more than 64 jobs or 64 KiB of
// IDs and payloads, among jobs with 4 KB payloads and tiny ones.
func TestBatchesStaySmall(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			store, q := newQueue(t, b.open)
			big := fmt.Appendf(nil, `{"text":%q}`, strings.Repeat("é", 2000)) // 4 KB of JSON
			var jobs []workflow.Job
			for i := range 100 {
				jobs = append(jobs, workflow.Job{ID: fmt.Sprintf("big%03d", i), Kind: workflow.JobInbound, New: true, Payload: big})
			}
			for i := range 300 {
				jobs = append(jobs, workflow.Job{ID: fmt.Sprintf("small%03d", i), Kind: workflow.JobInbound, New: true, Payload: []byte(`{}`)})
			}
			enqueueAtOnce(t, q, jobs)
			size := map[string]int{}
			for _, j := range jobs {
				size[j.ID] = len(j.ID) + len(j.Payload)
			}
			most := 0
			for first, members := range batchesOf(t, store.DB(), b.name) {
				bytes := 0
				for _, m := range members {
					bytes += size[m]
				}
				if len(members) > 64 || bytes > 64<<10 {
					t.Errorf("batch of %s: %d jobs, %d bytes of IDs and payloads (want at most 64 and 64 KiB)", first, len(members), bytes)
				}
				most = max(most, len(members))
			}
			if most < 17 {
				t.Errorf("largest batch: %d jobs; the tiny jobs should share batches of up to 64", most)
			}
		})
	}
}
