package engine

import (
	"fmt"
	"strings"
	"time"
)

// Reason is why the engine did or did not act on a message, a workflow or
// an AI reply. The control flow compares these values; the execution log
// and the engine's log keep their text (workflow.Execution.Reason), with
// any detail appended after a colon ("cooldown: fired 5m0s ago").
//
// The set is closed: Reasons lists it, and ParseReason reads a logged text
// back into its Reason and detail, so that a dashboard can show the reason
// in its user's language while the log keeps one stable text.
type Reason string

// Why a recorded message is not automated.
const (
	// ReasonExcluded: the contact is excluded from automation.
	ReasonExcluded Reason = "excluded contact"
	// ReasonStale: the message is older than Config.StaleAfter (a backlog replayed after a reconnect).
	ReasonStale Reason = "stale backlog"
	// ReasonDeleted: the number the message came to is deleted.
	ReasonDeleted Reason = "number deleted"
	// ReasonWorkflowsOff: the number's workflows module is off.
	ReasonWorkflowsOff Reason = "workflows module off"
)

// Why a matching workflow did or did not act.
const (
	// ReasonMatched: the conditions matched and the actions ran.
	ReasonMatched Reason = "conditions matched"
	// ReasonShadow: the conditions matched, but the workflow is in shadow mode.
	ReasonShadow Reason = "conditions matched; shadow mode: nothing done"
	// ReasonConditionsFailed: the conditions could not be evaluated; the
	// detail is the error.
	ReasonConditionsFailed Reason = "conditions"
	// ReasonCooldown: the workflow fired for the conversation less than its
	// cooldown ago; the detail says when (CooldownElapsed reads it).
	ReasonCooldown Reason = "cooldown"
)

// Why an AI reply was sent or not; ReasonCustomerMessage, ReasonAgentReply
// and ReasonConditionsChanged are also the Reason of the EffectCancel
// effect.
const (
	// ReasonAISent: the AI reply was sent.
	ReasonAISent Reason = "ai reply sent"
	// ReasonAIOff: the number's ai module is off.
	ReasonAIOff Reason = "ai module off"
	// ReasonNoCredits: the account has no credits left.
	ReasonNoCredits Reason = "insufficient credits"
	// ReasonNoModel: no AI model is configured (Config.Responder is nil).
	ReasonNoModel Reason = "no AI model configured"
	// ReasonModelFailed: the model gave no usable reply.
	ReasonModelFailed Reason = "model failed"
	// ReasonSendFailed: the reply could not be sent.
	ReasonSendFailed Reason = "send failed"
	// ReasonCustomerMessage: the customer wrote again before the reply was sent.
	ReasonCustomerMessage Reason = "customer_message"
	// ReasonAgentReply: an agent replied before the reply was sent.
	ReasonAgentReply Reason = "agent_reply"
	// ReasonConditionsChanged cancels a deferred send (an AI reply, a
	// reply retried or paced, a scheduled follow-up) whose workflow's
	// conditions no longer hold at send time
	// (verify_before_send.conditions); it is also the Reason of the log
	// row and of the cancelled scheduled message.
	ReasonConditionsChanged Reason = "conditions_changed"
)

// Why a scheduled message was not sent (workflow.ScheduledMessage.Reason):
// ReasonDeleted (its number was deleted), ReasonConditionsChanged (a
// follow-up), or one of these.
const (
	// ReasonCancelled: a user cancelled it (Engine.CancelScheduled).
	ReasonCancelled Reason = "cancelled"
	// ReasonExpired: it was still unsent Config.ScheduleExpiry after its
	// time (its number was down); the detail says how long
	// (ExpiredAfter reads it).
	ReasonExpired Reason = "expired"
)

// reasons is every Reason, in the order of their declarations.
var reasons = []Reason{
	ReasonExcluded, ReasonStale, ReasonDeleted, ReasonWorkflowsOff,
	ReasonMatched, ReasonShadow, ReasonConditionsFailed, ReasonCooldown,
	ReasonAISent, ReasonAIOff, ReasonNoCredits, ReasonNoModel, ReasonModelFailed, ReasonSendFailed,
	ReasonCustomerMessage, ReasonAgentReply, ReasonConditionsChanged,
	ReasonCancelled, ReasonExpired,
}

// Reasons lists every Reason the engine logs.
func Reasons() []Reason { return append([]Reason(nil), reasons...) }

// with is the log text of r followed by detail: "cooldown: fired 5m0s ago".
func (r Reason) with(detail string) string { return string(r) + ": " + detail }

// ParseReason splits the text of a logged reason (workflow.Execution.Reason)
// into the engine's Reason and the detail after it, "" when there is none:
// ParseReason("cooldown: fired 5m0s ago") is ReasonCooldown, "fired 5m0s
// ago". ok is false when the text is none of Reasons, e.g. a row another
// program wrote: show the text as it is.
func ParseReason(text string) (r Reason, detail string, ok bool) {
	for _, r := range reasons {
		if text == string(r) {
			return r, "", true
		}
	}
	for _, r := range reasons {
		if d, found := strings.CutPrefix(text, string(r)+": "); found {
			return r, d, true
		}
	}
	return "", "", false
}

// cooldownDetail is the detail of ReasonCooldown: the time since the
// workflow last fired for the conversation.
const cooldownDetail = "fired %s ago"

// CooldownElapsed reads the detail of a ReasonCooldown: how long before the
// message the workflow had fired for the conversation. ok is false when
// detail is not such a detail.
func CooldownElapsed(detail string) (d time.Duration, ok bool) {
	return durationIn(cooldownDetail, detail)
}

// expiredDetail is the detail of ReasonExpired: Config.ScheduleExpiry.
const expiredDetail = "still unsent %s after its time"

// ExpiredAfter reads the detail of a ReasonExpired: how long after its
// time the scheduled message was still unsent. ok is false when detail is
// not such a detail.
func ExpiredAfter(detail string) (d time.Duration, ok bool) {
	return durationIn(expiredDetail, detail)
}

// durationIn reads the one duration (%s) of format out of detail, which
// must be exactly format filled with it (checked by filling it again).
func durationIn(format, detail string) (time.Duration, bool) {
	before, after, _ := strings.Cut(format, "%s")
	d, err := time.ParseDuration(strings.TrimSuffix(strings.TrimPrefix(detail, before), after))
	if err != nil || fmt.Sprintf(format, d) != detail {
		return 0, false
	}
	return d, true
}
