package expr

import (
	"reflect"

	"github.com/expr-lang/expr/ast"

	"github.com/waauto/waauto/condition"
)

// Size bounds assumed when estimating the cost of raw expressions (the
// same as the cel backend's).
const (
	// maxCollection bounds a collection of unknown size: split(text, "")
	// has at most one element per character of the text (65,536).
	maxCollection = 65536
	// maxLabels bounds the number of labels of a customer.
	maxLabels = 256
)

// cost estimates the evaluation steps of an optimized expr tree, so that
// a raw expression whose work is unbounded, like
// `len(map(1..100000000, #)) > 0`, is refused when it is loaded rather than
// failing on every message (expr bounds only its memory, at run time).
//
// The rule: every node costs 1; a builtin with a predicate (all, any,
// filter, map, count, reduce...) costs its predicate once per element of
// its collection; building a range a..b costs its b-a+1 elements, and a
// builtin reading a whole collection (sum, sort, join...) one per element.
// A collection's size is its length for a list literal or a range of
// constants, maxLabels for labels, a scalar variable counts 1, and any
// other collection (split(text, " "), a range of variables, a let name)
// maxCollection. Each string operation costs 1 whatever the length of the
// text. The sum saturates at limit+1: only "over the limit" matters.
func cost(n ast.Node, limit uint64) uint64 {
	c := estimator{limit: limit}
	return c.cost(n)
}

type estimator struct{ limit uint64 }

// add and mul saturate at limit+1.
func (e estimator) add(a, b uint64) uint64 { return min(a+b, e.limit+1) }

func (e estimator) mul(a, b uint64) uint64 {
	if a != 0 && b > (e.limit+1)/a {
		return e.limit + 1
	}
	return min(a*b, e.limit+1)
}

// readsAll are the builtins that read every element of their first
// argument.
var readsAll = map[string]bool{"sum": true, "mean": true, "median": true, "max": true, "min": true,
	"sort": true, "uniq": true, "reverse": true, "join": true, "concat": true, "flatten": true,
	"keys": true, "values": true, "toPairs": true, "fromPairs": true, "toJSON": true, "count": true}

func (e estimator) cost(n ast.Node) uint64 {
	switch n := n.(type) {
	case nil:
		return 0
	case *ast.BinaryNode:
		c := e.add(1, e.add(e.cost(n.Left), e.cost(n.Right)))
		if n.Operator == ".." {
			c = e.add(c, e.size(n))
		}
		return c
	case *ast.BuiltinNode:
		c := uint64(1)
		for _, a := range n.Arguments {
			if p, ok := a.(*ast.PredicateNode); ok {
				c = e.add(c, e.mul(e.size(n.Arguments[0]), e.cost(p.Node)))
				continue
			}
			c = e.add(c, e.cost(a))
		}
		if readsAll[n.Name] && len(n.Arguments) > 0 {
			c = e.add(c, e.size(n.Arguments[0]))
		}
		return c
	}
	c := uint64(1)
	for _, child := range children(n) {
		c = e.add(c, e.cost(child))
	}
	return c
}

// size bounds the number of elements of the collection n evaluates to.
func (e estimator) size(n ast.Node) uint64 {
	switch n := n.(type) {
	case *ast.BinaryNode:
		if n.Operator != ".." {
			return 1
		}
		from, ok1 := n.Left.(*ast.IntegerNode)
		to, ok2 := n.Right.(*ast.IntegerNode)
		if !ok1 || !ok2 {
			return maxCollection
		}
		if to.Value < from.Value {
			return 0
		}
		return e.add(uint64(to.Value-from.Value), 1)
	case *ast.ArrayNode:
		return uint64(len(n.Nodes))
	case *ast.ConstantNode:
		if v := reflect.ValueOf(n.Value); v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
			return uint64(v.Len())
		}
		return 1
	case *ast.IdentifierNode:
		switch {
		case n.Value == "labels":
			return maxLabels
		case isVar(n.Value):
			return 1
		}
		return maxCollection
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.StringNode, *ast.NilNode:
		return 1
	}
	return maxCollection
}

func isVar(name string) bool {
	for _, v := range condition.Vars {
		if v.Name == name {
			return true
		}
	}
	return false
}

// children lists the direct children of n, as ast.Walk visits them.
func children(n ast.Node) []ast.Node {
	switch n := n.(type) {
	case *ast.UnaryNode:
		return []ast.Node{n.Node}
	case *ast.ChainNode:
		return []ast.Node{n.Node}
	case *ast.MemberNode:
		return []ast.Node{n.Node, n.Property}
	case *ast.SliceNode:
		return []ast.Node{n.Node, n.From, n.To}
	case *ast.CallNode:
		return append([]ast.Node{n.Callee}, n.Arguments...)
	case *ast.PredicateNode:
		return []ast.Node{n.Node}
	case *ast.VariableDeclaratorNode:
		return []ast.Node{n.Value, n.Expr}
	case *ast.SequenceNode:
		return n.Nodes
	case *ast.ConditionalNode:
		return []ast.Node{n.Cond, n.Exp1, n.Exp2}
	case *ast.ArrayNode:
		return n.Nodes
	case *ast.MapNode:
		return n.Pairs
	case *ast.PairNode:
		return []ast.Node{n.Key, n.Value}
	}
	return nil
}
