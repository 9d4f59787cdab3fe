// Package engine runs WhatsApp automations: it records incoming messages
// and runs the matching workflows in priority order, sends scheduled
// messages, manages numbers (sessions) and writes the execution log.
//
// People embedding WhatsApp Auto in a program import this package (Engine,
// Config, New, the Observer of effects) together with workflow for the
// model and the ports. People writing workflow files or adapters need only
// workflow, which never imports this package.
//
// An engine needs a Store (workflow/memstore, adapters/bun), a Transport
// (adapters/whatsmeow, or your own) and a condition Compiler
// (condition/expr or condition/cel):
//
//	eng, err := engine.New(engine.Config{Store: memstore.New(), Transport: t, Compiler: expr.New()})
//	defs, err := eng.LoadFile(ctx, "workflows.yaml") // read with Config's registry, compiler, time zone and hours; saved in the Store
//	err = eng.SetWorkflows(ctx, defs) // the same for workflows built in Go
//	err = eng.Start(ctx)              // job queue, re-queued scheduled messages
//	err = eng.Receive(ctx, msg)       // from the transport: record, then evaluate from the queue
//
// What happens to a message: it is recorded first (a duplicate WhatsApp id
// is one message); excluded contacts, stale backlog, deleted numbers and
// numbers with the workflows module off are recorded, never automated; the
// keyword prefilter picks the candidate workflows, each is evaluated on
// the same immutable Facts, and those that match run their actions in
// order — unless an earlier one that fired has Stop. Every firing writes
// one Execution with the per-leaf Trace that says why. AI replies,
// scheduled messages, webhooks and failed sends are jobs; Engine.RunJob
// runs them for the queue (Config.Jobs, or an in-memory queue by default).
//
// Exactly once: a firing is a durable unit of the Store (workflow.Firings).
// It begins (running, with an id derived from workflow, session and message
// id) before its actions, records each completed action and each send the
// transport acknowledged as a step, and finishes (done, with its Execution)
// in one store call. A store or transport failure leaves it running and
// makes the inbound job return an error, so the queue runs it again; a
// re-run (queue retry, rescue after kill -9, duplicate delivery) resumes a
// running firing without repeating its completed steps and skips a done
// one, still honouring its Stop. Each action gets an idempotency key (the
// firing id and its index, action.Call.IdempotencyKey); a message's id
// derives from it (MessageIDFor), so a send repeated after a crash between
// the transport's acknowledgement and its step carries the same id and is
// recorded once. The send of a built-in reply that is the firing's last
// action (and runs without Middleware) has no step of its own: the
// firing's finish records it, in the same write, one write less per reply. Labels and assignment are idempotent and round robin
// draws its agent once per firing. Webhooks and custom actions are at
// least once, with the key (webhooks send it as
// workflow.IdempotencyHeader). The execution-log rows of evaluations that
// did not fire are stored before the job returns, with ids derived from the
// message, so a re-run never doubles them.
//
// Still right at the moment of sending: a send that waits — an AI reply
// (model latency, debounce), a reply whose firing resumes after pacing or
// a failed attempt put it off, a send retried from a job, a follow-up
// (reply with a delay, a workflow.ScheduledMessage) — carries its
// workflow.SendOrigin. With verify_before_send.conditions one check runs
// just before it goes: the workflow's conditions on the facts of then
// (agent, labels, message count, last reply and time read fresh; the
// trigger's text, type and new-contact flag kept). A send they no longer
// match is cancelled: EffectCancel and a log row with reason
// conditions_changed and both traces (TraceAtTrigger, TraceAtSend).
// When Config.Transport paces (workflow.Pacer, as workflow/pacing does), a
// reply waits for its slot before it is recorded and is checked after
// that wait — an AI reply by its verify_before_send fields too — so one
// the conversation overtook while "typing…" showed is neither sent nor
// recorded; the pacer is told (Pacer.Cancel), so it clears "typing…" and
// gives the slot back.
//
// Watching it run: Config.Metrics counts messages, candidates,
// evaluations and credits; Config.Tracer traces each message as one
// trace, receive → evaluate → workflow → send, across the job queue
// (adapters/otel implements it with OpenTelemetry). Both default to
// nothing, at no cost.
package engine
