package riverqueue

import (
	"context"
	"fmt"
)

// sqlitePath returns the file of the SQLite database's main schema.
func (q *Queue) sqlitePath(ctx context.Context) (string, error) {
	var (
		seq        int
		name, file string
	)
	if err := q.db.QueryRowContext(ctx, "PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
		return "", fmt.Errorf("sqlite database file: %w", err)
	}
	if file == "" {
		return "", fmt.Errorf("sqlite database has no file (in-memory)")
	}
	return file, nil
}

func (q *Queue) releaseSQLite() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.unlock != nil {
		q.unlock()
		q.unlock = nil
	}
}
