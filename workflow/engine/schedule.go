package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// ScheduleRequest is a message to send later. At is an instant; use
// LocalTime to turn a wall-clock time in a time zone into one.
type ScheduleRequest struct {
	// ID is optional; a random one is made when empty.
	ID, Session, Phone, Text string
	At                       time.Time
	// Location is the IANA zone the time was entered in (for display); "" means the account's.
	Location string
}

// Schedule stores a scheduled message (pending) and queues its send.
func (e *Engine) Schedule(ctx context.Context, r ScheduleRequest) (workflow.ScheduledMessage, error) {
	phone, err := trigger.NormalizePhone(r.Phone)
	if err != nil {
		return workflow.ScheduledMessage{}, fmt.Errorf("schedule: %w", err)
	}
	if r.ID == "" {
		r.ID = e.ids.next(e.cfg.Clock.Now())
	}
	if r.Location == "" {
		r.Location = e.Location().String()
	}
	m := workflow.ScheduledMessage{ID: r.ID, Session: r.Session, Phone: phone, Text: r.Text, At: r.At, Location: r.Location,
		Status: workflow.SchedulePending, MessageID: e.cfg.NewMessageID(), CreatedAt: e.cfg.Clock.Now()}
	if err := e.putScheduled(ctx, m, false); err != nil {
		return workflow.ScheduledMessage{}, fmt.Errorf("schedule %s: %w", r.ID, err)
	}
	return m, nil
}

// putScheduled stores m and queues its jobs, in one transaction when the
// queue can. With again (a resumed firing planning its follow-up), an m
// stored before is no conflict: its jobs are queued again (queues ignore
// a job id they have).
func (e *Engine) putScheduled(ctx context.Context, m workflow.ScheduledMessage, again bool) error {
	if a, ok := e.jobs.(workflow.AtomicScheduler); ok {
		err := a.PutScheduledAndEnqueue(ctx, m, e.scheduledJobs(m))
		if again && errors.Is(err, workflow.ErrConflict) {
			return nil // stored and queued together before
		}
		return err
	}
	if err := e.cfg.Store.PutScheduled(ctx, m); err != nil && !(again && errors.Is(err, workflow.ErrConflict)) {
		return err
	}
	return e.queueScheduled(ctx, m)
}

// scheduledJobs are the jobs of m: its send at its time and its expiry check.
func (e *Engine) scheduledJobs(m workflow.ScheduledMessage) []workflow.Job {
	payload, _ := json.Marshal(m.ID) // a string always marshals
	return []workflow.Job{
		{ID: "scheduled/" + m.ID, Kind: workflow.JobScheduled, RunAt: m.At, Payload: payload},
		{ID: "scheduled-expiry/" + m.ID, Kind: workflow.JobScheduleExpiry, RunAt: m.At.Add(e.cfg.ScheduleExpiry), Payload: payload},
	}
}

// queueScheduled enqueues the jobs of m.
func (e *Engine) queueScheduled(ctx context.Context, m workflow.ScheduledMessage) error {
	for _, j := range e.scheduledJobs(m) {
		if err := e.jobs.Enqueue(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

// requeueScheduled enqueues again the jobs of every pending scheduled
// message. With the in-memory queue (nothing survives a restart, and only
// this process dispatches) a message left "sending" by a crash mid-send is
// put back to pending first: it is sent again with the same message id.
func (e *Engine) requeueScheduled(ctx context.Context) error {
	statuses := []workflow.ScheduleStatus{workflow.SchedulePending}
	_, inMemory := e.jobs.(*memQueue)
	if inMemory {
		statuses = append(statuses, workflow.ScheduleSending)
	}
	list, err := e.cfg.Store.ListScheduled(ctx, workflow.ScheduleQuery{Status: statuses})
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range list {
		if m.Status == workflow.ScheduleSending {
			err := e.cfg.Store.TransitionScheduled(ctx, m.ID, workflow.ScheduleSending, workflow.SchedulePending, "resumed after an interrupted send", e.cfg.Clock.Now())
			if err != nil && !errors.Is(err, workflow.ErrConflict) {
				errs = append(errs, err)
				continue
			}
		}
		errs = append(errs, e.queueScheduled(ctx, m))
	}
	return errors.Join(errs...)
}

// CancelScheduled cancels a pending scheduled message; one that is no
// longer pending is ErrConflict.
func (e *Engine) CancelScheduled(ctx context.Context, id string) error {
	return e.cfg.Store.TransitionScheduled(ctx, id, workflow.SchedulePending, workflow.ScheduleCancelled, string(ReasonCancelled), e.cfg.Clock.Now())
}

// dispatchScheduled sends a due scheduled message if it can, fails it if it
// never will, or leaves it waiting for its number to come back.
func (e *Engine) dispatchScheduled(ctx context.Context, id string) error {
	m, err := e.cfg.Store.Scheduled(ctx, id)
	if err != nil {
		return err
	}
	now := e.cfg.Clock.Now()
	if m.Status != workflow.SchedulePending {
		return nil
	}
	if now.Before(m.At) {
		return &workflow.RetryAtError{At: m.At, Reason: "scheduled message " + m.ID + " not due yet"}
	}
	sess, err := e.cfg.Store.Session(ctx, m.Session)
	switch {
	case errors.Is(err, workflow.ErrNotFound) || err == nil && sess.Status == workflow.SessionDeleted:
		return e.failScheduled(ctx, m, string(ReasonDeleted))
	case err != nil:
		return err
	case now.Sub(m.At) >= e.cfg.ScheduleExpiry:
		return e.failScheduled(ctx, m, ReasonExpired.with(fmt.Sprintf(expiredDetail, e.cfg.ScheduleExpiry)))
	case sess.Status != workflow.SessionConnected || !sess.Enabled(workflow.ModuleScheduled):
		return nil // waits; sent on reconnect
	}
	out := workflow.Outgoing{ID: m.MessageID, Session: m.Session, To: m.Phone, Text: m.Text, Kind: workflow.SendScheduled, Origin: m.Origin}
	if m.Origin != nil {
		out.Workflow = m.Origin.Workflow
	}
	// The pacing wait comes before the claim and the check, so that the
	// check sees the conversation as it is when the message goes; a
	// message cancelled or sent by another dispatcher meanwhile fails
	// the claim.
	if out, err = e.pace(ctx, out); err != nil {
		return err
	}
	now = e.cfg.Clock.Now()
	if err := e.cfg.Store.TransitionScheduled(ctx, m.ID, workflow.SchedulePending, workflow.ScheduleSending, "", now); err != nil {
		e.unpace(ctx, out)
		if errors.Is(err, workflow.ErrConflict) {
			return nil // another dispatcher has it, or it was cancelled
		}
		return err
	}
	// A follow-up of a workflow is checked again: the workflow's
	// conditions on the facts of now (verify_before_send.conditions).
	if ok, err := e.stillRight(ctx, m.Session, m.Phone, m.Origin, "reply", m.At, "scheduled/"+m.ID); err != nil || !ok {
		e.unpace(ctx, out)
		if err != nil {
			return e.unclaim(ctx, m, err)
		}
		return e.cfg.Store.TransitionScheduled(ctx, m.ID, workflow.ScheduleSending, workflow.ScheduleCancelled, string(ReasonConditionsChanged), now)
	}
	if _, err := e.cfg.Store.RecordOutbound(ctx, workflow.Outbound{Session: m.Session, Phone: m.Phone, ID: m.MessageID, Author: workflow.AuthorAutomation, Kind: workflow.SendScheduled, Text: m.Text, Time: now}); err != nil {
		e.unpace(ctx, out)
		return e.unclaim(ctx, m, err)
	}
	if err := e.transmit(ctx, out); err != nil {
		return e.unclaim(ctx, m, err)
	}
	return e.markSent(ctx, m)
}

// ackPatience bounds how long markSent keeps trying to record a sent
// message: far above a loaded database's refusals and pool waits, below
// the 5 min after which a job queue takes a job for dead.
const ackPatience = time.Minute

// markSent records a transmitted message as sent. It must land: a failed
// job is retried, and a retry takes the row left "sending" for an
// interrupted attempt's and sends the message again (with the same id).
// So it is recorded even if the job's context ended meanwhile (a job
// timeout), and a refused write (too many clients, a reset connection, a
// pool wait past its deadline) is tried again, with backoff, for up to
// ackPatience. Only a crash, or a database away for longer, leaves the row
// "sending" (the documented at-least-once case).
func (e *Engine) markSent(ctx context.Context, m workflow.ScheduledMessage) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackPatience)
	defer cancel()
	wait := 10 * time.Millisecond
	for {
		err := e.cfg.Store.TransitionScheduled(fctx, m.ID, workflow.ScheduleSending, workflow.ScheduleSent, "", e.cfg.Clock.Now())
		if err == nil || errors.Is(err, workflow.ErrNotFound) {
			return err
		}
		if errors.Is(err, workflow.ErrConflict) {
			// An earlier try may have committed before its answer was lost.
			if cur, rerr := e.cfg.Store.Scheduled(fctx, m.ID); rerr == nil && cur.Status == workflow.ScheduleSent {
				return nil
			}
			return err
		}
		e.log.WarnContext(ctx, "recording a sent scheduled message failed; trying again", slog.String("id", m.ID), slog.Any("err", err))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-fctx.Done():
			t.Stop()
			return fmt.Errorf("record scheduled message %s as sent: %w", m.ID, err)
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// unclaim puts a message whose send failed back to pending and returns
// the error so that the queue retries it (with the same message id).
func (e *Engine) unclaim(ctx context.Context, m workflow.ScheduledMessage, cause error) error {
	e.log.WarnContext(ctx, "scheduled send failed; will retry", slog.String("id", m.ID), slog.Any("err", cause))
	fctx, cancel := finishing(ctx) // the cause may be the job's own deadline
	defer cancel()
	if err := e.cfg.Store.TransitionScheduled(fctx, m.ID, workflow.ScheduleSending, workflow.SchedulePending, e.cfg.Redactor.Redact(cause.Error()), e.cfg.Clock.Now()); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// finishing returns a context for recording the outcome of work done under
// ctx: not cancelled with ctx, bounded on its own.
func finishing(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

func (e *Engine) failScheduled(ctx context.Context, m workflow.ScheduledMessage, reason string) error {
	err := e.cfg.Store.TransitionScheduled(ctx, m.ID, workflow.SchedulePending, workflow.ScheduleFailed, reason, e.cfg.Clock.Now())
	if errors.Is(err, workflow.ErrConflict) {
		return nil
	}
	if err != nil {
		return err
	}
	e.log.WarnContext(ctx, "scheduled message failed", slog.String("id", m.ID), slog.String("reason", reason))
	e.cfg.Observer.Effect(ctx, Effect{Kind: EffectScheduleFailed, Time: e.cfg.Clock.Now(), Session: m.Session, Phone: m.Phone, ScheduleID: m.ID, Reason: reason})
	return nil
}

// flushScheduled re-arms the jobs of a number's pending messages when it
// comes back (reconnected, or its scheduled module on again): the due
// ones at once, oldest first (their job may have run while the number was
// down), the others at their time. Each is sent by a job of its own, not
// here: a send that pacing puts off is then snoozed by the queue and
// retried, never left pending with no job until it expires.
func (e *Engine) flushScheduled(ctx context.Context, session string) error {
	list, err := e.cfg.Store.ListScheduled(ctx, workflow.ScheduleQuery{Status: []workflow.ScheduleStatus{workflow.SchedulePending}, Session: session})
	if err != nil {
		return err
	}
	now := e.cfg.Clock.Now()
	var errs []error
	for _, m := range list {
		j := e.scheduledJobs(m)[0]
		j.ID = fmt.Sprintf("%s/reconnect/%d", j.ID, now.UnixNano())
		errs = append(errs, e.jobs.Enqueue(ctx, j))
	}
	return errors.Join(errs...)
}

// LocalTime resolves a wall-clock time in loc to an instant by the rule of
// DESIGN.md: a time in a DST gap moves forward to the first valid instant
// (the transition); a repeated time takes its first occurrence.
func LocalTime(year int, month time.Month, day, hour, min, sec int, loc *time.Location) time.Time {
	naive := time.Date(year, month, day, hour, min, sec, 0, time.UTC)
	var best time.Time
	for _, probe := range []time.Time{naive.Add(-36 * time.Hour), naive, naive.Add(36 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		t := naive.Add(-time.Duration(off) * time.Second)
		if sameWall(t.In(loc), naive) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if !best.IsZero() {
		return best.In(loc)
	}
	_, off := naive.Add(-36 * time.Hour).In(loc).Zone()
	start, _ := naive.Add(-time.Duration(off) * time.Second).In(loc).ZoneBounds()
	return start
}

func sameWall(t, naive time.Time) bool {
	y, mo, d := t.Date()
	ny, nmo, nd := naive.Date()
	return y == ny && mo == nmo && d == nd && t.Hour() == naive.Hour() && t.Minute() == naive.Minute() && t.Second() == naive.Second()
}
