package bun

import (
	"context"
	"fmt"

	"github.com/waauto/waauto/workflow"
)

// CreditBalance returns the balance.
func (s *Store) CreditBalance(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.NewRaw(`SELECT balance FROM waauto_credits WHERE id = 1`).Scan(ctx, &n); err != nil {
		return 0, fmt.Errorf("read credits: %w", err)
	}
	return n, nil
}

// SetCredits sets the balance.
func (s *Store) SetCredits(ctx context.Context, n int64) error {
	if _, err := s.exec(ctx, s.db.NewRaw(`UPDATE waauto_credits SET balance = ? WHERE id = 1`, n)); err != nil {
		return fmt.Errorf("set credits: %w", err)
	}
	return nil
}

// DebitCredits subtracts n in one statement, never below 0, and returns
// the new balance: concurrent debits serialize on the row. A negative n
// is workflow.ErrNegativeDebit.
func (s *Store) DebitCredits(ctx context.Context, n int64) (int64, error) {
	if n < 0 {
		return 0, fmt.Errorf("debit %d: %w", n, workflow.ErrNegativeDebit)
	}
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	var b int64
	err = s.db.NewRaw(`UPDATE waauto_credits SET balance = `+s.greatest()+`(balance - ?, 0) WHERE id = 1 RETURNING balance`, n).
		Scan(ctx, &b)
	if err != nil {
		return 0, fmt.Errorf("debit %d credits: %w", n, err)
	}
	return b, nil
}
