package bun

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/workflow"
)

// beginFiring inserts a running firing unless its key exists.
const beginFiring = `INSERT INTO waauto_firings (workflow_id, session, message_id, phone, at, state)
	VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workflow_id, session, message_id) DO NOTHING`

// BeginFiring records f as running; it returns false when (WorkflowID,
// Session, MessageID) was recorded before. The primary key decides between
// concurrent calls.
func (s *Store) BeginFiring(ctx context.Context, f workflow.Firing) (bool, error) {
	args := []any{f.WorkflowID, f.Session, f.MessageID, f.Phone, nanos(f.At), string(workflow.FiringStateRunning)}
	var n int64
	var err error
	if s.pg {
		n, err = s.execPG(ctx, s.placeholders(beginFiring), args...)
	} else {
		n, err = s.execSQLite(ctx, beginFiring, args...)
	}
	if err != nil {
		return false, fmt.Errorf("begin firing of %s for %s/%s: %w", f.WorkflowID, f.Session, f.MessageID, err)
	}
	return n == 1, nil
}

// execSQLite runs a writing statement with its arguments on SQLite (a
// cached statement, stmtcache.go), in a shared transaction with group
// commit, and returns its row count.
func (s *Store) execSQLite(ctx context.Context, query string, args ...any) (int64, error) {
	var res sql.Result
	insert := func(ctx context.Context, db bun.IDB) error {
		var err error
		res, err = s.execArgs(ctx, db, query, args...)
		return err
	}
	if s.gc != nil {
		if err := s.write(ctx, func(ctx context.Context, tx bun.Tx) error { return insert(ctx, tx) }); err != nil {
			return 0, err
		}
	} else {
		unlock, err := s.lockWrite(ctx)
		if err != nil {
			return 0, err
		}
		err = insert(ctx, s.db)
		unlock()
		if err != nil {
			return 0, err
		}
	}
	return res.RowsAffected()
}

// FiringsOf returns the firings of a message, running ones with their
// steps ordered by key.
func (s *Store) FiringsOf(ctx context.Context, session, messageID string) ([]workflow.Firing, error) {
	var rows []firingRow
	if err := s.db.NewSelect().Model(&rows).Where("session = ? AND message_id = ?", session, messageID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("firings of %s/%s: %w", session, messageID, err)
	}
	out := make([]workflow.Firing, len(rows))
	var running []string
	at := map[string]int{}
	for i, r := range rows {
		out[i] = workflow.Firing{WorkflowID: r.WorkflowID, Session: r.Session, Phone: r.Phone, MessageID: r.MessageID,
			At: fromNanos(r.At), State: workflow.FiringState(r.State)}
		if out[i].State == workflow.FiringStateRunning {
			id := out[i].ID()
			running = append(running, id)
			at[id] = i
		}
	}
	if len(running) == 0 {
		return out, nil
	}
	var steps []firingStepRow
	if err := s.db.NewSelect().Model(&steps).Where("firing_id IN (?)", bun.List(running)).OrderExpr("firing_id, key").Scan(ctx); err != nil {
		return nil, fmt.Errorf("steps of the firings of %s/%s: %w", session, messageID, err)
	}
	for _, st := range steps {
		fs := workflow.FiringStep{Key: st.Key, Value: st.Value}
		if err := json.Unmarshal([]byte(st.Result), &fs.Result); err != nil {
			return nil, fmt.Errorf("step %s of firing %s: %w", st.Key, st.FiringID, err)
		}
		f := &out[at[st.FiringID]]
		f.Steps = append(f.Steps, fs)
	}
	return out, nil
}

// completeStepPG is CompleteStep's insert on PostgreSQL.
const completeStepPG = `INSERT INTO waauto_firing_steps (firing_id, key, result, value)
	VALUES ($1::text, $2::text, $3::text, $4::bigint) ON CONFLICT (firing_id, key) DO NOTHING`

// completeStep is completeStepPG for SQLite, with its arguments bound (bun
// formatted them into the text, which SQLite parsed at every step).
const completeStep = `INSERT INTO waauto_firing_steps (firing_id, key, result, value)
	VALUES (?, ?, ?, ?) ON CONFLICT (firing_id, key) DO NOTHING`

// CompleteStep records a step of the firing firingID; a key recorded before
// keeps its first value.
func (s *Store) CompleteStep(ctx context.Context, firingID string, st workflow.FiringStep) error {
	r, err := stepRow(firingID, st)
	if err != nil {
		return err
	}
	if s.pg {
		_, err = s.execPG(ctx, completeStepPG, r.FiringID, r.Key, r.Result, r.Value)
	} else {
		_, err = s.execSQLite(ctx, completeStep, r.FiringID, r.Key, r.Result, r.Value)
	}
	if err != nil {
		return fmt.Errorf("complete step %s of firing %s: %w", st.Key, firingID, err)
	}
	return nil
}

func stepRow(firingID string, st workflow.FiringStep) (firingStepRow, error) {
	b, err := json.Marshal(st.Result)
	if err != nil {
		return firingStepRow{}, fmt.Errorf("step %s of firing %s: %w", st.Key, firingID, err)
	}
	return firingStepRow{FiringID: firingID, Key: st.Key, Result: string(b), Value: st.Value}, nil
}

// FinishFiring marks f done, deletes its steps and appends its log row in
// one transaction (one statement on PostgreSQL: finishFiringPG).
func (s *Store) FinishFiring(ctx context.Context, f workflow.Firing, log workflow.Execution) error {
	if log.ID == "" {
		return fmt.Errorf("finish firing of %q: %w", f.WorkflowID, workflow.ErrLogWithoutID)
	}
	row, err := executionToRow(log)
	if err != nil {
		return err
	}
	if s.pg {
		err = s.finishFiringOne(ctx, f, row)
	} else {
		err = s.finishFiringTx(ctx, f, row)
	}
	if err != nil {
		return fmt.Errorf("finish firing of %s for %s/%s: %w", f.WorkflowID, f.Session, f.MessageID, err)
	}
	return nil
}

// finishFiringTx is FinishFiring as a transaction (SQLite).
func (s *Store) finishFiringTx(ctx context.Context, f workflow.Firing, row executionRow) error {
	return s.write(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := s.execArgs(ctx, tx, `UPDATE waauto_firings SET state = ?
			WHERE workflow_id = ? AND session = ? AND message_id = ? AND state = ?`,
			string(workflow.FiringStateDone), f.WorkflowID, f.Session, f.MessageID, string(workflow.FiringStateRunning))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			var state string
			err := tx.NewSelect().Model((*firingRow)(nil)).Column("state").
				Where("workflow_id = ? AND session = ? AND message_id = ?", f.WorkflowID, f.Session, f.MessageID).Scan(ctx, &state)
			if errors.Is(err, sql.ErrNoRows) {
				return workflow.ErrNotFound
			}
			return err // nil: done already
		}
		if _, err := s.execArgs(ctx, tx, `DELETE FROM waauto_firing_steps WHERE firing_id = ?`, f.ID()); err != nil {
			return err
		}
		return s.insertLogs(ctx, tx, []executionRow{row})
	})
}

// LastFired returns when the workflow last began firing in the conversation (zero: never).
func (s *Store) LastFired(ctx context.Context, workflowID, session, phone string) (time.Time, error) {
	var at int64
	err := s.db.NewSelect().Model((*firingRow)(nil)).ColumnExpr("COALESCE(MAX(at), 0)").
		Where("workflow_id = ? AND session = ? AND phone = ?", workflowID, session, phone).Scan(ctx, &at)
	if err != nil {
		return time.Time{}, fmt.Errorf("last firing of %s for %s: %w", workflowID, phone, err)
	}
	return fromNanos(at), nil
}

// Next increments the named counter and returns its previous value (0
// first). With a firing step, the value drawn is stored as the step in the
// same transaction, and a later call for the step returns it.
func (s *Store) Next(ctx context.Context, key, firingID, step string) (int64, error) {
	var v int64
	err := s.write(ctx, func(ctx context.Context, tx bun.Tx) error {
		once := firingID != "" && step != ""
		if once {
			err := tx.NewSelect().Model((*firingStepRow)(nil)).Column("value").Where("firing_id = ? AND key = ?", firingID, step).Scan(ctx, &v)
			if err == nil || !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		err := tx.NewRaw(`INSERT INTO waauto_counters (key, value) VALUES (?, 1)
			ON CONFLICT (key) DO UPDATE SET value = waauto_counters.value + 1 RETURNING value`, key).Scan(ctx, &v)
		if err != nil {
			return err
		}
		if v--; !once {
			return nil
		}
		r := firingStepRow{FiringID: firingID, Key: step, Result: "{}", Value: v}
		res, err := tx.NewInsert().Model(&r).On("CONFLICT (firing_id, key) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		// A concurrent call stored the step first: its value wins.
		return tx.NewSelect().Model((*firingStepRow)(nil)).Column("value").Where("firing_id = ? AND key = ?", firingID, step).Scan(ctx, &v)
	})
	if err != nil {
		return 0, fmt.Errorf("counter %q: %w", key, err)
	}
	return v, nil
}
