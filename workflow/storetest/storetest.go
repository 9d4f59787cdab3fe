package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// Run runs the conformance suite. newStore must return a fresh, empty store
// on every call; it may register cleanups with t. Subtests run one after
// the other and are named by role and behaviour, e.g.
// "Messages/RecordInbound/duplicate_changes_nothing".
func Run(t *testing.T, newStore func(t *testing.T) workflow.Store) {
	t.Helper()
	suites := []struct {
		name string
		run  func(t *testing.T, newStore func(t *testing.T) workflow.Store)
	}{
		{"Messages", testMessages},
		{"Conversations", testConversations},
		{"ConversationLists", testConversationLists},
		{"Contacts", testContacts},
		{"Firings", testFirings},
		{"Workflows", testWorkflows},
		{"Sessions", testSessions},
		{"Schedules", testSchedules},
		{"Logs", testLogs},
		{"Credits", testCredits},
		{"Retention", testRetention},
		{"Concurrency", testConcurrency},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) { s.run(t, newStore) })
	}
}

// Fixed test data. Times are whole microseconds, as databases store them.
var (
	t0 = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC).Add(123456 * time.Microsecond)

	phoneA = "+33611111111"
	phoneB = "+33622222222"
	phoneC = "+33633333333"
)

const (
	sess1 = "shop-1"
	sess2 = "shop-2"
)

// at returns t0 plus n minutes.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

// inbound is a customer text message from phone to session at at(minute).
func inbound(session, phone, id string, minute int) trigger.Message {
	return trigger.Message{
		ID: id, Session: session, Phone: phone, PushName: "Alice",
		Type: trigger.MessageText, Text: "text of " + id, Time: at(minute),
	}
}

// outbound is a message sent to phone by author at at(minute).
func outbound(session, phone, id string, author workflow.Author, minute int) workflow.Outbound {
	o := workflow.Outbound{Session: session, Phone: phone, ID: id, Author: author, Text: "reply " + id, Time: at(minute)}
	if author == workflow.AuthorAutomation {
		o.Kind = workflow.SendFixed
	}
	return o
}

// result is what a store method returned, for checking in one line:
// get(s.Contact(ctx, phone)).must(t, "Contact").
type result[T any] struct {
	v   T
	err error
}

func get[T any](v T, err error) result[T] { return result[T]{v, err} }

// must fails the test with what and the error when there is one, and
// returns the value otherwise.
func (r result[T]) must(t *testing.T, what string) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: unexpected error: %v", what, r.err)
	}
	return r.v
}

// ok fails the test with what and err when err is not nil.
func ok(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// wantErr fails the test unless err matches one of targets.
func wantErr(t *testing.T, err error, what string, targets ...error) {
	t.Helper()
	for _, target := range targets {
		if errors.Is(err, target) {
			return
		}
	}
	t.Errorf("%s: error = %v, want one wrapping %v", what, err, targets)
}

// fields collects the fields where got and want differ.
type fields struct{ diffs []string }

// eq records name when got and want differ. Times compare with Equal and
// an empty slice equals a nil one.
func (f *fields) eq(name string, got, want any) {
	if !same(got, want) {
		f.diffs = append(f.diffs, fmt.Sprintf("%s = %#v, want %#v", name, got, want))
	}
}

func (f *fields) report(t *testing.T, what string) {
	t.Helper()
	if len(f.diffs) > 0 {
		t.Errorf("%s:\n\t%s", what, strings.Join(f.diffs, "\n\t"))
	}
}

func same(got, want any) bool {
	if g, ok := got.(time.Time); ok {
		w, ok := want.(time.Time)
		return ok && g.Equal(w)
	}
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	if gv.Kind() == reflect.Slice && wv.Kind() == reflect.Slice && gv.Len() == 0 && wv.Len() == 0 {
		return gv.Type() == wv.Type()
	}
	return reflect.DeepEqual(got, want)
}

func checkConversation(t *testing.T, what string, got, want workflow.Conversation) {
	t.Helper()
	var f fields
	f.eq("Session", got.Session, want.Session)
	f.eq("Phone", got.Phone, want.Phone)
	f.eq("Agent", got.Agent, want.Agent)
	f.eq("MessageCount", got.MessageCount, want.MessageCount)
	f.eq("LastInboundSeq", got.LastInboundSeq, want.LastInboundSeq)
	f.eq("LastAgentSeq", got.LastAgentSeq, want.LastAgentSeq)
	f.eq("LastInboundAt", got.LastInboundAt, want.LastInboundAt)
	f.eq("LastReplyAt", got.LastReplyAt, want.LastReplyAt)
	f.report(t, what)
}

// checkContact compares contacts; a zero want.CreatedAt is not checked.
func checkContact(t *testing.T, what string, got, want workflow.Contact) {
	t.Helper()
	var f fields
	f.eq("Phone", got.Phone, want.Phone)
	f.eq("Name", got.Name, want.Name)
	f.eq("Labels", got.Labels, want.Labels)
	f.eq("Excluded", got.Excluded, want.Excluded)
	f.eq("Imported", got.Imported, want.Imported)
	if !want.CreatedAt.IsZero() {
		f.eq("CreatedAt", got.CreatedAt, want.CreatedAt)
	}
	f.report(t, what)
}

func checkMessage(t *testing.T, what string, got, want workflow.MessageRecord) {
	t.Helper()
	var f fields
	f.eq("Session", got.Session, want.Session)
	f.eq("Phone", got.Phone, want.Phone)
	f.eq("ID", got.ID, want.ID)
	f.eq("Author", got.Author, want.Author)
	f.eq("Kind", got.Kind, want.Kind)
	f.eq("Type", got.Type, want.Type)
	f.eq("Text", got.Text, want.Text)
	f.eq("Time", got.Time, want.Time)
	f.eq("Seq", got.Seq, want.Seq)
	f.report(t, what)
}

func checkSession(t *testing.T, what string, got, want workflow.Session) {
	t.Helper()
	var f fields
	f.eq("ID", got.ID, want.ID)
	f.eq("Label", got.Label, want.Label)
	f.eq("Status", got.Status, want.Status)
	f.eq("Disabled", got.Disabled, want.Disabled)
	f.eq("DisconnectedAt", got.DisconnectedAt, want.DisconnectedAt)
	f.eq("CreatedAt", got.CreatedAt, want.CreatedAt)
	f.report(t, what)
}

func checkScheduled(t *testing.T, what string, got, want workflow.ScheduledMessage) {
	t.Helper()
	var f fields
	f.eq("ID", got.ID, want.ID)
	f.eq("Session", got.Session, want.Session)
	f.eq("Phone", got.Phone, want.Phone)
	f.eq("Text", got.Text, want.Text)
	f.eq("At", got.At, want.At)
	f.eq("Location", got.Location, want.Location)
	f.eq("Status", got.Status, want.Status)
	f.eq("Reason", got.Reason, want.Reason)
	f.eq("MessageID", got.MessageID, want.MessageID)
	f.eq("CreatedAt", got.CreatedAt, want.CreatedAt)
	f.eq("DoneAt", got.DoneAt, want.DoneAt)
	f.eq("Origin", got.Origin, want.Origin)
	f.report(t, what)
}

func checkExecution(t *testing.T, what string, got, want workflow.Execution) {
	t.Helper()
	var f fields
	f.eq("ID", got.ID, want.ID)
	f.eq("Time", got.Time, want.Time)
	f.eq("WorkflowID", got.WorkflowID, want.WorkflowID)
	f.eq("Workflow", got.Workflow, want.Workflow)
	f.eq("Session", got.Session, want.Session)
	f.eq("Phone", got.Phone, want.Phone)
	f.eq("MessageID", got.MessageID, want.MessageID)
	f.eq("Trigger", got.Trigger, want.Trigger)
	f.eq("Outcome", got.Outcome, want.Outcome)
	f.eq("Reason", got.Reason, want.Reason)
	f.eq("Trace", got.Trace, want.Trace)
	f.eq("Actions", got.Actions, want.Actions)
	f.report(t, what)
}
