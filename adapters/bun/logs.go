package bun

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/workflow"
)

// logChunk bounds the rows of one INSERT statement (SQLite allows 32766
// bound values; a row has 12).
const logChunk = 500

// AppendLogs stores entries in one transaction with multi-row INSERTs. An
// entry whose ID is already stored is skipped (ON CONFLICT DO NOTHING), so
// retrying a batch after an error — even one whose commit did succeed — is
// safe. An entry without ID fails the whole batch with workflow.ErrLogWithoutID.
func (s *Store) AppendLogs(ctx context.Context, entries []workflow.Execution) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([]executionRow, len(entries))
	for i, e := range entries {
		if e.ID == "" {
			return fmt.Errorf("entry %d of workflow %q: %w", i, e.WorkflowID, workflow.ErrLogWithoutID)
		}
		r, err := executionToRow(e)
		if err != nil {
			return err
		}
		rows[i] = r
	}
	return s.write(ctx, func(ctx context.Context, tx bun.Tx) error { return s.insertLogs(ctx, tx, rows) })
}

// insertLogs inserts rows in tx, skipping IDs already stored.
func (s *Store) insertLogs(ctx context.Context, tx bun.Tx, rows []executionRow) error {
	if !s.pg {
		return insertPrepared(ctx, tx, rows)
	}
	for start := 0; start < len(rows); start += logChunk {
		chunk := rows[start:min(start+logChunk, len(rows))]
		if _, err := tx.NewInsert().Model(&chunk).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("append %d log entries: %w", len(chunk), err)
		}
	}
	return nil
}

// insertExecution inserts one row with bound parameters.
const insertExecution = `INSERT INTO waauto_executions
	(id, at, workflow_id, workflow, session, phone, message_id, trigger, outcome, reason, trace, actions)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`

// insertPrepared inserts rows with one statement prepared per batch. On
// SQLite this beats bun's multi-row INSERT, whose cost is mostly
// formatting and parsing the long SQL text (see BENCHMARKS.md).
func insertPrepared(ctx context.Context, tx bun.Tx, rows []executionRow) error {
	if len(rows) == 1 { // a firing's row: the connection's cached statement (stmtcache.go)
		r := rows[0]
		if _, err := tx.Tx.ExecContext(ctx, insertExecution, r.ID, r.At, r.WorkflowID, r.Workflow, r.Session, r.Phone,
			r.MessageID, r.Trigger, r.Outcome, r.Reason, r.Trace, r.Actions); err != nil {
			return fmt.Errorf("append log entry %s: %w", r.ID, err)
		}
		return nil
	}
	stmt, err := tx.Tx.PrepareContext(ctx, insertExecution)
	if err != nil {
		return fmt.Errorf("prepare log insert: %w", err)
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r.ID, r.At, r.WorkflowID, r.Workflow, r.Session, r.Phone,
			r.MessageID, r.Trigger, r.Outcome, r.Reason, r.Trace, r.Actions); err != nil {
			return fmt.Errorf("append log entry %s: %w", r.ID, err)
		}
	}
	return nil
}

// QueryLogs returns one page of matching entries, newest first: those with
// an ID below q.After when set. Limit defaults to workflow.DefaultLogLimit and
// is capped at workflow.MaxLogLimit. Next is the last entry's ID when more match. The
// cursor is an ID, so entries appended meanwhile never shift a page.
func (s *Store) QueryLogs(ctx context.Context, q workflow.LogQuery) (workflow.LogPage, error) {
	limit := workflow.PageLimit(q.Limit, workflow.DefaultLogLimit, workflow.MaxLogLimit)
	var rows []executionRow
	sel := logFilter(s.db.NewSelect().Model(&rows), q).OrderExpr("id DESC").Limit(int64(limit + 1))
	if err := sel.Scan(ctx); err != nil {
		return workflow.LogPage{}, fmt.Errorf("query execution log: %w", err)
	}
	page := workflow.LogPage{Entries: make([]workflow.Execution, 0, min(len(rows), limit))}
	for i, r := range rows {
		if i == limit {
			page.Next = page.Entries[limit-1].ID
			break
		}
		e, err := r.execution()
		if err != nil {
			return workflow.LogPage{}, err
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}

// logFilter adds the conditions of q to sel (Limit aside).
func logFilter(sel *bun.SelectQuery, q workflow.LogQuery) *bun.SelectQuery {
	filters := []struct {
		cond string
		val  any
		set  bool
	}{
		{"id < ?", q.After, q.After != ""},
		{"at >= ?", nanos(q.From), !q.From.IsZero()},
		{"at < ?", nanos(q.To), !q.To.IsZero()},
		{"workflow_id = ?", q.WorkflowID, q.WorkflowID != ""},
		{"session = ?", q.Session, q.Session != ""},
		{"phone = ?", q.Phone, q.Phone != ""},
		{"outcome = ?", string(q.Outcome), q.Outcome != ""},
		{"reason = ?", q.Reason, q.Reason != ""},
	}
	for _, f := range filters {
		if f.set {
			sel = sel.Where(f.cond, f.val)
		}
	}
	return sel
}

// CountLogs counts the entries matching q (Limit is ignored), e.g. the
// collisions avoided in a period: Outcome skipped with their Reason.
func (s *Store) CountLogs(ctx context.Context, q workflow.LogQuery) (int, error) {
	n, err := logFilter(s.db.NewSelect().Model((*executionRow)(nil)), q).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count execution log: %w", err)
	}
	return int(n), nil
}

// PurgeLogsBefore deletes every entry older than before in batches of
// batch rows (0 or less: 1000), each its own statement, so that writers
// are never held up for long. It returns how many it deleted; on error,
// what was deleted so far stays deleted.
func (s *Store) PurgeLogsBefore(ctx context.Context, before time.Time, batch int) (int, error) {
	if batch <= 0 {
		batch = 1000
	}
	total := 0
	for {
		n, err := s.PurgeLogs(ctx, before, batch)
		total += n
		if err != nil || n < batch {
			return total, err
		}
	}
}

// PurgeLogs deletes up to limit entries older than before (oldest first;
// limit 0 or less means all) and returns how many. Call it in a loop with
// a bounded limit so that no single statement holds the write lock long.
func (s *Store) PurgeLogs(ctx context.Context, before time.Time, limit int) (int, error) {
	sub := s.db.NewSelect().Model((*executionRow)(nil)).Column("id").Where("at < ?", nanos(before)).OrderExpr("at, id")
	if limit > 0 {
		sub = sub.Limit(int64(limit))
	}
	res, err := s.exec(ctx, s.db.NewDelete().Model((*executionRow)(nil)).Where("id IN (?)", sub))
	if err != nil {
		return 0, fmt.Errorf("purge execution log before %s: %w", before.Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge execution log: %w", err)
	}
	return int(n), nil
}
