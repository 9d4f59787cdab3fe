package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// Transport sends messages to customers. The whatsmeow adapter implements
// it; workflowtest records sends. Send must reuse Outgoing.ID on every retry
// so that a retry never creates a second message.
type Transport interface {
	Send(ctx context.Context, m Outgoing) error
}

// Pacer is implemented by a Transport that spaces sends out and shows
// "typing…" before replies (workflow/pacing.Pacer). The engine paces an
// automated message before it records it: Pace waits for m's slot and
// returns m as Send must then get it (Paced set: Send hands it on at
// once). After that wait the engine checks the send again (an AI reply
// overtaken by the customer or an agent, a reply whose workflow's
// conditions no longer hold when verify_before_send asks for them), so a
// reply the conversation overtook while it waited is neither recorded nor
// sent: the engine then calls Cancel, which gives the slot back and clears
// the "typing…" indicator. A Pace error is a failed send, retried later
// with the same id.
type Pacer interface {
	// Pace waits for m's slot and returns m with Paced set.
	Pace(ctx context.Context, m Outgoing) (Outgoing, error)
	// Cancel is told that m, returned by Pace, will not be sent; its error
	// (the indicator not cleared) is logged, never retried.
	Cancel(ctx context.Context, m Outgoing) error
}

// TransportFunc adapts a function to Transport, e.g. to print what an
// engine sends: TransportFunc(func(_ context.Context, m Outgoing) error { fmt.Println(m); return nil }).
type TransportFunc func(ctx context.Context, m Outgoing) error

// Send calls f.
func (f TransportFunc) Send(ctx context.Context, m Outgoing) error { return f(ctx, m) }

// MediaFetcher downloads the media of an incoming message from its durable
// reference (trigger.Media.Ref) on the message's session. The whatsmeow
// adapter's Transport implements it.
type MediaFetcher interface {
	FetchMedia(ctx context.Context, session string, ref []byte) ([]byte, error)
}

// AgentDirectory says which agents can be given conversations now: an
// assign action with a strategy chooses only among the active ones. The
// product's dashboard implements it with its users and their away state;
// an engine without one treats every named agent as active.
type AgentDirectory interface {
	// ActiveAgents returns those of agents who exist and are active, in
	// the given order.
	ActiveAgents(ctx context.Context, agents []string) ([]string, error)
}

// AgentDirectoryFunc adapts a function to AgentDirectory.
type AgentDirectoryFunc func(ctx context.Context, agents []string) ([]string, error)

// ActiveAgents calls f.
func (f AgentDirectoryFunc) ActiveAgents(ctx context.Context, agents []string) ([]string, error) {
	return f(ctx, agents)
}

// Outgoing is a message the engine sends.
type Outgoing struct {
	// ID is the WhatsApp message id, generated and stored before the first attempt.
	ID      string
	Session string
	// To is the customer's number, E.164.
	To   string
	Text string
	Kind SendKind
	// Workflow is the name of the workflow that sent it ("" for scheduled messages).
	Workflow string
	// Typing asks the transport to show a typing indicator first.
	Typing bool
	// Media, when set, makes the message a file; Text is then its caption.
	// Data travels in retry job payloads as base64 JSON.
	Media *trigger.Media `json:",omitempty"`
	// Origin is the workflow firing the message comes from, when its
	// send may be deferred (a retry job): nil for an agent's message.
	Origin *SendOrigin `json:",omitempty"`
	// Paced says that Pacer.Pace waited for this send's slot: the pacer's
	// Send hands it on without waiting again. Never stored: a retry paces
	// again.
	Paced bool `json:"-"`
}

// SendOrigin is the workflow firing a deferred send comes from: a reply
// retried or paced, an AI reply, a scheduled follow-up. With
// VerifyConditions (verify_before_send: {conditions: true}) the engine
// evaluates the workflow's conditions again just before the send, on the
// facts of that moment: the conversation's agent, message count and last
// reply, the customer's labels and the time are read fresh, while the
// message facts (text, type, new contact) stay those of the trigger
// recorded here. A send whose conditions no longer hold is cancelled.
type SendOrigin struct {
	// WorkflowID and Workflow (its name) identify the workflow.
	WorkflowID string `json:",omitempty"`
	Workflow   string `json:",omitempty"`
	// MessageID, Text, Type and NewContact are the trigger's.
	MessageID  string              `json:",omitempty"`
	Text       string              `json:",omitempty"`
	Type       trigger.MessageType `json:",omitempty"`
	NewContact bool                `json:",omitempty"`
	// VerifyConditions asks for the send-time check.
	VerifyConditions bool `json:",omitempty"`
	// VerifyCustomerMessage and VerifyAgentReply (an AI reply's
	// verify_before_send) cancel the send when the customer, or an agent,
	// wrote in the conversation after the trigger, the Seq-th message.
	VerifyCustomerMessage bool  `json:",omitempty"`
	VerifyAgentReply      bool  `json:",omitempty"`
	Seq                   int64 `json:",omitempty"`
	// Trace is the trace of the conditions at the decision, kept for the
	// log of a cancelled send.
	Trace condition.Trace `json:",omitempty"`
}

// String is the message on one line, as examples print it:
// "→ +33611111111 (Welcome, fixed): Bonjour", a file as
// "[image image/png catalogue.png, 67 bytes]" before its caption.
func (m Outgoing) String() string {
	var b strings.Builder
	b.WriteString("→ " + m.To + " (")
	if m.Workflow != "" {
		b.WriteString(m.Workflow + ", ")
	}
	b.WriteString(string(m.Kind) + "): ")
	if md := m.Media; md != nil {
		fmt.Fprintf(&b, "[%s %s %s, %d bytes] ", md.Kind, md.MIMEType, md.FileName, len(md.Data))
	}
	b.WriteString(m.Text)
	return b.String()
}

// MaxMediaSize is the largest file the engine sends (16 MiB, WhatsApp's
// limit for images, audio and video). Failed sends are retried from a job
// whose JSON payload carries the file, so the cap also bounds job size.
const MaxMediaSize = 16 << 20

// Errors of media sends, testable with errors.Is; a file over MaxMediaSize
// is trigger.ErrMediaTooLarge.
var (
	// ErrInvalidMedia: the kind is not a sendable one, the file is empty,
	// or an audio message has a caption.
	ErrInvalidMedia = errors.New("invalid media")
)

// ValidateMedia checks the kind and size of a file to send; caption is the
// message's Text.
func ValidateMedia(m *trigger.Media, caption string) error {
	switch m.Kind {
	case trigger.MessageImage, trigger.MessageDocument, trigger.MessageVideo:
	case trigger.MessageAudio:
		if caption != "" {
			return fmt.Errorf("audio with a caption: %w", ErrInvalidMedia)
		}
	default:
		return fmt.Errorf("kind %q (want image, document, audio or video): %w", m.Kind, ErrInvalidMedia)
	}
	if len(m.Data) == 0 {
		return fmt.Errorf("%s without data: %w", m.Kind, ErrInvalidMedia)
	}
	if len(m.Data) > MaxMediaSize {
		return fmt.Errorf("%s of %d bytes (max %d): %w", m.Kind, len(m.Data), MaxMediaSize, trigger.ErrMediaTooLarge)
	}
	return nil
}

// Inbox is what a transport adapter feeds: engine.Engine implements it. Each
// method returns only after the message is durably recorded; an error means
// the adapter must not acknowledge the message so that it is redelivered.
type Inbox interface {
	// Receive records and handles a customer message.
	Receive(ctx context.Context, m trigger.Message) error
	// ReceiveOwn handles a message sent from the shop's own number: ignored
	// when automation sent it (its id is stored), otherwise an agent reply.
	ReceiveOwn(ctx context.Context, session, phone, id, text string, at time.Time) error
}

// Clock tells the time. The engine never calls time.Now directly.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Job is delayed work: a scheduled message, a pending AI reply, a webhook.
type Job struct {
	// ID is unique: enqueuing an ID that exists (pending or done) does nothing.
	ID string
	// Kind is one of the Job* constants.
	Kind string
	// RunAt is the earliest time the job may run.
	RunAt   time.Time
	Payload []byte
	// Attempt is set by the queue when it hands the job to its handler:
	// how many times the job has been started, this run included (1 on
	// its first run; a run cut by a crash, a failed one, a deferred one
	// each count). 0 means the queue does not count: the handler must
	// then assume the job may have run before. Enqueue ignores it.
	Attempt int
	// New says that no job with this ID was queued before: the caller
	// has just recorded what the job is about (the engine sets it on the
	// evaluation of a message it recorded a moment ago). A queue may then
	// skip its check for an existing ID, and run the job in a batch with
	// others (adapters/bun/river does for New jobs due now). The handler
	// must, as always, be safe to run twice.
	New bool
}

// Job kinds the engine enqueues and its RunJob runs. A queue may treat a
// kind specially (the River queue re-checks a retried JobScheduled).
const (
	JobInbound        = "inbound"
	JobAIReply        = "ai_reply"
	JobScheduled      = "scheduled"
	JobScheduleExpiry = "schedule_expiry"
	JobSessionExpiry  = "session_expiry"
	JobSend           = "send"
	JobWebhook        = "webhook"
	JobLogPurge       = "log_purge"
)

// JobQueue runs jobs at their time, at least once, handing each to the
// engine's RunJob (a JobHandler). workflow/engine has an in-memory queue;
// adapters/bun/river a durable one.
type JobQueue interface {
	Enqueue(ctx context.Context, j Job) error
}

// JobHandler runs one job; an error makes the queue retry it later.
type JobHandler func(ctx context.Context, j Job) error

// JobRunner is a JobQueue that runs its jobs. Start is the one way to hand
// a queue its handler (the engine's RunJob) and start working jobs: the
// engine's in-memory queue, adapters/bun/river's Queue and
// workflowtest.Clock all take it there.
type JobRunner interface {
	JobQueue
	Start(ctx context.Context, h JobHandler) error
}

// RetryAtError is returned by a job that must run again at At rather than
// now (e.g. a scheduled message whose queue ran it early because its clock
// is ahead of the engine's). It is not a failure: queues reschedule the job
// without counting an attempt.
type RetryAtError struct {
	At     time.Time
	Reason string
}

// Error says when the retry is due and why.
func (e *RetryAtError) Error() string {
	return "retry at " + e.At.Format(time.RFC3339) + ": " + e.Reason
}
