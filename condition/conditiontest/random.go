package conditiontest

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// generator draws random trees, business hours and facts from a small
// vocabulary, so that leaves match often enough to be interesting.
type generator struct {
	r     *rand.Rand
	zones []*time.Location
	loc   *time.Location // the account zone of the current tree
	hours map[string]condition.Hours
}

// Words mix case, accents, emoji and regexp characters.
var words = []string{
	"prix", "Prix", "PRIX", "problème", "probleme", "Problème", "dispo", "disponible",
	"été", "ete", "ÉTÉ", "merci", "🙏", "🙏🏽", "c++", "a.b", "(x)", "rdv", "75001",
	"ça", "ca", "naïve", "straße", "İstanbul", "bonjour", "hola",
}

var separators = []string{" ", " ", " ", ", ", "!", "?", "-", "", "\n", "'"}

var patterns = []string{
	`^prix`, `prix$`, `\bprix\b`, `\d{5}`, `(?i)PRIX`, `^$`, `ete|ça`, `[🙏]`, `^\p{L}+$`, `merci\s*!`, `.`, `é`,
}

var labelNames = []string{"vip", "urgent", "handoff", "b2b", "été"}
var phones = []string{"+33611111111", "+33622222222", "+15551234567"}
var agents = []string{"alice", "bob"}

func newGenerator(seed uint64) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for _, name := range []string{"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"} {
		g.zones = append(g.zones, mustLoad(name))
	}
	return g
}

func pick[T any](g *generator, xs []T) T { return xs[g.r.IntN(len(xs))] }

func (g *generator) some(xs []string, max int) []string {
	n := g.r.IntN(max + 1)
	out := make([]string, n)
	for i := range out {
		out[i] = pick(g, xs)
	}
	return out
}

// tree draws a tree and the business hours and zone it is compiled with
// (see env).
func (g *generator) tree() condition.Node {
	g.account()
	return g.node(0)
}

// account draws the account zone and business hours h0 and h1.
func (g *generator) account() {
	g.loc = pick(g, g.zones)
	g.hours = map[string]condition.Hours{}
	for _, name := range []string{"h0", "h1"} {
		g.hours[name] = g.businessHours()
	}
}

func (g *generator) env() condition.Env {
	loc := g.loc
	if loc == time.UTC && g.r.IntN(2) == 0 {
		loc = nil // the default
	}
	return condition.Env{Location: loc, Hours: g.hours}
}

func (g *generator) node(depth int) condition.Node {
	if depth < 4 {
		switch g.r.IntN(8) {
		case 0, 1:
			return condition.All{Nodes: g.nodes(depth)}
		case 2, 3:
			return condition.Any{Nodes: g.nodes(depth)}
		case 4:
			return condition.Not{Node: g.node(depth + 1)}
		}
	}
	return g.leaf()
}

func (g *generator) nodes(depth int) []condition.Node {
	out := make([]condition.Node, g.r.IntN(4))
	for i := range out {
		out[i] = g.node(depth + 1)
	}
	return out
}

var (
	textOps  = []condition.Op{condition.OpContains, condition.OpNotContains, condition.OpStartsWith, condition.OpEndsWith, condition.OpEquals, condition.OpNotEquals, condition.OpContainsAny, condition.OpContainsAll, condition.OpMatches, condition.OpEmpty}
	cmpOps   = []condition.Op{condition.OpEq, condition.OpNe, condition.OpGt, condition.OpGte, condition.OpLt, condition.OpLte}
	labelOps = []condition.Op{condition.OpHas, condition.OpHasNot, condition.OpHasAny, condition.OpHasAll, condition.OpHasNone}
	setOps   = []condition.Op{condition.OpEquals, condition.OpNotEquals, condition.OpIn, condition.OpNotIn}
	typeOps  = []condition.Op{condition.OpIs, condition.OpIsNot, condition.OpIn, condition.OpNotIn}
)

func (g *generator) leaf() condition.Node {
	switch g.r.IntN(11) {
	case 0, 1:
		n := condition.Text{Op: pick(g, textOps), Exact: g.r.IntN(4) == 0, Word: g.r.IntN(3) == 0}
		switch n.Op {
		case condition.OpContainsAny, condition.OpContainsAll:
			n.Values = g.some(words, 3)
		case condition.OpMatches:
			n.Value = pick(g, patterns)
		case condition.OpEmpty:
			n.IsEmpty = g.r.IntN(2) == 0
		case condition.OpEquals, condition.OpNotEquals:
			n.Value = g.text()
		default:
			n.Value = pick(g, words)
		}
		return n
	case 2:
		op := pick(g, setOps)
		vals := g.some(phones, 3)
		if op == condition.OpEquals || op == condition.OpNotEquals {
			vals = []string{pick(g, phones)}
		}
		return condition.Phone{Op: op, Values: vals}
	case 3:
		switch g.r.IntN(3) {
		case 0:
			return condition.Agent{Op: condition.OpAssigned, IsAssigned: g.r.IntN(2) == 0}
		case 1:
			return condition.Agent{Op: condition.OpIs, ID: pick(g, agents)}
		}
		return condition.Agent{Op: condition.OpIsNot, ID: pick(g, agents)}
	case 4:
		op := pick(g, typeOps)
		n := 1 + g.r.IntN(3)
		if op == condition.OpIn || op == condition.OpNotIn {
			n = g.r.IntN(4)
		}
		types := make([]trigger.MessageType, n)
		for i := range types {
			types[i] = pick(g, trigger.MessageTypes[:4])
		}
		return condition.MessageType{Op: op, Types: types}
	case 5:
		return condition.MessageCount{Op: pick(g, cmpOps), N: g.r.IntN(6)}
	case 6:
		return condition.Length{Op: pick(g, cmpOps), N: g.r.IntN(20)}
	case 7:
		return condition.SinceLastReply{Op: pick(g, cmpOps[2:]), D: g.duration()}
	case 8:
		op := pick(g, labelOps)
		vals := g.some(labelNames, 3)
		if op == condition.OpHas || op == condition.OpHasNot {
			vals = []string{pick(g, labelNames)}
		}
		return condition.Labels{Op: op, Values: vals}
	case 9:
		return condition.InHours{Name: pick(g, []string{"h0", "h1"})}
	}
	n := condition.Schedule{From: g.clock(), To: g.clock()}
	if g.r.IntN(3) > 0 {
		n.Days = g.days()
	}
	if g.r.IntN(4) == 0 {
		n.Location = pick(g, g.zones)
	}
	return n
}

// clock favours the hours around midnight and DST changes.
func (g *generator) clock() condition.TimeOfDay {
	h := pick(g, []int{0, 1, 2, 3, 9, 12, 18, 22, 23, g.r.IntN(24)})
	return condition.TimeOfDay(h*60 + pick(g, []int{0, 0, 30, g.r.IntN(60)}))
}

func (g *generator) days() []time.Weekday {
	var out []time.Weekday
	for d := time.Sunday; d <= time.Saturday; d++ {
		if g.r.IntN(3) == 0 {
			out = append(out, d)
		}
	}
	return out
}

func (g *generator) duration() time.Duration {
	return pick(g, []time.Duration{0, time.Second, 90 * time.Second, 15 * time.Minute, time.Hour, 24 * time.Hour, time.Duration(g.r.Int64N(int64(48 * time.Hour)))})
}

// closedDates are near the instants facts are drawn around.
var closedDates = []string{"2026-03-08", "2026-03-29", "2026-10-25", "2026-11-01", "2026-12-25", "2026-12-26", "2027-01-01"}

func (g *generator) businessHours() condition.Hours {
	h := condition.Hours{Weekly: map[time.Weekday][]condition.Span{}}
	for d := time.Sunday; d <= time.Saturday; d++ {
		for range g.r.IntN(3) {
			h.Weekly[d] = append(h.Weekly[d], condition.Span{From: g.clock(), To: g.clock()})
		}
	}
	h.Closed = g.some(closedDates, 2)
	if g.r.IntN(3) == 0 {
		h.Location = pick(g, g.zones)
	}
	return h
}

// text draws a message of a few words.
func (g *generator) text() string {
	var b strings.Builder
	if g.r.IntN(10) == 0 {
		b.WriteString("  ")
	}
	for range g.r.IntN(5) {
		b.WriteString(pick(g, words))
		b.WriteString(pick(g, separators))
	}
	return b.String()
}

// instants around DST changes, closed dates and midnight.
var anchors = []time.Time{
	time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC),
	time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
	time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC),
	time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),
	time.Date(2026, 12, 25, 12, 0, 0, 0, time.UTC),
	time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
}

func (g *generator) facts() *condition.Facts {
	t := pick(g, anchors).Add(time.Duration(g.r.Int64N(int64(72*time.Hour))) - 36*time.Hour).Truncate(time.Minute)
	in := condition.Input{
		Message: trigger.Message{
			Session: "main", Phone: pick(g, phones), Text: g.text(), Time: t,
			Type: pick(g, trigger.MessageTypes[:4]),
		},
		Labels:       g.some(labelNames, 3),
		MessageCount: g.r.IntN(6),
		IsNewContact: g.r.IntN(2) == 0,
	}
	if g.r.IntN(2) == 0 {
		in.Agent = pick(g, agents)
	}
	if g.r.IntN(3) > 0 {
		in.LastReply = t.Add(-g.duration())
	}
	if g.r.IntN(10) == 0 {
		in.Labels = nil
	}
	return condition.NewFacts(in)
}

// Random draws the suite's random condition trees and facts for other
// packages' property tests (workflow/lint holds its analysis to the engine
// with it): several trees over one account (zone and business hours "h0"
// and "h1"), and facts from the same small vocabulary, so that leaves match
// often enough to be interesting.
type Random struct{ g *generator }

// NewRandom returns a generator drawing from seed, with a first account drawn.
func NewRandom(seed uint64) *Random {
	r := &Random{g: newGenerator(seed)}
	r.g.account()
	return r
}

// NewAccount draws another account zone and business hours.
func (r *Random) NewAccount() { r.g.account() }

// Env returns the current account's zone and business hours.
func (r *Random) Env() condition.Env { return r.g.env() }

// Tree draws a condition tree (no raw expression) over the current account.
func (r *Random) Tree() condition.Node { return r.g.node(0) }

// Facts draws the facts of a message near a daylight-saving change, a
// closed date or midnight.
func (r *Random) Facts() *condition.Facts { return r.g.facts() }

// IntN returns a number in [0, n) from the same source, for the caller's
// own choices.
func (r *Random) IntN(n int) int { return r.g.r.IntN(n) }
