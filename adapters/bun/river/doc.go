// Package riverqueue is the durable workflow.JobQueue of the bun store, on
// River (github.com/riverqueue/river): scheduled messages, pending AI
// replies, sends and webhooks survive crashes and are shared by several
// instances on one PostgreSQL.
//
//	store, _ := bunstore.Open(ctx, dsn, bunstore.Options{})
//	q, _ := riverqueue.New(ctx, store, riverqueue.Config{})
//	eng, _ := engine.New(engine.Config{Store: store, Jobs: q, ...})
//	q.Start(ctx, eng.RunJob) // workflow.JobRunner: the one way to start a queue
//	defer q.Stop(ctx)
//
// River does the hard parts and this package only configures it: jobs
// are rows in the store's own database (riversqlite on SQLite,
// riverdatabasesql on PostgreSQL, both on the store's *sql.DB), claimed
// with FOR UPDATE SKIP LOCKED on PostgreSQL, retried with backoff, rescued
// when a worker died mid-job (Config.RescueStuckJobsAfter), unique by
// workflow.Job.ID, and maintained by one elected leader. River's
// migrations run in New and are safe to run again.
//
// Guarantees and their limits:
//
//   - At least once: a job whose worker crashed runs again after
//     RescueStuckJobsAfter. Outgoing messages carry their WhatsApp id from
//     before the first attempt, so a second run can only repeat the same
//     message, never create a different one.
//   - Never early: River never runs a job before its ScheduledAt. A job
//     due in the future becomes runnable at River's scheduler pass, which
//     runs every 5 s (not configurable in River 0.51), so it may run up to
//     about 5 s plus FetchPollInterval late.
//   - Batched: jobs marked workflow.Job.New and due now (the evaluation of
//     a message just recorded) that concurrent Enqueue calls queue
//     together go into River as one batch job of up to 64, run at once;
//     one that fails or is deferred is queued again on its own (batch.go).
//     They skip the unique check, which their callers say they need not.
//   - Transactional: PutScheduledAndEnqueue stores a scheduled message and
//     its jobs in one transaction (workflow.AtomicScheduler).
//   - Held: a job whose send returns pacing.ErrHeld (number banned or
//     logged out) is snoozed for Config.HoldRecheck, without counting as a
//     failed attempt, never discarded; a *pacing.DeferredError snoozes it
//     until its slot.
//   - SQLite: one process per database file. Start takes an exclusive
//     lock on "<file>.river.lock" and fails with ErrLocked when another
//     process holds it; holding it proves any leader row left in
//     river_leader belongs to a dead process, so Start removes it and the
//     new process is leader at once instead of after River's 15 s TTL.
//
// Lease gives one instance the right to run a WhatsApp number's socket:
// a PostgreSQL session-level advisory lock on a dedicated connection,
// released when that connection closes, i.e. when the owner dies.
// NumberLeases is the loop around it: every 30 s it leases and starts the
// linked numbers no instance runs, so that a dead owner's numbers move to
// a live instance.
package riverqueue
