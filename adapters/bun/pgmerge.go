package bun

import (
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Merged statements in a pipelined batch.
//
// PostgreSQL spends CPU per statement of a batch (bind, portal, executor
// start and end of its plan), so the statements of a batch that do the
// same thing to different rows are sent as one multi-row statement: a
// statement with merged set (beginFiringsPG, finishFiringsPG) takes one
// array per argument of its single-row form, the members' arguments in
// order, unnests them WITH ORDINALITY and returns one row per member, in
// order: the row the single-row form returns (dest) or its row count.
//
// Merging keeps each caller's result:
//   - Members write disjoint rows: a member whose key already is in the
//     group is sent alone, after the merged statement, as it came after
//     that key's first member; so ON CONFLICT DO NOTHING still picks one
//     winner per key.
//   - The merged statement takes the place of its first member. Only
//     firing statements merge, and a firing's begin commits before its
//     steps and its finish are sent, so the statements it moves ahead of
//     touch other firings.
//   - When a merged statement fails, runPGBatch sends the batch again
//     without merging, and the statement that fails alone gets the error.

// mergePG returns the statements to send for live: each group of
// statements with the same merged SQL as one merged statement, at the
// place of its first member. A group of one is sent as it is, and so are
// the members of a group whose arguments do not fit arrays.
func mergePG(live []*pgStmt) []*pgStmt {
	type rowKey struct {
		merged string
		key    any
	}
	var (
		groups map[string]*pgStmt
		seen   map[rowKey]bool
	)
	sent := make([]*pgStmt, 0, len(live))
	for _, st := range live {
		m := rowKey{st.merged, st.key}
		if st.merged == "" || seen[m] {
			sent = append(sent, st)
			continue
		}
		if groups == nil {
			groups, seen = map[string]*pgStmt{}, map[rowKey]bool{}
		}
		seen[m] = true
		g := groups[st.merged]
		if g == nil {
			g = &pgStmt{sql: st.merged}
			groups[st.merged] = g
			sent = append(sent, g)
		}
		g.members = append(g.members, st)
	}
	if groups == nil {
		return live
	}
	out := sent[:0:0]
	for _, g := range sent {
		if len(g.members) > 1 {
			if args, ok := pgColumns(g.members); ok {
				g.args = args
				out = append(out, g)
				continue
			}
		}
		if g.members == nil {
			out = append(out, g)
		} else {
			out = append(out, g.members...)
		}
	}
	return out
}

// pgColumns returns the arguments of the merged statement of members: one
// array per argument of their statement, text[] or bigint[]. ok is false
// for an argument of another type.
func pgColumns(members []*pgStmt) (args []any, ok bool) {
	args = make([]any, len(members[0].args))
	for j, a := range members[0].args {
		switch a.(type) {
		case string:
			args[j], ok = pgColumn[string](members, j)
		case int64:
			args[j], ok = pgColumn[int64](members, j)
		}
		if !ok {
			return nil, false
		}
	}
	return args, true
}

// pgColumn returns the j-th argument of each member, all of type T.
func pgColumn[T any](members []*pgStmt, j int) ([]T, bool) {
	col := make([]T, len(members))
	for i, st := range members {
		v, ok := st.args[j].(T)
		if !ok {
			return nil, false
		}
		col[i] = v
	}
	return col, true
}

// readMerged reads a merged statement's rows, one per member, into each
// member's dest or affected, and sets each member's err.
func (st *pgStmt) readMerged(br pgx.BatchResults) error {
	rows, _ := br.Query() // its error is rows.Err()
	n := 0
	for ; rows.Next(); n++ {
		if n >= len(st.members) {
			continue
		}
		m := st.members[n]
		dest := m.dest
		if dest == nil {
			dest = []any{m.affected}
			if m.affected == nil {
				dest[0] = new(int64)
			}
		}
		m.err = rows.Scan(dest...)
	}
	err := rows.Err()
	if err == nil && n != len(st.members) {
		err = fmt.Errorf("merged statement returned %d rows for %d statements", n, len(st.members))
	}
	if err != nil {
		for _, m := range st.members {
			m.err = err
		}
	}
	return err
}

// mergedMembers counts the members of the merged statements of sent.
func mergedMembers(sent []*pgStmt) int64 {
	var n int64
	for _, st := range sent {
		n += int64(len(st.members))
	}
	return n
}
