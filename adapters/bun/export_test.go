package bun

import (
	"context"
	"database/sql"

	"github.com/waauto/waauto/workflow"
)

// PGStatement is a statement for RunPGBatch: SQL with $n placeholders,
// its arguments, where its one row goes (nil: a statement without rows),
// and, after the run, its own error. A store's statement
// (BeginFiringStatement) has stmt instead.
type PGStatement struct {
	SQL  string
	Args []any
	Dest []any
	Err  error
	stmt *pgStmt
}

// RecordInboundPG is RecordInbound's statement on PostgreSQL.
const RecordInboundPG = recordInboundPG

// RunPGBatch sends stmts as one pipelined transaction, as the group commit
// does with a batch, and returns the commit's error.
func (s *Store) RunPGBatch(ctx context.Context, stmts []*PGStatement) error {
	live := make([]*pgStmt, len(stmts))
	for i, st := range stmts {
		live[i] = st.stmt
		if live[i] == nil {
			live[i] = &pgStmt{sql: st.SQL, args: st.Args, dest: st.Dest}
		}
		live[i].waiter = waiter{ctx: ctx}
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

// PGMerged counts the statements s sent as members of merged statements,
// in tries committed or not.
func (s *Store) PGMerged() int64 { return s.pgMerged.Load() }

// BeginFiringStatement is BeginFiring's statement for f, for RunPGBatch,
// merged with the other firings of the batch: n gets its row count (1:
// inserted).
func (s *Store) BeginFiringStatement(f workflow.Firing, n *int64) *PGStatement {
	return &PGStatement{stmt: s.beginFiringStmt(f, n)}
}

// FinishFiringStatement is FinishFiring's statement for f and log, for
// RunPGBatch, merged with the other firings of the batch: n gets 1 when
// it marked f done, state f's state before (NULL: never begun).
func FinishFiringStatement(f workflow.Firing, log workflow.Execution, n *int64, state *sql.NullString) (*PGStatement, error) {
	r, err := executionToRow(log)
	if err != nil {
		return nil, err
	}
	return &PGStatement{stmt: finishFiringStmt(f, r, n, state)}, nil
}
