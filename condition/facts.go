package condition

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/waauto/waauto/trigger"
)

// Facts is the immutable snapshot a condition tree is evaluated on: the
// message and its conversation at the moment the message arrived. Build it
// with NewFacts; every workflow run for one event sees the same Facts.
type Facts struct {
	// Text is the folded text (see Fold); RawText is the trimmed original.
	Text, RawText string
	Type          trigger.MessageType
	// Phone is the customer's number in E.164.
	Phone   string
	Session string
	// Agent is the assigned agent's id, "" when unassigned.
	Agent  string
	Labels []string
	// MessageCount counts the conversation's messages, this one included.
	MessageCount int
	// SinceLastReply is the time since the last outgoing message; negative when none.
	SinceLastReply time.Duration
	// Length is the number of runes of RawText.
	Length int
	// Time is the instant the message arrived.
	Time         time.Time
	IsNewContact bool
	// labels holds a copy of up to two labels (the common case), so that
	// the Facts and its labels are one allocation.
	labels [2]string
}

// Input is what NewFacts derives a Facts from.
type Input struct {
	Message      trigger.Message
	Agent        string
	Labels       []string
	MessageCount int
	LastReply    time.Time // zero when nothing was ever sent
	IsNewContact bool
}

// NewFacts computes the facts of one message, folding the text once.
func NewFacts(in Input) *Facts {
	f := new(Facts)
	f.Set(in)
	return f
}

// Set makes f the facts of one message, folding the text once: what
// NewFacts returns, computed in place so that a caller can keep the Facts
// inside a larger record (one allocation per message). Up to two labels
// are copied into f itself; a Facts that was Set shares them with its
// copies.
func (f *Facts) Set(in Input) { f.SetFolded(in, Fold(in.Message.Text)) }

// SetFolded is Set with the text folded by the caller: folded must be
// Fold(in.Message.Text), which f.Text then is (not copied). It lets a
// caller fold into a buffer it reuses (AppendFold); the caller must then
// not write that buffer while f, or a string taken from it, is in use.
func (f *Facts) SetFolded(in Input, folded string) {
	raw := strings.TrimSpace(in.Message.Text)
	typ := in.Message.Type
	if typ == "" {
		typ = trigger.MessageText
	}
	since := time.Duration(-1)
	if !in.LastReply.IsZero() {
		since = max(in.Message.Time.Sub(in.LastReply), 0)
	}
	var labels []string
	if n := len(in.Labels); n > 0 && n <= len(f.labels) {
		labels = f.labels[:n:n]
		copy(labels, in.Labels)
	} else if n > 0 {
		labels = append([]string(nil), in.Labels...)
	}
	*f = Facts{
		Text:           folded,
		RawText:        raw,
		Type:           typ,
		Phone:          in.Message.Phone,
		Session:        in.Message.Session,
		Agent:          in.Agent,
		Labels:         labels,
		MessageCount:   in.MessageCount,
		SinceLastReply: since,
		Length:         utf8.RuneCountInString(raw),
		Time:           in.Message.Time,
		IsNewContact:   in.IsNewContact,
		labels:         f.labels,
	}
}

// Vars lists the variables visible to raw expressions, in both backends,
// with their meaning. The values come from Facts and the message time in the
// account's time zone.
var Vars = []Var{
	{"text", "string", "the folded text"},
	{"raw_text", "string", "the trimmed text as sent"},
	{"type", "string", "message type: text, image, audio, ..."},
	{"phone", "string", "customer number, E.164"},
	{"session", "string", "id of the receiving number"},
	{"agent", "string", `assigned agent, "" when unassigned`},
	{"labels", "list(string)", "customer labels"},
	{"message_count", "int", "messages in the conversation, this one included"},
	{"since_last_reply_seconds", "int", "seconds since the last outgoing message, -1 when none"},
	{"length", "int", "runes of the trimmed text"},
	{"weekday", "int", "0 = Sunday, in the account's time zone"},
	{"hour", "int", "0..23, in the account's time zone"},
	{"minute", "int", "0..59"},
	{"is_new_contact", "bool", "first message of this phone to this number"},
}

// Var describes one raw-expression variable.
type Var struct{ Name, Type, Doc string }

// Values returns the raw-expression variables of f, with clock values in loc.
func (f *Facts) Values(loc *time.Location) map[string]any {
	t := f.Time.In(loc)
	since := int64(-1)
	if f.SinceLastReply >= 0 {
		since = int64(f.SinceLastReply / time.Second)
	}
	labels := f.Labels
	if labels == nil {
		labels = []string{}
	}
	return map[string]any{
		"text":                     f.Text,
		"raw_text":                 f.RawText,
		"type":                     string(f.Type),
		"phone":                    f.Phone,
		"session":                  f.Session,
		"agent":                    f.Agent,
		"labels":                   labels,
		"message_count":            int64(f.MessageCount),
		"since_last_reply_seconds": since,
		"length":                   int64(f.Length),
		"weekday":                  int64(t.Weekday()),
		"hour":                     int64(t.Hour()),
		"minute":                   int64(t.Minute()),
		"is_new_contact":           f.IsNewContact,
	}
}
