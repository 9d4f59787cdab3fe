package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/waauto/waauto/workflow"
)

// AppendLogs stores entries in one batch. An entry whose ID is already
// stored is skipped, so retrying a batch after an error is safe. An entry
// without ID fails the whole batch with workflow.ErrLogWithoutID.
func (s *Store) AppendLogs(ctx context.Context, entries []workflow.Execution) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, e := range entries {
		if e.ID == "" {
			return fmt.Errorf("entry %d of workflow %q: %w", i, e.WorkflowID, workflow.ErrLogWithoutID)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		if i, dup := s.findLog(e.ID); !dup {
			s.logs = slices.Insert(s.logs, i, copyExecution(e))
		}
	}
	return nil
}

// findLog returns where id is or would be in s.logs. The caller holds s.mu.
func (s *Store) findLog(id string) (int, bool) {
	return slices.BinarySearchFunc(s.logs, id, func(e workflow.Execution, id string) int {
		return cmp.Compare(e.ID, id)
	})
}

// QueryLogs returns one page of matching entries, newest first: those with
// an ID below q.After when set. Limit defaults to workflow.DefaultLogLimit and
// is capped at workflow.MaxLogLimit. Next is the last entry's ID when more match.
func (s *Store) QueryLogs(ctx context.Context, q workflow.LogQuery) (workflow.LogPage, error) {
	if err := ctx.Err(); err != nil {
		return workflow.LogPage{}, err
	}
	limit := workflow.PageLimit(q.Limit, workflow.DefaultLogLimit, workflow.MaxLogLimit)

	s.mu.Lock()
	defer s.mu.Unlock()
	end := len(s.logs)
	if q.After != "" {
		end, _ = s.findLog(q.After)
	}
	page := workflow.LogPage{Entries: make([]workflow.Execution, 0, min(limit, end))}
	for i := end - 1; i >= 0; i-- {
		e := &s.logs[i]
		if !logMatches(&q, e) {
			continue
		}
		if len(page.Entries) == limit {
			page.Next = page.Entries[limit-1].ID
			break
		}
		page.Entries = append(page.Entries, copyExecution(*e))
	}
	return page, nil
}

func logMatches(q *workflow.LogQuery, e *workflow.Execution) bool {
	switch {
	case !q.From.IsZero() && e.Time.Before(q.From),
		!q.To.IsZero() && !e.Time.Before(q.To),
		q.WorkflowID != "" && e.WorkflowID != q.WorkflowID,
		q.Session != "" && e.Session != q.Session,
		q.Phone != "" && e.Phone != q.Phone,
		q.Outcome != "" && e.Outcome != q.Outcome,
		q.Reason != "" && e.Reason != q.Reason:
		return false
	}
	return true
}

// PurgeLogs deletes up to limit entries whose Time is before before,
// oldest first, and returns how many it deleted. A limit of 0 or less
// means no limit.
func (s *Store) PurgeLogs(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	s.logs = slices.DeleteFunc(s.logs, func(e workflow.Execution) bool {
		if (limit > 0 && n >= limit) || !e.Time.Before(before) {
			return false
		}
		n++
		return true
	})
	return n, nil
}

func copyExecution(e workflow.Execution) workflow.Execution {
	e.Trace = slices.Clone(e.Trace)
	e.Actions = slices.Clone(e.Actions)
	return e
}

// CreditBalance returns the balance.
func (s *Store) CreditBalance(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.credits, nil
}

// SetCredits sets the balance.
func (s *Store) SetCredits(ctx context.Context, n int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credits = n
	return nil
}

// DebitCredits subtracts n, never going below 0, and returns the new
// balance. A negative n is workflow.ErrNegativeDebit.
func (s *Store) DebitCredits(ctx context.Context, n int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("debit %d: %w", n, workflow.ErrNegativeDebit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credits = max(0, s.credits-n)
	return s.credits, nil
}
