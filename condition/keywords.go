package condition

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// KeywordSet is a necessary condition on the folded message text
// (Facts.Text) derived from a condition tree by Keywords: a prefilter may
// skip a tree whose KeywordSet does not Admit the text, because such a tree
// is certainly false on it.
type KeywordSet struct {
	// Indexable reports that the tree constrains the text. When false the
	// tree may be true whatever the text says and must always be evaluated.
	Indexable bool
	// Any lists folded substrings, sorted, none of them empty and none
	// containing another. When Indexable, the tree can be true only on a
	// text that contains at least one of them; Indexable with no keyword
	// means the tree is never true.
	Any []string
}

// Admits reports whether a tree with this keyword set may be true on the
// folded text: the set is not indexable, or text contains one of its keywords.
func (k KeywordSet) Admits(text string) bool {
	if !k.Indexable {
		return true
	}
	for _, w := range k.Any {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// Keywords derives from tree a sound keyword set: whenever tree is true on
// some Facts f, the result Admits f.Text. It never claims more than that:
// a tree it cannot bound is not Indexable.
//
// The analysis pushes negations down to the leaves (De Morgan), so
// `not: {text: {not_contains: x}}` needs x like `contains: x` does. Then:
//   - text contains, starts_with, ends_with and equals need their folded
//     operand (word: true matches whole words, which are substrings too);
//     contains_any needs one of its operands, contains_all any one of them;
//   - any (OR) needs the union of its children's sets, and is not indexable
//     as soon as one child is not; an empty any is never true;
//   - all (AND) needs the most selective set among its indexable children
//     (fewest and longest keywords);
//   - every other leaf (matches, empty, not_*, phone, schedule, raw
//     expressions, ...) and any keyword that folds to "" do not constrain
//     the text.
//
// With exact: true a leaf compares the raw text, and folding is not a
// substring homomorphism for every script (NFC may compose Hangul jamo).
// The keyword is then the longest ASCII run of the operand, lower-cased:
// ASCII characters survive Fold unchanged but for case, and nothing can be
// inserted between two of them. An operand with no ASCII character does not
// constrain the text.
//
// A skipped tree is not evaluated at all, so a raw expression that would
// have failed on that message (over its cost limit) is not reported for it.
func Keywords(tree Node) KeywordSet {
	n := analyze(tree, false)
	if !n.ok {
		return KeywordSet{}
	}
	return KeywordSet{Indexable: true, Any: n.kws}
}

// need is the analysis of one node: ok means "true only when the text
// contains one of kws".
type need struct {
	ok  bool
	kws []string
}

var (
	unknown = need{}
	never   = need{ok: true}
)

// analyze returns the need of n, or of !n when neg is set.
func analyze(n Node, neg bool) need {
	switch n := n.(type) {
	case nil:
		if neg {
			return never // not(always true)
		}
		return unknown
	case All:
		if neg {
			return anyOf(n.Nodes, true)
		}
		return allOf(n.Nodes, false)
	case Any:
		if neg {
			return allOf(n.Nodes, true)
		}
		return anyOf(n.Nodes, false)
	case Not:
		return analyze(n.Node, !neg)
	case Text:
		return textNeed(n, neg)
	}
	return unknown
}

// anyOf is the need of an OR of nodes (each negated when neg).
func anyOf(nodes []Node, neg bool) need {
	var kws []string
	for _, c := range nodes {
		n := analyze(c, neg)
		if !n.ok {
			return unknown
		}
		kws = append(kws, n.kws...)
	}
	return need{ok: true, kws: minimal(kws)}
}

// allOf is the need of an AND of nodes (each negated when neg): the most
// selective need of its children.
func allOf(nodes []Node, neg bool) need {
	best := unknown
	for _, c := range nodes {
		n := analyze(c, neg)
		if n.ok && (!best.ok || cost(n.kws) < cost(best.kws)) {
			best = n
		}
	}
	return best
}

// cost estimates how often a text contains one of kws: each keyword
// counts, and a short one far more than a long one. Never (no keyword)
// costs 0.
func cost(kws []string) int {
	c := 0
	for _, k := range kws {
		c += 1 << max(0, 30-3*utf8.RuneCountInString(k))
	}
	return c
}

func textNeed(t Text, neg bool) need {
	op := t.Op
	if neg {
		switch op {
		case OpNotContains:
			op = OpContains
		case OpNotEquals:
			op = OpEquals
		default:
			return unknown
		}
	}
	switch op {
	case OpContains, OpStartsWith, OpEndsWith, OpEquals:
		return keyword(t.Value, t.Exact)
	case OpContainsAny:
		nodes := make([]Node, len(t.Values))
		for i, v := range t.Values {
			nodes[i] = Text{Op: OpContains, Value: v, Exact: t.Exact}
		}
		return anyOf(nodes, false)
	case OpContainsAll:
		best := unknown
		for _, v := range t.Values {
			n := keyword(v, t.Exact)
			if n.ok && (!best.ok || cost(n.kws) < cost(best.kws)) {
				best = n
			}
		}
		return best
	}
	return unknown
}

// keyword is the need of "the text contains v" (folded unless exact).
func keyword(v string, exact bool) need {
	k := Fold(v)
	if exact {
		k = strings.ToLower(longestASCII(v))
	}
	if k == "" {
		return unknown
	}
	return need{ok: true, kws: []string{k}}
}

// longestASCII returns the longest run of ASCII bytes in s (the first of
// equal length).
func longestASCII(s string) string {
	best, start := "", -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] < utf8.RuneSelf {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > len(best) {
			best = s[start:i]
		}
		start = -1
	}
	return best
}

// minimal sorts and deduplicates kws and drops every keyword that contains
// another: a text containing "prixx" contains "prix", so {prix, prixx}
// needs no more than {prix}.
func minimal(kws []string) []string {
	if len(kws) == 0 {
		return nil
	}
	slices.Sort(kws)
	kws = slices.Compact(kws)
	if len(kws) > 64 {
		return kws
	}
	out := kws[:0:0]
	for i, k := range kws {
		redundant := false
		for j, o := range kws {
			if i != j && len(o) < len(k) && strings.Contains(k, o) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, k)
		}
	}
	return out
}
