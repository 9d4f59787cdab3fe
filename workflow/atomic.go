package workflow

import "context"

// AtomicScheduler is implemented by a JobQueue that shares the Store's
// database and can store a scheduled message and insert its jobs in one
// transaction (adapters/bun/river). engine.Engine.Schedule uses it when
// engine.Config.Jobs has it, so that a crash between the two writes can leave
// neither a pending message without its send job nor a job without its
// message. Without it, Schedule writes the message, then enqueues: a crash
// in between leaves a pending message that is sent when its number next
// connects (engine.Engine.SetConnected), or fails at its expiry check.
type AtomicScheduler interface {
	PutScheduledAndEnqueue(ctx context.Context, m ScheduledMessage, jobs []Job) error
}
