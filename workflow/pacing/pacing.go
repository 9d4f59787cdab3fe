package pacing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/waauto/waauto/workflow"
)

// ErrHeld means the number may not send now (temporarily banned, logged
// out): the send must be retried later with the same id, never failed.
var ErrHeld = errors.New("number held: not sending until it is back")

// ErrDeferred means pacing moved a send later than Config.MaxWait allows
// to wait in place; the *DeferredError says until when.
var ErrDeferred = errors.New("send deferred by pacing")

// DeferredError is returned by Send when the send's slot is further away
// than Config.MaxWait. Nothing was sent and no slot was taken: retry at Until.
type DeferredError struct {
	Session, To string
	Until       time.Time
}

// Error describes the deferral.
func (e *DeferredError) Error() string {
	return fmt.Sprintf("send from %s to %s deferred by pacing until %s", e.Session, e.To, e.Until.UTC().Format(time.RFC3339Nano))
}

// Is makes errors.Is(err, ErrDeferred) true.
func (e *DeferredError) Is(target error) bool { return target == ErrDeferred }

// Sleeper waits for d, or until ctx ends. workflowtest.Clock implements it
// on virtual time.
type Sleeper interface {
	Sleep(ctx context.Context, d time.Duration) error
}

// Typer is implemented by transports that can show "typing…" in the chat
// of a message (adapters/whatsmeow's Transport). When the wrapped transport
// has it, the Pacer alone owns the indicator: it shows it once when a
// reply's wait starts (refreshed only during waits longer than
// TypingRefresh), waits the typing time, and sends the reply with
// Outgoing.Typing cleared; it clears the indicator of a reply cancelled
// after its wait (Cancel). Otherwise it sets Outgoing.Typing and leaves
// the indicator to the transport.
type Typer interface {
	// SendTyping shows the indicator in m's chat without waiting.
	SendTyping(ctx context.Context, m workflow.Outgoing) error
	// StopTyping clears the indicator in m's chat: m will not be sent.
	StopTyping(ctx context.Context, m workflow.Outgoing) error
}

// Rule is a token bucket: Burst sends at once, then one per Every, each
// slot moved later by a random delay in [0, Jitter).
type Rule struct {
	Every  time.Duration
	Burst  int
	Jitter time.Duration
}

// Config configures a Pacer; the zero value is the default.
type Config struct {
	// Clock tells the time; nil means workflow.SystemClock.
	Clock workflow.Clock
	// Sleeper waits; nil means a real timer. Tests pass their fake clock.
	Sleeper Sleeper
	// Logger receives "send deferred by pacing"; nil discards.
	Logger *slog.Logger
	// Rand draws the jitter; nil means a randomly seeded generator.
	Rand *rand.Rand
	// Cold paces scheduled (and any non-reply) sends per number. Zero
	// means 5 per minute: Every 12s, Burst 1, Jitter 3s.
	Cold Rule
	// Reply paces auto-replies (fixed and AI) per number and recipient.
	// Zero means 1 per 6 s: Every 6s, Burst 1, Jitter 1.5s.
	Reply Rule
	// Typing is how long "typing…" shows before a reply of text; nil means
	// 800ms + 30ms per character, at most 4s.
	Typing func(text string) time.Duration
	// TypingRefresh re-sends the typing indicator during longer waits
	// (WhatsApp clears it after about 20 s); 0 means 15s.
	TypingRefresh time.Duration
	// MaxWait is the longest Send waits in place for its slot; a later
	// slot returns a *DeferredError. 0 means wait however long it takes.
	MaxWait time.Duration
}

// Pacer is a workflow.Transport that paces sends to the wrapped one. It is
// safe for concurrent use.
type Pacer struct {
	next  workflow.Transport
	cfg   Config
	log   *slog.Logger
	mu    sync.Mutex
	rnd   *rand.Rand
	tat   map[key]time.Time // theoretical arrival time of each bucket
	last  map[key]reservation
	holds map[string]time.Time
	// reserved counts reservations: every sweepEvery, the buckets whose
	// time has passed are dropped (a bucket absent and one whose time
	// is past give the same slot), so that the maps hold the recent
	// recipients, not every one a number ever answered.
	reserved int
}

// sweepEvery is how many reservations pass between two sweeps.
const sweepEvery = 1024

type key struct{ session, to string }

// reservation is the last slot a bucket gave: the message it went to and
// the bucket's time before it (what Cancel puts back).
type reservation struct {
	id   string
	prev time.Time
}

var (
	_ workflow.Transport = (*Pacer)(nil)
	_ workflow.Pacer     = (*Pacer)(nil)
)

// New wraps next.
func New(next workflow.Transport, cfg Config) *Pacer {
	if cfg.Clock == nil {
		cfg.Clock = workflow.SystemClock{}
	}
	if cfg.Sleeper == nil {
		cfg.Sleeper = timerSleeper{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if cfg.Cold == (Rule{}) {
		cfg.Cold = Rule{Every: 12 * time.Second, Burst: 1, Jitter: 3 * time.Second}
	}
	if cfg.Reply == (Rule{}) {
		cfg.Reply = Rule{Every: 6 * time.Second, Burst: 1, Jitter: 1500 * time.Millisecond}
	}
	cfg.Cold.Burst, cfg.Reply.Burst = max(cfg.Cold.Burst, 1), max(cfg.Reply.Burst, 1)
	if cfg.Typing == nil {
		cfg.Typing = DefaultTyping
	}
	if cfg.TypingRefresh <= 0 {
		cfg.TypingRefresh = 15 * time.Second
	}
	return &Pacer{next: next, cfg: cfg, log: cfg.Logger, rnd: cfg.Rand, tat: map[key]time.Time{}, last: map[key]reservation{}, holds: map[string]time.Time{}}
}

// DefaultTyping is 800ms + 30ms per character, at most 4s.
func DefaultTyping(text string) time.Duration {
	return min(800*time.Millisecond+30*time.Millisecond*time.Duration(utf8.RuneCountInString(text)), 4*time.Second)
}

// IsReply reports whether Pacer treats a send of kind k as an auto-reply.
func IsReply(k workflow.SendKind) bool { return k == workflow.SendFixed || k == workflow.SendAI }

// Hold makes every send of session return ErrHeld until Release or until
// (zero: until Release). Call it on a temporary ban (with its expiry) or
// a logout.
func (p *Pacer) Hold(session string, until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.IsZero() {
		until = time.Unix(1<<62, 0)
	}
	p.holds[session] = until
}

// Release ends a hold.
func (p *Pacer) Release(session string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.holds, session)
}

// Send waits for m's slot (showing "typing…" first for a reply) and hands
// m to the wrapped transport. It returns ErrHeld for a held number and a
// *DeferredError when the slot is further than MaxWait. A message that
// Pace returned (Paced set) is handed on at once: its wait is over.
func (p *Pacer) Send(ctx context.Context, m workflow.Outgoing) error {
	if !m.Paced {
		var err error
		if m, err = p.Pace(ctx, m); err != nil {
			return err
		}
	}
	return p.next.Send(ctx, m)
}

// Pace is the wait of Send without the send (workflow.Pacer): it takes
// m's slot, shows "typing…" for a reply, waits until the slot and returns
// m as Send must then get it (Paced set; Typing cleared when the pacer
// showed the indicator itself). The caller may still drop the send after
// the wait: Cancel then gives its slot back. Errors are Send's.
func (p *Pacer) Pace(ctx context.Context, m workflow.Outgoing) (workflow.Outgoing, error) {
	reply := IsReply(m.Kind)
	at, err := p.reserve(m, reply)
	if err != nil {
		return m, err
	}
	now := p.cfg.Clock.Now()
	if wait := at.Sub(now); wait > 0 {
		p.log.InfoContext(ctx, "send deferred by pacing", slog.String("session", m.Session), slog.String("id", m.ID),
			slog.String("kind", string(m.Kind)), slog.Duration("wait", wait))
	}
	typer, canType := p.next.(Typer)
	if reply && !canType {
		m.Typing = true
	}
	for typed := false; ; {
		wait := at.Sub(p.cfg.Clock.Now())
		if reply && canType && (!typed || wait > 0) {
			if err := typer.SendTyping(ctx, m); err != nil {
				return m, fmt.Errorf("typing before reply %s: %w", m.ID, err)
			}
			typed = true
			wait = min(wait, p.cfg.TypingRefresh)
		}
		if wait <= 0 {
			break
		}
		if err := p.cfg.Sleeper.Sleep(ctx, wait); err != nil {
			return m, err
		}
	}
	if reply && canType {
		m.Typing = false // shown above, for the typing time: not again
	}
	m.Paced = true
	return m, nil
}

// reserve takes m's slot: the later of its bucket's next slot plus
// jitter and, for a reply, now plus the typing time.
func (p *Pacer) reserve(m workflow.Outgoing, reply bool) (time.Time, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Clock.Now()
	if until, ok := p.holds[m.Session]; ok {
		if now.Before(until) {
			return time.Time{}, fmt.Errorf("send %s from %s: %w", m.ID, m.Session, ErrHeld)
		}
		delete(p.holds, m.Session)
	}
	rule, k := p.bucket(m, reply)
	prev := p.tat[k]
	tat := prev
	at := now
	if free := tat.Add(-time.Duration(rule.Burst-1) * rule.Every); free.After(at) {
		at = free
	}
	if rule.Jitter > 0 {
		at = at.Add(time.Duration(p.rnd.Int64N(int64(rule.Jitter))))
	}
	if reply {
		if t := now.Add(p.cfg.Typing(m.Text)); t.After(at) {
			at = t
		}
	}
	if p.cfg.MaxWait > 0 && at.Sub(now) > p.cfg.MaxWait {
		return time.Time{}, &DeferredError{Session: m.Session, To: m.To, Until: at}
	}
	if tat.Before(at) {
		tat = at
	}
	p.tat[k] = tat.Add(rule.Every)
	p.last[k] = reservation{id: m.ID, prev: prev}
	if p.reserved++; p.reserved%sweepEvery == 0 {
		p.sweep(now)
	}
	return at, nil
}

// sweep drops the buckets whose time is not after now, with their last
// reservation: a bucket whose time has passed gives the same slots as an
// absent one.
func (p *Pacer) sweep(now time.Time) {
	for k, t := range p.tat {
		if !t.After(now) {
			delete(p.tat, k)
			delete(p.last, k)
		}
	}
}

// bucket is the rule and bucket of m's sends: per number and recipient
// for a reply, per number otherwise.
func (p *Pacer) bucket(m workflow.Outgoing, reply bool) (Rule, key) {
	if reply {
		return p.cfg.Reply, key{session: m.Session, to: m.To}
	}
	return p.cfg.Cold, key{session: m.Session}
}

// Cancel is told that m, returned by Pace, will not be sent (the engine
// found it overtaken after its wait; workflow.Pacer). It gives m's slot
// back when no later send has taken one from its bucket since, as
// golang.org/x/time/rate's Reservation.Cancel does, so the next reply
// waits as if m had never been paced, and it clears the "typing…"
// indicator that Pace showed for a reply. Its error is the indicator's;
// the slot is given back either way. A message Pace did not return
// (Paced unset) is left alone.
func (p *Pacer) Cancel(ctx context.Context, m workflow.Outgoing) error {
	if !m.Paced {
		return nil
	}
	reply := IsReply(m.Kind)
	p.giveBack(m, reply)
	if typer, ok := p.next.(Typer); ok && reply {
		if err := typer.StopTyping(ctx, m); err != nil {
			return fmt.Errorf("clear typing of cancelled reply %s: %w", m.ID, err)
		}
	}
	return nil
}

// giveBack puts m's bucket back as it was before m's slot, when no slot
// was given after it (p.last holds a bucket's latest).
func (p *Pacer) giveBack(m workflow.Outgoing, reply bool) {
	_, k := p.bucket(m, reply)
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.last[k]; ok && r.id == m.ID {
		p.tat[k] = r.prev
		delete(p.last, k)
	}
}

type timerSleeper struct{}

func (timerSleeper) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
