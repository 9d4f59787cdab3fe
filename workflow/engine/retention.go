package engine

import (
	"context"
	"fmt"
	"time"
)

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
