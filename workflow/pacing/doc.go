// Package pacing spaces a WhatsApp number's automated sends like a person
// would: a token bucket with jitter per number for scheduled (cold) sends,
// another per recipient for auto-replies, and a typing indicator before
// each reply. It is a workflow.Transport middleware: wrap any Transport.
//
//	t := pacing.New(whatsmeowTransport, pacing.Config{Clock: clock, Logger: log})
//	eng, _ := engine.New(engine.Config{Transport: t, ...})
//
// A send that has to wait is logged ("send deferred by pacing") and then
// either waits (up to Config.MaxWait) or returns a *DeferredError, which a
// durable queue turns into a snooze until the slot.
//
// # Held numbers
//
// A number that is temporarily banned or logged out must not send at all,
// and its jobs must not fail: Hold(session) makes every send of that number
// return ErrHeld at once, without reaching the wrapped transport, until
// Release(session) (or the hold's end). A transport may return ErrHeld
// itself (wrapped or not). Queues treat ErrHeld as "held": the job is
// snoozed, not failed or discarded, and it is retried with the same
// message id once the number is back (adapters/bun/river does this).
package pacing
