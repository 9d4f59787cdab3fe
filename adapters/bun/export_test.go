package bun

import "context"

// PGStatement is a statement for RunPGBatch: SQL with $n placeholders,
// its arguments, where its one row goes (nil: a statement without rows),
// and, after the run, its own error.
type PGStatement struct {
	SQL  string
	Args []any
	Dest []any
	Err  error
}

// RecordInboundPG is RecordInbound's statement on PostgreSQL.
const RecordInboundPG = recordInboundPG

// RunPGBatch sends stmts as one pipelined transaction, as the group commit
// does with a batch, and returns the commit's error.
func (s *Store) RunPGBatch(ctx context.Context, stmts []*PGStatement) error {
	live := make([]*pgStmt, len(stmts))
	for i, st := range stmts {
		live[i] = &pgStmt{waiter: waiter{ctx: ctx}, sql: st.SQL, args: st.Args, dest: st.Dest}
	}
	err := s.runPGBatch(ctx, live)
	for i, st := range live {
		stmts[i].Err = st.err
	}
	return err
}

// TextArrayOIDs are the array types a PostgreSQL store's connections send
// and read as text.
var TextArrayOIDs = textArrayOIDs
