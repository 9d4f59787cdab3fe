//go:build !unix

package riverqueue

import "context"

// lockSQLite does nothing where flock is missing: running two processes
// on one SQLite file is then the operator's mistake to avoid.
func (q *Queue) lockSQLite(context.Context) error { return nil }
