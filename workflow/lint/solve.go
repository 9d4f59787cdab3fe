package lint

// verdict is the answer of the solver.
type verdict uint8

const (
	unsat   verdict = iota // no message satisfies the formula: certain
	sat                    // an assignment satisfies it (see solver.model)
	unknown                // the search budget ran out
)

// maxSteps bounds one search; beyond it the answer is unknown, which every
// check reads as "possibly satisfiable".
const maxSteps = 20000

// solver is a DPLL-style case analysis: it splits on the atoms of the
// formula one at a time and, after each split, asks the theory whether the
// literals of the split atom's field can still hold together.
type solver struct {
	as    *atoms
	th    theory
	steps int
	// model is the satisfying partial assignment after sat.
	model map[int]bool
}

func (s *solver) solve(f *formula) verdict {
	s.steps = 0
	asg := map[int]bool{}
	v := s.search(f, asg)
	if v == sat {
		s.model = asg
	}
	return v
}

func (s *solver) search(f *formula, asg map[int]bool) verdict {
	s.steps++
	if s.steps > maxSteps {
		return unknown
	}
	switch eval(f, asg) {
	case kTrue:
		return sat
	case kFalse:
		return unsat
	}
	a := pickAtom(f, asg)
	result := unsat
	for _, v := range [2]bool{true, false} {
		asg[a] = v
		if s.fieldConsistent(a, asg) {
			switch s.search(f, asg) {
			case sat:
				return sat
			case unknown:
				result = unknown
			}
		}
		delete(asg, a)
	}
	return result
}

// fieldConsistent checks the literals of atom a's field.
func (s *solver) fieldConsistent(a int, asg map[int]bool) bool {
	field := s.as.list[a].field
	var lits []literal
	var ids []int
	for id, v := range asg {
		if s.as.list[id].field == field {
			lits = append(lits, literal{atom: s.as.list[id], value: v})
			ids = append(ids, id)
		}
	}
	return s.th.consistent(field, lits, ids)
}

// eval evaluates f under a partial assignment: kTrue, kFalse, or kLit when
// undecided.
func eval(f *formula, asg map[int]bool) kind {
	switch f.kind {
	case kTrue, kFalse:
		return f.kind
	case kLit:
		v, ok := asg[f.atom]
		if !ok {
			return kLit
		}
		if v != f.neg {
			return kTrue
		}
		return kFalse
	}
	undecided := false
	for _, k := range f.kids {
		switch eval(k, asg) {
		case kLit:
			undecided = true
		case kTrue:
			if f.kind == kOr {
				return kTrue
			}
		case kFalse:
			if f.kind == kAnd {
				return kFalse
			}
		}
	}
	switch {
	case undecided:
		return kLit
	case f.kind == kAnd:
		return kTrue
	}
	return kFalse
}

// pickAtom returns the first unassigned atom of f whose subformula is
// undecided.
func pickAtom(f *formula, asg map[int]bool) int {
	switch f.kind {
	case kLit:
		if _, ok := asg[f.atom]; !ok {
			return f.atom
		}
	case kAnd, kOr:
		for _, k := range f.kids {
			if eval(k, asg) == kLit {
				if a := pickAtom(k, asg); a >= 0 {
					return a
				}
			}
		}
	}
	return -1
}
