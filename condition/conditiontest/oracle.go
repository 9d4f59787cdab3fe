package conditiontest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/waauto/waauto/condition"
)

// Reference evaluates tree on f directly in Go, leaf by leaf, combined with
// condition.Combine. It is the oracle the suite holds compilers to. It does
// not evaluate raw expressions.
func Reference(tree condition.Node, env condition.Env, f *condition.Facts) (condition.Result, error) {
	leaves := condition.Leaves(tree)
	values := make([]bool, len(leaves))
	var trace condition.Trace
	for i, l := range leaves {
		v, err := refLeaf(l.Node, env, f)
		if err != nil {
			return condition.Result{}, &condition.CompileError{Path: l.Path, Err: err}
		}
		values[i] = v
		trace = append(trace, condition.LeafResult{Path: l.Path, Leaf: condition.Describe(l.Node), Value: v})
	}
	return condition.Result{Matched: condition.Combine(tree, values), Trace: trace}, nil
}

func refLeaf(n condition.Node, env condition.Env, f *condition.Facts) (bool, error) {
	switch n := n.(type) {
	case condition.Text:
		return refText(n, f)
	case condition.Phone:
		return refSet(n.Op, f.Phone, n.Values)
	case condition.Agent:
		switch n.Op {
		case condition.OpAssigned:
			return (f.Agent != "") == n.IsAssigned, nil
		case condition.OpIs:
			return f.Agent == n.ID, nil
		case condition.OpIsNot:
			return f.Agent != n.ID, nil
		}
	case condition.MessageType:
		types := make([]string, len(n.Types))
		for i, t := range n.Types {
			types[i] = string(t)
		}
		return refSet(n.Op, string(f.Type), types)
	case condition.MessageCount:
		return refCompare(n.Op, f.MessageCount, n.N)
	case condition.Length:
		return refCompare(n.Op, f.Length, n.N)
	case condition.SinceLastReply:
		if f.SinceLastReply < 0 {
			return n.Op == condition.OpGt || n.Op == condition.OpGte, nil
		}
		return refCompare(n.Op, f.SinceLastReply, n.D)
	case condition.Labels:
		has := func(v string) bool { return slices.Contains(f.Labels, v) }
		switch n.Op {
		case condition.OpHas:
			return has(n.Values[0]), nil
		case condition.OpHasNot:
			return !has(n.Values[0]), nil
		case condition.OpHasAny:
			return slices.ContainsFunc(n.Values, has), nil
		case condition.OpHasAll:
			return !slices.ContainsFunc(n.Values, func(v string) bool { return !has(v) }), nil
		case condition.OpHasNone:
			return !slices.ContainsFunc(n.Values, has), nil
		}
	case condition.Schedule:
		return n.Hours().Contains(f.Time, env.Loc()), nil
	case condition.InHours:
		h, ok := env.Hours[n.Name]
		if !ok {
			return false, fmt.Errorf("unknown business hours %q", n.Name)
		}
		return h.Contains(f.Time, env.Loc()), nil
	}
	return false, fmt.Errorf("reference evaluator: %s: %w", condition.Describe(n), condition.ErrUnsupported)
}

func refText(n condition.Text, f *condition.Facts) (bool, error) {
	s, fold := f.Text, condition.Fold
	if n.Exact {
		s, fold = f.RawText, func(s string) string { return s }
	}
	contains := func(v string) bool {
		if n.Word {
			return containsWord(s, fold(v))
		}
		return strings.Contains(s, fold(v))
	}
	switch n.Op {
	case condition.OpContains:
		return contains(n.Value), nil
	case condition.OpNotContains:
		return !contains(n.Value), nil
	case condition.OpStartsWith:
		return strings.HasPrefix(s, fold(n.Value)), nil
	case condition.OpEndsWith:
		return strings.HasSuffix(s, fold(n.Value)), nil
	case condition.OpEquals:
		return s == fold(n.Value), nil
	case condition.OpNotEquals:
		return s != fold(n.Value), nil
	case condition.OpContainsAny:
		return slices.ContainsFunc(n.Values, contains), nil
	case condition.OpContainsAll:
		return !slices.ContainsFunc(n.Values, func(v string) bool { return !contains(v) }), nil
	case condition.OpMatches:
		re, err := regexp.Compile(n.Value)
		if err != nil {
			return false, err
		}
		return re.MatchString(s), nil
	case condition.OpEmpty:
		return (s == "") == n.IsEmpty, nil
	}
	return false, fmt.Errorf("unknown operator %q", n.Op)
}

// containsWord reports whether w occurs in s neither preceded nor followed
// by a letter or a number.
func containsWord(s, w string) bool {
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !utf8.RuneStart(s[i]) || !strings.HasPrefix(s[i:], w) {
			continue
		}
		if before, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && isWord(before) {
			continue
		}
		if after, _ := utf8.DecodeRuneInString(s[i+len(w):]); i+len(w) < len(s) && isWord(after) {
			continue
		}
		return true
	}
	return false
}

func refSet(op condition.Op, v string, vals []string) (bool, error) {
	switch op {
	case condition.OpEquals, condition.OpIs:
		return v == vals[0], nil
	case condition.OpNotEquals, condition.OpIsNot:
		return v != vals[0], nil
	case condition.OpIn:
		return slices.Contains(vals, v), nil
	case condition.OpNotIn:
		return !slices.Contains(vals, v), nil
	}
	return false, fmt.Errorf("unknown operator %q", op)
}

func refCompare[T int | time.Duration](op condition.Op, a, b T) (bool, error) {
	switch op {
	case condition.OpEq:
		return a == b, nil
	case condition.OpNe:
		return a != b, nil
	case condition.OpGt:
		return a > b, nil
	case condition.OpGte:
		return a >= b, nil
	case condition.OpLt:
		return a < b, nil
	case condition.OpLte:
		return a <= b, nil
	}
	return false, fmt.Errorf("unknown operator %q", op)
}
