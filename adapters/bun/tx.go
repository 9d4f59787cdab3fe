package bun

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/workflow"
)

// InTx runs fn in one write transaction, holding this process's SQLite
// write slot, so that a caller (a job queue) can write its own rows in the
// same transaction as the store's. fn's error rolls everything back.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.write(ctx, fn)
}

// PutScheduledTx is PutScheduled inside tx (see InTx): an existing ID is
// ErrConflict.
func (s *Store) PutScheduledTx(ctx context.Context, tx bun.Tx, m workflow.ScheduledMessage) error {
	r := scheduledToRow(m)
	res, err := tx.NewInsert().Model(&r).On("CONFLICT (id) DO NOTHING").Exec(ctx)
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
