package memstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/memstore"
)

// Recording a message twice — WhatsApp redelivers after a crash — changes
// nothing the second time: the engine sees Duplicate and does not answer.
func Example() {
	ctx := context.Background()
	s := memstore.New()
	m := trigger.Message{
		ID: "3EB0A1", Session: "shop", Phone: "+33611111111", PushName: "Alice",
		Type: trigger.MessageText, Text: "Bonjour, quel est le prix ?", Time: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC),
	}
	first, _ := s.RecordInbound(ctx, m)
	fmt.Printf("seq %d, new contact %v, duplicate %v, name %q\n", first.Seq, first.NewContact, first.Duplicate, first.Contact.Name)
	again, _ := s.RecordInbound(ctx, m)
	fmt.Printf("seq %d, new contact %v, duplicate %v\n", again.Seq, again.NewContact, again.Duplicate)

	conv, _ := s.RecordOutbound(ctx, workflow.Outbound{
		Session: "shop", Phone: m.Phone, ID: "out-1", Author: workflow.AuthorAutomation, Kind: workflow.SendFixed,
		Text: "Bonjour Alice !", Time: m.Time.Add(time.Second),
	})
	fmt.Printf("%d messages, last inbound #%d\n", conv.MessageCount, conv.LastInboundSeq)
	// Output:
	// seq 1, new contact true, duplicate false, name "Alice"
	// seq 1, new contact false, duplicate true
	// 2 messages, last inbound #1
}
