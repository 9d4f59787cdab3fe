package bun_test

import (
	"database/sql"
	"reflect"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// The one-statement forms of RecordInbound and RecordOutbound on
// PostgreSQL, driven into the race their primary key decides: the message
// is inserted by another transaction after the statement's snapshot, so
// the statement's own insert finds it taken only once that transaction
// commits. The statement must then change nothing (the conversation's
// count and the contact stay as they were) and report a duplicate.

const racePhone = "+33612345678"

var raceAt = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// raceStore opens a PostgreSQL store whose conversation (s1, racePhone)
// has one message, m1, and a contact without a name.
func raceStore(t *testing.T) (*bunstore.Store, string) {
	dsn := postgresDSN(t)
	s := buntest.Open(t, dsn)
	m := trigger.Message{Session: "s1", ID: "m1", Phone: racePhone, Text: "hi", Type: trigger.MessageText, Time: raceAt}
	if _, err := s.RecordInbound(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	return s, dsn
}

// loseRace inserts message id (seq 7) in another transaction, runs record
// until it waits for that transaction's row lock, commits the other
// transaction and returns record's error. The conversation must be as
// raceStore left it.
func loseRace(t *testing.T, s *bunstore.Store, dsn, id string, record func() error) error {
	ctx := t.Context()
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
		VALUES ('s1', $1, $2, 'customer', 0, 7)`, id, racePhone); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- record() }()
	for { // until the statement waits for the other transaction
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
		case err := <-done:
			t.Fatalf("the record returned before the other transaction committed (err %v)", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	err = <-done
	c, cerr := s.Conversation(ctx, "s1", racePhone)
	if cerr != nil {
		t.Fatal(cerr)
	}
	if c.MessageCount != 1 || c.LastInboundSeq != 1 || !c.LastReplyAt.IsZero() {
		t.Errorf("conversation after the lost race: count %d, last inbound seq %d, last reply %v; want 1, 1, none (unchanged)",
			c.MessageCount, c.LastInboundSeq, c.LastReplyAt)
	}
	return err
}

func TestRecordInboundRaceUndoesCount(t *testing.T) {
	s, dsn := raceStore(t)
	var in workflow.Inbound
	err := loseRace(t, s, dsn, "m2", func() error {
		var err error
		in, err = s.RecordInbound(t.Context(), trigger.Message{Session: "s1", ID: "m2", Phone: racePhone, Text: "hi",
			Type: trigger.MessageText, Time: raceAt, PushName: "Late Name"})
		return err
	})
	if err != nil || !in.Duplicate || in.Seq != 7 {
		t.Fatalf("RecordInbound of a message inserted concurrently = duplicate %v, seq %d, err %v; want a duplicate with the stored seq 7", in.Duplicate, in.Seq, err)
	}
	ct, err := s.Contact(t.Context(), racePhone)
	if err != nil {
		t.Fatal(err)
	}
	if ct.Name != "" {
		t.Errorf("contact name after the lost race = %q, want unchanged (empty)", ct.Name)
	}
}

func TestRecordOutboundRaceUndoesCount(t *testing.T) {
	s, dsn := raceStore(t)
	var c workflow.Conversation
	err := loseRace(t, s, dsn, "out1", func() error {
		var err error
		c, err = s.RecordOutbound(t.Context(), workflow.Outbound{Session: "s1", Phone: racePhone, ID: "out1",
			Author: workflow.AuthorAgent, Text: "hello", Time: raceAt.Add(time.Minute)})
		return err
	})
	if err != nil || c.MessageCount != 1 {
		t.Fatalf("RecordOutbound of a message inserted concurrently = count %d, err %v; want the stored conversation (count 1)", c.MessageCount, err)
	}
}

// RecordOutboundUnder's statement loses the same race: it changes nothing
// and lets the send through (the message is stored, by the other send).
func TestRecordOutboundUnderRaceUndoesCount(t *testing.T) {
	s, dsn := raceStore(t)
	var under bool
	err := loseRace(t, s, dsn, "out1", func() error {
		var err error
		under, err = s.RecordOutboundUnder(t.Context(), workflow.Outbound{Session: "s1", Phone: racePhone, ID: "out1",
			Author: workflow.AuthorAutomation, Text: "hello", Time: raceAt.Add(time.Minute)}, raceAt, 5)
		return err
	})
	if err != nil || !under {
		t.Fatalf("RecordOutboundUnder of a message inserted concurrently = %v, %v; want true (stored already), nil", under, err)
	}
}

// RecordInbound on PostgreSQL returns the message's number as Session
// returns it (the engine reads it no more), and nil for a number it does
// not know.
func TestRecordInboundReadsSession(t *testing.T) {
	s := newPostgres(t)
	ctx := t.Context()
	n := workflow.Session{ID: "s1", Label: "Shop", Status: workflow.SessionConnected,
		Disabled: []workflow.Module{workflow.ModuleWorkflows}, CreatedAt: raceAt}
	if err := s.PutSession(ctx, n); err != nil {
		t.Fatal(err)
	}
	want, err := s.Session(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		session string
		want    *workflow.Session
	}{{"s1", &want}, {"s2", nil}} {
		in, err := s.RecordInbound(ctx, trigger.Message{Session: tc.session, ID: "m1", Phone: racePhone, Text: "hi",
			Type: trigger.MessageText, Time: raceAt})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(in.Session, tc.want) {
			t.Errorf("RecordInbound on %s: Session = %+v, want %+v", tc.session, in.Session, tc.want)
		}
	}
}
