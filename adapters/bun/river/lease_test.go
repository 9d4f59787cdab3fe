package riverqueue_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	riverqueue "github.com/waauto/waauto/adapters/bun/river"
)

// TestLeaseOneOwnerHandedOverWhenTheOwnerDies: two instances (two pools)
// on one PostgreSQL; one owns a number, the other cannot take it until the
// owner releases it or dies (its connection closes).
func TestLeaseOneOwnerHandedOverWhenTheOwnerDies(t *testing.T) {
	ctx := context.Background()
	dsn := postgresDSN(t)
	open := func() *bun.DB {
		sqldb, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		db := bun.NewDB(sqldb, pgdialect.New())
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	// Advisory locks are database-wide: names unique to this run keep
	// repeated or concurrent runs apart.
	shop1, shop2 := fmt.Sprintf("shop-1-%d", time.Now().UnixNano()), fmt.Sprintf("shop-2-%d", time.Now().UnixNano())

	relA, ok, err := riverqueue.Lease(ctx, a, shop1)
	if err != nil || !ok {
		t.Fatalf("first lease: ok=%v err=%v", ok, err)
	}
	if _, ok, err := riverqueue.Lease(ctx, b, shop1); err != nil || ok {
		t.Fatalf("second instance leased a number the first owns: ok=%v err=%v", ok, err)
	}
	rel2, ok, err := riverqueue.Lease(ctx, b, shop2)
	if err != nil || !ok {
		t.Fatalf("another number: ok=%v err=%v", ok, err)
	}
	if err := rel2(); err != nil {
		t.Fatal(err)
	}
	if err := relA(); err != nil {
		t.Fatal(err)
	}
	relB, ok, err := riverqueue.Lease(ctx, b, shop1)
	if err != nil || !ok {
		t.Fatalf("after release: ok=%v err=%v", ok, err)
	}
	relB()

	// The owner dies: PostgreSQL sees its connection end (here: the
	// backend is terminated, as when the process is killed).
	if _, ok, err := riverqueue.Lease(ctx, a, shop1); err != nil || !ok {
		t.Fatalf("re-lease: ok=%v err=%v", ok, err)
	}
	if _, ok, _ := riverqueue.Lease(ctx, b, shop1); ok {
		t.Fatal("two owners")
	}
	var killed int
	if err := b.DB.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted
		AND objid::bigint = (hashtext($2)::bigint & 4294967295)`, 0x7761, shop1).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminate the owner's connection: %d terminated, %v", killed, err)
	}
	// pg_terminate_backend only signals the backend: its locks go when it
	// has exited, a moment later.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rel, ok, err := riverqueue.Lease(ctx, b, shop1)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			_ = rel()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lease was not handed over after the owner's connection died")
		}
	}
}

func TestLeaseOnSQLiteIsAlwaysOwned(t *testing.T) {
	store := newSQLite(t)
	rel, ok, err := riverqueue.Lease(context.Background(), store.DB(), "shop")
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	rel()
}
