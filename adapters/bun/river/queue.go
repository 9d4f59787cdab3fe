package riverqueue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/pacing"
)

// ErrLocked is returned by Start on SQLite when another process already
// runs a queue on the same database file.
var ErrLocked = errors.New("another process runs the job queue of this SQLite database")

// Config configures a Queue; the zero value is the default.
type Config struct {
	// Logger receives the queue's and River's logs; nil discards them.
	Logger *slog.Logger
	// ID names this instance in River (job rows' attempted_by); "" lets
	// River make one from the host name and time.
	ID string
	// MaxWorkers is how many jobs this instance runs at once; 0 means
	// 100. River fetches at most as many jobs as it has free workers, at
	// most once per FetchCooldown, so MaxWorkers/FetchCooldown bounds the
	// job rate: 10 workers and River's 100 ms gave 95 replies/s. Workers
	// mostly wait on the database; the store's pool bounds the connections
	// they share (bunstore.Options.MaxOpenConns), so more workers than
	// connections wait their turn rather than fail.
	MaxWorkers int
	// FetchPollInterval is how often an idle instance looks for due jobs;
	// 0 means 50ms. Neither River's SQLite driver nor its database/sql
	// driver can LISTEN, so this is also the delay before a new job is
	// seen: it bounds the latency of a reply at a sustained rate. An idle
	// poll is one indexed query.
	FetchPollInterval time.Duration
	// FetchCooldown is the least time between two fetches, when jobs end
	// and free workers; 0 means 5ms (River's default is 100ms), never more
	// than FetchPollInterval.
	FetchCooldown time.Duration
	// JobTimeout cancels a job's context after this long; 0 means 2m (or
	// RescueStuckJobsAfter when that is shorter).
	JobTimeout time.Duration
	// RescueStuckJobsAfter: a job running this long is taken to belong to
	// a dead worker and is run again; 0 means 5m. It must exceed the
	// longest job (JobTimeout).
	RescueStuckJobsAfter time.Duration
	// MaxAttempts before River gives a failing job up (discarded); 0
	// means 300, about a day at the 5 min backoff cap.
	MaxAttempts int
	// MaxBackoff caps the wait between retries (1s, 2s, 4s, … plus up to
	// 20% jitter); 0 means 5m.
	MaxBackoff time.Duration
	// HoldRecheck is how long a job of a held number (pacing.ErrHeld)
	// sleeps before it looks again; 0 means 1m.
	HoldRecheck time.Duration
	// Schema is the PostgreSQL schema of River's tables; "" means the
	// connection's search_path, where the store's tables are.
	Schema string
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	setDefault(&c.MaxWorkers, 100)
	setDefault(&c.FetchPollInterval, 50*time.Millisecond)
	setDefault(&c.FetchCooldown, min(5*time.Millisecond, c.FetchPollInterval))
	setDefault(&c.RescueStuckJobsAfter, 5*time.Minute)
	setDefault(&c.JobTimeout, min(2*time.Minute, c.RescueStuckJobsAfter))
	setDefault(&c.MaxAttempts, 300)
	setDefault(&c.MaxBackoff, 5*time.Minute)
	setDefault(&c.HoldRecheck, time.Minute)
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// Queue is a workflow.JobQueue on River, in the bun store's database. It
// is safe for concurrent use.
type Queue struct {
	store   *bunstore.Store
	db      *bun.DB
	sqlite  bool
	cfg     Config
	log     *slog.Logger
	handler workflow.JobHandler
	driver  riverdriver.Driver[*sql.Tx]
	client  *river.Client[*sql.Tx]

	ins inserter
	// slots bounds the jobs of batches running at once to MaxWorkers.
	slots chan struct{}

	mu     sync.Mutex
	unlock func() error // releases the SQLite process lock
}

var (
	_ workflow.JobRunner       = (*Queue)(nil)
	_ workflow.AtomicScheduler = (*Queue)(nil)
)

// jobArgs is the one River job kind: a workflow.Job. River's unique key
// is made of the kind and the fields tagged unique, so Job.ID alone.
//
// On SQLite a payload that is JSON (every payload the engine makes) is
// kept as is in JSON, other bytes in base64 (encoding/json's []byte):
// base64 made every job a third bigger, and River's SQLite driver converts
// the args to and from JSON on every insert, fetch and completion
// (BenchmarkEnqueueParallel/sqlite: 1.25x the jobs per second). SQLite's
// JSONB gives the text back byte for byte; PostgreSQL's jsonb reorders
// keys and spaces, so there every payload stays in base64, and the handler
// gets exactly the bytes queued everywhere. Jobs queued by earlier
// versions have only Payload, and are read as before.
type jobArgs struct {
	ID      string          `json:"id" river:"unique"`
	Type    string          `json:"type"`
	JSON    json.RawMessage `json:"json,omitempty"`
	Payload []byte          `json:"payload,omitempty"`
	// Runs counts the runs of this job inside batches before it was
	// queued on its own (batch.go): they count in workflow.Job.Attempt.
	Runs int `json:"runs,omitempty"`
	// Batch holds the jobs a batch job runs (batch.go); ID and Type then
	// name the batch.
	Batch []jobArgs `json:"batch,omitempty"`
}

// payload is the job's payload, whichever way it was stored.
func (a jobArgs) payload() []byte {
	if a.JSON != nil {
		return a.JSON
	}
	return a.Payload
}

// Kind is River's job kind.
func (jobArgs) Kind() string { return "waauto_job" }

// New migrates River's tables in store's database and returns a stopped
// queue. Start hands it the handler (the engine's RunJob) and works jobs;
// Enqueue works before Start.
func New(ctx context.Context, store *bunstore.Store, cfg Config) (*Queue, error) {
	cfg.setDefaults()
	db := store.DB()
	q := &Queue{store: store, db: db, cfg: cfg, log: cfg.Logger, slots: make(chan struct{}, cfg.MaxWorkers)}
	switch db.Dialect().Name() {
	case dialect.SQLite:
		q.sqlite = true
		q.driver = riversqlite.New(db.DB)
	case dialect.PG:
		q.driver = riverdatabasesql.New(db.DB)
		// database/sql keeps 2 idle connections by default: with MaxWorkers
		// jobs each making a few queries, every query past the second
		// opened a new PostgreSQL backend (fork, auth), 67 ms a scheduled
		// dispatch instead of 22 ms (BENCHMARKS.md). Keep enough idle for
		// the workers plus River's own loops; the pool's MaxOpenConns (set
		// by bunstore.Open) caps this.
		db.DB.SetMaxIdleConns(cfg.MaxWorkers + 8)
	default:
		return nil, fmt.Errorf("riverqueue.New: unsupported database %s", db.Dialect().Name())
	}
	if err := q.migrate(ctx); err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker{q: q}); err != nil {
		return nil, fmt.Errorf("riverqueue.New: %w", err)
	}
	client, err := river.NewClient(q.driver, &river.Config{
		ID:                   cfg.ID,
		Logger:               cfg.Logger,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}},
		Workers:              workers,
		FetchPollInterval:    cfg.FetchPollInterval,
		FetchCooldown:        min(cfg.FetchCooldown, cfg.FetchPollInterval),
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueStuckJobsAfter,
		MaxAttempts:          cfg.MaxAttempts,
		RetryPolicy:          q.retryPolicy(),
		Schema:               cfg.Schema,
		// Every job is one of ours: an unknown kind is a bug to see, not skip.
		SkipUnknownJobCheck: false,
	})
	if err != nil {
		return nil, fmt.Errorf("riverqueue.New: %w", err)
	}
	q.client = client
	return q, nil
}

// migrate runs River's migrations (a no-op when they are applied).
func (q *Queue) migrate(ctx context.Context) error {
	m, err := rivermigrate.New(q.driver, &rivermigrate.Config{Logger: q.log, Schema: q.cfg.Schema})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		q.log.InfoContext(ctx, "river migration applied", slog.Int("version", v.Version))
	}
	return nil
}

// Client returns the River client, for River's own API (listing jobs,
// subscribing to events) and tests.
func (q *Queue) Client() *river.Client[*sql.Tx] { return q.client }

// Start hands due jobs to h (the engine's RunJob) in the background until
// Stop or ctx ends. On SQLite it fails with ErrLocked when another process
// works this database.
func (q *Queue) Start(ctx context.Context, h workflow.JobHandler) error {
	if h == nil {
		return errors.New("start job queue: nil handler")
	}
	q.handler = h // before the client starts its workers
	if q.sqlite {
		if err := q.lockSQLite(ctx); err != nil {
			return err
		}
	}
	if err := q.client.Start(ctx); err != nil {
		q.releaseSQLite()
		return fmt.Errorf("start job queue: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for running ones until ctx ends;
// jobs cut short run again later (after RescueStuckJobsAfter).
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	q.releaseSQLite()
	if err != nil {
		return fmt.Errorf("stop job queue: %w", err)
	}
	return nil
}

// Enqueue inserts j to run at j.RunAt (now when zero or past). An ID that
// exists, waiting, running or completed within River's retention (24h
// by default), is skipped without error — unless j.New says no such ID
// can exist: a New job due now is not checked, and may run in a batch
// with others (batch.go).
//
// Concurrent calls share transactions (group commit): one caller inserts
// the jobs queued while the previous insert ran, up to maxInsertBatch, in
// one River InsertMany, its own transaction. Each call returns once its
// job is committed, or with the error of its own insert (a failed batch
// is retried one job at a time). On SQLite this batch is not part of the
// store's own shared transactions: there each job joined them as a River
// insert statement of its own, and one statement for the whole batch
// costs less (BenchmarkEnqueueParallel: 1.7x the jobs per second).
func (q *Queue) Enqueue(ctx context.Context, j workflow.Job) error {
	r := &insertReq{job: j, done: make(chan error, 1)}
	q.ins.mu.Lock()
	q.ins.pending = append(q.ins.pending, r)
	lead := !q.ins.running
	q.ins.running = true
	q.ins.mu.Unlock()
	if lead {
		q.insertPending(context.WithoutCancel(ctx))
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("enqueue job %s: %w", j.ID, ctx.Err())
	}
}

// maxInsertBatch bounds the jobs of one group-committed insert.
const maxInsertBatch = 500

// insertReq is one Enqueue waiting for its batch.
type insertReq struct {
	job  workflow.Job
	done chan error
}

// inserter queues Enqueue calls for group commit.
type inserter struct {
	mu      sync.Mutex
	pending []*insertReq
	running bool // a caller is inserting batches
}

// insertPending inserts the queued jobs batch after batch until none is
// left; one caller at a time runs it.
func (q *Queue) insertPending(ctx context.Context) {
	for {
		q.ins.mu.Lock()
		batch := q.ins.pending[:min(len(q.ins.pending), maxInsertBatch)]
		q.ins.pending = q.ins.pending[len(batch):]
		if len(batch) == 0 {
			q.ins.running = false
			q.ins.pending = nil
			q.ins.mu.Unlock()
			return
		}
		q.ins.mu.Unlock()
		if err := q.insertMany(ctx, q.insertParams(batch)); err == nil || len(batch) == 1 {
			for _, r := range batch {
				r.done <- wrapEnqueue(r.job, err)
			}
			continue
		}
		for _, r := range batch {
			_, err := q.client.Insert(ctx, q.args(r.job), insertOpts(r.job))
			r.done <- wrapEnqueue(r.job, err)
		}
	}
}

// insertMany inserts a batch of jobs in one transaction. On SQLite it
// takes River's "fast" insert, which does not return the inserted rows:
// the returning insert sends every column of every job back as JSON, to be
// decoded and thrown away here (BenchmarkEnqueueParallel/sqlite). On
// PostgreSQL the fast insert is a COPY, which cannot skip a duplicate
// unique key as Enqueue must; there the returning insert stays.
func (q *Queue) insertMany(ctx context.Context, params []river.InsertManyParams) error {
	var err error
	if q.sqlite {
		_, err = q.client.InsertManyFast(ctx, params)
	} else {
		_, err = q.client.InsertMany(ctx, params)
	}
	return err
}

func wrapEnqueue(j workflow.Job, err error) error {
	if err != nil {
		return fmt.Errorf("enqueue job %s: %w", j.ID, err)
	}
	return nil
}

// EnqueueTx inserts jobs inside tx, a transaction on the store's database:
// they exist if and only if tx commits, and no worker sees them before.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, jobs ...workflow.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: q.args(j), InsertOpts: insertOpts(j)}
	}
	if _, err := q.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue %d jobs (first %s): %w", len(jobs), jobs[0].ID, err)
	}
	return nil
}

// PutScheduledAndEnqueue stores m and inserts its jobs in one transaction
// (workflow.AtomicScheduler): a crash can never leave a pending message
// without its send job, nor a job without its message.
func (q *Queue) PutScheduledAndEnqueue(ctx context.Context, m workflow.ScheduledMessage, jobs []workflow.Job) error {
	return q.store.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := q.store.PutScheduledTx(ctx, tx, m); err != nil {
			return err
		}
		return q.EnqueueTx(ctx, tx.Tx, jobs...)
	})
}

func (q *Queue) args(j workflow.Job) jobArgs {
	a := jobArgs{ID: j.ID, Type: j.Kind}
	if q.sqlite && len(j.Payload) > 0 && json.Valid(j.Payload) {
		a.JSON = j.Payload
	} else {
		a.Payload = j.Payload
	}
	return a
}

// insertOpts gives River a ScheduledAt only for a job due in the future.
// River inserts any job with a ScheduledAt, even a past one, as
// "scheduled", and only its leader's scheduler pass (every 5 s) makes it
// runnable, in one JobSchedule query whose unique-key check can go
// quadratic when the planner's statistics on river_job are stale (2,000
// due rows: 6.7–9.6 s on PostgreSQL 15, see BENCHMARKS.md). A job due now
// or in the past is inserted "available" and fetched at the next poll.
func insertOpts(j workflow.Job) *river.InsertOpts {
	o := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
	if j.RunAt.After(time.Now()) {
		o.ScheduledAt = j.RunAt
	}
	return o
}

// worker runs every job through the handler.
type worker struct {
	river.WorkerDefaults[jobArgs]
	q *Queue
}

func (w *worker) Work(ctx context.Context, job *river.Job[jobArgs]) error {
	if job.Args.Type == batchKind {
		return w.q.runBatch(ctx, job)
	}
	j := workflow.Job{ID: job.Args.ID, Kind: job.Args.Type, RunAt: job.ScheduledAt, Payload: job.Args.payload(),
		Attempt: attempt(job.JobRow) + job.Args.Runs}
	err := w.q.run(ctx, j, job.Attempt > 1 || job.Args.Runs > 0)
	if err == nil {
		return nil
	}
	if wait, ok := w.q.later(ctx, j, err); ok {
		return river.JobSnooze(wait)
	}
	w.q.log.WarnContext(ctx, "job failed; River retries it", slog.String("job", j.ID), slog.Int("attempt", j.Attempt), slog.Any("err", err))
	return err
}

// run hands j to the handler, first putting back, when the job is retried
// (run before, not only snoozed), a scheduled message that an interrupted
// earlier run left sending (resumeScheduled).
func (q *Queue) run(ctx context.Context, j workflow.Job, retried bool) error {
	if retried && j.Kind == workflow.JobScheduled {
		if err := q.resumeScheduled(ctx, j); err != nil {
			return err
		}
	}
	return q.handler(ctx, j)
}

// later reports whether err asks to run j again after a wait rather than
// fail it (workflow.RetryAtError, pacing's deferral or hold), and the
// wait.
func (q *Queue) later(ctx context.Context, j workflow.Job, err error) (time.Duration, bool) {
	var d *pacing.DeferredError
	var at *workflow.RetryAtError
	switch {
	case errors.As(err, &at):
		return max(time.Until(at.At), 0), true
	case errors.As(err, &d):
		wait := max(time.Until(d.Until), 0)
		q.log.InfoContext(ctx, "job deferred by pacing", slog.String("job", j.ID), slog.Duration("wait", wait))
		return wait, true
	case errors.Is(err, pacing.ErrHeld):
		q.log.InfoContext(ctx, "job held: its number may not send", slog.String("job", j.ID), slog.Duration("recheck", q.cfg.HoldRecheck))
		return q.cfg.HoldRecheck, true
	}
	return 0, false
}

// attempt is workflow.Job.Attempt of a job River runs: its attempt plus
// its snoozes. River counts a run in the attempt when it fetches the job
// and takes it back when the run snoozes (river.JobSnooze: attempt - 1,
// one more "snoozes" in the metadata), so a job snoozed on its first run
// comes back with attempt 1; it has run before all the same.
func attempt(job *rivertype.JobRow) int {
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(job.Metadata, &meta) // no metadata: no snoozes
	return job.Attempt + meta.Snoozes
}

// retryPolicy is River's retry policy for the queue's jobs.
func (q *Queue) retryPolicy() backoff { return backoff{max: q.cfg.MaxBackoff} }

// backoff is the retry policy: 1s doubling per attempt up to max, plus up
// to 20% jitter so that failed jobs do not retry in lockstep.
type backoff struct{ max time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := b.max
	if n := job.Attempt - 1; n < 30 {
		d = min(time.Second<<max(n, 0), b.max)
	}
	return time.Now().Add(d + time.Duration(rand.Int64N(int64(d)/5+1)))
}

// resumeScheduled puts back to pending a scheduled message that an
// interrupted earlier attempt of its job left "sending" (the process died
// between claiming and marking it sent), so that the engine sends it
// again, with the same message id. Only a retry does this: River runs one
// attempt of a job at a time, so a retry's "sending" row is its own dead
// attempt's (or, rarely, a concurrent reconnect flush's: then the same
// message may go out twice, with the same id). An attempt that returned
// left no "sending" row after a send: the engine keeps trying to record
// the send (for up to a minute) before the job returns, because a refused
// write there once made this retry send 6 of 2,000 rows twice
// (TestScheduledAckFailureSendsOnce).
func (q *Queue) resumeScheduled(ctx context.Context, j workflow.Job) error {
	var id string
	if err := json.Unmarshal(j.Payload, &id); err != nil {
		return nil // the engine reports the bad payload
	}
	err := q.store.TransitionScheduled(ctx, id, workflow.ScheduleSending, workflow.SchedulePending, "resumed after an interrupted attempt", time.Now())
	switch {
	case err == nil:
		q.log.WarnContext(ctx, "scheduled message resumed after an interrupted attempt", slog.String("id", id))
		return nil
	case errors.Is(err, workflow.ErrConflict), errors.Is(err, workflow.ErrNotFound):
		return nil
	}
	return err
}
