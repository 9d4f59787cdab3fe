package whatsmeow

import (
	"reflect"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// fuzzServers are the JID servers a fuzzed JID picks from (by index), so
// that the fuzzer reaches every branch of Classify.
var fuzzServers = []string{types.DefaultUserServer, types.HiddenUserServer, types.GroupServer, types.BroadcastServer,
	types.NewsletterServer, types.BotServer, types.LegacyUserServer, types.HostedServer, types.HostedLIDServer, "", "example.net"}

func fuzzJID(user string, server uint8) types.JID {
	return types.NewJID(user, fuzzServers[int(server)%len(fuzzServers)])
}

// FuzzClassify feeds Classify real whatsmeow event values built from
// fuzzed fields: the message is any protobuf the fuzzer writes (unwrapped
// as whatsmeow does), the chat, sender and alternate JIDs any user on any
// server. Classify never panics; a message it hands on has the id, the
// session and an E.164 phone, and one it drops is empty.
func FuzzClassify(f *testing.F) {
	for _, m := range []*waE2E.Message{
		text("hello"),
		{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("see https://x.example")}},
		{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("my order"), Mimetype: proto.String("image/jpeg"), FileLength: proto.Uint64(2048)}},
		{DocumentMessage: &waE2E.DocumentMessage{Title: proto.String("notes.txt"), Mimetype: proto.String("text/plain")}},
		{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(48.8566), DegreesLongitude: proto.Float64(2.3522), Name: proto.String("Shop")}},
		{ContactsArrayMessage: &waE2E.ContactsArrayMessage{Contacts: []*waE2E.ContactMessage{{DisplayName: proto.String("Bob")}}}},
		{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}},
		{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum()}},
		{EphemeralMessage: &waE2E.FutureProofMessage{Message: text("wrapped")}},
	} {
		raw, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, "33611111111", uint8(0), "33611111111", uint8(0), "", uint8(0), "ID1", "Alice", false, false, int64(60), "")
	}
	f.Add([]byte{}, "120363000000000001", uint8(2), "88000000000001", uint8(1), "33611111111", uint8(0), "G1", "", false, true, int64(0), "")
	f.Add([]byte{}, "33600000000", uint8(0), "33600000000", uint8(0), "", uint8(0), "O1", "", true, false, int64(3600), "7")
	f.Fuzz(func(t *testing.T, raw []byte, chatUser string, chatServer uint8, senderUser string, senderServer uint8,
		altUser string, altServer uint8, id, pushName string, fromMe, groups bool, age int64, edit string) {
		var msg waE2E.Message
		if err := proto.Unmarshal(raw, &msg); err != nil {
			return
		}
		chat := fuzzJID(chatUser, chatServer)
		evt := &events.Message{
			Info: types.MessageInfo{
				MessageSource: types.MessageSource{Chat: chat, Sender: fuzzJID(senderUser, senderServer), IsFromMe: fromMe,
					IsGroup: chat.Server == types.GroupServer, SenderAlt: fuzzJID(altUser, altServer), RecipientAlt: fuzzJID(altUser, altServer)},
				ID: id, PushName: pushName, Timestamp: t0.Add(-time.Duration(age) * time.Second), Edit: types.EditAttribute(edit),
			},
			RawMessage: &msg,
		}
		evt.UnwrapRaw()
		resolve := func(lid types.JID) (types.JID, bool) { return custPN, lid.User == custLID.User }
		m, d := Classify(evt, ClassifyOptions{Session: "s1", Own: ownPN, OwnLID: ownLID, Now: t0, Groups: groups, ResolveLID: resolve})
		if d.Reason == "" {
			t.Fatalf("decision without a reason: %+v", d)
		}
		switch d.Verdict {
		case VerdictReceive, VerdictReceiveOwn:
			if m.ID != id || id == "" || m.Session != "s1" || !m.Type.Valid() || m.Group && !groups {
				t.Fatalf("message %+v for id %q (groups %v)", m, id, groups)
			}
			if p, err := trigger.NormalizePhone(m.Phone); err != nil || p != m.Phone {
				t.Fatalf("phone %q is not E.164: %v", m.Phone, err)
			}
		case VerdictIgnore, VerdictSkip:
			if !reflect.DeepEqual(m, trigger.Message{}) {
				t.Fatalf("%s (%s) with a message: %+v", d.Verdict, d.Reason, m)
			}
			if d.Verdict == VerdictSkip && d.Reason != ReasonMissingID && d.Raw == "" {
				t.Fatalf("skip without the raw value: %+v", d)
			}
		default:
			t.Fatalf("unknown verdict %v", d.Verdict)
		}
	})
}
