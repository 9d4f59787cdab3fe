// Package cel is the condition backend built on github.com/google/cel-go:
// it compiles a whole condition tree into one CEL program that binds every
// leaf (ext.Bindings) and returns the combined result and each leaf's value.
//
// Raw leaves use CEL (condition.Raw with Lang "cel") over the variables of
// condition.Vars; they must be boolean. Their estimated cost, with text
// bounded by MaxTextSize and labels by MaxLabels, must stay within
// Env.CostLimit (condition.DefaultCostLimit when 0), and each evaluation
// enforces that limit too: exceeding it fails Eval with an error wrapping
// condition.ErrCostLimit. An expr: leaf is a *condition.CompileError
// wrapping condition.ErrUnsupported.
package cel
