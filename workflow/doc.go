// Package workflow is the contract of WhatsApp Auto: the Workflow model,
// its file format, and the ports an engine plugs into. It does not run
// anything; workflow/engine does.
//
// Who imports it:
//
//   - People writing workflow files and tools around them: the model
//     (Workflow, Step, Definitions), Load with its positioned LoadError,
//     Marshal, and the built-in templates (BuiltinTemplates, embedded YAML
//     files read by Load).
//   - People writing adapters: the Store role interfaces (Messages,
//     Conversations, Contacts, Firings, WorkflowStore, Sessions, Schedules,
//     Logs, Credits) with their record types and errors (ErrNotFound,
//     ErrConflict, ErrNegativeDebit, ErrLogWithoutID), Transport and
//     ValidateMedia, Clock, JobQueue and JobRunner with Job, JobHandler and the job kinds,
//     AtomicScheduler, WebhookPoster and the webhook signature (Sign).
//     workflow/storetest checks a Store against the contract.
//
// People embedding the engine import workflow/engine as well (Engine,
// Config, New), and this package for what they give it and get back:
//
//	defs, err := workflow.Load("workflows.yaml", data, workflow.LoadOptions{})
//	if errors.Is(err, workflow.ErrInvalid) { /* each *workflow.LoadError has file:line:col */ }
//	out, err := workflow.Marshal(defs.Workflows[0], nil)
//
// This package never imports workflow/engine (imports_test.go checks it).
package workflow
