package engine

// reason is why the engine did or did not act on a message, a workflow or an
// AI reply. The control flow compares these values; the execution log and
// the engine's log keep their text (Execution.Reason), with any detail
// appended after a colon.
type reason string

// Why a recorded message is not automated.
const (
	reasonExcluded     reason = "excluded contact"
	reasonStale        reason = "stale backlog"
	reasonDeleted      reason = "number deleted"
	reasonWorkflowsOff reason = "workflows module off"
)

// Why a matching workflow did or did not act.
const (
	reasonMatched          reason = "conditions matched"
	reasonShadow           reason = "conditions matched; shadow mode: nothing done"
	reasonConditionsFailed reason = "conditions"
	reasonCooldown         reason = "cooldown"
)

// Why an AI reply was sent or not; reasonCustomerMessage and reasonAgentReply
// are also the Reason of the EffectCancel effect.
const (
	reasonAISent          reason = "ai reply sent"
	reasonAIOff           reason = "ai module off"
	reasonNoCredits       reason = "insufficient credits"
	reasonNoModel         reason = "no AI model configured"
	reasonModelFailed     reason = "model failed"
	reasonSendFailed      reason = "send failed"
	reasonCustomerMessage reason = "customer_message"
	reasonAgentReply      reason = "agent_reply"
)

// with is the log text of r followed by detail: "cooldown: fired 5m0s ago".
func (r reason) with(detail string) string { return string(r) + ": " + detail }
