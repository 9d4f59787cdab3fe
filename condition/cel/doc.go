// Package cel is the condition backend built on github.com/google/cel-go:
// it compiles each leaf of a condition tree into one boolean CEL program
// (shared with other trees through condition.Env.Leaves) and combines their
// values with the tree's all/any/not structure: every leaf for Eval's
// trace, only the leaves the structure needs for Match.
//
// Built-in leaves (text, phone, agent, message type, counts, labels,
// schedules, business hours) are not run by the CEL interpreter: they are
// evaluated in Go by the same comparisons their generated expressions
// make, on the facts and the message's clocks, without filling an
// environment (word and regexp tests use the same RE2 patterns). Only raw
// leaves run as CEL programs.
//
// Raw leaves use CEL (condition.Raw with Lang "cel") over the variables of
// condition.Vars; they must be boolean. Their estimated cost, with text
// bounded by MaxTextSize and labels by MaxLabels, must stay within
// Env.CostLimit (condition.DefaultCostLimit when 0), and each evaluation of a raw
// leaf enforces that limit too: exceeding it fails Eval with an error wrapping
// condition.ErrCostLimit. An expr: leaf is a *condition.CompileError
// wrapping condition.ErrUnsupported.
package cel
