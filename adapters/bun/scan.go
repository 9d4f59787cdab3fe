package bun

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/trigger"
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
	cols := s.untyped(scanColumns)
	for first := true; ; first = false {
		q, args := `SELECT `+cols+scanFirst, []any{scanBatch}
		if !first {
			q, args = `SELECT `+cols+scanNext, []any{session, phone, seq, scanBatch}
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
	scanColumns = `session, id, phone, author, kind, type, text, at, seq`
	scanFirst   = ` FROM waauto_messages ORDER BY session, phone, seq LIMIT ?`
	scanNext    = ` FROM waauto_messages WHERE (session, phone, seq) > (?, ?, ?) ORDER BY session, phone, seq LIMIT ?`
)

// untyped returns the list of columns cols ("a, b") to select them in a
// long scan. On SQLite each is written +a, the same value without a
// declared type: for every row, modernc's driver reads the declared type
// of each TEXT column (for its DATE/TIME conversion), an allocation and
// about a tenth of a scan's time. The unary + changes no value.
func (s *Store) untyped(cols string) string {
	if s.pg {
		return cols
	}
	return "+" + strings.ReplaceAll(cols, ", ", ", +")
}

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

// factsChunk bounds the phones of one ConversationsOf or ContactsOf query.
const factsChunk = 1000

// ConversationsOf returns the stored conversations of session with these
// phones, in any order; unknown ones are left out (replay.FactsReader).
func (s *Store) ConversationsOf(ctx context.Context, session string, phones []string) ([]workflow.Conversation, error) {
	out := make([]workflow.Conversation, 0, len(phones))
	for chunk := range slices.Chunk(phones, factsChunk) {
		var rows []conversationRow
		if err := s.db.NewSelect().Model(&rows).Where("session = ? AND phone IN (?)", session, bun.List(chunk)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("read %d conversations of session %q: %w", len(chunk), session, err)
		}
		for _, r := range rows {
			out = append(out, r.conversation())
		}
	}
	return out, nil
}

// ContactsOf returns the stored contacts of these phones, in any order;
// unknown ones are left out (replay.FactsReader).
func (s *Store) ContactsOf(ctx context.Context, phones []string) ([]workflow.Contact, error) {
	out := make([]workflow.Contact, 0, len(phones))
	for chunk := range slices.Chunk(phones, factsChunk) {
		var rows []contactRow
		if err := s.db.NewSelect().Model(&rows).Where("phone IN (?)", bun.List(chunk)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("read %d contacts: %w", len(chunk), err)
		}
		for _, r := range rows {
			c, err := r.contact()
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// logScanBatch is the number of log entries ScanLogs reads per query.
const logScanBatch = 5000

// The pages of ScanLogs, by key (at, id): the index on at (which holds
// the id on SQLite's WITHOUT ROWID table) serves them.
const (
	logScanColumns = `id, at, workflow_id, workflow, session, phone, message_id, trigger, outcome, reason, actions`
	logScanOrder   = ` ORDER BY at, id LIMIT ?`
)

// ScanLogs calls fn with every execution log entry whose time is at or
// after from and before to (zero: no bound), in batches ordered by time,
// without their Trace (replay.LogScanner). fn may keep the entries but
// must not modify their Actions, which entries with the same actions
// share; it may use the store: no query is open while it runs. An error
// of fn stops the scan and is returned.
func (s *Store) ScanLogs(ctx context.Context, from, to time.Time, fn func([]workflow.Execution) error) error {
	var at int64
	var id string
	actions := map[string][]workflow.ActionResult{}
	sel := `SELECT ` + s.untyped(logScanColumns) + ` FROM waauto_executions WHERE `
	for first := true; ; first = false {
		q, args := sel+`at >= ?`, []any{nanos(from)}
		if !first {
			q, args = sel+`(at, id) > (?, ?)`, []any{at, id}
		}
		if !to.IsZero() {
			q, args = q+` AND at < ?`, append(args, nanos(to))
		}
		batch, err := s.readLogBatch(ctx, q+logScanOrder, append(args, logScanBatch), actions)
		if err != nil {
			return fmt.Errorf("scan execution log after %s: %w", id, err)
		}
		if len(batch) == 0 {
			return nil
		}
		last := batch[len(batch)-1]
		at, id = nanos(last.Time), last.ID
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < logScanBatch {
			return nil
		}
	}
}

// actionsCache bounds the distinct actions columns ScanLogs decodes once:
// most entries repeat a few (a reply fired, an assignment fired).
const actionsCache = 256

// readLogBatch reads one page of ScanLogs. actions holds the actions
// columns decoded so far.
func (s *Store) readLogBatch(ctx context.Context, q string, args []any, actions map[string][]workflow.ActionResult) ([]workflow.Execution, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]workflow.Execution, 0, logScanBatch)
	for rows.Next() {
		var r executionRow
		if err := rows.Scan(&r.ID, &r.At, &r.WorkflowID, &r.Workflow, &r.Session, &r.Phone, &r.MessageID, &r.Trigger,
			&r.Outcome, &r.Reason, &r.Actions); err != nil {
			return nil, err
		}
		acts, ok := actions[r.Actions]
		if !ok {
			if acts, err = fromJSON[workflow.ActionResult](r.Actions); err != nil {
				return nil, fmt.Errorf("execution %s actions: %w", r.ID, err)
			}
			if len(actions) < actionsCache {
				actions[r.Actions] = acts
			}
		}
		out = append(out, workflow.Execution{
			ID: r.ID, Time: fromNanos(r.At), WorkflowID: r.WorkflowID, Workflow: r.Workflow,
			Session: r.Session, Phone: r.Phone, MessageID: r.MessageID, Trigger: trigger.Kind(r.Trigger),
			Outcome: workflow.Outcome(r.Outcome), Reason: r.Reason, Actions: acts,
		})
	}
	return out, rows.Err()
}
