package bun_test

import (
	"context"
	"fmt"
	"testing"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/workflow"
)

// ScanMessages returns every message once, ordered by session, phone and
// seq, over several pages (5,000 rows each).
func TestScanMessages(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *bunstore.Store{"sqlite": buntest.SQLite, "postgres": buntest.Postgres} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			ctx := context.Background()
			tx, err := st.DB().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			const convs, per = 60, 100 // 6,000 messages: two pages
			for c := range convs {
				session, phone := fmt.Sprintf("s%d", c%3), fmt.Sprintf("+3361%07d", c)
				if _, err := tx.ExecContext(ctx, `INSERT INTO waauto_conversations (session, phone, agent, message_count, last_inbound_seq, last_agent_seq, last_inbound_at, last_reply_at) VALUES (?, ?, '', ?, 0, 0, 0, 0)`, session, phone, per); err != nil {
					t.Fatal(err)
				}
				for i := per; i >= 1; i-- { // inserted out of order
					if _, err := tx.ExecContext(ctx, `INSERT INTO waauto_messages (session, id, phone, author, kind, type, text, at, seq) VALUES (?, ?, ?, 'customer', '', 'text', 'x', ?, ?)`,
						session, fmt.Sprintf("m%d-%d", c, i), phone, i, i); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			var all []workflow.MessageRecord
			batches := 0
			err = st.ScanMessages(ctx, func(b []workflow.MessageRecord) error {
				batches++
				all = append(all, b...)
				return nil
			})
			if err != nil || batches != 2 || len(all) != convs*per {
				t.Fatalf("%d messages in %d batches, err %v", len(all), batches, err)
			}
			for i := 1; i < len(all); i++ {
				a, b := all[i-1], all[i]
				if a.Session > b.Session || a.Session == b.Session && (a.Phone > b.Phone || a.Phone == b.Phone && a.Seq+1 != b.Seq) {
					t.Fatalf("out of order at %d: %+v then %+v", i, a, b)
				}
			}
		})
	}
}
