package bun_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/trigger"
)

// TestRecordInboundRaceUndoesCount drives RecordInbound's one-statement
// form on PostgreSQL into the race its primary key decides: the message is
// inserted by another transaction after the statement's snapshot, so the
// statement's own insert finds it taken only once that transaction
// commits. The statement must then change nothing (the conversation's
// count and the contact stay as they were) and report a duplicate.
func TestRecordInboundRaceUndoesCount(t *testing.T) {
	dsn := postgresDSN(t)
	s := buntest.Open(t, dsn)
	ctx := t.Context()
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	msg := func(id, name string) trigger.Message {
		return trigger.Message{Session: "s1", ID: id, Phone: "+33612345678", Text: "hi", Type: trigger.MessageText, Time: at, PushName: name}
	}
	if _, err := s.RecordInbound(ctx, msg("m1", "")); err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	other, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Rollback() }() // a no-op once committed
	if _, err := other.ExecContext(ctx, `INSERT INTO waauto_messages (session, id, phone, author, at, seq)
		VALUES ('s1', 'm2', '+33612345678', 'customer', 0, 7)`); err != nil {
		t.Fatal(err)
	}

	type result struct {
		dup bool
		seq int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		in, err := s.RecordInbound(ctx, msg("m2", "Late Name"))
		done <- result{in.Duplicate, in.Seq, err}
	}()
	// Wait until the statement waits for the other transaction's row lock.
	for {
		var n int
		err := raw.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()
			AND locktype = 'transactionid'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("RecordInbound returned before the other transaction committed: %+v", r)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || !r.dup || r.seq != 7 {
		t.Fatalf("RecordInbound of a message inserted concurrently = duplicate %v, seq %d, err %v; want a duplicate with the stored seq 7", r.dup, r.seq, r.err)
	}
	c, err := s.Conversation(ctx, "s1", "+33612345678")
	if err != nil {
		t.Fatal(err)
	}
	if c.MessageCount != 1 || c.LastInboundSeq != 1 {
		t.Errorf("conversation after the lost race: count %d, last inbound seq %d; want 1 and 1 (unchanged)", c.MessageCount, c.LastInboundSeq)
	}
	ct, err := s.Contact(ctx, "+33612345678")
	if err != nil {
		t.Fatal(err)
	}
	if ct.Name != "" {
		t.Errorf("contact name after the lost race = %q, want unchanged (empty)", ct.Name)
	}
}
