// Package waauto is WhatsApp Auto: automation of WhatsApp conversations as
// an importable Go module. This package holds only documentation; the code
// lives in its sub-packages:
//
//   - trigger: the events that start workflows (an incoming message, a new contact).
//   - condition: the AND/OR condition tree, the Facts it is evaluated on and
//     the per-leaf Trace; condition/expr and condition/cel compile it.
//   - action: what workflows do (reply, ai_reply, assign, label, webhook)
//     and the Registry for custom actions.
//   - workflow: the contract — the workflow model, the file format (Load,
//     Marshal, built-in templates) and the ports (Store role interfaces,
//     Transport, Clock, JobQueue); what workflow-file tools and adapters
//     import.
//   - workflow/engine: the Engine (Config, New), scheduling, numbers and
//     the execution log; what programs embedding WhatsApp Auto import.
//     workflow/memstore is the in-memory store and workflow/workflowtest
//     the test harness and scenario runner.
//   - adapters/bun (SQLite, PostgreSQL), adapters/whatsmeow (WhatsApp),
//     adapters/langchaingo (AI replies), adapters/shopify (catalogue): the
//     real-world plugs.
//
// # Embedding the engine
//
// Build an Engine from a Store, a Transport and a condition Compiler, load
// workflows, and feed it messages:
//
//	eng, err := engine.New(engine.Config{
//		Store:     memstore.New(),
//		Transport: myTransport,   // e.g. adapters/whatsmeow
//		Compiler:  expr.New(),
//	})
//	defs, err := eng.LoadFile(ctx, "workflows.yaml") // with the engine's registry, compiler, time zone
//	eng.Start(ctx)
//	err = eng.Receive(ctx, trigger.Message{ID: id, Session: "main", Phone: "+33611111111", Text: "Bonjour"})
//
// # Custom actions
//
// An action is any type with a Run method. Register it by name in the
// Registry given to the engine and to Load; its fields are decoded strictly
// from the workflow file:
//
//	type NotifySlack struct{ Channel string `yaml:"channel"` }
//	func (a *NotifySlack) Run(ctx context.Context, c *action.Call) error { ... }
//
//	reg := action.NewRegistry()
//	reg.MustRegister("notify_slack", action.Of[NotifySlack]())
//	// with a dependency the workflow file cannot give:
//	reg.MustRegister("notify_slack", action.Of(func(a *NotifySlack) { a.client = client }))
//
// action/actiontest unit-tests an action without an engine: a recording
// Runtime, NewCall, and Build to decode a definition as the loader does.
//
// # Testing workflows
//
// workflow/workflowtest runs the real engine on a virtual clock:
// workflowtest.New for Go tests, workflowtest.RunFile for scenario files
// (SCENARIOS.md), also available as `waauto test FILE_OR_DIR`.
package waauto
