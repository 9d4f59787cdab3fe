package riverqueue_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
)

// The claim benchmarks work the store's own waauto_scheduled table (a
// fresh SQLite file or PostgreSQL schema per run) with plain SQL: they
// measure what a dispatcher costs the database per due message, not the
// engine. ns/op is per message.

// fillDue replaces the table's rows with n pending messages due a minute ago.
func fillDue(tb testing.TB, db *sql.DB, pg bool, n int) {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "DELETE FROM waauto_scheduled"); err != nil {
		tb.Fatal(err)
	}
	due := time.Now().Add(-time.Minute).UnixNano()
	for lo := 0; lo < n; lo += 500 {
		hi := min(lo+500, n)
		var sb strings.Builder
		sb.WriteString("INSERT INTO waauto_scheduled (id, session, phone, text, at, status, message_id) VALUES ")
		args := make([]any, 0, 2*(hi-lo))
		for i := lo; i < hi; i++ {
			if i > lo {
				sb.WriteString(",")
			}
			if pg {
				fmt.Fprintf(&sb, "($%d, 'shop', '+4915112345678', 'hello', %d, 'pending', $%d)", len(args)+1, due+int64(i), len(args)+2)
			} else {
				fmt.Fprintf(&sb, "(?, 'shop', '+4915112345678', 'hello', %d, 'pending', ?)", due+int64(i))
			}
			args = append(args, fmt.Sprintf("m%08d", i), fmt.Sprintf("3EB0%08d", i))
		}
		if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
			tb.Fatal(err)
		}
	}
	if pg {
		// The planner must know the table is full of pending rows, as it
		// would in production after autovacuum's analyze.
		if _, err := db.ExecContext(ctx, "ANALYZE waauto_scheduled"); err != nil {
			tb.Fatal(err)
		}
	}
}

// claimSQL claims up to limit due pending rows (pending → sending) in
// one statement and returns them: on PostgreSQL with FOR UPDATE SKIP
// LOCKED so that concurrent dispatchers take disjoint rows; on SQLite,
// where one writer at a time holds the database, without.
func claimSQL(pg bool, limit int) string {
	lock := ""
	if pg {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	p1 := "?"
	if pg {
		p1 = "$1"
	}
	return fmt.Sprintf(`UPDATE waauto_scheduled SET status = 'sending'
WHERE id IN (SELECT id FROM waauto_scheduled WHERE status = 'pending' AND at <= %s ORDER BY at LIMIT %d%s)
AND status = 'pending'
RETURNING id, session, phone, text, message_id`, p1, limit, lock)
}

type claimed struct{ id, session, phone, text, msgID string }

func claim(ctx context.Context, db *sql.DB, pg bool, limit int) ([]claimed, error) {
	rows, err := db.QueryContext(ctx, claimSQL(pg, limit), time.Now().UnixNano())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []claimed
	for rows.Next() {
		var c claimed
		if err := rows.Scan(&c.id, &c.session, &c.phone, &c.text, &c.msgID); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// markSent moves claimed rows sending → sent in one statement.
func markSent(ctx context.Context, db *sql.DB, pg bool, cs []claimed) error {
	if len(cs) == 0 {
		return nil
	}
	var sb strings.Builder
	args := make([]any, 0, len(cs)+1)
	args = append(args, time.Now().UnixNano())
	if pg {
		sb.WriteString("UPDATE waauto_scheduled SET status = 'sent', done_at = $1 WHERE status = 'sending' AND id IN (")
	} else {
		sb.WriteString("UPDATE waauto_scheduled SET status = 'sent', done_at = ? WHERE status = 'sending' AND id IN (")
	}
	for i, c := range cs {
		if i > 0 {
			sb.WriteString(",")
		}
		if pg {
			fmt.Fprintf(&sb, "$%d", i+2)
		} else {
			sb.WriteString("?")
		}
		args = append(args, c.id)
	}
	sb.WriteString(")")
	res, err := db.ExecContext(ctx, sb.String(), args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != int64(len(cs)) {
		return fmt.Errorf("marked %d of %d sent", n, len(cs))
	}
	return nil
}

func benchStore(b *testing.B, backend string) (*sql.DB, bool) {
	var s *bunstore.Store
	if backend == "postgres" {
		s = newPostgres(b)
	} else {
		s = newSQLite(b)
	}
	return s.DB().DB, backend == "postgres"
}

// BenchmarkClaim compares claiming due scheduled messages one row per
// statement with claiming up to 100 rows per statement (the batch claim
// the issue asks about). Each op is one message claimed.
func BenchmarkClaim(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, batch := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/batch=%d", backend, batch), func(b *testing.B) {
				db, pg := benchStore(b, backend)
				ctx := context.Background()
				fillDue(b, db, pg, b.N)
				b.ResetTimer()
				got := 0
				for got < b.N {
					cs, err := claim(ctx, db, pg, batch)
					if err != nil {
						b.Fatal(err)
					}
					if len(cs) == 0 {
						b.Fatalf("claimed %d of %d, then none", got, b.N)
					}
					got += len(cs)
				}
				b.StopTimer()
				if got != b.N {
					b.Fatalf("claimed %d rows, want %d", got, b.N)
				}
			})
		}
	}
}

// BenchmarkDispatchDB is the database side of dispatching due scheduled
// messages: claim (pending → sending) then mark sent (sending → sent),
// per row or per batch of 100 — the sends themselves are not included.
// Each op is one message; msgs/s is the rate one dispatcher loop gets.
func BenchmarkDispatchDB(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, batch := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/batch=%d", backend, batch), func(b *testing.B) {
				db, pg := benchStore(b, backend)
				ctx := context.Background()
				fillDue(b, db, pg, b.N)
				b.ResetTimer()
				got := 0
				for got < b.N {
					cs, err := claim(ctx, db, pg, batch)
					if err != nil {
						b.Fatal(err)
					}
					if len(cs) == 0 {
						b.Fatalf("dispatched %d of %d, then none", got, b.N)
					}
					if err := markSent(ctx, db, pg, cs); err != nil {
						b.Fatal(err)
					}
					got += len(cs)
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
				var left int
				if err := db.QueryRowContext(ctx, "SELECT count(*) FROM waauto_scheduled WHERE status <> 'sent'").Scan(&left); err != nil {
					b.Fatal(err)
				}
				if left != 0 {
					b.Fatalf("%d rows not sent", left)
				}
			})
		}
	}
}
