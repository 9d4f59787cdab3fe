package workflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ConversationLists lists conversations for an inbox: a dashboard's
// Conversations page.
type ConversationLists interface {
	// ListConversations returns the conversations matching q, with their
	// contact and last message, newest activity first (then by session and
	// phone), keyset-paginated.
	ListConversations(ctx context.Context, q ConversationQuery) (ConversationPage, error)
}

// ConversationQuery filters ListConversations; zero fields match all.
type ConversationQuery struct {
	// Session keeps one number's conversations.
	Session string
	// Agent, when set, keeps the conversations assigned to it; "" keeps
	// the unassigned ones.
	Agent *string
	// Label keeps the conversations whose contact has the label.
	Label string
	// Awaiting, when set, keeps the conversations whose last message is
	// (true) or is not (false) the customer's: a reply is awaited.
	Awaiting *bool
	// Excluded, when set, keeps excluded (true) or included (false) contacts.
	Excluded *bool
	// Search keeps the conversations whose contact name or phone contains
	// it, ignoring case.
	Search string
	// After is the Next of the previous page.
	After string
	// Limit is the page size: 0 means 50, at most 500.
	Limit int
}

// ConversationRow is one conversation of a list.
type ConversationRow struct {
	Conversation
	// Contact is the customer (Phone only when it has no contact row).
	Contact Contact
	// Last is the conversation's last message (zero without messages).
	Last MessageRecord
}

// Activity is the time of the conversation's last message either way.
func (r ConversationRow) Activity() time.Time {
	if r.LastReplyAt.After(r.LastInboundAt) {
		return r.LastReplyAt
	}
	return r.LastInboundAt
}

// Awaiting reports whether the last message is the customer's.
func (c Conversation) Awaiting() bool {
	return c.LastInboundSeq > 0 && c.LastInboundSeq == c.MessageCount
}

// ConversationPage is one page of ListConversations.
type ConversationPage struct {
	Rows []ConversationRow
	// Next is the After of the next page, "" on the last page.
	Next string
}

// ErrBadCursor: ConversationQuery.After is not a Next of ListConversations.
var ErrBadCursor = errors.New("bad page cursor")

// ConversationCursor is the position of a row in ListConversations' order;
// its String is the page's Next and the following query's After.
type ConversationCursor struct {
	Activity       time.Time
	Session, Phone string
}

// CursorOf is the position of r.
func CursorOf(r ConversationRow) ConversationCursor {
	return ConversationCursor{Activity: r.Activity(), Session: r.Session, Phone: r.Phone}
}

// String encodes c as "UNIXNANO|SESSION|PHONE" (0 for no activity).
func (c ConversationCursor) String() string {
	var ns int64
	if !c.Activity.IsZero() {
		ns = c.Activity.UnixNano()
	}
	return strconv.FormatInt(ns, 10) + "|" + c.Session + "|" + c.Phone
}

// ParseConversationCursor decodes a ConversationCursor's String; "" is the
// start of the list (the zero cursor).
func ParseConversationCursor(s string) (ConversationCursor, error) {
	if s == "" {
		return ConversationCursor{}, nil
	}
	parts := strings.Split(s, "|")
	if len(parts) != 3 {
		return ConversationCursor{}, fmt.Errorf("cursor %q: %w", s, ErrBadCursor)
	}
	ns, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return ConversationCursor{}, fmt.Errorf("cursor %q: %w", s, ErrBadCursor)
	}
	c := ConversationCursor{Session: parts[1], Phone: parts[2]}
	if ns != 0 {
		c.Activity = time.Unix(0, ns).UTC()
	}
	return c, nil
}

// Precedes reports whether c comes before r in ListConversations' order
// (newest activity first, then session and phone ascending): r belongs to
// the page after c.
func (c ConversationCursor) Precedes(r ConversationRow) bool {
	a := r.Activity()
	switch {
	case !a.Equal(c.Activity):
		return a.Before(c.Activity)
	case r.Session != c.Session:
		return r.Session > c.Session
	}
	return r.Phone > c.Phone
}
