package lint

import (
	"math"
	"regexp"
	"strings"
)

// literal is an atom with the value an assignment gives it.
type literal struct {
	atom  atom
	value bool
}

// theory decides whether the literals of one field can hold together on
// some message. It may answer true for an impossible set (the analysis is
// then incomplete) but answers false only for a set no message satisfies:
// every rule below is a fact about the engine's evaluation.
type theory struct {
	tl *timeline
}

func (th theory) consistent(field string, lits []literal, atomIDs []int) bool {
	switch field {
	case fText:
		return textConsistent(lits, inFolded)
	case fRaw:
		return textConsistent(lits, rawAllowed)
	case fPhone, fType:
		return oneValue(lits)
	case fAgent:
		return agentConsistent(lits)
	case fCount:
		return rangeConsistent(lits, 1) // the message itself is counted
	case fLength, fSince:
		return rangeConsistent(lits, 0)
	case fTime:
		value := make(map[int]bool, len(lits))
		for i, l := range lits {
			value[atomIDs[i]] = l.value
		}
		return th.tl.satisfy(value).first() >= 0
	}
	return true // labels are independent; raw expressions are opaque
}

// rawAllowed: the raw text is trimmed, but any rune can occur in it.
func rawAllowed(rune) bool { return true }

// oneValue: a single-valued field equals at most one value.
func oneValue(lits []literal) bool {
	eq := ""
	for _, l := range lits {
		if l.atom.op == aEquals && l.value {
			if eq != "" && eq != l.atom.val {
				return false
			}
			eq = l.atom.val
		}
	}
	return true
}

// agentConsistent: one agent id at most, and an agent id means assigned.
func agentConsistent(lits []literal) bool {
	if !oneValue(lits) {
		return false
	}
	id, assigned, known := false, false, false
	for _, l := range lits {
		switch {
		case l.atom.op == aEquals && l.value:
			id = true
		case l.atom.op == aAssigned:
			assigned, known = l.value, true
		}
	}
	return !(id && known && !assigned)
}

// rangeConsistent: some integer v >= min satisfies every "v >= k" literal
// (true or false). No upper bound means +inf is fine (since_last_reply
// with no reply yet).
func rangeConsistent(lits []literal, min int64) bool {
	lo, hi := min, int64(math.MaxInt64)
	for _, l := range lits {
		if l.value {
			lo = max(lo, l.atom.n)
		} else {
			hi = minInt(hi, l.atom.n) // v < k
		}
	}
	return hi == math.MaxInt64 || lo < hi
}

func minInt(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

// textConsistent decides the text literals of one text (folded or raw;
// allowed says which runes it can hold).
func textConsistent(lits []literal, allowed func(rune) bool) bool {
	for _, l := range lits {
		if l.atom.op == aEquals && l.value {
			return textIs(l.atom.val, lits, l.atom.field == fRaw)
		}
	}
	var pos []atom
	for _, l := range lits {
		if l.value {
			pos = append(pos, l.atom)
			if l.atom.op == aMatches && !canMatch(l.atom.val, allowed) {
				return false
			}
		}
	}
	for i, a := range pos {
		for _, b := range pos[i+1:] {
			if a.op == b.op && (a.op == aStarts && !strings.HasPrefix(a.val, b.val) && !strings.HasPrefix(b.val, a.val) ||
				a.op == aEnds && !strings.HasSuffix(a.val, b.val) && !strings.HasSuffix(b.val, a.val)) {
				return false
			}
		}
	}
	for _, l := range lits {
		if !l.value && implied(l.atom, pos) {
			return false
		}
	}
	return true
}

// implied reports whether the positive literals pos make a certainly true.
func implied(a atom, pos []atom) bool {
	switch a.op {
	case aContains, aStarts, aEnds:
		if a.val == "" {
			return true
		}
	case aWord:
		for _, p := range pos {
			if p.op == aWord && p.val == a.val {
				return true
			}
		}
		return false
	default:
		return false
	}
	for _, p := range pos {
		switch {
		case a.op == aContains && (p.op == aContains || p.op == aWord || p.op == aStarts || p.op == aEnds) && strings.Contains(p.val, a.val),
			a.op == aStarts && p.op == aStarts && strings.HasPrefix(p.val, a.val),
			a.op == aEnds && p.op == aEnds && strings.HasSuffix(p.val, a.val):
			return true
		}
	}
	return false
}

// textIs decides the literals when the text is known to be s. Word
// literals are left undecided (they never make a conflict). A folded
// equals operand is the fold of a text, so it can occur; a raw one cannot
// have surrounding space, the raw text being trimmed.
func textIs(s string, lits []literal, raw bool) bool {
	if raw && s != strings.TrimSpace(s) {
		return false
	}
	for _, l := range lits {
		var v bool
		switch l.atom.op {
		case aContains:
			v = strings.Contains(s, l.atom.val)
		case aStarts:
			v = strings.HasPrefix(s, l.atom.val)
		case aEnds:
			v = strings.HasSuffix(s, l.atom.val)
		case aEquals:
			v = s == l.atom.val
		case aMatches:
			re, err := regexp.Compile(l.atom.val)
			if err != nil {
				continue
			}
			v = re.MatchString(s)
		default:
			continue
		}
		if v != l.value {
			return false
		}
	}
	return true
}
