package bun_test

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/trigger"
)

// pgCode is err's SQLSTATE, "" for an error that is not PostgreSQL's.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// counter reads a counter's value, -1 when it does not exist.
func counter(t *testing.T, s *bunstore.Store, key string) int64 {
	t.Helper()
	v := int64(-1)
	rows, err := s.DB().DB.QueryContext(t.Context(), `SELECT value FROM waauto_counters WHERE key = $1`, key)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// A statement that fails in a pipelined batch gets its own error and
// leaves nothing; the batch is sent again without it and the others
// commit, each seeing the writes of the statements before it (one
// transaction).
func TestPGBatchIsolatesFailure(t *testing.T) {
	s := newPostgres(t)
	ctx := t.Context()
	insert := func(key string) *bunstore.PGStatement {
		return &bunstore.PGStatement{SQL: `INSERT INTO waauto_counters (key, value) VALUES ($1, 1)`, Args: []any{key}}
	}
	var seen int64
	stmts := []*bunstore.PGStatement{
		insert("a"),
		insert("bad\x00key"), // PostgreSQL refuses a NUL in text: 22021
		{SQL: `INSERT INTO waauto_counters (key, value) SELECT 'c', value + 1 FROM waauto_counters WHERE key = 'a' RETURNING value`,
			Dest: []any{&seen}},
		insert("d"),
	}
	if err := s.RunPGBatch(ctx, stmts); err != nil {
		for i, st := range stmts {
			t.Logf("statement %d: %v", i, st.Err)
		}
		t.Fatalf("commit: %v", err)
	}
	if got := pgCode(stmts[1].Err); got != "22021" {
		t.Errorf("failing statement: err %v (SQLSTATE %q), want its own 22021", stmts[1].Err, got)
	}
	for _, i := range []int{0, 2, 3} {
		if stmts[i].Err != nil {
			t.Errorf("statement %d: err %v, want nil (committed)", i, stmts[i].Err)
		}
	}
	if seen != 2 {
		t.Errorf("c read a's value + 1 = %d, want 2: a's insert seen in the same transaction", seen)
	}
	for key, want := range map[string]int64{"a": 1, "c": 2, "d": 1, "bad": -1} {
		if got := counter(t, s, key); got != want {
			t.Errorf("counter %q = %d, want %d", key, got, want)
		}
	}
}

// The concurrent duplicate of recordInboundPG (its division by zero)
// inside a batch of other messages: it gets its own error, which the
// store reads as a duplicate, and the others are recorded.
func TestPGBatchConcurrentDuplicate(t *testing.T) {
	s, dsn := raceStore(t)
	ctx := t.Context()
	record := func(id, phone string) *bunstore.PGStatement {
		m := trigger.Message{Session: "s1", ID: id, Phone: phone, Text: "hi", Type: trigger.MessageText, Time: raceAt}
		dest := make([]any, 21)
		for i := range dest {
			dest[i] = new(any)
		}
		return &bunstore.PGStatement{SQL: bunstore.RecordInboundPG, Dest: dest,
			Args: []any{m.Session, m.Phone, raceAt.UnixNano(), m.ID, "customer", string(m.Type), m.Text, "Name"}}
	}
	stmts := []*bunstore.PGStatement{record("b1", "+33600000001"), record("m2", racePhone), record("b2", "+33600000002")}
	err := loseRace(t, s, dsn, "m2", func() error {
		if err := s.RunPGBatch(ctx, stmts); err != nil {
			return err
		}
		return stmts[1].Err
	})
	if got := pgCode(err); got != "22012" {
		t.Fatalf("racing statement: err %v (SQLSTATE %q), want division_by_zero, the concurrent duplicate", err, got)
	}
	for _, i := range []int{0, 2} {
		if stmts[i].Err != nil {
			t.Errorf("statement %d: err %v, want nil", i, stmts[i].Err)
		}
	}
	for _, id := range []string{"b1", "b2"} {
		if _, err := s.Message(ctx, "s1", id); err != nil {
			t.Errorf("message %s of the same batch: %v, want recorded", id, err)
		}
	}
}
