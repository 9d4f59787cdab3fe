package riverqueue

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// leaseClass is the first key of our two-key advisory locks ("wa"): it
// keeps them apart from other applications' locks on the same database.
// (PostgreSQL's one-bigint and two-int4 lock keys never collide.)
const leaseClass = 0x7761

// Lease tries to make this process the one owner of WhatsApp number
// sessionID across every instance sharing db, so that exactly one of them
// connects its socket and sends for it.
//
// On PostgreSQL it takes a session-level advisory lock on a connection of
// its own, kept out of the pool until release: ok is false, with no error,
// when another instance holds it. The lock ends with release or with that
// connection — when the owner process dies, PostgreSQL closes it and the
// next Lease elsewhere succeeds, so callers retry Lease periodically
// (e.g. every 10 s) for the numbers they do not own. The key is a 32-bit
// hash of sessionID: two numbers may share a lock, which can only make one
// instance own both, never two instances own one.
//
// On SQLite ok is always true: only one process may use the database
// (Queue.Start enforces it), so it owns every number.
func Lease(ctx context.Context, db *bun.DB, sessionID string) (release func() error, ok bool, err error) {
	if db.Dialect().Name() != dialect.PG {
		return func() error { return nil }, true, nil
	}
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lease %s: %w", sessionID, err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, hashtext($2))", leaseClass, sessionID).Scan(&ok); err != nil {
		return nil, false, errors.Join(fmt.Errorf("lease %s: %w", sessionID, err), conn.Close())
	}
	if !ok {
		return nil, false, conn.Close()
	}
	release = func() error {
		_, err := conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1, hashtext($2))", leaseClass, sessionID)
		return errors.Join(err, conn.Close())
	}
	return release, true, nil
}
