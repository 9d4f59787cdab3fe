package dashboard

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/waauto/waauto/trigger"
)

// The dashboard's form parsers under fuzzing, seeded with the values of
// the product's tests (internal/app). Each target checks what the parser
// promises, not only that it does not panic.

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/numbers", "/\t/evil.com", "/%09/evil.com", "//evil.com", "/\\evil.com", "https://evil.com",
		"/logs?phone=%2B336", "/workflows/edit?t=a#x", "", "/ /x", "/%2F/evil.com", "/a\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/numbers" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither the input nor /numbers", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") || strings.HasPrefix(u.Path, "//") ||
			strings.ContainsAny(got+u.Path, "\\\t\n\r ") {
			t.Fatalf("safeNext(%q) = %q leaves the site (host %q, path %q, err %v)", next, got, u.Host, u.Path, err)
		}
	})
}

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+33 6 00 00 00 01", "+33600000001", "0033 6 12", "abc", "", "+1", "(0)6.12-34", "+91 00000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePhone(s, "FR")
		if err != nil {
			if !errors.Is(err, trigger.ErrBadPhone) {
				t.Fatalf("parsePhone(%q): %v", s, err)
			}
			return
		}
		if len(p) < 4 || p[0] != '+' || strings.Trim(p[1:], "0123456789") != "" {
			t.Fatalf("parsePhone(%q) = %q, not +digits", s, p)
		}
		if again, err := parsePhone(p, ""); again != p || err != nil {
			t.Fatalf("parsePhone(%q) = %q, but parsePhone(%q) = %q, %v: not idempotent", s, p, p, again, err)
		}
	})
}

func FuzzParseSchedule(f *testing.F) {
	f.Add("2026-03-29", "02:30", "Bonjour")
	f.Add("2026-10-25", "02:30", "  hi  ")
	f.Add("2026-13-01", "10:00", "x")
	f.Add("2026-01-01", "24:00", "")
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, date, clock, text string) {
		at, msg, err := parseSchedule(date, clock, text, loc)
		if err != nil {
			return
		}
		day, perr := time.Parse("2006-01-02 15:04", date+" "+clock)
		if perr != nil || msg == "" || msg != strings.TrimSpace(text) {
			t.Fatalf("parseSchedule(%q, %q, %q) = %v %q, but the input is not a date, time and text", date, clock, text, at, msg)
		}
		// The wall clock is the one asked for, or moved forward over a DST gap (at most an hour).
		local := at.In(loc)
		wall := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), 0, 0, time.UTC)
		if shift := wall.Sub(day); shift < 0 || shift > time.Hour {
			t.Fatalf("parseSchedule(%q, %q) = %v, %v from the time asked for", date, clock, local, shift)
		}
	})
}

func FuzzParseBalance(f *testing.F) {
	for _, s := range []string{"100", " 7 ", "-1", "1e3", "", "9223372036854775808", "+5", "007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseBalance(s)
		if err == nil && n < 0 {
			t.Fatalf("parseBalance(%q) = %d, negative", s, n)
		}
	})
}

func FuzzParsePrompt(f *testing.F) {
	f.Add("Boutique de pulls")
	f.Add(strings.Repeat("x", maxPrompt+1))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePrompt(s)
		if err == nil && (len(p) > maxPrompt || p != strings.TrimSpace(s)) {
			t.Fatalf("parsePrompt(%d bytes) = %d bytes", len(s), len(p))
		}
	})
}

func FuzzParseNewUser(f *testing.F) {
	f.Add("agent", "agent password 1")
	f.Add("Agent", "short")
	f.Add(" bob ", "0123456789")
	f.Add("a/b", "0123456789")
	f.Fuzz(func(t *testing.T, name, pw string) {
		got, err := parseNewUser(name, pw)
		if err == nil && (!sessionID.MatchString(got) || len(pw) < MinPassword) {
			t.Fatalf("parseNewUser(%q, %d bytes) = %q", name, len(pw), got)
		}
	})
}

func FuzzParseNumberID(f *testing.F) {
	for _, s := range []string{"shop", " Shop-1 ", "", "a b", strings.Repeat("a", 41), "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseNumberID(s)
		if err == nil && !sessionID.MatchString(id) {
			t.Fatalf("parseNumberID(%q) = %q", s, id)
		}
	})
}

// FuzzParseForms fuzzes the forms read as a whole: bulk operations and
// modules, from a raw URL-encoded body.
func FuzzParseForms(f *testing.F) {
	for _, s := range []string{"name=prix&name=ia&op=delete", "op=enable", "name=x&op=drop", "ai_reply=on&webhook=on", "%zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // readForms refuses it before any handler
		}
		if names, op, err := parseBulk(form); err == nil && (len(names) == 0 || !slices.Contains([]string{"enable", "disable", "delete"}, op)) {
			t.Fatalf("parseBulk(%q) = %v %q", body, names, op)
		}
		for _, m := range parseModules(form) {
			if !slices.Contains(allModules, m) || form.Get(string(m)) != "" {
				t.Fatalf("parseModules(%q) turns off %q", body, m)
			}
		}
	})
}

func FuzzParsePeriod(f *testing.F) {
	for _, p := range []string{"", "today", "7d", "30d", "all", "custom", "year"} {
		f.Add(p, "2026-03-01", "2026-03-31")
	}
	f.Add("custom", "2026-03-31", "2026-03-01")
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, period, from, to string) {
		got, start, end, err := parsePeriod(period, from, to, now, loc)
		if err != nil {
			return
		}
		if got == "" || !end.IsZero() && !start.IsZero() && period != "custom" {
			t.Fatalf("parsePeriod(%q) = %q [%v, %v)", period, got, start, end)
		}
		if period == "custom" && (start.IsZero() || end.IsZero()) {
			t.Fatalf("custom period %q..%q = [%v, %v)", from, to, start, end)
		}
	})
}

// FuzzSchedulePeriod: the period of a scheduled messages tab, read from
// any input, is an error or a window whose start (when set) comes before
// its end (when set); the pending tab's fixed periods look ahead from now.
func FuzzSchedulePeriod(f *testing.F) {
	for _, tab := range scheduleTabs {
		for _, p := range []string{"", "today", "7d", "30d", "all", "custom", "year"} {
			f.Add(tab, p, "2026-03-01", "2026-03-31")
		}
	}
	f.Add("pending", "custom", "2026-03-31", "2026-03-01")
	f.Add("sent", "custom", "2026-03-29", "2026-03-29")
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC) // the day Paris moves to summer time
	f.Fuzz(func(t *testing.T, tab, period, from, to string) {
		got, start, end, err := schedulePeriod(tab, period, from, to, now, loc)
		if err != nil {
			return
		}
		if !start.IsZero() && !end.IsZero() && !start.Before(end) {
			t.Fatalf("schedulePeriod(%q, %q, %q, %q) = %q [%v, %v): empty window", tab, period, from, to, got, start, end)
		}
		if tab == "pending" && (got == "today" || got == "7d" || got == "30d") && (!start.IsZero() || !end.After(now)) {
			t.Fatalf("pending %q = [%v, %v), want up to a time after now", got, start, end)
		}
		if got == "all" && (!start.IsZero() || !end.IsZero()) {
			t.Fatalf("%q = [%v, %v), want no window", got, start, end)
		}
	})
}

// FuzzHideSecrets: the editor of a non-admin never shows the value of a
// secret key, however the YAML writes it.
func FuzzHideSecrets(f *testing.F) {
	f.Add("s3cr3t-value", true)
	f.Add("a'b", false)
	f.Add(`x\"y`, true)
	f.Fuzz(func(t *testing.T, secret string, flow bool) {
		if !utf8.ValidString(secret) || strings.TrimSpace(secret) == "" || strings.ContainsAny(secret, "\n\r\"',}#[]{") ||
			strings.TrimSpace(secret) != secret || strings.Contains(secret, hiddenSecret) {
			return // not a plain YAML scalar
		}
		text := "workflows:\n  - actions:\n      - webhook:\n          url: https://x\n          secret: " + secret + "\n"
		if flow {
			text = "workflows:\n  - actions: [{webhook: {url: \"https://x\", secret: " + secret + "}}]\n"
		}
		out := hideSecrets(text)
		if strings.Contains(out, "secret: "+secret) || !strings.Contains(out, hiddenSecret) || hideSecrets(out) != out {
			t.Fatalf("hideSecrets(%q) = %q", text, out)
		}
	})
}
