package bun_test

import (
	"context"
	"testing"
)

// SQLite connections keep prepared statements for queries with
// arguments: the same query runs again with other arguments, and runs
// while its own rows are still open (the second run is uncached), on one
// connection (a transaction).
func TestStatementCache(t *testing.T) {
	st := newSQLite(t)
	ctx := context.Background()
	tx, err := st.DB().DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i := range 3 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO waauto_counters (key, value) VALUES (?, ?)`, "k"+string(rune('a'+i)), i); err != nil {
			t.Fatal(err)
		}
	}
	const q = `SELECT key, value FROM waauto_counters WHERE value >= ? ORDER BY key`
	outer, err := tx.QueryContext(ctx, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for outer.Next() {
		var k string
		var v int64
		if err := outer.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM waauto_counters WHERE value >= ?`, v).Scan(&n); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.QueryContext(ctx, q, v) // the outer rows hold the cached statement
		if err != nil {
			t.Fatal(err)
		}
		var m int64
		for inner.Next() {
			m++
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
		if m != n {
			t.Errorf("value %d: inner query saw %d rows, count %d", v, m, n)
		}
		got = append(got, n)
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != 3 || got[1] != 2 || got[2] != 1 {
		t.Errorf("counts %v, want [3 2 1]", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
