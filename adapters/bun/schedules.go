package bun

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/workflow"
)

// PutScheduled creates a scheduled message; an existing ID is ErrConflict.
func (s *Store) PutScheduled(ctx context.Context, m workflow.ScheduledMessage) error {
	r := scheduledToRow(m)
	res, err := s.exec(ctx, s.db.NewInsert().Model(&r).On("CONFLICT (id) DO NOTHING"))
	if err != nil {
		return fmt.Errorf("put scheduled message %q: %w", m.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("put scheduled message %q: %w", m.ID, err)
	} else if n == 0 {
		return fmt.Errorf("scheduled message %q exists: %w", m.ID, workflow.ErrConflict)
	}
	return nil
}

// Scheduled returns one scheduled message, or ErrNotFound.
func (s *Store) Scheduled(ctx context.Context, id string) (workflow.ScheduledMessage, error) {
	var r scheduledRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return workflow.ScheduledMessage{}, notFound(err, fmt.Sprintf("scheduled message %q", id))
	}
	return r.scheduled()
}

// ListScheduled returns the messages matching q ordered by At, then ID; a
// Limit of 0 or less means no limit.
func (s *Store) ListScheduled(ctx context.Context, q workflow.ScheduleQuery) ([]workflow.ScheduledMessage, error) {
	var rows []scheduledRow
	sel := s.db.NewSelect().Model(&rows).OrderExpr("at, id")
	if len(q.Status) > 0 {
		st := make([]string, len(q.Status))
		for i, v := range q.Status {
			st[i] = string(v)
		}
		sel = sel.Where("status IN (?)", bun.List(st))
	}
	if q.Session != "" {
		sel = sel.Where("session = ?", q.Session)
	}
	if !q.From.IsZero() {
		sel = sel.Where("at >= ?", nanos(q.From))
	}
	if !q.To.IsZero() {
		sel = sel.Where("at < ?", nanos(q.To))
	}
	if q.Limit > 0 {
		sel = sel.Limit(int64(q.Limit))
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list scheduled messages: %w", err)
	}
	out := make([]workflow.ScheduledMessage, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.scheduled(); err != nil {
			return nil, fmt.Errorf("list scheduled messages: %w", err)
		}
	}
	return out, nil
}

// TransitionScheduled moves id from status from to status to with one
// conditional UPDATE (… WHERE status = from), setting Reason, and DoneAt =
// at when to is final. When no row changed it returns ErrConflict if the
// message exists in another status, ErrNotFound if it does not exist: of
// concurrent calls exactly one wins.
func (s *Store) TransitionScheduled(ctx context.Context, id string, from, to workflow.ScheduleStatus, reason string, at time.Time) error {
	q := s.db.NewUpdate().Model((*scheduledRow)(nil)).Set("status = ?", string(to)).Set("reason = ?", reason).
		Where("id = ? AND status = ?", id, string(from))
	if final(to) {
		q = q.Set("done_at = ?", nanos(at))
	}
	res, err := s.exec(ctx, q)
	if err != nil {
		return fmt.Errorf("move scheduled message %q to %s: %w", id, to, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("move scheduled message %q to %s: %w", id, to, err)
	} else if n == 1 {
		return nil
	}
	cur, err := s.Scheduled(ctx, id)
	if err != nil {
		return err
	}
	return fmt.Errorf("scheduled message %q is %s, not %s: %w", id, cur.Status, from, workflow.ErrConflict)
}

func final(st workflow.ScheduleStatus) bool {
	return st == workflow.ScheduleSent || st == workflow.ScheduleFailed || st == workflow.ScheduleCancelled
}
