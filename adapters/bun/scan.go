package bun

import (
	"context"
	"fmt"

	"github.com/waauto/waauto/workflow"
)

// scanBatch is the number of messages ScanMessages reads per query.
const scanBatch = 5000

// ScanMessages calls fn with every stored message, in batches ordered by
// session, phone and Seq (a conversation's messages in order, possibly over
// several batches). It reads page by page by key, with no query open while
// fn runs, so fn may use the store; fn must not keep the batch, which the
// next one reuses. An error of fn stops the scan and is returned. It
// writes nothing (replay.Store).
func (s *Store) ScanMessages(ctx context.Context, fn func([]workflow.MessageRecord) error) error {
	var session, phone string
	var seq int64
	batch := make([]workflow.MessageRecord, 0, scanBatch)
	for first := true; ; first = false {
		q, args := scanFirst, []any{scanBatch}
		if !first {
			q, args = scanNext, []any{session, phone, seq, scanBatch}
		}
		var err error
		if batch, err = s.readBatch(ctx, batch[:0], q, args); err != nil {
			return fmt.Errorf("scan messages after %s/%s #%d: %w", session, phone, seq, err)
		}
		if len(batch) == 0 {
			return nil
		}
		last := batch[len(batch)-1]
		session, phone, seq = last.Session, last.Phone, last.Seq
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < scanBatch {
			return nil
		}
	}
}

// The pages of ScanMessages, by key (session, phone, seq): the
// row-value comparison uses the conversation index on SQLite and PostgreSQL.
const (
	scanColumns = `SELECT session, id, phone, author, kind, type, text, at, seq FROM waauto_messages `
	scanFirst   = scanColumns + `ORDER BY session, phone, seq LIMIT ?`
	scanNext    = scanColumns + `WHERE (session, phone, seq) > (?, ?, ?) ORDER BY session, phone, seq LIMIT ?`
)

// readBatch appends the rows of one page to batch.
func (s *Store) readBatch(ctx context.Context, batch []workflow.MessageRecord, q string, args []any) ([]workflow.MessageRecord, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r messageRow
		if err := rows.Scan(&r.Session, &r.ID, &r.Phone, &r.Author, &r.Kind, &r.Type, &r.Text, &r.At, &r.Seq); err != nil {
			return nil, err
		}
		batch = append(batch, r.record())
	}
	return batch, rows.Err()
}
