package pacing_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/pacing"
)

// fakeClock is a virtual clock whose Sleep moves time forward at once.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return nil
}

type event struct {
	typing bool // the indicator shown
	stop   bool // the indicator cleared
	at     time.Time
	m      workflow.Outgoing
}

// recorder is a transport that records sends and typing indicators.
type recorder struct {
	clock  *fakeClock
	events []event
}

func (r *recorder) Send(_ context.Context, m workflow.Outgoing) error {
	r.events = append(r.events, event{at: r.clock.Now(), m: m})
	return nil
}

// typingRecorder also implements pacing.Typer.
type typingRecorder struct{ recorder }

func (r *typingRecorder) SendTyping(_ context.Context, m workflow.Outgoing) error {
	r.events = append(r.events, event{typing: true, at: r.clock.Now(), m: m})
	return nil
}

func (r *typingRecorder) StopTyping(_ context.Context, m workflow.Outgoing) error {
	r.events = append(r.events, event{stop: true, at: r.clock.Now(), m: m})
	return nil
}

var start = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

func sends(evs []event) []time.Time {
	var out []time.Time
	for _, e := range evs {
		if !e.typing && !e.stop {
			out = append(out, e.at)
		}
	}
	return out
}

// checkGaps fails on a gap below min, on no jitter, and on more than
// perMinute sends in any minute.
func checkGaps(t *testing.T, at []time.Time, minGap time.Duration, perMinute int) {
	t.Helper()
	var gaps []float64
	for i := 1; i < len(at); i++ {
		g := at[i].Sub(at[i-1])
		if g < minGap {
			t.Fatalf("send %d came %s after the previous one; the minimum is %s", i, g, minGap)
		}
		gaps = append(gaps, g.Seconds())
	}
	var mean, sd float64
	for _, g := range gaps {
		mean += g
	}
	mean /= float64(len(gaps))
	for _, g := range gaps {
		sd += (g - mean) * (g - mean)
	}
	sd = math.Sqrt(sd / float64(len(gaps)))
	if sd == 0 {
		t.Fatalf("all %d gaps are %.3fs: no jitter", len(gaps), mean)
	}
	for i, j := 0, 0; i < len(at); i++ {
		for at[i].Sub(at[j]) >= time.Minute {
			j++
		}
		if n := i - j + 1; n > perMinute {
			t.Fatalf("%d sends within a minute ending at send %d; at most %d allowed", n, i, perMinute)
		}
	}
	t.Logf("%d sends, gap mean %.2fs sd %.2fs", len(at), mean, sd)
}

func TestScheduledSendsOnOneNumberAreSpaced(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: start}
	rec := &recorder{clock: clock}
	var logs bytes.Buffer
	p := pacing.New(rec, pacing.Config{Clock: clock, Sleeper: clock, Rand: rand.New(rand.NewPCG(1, 2)),
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for i := range 1000 {
		// Every send is queued at the start: all of them are due at once.
		m := workflow.Outgoing{ID: "id", Session: "shop", To: "+4915100000" + string(rune('0'+i%10)), Kind: workflow.SendScheduled, Text: "hi"}
		if err := p.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	checkGaps(t, sends(rec.events), 12*time.Second, 5)
	if n := strings.Count(logs.String(), "send deferred by pacing"); n < 999 {
		t.Fatalf("%d deferred sends logged, want at least 999", n)
	}
}

func TestRepliesShowTypingFirstAndAreSpaced(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: start}
	rec := &typingRecorder{recorder{clock: clock}}
	p := pacing.New(rec, pacing.Config{Clock: clock, Sleeper: clock, Rand: rand.New(rand.NewPCG(3, 4))})
	for range 1000 {
		if err := p.Send(ctx, workflow.Outgoing{ID: "x", Session: "shop", To: "+4915112345678", Kind: workflow.SendAI, Text: "thanks, on its way"}); err != nil {
			t.Fatal(err)
		}
	}
	checkGaps(t, sends(rec.events), 6*time.Second, 10)
	typing := false
	for i, e := range rec.events {
		if e.typing {
			typing = true
			continue
		}
		if !typing {
			t.Fatalf("reply %d went out without a typing indicator before it", i)
		}
		typing = false
	}
}

func TestOtherRecipientsAreNotSlowedByOneChat(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: start}
	rec := &recorder{clock: clock}
	p := pacing.New(rec, pacing.Config{Clock: clock, Sleeper: clock, Reply: pacing.Rule{Every: 6 * time.Second, Burst: 1}, Typing: func(string) time.Duration { return 0 }})
	for _, to := range []string{"+1", "+1", "+2"} {
		if err := p.Send(ctx, workflow.Outgoing{Session: "shop", To: to, Kind: workflow.SendFixed}); err != nil {
			t.Fatal(err)
		}
	}
	got := sends(rec.events)
	if got[1].Sub(got[0]) != 6*time.Second || got[2] != got[1] {
		t.Fatalf("sends at %v; want the second reply to +1 after 6s and the reply to +2 without waiting", got)
	}
	if !rec.events[0].m.Typing {
		t.Fatalf("a transport without SendTyping got a reply without Outgoing.Typing")
	}
}

func TestLongWaitsRefreshTyping(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: start}
	rec := &typingRecorder{recorder{clock: clock}}
	p := pacing.New(rec, pacing.Config{Clock: clock, Sleeper: clock, Reply: pacing.Rule{Every: time.Minute, Burst: 1}})
	for range 3 {
		if err := p.Send(ctx, workflow.Outgoing{Session: "shop", To: "+1", Kind: workflow.SendAI, Text: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	var last time.Time
	for i, e := range rec.events {
		if !last.IsZero() && e.at.Sub(last) > 20*time.Second {
			t.Fatalf("event %d: %s without a typing refresh", i, e.at.Sub(last))
		}
		if e.typing {
			last = e.at
		} else {
			last = time.Time{}
		}
	}
}

func TestMaxWaitDefersWithoutTakingTheSlot(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: start}
	rec := &recorder{clock: clock}
	p := pacing.New(rec, pacing.Config{Clock: clock, Sleeper: clock, MaxWait: time.Second, Cold: pacing.Rule{Every: 12 * time.Second, Burst: 1}})
	m := workflow.Outgoing{Session: "shop", To: "+1", Kind: workflow.SendScheduled}
	if err := p.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	var d *pacing.DeferredError
	err := p.Send(ctx, m)
	if !errors.Is(err, pacing.ErrDeferred) || !errors.As(err, &d) || !d.Until.Equal(start.Add(12*time.Second)) {
		t.Fatalf("second send: %v; want a deferral until %s", err, start.Add(12*time.Second))
	}
	// The deferred attempt took no slot: a retry at Until goes out then.
	clock.Sleep(ctx, 12*time.Second)
	if err := p.Send(ctx, m); err != nil {
		t.Fatalf("retry at the slot: %v", err)
	}
	if got := sends(rec.events); len(got) != 2 || !got[1].Equal(start.Add(12*time.Second)) {
		t.Fatalf("sends at %v", got)
	}
}

func TestHeldNumberSendsNothing(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: start}
	rec := &recorder{clock: clock}
	p := pacing.New(rec, pacing.Config{Clock: clock, Sleeper: clock})
	p.Hold("shop", start.Add(time.Hour))
	m := workflow.Outgoing{Session: "shop", To: "+1", Kind: workflow.SendScheduled}
	if err := p.Send(ctx, m); !errors.Is(err, pacing.ErrHeld) {
		t.Fatalf("send while banned: %v, want ErrHeld", err)
	}
	if err := p.Send(ctx, workflow.Outgoing{Session: "other", To: "+1", Kind: workflow.SendScheduled}); err != nil {
		t.Fatalf("another number is not held: %v", err)
	}
	clock.Sleep(ctx, time.Hour)
	if err := p.Send(ctx, m); err != nil {
		t.Fatalf("send after the ban's end: %v", err)
	}
	p.Hold("shop", time.Time{})
	clock.Sleep(ctx, 100*time.Hour)
	if err := p.Send(ctx, m); !errors.Is(err, pacing.ErrHeld) {
		t.Fatalf("send while logged out: %v, want ErrHeld", err)
	}
	p.Release("shop")
	if err := p.Send(ctx, m); err != nil {
		t.Fatalf("send after release: %v", err)
	}
	if n := len(sends(rec.events)); n != 3 {
		t.Fatalf("%d sends reached the transport, want 3", n)
	}
}

func TestConcurrentSendersKeepTheGap(t *testing.T) {
	// Real time, tiny gaps: goroutines racing for one number's slots.
	ctx := context.Background()
	rec := &lockedRecorder{}
	p := pacing.New(rec, pacing.Config{Cold: pacing.Rule{Every: 2 * time.Millisecond, Burst: 1, Jitter: time.Millisecond}})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				if err := p.Send(ctx, workflow.Outgoing{Session: "shop", To: "+1", Kind: workflow.SendScheduled}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if len(rec.at) != 80 {
		t.Fatalf("%d sends, want 80", len(rec.at))
	}
	// Sends leave in slot order only up to scheduling noise; what pacing
	// guarantees is the rate: 80 sends need at least 79 gaps.
	if span := rec.at[len(rec.at)-1].Sub(rec.at[0]); span < 79*2*time.Millisecond {
		t.Fatalf("80 sends within %s; at least %s expected", span, 79*2*time.Millisecond)
	}
}

type lockedRecorder struct {
	mu sync.Mutex
	at []time.Time
}

func (r *lockedRecorder) Send(context.Context, workflow.Outgoing) error {
	r.mu.Lock()
	r.at = append(r.at, time.Now())
	r.mu.Unlock()
	return nil
}

// Pace is Send's wait without the send: it shows "typing…" and waits for
// the slot, and the message it returns goes through Send at once, on the
// slot Pace took (the next reply to that chat still waits its gap). A
// paced message the caller drops leaves its slot taken.
func TestPaceWaitsAndItsSendGoesAtOnce(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: start}
	rec := &typingRecorder{recorder{clock: clock}}
	p := pacing.New(rec, pacing.Config{Clock: clock, Sleeper: clock, Reply: pacing.Rule{Every: time.Minute, Burst: 1}})
	reply := workflow.Outgoing{ID: "a", Session: "shop", To: "+4915112345678", Kind: workflow.SendFixed, Text: "Bien reçu", Typing: true}
	m, err := p.Pace(ctx, reply)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Paced || m.Typing || len(rec.events) != 1 || !rec.events[0].typing {
		t.Fatalf("paced %+v, events %+v: want Paced, the indicator shown once and Typing cleared", m, rec.events)
	}
	typed := clock.Now().Sub(start)
	if typed != pacing.DefaultTyping(reply.Text) {
		t.Fatalf("Pace waited %s, want the typing time %s", typed, pacing.DefaultTyping(reply.Text))
	}
	if err := p.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got := sends(rec.events); len(got) != 1 || !got[0].Equal(start.Add(typed)) {
		t.Fatalf("sends at %v, want one at once after Pace (%v)", got, start.Add(typed))
	}
	// A second reply to the same chat, paced and dropped, then a third:
	// each waits its own slot, a minute after the one before.
	if _, err := p.Pace(ctx, workflow.Outgoing{ID: "b", Session: "shop", To: reply.To, Kind: workflow.SendFixed, Text: "Bien reçu"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Send(ctx, workflow.Outgoing{ID: "c", Session: "shop", To: reply.To, Kind: workflow.SendFixed, Text: "Bien reçu"}); err != nil {
		t.Fatal(err)
	}
	if got := sends(rec.events); len(got) != 2 || got[1].Sub(got[0]) < 2*time.Minute {
		t.Fatalf("sends at %v, want the third reply two slots after the first (the dropped one kept its slot)", got)
	}
	p.Hold("shop", time.Time{})
	if _, err := p.Pace(ctx, reply); !errors.Is(err, pacing.ErrHeld) {
		t.Fatalf("Pace on a held number = %v, want ErrHeld", err)
	}
}

// A reply cancelled after its wait (Cancel) gives its slot back, so the
// next reply to that chat waits as if it had never been paced, and clears
// its "typing…" indicator; a slot a later send took since stays taken.
func TestCancelGivesTheSlotBackAndClearsTyping(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: start}
	rec := &typingRecorder{recorder{clock: clock}}
	p := pacing.New(rec, pacing.Config{Clock: clock, Sleeper: clock, Reply: pacing.Rule{Every: time.Minute, Burst: 1}})
	reply := func(id string) workflow.Outgoing {
		return workflow.Outgoing{ID: id, Session: "shop", To: "+4915112345678", Kind: workflow.SendFixed, Text: "Bien reçu"}
	}
	typing := pacing.DefaultTyping("Bien reçu")
	if err := p.Send(ctx, reply("a")); err != nil {
		t.Fatal(err)
	}
	b, err := p.Pace(ctx, reply("b")) // a minute after a
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Cancel(ctx, b); err != nil {
		t.Fatal(err)
	}
	if last := rec.events[len(rec.events)-1]; !last.stop || last.m.ID != "b" {
		t.Fatalf("last event %+v, want b's indicator cleared", last)
	}
	cancelledAt := clock.Now()
	if err := p.Send(ctx, reply("c")); err != nil {
		t.Fatal(err)
	}
	// c takes the slot b gave back: a minute after a (now), plus its
	// typing time, not a minute after b.
	got := sends(rec.events)
	if len(got) != 2 || !got[1].Equal(cancelledAt.Add(typing)) {
		t.Fatalf("sends at %v, want c at %v (b's slot given back), not a minute later", got, cancelledAt.Add(typing))
	}

	// d is paced, e takes the next slot, then d is cancelled: e's slot
	// stays, so f waits a minute after e.
	d, err := p.Pace(ctx, reply("d"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Send(ctx, reply("e")); err != nil {
		t.Fatal(err)
	}
	if err := p.Cancel(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := p.Send(ctx, reply("f")); err != nil {
		t.Fatal(err)
	}
	got = sends(rec.events)
	if len(got) != 4 || got[3].Sub(got[2]) < time.Minute {
		t.Fatalf("sends at %v, want f at least a minute after e (d's slot was not the last)", got)
	}

	// A message Pace did not return is left alone.
	n := len(rec.events)
	if err := p.Cancel(ctx, reply("g")); err != nil || len(rec.events) != n {
		t.Fatalf("Cancel of an unpaced message = %v, events %+v: want nothing done", err, rec.events[n:])
	}
}
