package main

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
// They hold the dashboard's users and its settings (account prompt, the
// YAML text of the workflow editor); everything else lives in the engine's
// Store.

// errNoUser: the named dashboard user does not exist.
var errNoUser = errors.New("no such dashboard user")

type userRow struct {
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

// dashStore reads and writes the dashboard's tables.
type dashStore struct{ db *bun.DB }

// newDashStore creates the dashboard tables when missing.
func newDashStore(ctx context.Context, db *bun.DB) (*dashStore, error) {
	for _, m := range []any{(*userRow)(nil), (*settingRow)(nil)} {
		if _, err := db.NewCreateTable().Model(m).IfNotExists().Exec(ctx); err != nil {
			return nil, fmt.Errorf("dashboard tables: %w", err)
		}
	}
	return &dashStore{db: db}, nil
}

func (s *dashStore) countUsers(ctx context.Context) (int64, error) {
	return s.db.NewSelect().Model((*userRow)(nil)).Count(ctx)
}

func (s *dashStore) user(ctx context.Context, name string) (userRow, error) {
	var u userRow
	err := s.db.NewSelect().Model(&u).Where("name = ?", name).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return u, errNoUser
	}
	return u, err
}

func (s *dashStore) users(ctx context.Context) ([]userRow, error) {
	var us []userRow
	err := s.db.NewSelect().Model(&us).Order("name").Scan(ctx)
	return us, err
}

// putUser creates or replaces a user.
func (s *dashStore) putUser(ctx context.Context, u userRow) error {
	if u.CreatedAt == 0 {
		u.CreatedAt = time.Now().UnixNano()
	}
	_, err := s.db.NewInsert().Model(&u).
		On("CONFLICT (name) DO UPDATE").
		Set("hash = EXCLUDED.hash").Set("admin = EXCLUDED.admin").
		Exec(ctx)
	return err
}

func (s *dashStore) setting(ctx context.Context, key string) (string, error) {
	var r settingRow
	err := s.db.NewSelect().Model(&r).Where("key = ?", key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return r.Value, err
}

func (s *dashStore) setSetting(ctx context.Context, key, value string) error {
	r := settingRow{Key: key, Value: value}
	_, err := s.db.NewInsert().Model(&r).On("CONFLICT (key) DO UPDATE").Set("value = EXCLUDED.value").Exec(ctx)
	return err
}
