// Package replay plays the customer messages recorded in a store through a
// draft rule set, with the facts of their time, and tells per workflow
// what fired before, what would fire, what is new and what no longer
// fires: "what would this draft have done last month?". It reads the store
// only and evaluates in a fresh in-memory engine (engine.DecideMatch):
// nothing is sent, assigned, labelled or logged.
//
//	rep, err := replay.Run(ctx, store, draft, replay.Options{
//		Since: time.Now().AddDate(0, 0, -30), Compiler: expr.New(), Location: loc,
//	})
//
// Facts the store keeps no history of are rebuilt as Approximations says.
//
// # Speed
//
// The draft's conditions are matched the way the live engine matches them
// (short-circuited, leaves shared between workflows, no trace), and only
// the examples kept are traced. A store that implements FactsReader and
// LogScanner (adapters/bun does) is read in bulk: the conversations and
// contacts of a batch of messages in one query each, the execution log
// without its traces; the traces of the examples are read back with
// QueryLogs. On the benchmark of adapters/bun (10,000 customer messages,
// five workflows; adapters/bun/BENCHMARKS.md has the command and the
// numbers) this replays about 43,000 messages per CPU-second on SQLite
// (21,000 before) and 66,000 on PostgreSQL (14,000 before).
package replay
