// Package conditiontest is the conformance suite of condition backends:
// Run(t, compilers...) holds each condition.Compiler to hand-written edge
// cases (Cases) and to Reference, a plain Go evaluator, on seeded random
// trees, and reports every disagreement with both traces.
//
//	func TestMyBackend(t *testing.T) {
//		conditiontest.Run(t, mybackend.New())
//	}
package conditiontest
