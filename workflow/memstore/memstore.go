package memstore

import (
	"slices"
	"sync"
	"time"

	"github.com/waauto/waauto/workflow"
)

// Store is an in-memory workflow.Store, safe for concurrent use. Every
// method copies what it stores and what it returns, so callers never share
// state with the store. The zero value is not usable; call New.
type Store struct {
	mu sync.Mutex
	// now stamps records the store creates on its own (contacts created by
	// UpdateLabels or SetExcluded).
	now func() time.Time

	messages      map[msgKey]workflow.MessageRecord
	conversations map[convKey]*conversation
	contacts      map[string]workflow.Contact
	firings       map[firingKey]*firing
	// byMessage lists the workflows that fired for each message.
	byMessage map[msgKey][]string
	// runningFirings indexes the running firings by id.
	runningFirings map[string]*firing
	lastFired      map[lastFiredKey]time.Time
	counters       map[string]int64
	workflows      map[string]workflow.StoredWorkflow
	sessions       map[string]workflow.Session
	scheduled      map[string]workflow.ScheduledMessage
	// logs is kept sorted by ID, oldest first.
	logs    []workflow.Execution
	credits int64
}

var _ workflow.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		now:            func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		messages:       make(map[msgKey]workflow.MessageRecord),
		conversations:  make(map[convKey]*conversation),
		contacts:       make(map[string]workflow.Contact),
		firings:        make(map[firingKey]*firing),
		byMessage:      make(map[msgKey][]string),
		runningFirings: make(map[string]*firing),
		lastFired:      make(map[lastFiredKey]time.Time),
		counters:       make(map[string]int64),
		workflows:      make(map[string]workflow.StoredWorkflow),
		sessions:       make(map[string]workflow.Session),
		scheduled:      make(map[string]workflow.ScheduledMessage),
	}
}

type msgKey struct{ session, id string }

type convKey struct{ session, phone string }

// conversation is a conversation's facts and its messages, oldest first.
type conversation struct {
	facts    workflow.Conversation
	messages []workflow.MessageRecord
}

func copyContact(c workflow.Contact) workflow.Contact {
	c.Labels = slices.Clone(c.Labels)
	return c
}
