package bun

import (
	"context"
	"fmt"
	"time"

	"github.com/waauto/waauto/workflow"
)

// MarkFired records f; it returns false when (WorkflowID, Session,
// MessageID) was recorded before. The primary key decides between
// concurrent calls.
func (s *Store) MarkFired(ctx context.Context, f workflow.Firing) (bool, error) {
	r := firingRow{WorkflowID: f.WorkflowID, Session: f.Session, MessageID: f.MessageID, Phone: f.Phone, At: nanos(f.At)}
	res, err := s.exec(ctx, s.db.NewInsert().Model(&r).On("CONFLICT (workflow_id, session, message_id) DO NOTHING"))
	if err != nil {
		return false, fmt.Errorf("mark %s fired for %s/%s: %w", f.WorkflowID, f.Session, f.MessageID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark %s fired: %w", f.WorkflowID, err)
	}
	return n == 1, nil
}

// LastFired returns when the workflow last fired in the conversation (zero: never).
func (s *Store) LastFired(ctx context.Context, workflowID, session, phone string) (time.Time, error) {
	var at int64
	err := s.db.NewSelect().Model((*firingRow)(nil)).ColumnExpr("COALESCE(MAX(at), 0)").
		Where("workflow_id = ? AND session = ? AND phone = ?", workflowID, session, phone).Scan(ctx, &at)
	if err != nil {
		return time.Time{}, fmt.Errorf("last firing of %s for %s: %w", workflowID, phone, err)
	}
	return fromNanos(at), nil
}

// Next increments the named counter in one statement and returns its
// previous value (0 first).
func (s *Store) Next(ctx context.Context, key string) (int64, error) {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	var v int64
	err = s.db.NewRaw(`INSERT INTO waauto_counters (key, value) VALUES (?, 1)
		ON CONFLICT (key) DO UPDATE SET value = waauto_counters.value + 1 RETURNING value`, key).Scan(ctx, &v)
	if err != nil {
		return 0, fmt.Errorf("counter %q: %w", key, err)
	}
	return v - 1, nil
}
