package engine

import (
	"cmp"
	"encoding/json"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// inboundWire is how an inboundJob travels in its job's payload: short
// keys, zero fields left out, times as Unix nanoseconds, the contact's
// phone and the number's id only when they differ from the message's.
// Every message makes one such payload, which the queue writes, reads and
// (River) converts to and from JSON several times, under SQLite's one
// write lock: 624 bytes for a typical text message as the exported types
// encode it, 310 here. Its "v" tells it from the payloads of jobs queued
// by earlier versions (inboundJob's fields by name), which are still read.
type inboundWire struct {
	V int `json:"v"`
	// The message.
	ID       string         `json:"mi,omitzero"`
	Session  string         `json:"ms,omitzero"`
	Phone    string         `json:"mp,omitzero"`
	PushName string         `json:"mn,omitzero"`
	Type     string         `json:"mt,omitzero"`
	Text     string         `json:"mx,omitzero"`
	Time     int64          `json:"mw,omitzero"`
	Group    bool           `json:"mg,omitzero"`
	Media    *trigger.Media `json:"mm,omitzero"`
	// The facts.
	NewContact   bool     `json:"nc,omitzero"`
	Seq          int64    `json:"sq,omitzero"`
	Agent        string   `json:"ag,omitzero"`
	Labels       []string `json:"lb,omitzero"`
	MessageCount int      `json:"mc,omitzero"`
	LastReply    int64    `json:"lr,omitzero"`
	// The contact; its phone when it is not the message's.
	ContactPhone    string   `json:"cp,omitzero"`
	ContactName     string   `json:"cn,omitzero"`
	ContactLabels   []string `json:"cl,omitzero"`
	ContactExcluded bool     `json:"ce,omitzero"`
	ContactImported bool     `json:"ci,omitzero"`
	ContactCreated  int64    `json:"cc,omitzero"`
	// The number; its id when it is not the message's session.
	SessionID           string            `json:"si,omitzero"`
	SessionLabel        string            `json:"sl,omitzero"`
	SessionStatus       string            `json:"ss,omitzero"`
	SessionDisabled     []workflow.Module `json:"sd,omitzero"`
	SessionDisconnected int64             `json:"sx,omitzero"`
	SessionCreated      int64             `json:"sc,omitzero"`
	// The job.
	At           int64             `json:"rt,omitzero"`
	Fresh        bool              `json:"f,omitzero"`
	TraceContext map[string]string `json:"tc,omitzero"`
}

// inboundWireVersion is inboundWire's "v".
const inboundWireVersion = 2

// legacyInbound is inboundJob encoded by its exported fields' names, as
// jobs queued before inboundWire have it.
type legacyInbound inboundJob

// MarshalJSON encodes j as an inboundWire, or by its fields' names when a
// time of it has no Unix nanoseconds (before 1678 or after 2262).
func (j inboundJob) MarshalJSON() ([]byte, error) {
	w, ok := j.wire()
	if !ok {
		return json.Marshal(legacyInbound(j))
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes an inboundWire, or a payload of an earlier version.
func (j *inboundJob) UnmarshalJSON(b []byte) error {
	var w inboundWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.V != inboundWireVersion {
		return json.Unmarshal(b, (*legacyInbound)(j))
	}
	*j = w.job()
	return nil
}

func (j inboundJob) wire() (inboundWire, bool) {
	ok := true
	ns := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		n := t.UnixNano()
		if n == 0 || !time.Unix(0, n).Equal(t) {
			ok = false // 1970-01-01 itself, or outside int64 nanoseconds
		}
		return n
	}
	m, c, s := j.Message, j.Contact, j.Session
	w := inboundWire{V: inboundWireVersion,
		ID: m.ID, Session: m.Session, Phone: m.Phone, PushName: m.PushName, Type: string(m.Type), Text: m.Text,
		Time: ns(m.Time), Group: m.Group, Media: m.Media,
		NewContact: j.NewContact, Seq: j.Seq, Agent: j.Agent, Labels: j.Labels, MessageCount: j.MessageCount,
		LastReply:   ns(j.LastReply),
		ContactName: c.Name, ContactLabels: c.Labels, ContactExcluded: c.Excluded, ContactImported: c.Imported,
		ContactCreated: ns(c.CreatedAt),
		SessionLabel:   s.Label, SessionStatus: string(s.Status), SessionDisabled: s.Disabled,
		SessionDisconnected: ns(s.DisconnectedAt), SessionCreated: ns(s.CreatedAt),
		At: ns(j.At), Fresh: j.Fresh, TraceContext: j.TraceContext,
	}
	if c.Phone != m.Phone {
		w.ContactPhone = c.Phone
		ok = ok && c.Phone != ""
	}
	if s.ID != m.Session {
		w.SessionID = s.ID
		ok = ok && s.ID != ""
	}
	return w, ok
}

func (w inboundWire) job() inboundJob {
	t := func(n int64) time.Time {
		if n == 0 {
			return time.Time{}
		}
		return time.Unix(0, n).UTC()
	}
	return inboundJob{
		Message: trigger.Message{ID: w.ID, Session: w.Session, Phone: w.Phone, PushName: w.PushName,
			Type: trigger.MessageType(w.Type), Text: w.Text, Time: t(w.Time), Group: w.Group, Media: w.Media},
		NewContact: w.NewContact, Seq: w.Seq, Agent: w.Agent, Labels: w.Labels, MessageCount: w.MessageCount,
		LastReply: t(w.LastReply),
		Contact: workflow.Contact{Phone: cmp.Or(w.ContactPhone, w.Phone), Name: w.ContactName, Labels: w.ContactLabels,
			Excluded: w.ContactExcluded, Imported: w.ContactImported, CreatedAt: t(w.ContactCreated)},
		Session: workflow.Session{ID: cmp.Or(w.SessionID, w.Session), Label: w.SessionLabel,
			Status: workflow.SessionStatus(w.SessionStatus), Disabled: w.SessionDisabled,
			DisconnectedAt: t(w.SessionDisconnected), CreatedAt: t(w.SessionCreated)},
		At: t(w.At), Fresh: w.Fresh, TraceContext: w.TraceContext,
	}
}
