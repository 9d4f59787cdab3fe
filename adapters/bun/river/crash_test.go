package riverqueue_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// The crash test runs the dispatcher in a child process (this test binary
// re-run with crashChildEnv set) so that it can be SIGKILLed for real.
const (
	crashChildEnv = "WAAUTO_CRASH_CHILD" // "db path|sends log|seed|rescue after"
	crashRunsEnv  = "WAAUTO_CRASH_RUNS"  // number of seeded runs (default 50, 3 with -short)
	crashRowsEnv  = "WAAUTO_CRASH_ROWS"  // due rows per run (default 300)
	crashSession  = "shop"
	crashLatency  = 20 * time.Millisecond // the fake sender's latency is uniform in [0, this)
)

// TestCrashChild is the child process; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashChildEnv)
	if spec == "" {
		t.Skip("child process of TestCrashMidDispatch")
	}
	parts := strings.Split(spec, "|")
	seed, _ := strconv.ParseUint(parts[2], 10, 64)
	rescue, _ := time.ParseDuration(parts[3])
	ctx := context.Background()
	store, err := bunstore.Open(ctx, parts[0], quiet())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := openAppendTransport(parts[1], seed, crashLatency)
	if err != nil {
		t.Fatal(err)
	}
	eng, q, err := newEngine(ctx, store, tr,
		riverqueue.Config{FetchPollInterval: 20 * time.Millisecond, MaxWorkers: 8, RescueStuckJobsAfter: rescue, MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx, eng.RunJob); err != nil {
		t.Fatal(err)
	}
	select {} // until killed
}

// TestCrashMidDispatch: a dispatcher sending due scheduled messages through
// a fake sender with random latency is SIGKILLed at a random moment, then
// restarted. After the restart has drained, every message is sent, and no
// message was sent twice with different WhatsApp ids (a second send with
// the same id — the first attempt's outcome unknown — is allowed).
func TestCrashMidDispatch(t *testing.T) {
	// About 5 s a run: 10 by default keeps go test ./... short; set
	// WAAUTO_CRASH_RUNS=50 for the full set.
	runs, rows := envInt(crashRunsEnv, 10), envInt(crashRowsEnv, 300)
	if testing.Short() {
		runs = min(runs, 3)
	}
	for seed := uint64(1); seed <= uint64(runs); seed++ {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) { crashRun(t, seed, rows) })
	}
}

func crashRun(t *testing.T, seed uint64, rows int) {
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	dbPath, sendsPath := filepath.Join(dir, "waauto.db"), filepath.Join(dir, "sends.log")

	// Schedule the rows, all due, through the engine (message and jobs in one transaction).
	store := openSQLite(t, dbPath)
	eng, _, err := newEngine(ctx, store, parentTransport, riverqueue.Config{})
	if err != nil {
		t.Fatal(err)
	}
	scheduleDue(t, []*engine.Engine{eng}, rows)

	const rescueAfter = 300 * time.Millisecond
	child := func() *child {
		return startChild(t, "TestCrashChild", fmt.Sprintf("%s=%s|%s|%d|%s", crashChildEnv, dbPath, sendsPath, seed, rescueAfter))
	}

	// First run, killed at a random moment while dispatching: once a random
	// number of sends are done, plus a random fraction of a send's latency.
	cmd := child()
	killAfter := 1 + rnd.IntN(rows-1)
	started := time.Now()
	for lineCount(sendsPath) < killAfter {
		select {
		case <-cmd.exited:
			t.Fatalf("the dispatcher exited before the kill: %v", cmd.cmd.ProcessState)
		case <-time.After(time.Millisecond):
		}
		if time.Since(started) > time.Minute {
			t.Fatalf("%d sends after a minute; waiting for %d to kill", lineCount(sendsPath), killAfter)
		}
	}
	time.Sleep(time.Duration(rnd.Int64N(int64(crashLatency))))
	killAt := time.Since(started)
	cmd.signal(syscall.SIGKILL)
	sentBefore := lineCount(sendsPath)
	// Let the dead attempts age past RescueStuckJobsAfter, then restart.
	time.Sleep(rescueAfter + 100*time.Millisecond)
	cmd = child()

	// A bound, not a speed check: about 100 rows/s of dispatch on a loaded
	// 2-core machine, plus River's rescue of the dead attempts.
	wait := 30*time.Second + time.Duration(rows)*10*time.Millisecond
	deadline := time.Now().Add(wait)
	for {
		left, err := store.ListScheduled(ctx, workflow.ScheduleQuery{Status: []workflow.ScheduleStatus{workflow.SchedulePending, workflow.ScheduleSending}})
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			break
		}
		select {
		case <-cmd.exited:
			t.Fatalf("the restarted dispatcher exited: %v", cmd.cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("killed after %s (%d sent); %s after the restart %d rows are still %s (first: %+v)", killAt, sentBefore, wait, len(left), left[0].Status, left[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
	all, err := store.ListScheduled(ctx, workflow.ScheduleQuery{})
	if err != nil {
		t.Fatal(err)
	}
	sends := readDeliveries(t, sendsPath)
	byRow := map[string][]string{}
	for _, s := range sends {
		byRow[s.Text] = append(byRow[s.Text], s.ID)
	}
	repeats := 0
	for _, m := range all {
		if m.Status != workflow.ScheduleSent {
			t.Errorf("row %s is %s (%s), want sent", m.ID, m.Status, m.Reason)
		}
		ids := byRow[m.ID]
		if len(ids) == 0 {
			t.Errorf("row %s is sent but the sender never got it", m.ID)
		}
		for _, id := range ids {
			if id != m.MessageID {
				t.Errorf("row %s sent with id %s, but its message id is %s", m.ID, id, m.MessageID)
			}
		}
		if len(ids) > 1 {
			repeats++
		}
	}
	if len(all) != rows {
		t.Fatalf("%d rows stored, want %d", len(all), rows)
	}
	t.Logf("killed after %s with %d sends done; %d sends in all, %d rows sent twice (same id, ambiguous first attempt)", killAt.Round(time.Millisecond), sentBefore, len(sends), repeats)
}
