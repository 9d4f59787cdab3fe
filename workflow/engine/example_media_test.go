package engine_test

import (
	"context"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// SendPriceList is a custom action that sends a PDF: workflow files cannot
// send media, Go code can.
type SendPriceList struct {
	Caption string `yaml:"caption"`
}

// Run sends the price list through the engine (loop breaker, message id
// stored first, retried with the same id).
func (a *SendPriceList) Run(ctx context.Context, c *action.Call) error {
	pdf := []byte("%PDF-1.4\n% price list\n")
	return c.Runtime.SendMedia(ctx, trigger.Media{Kind: trigger.MessageDocument, FileName: "tarifs.pdf", Data: pdf}, a.Caption)
}

// A custom action sending a document with Runtime.SendMedia.
func Example_sendMedia() {
	ctx := context.Background()
	reg := action.NewRegistry()
	reg.MustRegister("send_price_list", action.Of[SendPriceList]())
	eng, _ := engine.New(engine.Config{Store: memstore.New(), Transport: printTransport, Compiler: expr.New(), Registry: reg})
	if _, err := eng.Load(ctx, "prices.yaml", []byte(`
name: Tarifs
trigger: incoming_message
conditions: {text: {contains: tarif}}
actions:
  - send_price_list: {caption: "Nos tarifs 2026"}
`)); err != nil {
		panic(err)
	}
	_, _ = eng.Handle(ctx, trigger.Message{ID: "m1", Session: "main", Phone: "+34600000001", Text: "Vos tarifs ?"})
	// Output:
	// → +34600000001 (Tarifs, fixed): [document application/pdf tarifs.pdf, 22 bytes] Nos tarifs 2026
}
