package workflow

import (
	"context"
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
