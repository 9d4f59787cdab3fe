package bun

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// Rows as stored. Column types are fixed by the migrations (migrate.go);
// these structs only name the columns.

type messageRow struct {
	bun.BaseModel `bun:"table:waauto_messages"`
	Session       string `bun:"session,pk"`
	ID            string `bun:"id,pk"`
	Phone         string `bun:"phone"`
	Author        string `bun:"author"`
	Kind          string `bun:"kind"`
	Type          string `bun:"type"`
	Text          string `bun:"text"`
	At            int64  `bun:"at"`
	Seq           int64  `bun:"seq"`
}

type conversationRow struct {
	bun.BaseModel  `bun:"table:waauto_conversations"`
	Session        string `bun:"session,pk"`
	Phone          string `bun:"phone,pk"`
	Agent          string `bun:"agent"`
	MessageCount   int64  `bun:"message_count"`
	LastInboundSeq int64  `bun:"last_inbound_seq"`
	LastAgentSeq   int64  `bun:"last_agent_seq"`
	LastInboundAt  int64  `bun:"last_inbound_at"`
	LastReplyAt    int64  `bun:"last_reply_at"`
}

type contactRow struct {
	bun.BaseModel `bun:"table:waauto_contacts"`
	Phone         string `bun:"phone,pk"`
	Name          string `bun:"name"`
	Labels        string `bun:"labels"` // JSON array
	Excluded      bool   `bun:"excluded"`
	Imported      bool   `bun:"imported"`
	CreatedAt     int64  `bun:"created_at"`
}

type firingRow struct {
	bun.BaseModel `bun:"table:waauto_firings"`
	WorkflowID    string `bun:"workflow_id,pk"`
	Session       string `bun:"session,pk"`
	MessageID     string `bun:"message_id,pk"`
	Phone         string `bun:"phone"`
	At            int64  `bun:"at"`
	State         string `bun:"state"`
}

type firingStepRow struct {
	bun.BaseModel `bun:"table:waauto_firing_steps"`
	FiringID      string `bun:"firing_id,pk"`
	Key           string `bun:"key,pk"`
	Result        string `bun:"result"` // JSON object
	Value         int64  `bun:"value"`
}

type workflowRow struct {
	bun.BaseModel `bun:"table:waauto_workflows"`
	ID            string `bun:"id,pk"`
	Name          string `bun:"name"`
	Position      int    `bun:"position"`
	Definition    []byte `bun:"definition"`
	Template      bool   `bun:"template"`
	UpdatedAt     int64  `bun:"updated_at"`
}

type sessionRow struct {
	bun.BaseModel  `bun:"table:waauto_sessions"`
	ID             string `bun:"id,pk"`
	Label          string `bun:"label"`
	Status         string `bun:"status"`
	Disabled       string `bun:"disabled"` // JSON array
	DisconnectedAt int64  `bun:"disconnected_at"`
	CreatedAt      int64  `bun:"created_at"`
}

type scheduledRow struct {
	bun.BaseModel `bun:"table:waauto_scheduled"`
	ID            string `bun:"id,pk"`
	Session       string `bun:"session"`
	Phone         string `bun:"phone"`
	Text          string `bun:"text"`
	At            int64  `bun:"at"`
	Location      string `bun:"location"`
	Status        string `bun:"status"`
	Reason        string `bun:"reason"`
	MessageID     string `bun:"message_id"`
	CreatedAt     int64  `bun:"created_at"`
	DoneAt        int64  `bun:"done_at"`
	// WorkflowID and Origin (JSON) are a follow-up's workflow.SendOrigin.
	WorkflowID string `bun:"workflow_id"`
	Origin     string `bun:"origin"`
}

type executionRow struct {
	bun.BaseModel `bun:"table:waauto_executions"`
	ID            string `bun:"id,pk"`
	At            int64  `bun:"at"`
	WorkflowID    string `bun:"workflow_id"`
	Workflow      string `bun:"workflow"`
	Session       string `bun:"session"`
	Phone         string `bun:"phone"`
	MessageID     string `bun:"message_id"`
	Trigger       string `bun:"trigger"`
	Outcome       string `bun:"outcome"`
	Reason        string `bun:"reason"`
	Trace         string `bun:"trace"`   // JSON
	Actions       string `bun:"actions"` // JSON
}

// nanos stores t as Unix nanoseconds; the zero time is 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos reads what nanos stored, in UTC.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// toJSON encodes a list column; nil is stored as an empty list.
func toJSON[T any](v []T) (string, error) {
	if v == nil {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %T: %w", v, err)
	}
	return string(b), nil
}

// fromJSON decodes a list column; an empty list is nil.
func fromJSON[T any](s string) ([]T, error) {
	var v []T
	if s == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("decode %T: %w", v, err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

func (r messageRow) record() workflow.MessageRecord {
	return workflow.MessageRecord{
		Session: r.Session, Phone: r.Phone, ID: r.ID,
		Author: workflow.Author(r.Author), Kind: workflow.SendKind(r.Kind),
		Type: trigger.MessageType(r.Type), Text: r.Text, Time: fromNanos(r.At), Seq: r.Seq,
	}
}

func (r conversationRow) conversation() workflow.Conversation {
	return workflow.Conversation{
		Session: r.Session, Phone: r.Phone, Agent: r.Agent,
		MessageCount: r.MessageCount, LastInboundSeq: r.LastInboundSeq, LastAgentSeq: r.LastAgentSeq,
		LastInboundAt: fromNanos(r.LastInboundAt), LastReplyAt: fromNanos(r.LastReplyAt),
	}
}

func contactToRow(c workflow.Contact) (contactRow, error) {
	labels, err := toJSON(c.Labels)
	if err != nil {
		return contactRow{}, err
	}
	return contactRow{
		Phone: c.Phone, Name: c.Name, Labels: labels, Excluded: c.Excluded,
		Imported: c.Imported, CreatedAt: nanos(c.CreatedAt),
	}, nil
}

func (r contactRow) contact() (workflow.Contact, error) {
	labels, err := fromJSON[string](r.Labels)
	if err != nil {
		return workflow.Contact{}, fmt.Errorf("contact %s labels: %w", r.Phone, err)
	}
	return workflow.Contact{
		Phone: r.Phone, Name: r.Name, Labels: labels, Excluded: r.Excluded,
		Imported: r.Imported, CreatedAt: fromNanos(r.CreatedAt),
	}, nil
}

func (r workflowRow) stored() workflow.StoredWorkflow {
	return workflow.StoredWorkflow{
		ID: r.ID, Name: r.Name, Position: r.Position, Definition: r.Definition,
		Template: r.Template, UpdatedAt: fromNanos(r.UpdatedAt),
	}
}

func (r sessionRow) session() (workflow.Session, error) {
	disabled, err := fromJSON[workflow.Module](r.Disabled)
	if err != nil {
		return workflow.Session{}, fmt.Errorf("session %s modules: %w", r.ID, err)
	}
	return workflow.Session{
		ID: r.ID, Label: r.Label, Status: workflow.SessionStatus(r.Status), Disabled: disabled,
		DisconnectedAt: fromNanos(r.DisconnectedAt), CreatedAt: fromNanos(r.CreatedAt),
	}, nil
}

func scheduledToRow(m workflow.ScheduledMessage) scheduledRow {
	r := scheduledRow{
		ID: m.ID, Session: m.Session, Phone: m.Phone, Text: m.Text, At: nanos(m.At),
		Location: m.Location, Status: string(m.Status), Reason: m.Reason, MessageID: m.MessageID,
		CreatedAt: nanos(m.CreatedAt), DoneAt: nanos(m.DoneAt),
	}
	if m.Origin != nil {
		b, _ := json.Marshal(m.Origin) // strings, bools and a trace of them always marshal
		r.WorkflowID, r.Origin = m.Origin.WorkflowID, string(b)
	}
	return r
}

func (r scheduledRow) scheduled() (workflow.ScheduledMessage, error) {
	m := workflow.ScheduledMessage{
		ID: r.ID, Session: r.Session, Phone: r.Phone, Text: r.Text, At: fromNanos(r.At),
		Location: r.Location, Status: workflow.ScheduleStatus(r.Status), Reason: r.Reason,
		MessageID: r.MessageID, CreatedAt: fromNanos(r.CreatedAt), DoneAt: fromNanos(r.DoneAt),
	}
	if r.Origin != "" {
		m.Origin = new(workflow.SendOrigin)
		if err := json.Unmarshal([]byte(r.Origin), m.Origin); err != nil {
			return workflow.ScheduledMessage{}, fmt.Errorf("scheduled message %q: decode its origin: %w", r.ID, err)
		}
	}
	return m, nil
}

func executionToRow(e workflow.Execution) (executionRow, error) {
	trace, err := toJSON(e.Trace)
	if err != nil {
		return executionRow{}, err
	}
	actions, err := toJSON(e.Actions)
	if err != nil {
		return executionRow{}, err
	}
	return executionRow{
		ID: e.ID, At: nanos(e.Time), WorkflowID: e.WorkflowID, Workflow: e.Workflow,
		Session: e.Session, Phone: e.Phone, MessageID: e.MessageID, Trigger: string(e.Trigger),
		Outcome: string(e.Outcome), Reason: e.Reason, Trace: trace, Actions: actions,
	}, nil
}

func (r executionRow) execution() (workflow.Execution, error) {
	trace, err := fromJSON[condition.LeafResult](r.Trace)
	if err != nil {
		return workflow.Execution{}, fmt.Errorf("execution %s trace: %w", r.ID, err)
	}
	actions, err := fromJSON[workflow.ActionResult](r.Actions)
	if err != nil {
		return workflow.Execution{}, fmt.Errorf("execution %s actions: %w", r.ID, err)
	}
	return workflow.Execution{
		ID: r.ID, Time: fromNanos(r.At), WorkflowID: r.WorkflowID, Workflow: r.Workflow,
		Session: r.Session, Phone: r.Phone, MessageID: r.MessageID, Trigger: trigger.Kind(r.Trigger),
		Outcome: workflow.Outcome(r.Outcome), Reason: r.Reason, Trace: trace, Actions: actions,
	}, nil
}
