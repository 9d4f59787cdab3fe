// Package replay plays the customer messages recorded in a store through a
// draft rule set, with the facts of their time, and tells per workflow
// what fired before, what would fire, what is new and what no longer
// fires: "what would this draft have done last month?". It reads the store
// only and evaluates in a fresh in-memory engine (engine.Decide): nothing
// is sent, assigned, labelled or logged.
//
//	rep, err := replay.Run(ctx, store, draft, replay.Options{
//		Since: time.Now().AddDate(0, 0, -30), Compiler: expr.New(), Location: loc,
//	})
//
// Facts the store keeps no history of are rebuilt as Approximations says.
package replay
