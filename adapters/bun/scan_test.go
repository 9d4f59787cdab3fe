package bun_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/condition"
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

// ScanLogs returns every entry of the period once, without its trace and
// with its actions, over several pages (5,000 rows each) whose boundaries
// fall among entries of the same time.
func TestScanLogs(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *bunstore.Store{"sqlite": buntest.SQLite, "postgres": buntest.Postgres} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			ctx := context.Background()
			start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			const n = 12_000
			var logs []workflow.Execution
			for i := range n {
				acts := []workflow.ActionResult{{Type: "reply", Outcome: workflow.OutcomeFired}}
				if i%10 == 0 {
					acts = append(acts, workflow.ActionResult{Type: "assign", Outcome: workflow.OutcomeFired, Detail: fmt.Sprint("agent ", i)})
				}
				logs = append(logs, workflow.Execution{
					// IDs against the times' order, seven entries a second.
					ID: fmt.Sprintf("01JD%012d", n-i), Time: start.Add(time.Duration(i/7) * time.Second), WorkflowID: "w", Workflow: "W",
					Session: "main", Phone: "+33600000000", MessageID: fmt.Sprint("m", i), Outcome: workflow.OutcomeFired,
					Reason: "conditions matched", Trace: condition.Trace{{Path: "text", Leaf: "text contains x", Value: true}}, Actions: acts,
				})
			}
			for chunk := range slices.Chunk(logs, 1000) {
				if err := st.AppendLogs(ctx, chunk); err != nil {
					t.Fatal(err)
				}
			}
			from, to := logs[7].Time, logs[n-7].Time
			var want []workflow.Execution
			for _, x := range logs {
				if !x.Time.Before(from) && x.Time.Before(to) {
					x.Trace = nil
					want = append(want, x)
				}
			}
			got := map[string]workflow.Execution{}
			batches := 0
			err := st.ScanLogs(ctx, from, to, func(xs []workflow.Execution) error {
				batches++
				for _, x := range xs {
					if _, dup := got[x.ID]; dup {
						t.Fatalf("%s read twice", x.ID)
					}
					got[x.ID] = x
				}
				return nil
			})
			if err != nil || batches != 3 || len(got) != len(want) {
				t.Fatalf("%d entries in %d batches, want %d, err %v", len(got), batches, len(want), err)
			}
			for _, w := range want {
				if x := got[w.ID]; !reflect.DeepEqual(x, w) {
					t.Fatalf("entry %s = %+v, want %+v", w.ID, x, w)
				}
			}
		})
	}
}
