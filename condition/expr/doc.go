// Package expr is the condition backend built on github.com/expr-lang/expr:
// it compiles each leaf of a condition tree into one boolean expr program
// (shared with other trees through condition.Env.Leaves) and combines their
// values with the tree's all/any/not structure: every leaf for Eval's
// trace, only the leaves the structure needs for Match.
//
// Built-in leaves (text, phone, agent, message type, counts, labels,
// schedules, business hours) are not run by the expr interpreter: they are
// evaluated in Go by the same comparisons their generated expressions
// make, on the facts and the message's clocks, without filling an
// environment (word and regexp tests use the same RE2 patterns). Only raw
// leaves run as expr programs.
//
// Raw leaves use the expr language (condition.Raw with Lang "expr") over the
// variables of condition.Vars; they must be boolean and stay within
// Env.MaxNodes nodes (condition.DefaultMaxNodes when 0) and Env.CostLimit
// estimated steps (condition.DefaultCostLimit when 0), or Compile refuses
// them with condition.ErrCostLimit. The estimate counts one step per node;
// a loop (all, any, filter, map, count, reduce...) counts its body once per
// element of its list: a list literal or a range of constants has its
// length, labels at most 256 elements, any other list (split(text, " "), a
// range of variables, a let name) 65,536. Building a range, or reading a
// whole list (sum, sort, join...), counts one step per element. So
// `len(map(1..100000000, #)) > 0` is refused when loaded instead of
// failing on every message, and `all(labels, {# startsWith "vip"})` (768
// steps) is accepted. A cel: leaf is a *condition.CompileError wrapping
// condition.ErrUnsupported.
package expr
