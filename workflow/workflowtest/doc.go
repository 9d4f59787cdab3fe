// Package workflowtest makes workflows testable the way net/http/httptest
// makes handlers testable: a Harness runs the real engine, condition
// backends, scheduler and actions on an in-memory store with a virtual
// clock, a recording transport and a scripted AI; RunFile and RunDir execute
// scenario files (SCENARIOS.md) inside go test.
//
// People writing workflow files import it in their tests: New(t, Options)
// then Harness.Load or LoadFile (read with the harness engine's registry,
// compiler and time zone), Receive, Advance; or RunFile(t, path) for a
// scenario file. Custom actions alone are unit-tested with action/actiontest.
package workflowtest
