package dashboard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// The dashboard keeps its own small tables in the product database, named
// waauto_dashboard_* so that the store's foreign-file check accepts them.
// They hold the dashboard's users, its settings (account prompt, the YAML
// text of the workflow editor), the logged-in sessions and the failed-login
// counts; everything else lives in the engine's Store.

// errNoUser: the named dashboard user does not exist.
var errNoUser = errors.New("no such dashboard user")

// User is a dashboard user; Hash is the argon2id PHC string of the password.
type User struct {
	bun.BaseModel `bun:"table:waauto_dashboard_users"`
	Name          string `bun:"name,pk"`
	Hash          string `bun:"hash,notnull"`
	Admin         bool   `bun:"admin,notnull"`
	CreatedAt     int64  `bun:"created_at,notnull"`
}

type settingRow struct {
	bun.BaseModel `bun:"table:waauto_dashboard_settings"`
	Key           string `bun:"key,pk"`
	Value         string `bun:"value,notnull"`
}

// Store reads and writes the dashboard's tables.
type Store struct{ db *bun.DB }

// OpenStore creates the dashboard tables when missing.
func OpenStore(ctx context.Context, db *bun.DB) (*Store, error) {
	for _, m := range []any{(*User)(nil), (*settingRow)(nil), (*sessionRow)(nil), (*attemptRow)(nil), (*awayRow)(nil)} {
		if _, err := db.NewCreateTable().Model(m).IfNotExists().Exec(ctx); err != nil {
			return nil, fmt.Errorf("dashboard tables: %w", err)
		}
	}
	return &Store{db: db}, nil
}

func (s *Store) countUsers(ctx context.Context) (int64, error) {
	return s.db.NewSelect().Model((*User)(nil)).Count(ctx)
}

// User returns the user named name (errNoUser when there is none).
func (s *Store) User(ctx context.Context, name string) (User, error) {
	var u User
	err := s.db.NewSelect().Model(&u).Where("name = ?", name).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return u, errNoUser
	}
	return u, err
}

// Users lists the users by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var us []User
	err := s.db.NewSelect().Model(&us).Order("name").Scan(ctx)
	return us, err
}

// putUser creates or replaces a user.
func (s *Store) putUser(ctx context.Context, u User) error {
	if u.CreatedAt == 0 {
		u.CreatedAt = time.Now().UnixNano()
	}
	_, err := s.db.NewInsert().Model(&u).
		On("CONFLICT (name) DO UPDATE").
		Set("hash = EXCLUDED.hash").Set("admin = EXCLUDED.admin").
		Exec(ctx)
	return err
}

// settingPrompt is the settings key of the account prompt.
const settingPrompt = "account_prompt"

// AccountPrompt returns the account prompt saved on the AI page, "" when none is.
func (s *Store) AccountPrompt(ctx context.Context) (string, error) {
	return s.setting(ctx, settingPrompt)
}

func (s *Store) setting(ctx context.Context, key string) (string, error) {
	var r settingRow
	err := s.db.NewSelect().Model(&r).Where("key = ?", key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return r.Value, err
}

func (s *Store) setSetting(ctx context.Context, key, value string) error {
	r := settingRow{Key: key, Value: value}
	_, err := s.db.NewInsert().Model(&r).On("CONFLICT (key) DO UPDATE").Set("value = EXCLUDED.value").Exec(ctx)
	return err
}
