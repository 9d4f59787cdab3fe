package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// Store is everything the engine persists, composed of small role
// interfaces. workflow/memstore is the reference implementation and
// workflow/storetest the conformance suite every implementation must pass.
// All methods are safe for concurrent use.
type Store interface {
	Messages
	Conversations
	ConversationLists
	Contacts
	Firings
	WorkflowStore
	Sessions
	Schedules
	Logs
	Credits
	Retention
}

// Author says who wrote a stored message.
type Author string

// The authors of messages.
const (
	AuthorCustomer   Author = "customer"
	AuthorAgent      Author = "agent"
	AuthorAutomation Author = "automation"
)

// SendKind says why automation sent a message.
type SendKind string

// The kinds of automated sends.
const (
	SendFixed     SendKind = "fixed"
	SendAI        SendKind = "ai"
	SendScheduled SendKind = "scheduled"
)

// MessageRecord is one stored message of a conversation.
type MessageRecord struct {
	Session, Phone string
	// ID is the WhatsApp message id, unique per session.
	ID     string
	Author Author
	// Kind is set for automation messages.
	Kind SendKind
	Type trigger.MessageType
	Text string
	Time time.Time
	// Seq is the message's position in its conversation: 1, 2, 3...
	Seq int64
}

// Conversation is the facts of one customer's chat with one number.
type Conversation struct {
	Session, Phone string
	// Agent is the assigned agent, "" when unassigned.
	Agent string
	// MessageCount counts messages both ways; the last message's Seq.
	MessageCount int64
	// LastInboundSeq and LastAgentSeq are the Seq of the last customer
	// message and of the last agent reply (0: none).
	LastInboundSeq, LastAgentSeq int64
	// LastInboundAt and LastReplyAt are the times of the last customer
	// message and of the last outgoing message, automated or not (zero: none).
	LastInboundAt, LastReplyAt time.Time
}

// Inbound is what recording an incoming message returns.
type Inbound struct {
	// Conversation is the conversation after recording.
	Conversation Conversation
	// Contact is the customer after recording (created when unknown).
	Contact Contact
	// Seq is the message's Seq (the stored one for a duplicate).
	Seq int64
	// NewContact: the conversation did not exist before and the contact was
	// not imported (Contact.Imported) — a phone is new once per session.
	NewContact bool
	// Duplicate: the same session and message id had been recorded already;
	// nothing changed.
	Duplicate bool
	// Session is the message's number as stored, when the store read it
	// while recording (saving the engine a read); nil when it did not or
	// does not know the number.
	Session *Session
}

// Outbound is a message sent to a customer, by automation or by a person.
type Outbound struct {
	Session, Phone, ID string
	Author             Author // Automation or Agent
	Kind               SendKind
	Text               string
	Time               time.Time
}

// Messages stores the messages of conversations.
type Messages interface {
	// RecordInbound stores m, creating its contact and conversation when
	// needed, in one atomic step. Recording the same (session, id) twice
	// changes nothing and returns Duplicate; exactly one of two concurrent
	// calls with the same id wins.
	RecordInbound(ctx context.Context, m trigger.Message) (Inbound, error)
	// RecordOutbound stores an outgoing message; a duplicate (session, id)
	// changes nothing. It returns the conversation after recording.
	RecordOutbound(ctx context.Context, m Outbound) (Conversation, error)
	// Message returns the stored message (session, id), or ErrNotFound.
	Message(ctx context.Context, session, id string) (MessageRecord, error)
	// History returns up to limit messages of a conversation with Seq
	// below beforeSeq (0: no bound), oldest first.
	History(ctx context.Context, session, phone string, beforeSeq int64, limit int) ([]MessageRecord, error)
	// CountSent counts the messages by author sent to a conversation at or after since.
	CountSent(ctx context.Context, session, phone string, author Author, since time.Time) (int, error)
}

// OutboundLimiter is a Store that applies the engine's loop breaker and
// records an automated message in one step (one round trip instead of
// CountSent then RecordOutbound). The engine uses it when the Store has it.
type OutboundLimiter interface {
	// RecordOutboundUnder stores m as RecordOutbound does and returns true
	// when fewer than limit messages of m.Author were sent to its
	// conversation at or after since, or when m is stored already (the
	// retry of a send the limit let through); otherwise it stores nothing
	// and returns false.
	RecordOutboundUnder(ctx context.Context, m Outbound, since time.Time, limit int) (bool, error)
}

// Conversations stores conversation facts.
type Conversations interface {
	// Conversation returns the facts of (session, phone), or ErrNotFound.
	Conversation(ctx context.Context, session, phone string) (Conversation, error)
	// Assign sets the agent of (session, phone), creating the conversation
	// when needed; "" unassigns.
	Assign(ctx context.Context, session, phone, agent string) error
	// OpenConversations counts the conversations assigned to each agent.
	OpenConversations(ctx context.Context, agents []string) (map[string]int, error)
}

// Contact is a customer, shared by all numbers.
type Contact struct {
	// Phone is E.164 and the contact's key.
	Phone, Name string
	Labels      []string
	// Excluded contacts are recorded but never automated.
	Excluded bool
	// Imported: the contact was stored before any message from it (import,
	// dashboard, scenario contacts), so it is never a new contact.
	Imported  bool
	CreatedAt time.Time
}

// Contacts stores customers.
type Contacts interface {
	// Contact returns the contact of phone, or ErrNotFound.
	Contact(ctx context.Context, phone string) (Contact, error)
	// PutContact creates or replaces a contact.
	PutContact(ctx context.Context, c Contact) error
	// UpdateLabels adds then removes labels (no duplicates, order of first
	// addition kept), creating the contact when unknown, and returns it.
	UpdateLabels(ctx context.Context, phone string, add, remove []string) (Contact, error)
	// SetExcluded excludes or includes a contact, creating it (Imported) when unknown.
	SetExcluded(ctx context.Context, phone string, excluded bool) error
	// ListContacts returns contacts ordered by phone, keyset-paginated.
	ListContacts(ctx context.Context, q ContactQuery) ([]Contact, error)
	// ImportContacts creates or updates the contacts of rows in one
	// transaction: either every row is stored or none is. An existing
	// contact gets the fields the row sets (ContactImport.Set) and keeps
	// the others, its Imported and CreatedAt; a new one is Imported,
	// created now. A phone not in E.164 form fails the import with a
	// *ContactImportError wrapping trigger.ErrBadPhone, a phone given twice
	// with one wrapping ErrDuplicatePhone.
	ImportContacts(ctx context.Context, rows []ContactImport) error
}

// ContactField names a field of a contact that an import may set; the
// values combine as a set (ContactFieldName|ContactFieldLabels).
type ContactField uint8

// The fields of a contact an import sets.
const (
	ContactFieldName ContactField = 1 << iota
	ContactFieldLabels
	ContactFieldExcluded
)

// Has reports whether f includes every field of g.
func (f ContactField) Has(g ContactField) bool { return f&g == g }

// ContactImport is one contact of ImportContacts.
type ContactImport struct {
	// Phone is E.164, the contact's key.
	Phone, Name string
	Labels      []string
	Excluded    bool
	// Set says which of Name, Labels and Excluded the row sets; the others
	// keep their stored values (empty for a new contact).
	Set ContactField
}

// Apply returns c with the fields the row sets.
func (r ContactImport) Apply(c Contact) Contact {
	if r.Set.Has(ContactFieldName) {
		c.Name = r.Name
	}
	if r.Set.Has(ContactFieldLabels) {
		c.Labels = slices.Clone(r.Labels)
	}
	if r.Set.Has(ContactFieldExcluded) {
		c.Excluded = r.Excluded
	}
	return c
}

// ErrDuplicatePhone: ImportContacts got two rows with the same phone.
var ErrDuplicatePhone = errors.New("phone given twice")

// ContactImportError is a row ImportContacts refused: Row is its index in
// the rows given, Err wraps trigger.ErrBadPhone or ErrDuplicatePhone.
type ContactImportError struct {
	Row   int
	Phone string
	Err   error
}

// Error says which row was refused and why.
func (e *ContactImportError) Error() string {
	return fmt.Sprintf("import contact %d (%q): %v", e.Row, e.Phone, e.Err)
}

// Unwrap returns the reason.
func (e *ContactImportError) Unwrap() error { return e.Err }

// CheckContactImport returns the *ContactImportError of rows[i] when its
// phone is not E.164 or was given by an earlier row (seen, which it
// fills); implementations call it for each row in order.
func CheckContactImport(rows []ContactImport, i int, seen map[string]int) error {
	p := rows[i].Phone
	if n, err := trigger.NormalizePhone(p); err != nil || n != p {
		return &ContactImportError{Row: i, Phone: p, Err: fmt.Errorf("not E.164: %w", trigger.ErrBadPhone)}
	}
	if j, ok := seen[p]; ok {
		return &ContactImportError{Row: i, Phone: p, Err: fmt.Errorf("also row %d: %w", j, ErrDuplicatePhone)}
	}
	seen[p] = i
	return nil
}

// ContactQuery filters ListContacts; zero fields match all.
type ContactQuery struct {
	// Excluded, when set, keeps only excluded (true) or included (false) contacts.
	Excluded *bool
	// Label keeps the contacts with this label.
	Label string
	// Search keeps the contacts whose name or phone contains it, ignoring
	// case.
	Search string
	// After is the last phone of the previous page.
	After string
	// Limit is the page size: 0 means 100, at most 1000.
	Limit int
}

// PageLimit resolves a page size: def when n is 0, never above max.
func PageLimit(n, def, max int) int {
	if n <= 0 {
		return def
	}
	return min(n, max)
}

// FiringState is where a firing is.
type FiringState string

// The states of a firing.
const (
	// FiringStateRunning: begun, its actions not all done. A re-run of the same
	// inbound message resumes it: the completed steps are not repeated.
	FiringStateRunning FiringState = "running"
	// FiringStateDone: finished, its execution-log row stored. A re-run skips it.
	FiringStateDone FiringState = "done"
)

// Firing is one workflow firing for one inbound message: a durable unit
// begun (running) before its actions run and finished (done), together with
// its execution-log row, once they all completed.
type Firing struct {
	WorkflowID, Session, Phone, MessageID string
	// At is when the firing began; cooldowns count from it.
	At    time.Time
	State FiringState
	// Steps are the completed steps of a running firing (FiringsOf fills
	// them; a done firing has none).
	Steps []FiringStep
}

// ID is the firing's stable id, derived from workflow, session and message
// id (see FiringID).
func (f Firing) ID() string { return FiringID(f.WorkflowID, f.Session, f.MessageID) }

// FiringID returns the stable id of the firing of workflowID for the
// message (session, messageID): 32 hex digits, the same on every run, so
// that a resumed firing derives the same idempotency keys and message ids.
func FiringID(workflowID, session, messageID string) string {
	h := sha256.Sum256([]byte(workflowID + "\x00" + session + "\x00" + messageID))
	return hex.EncodeToString(h[:16])
}

// FiringStep is a completed step of a running firing: an action (Key "3"),
// a send the transport acknowledged ("3/send/0"), a counter value drawn
// for an action ("3/next/assign.round_robin").
type FiringStep struct {
	Key string
	// Result is what an action step did.
	Result ActionResult
	// Value is a counter step's value.
	Value int64
}

// Step returns the completed step key of f, if any.
func (f Firing) Step(key string) (FiringStep, bool) {
	for _, s := range f.Steps {
		if s.Key == key {
			return s, true
		}
	}
	return FiringStep{}, false
}

// Firings stores the firings of workflows (the answer-once rule, resumption
// after a crash or an error, cooldowns) and the counters of actions.
type Firings interface {
	// BeginFiring records f as running and returns true; when the firing
	// (WorkflowID, Session, MessageID) exists, running or done, it changes
	// nothing and returns false. Exactly one of concurrent calls wins.
	BeginFiring(ctx context.Context, f Firing) (bool, error)
	// FiringsOf returns the firings of the message (session, messageID),
	// running ones with their completed steps, in no particular order.
	FiringsOf(ctx context.Context, session, messageID string) ([]Firing, error)
	// CompleteStep records a completed step of the running firing with id
	// firingID; a step key recorded before keeps its first value. A step of
	// a firing that is not running may be dropped: it is never read.
	CompleteStep(ctx context.Context, firingID string, s FiringStep) error
	// FinishFiring marks the running firing f done, forgets its steps and
	// appends its execution-log row (which must have an ID), in one
	// transaction: either all of it is durable or none. Finishing a done
	// firing changes nothing (its row is not doubled); an unknown one is
	// ErrNotFound.
	FinishFiring(ctx context.Context, f Firing, log Execution) error
	// LastFired returns when the workflow last began firing in the
	// conversation (zero: never).
	LastFired(ctx context.Context, workflowID, session, phone string) (time.Time, error)
	// Next increments the named counter and returns its previous value (0
	// first). With firingID and step set, the value is remembered as that
	// step of the firing: a later call with the same step returns it
	// without incrementing, so a resumed action draws the same value.
	Next(ctx context.Context, key, firingID, step string) (int64, error)
}

// StoredWorkflow is a workflow definition as saved by the engine.
type StoredWorkflow struct {
	ID, Name string
	// Position keeps definition order among equal priorities.
	Position int
	// Definition is the workflow in the file format (JSON).
	Definition []byte
	// Template marks a user's saved template rather than a workflow.
	Template  bool
	UpdatedAt time.Time
}

// WorkflowStore stores workflow definitions and templates.
type WorkflowStore interface {
	// PutWorkflow creates or replaces the workflow (or template) with w.ID.
	PutWorkflow(ctx context.Context, w StoredWorkflow) error
	// DeleteWorkflow removes a workflow or template, or returns ErrNotFound.
	DeleteWorkflow(ctx context.Context, id string) error
	// Workflows lists workflows and templates ordered by Position, then ID.
	Workflows(ctx context.Context) ([]StoredWorkflow, error)
}

// SessionStatus is the state of a number.
type SessionStatus string

// The states of a number.
const (
	SessionConnected    SessionStatus = "connected"
	SessionDisconnected SessionStatus = "disconnected"
	SessionDeleted      SessionStatus = "deleted"
)

// Module names a feature a number can switch off.
type Module string

// The modules of a number.
const (
	ModuleWorkflows Module = "workflows"
	ModuleAI        Module = "ai"
	ModuleScheduled Module = "scheduled"
)

// Session is one linked WhatsApp number.
type Session struct {
	ID, Label string
	Status    SessionStatus
	// Disabled lists the modules switched off; empty means all on.
	Disabled []Module
	// DisconnectedAt is when the number was last disconnected (zero when connected).
	DisconnectedAt time.Time
	CreatedAt      time.Time
}

// Enabled reports whether module m is on.
func (s Session) Enabled(m Module) bool {
	for _, d := range s.Disabled {
		if d == m {
			return false
		}
	}
	return true
}

// Sessions stores numbers.
type Sessions interface {
	PutSession(ctx context.Context, s Session) error
	// Session returns a number, or ErrNotFound.
	Session(ctx context.Context, id string) (Session, error)
	// ListSessions lists numbers ordered by creation, then ID.
	ListSessions(ctx context.Context) ([]Session, error)
}

// ScheduleStatus is the state of a scheduled message.
type ScheduleStatus string

// The states of a scheduled message. Sending is internal: claimed by a
// dispatcher that has not yet confirmed the send.
const (
	SchedulePending   ScheduleStatus = "pending"
	ScheduleSending   ScheduleStatus = "sending"
	ScheduleSent      ScheduleStatus = "sent"
	ScheduleFailed    ScheduleStatus = "failed"
	ScheduleCancelled ScheduleStatus = "cancelled"
)

// ScheduledMessage is a message to send at a set time.
type ScheduledMessage struct {
	ID, Session, Phone, Text string
	// At is the instant to send; Location the IANA zone it was entered in.
	At       time.Time
	Location string
	Status   ScheduleStatus
	// Reason explains a failure or cancellation.
	Reason string
	// MessageID is the WhatsApp id, fixed before the first attempt.
	MessageID string
	CreatedAt time.Time
	// DoneAt is when the message reached a final status.
	DoneAt time.Time
	// Origin is the workflow firing that planned it (a reply with a
	// delay); nil for a message scheduled by hand. Stores keep it whole.
	Origin *SendOrigin
}

// ScheduleQuery filters scheduled messages; zero fields match all.
type ScheduleQuery struct {
	Status   []ScheduleStatus
	Session  string
	From, To time.Time // on At: From inclusive, To exclusive
	Limit    int
}

// Schedules stores scheduled messages.
type Schedules interface {
	// PutScheduled creates a scheduled message; an existing ID is ErrConflict.
	PutScheduled(ctx context.Context, m ScheduledMessage) error
	// Scheduled returns one, or ErrNotFound.
	Scheduled(ctx context.Context, id string) (ScheduledMessage, error)
	// ListScheduled returns matching messages ordered by At, then ID.
	ListScheduled(ctx context.Context, q ScheduleQuery) ([]ScheduledMessage, error)
	// TransitionScheduled moves id from status from to status to (setting
	// Reason, and DoneAt = at for a final status). It returns ErrConflict
	// when the message is not in from — exactly one of concurrent calls wins.
	TransitionScheduled(ctx context.Context, id string, from, to ScheduleStatus, reason string, at time.Time) error
}

// Outcome is how an execution ended.
type Outcome string

// The outcomes of executions.
const (
	OutcomeFired     Outcome = "fired"
	OutcomeShadow    Outcome = "shadow"
	OutcomeCancelled Outcome = "cancelled"
	OutcomeFailed    Outcome = "failed"
	OutcomeSkipped   Outcome = "skipped"
)

// Execution is one execution log entry: a workflow that fired (or would
// have, or was cancelled, skipped or failed), why, and what its actions did.
type Execution struct {
	// ID is time-ordered: IDs sort as the entries were made.
	ID         string
	Time       time.Time
	WorkflowID string
	Workflow   string
	Session    string
	Phone      string
	MessageID  string
	Trigger    trigger.Kind
	Outcome    Outcome
	// Reason says why it ran or did not: "conditions matched", "customer_message", "insufficient credits".
	Reason  string
	Trace   condition.Trace
	Actions []ActionResult
}

// ActionResult is what one action of an execution did.
type ActionResult struct {
	Type    string  `json:"type"`
	Outcome Outcome `json:"outcome"`
	Detail  string  `json:"detail,omitempty"`
	Error   string  `json:"error,omitempty"`
	// ErrorCode names Error's cause when the engine knows it
	// (engine.ErrorCodes: a module off, the loop breaker, no credits…),
	// so that a dashboard can say it in its user's language; "" for
	// any other error, whose text is all there is.
	ErrorCode string `json:"error_code,omitempty"`
	// Credits is what the action cost when credits are metered (an AI
	// reply sent); 0 otherwise. Read it rather than Detail, whose words
	// are for people.
	Credits int64 `json:"credits,omitempty"`
}

// LogQuery filters the execution log; zero fields match all. Results are
// newest first; pass the previous page's Next as After for the next page.
type LogQuery struct {
	From, To   time.Time // From inclusive, To exclusive
	WorkflowID string
	Session    string
	Phone      string
	Outcome    Outcome
	Reason     string
	After      string
	// Limit is the page size: 0 means DefaultLogLimit, at most MaxLogLimit.
	Limit int
}

// The page sizes of Logs.QueryLogs.
const (
	DefaultLogLimit = 50
	MaxLogLimit     = 1000
)

// LogPage is one page of the execution log.
type LogPage struct {
	Entries []Execution
	// Next is the cursor of the next page, "" on the last.
	Next string
}

// Logs stores the execution log.
type Logs interface {
	// AppendLogs stores entries in one batch; an entry without ID fails it
	// with ErrLogWithoutID.
	AppendLogs(ctx context.Context, entries []Execution) error
	// QueryLogs returns one page, keyset-paginated by ID, newest first
	// (LogQuery.Limit: DefaultLogLimit, at most MaxLogLimit).
	QueryLogs(ctx context.Context, q LogQuery) (LogPage, error)
	// PurgeLogs deletes up to limit entries older than before and returns how many.
	PurgeLogs(ctx context.Context, before time.Time, limit int) (int, error)
}

// Credits stores the AI credit balance of the account.
type Credits interface {
	// CreditBalance returns the balance.
	CreditBalance(ctx context.Context) (int64, error)
	// SetCredits sets the balance.
	SetCredits(ctx context.Context, n int64) error
	// DebitCredits subtracts n atomically, never below 0, and returns the
	// new balance; a negative n is ErrNegativeDebit.
	DebitCredits(ctx context.Context, n int64) (int64, error)
}
