// Package workflow runs WhatsApp automations: the Workflow model and its
// file format (Load, Marshal), the Engine that records incoming messages
// and runs the matching workflows in priority order, scheduled messages,
// numbers (sessions) and the execution log, and the ports it plugs into —
// Store (role interfaces), Transport, Clock and JobQueue.
//
// An engine needs a Store (workflow/memstore, adapters/bun), a Transport
// (adapters/whatsmeow, or your own) and a condition Compiler
// (condition/expr or condition/cel):
//
//	eng, err := engine.New(engine.Config{Store: memstore.New(), Transport: t, Compiler: expr.New()})
//	defs, err := workflow.Load("workflows.yaml", data, workflow.LoadOptions{})
//	err = eng.SetWorkflows(ctx, defs) // saved in the Store; Restore reloads them
//	err = eng.Start(ctx)              // job queue, log writer, re-queued scheduled messages
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
// runs them for the queue.
package workflow
