package workflow

import (
	"context"
	"fmt"
	"time"
)

// Retention deletes what is past its retention period, in bounded batches
// (each call deletes at most limit rows, so that no statement holds the
// database long; a limit of 0 or less means no bound).
type Retention interface {
	// PurgeMessages deletes up to limit stored messages older than
	// before, oldest first, and returns how many.
	PurgeMessages(ctx context.Context, before time.Time, limit int) (int, error)
	// PurgeFirings deletes up to limit firings older than before, oldest
	// first, and returns how many.
	PurgeFirings(ctx context.Context, before time.Time, limit int) (int, error)
	// PurgeContacts deletes up to limit conversations with no message
	// left whose last inbound and last reply are older than before, then
	// up to limit contacts created before before that are neither
	// excluded nor imported and have no conversation left. It returns how
	// many rows it deleted.
	PurgeContacts(ctx context.Context, before time.Time, limit int) (int, error)
}

// The default retention periods (Config.MessageRetention, FiringRetention,
// ContactRetention); the execution log keeps 90 days (LogRetention).
const (
	DefaultMessageRetention = 180 * 24 * time.Hour
	DefaultFiringRetention  = 90 * 24 * time.Hour
	DefaultContactRetention = 730 * 24 * time.Hour
)

// purgeBatch is the most rows one purge statement deletes.
const purgeBatch = 1000

// purgeRetained deletes the messages, firings and contacts past their
// retention at now, in batches. Firings are kept at least as long as the
// longest cooldown of the current workflows, so that no cooldown ends early.
func (e *Engine) purgeRetained(ctx context.Context, now time.Time) error {
	firings := e.cfg.FiringRetention
	if set := e.set.Load(); set != nil && firings > 0 {
		for _, w := range set.list {
			firings = max(firings, w.Cooldown+24*time.Hour)
		}
	}
	st := e.cfg.Store
	for _, p := range []struct {
		what   string
		keep   time.Duration
		delete func(context.Context, time.Time, int) (int, error)
	}{
		{"messages", e.cfg.MessageRetention, st.PurgeMessages},
		{"firings", firings, st.PurgeFirings},
		{"contacts", e.cfg.ContactRetention, st.PurgeContacts},
	} {
		if p.keep < 0 {
			continue // kept forever
		}
		for {
			n, err := p.delete(ctx, now.Add(-p.keep), purgeBatch)
			if err != nil {
				return fmt.Errorf("purging %s older than %s: %w", p.what, p.keep, err)
			}
			if n < purgeBatch {
				break
			}
		}
	}
	return nil
}
