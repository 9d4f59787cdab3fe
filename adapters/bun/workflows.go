package bun

import (
	"context"
	"fmt"

	"github.com/waauto/waauto/workflow"
)

// PutWorkflow creates or replaces the workflow (or template) with w.ID.
func (s *Store) PutWorkflow(ctx context.Context, w workflow.StoredWorkflow) error {
	r := workflowRow{ID: w.ID, Name: w.Name, Position: w.Position, Definition: w.Definition,
		Template: w.Template, UpdatedAt: nanos(w.UpdatedAt)}
	_, err := s.exec(ctx, s.db.NewInsert().Model(&r).On("CONFLICT (id) DO UPDATE").
		Set("name = excluded.name, position = excluded.position, definition = excluded.definition").
		Set("template = excluded.template, updated_at = excluded.updated_at"))
	if err != nil {
		return fmt.Errorf("put workflow %q: %w", w.ID, err)
	}
	return nil
}

// DeleteWorkflow removes a workflow or template, or returns ErrNotFound.
func (s *Store) DeleteWorkflow(ctx context.Context, id string) error {
	res, err := s.exec(ctx, s.db.NewDelete().Model((*workflowRow)(nil)).Where("id = ?", id))
	if err != nil {
		return fmt.Errorf("delete workflow %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete workflow %q: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("workflow %q: %w", id, workflow.ErrNotFound)
	}
	return nil
}

// Workflows lists workflows and templates ordered by Position, then ID.
func (s *Store) Workflows(ctx context.Context) ([]workflow.StoredWorkflow, error) {
	var rows []workflowRow
	if err := s.db.NewSelect().Model(&rows).OrderExpr("position, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list workflows: %w", err)
	}
	out := make([]workflow.StoredWorkflow, len(rows))
	for i, r := range rows {
		out[i] = r.stored()
	}
	return out, nil
}
