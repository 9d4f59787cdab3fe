package langchaingo_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	lcg "github.com/waauto/waauto/adapters/langchaingo"
	"github.com/waauto/waauto/adapters/langchaingo/langchaingotest"

	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/trigger"
)

var quiet = lcg.WithLogger(slog.New(slog.DiscardHandler))

func newOpenAI(t *testing.T, srv *langchaingotest.Server, opts ...lcg.Option) *lcg.Responder {
	t.Helper()
	r, err := lcg.NewOpenAICompatible(lcg.OpenAIConfig{
		BaseURL: srv.BaseURL, APIKey: "test", Model: "test-model",
		TranscriptionModel: "whisper-1", HTTPClient: srv.Client(),
	}, append([]lcg.Option{quiet, lcg.WithRetries(2, time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type staticCatalog []ai.Product

func (c staticCatalog) Products(context.Context) ([]ai.Product, error) { return c, nil }

var shopCatalog = staticCatalog{
	{ID: "1", Title: "Pull rouge", URL: "https://shop.example/products/pull-rouge",
		Variants: []ai.Variant{{Title: "M", Price: "39.90", Currency: "EUR", Available: true}, {Title: "L", Price: "39.90", Currency: "EUR"}}},
	{ID: "2", Title: "Bonnet bleu", Variants: []ai.Variant{{Title: "Default Title", Price: "15.00", Currency: "EUR"}}},
}

func media(kind trigger.MessageType, mime, name string, data []byte) *trigger.Media {
	return &trigger.Media{Kind: kind, MIMEType: mime, FileName: name, Size: int64(len(data)),
		Fetch: func(context.Context) ([]byte, error) { return data, nil }}
}

// jpeg is the start of a JPEG file, enough for content sniffing.
var jpeg = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
