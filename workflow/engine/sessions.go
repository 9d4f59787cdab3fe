package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/waauto/waauto/workflow"
)

// PutSession adds a number or updates its label and modules. A new number
// starts connected unless s.Status says otherwise.
func (e *Engine) PutSession(ctx context.Context, s workflow.Session) error {
	if s.ID == "" {
		return fmt.Errorf("session: empty id")
	}
	old, err := e.cfg.Store.Session(ctx, s.ID)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		if s.Status == "" {
			s.Status = workflow.SessionConnected
		}
		if s.CreatedAt.IsZero() {
			s.CreatedAt = e.cfg.Clock.Now()
		}
	case err != nil:
		return err
	default:
		if s.Status == "" {
			s.Status = old.Status
		}
		s.CreatedAt, s.DisconnectedAt = old.CreatedAt, old.DisconnectedAt
	}
	return e.cfg.Store.PutSession(ctx, s)
}

// SetConnected records that a number connected or disconnected. On
// reconnect its waiting scheduled messages are sent in time order; a number
// disconnected for SessionExpiry is deleted.
func (e *Engine) SetConnected(ctx context.Context, id string, connected bool) error {
	s, err := e.cfg.Store.Session(ctx, id)
	if err != nil {
		return fmt.Errorf("session %s: %w", id, err)
	}
	if s.Status == workflow.SessionDeleted {
		return fmt.Errorf("session %s: deleted: %w", id, workflow.ErrConflict)
	}
	now := e.cfg.Clock.Now()
	if connected {
		s.Status, s.DisconnectedAt = workflow.SessionConnected, time.Time{}
		if err := e.cfg.Store.PutSession(ctx, s); err != nil {
			return err
		}
		return e.flushScheduled(ctx, id)
	}
	if s.Status == workflow.SessionDisconnected {
		return nil
	}
	s.Status, s.DisconnectedAt = workflow.SessionDisconnected, now
	if err := e.cfg.Store.PutSession(ctx, s); err != nil {
		return err
	}
	return e.enqueue(ctx, workflow.JobSessionExpiry, fmt.Sprintf("session-expiry/%s/%d", id, now.UnixNano()), now.Add(e.cfg.SessionExpiry), sessionExpiry{ID: id, Since: now})
}

type sessionExpiry struct {
	ID    string
	Since time.Time
}

func (e *Engine) expireSession(ctx context.Context, x sessionExpiry) error {
	s, err := e.cfg.Store.Session(ctx, x.ID)
	if err != nil || s.Status != workflow.SessionDisconnected || !s.DisconnectedAt.Equal(x.Since) {
		return nil // reconnected or gone since
	}
	return e.DeleteSession(ctx, x.ID)
}

// SetModules switches modules of a number on or off.
func (e *Engine) SetModules(ctx context.Context, id string, disabled []workflow.Module) error {
	s, err := e.cfg.Store.Session(ctx, id)
	if err != nil {
		return fmt.Errorf("session %s: %w", id, err)
	}
	s.Disabled = disabled
	if err := e.cfg.Store.PutSession(ctx, s); err != nil {
		return err
	}
	if s.Enabled(workflow.ModuleScheduled) && s.Status == workflow.SessionConnected {
		return e.flushScheduled(ctx, id)
	}
	return nil
}

// DeleteSession deletes a number: its workflows become global and its
// pending scheduled messages fail.
func (e *Engine) DeleteSession(ctx context.Context, id string) error {
	s, err := e.cfg.Store.Session(ctx, id)
	if err != nil {
		return fmt.Errorf("session %s: %w", id, err)
	}
	s.Status = workflow.SessionDeleted
	if err := e.cfg.Store.PutSession(ctx, s); err != nil {
		return err
	}
	if err := e.globalise(ctx, id); err != nil {
		return err
	}
	pending, err := e.cfg.Store.ListScheduled(ctx, workflow.ScheduleQuery{Status: []workflow.ScheduleStatus{workflow.SchedulePending}, Session: id})
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range pending {
		errs = append(errs, e.failScheduled(ctx, m, string(ReasonDeleted)))
	}
	return errors.Join(errs...)
}

// globalise makes the workflows of a deleted number apply to all numbers.
func (e *Engine) globalise(ctx context.Context, session string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	set := e.set.Load()
	ws := make([]workflow.Workflow, 0, len(set.list))
	for _, c := range byPosition(set.list) {
		w := c.Workflow
		if w.Session == session {
			w.Session = ""
		}
		ws = append(ws, w)
	}
	return e.apply(ctx, ws, set.hours, true)
}
