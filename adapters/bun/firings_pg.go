package bun

import (
	"context"
	"database/sql"

	"github.com/waauto/waauto/workflow"
)

// finishFiringPG is FinishFiring's transaction as one PostgreSQL statement
// (one round trip instead of five: BEGIN, three statements, COMMIT), as
// atomic: the steps are deleted and the log row inserted only when this
// statement marked the firing done (done has its row). The last column is
// the firing's state in the statement's snapshot: NULL when it does not
// exist; "done" when another run finished it first.
const finishFiringPG = `WITH done AS (
	UPDATE waauto_firings SET state = $1::text
	WHERE workflow_id = $2::text AND session = $3::text AND message_id = $4::text AND state = $5::text
	RETURNING 1
), steps AS (
	DELETE FROM waauto_firing_steps WHERE firing_id = $6::text AND EXISTS (SELECT 1 FROM done)
), log AS (
	INSERT INTO waauto_executions (id, at, workflow_id, workflow, session, phone, message_id, trigger, outcome, reason, trace, actions)
	SELECT $7::text, $8::bigint, $9::text, $10::text, $11::text, $12::text, $13::text, $14::text, $15::text, $16::text,
		$17::text, $18::text FROM done
	ON CONFLICT (id) DO NOTHING
)
SELECT (SELECT count(*) FROM done),
	(SELECT state FROM waauto_firings WHERE workflow_id = $2::text AND session = $3::text AND message_id = $4::text)`

// finishFiringsPG is finishFiringPG for the firings of a pipelined batch
// as one statement (pgmerge.go): PostgreSQL's work per statement is paid
// once for all. Its arguments are finishFiringPG's as arrays, one element
// per firing, all keys distinct. Per firing it does what finishFiringPG
// does (done has the ordinals of the firings it marked done) and returns,
// in order, finishFiringPG's row.
const finishFiringsPG = `WITH m AS (
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
		$7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
		$15::text[], $16::text[], $17::text[], $18::text[]) WITH ORDINALITY
		AS m(done_state, workflow_id, session, message_id, running_state, firing_id,
			id, at, log_workflow_id, workflow, log_session, phone, log_message_id, trigger, outcome, reason, trace, actions, ord)
), done AS (
	UPDATE waauto_firings f SET state = m.done_state FROM m
	WHERE f.workflow_id = m.workflow_id AND f.session = m.session AND f.message_id = m.message_id
		AND f.state = m.running_state
	RETURNING m.ord
), steps AS (
	DELETE FROM waauto_firing_steps s USING m JOIN done USING (ord) WHERE s.firing_id = m.firing_id
), log AS (
	INSERT INTO waauto_executions (id, at, workflow_id, workflow, session, phone, message_id, trigger, outcome, reason, trace, actions)
	SELECT m.id, m.at, m.log_workflow_id, m.workflow, m.log_session, m.phone, m.log_message_id, m.trigger, m.outcome,
		m.reason, m.trace, m.actions FROM m JOIN done USING (ord) ORDER BY m.ord
	ON CONFLICT (id) DO NOTHING
)
SELECT (SELECT count(*) FROM done WHERE done.ord = m.ord), f.state
FROM m LEFT JOIN waauto_firings f
	ON f.workflow_id = m.workflow_id AND f.session = m.session AND f.message_id = m.message_id
ORDER BY m.ord`

// finishFiringStmt is finishFiringPG's statement for f and its log row r,
// its row going to n and state, merged with the other firings of its
// batch.
func finishFiringStmt(f workflow.Firing, r executionRow, n *int64, state *sql.NullString) *pgStmt {
	return &pgStmt{sql: finishFiringPG, dest: []any{n, state}, merged: finishFiringsPG, key: firingKey(f),
		args: []any{string(workflow.FiringStateDone), f.WorkflowID, f.Session, f.MessageID, string(workflow.FiringStateRunning),
			f.ID(), r.ID, r.At, r.WorkflowID, r.Workflow, r.Session, r.Phone, r.MessageID, r.Trigger, r.Outcome, r.Reason,
			r.Trace, r.Actions}}
}

// finishFiringOne runs finishFiringPG: nil when it finished f or f was
// finished already, workflow.ErrNotFound when f was never begun.
func (s *Store) finishFiringOne(ctx context.Context, f workflow.Firing, r executionRow) error {
	var n int64
	var state sql.NullString
	err := s.runPG(ctx, finishFiringStmt(f, r, &n, &state))
	switch {
	case err != nil:
		return err
	case n == 0 && !state.Valid:
		return workflow.ErrNotFound
	}
	return nil
}
