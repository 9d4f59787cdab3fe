package dashboard

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/waauto/waauto/internal/phone"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// The dashboard's form parsers: each turns the fields of one form into
// values or a message for the user, without touching any state, so that
// they are fuzzed on their own (forms_fuzz_test.go).

// formError is a form parser's message: a catalogue key and its
// arguments, shown to the user in the user's language (Dashboard.badForm);
// Error is the English text.
type formError struct {
	key  string
	args []any
}

func (e formError) Error() string { return english().T(e.key, e.args...) }

// english formats the English catalogue, for errors without a request.
var english = sync.OnceValue(func() translator {
	trs, err := newTranslators()
	if err != nil {
		panic(err) // the embedded catalogues are fixed at build time and checked by the tests
	}
	return trs["en"]
})

// invalid returns the formError of the catalogue key with args.
func invalid(key string, args ...any) error { return formError{key: key, args: args} }

// parseNumberID reads the id of a new number: 1 to 40 lower-case letters,
// digits, - or _.
func parseNumberID(id string) (string, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if !sessionID.MatchString(id) {
		return "", invalid("numbers.err.bad_id", id)
	}
	return id, nil
}

// parseModules lists the modules the form leaves unchecked (turned off).
func parseModules(form url.Values) []workflow.Module {
	var off []workflow.Module
	for _, m := range allModules {
		if form.Get(string(m)) == "" {
			off = append(off, m)
		}
	}
	return off
}

// parseBulk reads the checked workflows and the operation of the bulk form.
func parseBulk(form url.Values) (names []string, op string, err error) {
	names, op = form["name"], form.Get("op")
	switch {
	case op != "enable" && op != "disable" && op != "delete":
		return nil, "", invalid("wf.err.op", op)
	case len(names) == 0:
		return nil, op, invalid("wf.err.select")
	}
	return names, op, nil
}

// parsePhone reads a phone number as people type it, national numbers
// in region (the shop's default country, "" for none); the error is a
// *phone.Error (wrapping trigger.ErrBadPhone) that says why.
func parsePhone(s, region string) (string, error) { return phone.Normalize(s, region) }

// parseSchedule reads a scheduled message's date (YYYY-MM-DD), time
// (HH:MM) in loc and text: a time in a DST gap moves forward, a repeated
// one takes its first occurrence.
func parseSchedule(date, clock, text string, loc *time.Location) (time.Time, string, error) {
	day, err := time.Parse("2006-01-02 15:04", date+" "+clock)
	if err != nil {
		return time.Time{}, "", invalid("sched.err.when", date, clock)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return time.Time{}, "", invalid("sched.err.empty")
	}
	return engine.LocalTime(day.Year(), day.Month(), day.Day(), day.Hour(), day.Minute(), 0, loc), text, nil
}

// parseBalance reads a credit balance: a whole number, 0 or more.
func parseBalance(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, invalid("ai.err.balance", s)
	}
	return n, nil
}

// maxPrompt is the longest account prompt, in bytes.
const maxPrompt = 20_000

// parsePrompt reads the account prompt.
func parsePrompt(s string) (string, error) {
	p := strings.TrimSpace(s)
	if len(p) > maxPrompt {
		return "", invalid("ai.err.prompt_long")
	}
	return p, nil
}

// parseNewUser reads a new user's name and password.
func parseNewUser(name, password string) (string, error) {
	name = strings.TrimSpace(name)
	if !sessionID.MatchString(name) {
		return "", invalid("settings.err.user_name", name)
	}
	if len(password) < MinPassword {
		return "", invalid("settings.err.user_password", MinPassword)
	}
	return name, nil
}

// parsePeriod turns the Logs page's period filter into [from, to) in
// loc, from the day of now: today, 7d (the default), 30d, all, or custom
// between two dates (YYYY-MM-DD, both included).
func parsePeriod(period, fromDay, toDay string, now time.Time, loc *time.Location) (_ string, from, to time.Time, err error) {
	now = now.In(loc)
	today := engine.LocalTime(now.Year(), now.Month(), now.Day(), 0, 0, 0, loc)
	switch period {
	case "today":
		return period, today, time.Time{}, nil
	case "", "7d":
		return "7d", today.AddDate(0, 0, -6), time.Time{}, nil
	case "30d":
		return period, today.AddDate(0, 0, -29), time.Time{}, nil
	case "all":
		return period, time.Time{}, time.Time{}, nil
	case "custom":
		f, err1 := time.ParseInLocation("2006-01-02", fromDay, loc)
		t, err2 := time.ParseInLocation("2006-01-02", toDay, loc)
		if err := errors.Join(err1, err2); err != nil {
			return period, from, to, invalid("period.err.custom")
		}
		from = engine.LocalTime(f.Year(), f.Month(), f.Day(), 0, 0, 0, loc)
		to = engine.LocalTime(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, loc)
		return period, from, to, nil
	}
	return period, from, to, invalid("period.err.unknown", period)
}
