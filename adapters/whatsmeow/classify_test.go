package whatsmeow

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/waauto/waauto/trigger"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

func TestClassifyMapping(t *testing.T) {
	cases := []struct {
		name  string
		msg   *waE2E.Message
		typ   trigger.MessageType
		text  string
		media *trigger.Media
	}{
		{"conversation", text("hello"), trigger.MessageText, "hello", nil},
		{"extended text", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("see https://x.example")}}, trigger.MessageText, "see https://x.example", nil},
		{"image with caption", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("my order"), Mimetype: proto.String("image/jpeg"), FileLength: proto.Uint64(2048)}},
			trigger.MessageImage, "my order", &trigger.Media{MIMEType: "image/jpeg", Size: 2048}},
		{"voice note", &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true), Mimetype: proto.String("audio/ogg; codecs=opus"), FileLength: proto.Uint64(900)}},
			trigger.MessageAudio, "", &trigger.Media{MIMEType: "audio/ogg; codecs=opus", Size: 900}},
		{"audio file", &waE2E.Message{AudioMessage: &waE2E.AudioMessage{Mimetype: proto.String("audio/mpeg"), FileLength: proto.Uint64(5)}},
			trigger.MessageAudio, "", &trigger.Media{MIMEType: "audio/mpeg", Size: 5}},
		{"video", &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: proto.String("broken"), Mimetype: proto.String("video/mp4"), FileLength: proto.Uint64(7)}},
			trigger.MessageVideo, "broken", &trigger.Media{MIMEType: "video/mp4", Size: 7}},
		{"video note", &waE2E.Message{PtvMessage: &waE2E.VideoMessage{Mimetype: proto.String("video/mp4"), FileLength: proto.Uint64(8)}},
			trigger.MessageVideo, "", &trigger.Media{MIMEType: "video/mp4", Size: 8}},
		{"document", &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: proto.String("invoice"), FileName: proto.String("inv-42.pdf"), Mimetype: proto.String("application/pdf"), FileLength: proto.Uint64(4096)}},
			trigger.MessageDocument, "invoice", &trigger.Media{MIMEType: "application/pdf", FileName: "inv-42.pdf", Size: 4096}},
		{"document title only", &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Title: proto.String("notes.txt"), Mimetype: proto.String("text/plain")}},
			trigger.MessageDocument, "", &trigger.Media{MIMEType: "text/plain", FileName: "notes.txt"}},
		{"sticker", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: proto.String("image/webp"), FileLength: proto.Uint64(10)}},
			trigger.MessageSticker, "", &trigger.Media{MIMEType: "image/webp", Size: 10}},
		{"location", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(48.8566), DegreesLongitude: proto.Float64(2.3522), Name: proto.String("Shop"), Address: proto.String("1 rue X")}},
			trigger.MessageLocation, "Shop, 1 rue X, 48.856600,2.352200", nil},
		{"live location", &waE2E.Message{LiveLocationMessage: &waE2E.LiveLocationMessage{DegreesLatitude: proto.Float64(1), DegreesLongitude: proto.Float64(2)}},
			trigger.MessageLocation, "1.000000,2.000000", nil},
		{"contact", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("Bob"), Vcard: proto.String("BEGIN:VCARD")}},
			trigger.MessageContact, "Bob", nil},
		{"contacts array", &waE2E.Message{ContactsArrayMessage: &waE2E.ContactsArrayMessage{Contacts: []*waE2E.ContactMessage{{DisplayName: proto.String("Bob")}, {DisplayName: proto.String("Eve")}}}},
			trigger.MessageContact, "Bob, Eve", nil},
		{"poll is other", &waE2E.Message{PollCreationMessage: &waE2E.PollCreationMessage{Name: proto.String("?")}}, trigger.MessageOther, "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, d := Classify(dm("ID1", tc.msg), ClassifyOptions{Session: "s1", Now: t0.Add(time.Minute), Own: ownPN})
			require.Equal(t, VerdictReceive, d.Verdict, d.Reason)
			want := trigger.Message{ID: "ID1", Session: "s1", Phone: "+33611111111", PushName: "Alice", Type: tc.typ, Text: tc.text, Time: t0, Media: tc.media}
			assert.Equal(t, want, m)
			if tc.typ == trigger.MessageOther {
				assert.Equal(t, ReasonUnknownType, d.Reason)
			} else {
				assert.Equal(t, ReasonCustomer, d.Reason)
			}
		})
	}
}

// wrapped messages go through UnwrapRaw as whatsmeow does before dispatch.
func TestClassifyUnwrapped(t *testing.T) {
	inner := &waE2E.DocumentMessage{Caption: proto.String("cv"), FileName: proto.String("cv.pdf"), Mimetype: proto.String("application/pdf")}
	raw := &waE2E.Message{EphemeralMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{
		DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{DocumentMessage: inner}}}}}
	evt := dm("W1", nil)
	evt.RawMessage = raw
	evt.UnwrapRaw()
	m, d := Classify(evt, ClassifyOptions{Now: t0})
	require.Equal(t, VerdictReceive, d.Verdict)
	assert.Equal(t, trigger.MessageDocument, m.Type)
	assert.Equal(t, "cv", m.Text)
	assert.Equal(t, "cv.pdf", m.Media.FileName)
}

func TestClassifyIgnoreAndSkip(t *testing.T) {
	now := t0.Add(time.Minute)
	mod := func(f func(e *events.Message)) *events.Message {
		e := dm("X1", text("hi"))
		f(e)
		return e
	}
	edit := &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
		Key: &waCommon.MessageKey{ID: proto.String("X0")}, EditedMessage: text("hi (edited)")}}
	revoke := &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: proto.String("X0")}}}
	cases := []struct {
		name    string
		evt     *events.Message
		opt     func(o *ClassifyOptions)
		verdict Verdict
		reason  Reason
		raw     string
	}{
		{"nil event", nil, nil, VerdictIgnore, ReasonEmpty, ""},
		{"nil message", mod(func(e *events.Message) { e.Message = nil }), nil, VerdictIgnore, ReasonEmpty, ""},
		{"status broadcast", mod(func(e *events.Message) { e.Info.Chat = types.StatusBroadcastJID; e.Info.IsGroup = true }), nil, VerdictIgnore, ReasonStatus, ""},
		{"newsletter", mod(func(e *events.Message) {
			e.Info.Chat = types.NewJID("1203631", types.NewsletterServer)
			e.Info.Sender = e.Info.Chat
		}), nil, VerdictIgnore, ReasonNewsletter, ""},
		{"edit protocol message", mod(func(e *events.Message) { e.Message = edit; e.Info.Edit = types.EditAttributeMessageEdit }), nil, VerdictIgnore, ReasonEdit, ""},
		{"edit flag", mod(func(e *events.Message) { e.IsEdit = true }), nil, VerdictIgnore, ReasonEdit, ""},
		{"revoke", mod(func(e *events.Message) { e.Message = revoke; e.Info.Edit = types.EditAttributeSenderRevoke }), nil, VerdictIgnore, ReasonRevoke, ""},
		{"admin revoke attribute", mod(func(e *events.Message) { e.Info.Edit = types.EditAttributeAdminRevoke }), nil, VerdictIgnore, ReasonRevoke, ""},
		{"pin", mod(func(e *events.Message) { e.Info.Edit = types.EditAttributePinInChat }), nil, VerdictIgnore, ReasonPin, ""},
		{"reaction", mod(func(e *events.Message) {
			e.Message = &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍"), Key: &waCommon.MessageKey{ID: proto.String("X0")}}}
		}), nil, VerdictIgnore, ReasonReaction, ""},
		{"other protocol message", mod(func(e *events.Message) {
			e.Message = &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_EPHEMERAL_SETTING.Enum()}}
		}), nil, VerdictIgnore, ReasonProtocol, ""},
		{"sender key distribution only", mod(func(e *events.Message) {
			e.Message = &waE2E.Message{SenderKeyDistributionMessage: &waE2E.SenderKeyDistributionMessage{GroupID: proto.String("g")}}
		}), nil, VerdictIgnore, ReasonProtocol, ""},
		{"group disabled", mod(func(e *events.Message) { e.Info.Chat = groupJID; e.Info.IsGroup = true }), nil, VerdictIgnore, ReasonGroup, ""},
		{"own group message", mod(func(e *events.Message) {
			e.Info.Chat, e.Info.IsGroup, e.Info.Sender, e.Info.IsFromMe = groupJID, true, ownPN, true
		}), func(o *ClassifyOptions) { o.Groups = true }, VerdictIgnore, ReasonOwnGroup, ""},
		{"own broadcast list", mod(func(e *events.Message) {
			e.Info.Chat, e.Info.IsGroup, e.Info.Sender, e.Info.IsFromMe = types.NewJID("123", types.BroadcastServer), true, ownPN, true
		}), nil, VerdictIgnore, ReasonOwnBroadcast, ""},
		{"self chat by phone", mod(func(e *events.Message) { e.Info.Chat, e.Info.Sender, e.Info.IsFromMe = ownPN, ownPN, true }), nil, VerdictIgnore, ReasonSelfChat, ""},
		{"self chat by lid", mod(func(e *events.Message) {
			e.Info.Chat, e.Info.Sender, e.Info.IsFromMe = ownLID, types.JID{User: ownLID.User, Server: types.HiddenUserServer, Device: 3}, true
		}), nil, VerdictIgnore, ReasonSelfChat, ""},
		{"old message delivered (the engine owns the stale window)", mod(func(e *events.Message) { e.Info.Timestamp = now.Add(-48 * time.Hour) }), nil, VerdictReceive, ReasonCustomer, ""},
		{"bot sender", mod(func(e *events.Message) { e.Info.Sender, e.Info.Chat = types.MetaAIJID, types.MetaAIJID }), nil, VerdictIgnore, ReasonBot, ""},
		{"missing id", mod(func(e *events.Message) { e.Info.ID = "" }), nil, VerdictSkip, ReasonMissingID, ""},
		{"unknown server", mod(func(e *events.Message) {
			e.Info.Sender = types.NewJID("abc", "weird.server")
			e.Info.Chat = e.Info.Sender
		}), nil, VerdictSkip, ReasonBadJID, "abc@weird.server"},
		{"phone with letters", mod(func(e *events.Message) {
			e.Info.Sender = types.NewJID("33abc", types.DefaultUserServer)
			e.Info.Chat = e.Info.Sender
		}), nil, VerdictSkip, ReasonBadPhone, "33abc@s.whatsapp.net"},
		{"phone too short", mod(func(e *events.Message) {
			e.Info.Sender = types.NewJID("123", types.DefaultUserServer)
			e.Info.Chat = e.Info.Sender
		}), nil, VerdictSkip, ReasonBadPhone, "123@s.whatsapp.net"},
		{"unresolved lid", mod(func(e *events.Message) { e.Info.Sender, e.Info.Chat = custLID2, custLID2 }), nil, VerdictSkip, ReasonUnresolvedLID, custLID2.String()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opt := ClassifyOptions{Session: "s1", Now: now, Own: ownPN, OwnLID: ownLID}
			if tc.opt != nil {
				tc.opt(&opt)
			}
			m, d := Classify(tc.evt, opt)
			assert.Equal(t, tc.verdict, d.Verdict)
			assert.Equal(t, tc.reason, d.Reason)
			assert.Equal(t, tc.raw, d.Raw)
			if tc.verdict == VerdictReceive || tc.verdict == VerdictReceiveOwn { // stale backlog: recorded, not answered
				assert.Equal(t, "X1", m.ID, "stale messages are still delivered")
				return
			}
			assert.Equal(t, trigger.Message{}, m, "dropped messages map to nothing")
		})
	}
}

func TestClassifyLID(t *testing.T) {
	resolve := func(l types.JID) (types.JID, bool) {
		if l == custLID {
			return custPN, true
		}
		return types.JID{}, false
	}
	t.Run("sender alt", func(t *testing.T) {
		e := dm("L1", text("hi"))
		e.Info.Chat, e.Info.Sender, e.Info.SenderAlt, e.Info.AddressingMode = custLID, custLID, custPN, types.AddressingModeLID
		m, d := Classify(e, ClassifyOptions{Now: t0})
		require.Equal(t, VerdictReceive, d.Verdict)
		assert.Equal(t, "+33611111111", m.Phone)
	})
	t.Run("lid store", func(t *testing.T) {
		e := dm("L2", text("hi"))
		e.Info.Chat, e.Info.Sender = custLID, types.JID{User: custLID.User, Server: types.HiddenUserServer, Device: 2}
		m, d := Classify(e, ClassifyOptions{Now: t0, ResolveLID: resolve})
		require.Equal(t, VerdictReceive, d.Verdict)
		assert.Equal(t, "+33611111111", m.Phone)
	})
	t.Run("store miss", func(t *testing.T) {
		e := dm("L3", text("hi"))
		e.Info.Chat, e.Info.Sender = custLID2, custLID2
		_, d := Classify(e, ClassifyOptions{Now: t0, ResolveLID: resolve})
		assert.Equal(t, VerdictSkip, d.Verdict)
		assert.Equal(t, ReasonUnresolvedLID, d.Reason)
	})
	t.Run("own message to lid chat uses recipient alt", func(t *testing.T) {
		e := dm("L4", text("we ship tomorrow"))
		e.Info.Chat, e.Info.Sender, e.Info.IsFromMe, e.Info.RecipientAlt = custLID, ownLID, true, custPN
		m, d := Classify(e, ClassifyOptions{Now: t0, Own: ownPN, OwnLID: ownLID})
		require.Equal(t, VerdictReceiveOwn, d.Verdict)
		assert.Equal(t, "+33611111111", m.Phone)
	})
}

func TestClassifyOwnAndGroups(t *testing.T) {
	t.Run("phone reply via device sent message", func(t *testing.T) {
		e := &events.Message{
			Info: types.MessageInfo{
				MessageSource: types.MessageSource{Chat: custPN, Sender: ownPN, IsFromMe: true},
				ID:            "3A0001", Timestamp: t0,
			},
			RawMessage: &waE2E.Message{DeviceSentMessage: &waE2E.DeviceSentMessage{
				DestinationJID: proto.String(custPN.String()), Message: text("your parcel left")}},
		}
		e.UnwrapRaw()
		m, d := Classify(e, ClassifyOptions{Session: "s1", Now: t0, Own: ownPN})
		require.Equal(t, VerdictReceiveOwn, d.Verdict)
		assert.Equal(t, ReasonOwn, d.Reason)
		assert.Equal(t, "+33611111111", m.Phone)
		assert.Equal(t, "your parcel left", m.Text)
		assert.Equal(t, "3A0001", m.ID)
	})
	t.Run("group enabled", func(t *testing.T) {
		e := dm("G1", text("anyone?"))
		e.Info.Chat, e.Info.IsGroup = groupJID, true
		m, d := Classify(e, ClassifyOptions{Now: t0, Groups: true})
		require.Equal(t, VerdictReceive, d.Verdict)
		assert.True(t, m.Group)
		assert.Equal(t, "+33611111111", m.Phone)
	})
	t.Run("incoming broadcast list is the sender's message", func(t *testing.T) {
		e := dm("B1", text("promo"))
		e.Info.Chat, e.Info.IsGroup = types.NewJID("1700000", types.BroadcastServer), true
		m, d := Classify(e, ClassifyOptions{Now: t0})
		require.Equal(t, VerdictReceive, d.Verdict)
		assert.Equal(t, "+33611111111", m.Phone)
		assert.False(t, m.Group)
	})
	t.Run("legacy c.us sender", func(t *testing.T) {
		e := dm("C1", text("hi"))
		e.Info.Sender = types.NewJID("33611111111", types.LegacyUserServer)
		m, d := Classify(e, ClassifyOptions{Now: t0})
		require.Equal(t, VerdictReceive, d.Verdict)
		assert.Equal(t, "+33611111111", m.Phone)
	})
}

func BenchmarkClassify(b *testing.B) {
	e := dm("B1", text("hello, is the shop open today?"))
	opt := ClassifyOptions{Session: "s1", Now: t0, Own: ownPN, OwnLID: ownLID}
	b.ReportAllocs()
	for b.Loop() {
		Classify(e, opt)
	}
}
