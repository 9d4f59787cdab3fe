package langchaingo

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/waauto/waauto/action/ai"
)

// RenderCatalog renders products one line each, e.g.
//
//   - Pull rouge (M, L) — 39.90 EUR — in stock — https://shop.example/products/pull
//
// within budget runes (0 = no limit). When all products do not fit, they are
// ranked by how many words they share with query (the customer's recent
// text) and the best that fit are kept, in catalogue order; a last line
// says how many were left out.
func RenderCatalog(products []ai.Product, budget int, query string) string {
	lines := make([]string, len(products))
	total := 0
	for i, p := range products {
		lines[i] = productLine(p)
		total += utf8.RuneCountInString(lines[i]) + 1
	}
	if budget <= 0 || total <= budget {
		return strings.Join(lines, "\n")
	}
	q := words(query)
	order := make([]int, len(products))
	score := make([]int, len(products))
	for i, p := range products {
		order[i] = i
		for w := range words(p.Title + " " + p.Description) {
			if q[w] {
				score[i]++
			}
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return score[order[a]] > score[order[b]] })
	keep := make([]bool, len(products))
	used, kept := 0, 0
	const reserve = 60 // room for the "left out" line
	for _, i := range order {
		n := utf8.RuneCountInString(lines[i]) + 1
		if used+n > budget-reserve {
			continue
		}
		keep[i], used, kept = true, used+n, kept+1
	}
	var out []string
	for i, l := range lines {
		if keep[i] {
			out = append(out, l)
		}
	}
	out = append(out, fmt.Sprintf("(%d more products not listed here)", len(products)-kept))
	return strings.Join(out, "\n")
}

func productLine(p ai.Product) string {
	var b strings.Builder
	b.WriteString("- " + oneLine(p.Title, 120))
	var names, prices []string
	avail := false
	seen := map[string]bool{}
	for _, v := range p.Variants {
		if t := oneLine(v.Title, 40); t != "" && !strings.EqualFold(t, "Default Title") {
			names = append(names, t)
		}
		if v.Price != "" {
			pr := strings.TrimSpace(v.Price + " " + v.Currency)
			if !seen[pr] {
				seen[pr] = true
				prices = append(prices, pr)
			}
		}
		avail = avail || v.Available
	}
	if len(names) > 0 {
		b.WriteString(" (" + strings.Join(names, ", ") + ")")
	}
	if len(prices) > 0 {
		b.WriteString(" — " + strings.Join(prices, " / "))
	}
	if len(p.Variants) > 0 {
		if avail {
			b.WriteString(" — in stock")
		} else {
			b.WriteString(" — out of stock")
		}
	}
	if p.URL != "" {
		b.WriteString(" — " + p.URL)
	}
	if d := oneLine(p.Description, 160); d != "" {
		b.WriteString(" — " + d)
	}
	return b.String()
}

// words is the set of lower-case words of at least 3 letters in s.
func words(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if utf8.RuneCountInString(w) >= 3 {
			set[w] = true
		}
	}
	return set
}
