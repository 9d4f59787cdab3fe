package memstore

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/waauto/waauto/workflow"
)

type firingKey struct{ workflowID, session, messageID string }

type lastFiredKey struct{ workflowID, session, phone string }

// MarkFired records f; it returns false when (WorkflowID, Session,
// MessageID) was recorded before.
func (s *Store) MarkFired(ctx context.Context, f workflow.Firing) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := firingKey{f.WorkflowID, f.Session, f.MessageID}
	if _, ok := s.firings[k]; ok {
		return false, nil
	}
	s.firings[k] = f.At
	lk := lastFiredKey{f.WorkflowID, f.Session, f.Phone}
	if last, ok := s.lastFired[lk]; !ok || f.At.After(last) {
		s.lastFired[lk] = f.At
	}
	return true, nil
}

// LastFired returns the latest At of the workflow's firings in the
// conversation, or the zero time.
func (s *Store) LastFired(ctx context.Context, workflowID, session, phone string) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastFired[lastFiredKey{workflowID, session, phone}], nil
}

// Next increments the named counter and returns its previous value.
func (s *Store) Next(ctx context.Context, key string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.counters[key]
	s.counters[key] = n + 1
	return n, nil
}

// PutWorkflow creates or replaces the workflow (or template) with w.ID.
func (s *Store) PutWorkflow(ctx context.Context, w workflow.StoredWorkflow) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Definition = slices.Clone(w.Definition)
	s.workflows[w.ID] = w
	return nil
}

// DeleteWorkflow removes a workflow or template, or returns an error
// wrapping workflow.ErrNotFound.
func (s *Store) DeleteWorkflow(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.workflows[id]; !ok {
		return fmt.Errorf("workflow %q: %w", id, workflow.ErrNotFound)
	}
	delete(s.workflows, id)
	return nil
}

// Workflows lists workflows and templates ordered by Position, then ID.
func (s *Store) Workflows(ctx context.Context) ([]workflow.StoredWorkflow, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]workflow.StoredWorkflow, 0, len(s.workflows))
	for w := range maps.Values(s.workflows) {
		w.Definition = slices.Clone(w.Definition)
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b workflow.StoredWorkflow) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// PutSession creates or replaces the number s.ID.
func (s *Store) PutSession(ctx context.Context, sess workflow.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess.Disabled = slices.Clone(sess.Disabled)
	s.sessions[sess.ID] = sess
	return nil
}

// Session returns a number, or an error wrapping workflow.ErrNotFound.
func (s *Store) Session(ctx context.Context, id string) (workflow.Session, error) {
	if err := ctx.Err(); err != nil {
		return workflow.Session{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return workflow.Session{}, fmt.Errorf("session %q: %w", id, workflow.ErrNotFound)
	}
	sess.Disabled = slices.Clone(sess.Disabled)
	return sess, nil
}

// ListSessions lists numbers ordered by CreatedAt, then ID.
func (s *Store) ListSessions(ctx context.Context) ([]workflow.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]workflow.Session, 0, len(s.sessions))
	for sess := range maps.Values(s.sessions) {
		sess.Disabled = slices.Clone(sess.Disabled)
		out = append(out, sess)
	}
	slices.SortFunc(out, func(a, b workflow.Session) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
