// Package expr is the condition backend built on github.com/expr-lang/expr:
// it compiles a whole condition tree into one expr program that returns the
// combined result and every leaf's value.
//
// Raw leaves use the expr language (condition.Raw with Lang "expr") over the
// variables of condition.Vars; they must be boolean and stay within
// Env.MaxNodes nodes (condition.DefaultMaxNodes when 0). A cel: leaf is a
// *condition.CompileError wrapping condition.ErrUnsupported.
package expr
