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

// firing is a stored firing; steps are those of a running one, by key.
type firing struct {
	workflow.Firing
	steps map[string]workflow.FiringStep
}

// BeginFiring records f as running; it returns false when (WorkflowID,
// Session, MessageID) was recorded before.
func (s *Store) BeginFiring(ctx context.Context, f workflow.Firing) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := firingKey{f.WorkflowID, f.Session, f.MessageID}
	if _, ok := s.firings[k]; ok {
		return false, nil
	}
	f.State, f.Steps = workflow.FiringStateRunning, nil
	s.firings[k] = &firing{Firing: f, steps: map[string]workflow.FiringStep{}}
	s.runningFirings[f.ID()] = s.firings[k]
	mk := msgKey{f.Session, f.MessageID}
	s.byMessage[mk] = append(s.byMessage[mk], f.WorkflowID)
	lk := lastFiredKey{f.WorkflowID, f.Session, f.Phone}
	if last, ok := s.lastFired[lk]; !ok || f.At.After(last) {
		s.lastFired[lk] = f.At
	}
	return true, nil
}

// FiringsOf returns the firings of a message, running ones with their
// steps ordered by key.
func (s *Store) FiringsOf(ctx context.Context, session, messageID string) ([]workflow.Firing, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []workflow.Firing
	for _, wf := range s.byMessage[msgKey{session, messageID}] {
		f := s.firings[firingKey{wf, session, messageID}]
		c := f.Firing
		for _, st := range f.steps {
			c.Steps = append(c.Steps, st)
		}
		slices.SortFunc(c.Steps, func(a, b workflow.FiringStep) int { return cmp.Compare(a.Key, b.Key) })
		out = append(out, c)
	}
	return out, nil
}

// CompleteStep records a step of the running firing id; a key recorded
// before keeps its first value, and a firing that is not running is left alone.
func (s *Store) CompleteStep(ctx context.Context, firingID string, st workflow.FiringStep) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.runningFirings[firingID]; f != nil {
		if _, ok := f.steps[st.Key]; !ok {
			f.steps[st.Key] = st
		}
	}
	return nil
}

// FinishFiring marks f done, forgets its steps and appends log, at once.
func (s *Store) FinishFiring(ctx context.Context, f workflow.Firing, log workflow.Execution) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if log.ID == "" {
		return fmt.Errorf("finish firing of %q: %w", f.WorkflowID, workflow.ErrLogWithoutID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, ok := s.firings[firingKey{f.WorkflowID, f.Session, f.MessageID}]
	switch {
	case !ok:
		return fmt.Errorf("finish firing of %q for %s/%s: %w", f.WorkflowID, f.Session, f.MessageID, workflow.ErrNotFound)
	case stored.State == workflow.FiringStateDone:
		return nil
	}
	stored.State, stored.steps = workflow.FiringStateDone, nil
	delete(s.runningFirings, f.ID())
	if i, dup := s.findLog(log.ID); !dup {
		s.logs = slices.Insert(s.logs, i, copyExecution(log))
	}
	return nil
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

// Next increments the named counter and returns its previous value; with
// a step of a running firing, the value is drawn once for that step.
func (s *Store) Next(ctx context.Context, key, firingID, step string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f *firing
	if firingID != "" && step != "" {
		if f = s.runningFirings[firingID]; f != nil {
			if st, ok := f.steps[step]; ok {
				return st.Value, nil
			}
		}
	}
	n := s.counters[key]
	s.counters[key] = n + 1
	if f != nil {
		f.steps[step] = workflow.FiringStep{Key: step, Value: n}
	}
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
