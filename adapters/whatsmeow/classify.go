package whatsmeow

import (
	"fmt"
	"strings"
	"time"

	"github.com/waauto/waauto/trigger"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// Verdict says what the adapter does with an incoming message.
type Verdict int

// The verdicts of Classify.
const (
	// VerdictReceive hands a customer message to Inbox.Receive.
	VerdictReceive Verdict = iota + 1
	// VerdictReceiveOwn hands a message sent from the shop's own phone (another
	// device of the same account) to Inbox.ReceiveOwn.
	VerdictReceiveOwn
	// VerdictIgnore drops the message for automation (edits, reactions, groups…).
	VerdictIgnore
	// VerdictSkip drops a message that cannot be mapped (malformed JID or phone).
	VerdictSkip
)

// String names the verdict for logs.
func (v Verdict) String() string {
	switch v {
	case VerdictReceive:
		return "receive"
	case VerdictReceiveOwn:
		return "receive_own"
	case VerdictIgnore:
		return "ignore"
	case VerdictSkip:
		return "skip"
	}
	return fmt.Sprintf("verdict(%d)", int(v))
}

// Reason explains a Decision. Reasons are stable strings, fit for logs and metrics.
type Reason string

// The reasons of Classify.
const (
	ReasonCustomer      Reason = "customer message"
	ReasonOwn           Reason = "own message to a customer"
	ReasonUnknownType   Reason = "unknown message type"
	ReasonEmpty         Reason = "empty message"
	ReasonStatus        Reason = "status broadcast"
	ReasonNewsletter    Reason = "newsletter"
	ReasonEdit          Reason = "edit"
	ReasonRevoke        Reason = "revoke"
	ReasonPin           Reason = "pin"
	ReasonReaction      Reason = "reaction"
	ReasonProtocol      Reason = "protocol message"
	ReasonGroup         Reason = "group message (groups disabled)"
	ReasonOwnBroadcast  Reason = "own broadcast list message"
	ReasonOwnGroup      Reason = "own message in a group"
	ReasonSelfChat      Reason = "self-chat"
	ReasonBot           Reason = "bot or system sender"
	ReasonMissingID     Reason = "missing message id"
	ReasonBadJID        Reason = "malformed jid"
	ReasonBadPhone      Reason = "malformed phone number"
	ReasonUnresolvedLID Reason = "lid without known phone number"
)

// Decision is the outcome of Classify.
type Decision struct {
	Verdict Verdict
	Reason  Reason
	// Raw is the offending raw value (a JID) for Skip decisions.
	Raw string
}

// ClassifyOptions is what Classify needs besides the event.
type ClassifyOptions struct {
	// Session is the id of the number that received the message.
	Session string
	// Own and OwnLID are the account's phone-number and hidden-user JIDs
	// (either may be empty); they detect self-chat.
	Own, OwnLID types.JID
	// Now is the current time, the time of a message without a timestamp.
	// Old messages (backlog replayed after a reconnect) are delivered: the
	// engine alone records them without answering (engine.Config.StaleAfter).
	Now time.Time
	// Groups enables group messages (Message.Group is then true).
	Groups bool
	// ResolveLID maps a …@lid JID to its phone-number JID; nil or false
	// means unknown. It should be a fast local lookup.
	ResolveLID func(lid types.JID) (types.JID, bool)
}

// Classify maps a whatsmeow message event to a trigger.Message and decides
// what to do with it. It is pure: everything it needs is in evt and opt.
// For ReceiveOwn the returned message's Phone is the customer's (the chat
// partner), not the sender's. Media.Fetch is left nil: the caller attaches
// a downloader.
func Classify(evt *events.Message, opt ClassifyOptions) (trigger.Message, Decision) {
	if evt == nil || evt.Message == nil {
		return trigger.Message{}, Decision{Verdict: VerdictIgnore, Reason: ReasonEmpty}
	}
	info := evt.Info
	msg := evt.Message
	chat := info.Chat

	switch {
	case chat.Server == types.BroadcastServer && chat.User == types.StatusBroadcastJID.User:
		return trigger.Message{}, Decision{Verdict: VerdictIgnore, Reason: ReasonStatus}
	case chat.Server == types.NewsletterServer:
		return trigger.Message{}, Decision{Verdict: VerdictIgnore, Reason: ReasonNewsletter}
	}
	if r, ok := nonContent(evt); ok {
		return trigger.Message{}, Decision{Verdict: VerdictIgnore, Reason: r}
	}
	if info.ID == "" {
		return trigger.Message{}, Decision{Verdict: VerdictSkip, Reason: ReasonMissingID}
	}

	var partner, alt types.JID // the customer
	out := trigger.Message{ID: info.ID, Session: opt.Session, PushName: info.PushName, Time: info.Timestamp}
	verdict, reason := VerdictReceive, ReasonCustomer
	switch {
	case chat.Server == types.GroupServer:
		if !opt.Groups {
			return trigger.Message{}, Decision{Verdict: VerdictIgnore, Reason: ReasonGroup}
		}
		out.Group = true
		partner, alt = info.Sender, info.SenderAlt
	case chat.Server == types.BroadcastServer:
		// A customer's broadcast list reaches us as a message in the 1:1 chat.
		if info.IsFromMe {
			return trigger.Message{}, Decision{Verdict: VerdictIgnore, Reason: ReasonOwnBroadcast}
		}
		partner, alt = info.Sender, info.SenderAlt
	case info.IsFromMe:
		if sameUser(chat, opt.Own) || sameUser(chat, opt.OwnLID) {
			return trigger.Message{}, Decision{Verdict: VerdictIgnore, Reason: ReasonSelfChat}
		}
		partner, alt = chat, info.RecipientAlt
		verdict, reason = VerdictReceiveOwn, ReasonOwn
	default:
		partner, alt = info.Sender, info.SenderAlt
		if partner.IsEmpty() {
			partner = chat
		}
	}
	if info.IsFromMe && out.Group {
		// Our own message in an enabled group: not an agent reply to one customer.
		return trigger.Message{}, Decision{Verdict: VerdictIgnore, Reason: ReasonOwnGroup}
	}
	if partner.IsBot() || partner.Server == types.BotServer || partner == types.PSAJID || partner == types.LegacyPSAJID {
		return trigger.Message{}, Decision{Verdict: VerdictIgnore, Reason: ReasonBot}
	}

	phone, d := phoneOf(partner, alt, opt.ResolveLID)
	if d.Verdict != 0 {
		return trigger.Message{}, d
	}
	out.Phone = phone
	out.Type, out.Text, out.Media = content(msg)
	if out.Type == trigger.MessageOther && verdict == VerdictReceive {
		reason = ReasonUnknownType
	}
	return out, Decision{Verdict: verdict, Reason: reason}
}

// nonContent recognises edits, revokes, pins, reactions and protocol
// messages, which are not new customer content.
func nonContent(evt *events.Message) (Reason, bool) {
	msg := evt.Message
	pm := msg.GetProtocolMessage()
	switch {
	case evt.IsEdit, evt.Info.Edit == types.EditAttributeMessageEdit, evt.Info.Edit == types.EditAttributeAdminEdit,
		pm != nil && pm.GetType() == waE2E.ProtocolMessage_MESSAGE_EDIT:
		return ReasonEdit, true
	case evt.Info.Edit == types.EditAttributeSenderRevoke, evt.Info.Edit == types.EditAttributeAdminRevoke,
		pm != nil && pm.GetType() == waE2E.ProtocolMessage_REVOKE:
		return ReasonRevoke, true
	case evt.Info.Edit == types.EditAttributePinInChat, msg.GetPinInChatMessage() != nil:
		return ReasonPin, true
	case msg.GetReactionMessage() != nil, msg.GetEncReactionMessage() != nil:
		return ReasonReaction, true
	case pm != nil, msg.GetKeepInChatMessage() != nil, msg.GetPollUpdateMessage() != nil:
		return ReasonProtocol, true
	}
	if msg.GetSenderKeyDistributionMessage() != nil && !hasContent(msg) {
		return ReasonProtocol, true
	}
	return "", false
}

func sameUser(a, b types.JID) bool {
	if a.User == "" || b.User == "" {
		return false
	}
	return a.User == b.User && userServer(a.Server) == userServer(b.Server)
}

// userServer folds server aliases so that c.us and hosted JIDs compare equal.
func userServer(s string) string {
	switch s {
	case types.LegacyUserServer, types.HostedServer:
		return types.DefaultUserServer
	case types.HostedLIDServer:
		return types.HiddenUserServer
	}
	return s
}

// phoneOf returns the E.164 phone of j, using alt or resolve when j is a LID.
// A zero Decision.Verdict means success.
func phoneOf(j, alt types.JID, resolve func(types.JID) (types.JID, bool)) (string, Decision) {
	switch userServer(j.Server) {
	case types.DefaultUserServer:
	case types.HiddenUserServer:
		lid := j
		switch {
		case userServer(alt.Server) == types.DefaultUserServer && alt.User != "":
			j = alt
		case resolve != nil:
			pn, ok := resolve(lid.ToNonAD())
			if !ok || pn.User == "" {
				return "", Decision{Verdict: VerdictSkip, Reason: ReasonUnresolvedLID, Raw: lid.String()}
			}
			j = pn
		default:
			return "", Decision{Verdict: VerdictSkip, Reason: ReasonUnresolvedLID, Raw: lid.String()}
		}
	default:
		return "", Decision{Verdict: VerdictSkip, Reason: ReasonBadJID, Raw: j.String()}
	}
	phone, err := trigger.NormalizePhone("+" + j.User)
	if err != nil || strings.ContainsAny(j.User, "+ ") {
		return "", Decision{Verdict: VerdictSkip, Reason: ReasonBadPhone, Raw: j.String()}
	}
	return phone, Decision{}
}

func hasContent(m *waE2E.Message) bool {
	t, _, _ := content(m)
	return t != trigger.MessageOther
}

// content maps the payload to a type, a text and attachment metadata.
func content(m *waE2E.Message) (trigger.MessageType, string, *trigger.Media) {
	switch {
	case m.Conversation != nil:
		return trigger.MessageText, m.GetConversation(), nil
	case m.ExtendedTextMessage != nil:
		return trigger.MessageText, m.GetExtendedTextMessage().GetText(), nil
	case m.ImageMessage != nil:
		im := m.GetImageMessage()
		return trigger.MessageImage, im.GetCaption(), &trigger.Media{MIMEType: im.GetMimetype(), Size: int64(im.GetFileLength())}
	case m.AudioMessage != nil:
		am := m.GetAudioMessage()
		return trigger.MessageAudio, "", &trigger.Media{MIMEType: am.GetMimetype(), Size: int64(am.GetFileLength())}
	case m.VideoMessage != nil || m.PtvMessage != nil:
		vm := m.GetVideoMessage()
		if vm == nil {
			vm = m.GetPtvMessage()
		}
		return trigger.MessageVideo, vm.GetCaption(), &trigger.Media{MIMEType: vm.GetMimetype(), Size: int64(vm.GetFileLength())}
	case m.DocumentMessage != nil:
		dm := m.GetDocumentMessage()
		name := dm.GetFileName()
		if name == "" {
			name = dm.GetTitle()
		}
		return trigger.MessageDocument, dm.GetCaption(), &trigger.Media{MIMEType: dm.GetMimetype(), FileName: name, Size: int64(dm.GetFileLength())}
	case m.StickerMessage != nil:
		sm := m.GetStickerMessage()
		return trigger.MessageSticker, "", &trigger.Media{MIMEType: sm.GetMimetype(), Size: int64(sm.GetFileLength())}
	case m.LocationMessage != nil:
		lm := m.GetLocationMessage()
		return trigger.MessageLocation, placeText(lm.GetName(), lm.GetAddress(), lm.GetDegreesLatitude(), lm.GetDegreesLongitude()), nil
	case m.LiveLocationMessage != nil:
		lm := m.GetLiveLocationMessage()
		return trigger.MessageLocation, placeText(lm.GetCaption(), "", lm.GetDegreesLatitude(), lm.GetDegreesLongitude()), nil
	case m.ContactMessage != nil:
		return trigger.MessageContact, m.GetContactMessage().GetDisplayName(), nil
	case m.ContactsArrayMessage != nil:
		ca := m.GetContactsArrayMessage()
		names := make([]string, 0, len(ca.GetContacts()))
		for _, c := range ca.GetContacts() {
			if n := c.GetDisplayName(); n != "" {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			names = append(names, ca.GetDisplayName())
		}
		return trigger.MessageContact, strings.Join(names, ", "), nil
	}
	return trigger.MessageOther, "", nil
}

func placeText(name, address string, lat, lng float64) string {
	parts := make([]string, 0, 3)
	if name != "" {
		parts = append(parts, name)
	}
	if address != "" {
		parts = append(parts, address)
	}
	parts = append(parts, fmt.Sprintf("%.6f,%.6f", lat, lng))
	return strings.Join(parts, ", ")
}

// downloadable returns the media payload of m that whatsmeow can download.
func downloadable(m *waE2E.Message) whatsmeow.DownloadableMessage {
	switch {
	case m.GetImageMessage() != nil:
		return m.GetImageMessage()
	case m.GetAudioMessage() != nil:
		return m.GetAudioMessage()
	case m.GetVideoMessage() != nil:
		return m.GetVideoMessage()
	case m.GetPtvMessage() != nil:
		return m.GetPtvMessage()
	case m.GetDocumentMessage() != nil:
		return m.GetDocumentMessage()
	case m.GetStickerMessage() != nil:
		return m.GetStickerMessage()
	}
	return nil
}
