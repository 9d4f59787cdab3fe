package condition

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Compiler turns a condition tree into a Program. The CEL and expr backends
// (sub-packages cel and expr) implement it; both give the same result and
// trace for the same tree and facts.
type Compiler interface {
	// Name is the backend's name: "cel" or "expr".
	Name() string
	// Compile checks tree against env and compiles it. A nil tree is always true.
	// Errors are *CompileError values (joined with errors.Join when several).
	Compile(tree Node, env Env) (Program, error)
}

// Program is a compiled condition tree, safe for concurrent use.
type Program interface {
	// Eval evaluates the tree on f. Every leaf is evaluated (no short
	// circuit) so the trace is complete; the result is Combine of the
	// leaves' values. An error (e.g. a raw expression over
	// its cost limit) fails this evaluation only.
	Eval(ctx context.Context, f *Facts) (Result, error)
	// Match evaluates the tree to its value alone, on the scope of one
	// message (NewScope): no trace is built, the all/any/not structure
	// short-circuits, and what depends on the message only (the filled
	// environment, the clocks) is shared with the other programs evaluated
	// on s. Its value is Eval's Matched. An error of a leaf that the short
	// circuit skips is not reported (Eval reports it).
	Match(ctx context.Context, s *Scope) (bool, error)
	// Trace is Eval on the scope of one message: the leaves Match (or
	// another program sharing them) already evaluated on s are not
	// evaluated again. Eval(ctx, f) is Trace(ctx, NewScope(f)).
	Trace(ctx context.Context, s *Scope) (Result, error)
}

// Env is what a tree is compiled against.
type Env struct {
	// Location is the account's time zone; nil means UTC.
	Location *time.Location
	// Hours are the named business hours InHours leaves may name.
	Hours map[string]Hours
	// CostLimit bounds the evaluation cost of a CEL program, and the
	// estimated steps of each expr raw expression; 0 means DefaultCostLimit.
	CostLimit uint64
	// MaxNodes bounds the size of an expr program; 0 means DefaultMaxNodes.
	MaxNodes uint
	// Leaves, when set, shares identical leaves between the programs
	// compiled with it (see LeafCache); nil shares them within one tree.
	Leaves *LeafCache
}

// Default bounds of user expressions.
const (
	DefaultCostLimit uint64 = 10_000
	DefaultMaxNodes  uint   = 2_000
)

// Loc returns e.Location, or UTC when nil.
func (e Env) Loc() *time.Location {
	if e.Location == nil {
		return time.UTC
	}
	return e.Location
}

// Result is the outcome of one evaluation.
type Result struct {
	Matched bool
	Trace   Trace
}

// LeafResult is the value one leaf had: the "why" of an execution.
type LeafResult struct {
	// Path locates the leaf in the tree, e.g. "all[1].not.schedule".
	Path string `json:"path"`
	// Leaf describes the test, e.g. `text contains "prix"`.
	Leaf string `json:"leaf"`
	// Value is the leaf's own value, before any enclosing not.
	Value bool `json:"value"`
}

// Trace lists every leaf's value in tree order (depth first, left to right).
type Trace []LeafResult

// String formats the trace one leaf per line: "✓ path: leaf" or "✗ path: leaf".
func (t Trace) String() string {
	var b strings.Builder
	for _, l := range t {
		mark := "✗"
		if l.Value {
			mark = "✓"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", mark, l.Path, l.Leaf)
	}
	return b.String()
}

// LeafInfo is a leaf and where it sits in the tree.
type LeafInfo struct {
	Path string
	Node Node
}

// Leaves lists the leaves of tree in trace order with their paths.
func Leaves(tree Node) []LeafInfo {
	var out []LeafInfo
	var walk func(n Node, path string)
	join := func(path, s string) string {
		if path == "" {
			return s
		}
		return path + "." + s
	}
	walk = func(n Node, path string) {
		switch n := n.(type) {
		case nil:
		case All:
			for i, c := range n.Nodes {
				walk(c, join(path, fmt.Sprintf("all[%d]", i)))
			}
		case Any:
			for i, c := range n.Nodes {
				walk(c, join(path, fmt.Sprintf("any[%d]", i)))
			}
		case Not:
			walk(n.Node, join(path, "not"))
		default:
			out = append(out, LeafInfo{Path: join(path, LeafType(n)), Node: n})
		}
	}
	walk(tree, "")
	return out
}

// Combine computes the value of tree from the values of its leaves, given in
// the order of Leaves. Backends use it as the reference for their own
// compiled combination; tests use it as the oracle.
func Combine(tree Node, leaves []bool) bool {
	i := 0
	var eval func(n Node) bool
	eval = func(n Node) bool {
		switch n := n.(type) {
		case nil:
			return true
		case All:
			v := true
			for _, c := range n.Nodes {
				v = eval(c) && v
			}
			return v
		case Any:
			v := false
			for _, c := range n.Nodes {
				v = eval(c) || v
			}
			return v
		case Not:
			return !eval(n.Node)
		default:
			v := leaves[i]
			i++
			return v
		}
	}
	return eval(tree)
}

// LeafType is the leaf's key in workflow files ("text", "schedule", "cel", ...).
func LeafType(n Node) string {
	switch n := n.(type) {
	case Text:
		return "text"
	case Phone:
		return "phone"
	case Agent:
		return "agent"
	case MessageType:
		return "message_type"
	case MessageCount:
		return "message_count"
	case SinceLastReply:
		return "since_last_reply"
	case Labels:
		return "labels"
	case Length:
		return "length"
	case Schedule, InHours:
		return "schedule"
	case Raw:
		return string(n.Lang)
	}
	return fmt.Sprintf("%T", n)
}

// Errors a compiler returns, testable with errors.Is.
var (
	// ErrUnsupported: the tree uses something this backend does not
	// implement, such as a cel: expression given to the expr backend.
	ErrUnsupported = errors.New("not supported by this backend")
	// ErrCostLimit: an evaluation exceeded the cost limit.
	ErrCostLimit = errors.New("expression exceeds its cost limit")
)

// CompileError reports a leaf that cannot be compiled.
type CompileError struct {
	// Path locates the leaf as in LeafResult.Path.
	Path string
	Err  error
}

// Error is "path: cause".
func (e *CompileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *CompileError) Unwrap() error { return e.Err }
