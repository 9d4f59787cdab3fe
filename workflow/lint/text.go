package lint

import (
	"fmt"
	"slices"
)

// Text is a wording of the linter, by its stable Code (TextNeverFires,
// ...), and the values that fill it, in order. String gives the English
// text, the one of Finding.Message and of `waauto lint`; a program shows a
// finding in another language with one format per code, which takes the
// same arguments in the same order (all strings, so %s and %q only).
type Text struct {
	Code string   `json:"code"`
	Args []string `json:"args,omitempty"`
}

// String is t in English; a code TextCodes does not list gives its
// arguments as they are.
func (t Text) String() string {
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		args[i] = a
	}
	format, ok := wordings[t.Code]
	if !ok {
		return fmt.Sprint(args...)
	}
	return fmt.Sprintf(format, args...)
}

// text is the Text of code with args.
func text(code string, args ...string) Text { return Text{Code: code, Args: args} }

// The codes of Text. Those of a Finding's Text take, after their own
// arguments, the finding's Parts as one more %s (TextNeverFires,
// TextPartNeverTrue, TextScheduleGap); the others are the Parts.
const (
	// TextNeverFires: workflow; the part says why (CheckContradiction).
	TextNeverFires = "never-fires"
	// TextPartNeverTrue: workflow, condition path; the part says why (CheckContradiction).
	TextPartNeverTrue = "part-never-true"
	// TextPatternCase: pattern (a part: it has capitals or accents).
	TextPatternCase = "pattern-case"
	// TextPatternNone: pattern (a part).
	TextPatternNone = "pattern-none"
	// TextNeverTrue: condition as written (a part).
	TextNeverTrue = "never-true"
	// TextCannotAllHold: the conditions as written, joined by " and " (a part).
	TextCannotAllHold = "cannot-all-hold"
	// TextWindowZero: workflow, from, to (CheckWindow).
	TextWindowZero = "window-zero"
	// TextNoDays: workflow (CheckWindow).
	TextNoDays = "no-days"
	// TextHoursZero: hours name, day, period, its start (CheckWindow).
	TextHoursZero = "hours-zero"
	// TextUnreachableOne: workflow, the stop workflow, quoted (CheckUnreachable).
	TextUnreachableOne = "unreachable-one"
	// TextUnreachableMany: workflow, the stop workflows, quoted (CheckUnreachable).
	TextUnreachableMany = "unreachable-many"
	// TextOverlap: the first workflow, the second (CheckOverlap).
	TextOverlap = "overlap"
	// TextScheduleGap: the workflows, quoted; the time zone; the parts are the times (CheckScheduleGap).
	TextScheduleGap = "schedule-gap"
	// TextGapEveryWeek: from day, from time, to day, to time (a part).
	TextGapEveryWeek = "gap-every-week"
	// TextGapSomeWeeks: from day, from time, to day, to time, number of weeks, first date (a part).
	TextGapSomeWeeks = "gap-some-weeks"
	// TextGapMore: how many more times are left out (a part).
	TextGapMore = "gap-more"
	// TextUnusedHours: hours name (CheckUnusedHours).
	TextUnusedHours = "unused-hours"
	// TextUnusedTemplate: template name (CheckUnusedTemplate).
	TextUnusedTemplate = "unused-template"
	// TextWebhookSecret: workflow, URL (CheckWebhookSecret).
	TextWebhookSecret = "webhook-secret"
	// TextNoAIModel: workflow (CheckNoAIModel).
	TextNoAIModel = "no-ai-model"
	// TextUnknownNumber: workflow, number, the account's numbers (CheckUnknownNumber).
	TextUnknownNumber = "unknown-number"
	// TextLoad: the load error, as workflow.LoadError words it after the file and position (CheckLoad).
	TextLoad = "load"
)

// wordings are the English formats of the codes.
var wordings = map[string]string{
	TextNeverFires:      "workflow %q never fires: its conditions can never be true (%s)",
	TextPartNeverTrue:   "workflow %q: %s can never be true (%s)",
	TextPatternCase:     "pattern %q never matches: the text is compared in lower case without accents; write the pattern so, or add exact: true",
	TextPatternNone:     "pattern %q matches no text at all",
	TextNeverTrue:       "%s is never true",
	TextCannotAllHold:   "%s cannot all hold",
	TextWindowZero:      "workflow %q: schedule from %s to %s has zero length; it is read as the 24 hours from %[2]s (give a later to, or leave the schedule out)",
	TextNoDays:          "workflow %q: schedule days is empty; it is read as every day (list the days, or leave days out)",
	TextHoursZero:       "hours %q: %s %s has zero length; it is read as the 24 hours from %s",
	TextUnreachableOne:  "workflow %q never runs: the stop workflow %s comes first and fires on every message it matches (give it a smaller priority number, or narrow the stop workflows)",
	TextUnreachableMany: "workflow %q never runs: the stop workflows %s come first and one of them fires on every message it matches (give it a smaller priority number, or narrow the stop workflows)",
	TextOverlap:         "workflows %q and %q both reply to the same message (make one a stop workflow, or make their conditions exclusive)",
	TextScheduleGap:     "no workflow among %s answers at these times (%s): %s",
	TextGapEveryWeek:    "%s %s to %s %s every week",
	TextGapSomeWeeks:    "%s %s to %s %s on %s weeks of the year (e.g. %s)",
	TextGapMore:         "and %s more",
	TextUnusedHours:     "hours %q are not used by any workflow (use them with schedule: {hours: %[1]s}, or remove them)",
	TextUnusedTemplate:  "template %q is not used by any workflow",
	TextWebhookSecret:   "workflow %q: the webhook to %s has no secret, so the receiver cannot tell its posts from forged ones (add secret:)",
	TextNoAIModel:       "workflow %q: ai_reply cannot answer, no AI model is configured for this account",
	TextUnknownNumber:   "workflow %q is scoped to the number %q, which this account does not have (want one of %s, or no session for all numbers)",
	TextLoad:            "%s",
}

// TextCodes lists every code of Text, sorted.
func TextCodes() []string {
	out := make([]string, 0, len(wordings))
	for c := range wordings {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
