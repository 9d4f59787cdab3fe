package dashboard

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// The dashboard's form parsers: each turns the fields of one form into
// values or a message for the user, without touching any state, so that
// they are fuzzed on their own (forms_fuzz_test.go).

// formError is a form parser's message, a sentence shown to the user as is.
type formError string

func (e formError) Error() string { return string(e) }

// invalid returns the formError of the formatted sentence.
func invalid(format string, args ...any) error { return formError(fmt.Sprintf(format, args...)) }

// parseNumberID reads the id of a new number: 1 to 40 lower-case letters,
// digits, - or _.
func parseNumberID(id string) (string, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if !sessionID.MatchString(id) {
		return "", invalid("Number id %q: use 1 to 40 lower-case letters, digits, - or _", id)
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
		return nil, "", invalid("unknown operation %q", op)
	case len(names) == 0:
		return nil, op, invalid("Select at least one workflow")
	}
	return names, op, nil
}

// parsePhone reads a customer's phone number.
func parsePhone(s string) (string, error) {
	phone, err := trigger.NormalizePhone(s)
	if err != nil || len(phone) < 4 {
		return "", invalid("%q is not a phone number", s)
	}
	return phone, nil
}

// parseSchedule reads a scheduled message's date (YYYY-MM-DD), time
// (HH:MM) in loc and text: a time in a DST gap moves forward, a repeated
// one takes its first occurrence.
func parseSchedule(date, clock, text string, loc *time.Location) (time.Time, string, error) {
	day, err := time.Parse("2006-01-02 15:04", date+" "+clock)
	if err != nil {
		return time.Time{}, "", invalid("%q %q is not a date and time (want YYYY-MM-DD and HH:MM)", date, clock)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return time.Time{}, "", invalid("The message is empty")
	}
	return engine.LocalTime(day.Year(), day.Month(), day.Day(), day.Hour(), day.Minute(), 0, loc), text, nil
}

// parseBalance reads a credit balance: a whole number, 0 or more.
func parseBalance(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, invalid("%q is not a credit balance (a whole number, 0 or more)", s)
	}
	return n, nil
}

// maxPrompt is the longest account prompt, in bytes.
const maxPrompt = 20_000

// parsePrompt reads the account prompt.
func parsePrompt(s string) (string, error) {
	p := strings.TrimSpace(s)
	if len(p) > maxPrompt {
		return "", invalid("The prompt is too long (20 000 characters at most)")
	}
	return p, nil
}

// parseNewUser reads a new user's name and password.
func parseNewUser(name, password string) (string, error) {
	name = strings.TrimSpace(name)
	if !sessionID.MatchString(name) {
		return "", invalid("User name %q: use 1 to 40 lower-case letters, digits, - or _", name)
	}
	if len(password) < MinPassword {
		return "", invalid("Use a password of at least %d characters", MinPassword)
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
			return period, from, to, invalid("custom period: want two dates YYYY-MM-DD")
		}
		from = engine.LocalTime(f.Year(), f.Month(), f.Day(), 0, 0, 0, loc)
		to = engine.LocalTime(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, loc)
		return period, from, to, nil
	}
	return period, from, to, invalid("unknown period %q", period)
}
