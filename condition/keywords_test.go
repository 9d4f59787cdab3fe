package condition_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/conditiontest"
	"github.com/waauto/waauto/trigger"
)

func text(op condition.Op, v string) condition.Text { return condition.Text{Op: op, Value: v} }

func TestKeywords(t *testing.T) {
	never := condition.KeywordSet{Indexable: true}
	open := condition.KeywordSet{}
	kw := func(ks ...string) condition.KeywordSet { return condition.KeywordSet{Indexable: true, Any: ks} }
	agent := condition.Agent{Op: condition.OpAssigned}
	for _, tc := range []struct {
		name string
		tree condition.Node
		want condition.KeywordSet
	}{
		{"nil tree", nil, open},
		{"not nil", condition.Not{}, never},
		{"contains folds", text(condition.OpContains, "  Problème "), kw("probleme")},
		{"contains word", condition.Text{Op: condition.OpContains, Value: "Prix", Word: true}, kw("prix")},
		{"starts_with", text(condition.OpStartsWith, "Bonjour"), kw("bonjour")},
		{"ends_with", text(condition.OpEndsWith, "MERCI"), kw("merci")},
		{"equals", text(condition.OpEquals, "Oui"), kw("oui")},
		{"equals empty", text(condition.OpEquals, "  "), open},
		{"contains empty", text(condition.OpContains, ""), open},
		{"contains_any", condition.Text{Op: condition.OpContainsAny, Values: []string{"Tarif", "prix", "Prix"}}, kw("prix", "tarif")},
		{"contains_any empty list", condition.Text{Op: condition.OpContainsAny}, never},
		{"contains_any with empty", condition.Text{Op: condition.OpContainsAny, Values: []string{"prix", ""}}, open},
		{"contains_any drops superstrings", condition.Text{Op: condition.OpContainsAny, Values: []string{"prixx", "prix", "aprix"}}, kw("prix")},
		{"contains_all picks longest", condition.Text{Op: condition.OpContainsAll, Values: []string{"a", "disponible", "prix"}}, kw("disponible")},
		{"contains_all empty list", condition.Text{Op: condition.OpContainsAll}, open},
		{"contains_all skips empty", condition.Text{Op: condition.OpContainsAll, Values: []string{"", "rdv"}}, kw("rdv")},
		{"not_contains", text(condition.OpNotContains, "prix"), open},
		{"not_equals", text(condition.OpNotEquals, "prix"), open},
		{"matches", text(condition.OpMatches, "prix"), open},
		{"empty", condition.Text{Op: condition.OpEmpty, IsEmpty: false}, open},
		{"not empty", condition.Not{Node: condition.Text{Op: condition.OpEmpty, IsEmpty: true}}, open},
		{"not contains", condition.Not{Node: text(condition.OpContains, "prix")}, open},
		{"not not_contains", condition.Not{Node: text(condition.OpNotContains, "Prix")}, kw("prix")},
		{"not not_equals", condition.Not{Node: text(condition.OpNotEquals, "Oui")}, kw("oui")},
		{"not not contains", condition.Not{Node: condition.Not{Node: text(condition.OpContains, "prix")}}, kw("prix")},
		{"exact ascii", condition.Text{Op: condition.OpContains, Value: "PRIX", Exact: true}, kw("prix")},
		{"exact longest ascii run", condition.Text{Op: condition.OpContains, Value: "Été 2026!", Exact: true}, kw(" 2026!")},
		{"exact no ascii", condition.Text{Op: condition.OpContains, Value: "été", Exact: true}, kw("t")},
		{"exact only non-ascii", condition.Text{Op: condition.OpContains, Value: "ça€", Exact: true}, kw("a")},
		{"exact hangul", condition.Text{Op: condition.OpContains, Value: "가격", Exact: true}, open},
		{"phone", condition.Phone{Op: condition.OpIn, Values: []string{"+33611111111"}}, open},
		{"agent", agent, open},
		{"message_type", condition.MessageType{Op: condition.OpIs, Types: []trigger.MessageType{trigger.MessageText}}, open},
		{"message_count", condition.MessageCount{Op: condition.OpGt, N: 1}, open},
		{"since_last_reply", condition.SinceLastReply{Op: condition.OpGt, D: time.Hour}, open},
		{"labels", condition.Labels{Op: condition.OpHas, Values: []string{"vip"}}, open},
		{"length", condition.Length{Op: condition.OpGt, N: 3}, open},
		{"schedule", condition.Schedule{From: 9 * 60, To: 18 * 60}, open},
		{"hours", condition.InHours{Name: "shop"}, open},
		{"raw", condition.Raw{Lang: condition.LangExpr, Source: `text contains "prix"`}, open},
		{"all empty", condition.All{}, open},
		{"all one indexable child", condition.All{Nodes: []condition.Node{agent, text(condition.OpContains, "prix")}}, kw("prix")},
		{"all most selective", condition.All{Nodes: []condition.Node{
			condition.Text{Op: condition.OpContainsAny, Values: []string{"ab", "cd"}},
			text(condition.OpContains, "disponible"),
			text(condition.OpContains, "x"),
		}}, kw("disponible")},
		{"all with never", condition.All{Nodes: []condition.Node{text(condition.OpContains, "prix"), condition.Any{}}}, never},
		{"any empty", condition.Any{}, never},
		{"any all indexable", condition.Any{Nodes: []condition.Node{text(condition.OpContains, "prix"), text(condition.OpStartsWith, "tarif")}}, kw("prix", "tarif")},
		{"any one open child", condition.Any{Nodes: []condition.Node{text(condition.OpContains, "prix"), agent}}, open},
		{"any never child", condition.Any{Nodes: []condition.Node{text(condition.OpContains, "prix"), condition.Any{}}}, kw("prix")},
		{"not all = any of nots", condition.Not{Node: condition.All{Nodes: []condition.Node{
			text(condition.OpNotContains, "prix"), text(condition.OpNotContains, "tarif"),
		}}}, kw("prix", "tarif")},
		{"not all with open child", condition.Not{Node: condition.All{Nodes: []condition.Node{
			text(condition.OpNotContains, "prix"), agent,
		}}}, open},
		{"not any = all of nots", condition.Not{Node: condition.Any{Nodes: []condition.Node{
			agent, text(condition.OpNotContains, "prix"),
		}}}, kw("prix")},
		{"not empty all", condition.Not{Node: condition.All{}}, never},
		{"not empty any", condition.Not{Node: condition.Any{}}, open},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := condition.Keywords(tc.tree)
			if got.Indexable != tc.want.Indexable || !slices.Equal(got.Any, tc.want.Any) {
				t.Errorf("Keywords = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestKeywordSetAdmits(t *testing.T) {
	k := condition.KeywordSet{Indexable: true, Any: []string{"prix", "tarif"}}
	for text, want := range map[string]bool{"quel est le prix": true, "vos tarifs": true, "bonjour": false, "": false} {
		if got := k.Admits(text); got != want {
			t.Errorf("Admits(%q) = %v, want %v", text, got, want)
		}
	}
	if !(condition.KeywordSet{}).Admits("anything") {
		t.Error("a non-indexable set must admit every text")
	}
	if (condition.KeywordSet{Indexable: true}).Admits("anything") {
		t.Error("an indexable set with no keyword must admit nothing")
	}
}

// The exact-keyword rule rests on ASCII surviving Fold: no canonical
// decomposition puts an ASCII character after its first rune, and one that
// starts with ASCII continues only with combining marks (Mn), which Fold
// removes. Unicode tables change with Go versions; this test pins it.
func TestFoldKeepsASCII(t *testing.T) {
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		for i, x := range d {
			if i > 0 && x < utf8.RuneSelf {
				t.Fatalf("%U decomposes to %q with ASCII after its first rune", r, string(d))
			}
			if i > 0 && d[0] < utf8.RuneSelf && !unicode.Is(unicode.Mn, x) {
				t.Fatalf("%U decomposes to %q: ASCII followed by a non-Mn rune", r, string(d))
			}
		}
	}
	// And directly: every ASCII run of a random raw text is in its folding.
	g := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		raw := strings.TrimSpace(randomText(g))
		folded := condition.Fold(raw)
		for _, run := range asciiRuns(raw) {
			if !strings.Contains(folded, strings.ToLower(run)) {
				t.Fatalf("Fold(%q) = %q lost the ASCII run %q", raw, folded, run)
			}
		}
	}
}

func asciiRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf })
}

// Soundness: a tree that is true on some facts has a keyword set that admits
// their text, on random trees rich in text leaves.
func TestKeywordsSound(t *testing.T) {
	g := rand.New(rand.NewPCG(conditiontest.Seed, 7))
	indexable, matched := 0, 0
	for i := range 20000 {
		tree := randomTree(g, 0)
		ks := condition.Keywords(tree)
		if ks.Indexable {
			indexable++
		}
		for range 5 {
			f := condition.NewFacts(condition.Input{
				Message:      trigger.Message{Text: randomText(g), Time: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)},
				MessageCount: g.IntN(4),
			})
			res, err := conditiontest.Reference(tree, condition.Env{}, f)
			if err != nil {
				t.Fatalf("tree %d: %v", i, err)
			}
			if !res.Matched {
				continue
			}
			matched++
			if !ks.Admits(f.Text) {
				t.Fatalf("tree %d %s is true on %q (folded %q) but Keywords = %+v", i, show(tree), f.RawText, f.Text, ks)
			}
		}
	}
	// The test is only meaningful if it exercises both kinds of tree.
	if indexable < 2000 || matched < 5000 {
		t.Fatalf("%d indexable trees, %d matches: generator too weak", indexable, matched)
	}
	t.Logf("%d of 20000 trees indexable, %d matching evaluations", indexable, matched)
}

var kwWords = []string{
	"prix", "Prix", "PRIX", "problème", "probleme", "ÉTÉ", "ete", "été", "ça", "ca",
	"dispo", "disponible", "a", "b", "ab", "c++", "🙏", "naïve", "straße", "İstanbul",
	"K", "\u212a", "e\u0301", "\u1100\u1161", "\u1100", "가", "ﬁ", "Ⅻ", "x", "xy",
}

var kwSeps = []string{" ", "", "-", ", ", "\u0301", "\u1161", "'"}

func randomText(g *rand.Rand) string {
	var b strings.Builder
	for range g.IntN(5) {
		b.WriteString(kwWords[g.IntN(len(kwWords))])
		b.WriteString(kwSeps[g.IntN(len(kwSeps))])
	}
	return b.String()
}

var kwTextOps = []condition.Op{
	condition.OpContains, condition.OpNotContains, condition.OpStartsWith, condition.OpEndsWith, condition.OpEquals,
	condition.OpNotEquals, condition.OpContainsAny, condition.OpContainsAll, condition.OpMatches, condition.OpEmpty,
}

func randomTree(g *rand.Rand, depth int) condition.Node {
	nodes := func() []condition.Node {
		out := make([]condition.Node, g.IntN(4))
		for i := range out {
			out[i] = randomTree(g, depth+1)
		}
		return out
	}
	if depth < 3 {
		switch g.IntN(8) {
		case 0, 1:
			return condition.All{Nodes: nodes()}
		case 2, 3:
			return condition.Any{Nodes: nodes()}
		case 4:
			return condition.Not{Node: randomTree(g, depth+1)}
		}
	}
	switch g.IntN(6) {
	case 0:
		return condition.MessageCount{Op: condition.OpGt, N: g.IntN(4)}
	case 1:
		return condition.Length{Op: condition.OpLt, N: g.IntN(12)}
	}
	n := condition.Text{Op: kwTextOps[g.IntN(len(kwTextOps))], Exact: g.IntN(3) == 0, Word: g.IntN(3) == 0}
	switch n.Op {
	case condition.OpContainsAny, condition.OpContainsAll:
		for range g.IntN(4) {
			n.Values = append(n.Values, kwWords[g.IntN(len(kwWords))])
		}
	case condition.OpMatches:
		n.Value = `^p`
	case condition.OpEmpty:
		n.IsEmpty = g.IntN(2) == 0
	case condition.OpEquals, condition.OpNotEquals:
		n.Value = randomText(g)
	default:
		n.Value = kwWords[g.IntN(len(kwWords))]
	}
	return n
}

func show(n condition.Node) string {
	var parts []string
	for _, l := range condition.Leaves(n) {
		parts = append(parts, fmt.Sprintf("%s=%s", l.Path, condition.Describe(l.Node)))
	}
	return fmt.Sprintf("%#v [%s]", n, strings.Join(parts, "; "))
}
