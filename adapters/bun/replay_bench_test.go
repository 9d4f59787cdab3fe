//go:build unix

package bun_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/adapters/bun/buntest"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/replay"
)

// replayDraft is a plausible shop's rule set: hours, keywords, agent, labels.
const replayDraft = `
workflows:
  - name: Hors horaires
    trigger: incoming_message
    priority: 10
    stop: true
    conditions:
      all:
        - not: {schedule: {days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}}
        - agent: {assigned: false}
    actions: [{reply: {text: "Fermé"}}]
  - name: Prix
    trigger: incoming_message
    conditions: {text: {contains_any: [prix, combien, tarif]}}
    actions: [{reply: {text: "Nos prix"}}]
  - name: Livraison
    trigger: incoming_message
    conditions: {text: {contains_any: [livraison, livrez, colis]}}
    cooldown: 1h
    actions: [{reply: {text: "Livraison"}}]
  - name: VIP
    trigger: incoming_message
    conditions: {all: [{labels: {has: vip}}, {message_count: {lte: 3}}]}
    actions: [{assign: {agent: alice}}]
  - name: Bienvenue
    trigger: new_contact
    actions: [{reply: {text: "Bienvenue"}}]
`

var replayTexts = []string{"Bonjour", "quel est le prix du pull ?", "Vous livrez en Belgique ?", "merci beaucoup", "mon colis n'est pas arrivé", "Combien pour deux ?"}

// fillReplay stores convs conversations of perConv messages (customer and
// automation in turn, a minute apart) and a log firing for each customer
// message, in one transaction; it returns the number of customer messages.
func fillReplay(b testing.TB, st *bunstore.Store, convs, perConv int, start time.Time) int {
	ctx := context.Background()
	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	customers := 0
	var logs []workflow.Execution
	for c := range convs {
		phone := fmt.Sprintf("+3361%07d", c)
		labels := "[]"
		if c%10 == 0 {
			labels = `["vip"]`
		}
		agent := ""
		if c%4 == 0 {
			agent = "bob"
		}
		base := start.Add(time.Duration(c) * 37 * time.Minute)
		if _, err := tx.ExecContext(ctx, `INSERT INTO waauto_conversations (session, phone, agent, message_count, last_inbound_seq, last_agent_seq, last_inbound_at, last_reply_at) VALUES ('main', ?, ?, ?, 0, 0, 0, 0)`,
			phone, agent, perConv); err != nil {
			b.Fatal(err)
		}
		for i := range perConv {
			author, at := "customer", base.Add(time.Duration(i)*time.Minute)
			if i%2 == 1 {
				author = "automation"
			} else {
				customers++
				logs = append(logs, workflow.Execution{ID: fmt.Sprintf("01JD%08d%012d", c, i), Time: at, WorkflowID: "prix", Workflow: "Prix",
					Session: "main", Phone: phone, MessageID: fmt.Sprintf("m%d-%d", c, i), Trigger: "incoming_message",
					Outcome: workflow.OutcomeFired, Reason: "conditions matched",
					Actions: []workflow.ActionResult{{Type: "reply", Outcome: workflow.OutcomeFired}}})
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO waauto_messages (session, id, phone, author, kind, type, text, at, seq) VALUES (?, ?, ?, ?, '', 'text', ?, ?, ?)`,
				"main", fmt.Sprintf("m%d-%d", c, i), phone, author, replayTexts[(c+i)%len(replayTexts)], at.UnixNano(), i+1); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO waauto_contacts (phone, name, labels, excluded, imported, created_at) VALUES (?, '', ?, FALSE, FALSE, ?)`,
			phone, labels, base.UnixNano()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for len(logs) > 0 {
		n := min(len(logs), 1000)
		if err := st.AppendLogs(ctx, logs[:n]); err != nil {
			b.Fatal(err)
		}
		logs = logs[n:]
	}
	return customers
}

// BenchmarkReplaySQLite replays 10,000 customer messages (1,000
// conversations of 20 messages, every customer message with a logged
// firing) from the embedded SQLite store through a five-workflow draft;
// msgs/s is customer messages replayed per second of wall time, reading
// included, and msgs/cpu-s per second of the process's CPU time (user and
// system), which a loaded machine does not distort.
func BenchmarkReplaySQLite(b *testing.B) {
	st, err := bunstore.Open(context.Background(), b.TempDir()+"/replay.db", buntest.Quiet())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	benchReplay(b, st)
}

// BenchmarkReplayPostgres is BenchmarkReplaySQLite on PostgreSQL
// (WAAUTO_TEST_POSTGRES, skipped without). Its msgs/cpu-s counts this
// process only, not the server's work.
func BenchmarkReplayPostgres(b *testing.B) {
	benchReplay(b, buntest.Postgres(b))
}

// benchReplay fills st and replays it b.N times.
func benchReplay(b *testing.B, st *bunstore.Store) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	n := fillReplay(b, st, 1000, 20, start)
	draft, err := workflow.Load("draft.yaml", []byte(replayDraft), workflow.LoadOptions{Compiler: expr.New()})
	if err != nil {
		b.Fatal(err)
	}
	opts := replay.Options{Since: start, Compiler: expr.New()}
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for b.Loop() {
		rep, err := replay.Run(ctx, st, draft, opts)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Messages != n {
			b.Fatalf("replayed %d messages, want %d", rep.Messages, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(n)*float64(b.N)/(cpuTime(b)-cpu0).Seconds(), "msgs/cpu-s")
}

// cpuTime is the CPU time the process used so far.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
