// Package cel is the condition backend built on github.com/google/cel-go:
// it compiles each leaf of a condition tree into one boolean CEL program
// (shared with other trees through condition.Env.Leaves) and combines their
// values with the tree's all/any/not structure: every leaf for Eval's
// trace, only the leaves the structure needs for Match.
//
// Raw leaves use CEL (condition.Raw with Lang "cel") over the variables of
// condition.Vars; they must be boolean. Their estimated cost, with text
// bounded by MaxTextSize and labels by MaxLabels, must stay within
// Env.CostLimit (condition.DefaultCostLimit when 0), and each evaluation of a raw
// leaf enforces that limit too: exceeding it fails Eval with an error wrapping
// condition.ErrCostLimit. An expr: leaf is a *condition.CompileError
// wrapping condition.ErrUnsupported.
package cel
