// Package storetest is the conformance suite of workflow.Store: Run checks
// every documented behaviour of every role interface, including the
// concurrency promises, against any implementation.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) workflow.Store { return memstore.New() })
//	}
package storetest
