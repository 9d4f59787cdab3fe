package whatsmeow_test

import (
	"fmt"
	"time"

	wa "github.com/waauto/waauto/adapters/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// Classify decides what an incoming event becomes, without any I/O.
func ExampleClassify() {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	customer := types.NewJID("33611111111", types.DefaultUserServer)
	evt := &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: customer, Sender: customer},
			ID:            "3A5F00", PushName: "Alice", Timestamp: at,
		},
		Message: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("is this in stock?"), Mimetype: proto.String("image/jpeg")}},
	}
	m, d := wa.Classify(evt, wa.ClassifyOptions{Session: "shop-1", Now: at.Add(time.Minute)})
	fmt.Println(d.Verdict, m.Phone, m.Type, m.Text)
	fmt.Println(d.Verdict, d.Reason)
	// Output:
	// receive +33611111111 image is this in stock?
	// receive customer message
}
