//go:build unix

package riverqueue

import (
	"context"
	"fmt"
	"os"
	"syscall"
)

// lockSQLite takes the process lock of the SQLite file, then clears the
// leader row a dead process may have left (only this process can be
// leader now).
func (q *Queue) lockSQLite(ctx context.Context) error {
	path, err := q.sqlitePath(ctx)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path+".river.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("job queue lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, ErrLocked)
	}
	q.mu.Lock()
	q.unlock = f.Close // closing the file releases the lock
	q.mu.Unlock()
	if _, err := q.db.ExecContext(ctx, "DELETE FROM river_leader"); err != nil {
		q.releaseSQLite()
		return fmt.Errorf("clear stale river leader: %w", err)
	}
	return nil
}
