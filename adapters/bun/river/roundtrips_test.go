package riverqueue_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// statementTracer counts the statements pgx sends, named by
// storeStatement, River's and the rest by their first words, and the
// round trips: one per statement sent alone, one per batch (the store's
// pipelined group commit sends its statements as pgx batches, one
// implicit transaction each).
type statementTracer struct {
	mu      sync.Mutex
	store   []string       // the store's statements, in order
	other   map[string]int // River's and BEGIN/COMMIT, by name
	batches []int          // the statements of each batch, in order
	batch   map[*pgx.Conn]int
}

func (c *statementTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count(d.SQL)
	return ctx
}

func (c *statementTracer) count(sql string) {
	if name, ok := storeStatement(sql); ok {
		c.store = append(c.store, name)
	} else {
		c.other[otherStatement(sql)]++
	}
}

func (c *statementTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *statementTracer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batch[conn] = 0
	return ctx
}

func (c *statementTracer) TraceBatchQuery(_ context.Context, conn *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count(d.SQL)
	c.batch[conn]++
}

func (c *statementTracer) TraceBatchEnd(_ context.Context, conn *pgx.Conn, _ pgx.TraceBatchEndData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches = append(c.batches, c.batch[conn])
	delete(c.batch, conn)
}

// take returns what was counted since the last take and starts again.
func (c *statementTracer) take() ([]string, map[string]int, []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, o, b := c.store, c.other, c.batches
	c.store, c.other, c.batches = nil, map[string]int{}, nil
	return s, o, b
}

// storeStatement names a statement of the bun store by the store call
// that sends it; false for any other (River's, BEGIN, COMMIT).
func storeStatement(sql string) (string, bool) {
	has := func(s ...string) bool {
		for _, x := range s {
			if !strings.Contains(sql, x) {
				return false
			}
		}
		return true
	}
	switch {
	case !strings.Contains(sql, "waauto_"):
		return "", false
	case has("waauto_conversations", "waauto_contacts"):
		return "RecordInbound", true
	case has("waauto_conversations", "last_reply_at = excluded", "at >= $10"):
		return "RecordOutboundUnder", true
	case has("waauto_conversations", "last_reply_at = excluded"):
		return "RecordOutbound", true
	case has("INSERT INTO waauto_firings"):
		return "BeginFiring", true
	case has("UPDATE waauto_firings SET state"):
		return "FinishFiring", true
	case has("waauto_firing_steps") && !has("INSERT"):
		return "FiringsOf (steps)", true
	case has("INSERT INTO", "waauto_firing_steps"):
		return "CompleteStep", true
	case has(`"waauto_firings"`, "SELECT"):
		return "FiringsOf", true
	case has("COUNT(*) FROM waauto_messages"):
		return "CountSent", true
	}
	return "other: " + firstWords(sql, 8), true
}

// otherStatement names a statement that is not the store's.
func otherStatement(sql string) string {
	switch s := strings.ToLower(sql); {
	case strings.HasPrefix(strings.TrimSpace(s), "begin"), strings.HasPrefix(strings.TrimSpace(s), "commit"), strings.HasPrefix(strings.TrimSpace(s), "rollback"):
		return strings.Fields(s)[0]
	case strings.Contains(s, "river_job"):
		return "river: " + firstWords(riverName(sql), 6)
	}
	return "other: " + firstWords(sql, 6)
}

// riverName is the sqlc query name River's driver puts first ("-- name: X").
func riverName(sql string) string {
	if i := strings.Index(sql, "-- name: "); i >= 0 {
		return sql[i+len("-- name: "):]
	}
	return sql
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// TestRoundTripsPerMessagePostgres counts the statements (round trips) the
// product sends to PostgreSQL for one customer message answered by one
// workflow's reply, the message received, queued on River, evaluated,
// answered and logged, one message at a time. The store's statements are
// exact: with the pipelined group commit (the default), each is a batch
// of one, its own round trip and commit, since one message at a time
// leaves no other statement to share it; concurrent messages share them
// (internal/app/BENCHMARKS.md). River's (insert, fetch, completion, and
// its polls between messages) are logged.
func TestRoundTripsPerMessagePostgres(t *testing.T) {
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(postgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	tr := &statementTracer{other: map[string]int{}, batch: map[*pgx.Conn]int{}}
	cfg.Tracer = tr
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(8)
	db := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() { db.Close() })
	store, err := bunstore.New(ctx, db, quiet())
	if err != nil {
		t.Fatal(err)
	}
	sent := make(chan workflow.Outgoing, 1)
	transport := workflow.TransportFunc(func(_ context.Context, m workflow.Outgoing) error { sent <- m; return nil })
	eng, q := firingEngine(t, ctx, store, engine.Config{Transport: transport}, riverqueue.Config{FetchPollInterval: 20 * time.Millisecond, MaxWorkers: 4})
	if err := eng.PutSession(ctx, workflow.Session{ID: firingSession, Label: "Shop", Status: workflow.SessionConnected}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	completed, stop := q.Client().Subscribe(river.EventKindJobCompleted)
	defer stop()
	if err := q.Start(ctx, eng.RunJob); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })

	// Every message gets the "hello" reply of firingWorkflows, no other.
	// The first messages warm the pool's prepared statements up.
	const warm, n = 3, 10
	var perMessage [][]string
	var batches [][]int
	others := map[string]int{}
	for i := range warm + n {
		tr.take()
		m := trigger.Message{Session: firingSession, ID: fmt.Sprintf("rt%03d", i), Phone: fmt.Sprintf("+49151100%05d", i), Text: "hi", Type: trigger.MessageText}
		if err := eng.Receive(ctx, m); err != nil {
			t.Fatal(err)
		}
		select {
		case <-sent:
		case <-time.After(30 * time.Second):
			t.Fatalf("message %s: no reply", m.ID)
		}
		waitCompleted(t, completed, "inbound/"+m.Session+"/"+m.ID)
		s, o, b := tr.take()
		if i < warm {
			continue
		}
		perMessage = append(perMessage, s)
		batches = append(batches, b)
		for k, v := range o {
			others[k] += v
		}
	}
	// The reply's send step is recorded by FinishFiring (engine.runActions).
	want := []string{"RecordInbound", "BeginFiring", "RecordOutboundUnder", "FinishFiring"}
	for i, s := range perMessage {
		if !slices.Equal(s, want) {
			t.Errorf("message %d: the store's statements = %q, want %q", warm+i, s, want)
		}
		if b := batches[i]; !slices.Equal(b, []int{1, 1, 1, 1}) {
			t.Errorf("message %d: the store's batches = %v, want 4 of one statement each", warm+i, b)
		}
	}
	t.Logf("the store's statements per message: %d %q", len(perMessage[0]), perMessage[0])
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range others {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		t.Logf("  not the store's, per message: %5.2f  %s", float64(others[k])/n, k)
	}
}

// waitCompleted waits for River's completion event of the job id.
func waitCompleted(t *testing.T, ch <-chan *river.Event, id string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-ch:
			var args struct{ ID string }
			if ev.Job != nil && json.Unmarshal(ev.Job.EncodedArgs, &args) == nil && args.ID == id {
				return
			}
		case <-deadline:
			t.Fatalf("job %s: not completed", id)
		}
	}
}
