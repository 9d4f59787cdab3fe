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

// finishFiringOne runs finishFiringPG: nil when it finished f or f was
// finished already, workflow.ErrNotFound when f was never begun.
func (s *Store) finishFiringOne(ctx context.Context, f workflow.Firing, r executionRow) error {
	var n int64
	var state sql.NullString
	err := s.queryRowPG(ctx, finishFiringPG, []any{&n, &state},
		string(workflow.FiringStateDone), f.WorkflowID, f.Session, f.MessageID, string(workflow.FiringStateRunning), f.ID(),
		r.ID, r.At, r.WorkflowID, r.Workflow, r.Session, r.Phone, r.MessageID, r.Trigger, r.Outcome, r.Reason, r.Trace, r.Actions)
	switch {
	case err != nil:
		return err
	case n == 0 && !state.Valid:
		return workflow.ErrNotFound
	}
	return nil
}
