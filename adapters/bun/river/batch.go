package riverqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/waauto/waauto/workflow"
)

// Batches. River costs a row insert, a fetch and a completion per job, all
// of them writes — on SQLite under the database's one write lock — and
// with one job per received message they were about a third of the
// process's work under a burst (internal/app/BENCHMARKS.md). Jobs that need no duplicate
// check (workflow.Job.New) and are due now, queued by concurrent Enqueue
// calls while an insert runs, go into River as one batch job of up to
// maxBatchJobs: one insert, one fetch, one completion for all of them.
//
// A batch job runs its jobs at once, each through the handler as if it
// had its own River job (the batch's attempt is theirs). A job that fails
// or asks to run later (pacing, workflow.RetryAtError) is queued again on
// its own, with its runs counted, to run after River's backoff or its
// wait; the batch then completes. Should that insert fail, the batch
// fails and River runs all of it again later: every handler run must be
// safe to repeat, as River already requires (a crashed worker's job runs
// again), and the engine's firings make a repeated evaluation send
// nothing twice.

// batchKind is the Type of a batch job.
const batchKind = "batch"

// maxBatchJobs bounds the jobs of one batch job: they run at once, on one
// River worker. maxBatchBytes bounds their payloads and IDs, so that long
// messages make smaller batches: River's SQLite driver copies a row's
// args as JSON text at insert, fetch and completion, and the C allocator
// behind it maps every block above 16 KiB from the kernel and unmaps it
// when freed (sqlitemem.go). A bound of 12 KiB (18 bench jobs) measured
// no better than 64 jobs of 700 bytes (45 KB), 1,395 against 1,475
// messages/s (internal/app/BENCHMARKS.md).
const (
	maxBatchJobs  = 64
	maxBatchBytes = 64 << 10
)

// batchable says whether j may go into a batch: no job with its ID can
// exist (the caller says so), and it is due now.
func batchable(j workflow.Job) bool { return j.New && !j.RunAt.After(time.Now()) }

// insertParams makes the River inserts of queued Enqueue calls: batch
// jobs for the batchable ones when there are two or more, one job each
// for the others.
func (q *Queue) insertParams(reqs []*insertReq) []river.InsertManyParams {
	params := make([]river.InsertManyParams, 0, len(reqs))
	var group []workflow.Job
	size := 0
	flush := func() {
		switch len(group) {
		case 0:
		case 1:
			params = append(params, river.InsertManyParams{Args: q.args(group[0]), InsertOpts: insertOpts(group[0])})
		default:
			batch := make([]jobArgs, len(group))
			for i, j := range group {
				batch[i] = q.args(j)
			}
			// No unique key: the batch's ID only names it in River's
			// tables and logs; its jobs' IDs are checked by nobody.
			params = append(params, river.InsertManyParams{
				Args:       jobArgs{ID: "batch/" + group[0].ID, Type: batchKind, Batch: batch},
				InsertOpts: &river.InsertOpts{},
			})
		}
		group, size = nil, 0
	}
	for _, r := range reqs {
		if !batchable(r.job) {
			params = append(params, river.InsertManyParams{Args: q.args(r.job), InsertOpts: insertOpts(r.job)})
			continue
		}
		n := len(r.job.ID) + len(r.job.Payload) + 40 // with the keys and quotes
		if size+n > maxBatchBytes {
			flush()
		}
		group = append(group, r.job)
		size += n
		if len(group) == maxBatchJobs {
			flush()
		}
	}
	flush()
	return params
}

// runBatch runs the jobs of a batch job at once and queues again, each on
// its own, those that failed or asked to run later. The jobs of all the
// batches running take at most MaxWorkers slots: Config.MaxWorkers bounds
// the jobs that batches run at once as it bounds River's own jobs.
func (q *Queue) runBatch(ctx context.Context, job *river.Job[jobArgs]) error {
	n := attempt(job.JobRow)
	errs := make([]error, len(job.Args.Batch))
	var wg sync.WaitGroup
	for i, a := range job.Args.Batch {
		select {
		case q.slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err() // River runs the batch again
		}
		wg.Go(func() {
			defer func() { <-q.slots }()
			j := workflow.Job{ID: a.ID, Kind: a.Type, RunAt: job.ScheduledAt, Payload: a.payload(), Attempt: n}
			// A panic fails this job, as River does a job's, not the process.
			defer func() {
				if p := recover(); p != nil {
					q.log.ErrorContext(ctx, "job panicked in a batch", slog.String("job", j.ID), slog.Any("panic", p),
						slog.String("stack", string(debug.Stack())))
					errs[i] = fmt.Errorf("job %s panicked: %v", j.ID, p)
				}
			}()
			errs[i] = q.run(ctx, j, n > 1)
		})
	}
	wg.Wait()
	var again []river.InsertManyParams
	for i, err := range errs {
		if err == nil {
			continue
		}
		a := job.Args.Batch[i]
		j := workflow.Job{ID: a.ID, Kind: a.Type, Attempt: n}
		at := time.Now()
		if wait, ok := q.later(ctx, j, err); ok {
			at = at.Add(wait)
		} else {
			at = q.retryPolicy().NextRetry(&rivertype.JobRow{Attempt: n})
			q.log.WarnContext(ctx, "job failed in a batch; queued again on its own", slog.String("job", j.ID),
				slog.Int("attempt", n), slog.Time("retry_at", at), slog.Any("err", err))
		}
		a.Runs = n
		again = append(again, river.InsertManyParams{Args: a, InsertOpts: insertOpts(workflow.Job{RunAt: at})})
	}
	if len(again) == 0 {
		return nil
	}
	if err := q.insertMany(ctx, again); err != nil {
		return fmt.Errorf("queue again %d jobs of batch %s: %w", len(again), job.Args.ID, errors.Join(err, errors.Join(errs...)))
	}
	return nil
}

// waitingSQL counts the jobs waiting in River's table (%s), each job of
// a batch job counted, by dialect (SQLite: true).
var waitingSQL = map[bool]string{
	true: `SELECT coalesce(sum(CASE WHEN json_extract(args, '$.type') = 'batch'
		THEN json_array_length(args, '$.batch') ELSE 1 END), 0)
		FROM %s WHERE state IN ('available', 'scheduled', 'retryable')`,
	false: `SELECT coalesce(sum(CASE WHEN args->>'type' = 'batch'
		THEN jsonb_array_length(args->'batch') ELSE 1 END), 0)
		FROM %s WHERE state IN ('available', 'scheduled', 'retryable')`,
}

// Waiting returns how many jobs wait to run: due, scheduled or to be
// retried, each job of a batch counted.
func (q *Queue) Waiting(ctx context.Context) (int64, error) {
	var n int64
	table := "river_job"
	if q.cfg.Schema != "" {
		table = pgx.Identifier{q.cfg.Schema, table}.Sanitize()
	}
	if err := q.db.QueryRowContext(ctx, fmt.Sprintf(waitingSQL[q.sqlite], table)).Scan(&n); err != nil {
		return 0, fmt.Errorf("jobs waiting: %w", err)
	}
	return n, nil
}
