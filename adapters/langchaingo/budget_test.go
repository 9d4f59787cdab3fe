package langchaingo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/waauto/waauto/action/ai"
	lcg "github.com/waauto/waauto/adapters/langchaingo"
	"github.com/waauto/waauto/adapters/langchaingo/langchaingotest"
)

func TestRenderCatalogBudget(t *testing.T) {
	var ps []ai.Product
	for i := 0; i < 200; i++ {
		ps = append(ps, ai.Product{ID: fmt.Sprint(i), Title: fmt.Sprintf("Article %03d en coton", i),
			Variants: []ai.Variant{{Price: "10.00", Currency: "EUR", Available: true}}})
	}
	ps[150].Title = "Écharpe mohair violette"
	out := lcg.RenderCatalog(ps, 1000, "vous avez une écharpe violette ?")
	if n := utf8.RuneCountInString(out); n > 1000 {
		t.Errorf("%d runes over the budget", n)
	}
	if !strings.Contains(out, "Écharpe mohair violette — 10.00 EUR — in stock") {
		t.Errorf("the product the customer asks about was dropped:\n%s", out)
	}
	if !strings.HasSuffix(out, "more products not listed here)") {
		t.Errorf("no 'left out' line:\n%s", out)
	}
	if all := lcg.RenderCatalog(ps[:3], 1000, ""); strings.Count(all, "\n") != 2 || strings.Contains(all, "not listed") {
		t.Errorf("a catalogue that fits is rendered whole:\n%s", all)
	}
}

func TestHistoryBudgetKeepsRecent(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	r := newOpenAI(t, srv, lcg.WithHistoryBudget(200))
	var hist []ai.Message
	for i := 0; i < 40; i++ {
		role := ai.RoleCustomer
		if i%2 == 1 {
			role = ai.RoleAutomation
		}
		hist = append(hist, ai.Message{Role: role, Text: fmt.Sprintf("message %02d %s", i, strings.Repeat("x", 20))})
	}
	if _, err := r.Respond(context.Background(), ai.Request{History: hist, Message: ai.Message{Role: ai.RoleCustomer, Text: "now"}}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Requests()[0].Messages
	var all strings.Builder
	for _, m := range msgs[1:] {
		all.WriteString(m.Text)
	}
	if !strings.Contains(all.String(), "message 39") || strings.Contains(all.String(), "message 30") {
		t.Errorf("history not trimmed to the most recent:\n%s", all.String())
	}
	if msgs[1].Role != "user" {
		t.Errorf("history must start with a user turn, got %s", msgs[1].Role)
	}
}
