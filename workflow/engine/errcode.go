package engine

import (
	"errors"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/action/ai"
)

// errorCodes are the errors of an action that its result names by a
// stable code (workflow.ActionResult.ErrorCode), the first that matches
// (errors.Is): a dashboard says them in its user's language, where the
// error's own text is English. Only errors whose text says nothing more
// than the code have one: a model's failure keeps its text (the
// provider's own message, "Incorrect API key provided…", is what the
// shop needs to read).
var errorCodes = []struct {
	code string
	err  error
}{
	{"loop_breaker", ErrLoopBreaker},
	{"module_off", ErrModuleOff},
	{"no_credits", ErrNoCredits},
	{"no_active_agent", action.ErrNoActiveAgent},
	{"conditions_changed", errSendCancelled},
	{"webhook_forbidden", ErrForbiddenAddress},
	{"empty_reply", ai.ErrEmptyReply},
}

// cancelCodes are the other codes of a send cancelled at send time
// (cancelSend): its Reason's text, as "conditions_changed" is.
var cancelCodes = []Reason{ReasonCustomerMessage, ReasonAgentReply}

// ErrorCodes lists every code an action's result may carry
// (workflow.ActionResult.ErrorCode).
func ErrorCodes() []string {
	out := make([]string, 0, len(errorCodes)+len(cancelCodes))
	for _, c := range errorCodes {
		out = append(out, c.code)
	}
	for _, r := range cancelCodes {
		out = append(out, string(r))
	}
	return out
}

// errorCode is the code of err, "" when it is none of errorCodes.
func errorCode(err error) string {
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}
