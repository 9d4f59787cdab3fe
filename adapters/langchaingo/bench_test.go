package langchaingo_test

import (
	"context"
	"testing"

	"github.com/waauto/waauto/action/ai"
	lcg "github.com/waauto/waauto/adapters/langchaingo"
)

// BenchmarkRespondOverhead measures prompt assembly and output guards
// around a model that answers instantly (no HTTP).
func BenchmarkRespondOverhead(b *testing.B) {
	r := lcg.New(&echoModel{mode: "user"}, quiet, lcg.WithCatalog(shopCatalog),
		lcg.WithLinkAllowList("laine.example"), lcg.WithPhoneAllowList("+33 4 78 00 00 00"))
	hist := make([]ai.Message, 20)
	for i := range hist {
		hist[i] = ai.Message{Role: ai.RoleCustomer, Text: "Bonjour, je cherche un pull rouge en laine pour l'hiver"}
		if i%2 == 1 {
			hist[i].Role = ai.RoleAutomation
		}
	}
	req := ai.Request{AccountPrompt: accountPrompt, History: hist, Message: ai.Message{Role: ai.RoleCustomer, Text: "Vous l'avez en M ?"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Respond(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
