// Package workflowtest makes workflows testable the way net/http/httptest
// makes handlers testable: a Harness runs the real engine, condition
// backends, scheduler and actions on an in-memory store with a virtual
// clock, a recording transport and a scripted AI; RunFile and RunDir execute
// scenario files (SCENARIOS.md) inside go test.
package workflowtest
