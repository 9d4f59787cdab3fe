package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/waauto/waauto/workflow"
)

// RunJob runs one job the engine enqueued. Queues call it when the job is
// due; an error asks the queue to retry later.
func (e *Engine) RunJob(ctx context.Context, j workflow.Job) error {
	switch j.Kind {
	case workflow.JobInbound:
		return runJSON(ctx, j, func(ctx context.Context, v inboundJob) error { return e.runInbound(ctx, v, j.Attempt) })
	case workflow.JobAIReply:
		return runJSON(ctx, j, e.runAI)
	case workflow.JobScheduled, workflow.JobScheduleExpiry:
		return runJSON(ctx, j, func(ctx context.Context, id string) error { return e.dispatchScheduled(ctx, id) })
	case workflow.JobSessionExpiry:
		return runJSON(ctx, j, e.expireSession)
	case workflow.JobSend:
		return runJSON(ctx, j, e.retrySend)
	case workflow.JobWebhook:
		return runJSON(ctx, j, e.deliverWebhook)
	case workflow.JobLogPurge:
		return e.purgeLogs(ctx)
	}
	return fmt.Errorf("job %s: unknown kind %q", j.ID, j.Kind)
}

func runJSON[T any](ctx context.Context, j workflow.Job, f func(context.Context, T) error) error {
	var v T
	if err := json.Unmarshal(j.Payload, &v); err != nil {
		return fmt.Errorf("job %s: bad payload: %w", j.ID, err)
	}
	return f(ctx, v)
}

// purgeLogs deletes execution log entries older than LogRetention in
// bounded batches, then what is past the other retention periods
// (purgeRetained), and queues the next purge a day later.
func (e *Engine) purgeLogs(ctx context.Context) error {
	now := e.cfg.Clock.Now()
	for {
		n, err := e.cfg.Store.PurgeLogs(ctx, now.Add(-e.cfg.LogRetention), 1000)
		if err != nil {
			return err
		}
		if n < 1000 {
			break
		}
	}
	if err := e.purgeRetained(ctx, now); err != nil {
		return err
	}
	return e.queuePurge(ctx, now.Add(24*time.Hour))
}

func (e *Engine) queuePurge(ctx context.Context, at time.Time) error {
	return e.enqueue(ctx, workflow.JobLogPurge, "log_purge/"+at.UTC().Format(time.DateOnly), at, nil)
}
