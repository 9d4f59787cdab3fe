package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
)

// ReceiveOwn handles a message sent from the shop's own number (phone or
// dashboard): ignored when automation sent it, otherwise recorded as an
// agent reply, which the pre-send check and since_last_reply see. Its
// texts are cleaned as trigger.Message.Clean does.
func (e *Engine) ReceiveOwn(ctx context.Context, session, phone, id, text string, at time.Time) error {
	own := trigger.Message{Session: session, Phone: phone, ID: id, Text: text}.Clean()
	session, phone, id, text = own.Session, own.Phone, own.ID, own.Text
	phone, err := trigger.NormalizePhone(phone)
	if err != nil {
		return fmt.Errorf("own message %s: %w", id, err)
	}
	if at.IsZero() {
		at = e.cfg.Clock.Now()
	}
	rec, err := e.cfg.Store.Message(ctx, session, id)
	switch {
	case err == nil && rec.Author == workflow.AuthorAutomation:
		return nil
	case err != nil && !errors.Is(err, workflow.ErrNotFound):
		return fmt.Errorf("own message %s: %w", id, err)
	}
	_, err = e.cfg.Store.RecordOutbound(ctx, workflow.Outbound{Session: session, Phone: phone, ID: id, Author: workflow.AuthorAgent, Text: text, Time: at})
	return err
}

// Assign assigns a conversation to an agent by hand ("" unassigns).
func (e *Engine) Assign(ctx context.Context, session, phone, agent string) error {
	phone, err := trigger.NormalizePhone(phone)
	if err != nil {
		return err
	}
	return e.cfg.Store.Assign(ctx, session, phone, agent)
}

// Label changes a customer's labels by hand.
func (e *Engine) Label(ctx context.Context, phone string, add, remove []string) error {
	phone, err := trigger.NormalizePhone(phone)
	if err != nil {
		return err
	}
	_, err = e.cfg.Store.UpdateLabels(ctx, phone, add, remove)
	return err
}

// Exclude excludes a contact from automation (or includes it again).
// Excluded contacts' messages are recorded, never automated.
func (e *Engine) Exclude(ctx context.Context, phone string, excluded bool) error {
	phone, err := trigger.NormalizePhone(phone)
	if err != nil {
		return err
	}
	return e.cfg.Store.SetExcluded(ctx, phone, excluded)
}
