package riverqueue_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waauto/waauto/action"
	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

const (
	pgRestartEnv      = "WAAUTO_PG_RESTART_TEST"     // "1" runs TestPostgresRestart
	pgRestartMessages = "WAAUTO_PG_RESTART_MESSAGES" // messages of the stream (default 5,000)
	pgRestartContacts = 20
	pgRestartDrain    = 5 * time.Minute // bound on handling the stream after it was accepted
)

// TestPostgresRestart: the product's inbound automation on PostgreSQL
// (engine, bun store, River) handles a stream of 5,000 messages from 20
// customers while PostgreSQL restarts once (pg_ctlcluster restart) in the
// middle. Receive may refuse a message while the database is down —
// WhatsApp then delivers it again, as deliver does — but every message it
// accepted is answered exactly once, with one fired execution-log row per
// workflow, and nothing is done by hand. It restarts the cluster serving
// WAAUTO_TEST_POSTGRES, which breaks every other test using it, so it runs
// only with WAAUTO_PG_RESTART_TEST=1 (.ci/run runs it alone).
func TestPostgresRestart(t *testing.T) {
	if os.Getenv(pgRestartEnv) != "1" {
		t.Skipf("restarts PostgreSQL, breaking every other test using it: set %s=1 to run it alone", pgRestartEnv)
	}
	ctx := context.Background()
	store := openPostgres(t, postgresDSN(t))
	restart := pgRestartCommand(t, ctx, store)
	n := envInt(pgRestartMessages, 5000)
	sendsPath := filepath.Join(t.TempDir(), "sends.log")
	tr, err := openAppendTransport(sendsPath, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Jobs whose completion River could not record while the database
	// was down run again after RescueStuckJobsAfter (5 min by default).
	eng, q := firingEngine(t, ctx, store, engine.Config{Transport: tr, Middleware: []action.Middleware{tagReplies}},
		riverqueue.Config{FetchPollInterval: 50 * time.Millisecond, RescueStuckJobsAfter: 15 * time.Second, MaxBackoff: 2 * time.Second})
	if err := eng.PutSession(ctx, workflow.Session{ID: firingSession}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx, eng.RunJob); err != nil {
		t.Fatal(err)
	}

	// The restart, once half the stream is accepted.
	var accepted atomic.Int64
	type result struct {
		took time.Duration
		err  error
	}
	restarted := make(chan result, 1)
	go func() {
		for accepted.Load() < int64(n/2) {
			time.Sleep(5 * time.Millisecond)
		}
		start := time.Now()
		out, err := restart.CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%s: %w: %s", restart, err, out)
		}
		restarted <- result{time.Since(start), err}
	}()
	start := time.Now()
	msgs := firingStream(1, n, pgRestartContacts)
	refused := deliver(ctx, eng, msgs, func(inbound) { accepted.Add(1) })
	r := <-restarted
	if r.err != nil {
		t.Fatal(r.err)
	}
	streamed := time.Since(start)

	deadline := time.Now().Add(pgRestartDrain)
	for {
		left, err := openJobs(ctx, q)
		if err == nil && left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s after the stream, %d jobs open (%v)", pgRestartDrain, left, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := q.Stop(ctx); err != nil {
		t.Error(err)
	}
	if err := eng.Close(ctx); err != nil {
		t.Error(err)
	}
	counts := checkFirings(t, ctx, store, msgs, readDeliveries(t, sendsPath))
	fmt.Printf("pg-restart: messages=%d refused=%d restart=%s streamed=%s handled=%s %s\n", n, refused,
		r.took.Round(time.Millisecond), streamed.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), counts)
	if counts.failed() {
		t.Errorf("after a PostgreSQL restart mid-stream: %s", counts)
	}
}

// pgRestartCommand is the pg_ctlcluster command that restarts the cluster
// serving store: the one of pg_lsclusters with the server's port.
func pgRestartCommand(t *testing.T, ctx context.Context, store *bunstore.Store) *exec.Cmd {
	t.Helper()
	var port string
	if err := store.DB().QueryRowContext(ctx, "SHOW port").Scan(&port); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pg_lsclusters", "--no-header").Output()
	if err != nil {
		t.Fatalf("pg_lsclusters (the test restarts PostgreSQL with pg_ctlcluster): %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		// Ver Cluster Port Status Owner Data-directory Log-file
		if f := strings.Fields(line); len(f) > 2 && f[2] == port {
			if _, err := strconv.Atoi(f[0]); err == nil {
				return exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", f[0], f[1], "restart")
			}
		}
	}
	t.Fatalf("no cluster of pg_lsclusters listens on port %s:\n%s", port, out)
	return nil
}
