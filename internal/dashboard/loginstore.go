package dashboard

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// sessionRow is one logged-in browser, keyed by the SHA-256 of its cookie
// token (the token itself is never stored), in the database so that every
// instance sees it and a restart keeps it.
type sessionRow struct {
	bun.BaseModel `bun:"table:waauto_dashboard_sessions"`
	Hash          string `bun:"hash,pk"`
	User          string `bun:"user_name,notnull"`
	Admin         bool   `bun:"admin,notnull"`
	Expires       int64  `bun:"expires,notnull"` // Unix nanoseconds
}

// attemptRow counts the failed logins of one throttle key (a user at an
// address, or an address) in the database, shared by the instances.
type attemptRow struct {
	bun.BaseModel `bun:"table:waauto_dashboard_logins"`
	Key           string `bun:"key,pk"`
	Failures      int    `bun:"failures,notnull"`
	BlockedUntil  int64  `bun:"blocked_until,notnull"` // Unix nanoseconds
	LastAt        int64  `bun:"last_at,notnull"`
}

func (s *Store) createSession(ctx context.Context, r sessionRow) error {
	_, err := s.db.NewInsert().Model(&r).Exec(ctx)
	return err
}

// session returns the session of hash, errNotLoggedIn when there is none.
func (s *Store) session(ctx context.Context, hash string) (sessionRow, error) {
	var r sessionRow
	err := s.db.NewSelect().Model(&r).Where("hash = ?", hash).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNotLoggedIn
	}
	return r, err
}

func (s *Store) extendSession(ctx context.Context, hash string, expires int64) error {
	_, err := s.db.NewUpdate().Model((*sessionRow)(nil)).Set("expires = ?", expires).Where("hash = ?", hash).Exec(ctx)
	return err
}

func (s *Store) deleteSession(ctx context.Context, hash string) error {
	_, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("hash = ?", hash).Exec(ctx)
	return err
}

// EndSessions logs user out of every browser.
func (s *Store) EndSessions(ctx context.Context, user string) error {
	_, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("user_name = ?", user).Exec(ctx)
	return err
}

// purgeLogins deletes the expired sessions and the failure counts idle
// since before forget.
func (s *Store) purgeLogins(ctx context.Context, now, forget time.Time) error {
	if _, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("expires < ?", now.UnixNano()).Exec(ctx); err != nil {
		return err
	}
	_, err := s.db.NewDelete().Model((*attemptRow)(nil)).
		Where("last_at < ? AND blocked_until < ?", forget.UnixNano(), now.UnixNano()).Exec(ctx)
	return err
}

// countAttempt counts one login attempt on every key in one transaction,
// before the password is checked: when a key is blocked nothing is
// counted and the wait is returned; otherwise each key's failures grow by
// one and a key past its free failures is blocked for its delay. prev is
// each key's row before the attempt, for undoAttempt.
func (s *Store) countAttempt(ctx context.Context, now time.Time, forget time.Duration, keys []throttleKey) (prev []attemptRow, wait time.Duration, err error) {
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		prev, wait = prev[:0], 0
		for _, k := range keys {
			r := attemptRow{Key: k.key, LastAt: now.UnixNano()}
			if _, err := tx.NewInsert().Model(&r).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
				return err
			}
			q := tx.NewSelect().Model(&r).Where("key = ?", k.key)
			if tx.Dialect().Name() == dialect.PG {
				q = q.For("UPDATE")
			}
			if err := q.Scan(ctx); err != nil {
				return err
			}
			if now.Sub(time.Unix(0, r.LastAt)) > forget {
				r.Failures, r.BlockedUntil = 0, 0
			}
			if w := time.Unix(0, r.BlockedUntil).Sub(now); w > wait {
				wait = w
			}
			prev = append(prev, r)
		}
		if wait > 0 {
			return nil
		}
		for i, k := range keys {
			r := prev[i]
			r.Failures++
			r.LastAt = now.UnixNano()
			if d := k.delay(r.Failures); d > 0 {
				r.BlockedUntil = now.Add(d).UnixNano()
			}
			if _, err := tx.NewUpdate().Model(&r).WherePK().Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	return prev, wait, err
}

// undoAttempt takes back the attempt counted on key, which prev was
// before: the login succeeded.
func (s *Store) undoAttempt(ctx context.Context, prev attemptRow) error {
	_, err := s.db.NewUpdate().Model((*attemptRow)(nil)).
		Set("failures = ?", prev.Failures).Set("blocked_until = ?", prev.BlockedUntil).
		Where("key = ?", prev.Key).Exec(ctx)
	return err
}
