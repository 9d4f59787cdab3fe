// Package storetest is the conformance suite of workflow.Store: Run checks
// every documented behaviour of every role interface, including the
// concurrency promises, against any implementation.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) workflow.Store { return memstore.New() })
//	}
//
// Times in the suite are whole microseconds, as databases keep them, and
// are compared with time.Time.Equal, so a store may return them in any
// location. Where the contract in workflow/store.go leaves a choice open
// the suite does not pin it down: the Type of outgoing messages, the
// meaning of a limit of 0 for History, ListScheduled and PurgeLogs,
// whether TransitionScheduled of an unknown ID is ErrNotFound or
// ErrConflict, duplicate IDs in AppendLogs, and whether a contact created
// by UpdateLabels is Imported.
package storetest
