package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// logID is the time-ordered ID of the i-th log entry: IDs sort as i does.
func logID(i int) string { return fmt.Sprintf("01K%09d", i) }

// logEntry is the i-th log entry, made at at(i); its fields cycle so that
// filters select different subsets.
func logEntry(i int) workflow.Execution {
	outcomes := []workflow.Outcome{workflow.OutcomeFired, workflow.OutcomeSkipped, workflow.OutcomeCancelled, workflow.OutcomeFailed}
	reasons := []string{"conditions matched", "insufficient credits", "customer_message"}
	e := workflow.Execution{
		ID: logID(i), Time: at(i),
		WorkflowID: fmt.Sprintf("w%d", i%3), Workflow: fmt.Sprintf("Workflow %d", i%3),
		Session: []string{sess1, sess2}[i%2], Phone: []string{phoneA, phoneB, phoneC}[i%3],
		MessageID: fmt.Sprintf("m%d", i), Trigger: trigger.KindIncomingMessage,
		Outcome: outcomes[i%4], Reason: reasons[i%3],
		Trace: condition.Trace{
			{Path: "all[0].text", Leaf: `text contains "prix"`, Value: true},
			{Path: "all[1].not.labels", Leaf: `labels has "vip"`, Value: i%2 == 0},
		},
		Actions: []workflow.ActionResult{{Type: "reply", Outcome: workflow.OutcomeFired, Detail: "sent m-out"}},
	}
	if e.Outcome == workflow.OutcomeFailed {
		e.Actions[0].Error = "transport: not connected"
	}
	if i%3 == 0 {
		e.Actions = append(e.Actions, workflow.ActionResult{Type: "ai_reply", Outcome: workflow.OutcomeFired, Detail: "model m, 10+5 tokens", Credits: int64(i + 3)})
	}
	return e
}

func logEntries(from, to int) []workflow.Execution {
	var out []workflow.Execution
	for i := from; i < to; i++ {
		out = append(out, logEntry(i))
	}
	return out
}

func logIDs(es []workflow.Execution) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// newestFirst returns the IDs of the entries from..to-1 that match keep,
// newest first.
func newestFirst(from, to int, keep func(workflow.Execution) bool) []string {
	var out []string
	for i := to - 1; i >= from; i-- {
		if e := logEntry(i); keep == nil || keep(e) {
			out = append(out, e.ID)
		}
	}
	return out
}

// queryAll follows Next until the last page and returns every ID in order,
// failing on a repeated cursor.
func queryAll(t *testing.T, s workflow.Logs, q workflow.LogQuery) []string {
	t.Helper()
	var ids []string
	for range 10000 {
		page := get(s.QueryLogs(t.Context(), q)).must(t, "QueryLogs")
		ids = append(ids, logIDs(page.Entries)...)
		if page.Next == "" {
			return ids
		}
		if page.Next == q.After {
			t.Fatalf("QueryLogs(%+v) returned its own After as Next", q)
		}
		q.After = page.Next
	}
	t.Fatalf("QueryLogs(%+v): no last page after 10000 pages", q)
	return nil
}

func testLogs(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Run("empty", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.AppendLogs(ctx, nil), "AppendLogs(no entries)")
		page := get(s.QueryLogs(ctx, workflow.LogQuery{})).must(t, "QueryLogs")
		if len(page.Entries) != 0 || page.Next != "" {
			t.Errorf("QueryLogs of a new store = %v, Next %q; want no entries, no Next", logIDs(page.Entries), page.Next)
		}
		if n := get(s.PurgeLogs(ctx, at(1000), 10)).must(t, "PurgeLogs"); n != 0 {
			t.Errorf("PurgeLogs of a new store = %d, want 0", n)
		}
	})

	t.Run("round_trip", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		entries := []workflow.Execution{logEntry(0), logEntry(3)}
		entries[1].Trace, entries[1].Actions = nil, nil
		ok(t, s.AppendLogs(ctx, entries), "AppendLogs")
		page := get(s.QueryLogs(ctx, workflow.LogQuery{})).must(t, "QueryLogs")
		if len(page.Entries) != 2 {
			t.Fatalf("QueryLogs = %v, want 2 entries", logIDs(page.Entries))
		}
		checkExecution(t, "newest entry", page.Entries[0], entries[1])
		checkExecution(t, "oldest entry", page.Entries[1], entries[0])
	})

	t.Run("entry_without_id", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		err := s.AppendLogs(ctx, []workflow.Execution{logEntry(0), {WorkflowID: "no-id"}})
		wantErr(t, err, "AppendLogs with an entry without ID", workflow.ErrLogWithoutID)
		if page := get(s.QueryLogs(ctx, workflow.LogQuery{})).must(t, "QueryLogs"); len(page.Entries) != 0 {
			t.Errorf("a rejected batch stored %v, want nothing of it", logIDs(page.Entries))
		}
	})

	t.Run("entries_are_copied", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		in := []workflow.Execution{logEntry(0)}
		ok(t, s.AppendLogs(ctx, in), "AppendLogs")
		in[0].Trace[0].Value, in[0].Actions[0].Detail = false, "mutated input"
		got := get(s.QueryLogs(ctx, workflow.LogQuery{})).must(t, "QueryLogs").Entries
		if len(got) != 1 {
			t.Fatalf("QueryLogs = %v, want 1 entry", logIDs(got))
		}
		checkExecution(t, "after mutating the appended entry", got[0], logEntry(0))
		got[0].Trace[0].Value, got[0].Actions[0].Detail = false, "mutated output"
		again := get(s.QueryLogs(ctx, workflow.LogQuery{})).must(t, "QueryLogs").Entries
		checkExecution(t, "after mutating a returned entry", again[0], logEntry(0))
	})

	t.Run("newest_first_with_default_limit", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.AppendLogs(ctx, logEntries(0, 30)), "AppendLogs")
		ok(t, s.AppendLogs(ctx, logEntries(30, 60)), "AppendLogs")
		page := get(s.QueryLogs(ctx, workflow.LogQuery{})).must(t, "QueryLogs")
		if got, want := logIDs(page.Entries), newestFirst(10, 60, nil); !same(got, want) {
			t.Errorf("first page with the default limit = %v, want %v (50 newest)", got, want)
		}
		if page.Next != logID(10) {
			t.Errorf("first page Next = %q, want %q (the last ID of the page)", page.Next, logID(10))
		}
		page = get(s.QueryLogs(ctx, workflow.LogQuery{After: page.Next})).must(t, "QueryLogs")
		if got, want := logIDs(page.Entries), newestFirst(0, 10, nil); !same(got, want) || page.Next != "" {
			t.Errorf("second page = %v, Next %q; want %v, no Next", got, page.Next, want)
		}
	})

	t.Run("last_full_page_has_no_next", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.AppendLogs(ctx, logEntries(0, 20)), "AppendLogs")
		p1 := get(s.QueryLogs(ctx, workflow.LogQuery{Limit: 10})).must(t, "QueryLogs")
		p2 := get(s.QueryLogs(ctx, workflow.LogQuery{Limit: 10, After: p1.Next})).must(t, "QueryLogs")
		if len(p2.Entries) != 10 || p2.Next != "" {
			t.Errorf("second of exactly two pages: %d entries, Next %q; want 10, \"\"", len(p2.Entries), p2.Next)
		}
	})

	t.Run("limit_is_capped_at_1000", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.AppendLogs(ctx, logEntries(0, 1001)), "AppendLogs(1001 entries)")
		page := get(s.QueryLogs(ctx, workflow.LogQuery{Limit: 5000})).must(t, "QueryLogs")
		if len(page.Entries) != 1000 || page.Next != logID(1) {
			t.Errorf("QueryLogs(Limit 5000) = %d entries, Next %q; want 1000, %q", len(page.Entries), page.Next, logID(1))
		}
	})

	t.Run("filters", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.AppendLogs(ctx, logEntries(0, 24)), "AppendLogs")
		for _, c := range []struct {
			name string
			q    workflow.LogQuery
			keep func(workflow.Execution) bool
		}{
			{"workflow", workflow.LogQuery{WorkflowID: "w1"}, func(e workflow.Execution) bool { return e.WorkflowID == "w1" }},
			{"session", workflow.LogQuery{Session: sess2}, func(e workflow.Execution) bool { return e.Session == sess2 }},
			{"phone", workflow.LogQuery{Phone: phoneC}, func(e workflow.Execution) bool { return e.Phone == phoneC }},
			{"outcome", workflow.LogQuery{Outcome: workflow.OutcomeSkipped}, func(e workflow.Execution) bool { return e.Outcome == workflow.OutcomeSkipped }},
			{"reason", workflow.LogQuery{Reason: "insufficient credits"}, func(e workflow.Execution) bool { return e.Reason == "insufficient credits" }},
			{"period", workflow.LogQuery{From: at(5), To: at(12)}, func(e workflow.Execution) bool { return !e.Time.Before(at(5)) && e.Time.Before(at(12)) }},
			{"conversation", workflow.LogQuery{Session: sess1, Phone: phoneA}, func(e workflow.Execution) bool { return e.Session == sess1 && e.Phone == phoneA }},
			{"no match", workflow.LogQuery{WorkflowID: "w1", Phone: phoneA}, func(workflow.Execution) bool { return false }},
		} {
			want := newestFirst(0, 24, c.keep)
			page := get(s.QueryLogs(ctx, c.q)).must(t, "QueryLogs")
			if got := logIDs(page.Entries); !same(got, want) || page.Next != "" {
				t.Errorf("QueryLogs(%s: %+v) = %v, Next %q; want %v, no Next", c.name, c.q, got, page.Next, want)
			}
			paged := c.q
			paged.Limit = 2
			if got := queryAll(t, s, paged); !same(got, want) {
				t.Errorf("QueryLogs(%s) in pages of 2 = %v, want %v", c.name, got, want)
			}
		}
	})

	t.Run("pagination_is_stable_while_appending", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.AppendLogs(ctx, logEntries(0, 250)), "AppendLogs(250)")
		first := get(s.QueryLogs(ctx, workflow.LogQuery{Limit: 100})).must(t, "QueryLogs(first page)")

		stop, appended := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		var stopOnce sync.Once
		halt := func() error { stopOnce.Do(func() { close(stop) }); return <-done }
		defer func() { _ = halt() }() // also when a page check fails the test
		go func() {
			defer close(done)
			for i := 1000; ; i += 10 {
				if err := s.AppendLogs(ctx, logEntries(i, i+10)); err != nil {
					if i == 1000 {
						close(appended)
					}
					done <- err
					return
				}
				if i == 1000 {
					close(appended)
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
		<-appended
		rest := queryAll(t, s, workflow.LogQuery{Limit: 100, After: first.Next})
		ok(t, halt(), "concurrent AppendLogs")

		got := append(logIDs(first.Entries), rest...)
		if want := newestFirst(0, 250, nil); !same(got, want) {
			t.Errorf("paging 250 entries by 100 while newer ones were appended returned %d IDs (first %v), want the 250 in order, each once", len(got), got[:min(5, len(got))])
		}
		if top := get(s.QueryLogs(ctx, workflow.LogQuery{Limit: 1})).must(t, "QueryLogs").Entries; len(top) != 1 || top[0].ID <= logID(999) {
			t.Errorf("a new first page = %v, want a newer appended entry first", logIDs(top))
		}
	})

	t.Run("purge_oldest_first_in_bounded_batches", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.AppendLogs(ctx, logEntries(0, 30)), "AppendLogs")
		purged := 0
		for _, want := range []int{8, 8, 4, 0} {
			n := get(s.PurgeLogs(ctx, at(20), 8)).must(t, "PurgeLogs")
			if n != want {
				t.Errorf("PurgeLogs(before entry 20, limit 8) = %d, want %d", n, want)
			}
			purged += want
			if got, want := queryAll(t, s, workflow.LogQuery{Limit: 1000}), newestFirst(purged, 30, nil); !same(got, want) {
				t.Fatalf("after purging %d entries, the log holds %v, want %v (oldest purged first)", purged, got, want)
			}
		}
		if got, want := queryAll(t, s, workflow.LogQuery{Limit: 1000}), newestFirst(20, 30, nil); !same(got, want) {
			t.Errorf("entries after purging before entry 20 = %v, want %v (entry 20 itself is not older)", got, want)
		}
	})
}

func testCredits(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	s, ctx := newStore(t), t.Context()
	if got := get(s.CreditBalance(ctx)).must(t, "CreditBalance"); got != 0 {
		t.Errorf("CreditBalance of a new store = %d, want 0", got)
	}
	ok(t, s.SetCredits(ctx, 100), "SetCredits(100)")
	for _, c := range []struct{ debit, want int64 }{{30, 70}, {0, 70}, {70, 0}, {5, 0}} {
		if got := get(s.DebitCredits(ctx, c.debit)).must(t, "DebitCredits"); got != c.want {
			t.Errorf("DebitCredits(%d) = %d, want %d", c.debit, got, c.want)
		}
	}
	ok(t, s.SetCredits(ctx, 10), "SetCredits(10)")
	if got := get(s.DebitCredits(ctx, 25)).must(t, "DebitCredits"); got != 0 {
		t.Errorf("DebitCredits(25) from 10 = %d, want 0 (never below 0)", got)
	}
	if got := get(s.CreditBalance(ctx)).must(t, "CreditBalance"); got != 0 {
		t.Errorf("CreditBalance after over-debiting = %d, want 0", got)
	}
	ok(t, s.SetCredits(ctx, 10), "SetCredits(10)")
	_, err := s.DebitCredits(ctx, -5)
	wantErr(t, err, "DebitCredits(-5)", workflow.ErrNegativeDebit)
	if got := get(s.CreditBalance(ctx)).must(t, "CreditBalance"); got != 10 {
		t.Errorf("CreditBalance after a rejected negative debit = %d, want 10", got)
	}
}
