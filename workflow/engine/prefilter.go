package engine

import (
	"iter"
	"math/bits"
	"slices"
	"time"
	"unsafe"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// prefilterStats describes the keyword prefilter of a workflow set.
//
// Every enabled workflow whose conditions need the message text to contain
// one of some keywords (condition.Keywords) is indexed: it is evaluated only
// for messages whose folded text contains one of them. The others are
// evaluated for every message, so their number, not the number of
// workflows, sets the cost of a message.
type prefilterStats struct {
	// Enabled counts the enabled workflows.
	Enabled int
	// Indexed counts the enabled workflows the prefilter can skip.
	Indexed int
	// Always counts the enabled workflows evaluated for every message.
	Always int
	// Keywords counts the distinct keywords; States the automaton's states.
	Keywords, States int
	// Never counts the enabled workflows whose conditions can never be
	// true (condition.NeedsOf); they are never candidates.
	Never int
	// Bytes is the memory the index holds, approximately.
	Bytes int
}

// prefilterStats describes the keyword prefilter of the current workflows.
func (e *Engine) prefilterStats() prefilterStats {
	if ix := e.set.Load().index; ix != nil {
		return ix.stats
	}
	return prefilterStats{}
}

// prefilter is the immutable index of one workflow set: an Aho–Corasick
// automaton over every indexed workflow's keywords, scanned once over the
// folded text of a message, and the list of workflows the keywords cannot
// index, itself indexed by the message's other dimensions (dims).
// Every candidate must also pass its workflow's gate: the needs of its
// conditions on the agent, the message type and the hour of the week.
//
// One automaton serves every keyword because text conditions match
// substrings (contains, starts_with, ends_with, equals); a word hash index
// would serve only `word: true` keywords and would need a second pass with
// the exact \pL\pN word boundaries of the backends. The automaton is sparse
// (edges sorted per state, a dense table at the root only) so it costs a
// few tens of bytes per keyword byte, not the 1–4 KiB per state of a dense
// 256-way table, and a scan allocates nothing.
type prefilter struct {
	// always lists the positions (in workflowSet.list) of enabled workflows
	// the index cannot skip, ascending.
	always []int32
	// root is the root's dense transition table; 0 means "stay at root".
	root [256]int32
	// edges of state s are label/next[first[s]:first[s+1]], sorted by label.
	first []int32
	label []byte
	next  []int32
	// fail is each state's failure link.
	fail []int32
	// hit is s when s ends a keyword, else the nearest state on its
	// failure chain that does; 0 when none.
	hit []int32
	// The workflows needing the keyword that ends at s are
	// wfs[wfFirst[s]:wfFirst[s+1]], ascending.
	wfFirst []int32
	wfs     []int32
	// needs[i] is what the conditions of list[i] need of a message other
	// than its text; loc is the account's time zone they are in.
	needs []condition.Needs
	loc   *time.Location
	dims  dims
	stats prefilterStats
}

// newPrefilter indexes list (ascending priority, as in workflowSet), whose
// conditions are compiled against env.
func newPrefilter(list []*compiled, env condition.Env) *prefilter {
	p := &prefilter{loc: env.Loc(), needs: make([]condition.Needs, len(list))}
	type need struct {
		kw  string
		pos int32
	}
	var needs []need
	for i, c := range list {
		if !c.Enabled {
			continue
		}
		p.stats.Enabled++
		p.needs[i] = condition.NeedsOf(c.Conditions, env)
		if p.needs[i].Never() {
			p.stats.Never++
			continue
		}
		ks := condition.Keywords(c.Conditions)
		if !ks.Indexable {
			p.always = append(p.always, int32(i))
			continue
		}
		// A workflow needing no keyword at all is never true: indexed, and
		// never a candidate.
		p.stats.Indexed++
		for _, k := range ks.Any {
			needs = append(needs, need{k, int32(i)})
		}
	}
	p.stats.Always = len(p.always)
	p.dims = newDims(list, p.always, p.needs)
	slices.SortFunc(needs, func(a, b need) int {
		if a.kw != b.kw {
			if a.kw < b.kw {
				return -1
			}
			return 1
		}
		return int(a.pos - b.pos)
	})
	kws := make([]string, 0, len(needs))
	for _, n := range needs {
		if len(kws) == 0 || kws[len(kws)-1] != n.kw {
			kws = append(kws, n.kw)
		}
	}
	ends := p.buildTrie(kws)
	// Workflow lists per terminal state, in state order.
	counts := make([]int32, len(p.fail)+1)
	k := 0
	for i, n := range needs {
		if i > 0 && n.kw != needs[i-1].kw {
			k++
		}
		counts[ends[k]+1]++
	}
	for s := 1; s < len(counts); s++ {
		counts[s] += counts[s-1]
	}
	p.wfFirst = counts
	p.wfs = make([]int32, len(needs))
	fill := slices.Clone(counts[:len(counts)-1])
	k = 0
	for i, n := range needs {
		if i > 0 && n.kw != needs[i-1].kw {
			k++
		}
		s := ends[k]
		p.wfs[fill[s]] = n.pos
		fill[s]++
	}
	p.stats.Keywords = len(kws)
	p.stats.States = len(p.fail)
	p.stats.Bytes = int(unsafe.Sizeof(*p)) + 4*(len(p.always)+len(p.first)+len(p.next)+len(p.fail)+len(p.hit)+len(p.wfFirst)+len(p.wfs)) + len(p.label) +
		len(p.needs)*int(unsafe.Sizeof(condition.Needs{})) + p.dims.bytes()
	return p
}

// buildTrie builds the automaton over kws (sorted, distinct, non-empty) and
// returns the state each keyword ends at.
func (p *prefilter) buildTrie(kws []string) []int32 {
	type edge struct {
		from, to int32
		b        byte
	}
	var edges []edge
	states := int32(1)
	ends := make([]int32, len(kws))
	path := []int32{0} // path[d] is the state of the previous keyword's prefix of length d
	prev := ""
	for i, kw := range kws {
		l := 0
		for l < len(prev) && l < len(kw) && prev[l] == kw[l] {
			l++
		}
		path = path[:l+1]
		for d := l; d < len(kw); d++ {
			// Sorted keywords add each state's children in ascending byte order.
			edges = append(edges, edge{from: path[d], to: states, b: kw[d]})
			path = append(path, states)
			states++
		}
		ends[i] = path[len(kw)]
		prev = kw
	}
	p.first = make([]int32, states+1)
	for _, e := range edges {
		p.first[e.from+1]++
	}
	for s := int32(1); s <= states; s++ {
		p.first[s] += p.first[s-1]
	}
	p.label = make([]byte, len(edges))
	p.next = make([]int32, len(edges))
	fill := slices.Clone(p.first[:states])
	for _, e := range edges {
		p.label[fill[e.from]] = e.b
		p.next[fill[e.from]] = e.to
		fill[e.from]++
	}
	for i := p.first[0]; i < p.first[1]; i++ {
		p.root[p.label[i]] = p.next[i]
	}
	terminal := make([]bool, states)
	for _, s := range ends {
		terminal[s] = true
	}
	p.fail = make([]int32, states)
	p.hit = make([]int32, states)
	// Breadth first, so a failure link points to a state already done.
	queue := make([]int32, 0, states)
	queue = append(queue, 0)
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for i := p.first[s]; i < p.first[s+1]; i++ {
			t := p.next[i]
			if s != 0 {
				p.fail[t] = p.step(p.fail[s], p.label[i])
			}
			if terminal[t] {
				p.hit[t] = t
			} else {
				p.hit[t] = p.hit[p.fail[t]]
			}
			queue = append(queue, t)
		}
	}
	return ends
}

// child returns s's transition on b, or -1.
func (p *prefilter) child(s int32, b byte) int32 {
	lo, hi := p.first[s], p.first[s+1]
	for hi-lo > 8 {
		mid := int32(uint32(lo+hi) >> 1)
		if p.label[mid] < b {
			lo = mid + 1
		} else {
			hi = mid + 1 // keep mid: it may be b
		}
	}
	for ; lo < hi; lo++ {
		if p.label[lo] == b {
			return p.next[lo]
		}
	}
	return -1
}

// step is the automaton's transition from s on b, failure links included.
func (p *prefilter) step(s int32, b byte) int32 {
	for s != 0 {
		if t := p.child(s, b); t >= 0 {
			return t
		}
		s = p.fail[s]
	}
	return p.root[b]
}

// lookup appends to dst the positions of the indexed workflows one of whose
// keywords text contains, ascending and distinct.
func (p *prefilter) lookup(text string, dst []int32) []int32 {
	if p.stats.Keywords == 0 {
		return dst // no indexed workflow: no scan
	}
	var buf [32]int32
	hits := buf[:0]
	s := int32(0)
	for i := 0; i < len(text); i++ {
		s = p.step(s, text[i])
		for h := p.hit[s]; h != 0; h = p.hit[p.fail[h]] {
			hits = append(hits, h)
		}
	}
	if len(hits) == 0 {
		return dst
	}
	slices.Sort(hits)
	hits = slices.Compact(hits)
	start := len(dst)
	for _, h := range hits {
		dst = append(dst, p.wfs[p.wfFirst[h]:p.wfFirst[h+1]]...)
	}
	if len(hits) > 1 {
		slices.Sort(dst[start:])
		dst = dst[:start+len(slices.Compact(dst[start:]))]
	}
	return dst
}

// candidates yields, in the order of s.list, the workflows that may match
// the message of scope sc, event ev: those the index finds by keyword and
// those it cannot index, when their trigger, session, group setting and the
// needs of their conditions (agent, message type, hour of the week) admit
// the message. It skips only workflows that are disabled or whose
// conditions are certainly false on the message (or that would not apply
// to it).
func (s *workflowSet) candidates(sc *condition.Scope, ev trigger.Event) iter.Seq[*compiled] {
	return func(yield func(*compiled) bool) {
		p := s.index
		if p == nil {
			for _, c := range s.list {
				if !yield(c) {
					return
				}
			}
			return
		}
		f := sc.Facts()
		var buf [64]int32
		found := p.lookup(f.Text, buf[:0])
		if len(found) == 0 && p.dims.words == 0 {
			return // no keyword found, no keyword-less workflow: the clock is not needed
		}
		clock := sc.LocalTime(p.loc, false)
		cur := p.dims.cursor(p.always, f, clock, ev)
		next, more := cur.next()
		for len(found) > 0 || more {
			var i int32
			if !more || len(found) > 0 && found[0] < next {
				i, found = found[0], found[1:]
				if !p.needs[i].Admits(f, clock) {
					continue
				}
			} else {
				i = next
				next, more = cur.next()
			}
			if !yield(s.list[i]) {
				return
			}
		}
	}
}

// dims indexes the workflows of prefilter.always by the dimensions of a
// message other than its text: one bitset over always per value of each
// dimension (bit j set: always[j] may match a message with that value).
// A message's candidates are the AND of its values' bitsets, so the cost
// is a few words per 64 always-evaluated workflows, not one evaluation
// per workflow.
type dims struct {
	words int
	// hours[h] for hour of the week h; agent[0] unassigned, agent[1] assigned.
	hours [168][]uint64
	agent [2][]uint64
	// types[t] for a message type some workflow names; otherType for the rest.
	types     map[trigger.MessageType][]uint64
	otherType []uint64
	// sessions[s] for a session some workflow names; otherSession for the rest.
	sessions     map[string][]uint64
	otherSession []uint64
	// kinds: the workflows of each trigger, by whether it fires on a message.
	kinds []kindBits
	// groups: the workflows that run on group messages.
	groups []uint64
}

type kindBits struct {
	trigger trigger.Trigger
	bits    []uint64
}

func newDims(list []*compiled, always []int32, needs []condition.Needs) dims {
	d := dims{words: (len(always) + 63) / 64, types: map[trigger.MessageType][]uint64{}, sessions: map[string][]uint64{}}
	if d.words == 0 {
		return d
	}
	bits := func() []uint64 { return make([]uint64, d.words) }
	for h := range d.hours {
		d.hours[h] = bits()
	}
	d.agent = [2][]uint64{bits(), bits()}
	d.otherType, d.otherSession, d.groups = bits(), bits(), bits()
	// Every named type and session first, so that "any" workflows can be
	// added to all of them.
	for _, pos := range always {
		for _, t := range needs[pos].Types {
			if d.types[t] == nil {
				d.types[t] = bits()
			}
		}
		if s := list[pos].Session; s != "" && d.sessions[s] == nil {
			d.sessions[s] = bits()
		}
	}
	kinds := map[trigger.Kind]int{}
	for j, pos := range always {
		w, bit := j/64, uint64(1)<<(j%64)
		c, n := list[pos], needs[pos]
		for h := range d.hours {
			if n.Hours.Has(h) {
				d.hours[h][w] |= bit
			}
		}
		if n.Agent&condition.AgentUnassigned != 0 {
			d.agent[0][w] |= bit
		}
		if n.Agent&condition.AgentAssigned != 0 {
			d.agent[1][w] |= bit
		}
		if n.Types == nil {
			d.otherType[w] |= bit
			for _, b := range d.types {
				b[w] |= bit
			}
		}
		for _, t := range n.Types {
			d.types[t][w] |= bit
		}
		if c.Session == "" {
			d.otherSession[w] |= bit
			for _, b := range d.sessions {
				b[w] |= bit
			}
		} else {
			d.sessions[c.Session][w] |= bit
		}
		if c.Groups {
			d.groups[w] |= bit
		}
		k, ok := kinds[c.Trigger]
		if !ok {
			k = len(d.kinds)
			kinds[c.Trigger] = k
			d.kinds = append(d.kinds, kindBits{trigger: c.trigger, bits: bits()})
		}
		d.kinds[k].bits[w] |= bit
	}
	return d
}

// cursor walks the elements of always whose dimensions admit the message
// (facts f, clock c in the account's zone, event ev), in order.
type cursor struct {
	d      *dims
	always []int32
	hours  []uint64
	agent  []uint64
	typ    []uint64
	sess   []uint64
	kinds  [4][]uint64
	nkinds int
	group  bool
	w      int    // the next word to load
	m      uint64 // the bits of word w-1 not yet returned
}

func (d *dims) cursor(always []int32, f *condition.Facts, c condition.LocalTime, ev trigger.Event) cursor {
	cur := cursor{d: d, always: always, group: ev.Message.Group}
	if d.words == 0 {
		return cur
	}
	cur.hours = d.hours[condition.HourOfWeek(c)]
	cur.agent = d.agent[0]
	if f.Agent != "" {
		cur.agent = d.agent[1]
	}
	var ok bool
	if cur.typ, ok = d.types[f.Type]; !ok {
		cur.typ = d.otherType
	}
	if cur.sess, ok = d.sessions[ev.Message.Session]; !ok {
		cur.sess = d.otherSession
	}
	for _, k := range d.kinds {
		if !k.trigger.Fires(ev) {
			continue
		}
		if cur.nkinds == len(cur.kinds) {
			// More trigger kinds than slots: admit every kind (the
			// candidates still pass Trigger.Fires one by one).
			cur.nkinds = -1
			break
		}
		cur.kinds[cur.nkinds] = k.bits
		cur.nkinds++
	}
	return cur
}

// next returns the next admitted element of always, or false.
func (cur *cursor) next() (int32, bool) {
	d := cur.d
	for cur.m == 0 {
		if cur.w >= d.words {
			return 0, false
		}
		w := cur.w
		cur.w++
		k := ^uint64(0)
		if cur.nkinds >= 0 {
			k = 0
			for _, b := range cur.kinds[:cur.nkinds] {
				k |= b[w]
			}
		}
		cur.m = cur.hours[w] & cur.agent[w] & cur.typ[w] & cur.sess[w] & k
		if cur.group {
			cur.m &= d.groups[w]
		}
	}
	j := (cur.w-1)*64 + bits.TrailingZeros64(cur.m)
	cur.m &= cur.m - 1
	return cur.always[j], true
}

func (d *dims) bytes() int {
	n := 0
	for _, b := range d.hours {
		n += 8 * len(b)
	}
	n += 8 * d.words * (2 + 1 + 1 + 1 + len(d.types) + len(d.sessions) + len(d.kinds))
	return n
}
