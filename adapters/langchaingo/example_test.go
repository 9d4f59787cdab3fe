package langchaingo_test

import (
	"context"
	"fmt"

	"github.com/waauto/waauto/action/ai"
	lcg "github.com/waauto/waauto/adapters/langchaingo"
	"github.com/waauto/waauto/adapters/langchaingo/langchaingotest"
)

func ExampleNewOpenAICompatible() {
	// A fake OpenAI-compatible server; in production BaseURL is e.g.
	// "https://api.openai.com/v1" or "http://127.0.0.1:11434/v1" (Ollama).
	srv := langchaingotest.Start()
	defer srv.Close()
	srv.Reply(func(langchaingotest.ChatRequest) langchaingotest.Response {
		return langchaingotest.Response{Content: "Oui, le pull rouge existe en M : 39,90 €.", PromptTokens: 310, CompletionTokens: 14}
	})

	r, err := lcg.NewOpenAICompatible(lcg.OpenAIConfig{
		BaseURL: srv.BaseURL, APIKey: "sk-…", Model: "gpt-4o-mini", HTTPClient: srv.Client(),
	}, lcg.WithCatalog(shopCatalog), lcg.WithMaxTokens(300))
	if err != nil {
		fmt.Println(err)
		return
	}
	reply, err := r.Respond(context.Background(), ai.Request{
		AccountPrompt: "You answer for the shop Laine & Co.",
		Message:       ai.Message{Role: ai.RoleCustomer, Text: "Vous avez le pull rouge en M ?"},
	})
	if err != nil {
		fmt.Println("fallback:", err)
		return
	}
	fmt.Println(reply.Text)
	fmt.Println(reply.Usage.Model, reply.Usage.TotalTokens, "tokens")
	// Output:
	// Oui, le pull rouge existe en M : 39,90 €.
	// gpt-4o-mini 324 tokens
}

func ExampleResponder_Translate() {
	srv := langchaingotest.Start()
	defer srv.Close()
	srv.Reply(func(langchaingotest.ChatRequest) langchaingotest.Response {
		return langchaingotest.Response{Content: "Gracias por escribirnos."}
	})
	r, _ := lcg.NewOpenAICompatible(lcg.OpenAIConfig{BaseURL: srv.BaseURL, APIKey: "x", Model: "m", HTTPClient: srv.Client()})

	for range 2 { // the second call is served from the cache
		t, err := r.Translate(context.Background(), "Merci de nous avoir écrit.", "es")
		fmt.Println(t.Text, err)
	}
	fmt.Println(len(srv.Requests()), "model call")
	// Output:
	// Gracias por escribirnos. <nil>
	// Gracias por escribirnos. <nil>
	// 1 model call
}

func ExampleResponder_Respond_failure() {
	srv := langchaingotest.Start()
	defer srv.Close()
	srv.Reply(func(langchaingotest.ChatRequest) langchaingotest.Response {
		return langchaingotest.Response{Content: ""} // the model answered nothing
	})
	r, _ := lcg.NewOpenAICompatible(lcg.OpenAIConfig{BaseURL: srv.BaseURL, APIKey: "x", Model: "m", HTTPClient: srv.Client()})
	_, err := r.Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Text: "Bonjour"}})
	fmt.Println(err)
	// Output:
	// ai_reply: the model returned an empty reply
}
