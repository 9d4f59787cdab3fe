package bun

import (
	"context"
	"fmt"

	"github.com/waauto/waauto/workflow"
)

// PutSession creates or replaces a number.
func (s *Store) PutSession(ctx context.Context, n workflow.Session) error {
	disabled, err := toJSON(n.Disabled)
	if err != nil {
		return err
	}
	r := sessionRow{ID: n.ID, Label: n.Label, Status: string(n.Status), Disabled: disabled,
		DisconnectedAt: nanos(n.DisconnectedAt), CreatedAt: nanos(n.CreatedAt)}
	_, err = s.exec(ctx, s.db.NewInsert().Model(&r).On("CONFLICT (id) DO UPDATE").
		Set("label = excluded.label, status = excluded.status, disabled = excluded.disabled").
		Set("disconnected_at = excluded.disconnected_at, created_at = excluded.created_at"))
	if err != nil {
		return fmt.Errorf("put session %q: %w", n.ID, err)
	}
	return nil
}

// Session returns a number, or ErrNotFound.
func (s *Store) Session(ctx context.Context, id string) (workflow.Session, error) {
	var r sessionRow
	if err := s.queryRowArgs(ctx, s.db, &r, `SELECT * FROM waauto_sessions WHERE id = ?`, id); err != nil {
		return workflow.Session{}, notFound(err, fmt.Sprintf("session %q", id))
	}
	return r.session()
}

// ListSessions lists numbers ordered by creation, then ID.
func (s *Store) ListSessions(ctx context.Context) ([]workflow.Session, error) {
	var rows []sessionRow
	if err := s.db.NewSelect().Model(&rows).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out := make([]workflow.Session, len(rows))
	for i, r := range rows {
		n, err := r.session()
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}
