package riverqueue_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun/dialect"

	"github.com/waauto/waauto/action"
	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// TestFiringCrash kills the product's inbound automation (engine, bun
// store, River queue) with SIGKILL at a step boundary of a firing, restarts
// it without fault, and checks that every effect happened exactly once.
//
// The faults need no hook in the product: the child process wraps the
// Store, the Transport and the action middleware (engine.Config.Middleware)
// and SIGKILLs itself at the Nth crossing of one point (faultPoints). The
// child plays WhatsApp too: it delivers a stream of customer messages
// (Receive), appends the id of each one Receive accepted to an ack file,
// and after a restart delivers again the ones never acknowledged, as
// WhatsApp redelivers an unacknowledged message.
const (
	firingChildEnv    = "WAAUTO_FIRING_CHILD"               // "dsn|dir|seed|messages|fault"
	firingRunsEnv     = "WAAUTO_FIRING_CRASH_RUNS"          // seeded runs per database (default 10, 3 with -short)
	firingMessagesEnv = "WAAUTO_FIRING_CRASH_MESSAGES"      // messages per run (default 100)
	firingContacts    = 5                                   // customers writing at the same time
	firingLatency     = 5 * time.Millisecond                // the fake transport's latency is uniform in [0, this)
	firingRescue      = 2 * time.Second                     // River's RescueStuckJobsAfter (and JobTimeout) in the child
	firingDrain       = 90 * time.Second                    // bound on the restarted child's drain, plus 50 ms a message
	firingSends       = "sends.log"                         // the fake transport's deliveries
	firingAcks        = "acks.log"                          // ids of the messages Receive accepted
	firingPool        = 12                                  // connections of a child's pool
	firingKillWait    = 2 * time.Minute                     // bound on the faulty child's run until its fault
	firingStartupWait = firingRescue + 100*time.Millisecond // dead attempts age past RescueStuckJobsAfter before the restart
)

// faultPoint is a step boundary of a firing.
type faultPoint string

// The fault points, in the order of a firing.
const (
	afterRecord faultPoint = "after-record" // Store.RecordInbound returned: the message is stored, not yet queued
	afterMark   faultPoint = "after-mark"   // Store.BeginFiring returned: the firing is marked, no action ran
	midActions  faultPoint = "mid-actions"  // the first action of the two-action workflow returned, the second not begun
	afterSend   faultPoint = "after-send"   // Transport.Send returned: delivered, not yet recorded as done
	logWrite    faultPoint = "log-write"    // Store.FinishFiring or AppendLogs: before, during or after the insert
)

var faultPoints = []faultPoint{afterRecord, afterMark, midActions, afterSend, logWrite}

// fault SIGKILLs the process at the Nth crossing of Point. For logWrite,
// a crossing is a log row and When says where the write that reaches the
// Nth row is cut: "before" it, "during" it (Delay after it began) or
// "after" it returned.
type fault struct {
	Point faultPoint
	N     int
	When  string
	Delay time.Duration

	mu   sync.Mutex
	seen int
}

// newFault draws the fault of a seeded run: the point cycles with the
// seed (1 is afterRecord) so that every point gets the same share of the
// runs, N is uniform over the crossings the stream makes.
func newFault(seed uint64, msgs []inbound) *fault {
	rnd := rand.New(rand.NewPCG(seed, 3))
	f := &fault{Point: faultPoints[int(seed-1)%len(faultPoints)]}
	var firings, prices, sends int
	for _, m := range msgs {
		firings += len(m.firings())
		sends += len(m.replies())
		if m.price() {
			prices++
		}
	}
	switch f.Point {
	case afterRecord:
		f.N = 1 + rnd.IntN(len(msgs))
	case afterMark:
		f.N = 1 + rnd.IntN(firings)
	case midActions:
		f.N = 1 + rnd.IntN(prices)
	case afterSend:
		f.N = 1 + rnd.IntN(sends)
	case logWrite:
		f.N = 1 + rnd.IntN(firings)
		f.When = []string{"before", "during", "after"}[rnd.IntN(3)]
		f.Delay = time.Duration(rnd.Int64N(int64(2 * time.Millisecond)))
	}
	return f
}

func (f *fault) String() string {
	if f.Point == logWrite {
		return fmt.Sprintf("%s#%d/%s/%s", f.Point, f.N, f.When, f.Delay)
	}
	return fmt.Sprintf("%s#%d", f.Point, f.N)
}

func parseFault(s string) (*fault, error) {
	if s == "" {
		return nil, nil
	}
	point, rest, _ := strings.Cut(s, "#")
	n, rest, _ := strings.Cut(rest, "/")
	f := &fault{Point: faultPoint(point)}
	var err error
	if f.N, err = strconv.Atoi(n); err != nil {
		return nil, fmt.Errorf("fault %q: %w", s, err)
	}
	if f.Point == logWrite {
		var delay string
		f.When, delay, _ = strings.Cut(rest, "/")
		if f.Delay, err = time.ParseDuration(delay); err != nil {
			return nil, fmt.Errorf("fault %q: %w", s, err)
		}
	}
	return f, nil
}

// hit counts k crossings of p and reports whether the Nth is among them.
// A nil fault never hits.
func (f *fault) hit(p faultPoint, k int) bool {
	if f == nil || p != f.Point || k == 0 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen += k
	return f.seen >= f.N && f.seen-k < f.N
}

// die SIGKILLs the process: nothing after it runs, no deferred call, no
// buffer flushed.
func die() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// faultStore is the child's Store: the bun store, killing the process at
// the store's fault points.
type faultStore struct {
	workflow.Store
	f *fault
}

func (s faultStore) RecordInbound(ctx context.Context, m trigger.Message) (workflow.Inbound, error) {
	in, err := s.Store.RecordInbound(ctx, m)
	if err == nil && s.f.hit(afterRecord, 1) {
		die()
	}
	return in, err
}

func (s faultStore) BeginFiring(ctx context.Context, f workflow.Firing) (bool, error) {
	first, err := s.Store.BeginFiring(ctx, f)
	if err == nil && s.f.hit(afterMark, 1) {
		die()
	}
	return first, err
}

// RecordOutboundUnder passes the bun store's one-statement send record
// through (workflow.OutboundLimiter), so that the child runs the
// product's send path.
func (s faultStore) RecordOutboundUnder(ctx context.Context, m workflow.Outbound, since time.Time, limit int) (bool, error) {
	return s.Store.(workflow.OutboundLimiter).RecordOutboundUnder(ctx, m, since, limit)
}

func (s faultStore) AppendLogs(ctx context.Context, entries []workflow.Execution) error {
	return s.logWrite(len(entries), func() error { return s.Store.AppendLogs(ctx, entries) })
}

func (s faultStore) FinishFiring(ctx context.Context, f workflow.Firing, log workflow.Execution) error {
	return s.logWrite(1, func() error { return s.Store.FinishFiring(ctx, f, log) })
}

// logWrite runs write, a write of rows execution-log rows, killing the
// process before, during or after it when the fault's Nth row is among them.
func (s faultStore) logWrite(rows int, write func() error) error {
	if !s.f.hit(logWrite, rows) {
		return write()
	}
	if s.f.When == "during" {
		go func() { time.Sleep(s.f.Delay); die() }()
		return write()
	}
	if s.f.When == "after" {
		_ = write() // done or failed, the process dies now
	}
	die()
	return nil
}

// faultTransport kills the process once a message is delivered, before
// the engine hears of it.
type faultTransport struct {
	workflow.Transport
	f *fault
}

func (t faultTransport) Send(ctx context.Context, m workflow.Outgoing) error {
	err := t.Transport.Send(ctx, m)
	if err == nil && t.f.hit(afterSend, 1) {
		die()
	}
	return err
}

// middleware kills the process between the two actions of the two-action
// workflow: when its first action returned.
func (f *fault) middleware(next action.Action) action.Action {
	if r, ok := next.(*action.Reply); !ok || r.Text != firingTwoStepText {
		return next
	}
	return action.Func(func(ctx context.Context, c *action.Call) error {
		err := next.Run(ctx, c)
		if f.hit(midActions, 1) {
			die()
		}
		return err
	})
}

// TestFiringCrashChild is the child process of TestFiringCrash; it does
// nothing in a normal run. It runs the automation (with its fault, if
// any), delivers the messages not acked yet, and on SIGTERM stops the
// queue and closes the engine.
func TestFiringCrashChild(t *testing.T) {
	spec := os.Getenv(firingChildEnv)
	if spec == "" {
		t.Skip("child process of TestFiringCrash")
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	parts := strings.Split(spec, "|")
	if len(parts) != 5 {
		t.Fatalf("%s=%q: want dsn|dir|seed|messages|fault", firingChildEnv, spec)
	}
	dsn, dir := parts[0], parts[1]
	seed, err1 := strconv.ParseUint(parts[2], 10, 64)
	n, err2 := strconv.Atoi(parts[3])
	f, err3 := parseFault(parts[4])
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatalf("%s=%q: %v", firingChildEnv, spec, err)
	}
	ctx := context.Background()
	// Parallel runs share one PostgreSQL (max_connections is 100 by
	// default); its pool is unbounded by default.
	opts := quiet()
	opts.MaxOpenConns = firingPool
	store, err := bunstore.Open(ctx, dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := openAppendTransport(filepath.Join(dir, firingSends), seed, firingLatency)
	if err != nil {
		t.Fatal(err)
	}
	eng, q := firingEngine(t, ctx, store,
		engine.Config{Store: faultStore{store, f}, Transport: faultTransport{tr, f}, Middleware: []action.Middleware{tagReplies, f.middleware}},
		riverqueue.Config{FetchPollInterval: 20 * time.Millisecond, MaxWorkers: 8, RescueStuckJobsAfter: firingRescue, JobTimeout: firingRescue, MaxBackoff: 100 * time.Millisecond})
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx, eng.RunJob); err != nil {
		t.Fatal(err)
	}
	acks, err := os.OpenFile(filepath.Join(dir, firingAcks), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	for _, id := range readLines(t, filepath.Join(dir, firingAcks)) {
		acked[id] = true
	}
	var todo []inbound
	for _, m := range firingStream(seed, n, firingContacts) {
		if !acked[m.ID] {
			todo = append(todo, m)
		}
	}
	deliver(ctx, eng, todo, func(m inbound) {
		if _, err := acks.WriteString(m.ID + "\n"); err != nil {
			t.Errorf("ack %s: %v", m.ID, err)
		}
	})
	<-term
	if err := q.Stop(ctx); err != nil {
		t.Error(err)
	}
	if err := eng.Close(ctx); err != nil {
		t.Error(err)
	}
}

// TestFiringCrash: seeded runs on SQLite and on PostgreSQL, each killing
// the automation at one fault point while it handles a stream of messages,
// then restarting it without fault until every message is handled: no
// reply lost, none sent twice under two message ids (the same id again is
// an idempotent retry, counted apart), exactly one fired execution-log row
// per message and workflow, and the label of every customer who ordered.
// WAAUTO_FIRING_CRASH_RUNS sets the runs per database and
// WAAUTO_FIRING_CRASH_MESSAGES the messages per run; the runs of a database
// run in parallel (go test -parallel).
func TestFiringCrash(t *testing.T) {
	runs, n := envInt(firingRunsEnv, 10), envInt(firingMessagesEnv, 100)
	if testing.Short() {
		runs = min(runs, 3)
	}
	for _, db := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "waauto.db") }},
		{"postgres", func(t *testing.T) string { return postgresDSN(t) }},
	} {
		t.Run(db.name, func(t *testing.T) {
			if db.name == "postgres" {
				postgresDSN(t) // skip with its message before any run
			}
			var mu sync.Mutex
			var sum firingCounts
			done := 0
			t.Run("seeds", func(t *testing.T) {
				for seed := uint64(1); seed <= uint64(runs); seed++ {
					t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
						t.Parallel() // a run mostly waits on River (rescue, its 5 s scheduler pass)
						c := firingRun(t, db.dsn(t), seed, n)
						mu.Lock()
						defer mu.Unlock()
						sum.add(c)
						done++
					})
				}
			})
			fmt.Printf("crash: db=%s runs=%d messages=%d %s\n", db.name, done, sum.messages, sum)
		})
	}
}

// firingRun is one seeded run on the database at dsn.
func firingRun(t *testing.T, dsn string, seed uint64, n int) firingCounts {
	ctx := context.Background()
	dir := t.TempDir()
	msgs := firingStream(seed, n, firingContacts)
	f := newFault(seed, msgs)

	// The parent migrates, stores the number, and watches the jobs.
	store := buntest.Open(t, dsn)
	eng, q := firingEngine(t, ctx, store, engine.Config{Transport: parentTransport}, riverqueue.Config{})
	if err := eng.PutSession(ctx, workflow.Session{ID: firingSession}); err != nil {
		t.Fatal(err)
	}
	child := func(f *fault) *child {
		spec := ""
		if f != nil {
			spec = f.String()
		}
		return startChild(t, "TestFiringCrashChild", fmt.Sprintf("%s=%s|%s|%d|%d|%s", firingChildEnv, dsn, dir, seed, n, spec))
	}

	// First run, killed by its fault.
	start := time.Now()
	c := child(f)
	select {
	case <-c.exited:
	case <-time.After(firingKillWait):
		t.Fatalf("fault %s: the child still runs after %s (%d acks, %d sends): the fault point was never reached", f, firingKillWait,
			lineCount(filepath.Join(dir, firingAcks)), lineCount(filepath.Join(dir, firingSends)))
	}
	if !c.killed() {
		t.Fatalf("fault %s: the child exited by itself (%v), not by its fault", f, c.cmd.ProcessState)
	}
	killedAt := time.Since(start)
	ackedBefore, sentBefore := lineCount(filepath.Join(dir, firingAcks)), lineCount(filepath.Join(dir, firingSends))
	if store.DB().Dialect().Name() == dialect.PG {
		// The dead child may hold River's leadership until its 15 s TTL;
		// the new one must lead at once to rescue the dead attempts (on
		// SQLite, Queue.Start does the same under its file lock).
		if _, err := store.DB().ExecContext(ctx, "DELETE FROM river_leader"); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(firingStartupWait)

	// Second run, without fault, until every message is acked and handled.
	restart := time.Now()
	c = child(nil)
	wait := firingDrain + time.Duration(n)*50*time.Millisecond
	deadline := time.Now().Add(wait)
	for {
		acked := lineCount(filepath.Join(dir, firingAcks))
		left, err := openJobs(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if acked >= n && left == 0 {
			break
		}
		if !c.running() {
			t.Fatalf("fault %s: the restarted child exited: %v", f, c.cmd.ProcessState)
		}
		if time.Now().After(deadline) {
			t.Fatalf("fault %s: %s after the restart, %d of %d messages acked and %d jobs open", f, wait, acked, n, left)
		}
		time.Sleep(50 * time.Millisecond)
	}
	drained := time.Since(restart)
	c.signal(syscall.SIGTERM)
	if c.killed() || !c.cmd.ProcessState.Success() {
		t.Fatalf("fault %s: the restarted child did not stop cleanly: %v", f, c.cmd.ProcessState)
	}

	counts := checkFirings(t, ctx, store, msgs, readDeliveries(t, filepath.Join(dir, firingSends)))
	report := t.Logf
	if counts.failed() {
		report = t.Errorf
	}
	report("fault %s: killed after %s (%d acked, %d sent), drained %s after the restart: %s", f,
		killedAt.Round(time.Millisecond), ackedBefore, sentBefore, drained.Round(time.Millisecond), counts)
	return counts
}
