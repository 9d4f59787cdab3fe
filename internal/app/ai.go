package app

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/action/ai/langdetect"
	lc "github.com/waauto/waauto/adapters/langchaingo"
	"github.com/waauto/waauto/adapters/shopify"
	"github.com/waauto/waauto/internal/dashboard"
	"github.com/waauto/waauto/workflow"
)

// aiOptions configure the model behind ai_reply and translation.
type aiOptions struct {
	Provider, BaseURL, Model string
	// APIKey comes from WAAUTO_AI_API_KEY only and is never printed.
	APIKey string
	// Prompt is the initial account prompt.
	Prompt                    string
	ShopifyShop, ShopifyToken string
	// FallbackAgent, when set, gets the conversation (and the customer the
	// label "handoff") when an AI reply fails.
	FallbackAgent string
}

// fallback is what runs when an AI reply fails: a hand-off to a person.
func (o aiOptions) fallback() []workflow.Step {
	if o.FallbackAgent == "" {
		return nil
	}
	return []workflow.Step{
		{Type: "assign", Action: &action.Assign{Agent: o.FallbackAgent}},
		{Type: "label", Action: &action.Label{Add: action.Strings{"handoff"}}},
	}
}

// newAI builds the responder of o, or nil when no provider is set.
func newAI(o aiOptions, log *slog.Logger) (*lc.Responder, dashboard.AIInfo, error) {
	info := dashboard.AIInfo{Provider: o.Provider, BaseURL: o.BaseURL, Model: o.Model, KeySet: o.APIKey != "", FallbackAgent: o.FallbackAgent}
	if o.Provider == "" {
		return nil, info, nil
	}
	opts := []lc.Option{lc.WithLogger(log)}
	if o.ShopifyShop != "" && o.ShopifyToken != "" {
		cat, err := shopify.New(shopify.Config{ShopDomain: o.ShopifyShop, AccessToken: o.ShopifyToken, Logger: log})
		if err != nil {
			return nil, info, fmt.Errorf("shopify catalogue: %w", err)
		}
		opts = append(opts, lc.WithCatalog(cat))
		info.Catalog = "Shopify " + o.ShopifyShop
	}
	var (
		r   *lc.Responder
		err error
	)
	switch strings.ToLower(o.Provider) {
	case "openai":
		key := o.APIKey
		if key == "" {
			key = "unused" // local OpenAI-compatible servers ignore it; langchaingo wants one
		}
		r, err = lc.NewOpenAICompatible(lc.OpenAIConfig{BaseURL: o.BaseURL, APIKey: key, Model: o.Model}, opts...)
	case "anthropic":
		r, err = lc.NewAnthropic(lc.AnthropicConfig{BaseURL: o.BaseURL, APIKey: o.APIKey, Model: o.Model}, opts...)
	case "ollama":
		r, err = lc.NewOllama(lc.OllamaConfig{ServerURL: o.BaseURL, Model: o.Model}, opts...)
	default:
		return nil, info, fmt.Errorf("--ai-provider %q: want openai, anthropic or ollama", o.Provider)
	}
	if err != nil {
		return nil, info, fmt.Errorf("AI provider %s: %w", o.Provider, err)
	}
	return r, info, nil
}

// newDetector is the language detector of reply.translate.
func newDetector() ai.LanguageDetector { return langdetect.NewWordList() }

// promptResponder gives every reply the account prompt currently saved in
// the dashboard, so that editing it needs no restart.
type promptResponder struct {
	inner  ai.Responder
	prompt func(ctx context.Context) string
	// metrics times the replies.
	metrics *metrics
}

func (p *promptResponder) Respond(ctx context.Context, req ai.Request) (ai.Reply, error) {
	if s := p.prompt(ctx); s != "" {
		req.AccountPrompt = s
	}
	start := time.Now()
	reply, err := p.inner.Respond(ctx, req)
	p.metrics.replied(start, err)
	return reply, err
}

// accountPrompt returns the saved account prompt, or --ai-prompt.
func (a *app) accountPrompt(ctx context.Context) string {
	s, err := a.dash.AccountPrompt(ctx)
	if err != nil {
		a.log.WarnContext(ctx, "reading the account prompt failed", "err", err)
	}
	return cmp.Or(s, a.opts.AI.Prompt)
}
