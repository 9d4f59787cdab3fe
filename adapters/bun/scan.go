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
// fn runs, so fn may use the store. An error of fn stops the scan and is
// returned. It writes nothing (replay.Store).
func (s *Store) ScanMessages(ctx context.Context, fn func([]workflow.MessageRecord) error) error {
	var session, phone string
	var seq int64
	for first := true; ; first = false {
		var rows []messageRow
		q := s.db.NewSelect().Model(&rows).OrderExpr("session, phone, seq").Limit(scanBatch)
		if !first {
			q = q.Where("(session > ?) OR (session = ? AND phone > ?) OR (session = ? AND phone = ? AND seq > ?)",
				session, session, phone, session, phone, seq)
		}
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("scan messages after %s/%s #%d: %w", session, phone, seq, err)
		}
		if len(rows) == 0 {
			return nil
		}
		out := make([]workflow.MessageRecord, len(rows))
		for i, r := range rows {
			out[i] = r.record()
		}
		last := rows[len(rows)-1]
		session, phone, seq = last.Session, last.Phone, last.Seq
		if err := fn(out); err != nil {
			return err
		}
		if len(rows) < scanBatch {
			return nil
		}
	}
}
