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

// PutScheduled creates a scheduled message; an existing ID is an error
// wrapping workflow.ErrConflict.
func (s *Store) PutScheduled(ctx context.Context, m workflow.ScheduledMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.scheduled[m.ID]; ok {
		return fmt.Errorf("scheduled message %q exists: %w", m.ID, workflow.ErrConflict)
	}
	if m.Origin != nil { // kept whole, unshared with the caller
		o := *m.Origin
		o.Trace = slices.Clone(o.Trace)
		m.Origin = &o
	}
	s.scheduled[m.ID] = m
	return nil
}

// Scheduled returns one scheduled message, or an error wrapping
// workflow.ErrNotFound.
func (s *Store) Scheduled(ctx context.Context, id string) (workflow.ScheduledMessage, error) {
	if err := ctx.Err(); err != nil {
		return workflow.ScheduledMessage{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.scheduled[id]
	if !ok {
		return workflow.ScheduledMessage{}, fmt.Errorf("scheduled message %q: %w", id, workflow.ErrNotFound)
	}
	return m, nil
}

// ListScheduled returns the messages matching q ordered by At, then ID; a
// Limit of 0 or less means no limit.
func (s *Store) ListScheduled(ctx context.Context, q workflow.ScheduleQuery) ([]workflow.ScheduledMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []workflow.ScheduledMessage{}
	for m := range maps.Values(s.scheduled) {
		if scheduleMatches(q, m) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b workflow.ScheduledMessage) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func scheduleMatches(q workflow.ScheduleQuery, m workflow.ScheduledMessage) bool {
	switch {
	case len(q.Status) > 0 && !slices.Contains(q.Status, m.Status),
		q.Session != "" && m.Session != q.Session,
		!q.From.IsZero() && m.At.Before(q.From),
		!q.To.IsZero() && !m.At.Before(q.To):
		return false
	}
	return true
}

// TransitionScheduled moves id from status from to status to, setting
// Reason, and DoneAt = at when to is final (sent, failed, cancelled). It
// returns an error wrapping workflow.ErrConflict when the message is not in
// from, and workflow.ErrNotFound when there is no such message.
func (s *Store) TransitionScheduled(ctx context.Context, id string, from, to workflow.ScheduleStatus, reason string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.scheduled[id]
	if !ok {
		return fmt.Errorf("scheduled message %q: %w", id, workflow.ErrNotFound)
	}
	if m.Status != from {
		return fmt.Errorf("scheduled message %q is %s, not %s: %w", id, m.Status, from, workflow.ErrConflict)
	}
	m.Status = to
	m.Reason = reason
	if final(to) {
		m.DoneAt = at
	}
	s.scheduled[id] = m
	return nil
}

func final(st workflow.ScheduleStatus) bool {
	return st == workflow.ScheduleSent || st == workflow.ScheduleFailed || st == workflow.ScheduleCancelled
}
