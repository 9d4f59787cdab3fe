package riverqueue

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// DefaultLeaseInterval is how often NumberLeases.Run retries the numbers
// no instance runs.
const DefaultLeaseInterval = 30 * time.Second

// NumberLeasesConfig configures NumberLeases. DB, Numbers and Start are
// required.
type NumberLeasesConfig struct {
	// DB is the database the instances share (the store's DB()).
	DB *bun.DB
	// Numbers lists the numbers that should run somewhere (the linked ones).
	Numbers func(ctx context.Context) ([]string, error)
	// Start runs a number once this instance holds its lease; an error
	// releases the lease so that another instance may try.
	Start func(ctx context.Context, id string) error
	// Logger receives the failures; nil discards them.
	Logger *slog.Logger
	// Interval between two passes of Run; 0 means DefaultLeaseInterval.
	Interval time.Duration
}

// NumberLeases gives every number exactly one running instance: each pass
// takes the Lease of the listed numbers this instance does not hold yet
// and starts those it got. The others retry at the next pass and take a
// number over when its owner's connection dies (on SQLite every lease is
// granted: one process owns the database).
type NumberLeases struct {
	cfg  NumberLeasesConfig
	log  *slog.Logger
	mu   sync.Mutex
	held map[string]func() error
}

// NewNumberLeases returns the leases of cfg; none is held until Acquire.
func NewNumberLeases(cfg NumberLeasesConfig) *NumberLeases {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultLeaseInterval
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &NumberLeases{cfg: cfg, log: log, held: map[string]func() error{}}
}

// Acquire is one pass: it leases and starts every listed number this
// instance does not hold. Failures are logged; the next pass retries.
func (l *NumberLeases) Acquire(ctx context.Context) {
	ids, err := l.cfg.Numbers(ctx)
	if err != nil {
		l.log.Error("listing linked numbers failed", "err", err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		if l.held[id] != nil {
			continue
		}
		release, ok, err := Lease(ctx, l.cfg.DB, id)
		if err != nil || !ok {
			if err != nil {
				l.log.Warn("number lease failed", "session", id, "err", err)
			}
			continue
		}
		if err := l.cfg.Start(ctx, id); err != nil {
			l.log.Warn("number not started", "session", id, "err", err)
			_ = release()
			continue
		}
		l.held[id] = release
	}
}

// Run calls Acquire every Interval until ctx ends.
func (l *NumberLeases) Run(ctx context.Context) {
	t := time.NewTicker(l.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Acquire(ctx)
		}
	}
}

// Release lets another instance run id, which this one stopped running.
func (l *NumberLeases) Release(id string) {
	l.mu.Lock()
	release := l.held[id]
	delete(l.held, id)
	l.mu.Unlock()
	if release != nil {
		if err := release(); err != nil {
			l.log.Warn("number lease release failed", "session", id, "err", err)
		}
	}
}

// ReleaseAll releases every lease this instance holds (at shutdown).
func (l *NumberLeases) ReleaseAll() {
	l.mu.Lock()
	ids := make([]string, 0, len(l.held))
	for id := range l.held {
		ids = append(ids, id)
	}
	l.mu.Unlock()
	for _, id := range ids {
		l.Release(id)
	}
}
