package pacing

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/waauto/waauto/workflow"
)

// clock is a settable workflow.Clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// Sweeping changes no slot: a pacer that sweeps after every reservation
// and one that never does give the same slots to the same random sends
// (a few numbers and recipients, replies and cold sends, bursts, random
// gaps, cancels); and a sweep after the recipients went quiet leaves only
// the buckets still ahead of now.
func TestSweepChangesNoSlot(t *testing.T) {
	start := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	for seed := range uint64(50) {
		ca, cb := &clock{now: start}, &clock{now: start}
		cfg := func(c *clock) Config {
			return Config{Clock: c, Rand: rand.New(rand.NewPCG(seed, 1)), Reply: Rule{Every: 6 * time.Second, Burst: 2, Jitter: time.Second},
				Cold: Rule{Every: 12 * time.Second, Burst: 1, Jitter: 3 * time.Second}}
		}
		a, b := New(nil, cfg(ca)), New(nil, cfg(cb))
		r := rand.New(rand.NewPCG(seed, 2))
		for i := range 300 {
			gap := time.Duration(r.IntN(20_000)) * time.Millisecond
			ca.now, cb.now = ca.now.Add(gap), cb.now.Add(gap)
			m := workflow.Outgoing{ID: string(rune('a' + i%26)), Session: []string{"s1", "s2"}[r.IntN(2)], To: []string{"+1", "+2", "+3"}[r.IntN(3)],
				Kind: []workflow.SendKind{workflow.SendFixed, workflow.SendScheduled}[r.IntN(2)], Text: "ok"}
			reply := IsReply(m.Kind)
			atA, errA := a.reserve(m, reply)
			atB, errB := b.reserve(m, reply)
			if !atA.Equal(atB) || (errA == nil) != (errB == nil) {
				t.Fatalf("seed %d, send %d: slot %v (%v) with sweeps, %v (%v) without", seed, i, atA, errA, atB, errB)
			}
			if r.IntN(5) == 0 {
				m.Paced = true
				a.giveBack(m, reply)
				b.giveBack(m, reply)
			}
			a.sweep(ca.now)
		}
		if b.reserved >= sweepEvery {
			t.Fatal("the pacer without sweeps swept")
		}
		ca.now = ca.now.Add(time.Hour)
		a.sweep(ca.now)
		if len(a.tat) != 0 || len(a.last) != 0 {
			t.Fatalf("seed %d: %d buckets, %d reservations left an hour after the last send, want none", seed, len(a.tat), len(a.last))
		}
	}
}

// Every sweepEvery reservations the pacer sweeps by itself: a number that
// answered many customers once holds only the recent ones.
func TestManyRecipientsAreForgotten(t *testing.T) {
	c := &clock{now: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	p := New(nil, Config{Clock: c})
	for i := range 3 * sweepEvery {
		c.now = c.now.Add(time.Minute)
		if _, err := p.reserve(workflow.Outgoing{ID: "x", Session: "s1", To: "+" + string(rune('0'+i%10)) + time.Duration(i).String(), Kind: workflow.SendFixed}, true); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.tat) > sweepEvery || len(p.last) > sweepEvery {
		t.Fatalf("%d buckets, %d reservations after %d replies a minute apart to different customers: want at most %d", len(p.tat), len(p.last), 3*sweepEvery, sweepEvery)
	}
}
