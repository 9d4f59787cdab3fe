package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/waauto/waauto/workflow"
)

// parallel runs f(0..n-1) in n goroutines released together and waits.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

func testConcurrency(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	for _, n := range []int{2, 16} {
		t.Run(fmt.Sprintf("RecordInbound_same_id/%d_goroutines", n), func(t *testing.T) {
			s, ctx := newStore(t), t.Context()
			results := make([]workflow.Inbound, n)
			parallel(n, func(i int) {
				in, err := s.RecordInbound(ctx, inbound(sess1, phoneA, "m1", 0))
				if err != nil {
					t.Errorf("RecordInbound in goroutine %d: %v", i, err)
				}
				results[i] = in
			})
			winners, news := 0, 0
			for i, in := range results {
				if !in.Duplicate {
					winners++
				}
				if in.NewContact {
					news++
				}
				if in.Seq != 1 {
					t.Errorf("goroutine %d: Seq = %d, want 1", i, in.Seq)
				}
			}
			if winners != 1 || news != 1 {
				t.Errorf("%d concurrent RecordInbound of one message: %d not duplicates, %d NewContact; want exactly 1 and 1", n, winners, news)
			}
			c := get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation")
			if c.MessageCount != 1 {
				t.Errorf("MessageCount = %d after recording one message %d times concurrently, want 1", c.MessageCount, n)
			}
		})
	}

	t.Run("RecordInbound_distinct_ids_get_distinct_seqs", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		const workers, each = 16, 10
		seqs := make([][]int64, workers)
		parallel(workers, func(w int) {
			for j := range each {
				if j%3 == 2 {
					conv, err := s.RecordOutbound(ctx, outbound(sess1, phoneA, fmt.Sprintf("o%d-%d", w, j), workflow.AuthorAutomation, j))
					if err != nil {
						t.Errorf("RecordOutbound: %v", err)
					}
					seqs[w] = append(seqs[w], conv.MessageCount)
					continue
				}
				in, err := s.RecordInbound(ctx, inbound(sess1, phoneA, fmt.Sprintf("m%d-%d", w, j), j))
				if err != nil {
					t.Errorf("RecordInbound: %v", err)
				}
				seqs[w] = append(seqs[w], in.Seq)
			}
		})
		all := slices.Concat(seqs...)
		slices.Sort(all)
		for i, seq := range all {
			if seq != int64(i+1) {
				t.Fatalf("Seqs of %d messages recorded concurrently are not 1..%d: sorted %v", len(all), len(all), all)
			}
		}
		if c := get(s.Conversation(ctx, sess1, phoneA)).must(t, "Conversation"); c.MessageCount != workers*each {
			t.Errorf("MessageCount = %d, want %d", c.MessageCount, workers*each)
		}
	})

	testFiringConcurrency(t, newStore)

	t.Run("TransitionScheduled_one_winner", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.PutScheduled(ctx, scheduled("s1", sess1, 0, workflow.SchedulePending)), "PutScheduled")
		var mu sync.Mutex
		wins := 0
		parallel(16, func(i int) {
			err := s.TransitionScheduled(ctx, "s1", workflow.SchedulePending, workflow.ScheduleSending, "", at(i))
			switch {
			case err == nil:
				mu.Lock()
				wins++
				mu.Unlock()
			case !errors.Is(err, workflow.ErrConflict):
				t.Errorf("losing TransitionScheduled: error %v, want one wrapping ErrConflict", err)
			}
		})
		if wins != 1 {
			t.Errorf("16 concurrent pending→sending claims: %d won, want exactly 1", wins)
		}
		if m := get(s.Scheduled(ctx, "s1")).must(t, "Scheduled"); m.Status != workflow.ScheduleSending {
			t.Errorf("status after the claims = %s, want sending", m.Status)
		}
	})

	t.Run("Next_no_lost_increments", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		got := make([][]int64, 16)
		parallel(16, func(w int) {
			for range 10 {
				v, err := s.Next(ctx, "rr", "", "")
				if err != nil {
					t.Errorf("Next: %v", err)
				}
				got[w] = append(got[w], v)
			}
		})
		all := slices.Concat(got...)
		slices.Sort(all)
		for i, v := range all {
			if v != int64(i) {
				t.Fatalf("160 concurrent Next calls returned %v, want 0..159 each once", all)
			}
		}
	})

	t.Run("UpdateLabels_no_lost_labels", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		parallel(16, func(i int) {
			if _, err := s.UpdateLabels(ctx, phoneA, []string{fmt.Sprintf("l%02d", i)}, nil); err != nil {
				t.Errorf("UpdateLabels: %v", err)
			}
		})
		labels := slices.Clone(get(s.Contact(ctx, phoneA)).must(t, "Contact").Labels)
		slices.Sort(labels)
		if distinct := slices.Compact(slices.Clone(labels)); len(labels) != 16 || len(distinct) != 16 {
			t.Errorf("labels after 16 concurrent UpdateLabels = %q, want 16 distinct", labels)
		}
	})

	t.Run("DebitCredits_over_subscribed", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.SetCredits(ctx, 100), "SetCredits")
		const workers, each, cost = 16, 10, 3 // 480 credits asked for, 100 available
		balances := make([][]int64, workers)
		parallel(workers, func(w int) {
			for range each {
				b, err := s.DebitCredits(ctx, cost)
				if err != nil {
					t.Errorf("DebitCredits: %v", err)
				}
				balances[w] = append(balances[w], b)
			}
		})
		var positive []int64
		for _, b := range slices.Concat(balances...) {
			if b < 0 {
				t.Errorf("DebitCredits returned a negative balance %d", b)
			}
			if b > 0 {
				positive = append(positive, b)
			}
		}
		slices.Sort(positive)
		var want []int64 // every successful debit leaves a distinct balance: 1, 4, ..., 97
		for b := int64(100 - cost); b > 0; b -= cost {
			want = append(want, b)
		}
		slices.Reverse(want)
		if !slices.Equal(positive, want) {
			t.Errorf("positive balances returned by concurrent debits of %d from 100 = %v, want %v (each once: no lost update)", cost, positive, want)
		}
		if got := get(s.CreditBalance(ctx)).must(t, "CreditBalance"); got != 0 {
			t.Errorf("balance after over-subscribed debits = %d, want 0 (all 100 debited, never below)", got)
		}
	})

	t.Run("DebitCredits_no_lost_debits", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		ok(t, s.SetCredits(ctx, 1000), "SetCredits")
		parallel(16, func(int) {
			for range 10 {
				if _, err := s.DebitCredits(ctx, 2); err != nil {
					t.Errorf("DebitCredits: %v", err)
				}
			}
		})
		if got := get(s.CreditBalance(ctx)).must(t, "CreditBalance"); got != 1000-16*10*2 {
			t.Errorf("balance after 160 concurrent debits of 2 from 1000 = %d, want %d", got, 1000-16*10*2)
		}
	})
}
