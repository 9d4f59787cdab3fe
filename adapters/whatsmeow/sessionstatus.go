package whatsmeow

import (
	"context"
	"errors"
	"time"

	"github.com/waauto/waauto/workflow"
)

// SessionUpdater is what SessionStatuses changes: the engine's sessions
// (*engine.Engine implements it).
type SessionUpdater interface {
	SetConnected(ctx context.Context, id string, connected bool) error
	DeleteSession(ctx context.Context, id string) error
}

// Holder pauses the sends of a number (*pacing.Pacer implements it).
type Holder interface {
	Hold(session string, until time.Time)
	Release(session string)
}

// SessionStatuses is the StatusSink that maps the Manager's statuses onto
// the engine's sessions: connected → connected; disconnected, logged out
// or banned → disconnected; deleted → deleted. A number the engine does
// not know, or has deleted, is left alone (a late event does not
// resurrect it). With Holds set it also holds the sends of a banned or
// logged-out number (their jobs wait, they do not fail) until it connects
// again.
type SessionStatuses struct {
	Sessions SessionUpdater
	// Holds pauses sends; nil: no holds.
	Holds Holder
}

// SessionStatus implements StatusSink.
func (s *SessionStatuses) SessionStatus(ctx context.Context, id string, st Status, at time.Time) error {
	if s.Holds != nil {
		switch st {
		case StatusBanned, StatusLoggedOut:
			s.Holds.Hold(id, time.Time{})
		case StatusConnected:
			s.Holds.Release(id)
		}
	}
	switch st {
	case StatusConnected:
		return s.Sessions.SetConnected(ctx, id, true)
	case StatusDisconnected, StatusLoggedOut, StatusBanned:
		err := s.Sessions.SetConnected(ctx, id, false)
		if errors.Is(err, workflow.ErrNotFound) || errors.Is(err, workflow.ErrConflict) {
			return nil // a number that never got to the engine, or was deleted
		}
		return err
	case StatusDeleted:
		err := s.Sessions.DeleteSession(ctx, id)
		if errors.Is(err, workflow.ErrNotFound) {
			return nil
		}
		return err
	}
	return nil
}
