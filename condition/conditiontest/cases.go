package conditiontest

import (
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/trigger"
)

// Case is one hand-written check: tree evaluated on Facts under Env must
// give Want.
type Case struct {
	Name  string
	Tree  condition.Node
	Env   condition.Env
	Facts *condition.Facts
	Want  bool
	// Lang, when set, limits the case to compilers of that name (raw
	// expressions).
	Lang string
}

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("conditiontest: time zone data missing: " + err.Error())
	}
	return loc
}

// msg builds facts for a message with text sent at t.
func msg(text string, t time.Time, edit ...func(*condition.Input)) *condition.Facts {
	in := condition.Input{
		Message:      trigger.Message{Session: "main", Phone: "+33611111111", Text: text, Time: t},
		MessageCount: 1,
	}
	for _, e := range edit {
		e(&in)
	}
	return condition.NewFacts(in)
}

func at(loc *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, loc)
}

func utc(y int, mo time.Month, d, h, mi int) time.Time { return at(time.UTC, y, mo, d, h, mi) }

func days(ds ...time.Weekday) []time.Weekday { return ds }

func clock(h, m int) condition.TimeOfDay { return condition.TimeOfDay(h*60 + m) }

func text(op condition.Op, v string) condition.Text { return condition.Text{Op: op, Value: v} }

func window(ds []time.Weekday, from, to condition.TimeOfDay) condition.Schedule {
	return condition.Schedule{Days: ds, From: from, To: to}
}

// Cases returns the hand-written edge cases of the suite.
func Cases() []Case {
	paris, ny := mustLoad("Europe/Paris"), mustLoad("America/New_York")
	inParis := condition.Env{Location: paris}
	inNY := condition.Env{Location: ny}
	sun, mon, tue, fri := time.Sunday, time.Monday, time.Tuesday, time.Friday
	weekdays := days(mon, tue, time.Wednesday, time.Thursday, fri)

	boutique := condition.Hours{
		Weekly: map[time.Weekday][]condition.Span{
			mon:           {{From: clock(9, 0), To: clock(12, 30)}, {From: clock(14, 0), To: clock(18, 0)}},
			tue:           {{From: clock(9, 0), To: clock(18, 0)}},
			time.Saturday: {{From: clock(10, 0), To: clock(13, 0)}},
		},
		Closed: []string{"2026-12-22"},
	}
	bar := condition.Hours{
		Weekly: map[time.Weekday][]condition.Span{fri: {{From: clock(20, 0), To: clock(2, 0)}}},
		Closed: []string{"2026-12-25"},
	}
	nyDesk := condition.Hours{Location: ny, Weekly: map[time.Weekday][]condition.Span{mon: {{From: clock(9, 0), To: clock(17, 0)}}}}
	shop := condition.Env{Location: paris, Hours: map[string]condition.Hours{"boutique": boutique, "bar": bar, "ny": nyDesk}}
	hours := func(name string) condition.InHours { return condition.InHours{Name: name} }

	noon := utc(2026, 11, 23, 12, 0)
	withLabels := func(l ...string) func(*condition.Input) {
		return func(in *condition.Input) { in.Labels = l }
	}
	repliedAgo := func(d time.Duration) func(*condition.Input) {
		return func(in *condition.Input) { in.LastReply = in.Message.Time.Add(-d) }
	}
	since := func(op condition.Op, d time.Duration) condition.SinceLastReply {
		return condition.SinceLastReply{Op: op, D: d}
	}
	word := func(op condition.Op, v string) condition.Text { return condition.Text{Op: op, Value: v, Word: true} }
	exact := func(op condition.Op, v string) condition.Text { return condition.Text{Op: op, Value: v, Exact: true} }

	return []Case{
		// Tree shape.
		{Name: "nil tree is true", Tree: nil, Facts: msg("x", noon), Want: true},
		{Name: "empty all is true", Tree: condition.All{}, Facts: msg("x", noon), Want: true},
		{Name: "empty any is false", Tree: condition.Any{}, Facts: msg("x", noon), Want: false},
		{Name: "not empty any", Tree: condition.Not{Node: condition.Any{}}, Facts: msg("x", noon), Want: true},
		{Name: "no short circuit", Tree: condition.All{Nodes: []condition.Node{text(condition.OpContains, "zzz"), text(condition.OpContains, "a")}}, Facts: msg("a", noon), Want: false},

		// Schedule across DST in Paris: 2026-03-29 02:00 CET jumps to 03:00 CEST.
		{Name: "paris spring forward before gap", Tree: window(days(sun), clock(1, 30), clock(2, 30)), Env: inParis, Facts: msg("", utc(2026, 3, 29, 0, 45)), Want: true},
		{Name: "paris spring forward after gap", Tree: window(days(sun), clock(1, 30), clock(2, 30)), Env: inParis, Facts: msg("", utc(2026, 3, 29, 1, 0)), Want: false},
		{Name: "paris spring forward 03:00 CEST", Tree: window(days(sun), clock(3, 0), clock(4, 0)), Env: inParis, Facts: msg("", utc(2026, 3, 29, 1, 0)), Want: true},
		// 2026-10-25 03:00 CEST falls back to 02:00 CET: 02:30 happens twice.
		{Name: "paris fall back first 02:30", Tree: window(days(sun), clock(2, 0), clock(3, 0)), Env: inParis, Facts: msg("", utc(2026, 10, 25, 0, 30)), Want: true},
		{Name: "paris fall back second 02:30", Tree: window(days(sun), clock(2, 0), clock(3, 0)), Env: inParis, Facts: msg("", utc(2026, 10, 25, 1, 30)), Want: true},
		{Name: "paris fall back 03:00 CET", Tree: window(days(sun), clock(2, 0), clock(3, 0)), Env: inParis, Facts: msg("", utc(2026, 10, 25, 2, 0)), Want: false},
		// New York: 2026-03-08 spring forward, 2026-11-01 fall back.
		{Name: "new york office hours after spring forward", Tree: window(weekdays, clock(9, 0), clock(18, 0)), Env: inNY, Facts: msg("", utc(2026, 3, 9, 13, 30)), Want: true},
		{Name: "new york 13:30Z before DST is 08:30", Tree: window(weekdays, clock(9, 0), clock(18, 0)), Env: inNY, Facts: msg("", utc(2026, 3, 2, 13, 30)), Want: false},
		{Name: "new york fall back first 01:30", Tree: window(days(sun), clock(1, 0), clock(2, 0)), Env: inNY, Facts: msg("", utc(2026, 11, 1, 5, 30)), Want: true},
		{Name: "new york fall back second 01:30", Tree: window(days(sun), clock(1, 0), clock(2, 0)), Env: inNY, Facts: msg("", utc(2026, 11, 1, 6, 30)), Want: true},
		{Name: "schedule timezone overrides account", Tree: condition.Schedule{Days: weekdays, From: clock(9, 0), To: clock(18, 0), Location: ny}, Env: inParis, Facts: msg("", at(paris, 2026, 11, 23, 10, 0)), Want: false},
		{Name: "schedule empty days is every day", Tree: window(nil, clock(9, 0), clock(18, 0)), Env: inParis, Facts: msg("", at(paris, 2026, 11, 22, 9, 0)), Want: true},

		// Overnight windows belong to the day they open.
		{Name: "fri night window includes sat 01:00", Tree: window(days(fri), clock(22, 0), clock(2, 0)), Env: inParis, Facts: msg("", at(paris, 2026, 11, 28, 1, 0)), Want: true},
		{Name: "fri night window excludes fri 01:00", Tree: window(days(fri), clock(22, 0), clock(2, 0)), Env: inParis, Facts: msg("", at(paris, 2026, 11, 27, 1, 0)), Want: false},
		{Name: "fri night window from is inclusive", Tree: window(days(fri), clock(22, 0), clock(2, 0)), Env: inParis, Facts: msg("", at(paris, 2026, 11, 27, 22, 0)), Want: true},
		{Name: "fri night window to is exclusive", Tree: window(days(fri), clock(22, 0), clock(2, 0)), Env: inParis, Facts: msg("", at(paris, 2026, 11, 28, 2, 0)), Want: false},
		{Name: "sun night window wraps the week", Tree: window(days(sun), clock(23, 0), clock(1, 0)), Env: inParis, Facts: msg("", at(paris, 2026, 11, 23, 0, 30)), Want: true},
		{Name: "from equal to is a full day from", Tree: window(days(mon), clock(9, 0), clock(9, 0)), Env: inParis, Facts: msg("", at(paris, 2026, 11, 24, 8, 59)), Want: true},
		{Name: "from equal to ends at to", Tree: window(days(mon), clock(9, 0), clock(9, 0)), Env: inParis, Facts: msg("", at(paris, 2026, 11, 24, 9, 0)), Want: false},
		{Name: "outside hours", Tree: condition.Not{Node: window(weekdays, clock(9, 0), clock(18, 0))}, Env: inParis, Facts: msg("", at(paris, 2026, 11, 23, 18, 0)), Want: true},

		// Business hours: split shifts, closed dates, overnight periods.
		{Name: "split shift morning", Tree: hours("boutique"), Env: shop, Facts: msg("", at(paris, 2026, 11, 23, 12, 29)), Want: true},
		{Name: "split shift lunch break", Tree: hours("boutique"), Env: shop, Facts: msg("", at(paris, 2026, 11, 23, 12, 30)), Want: false},
		{Name: "split shift afternoon", Tree: hours("boutique"), Env: shop, Facts: msg("", at(paris, 2026, 11, 23, 14, 0)), Want: true},
		{Name: "day not listed is closed", Tree: hours("boutique"), Env: shop, Facts: msg("", at(paris, 2026, 11, 25, 10, 0)), Want: false},
		{Name: "closed date", Tree: hours("boutique"), Env: shop, Facts: msg("", at(paris, 2026, 12, 22, 10, 0)), Want: false},
		{Name: "week before closed date", Tree: hours("boutique"), Env: shop, Facts: msg("", at(paris, 2026, 12, 15, 10, 0)), Want: true},
		{Name: "overnight hours after midnight", Tree: hours("bar"), Env: shop, Facts: msg("", at(paris, 2026, 12, 19, 1, 0)), Want: true},
		{Name: "overnight hours closed on the opening date", Tree: hours("bar"), Env: shop, Facts: msg("", at(paris, 2026, 12, 26, 1, 0)), Want: false},
		{Name: "overnight hours closed date evening", Tree: hours("bar"), Env: shop, Facts: msg("", at(paris, 2026, 12, 25, 21, 0)), Want: false},
		{Name: "overnight hours friday early morning", Tree: hours("bar"), Env: shop, Facts: msg("", at(paris, 2026, 12, 18, 1, 0)), Want: false},
		{Name: "hours in their own time zone", Tree: hours("ny"), Env: shop, Facts: msg("", at(ny, 2026, 11, 23, 9, 30)), Want: true},
		{Name: "hours own zone, paris morning", Tree: hours("ny"), Env: shop, Facts: msg("", at(paris, 2026, 11, 23, 10, 0)), Want: false},

		// Text.
		{Name: "empty text is empty", Tree: condition.Text{Op: condition.OpEmpty, IsEmpty: true}, Facts: msg("   ", noon), Want: true},
		{Name: "empty text contains nothing", Tree: text(condition.OpContains, "a"), Facts: msg("", noon), Want: false},
		{Name: "empty text not_contains", Tree: text(condition.OpNotContains, "a"), Facts: msg("", noon), Want: true},
		{Name: "empty text length 0", Tree: condition.Length{Op: condition.OpEq, N: 0}, Facts: msg("", noon), Want: true},
		{Name: "text not empty", Tree: condition.Text{Op: condition.OpEmpty, IsEmpty: false}, Facts: msg("a", noon), Want: true},
		{Name: "emoji contains", Tree: text(condition.OpContains, "🙏"), Facts: msg("Merci 🙏🏽", noon), Want: true},
		{Name: "emoji length in runes", Tree: condition.Length{Op: condition.OpEq, N: 8}, Facts: msg(" Merci 🙏🏽 ", noon), Want: true},
		{Name: "emoji ends_with", Tree: text(condition.OpEndsWith, "🏽"), Facts: msg("Merci 🙏🏽", noon), Want: true},
		{Name: "accent folded", Tree: text(condition.OpContains, "probleme"), Facts: msg("Gros Problème !", noon), Want: true},
		{Name: "accent in operand folded", Tree: text(condition.OpContains, "PROBLÈME"), Facts: msg("un probleme", noon), Want: true},
		{Name: "exact keeps accents", Tree: exact(condition.OpContains, "probleme"), Facts: msg("Gros Problème !", noon), Want: false},
		{Name: "exact keeps case", Tree: exact(condition.OpContains, "problème"), Facts: msg("Gros Problème !", noon), Want: false},
		{Name: "exact match", Tree: exact(condition.OpContains, "Problème"), Facts: msg("Gros Problème !", noon), Want: true},
		{Name: "equals folds and trims", Tree: text(condition.OpEquals, " ÉTÉ "), Facts: msg("  été", noon), Want: true},
		{Name: "not_equals", Tree: text(condition.OpNotEquals, "ete"), Facts: msg("étés", noon), Want: true},
		{Name: "starts_with folded", Tree: text(condition.OpStartsWith, "elan"), Facts: msg("Élan vital", noon), Want: true},
		{Name: "word at end before punctuation", Tree: word(condition.OpContains, "prix"), Facts: msg("Quel est le prix?", noon), Want: true},
		{Name: "word inside a word", Tree: word(condition.OpContains, "prix"), Facts: msg("un surprix", noon), Want: false},
		{Name: "word before a letter", Tree: word(condition.OpContains, "prix"), Facts: msg("prixe", noon), Want: false},
		{Name: "word after an accented letter", Tree: word(condition.OpContains, "prix"), Facts: msg("éprix", noon), Want: false},
		{Name: "word next to a digit", Tree: word(condition.OpContains, "prix"), Facts: msg("prix2", noon), Want: false},
		{Name: "word after a digit", Tree: word(condition.OpContains, "prix"), Facts: msg("2prix", noon), Want: false},
		{Name: "word whole text", Tree: word(condition.OpContains, "Prix"), Facts: msg("PRIX", noon), Want: true},
		{Name: "word next to emoji", Tree: word(condition.OpContains, "merci"), Facts: msg("merci🙏", noon), Want: true},
		{Name: "word with regexp characters", Tree: word(condition.OpContains, "c++"), Facts: msg("du c++ svp", noon), Want: true},
		{Name: "word not_contains", Tree: word(condition.OpNotContains, "prix"), Facts: msg("surprix", noon), Want: true},
		{Name: "word contains_any", Tree: condition.Text{Op: condition.OpContainsAny, Values: []string{"dispo", "prix"}, Word: true}, Facts: msg("disponible au prix", noon), Want: true},
		{Name: "word contains_all", Tree: condition.Text{Op: condition.OpContainsAll, Values: []string{"dispo", "prix"}, Word: true}, Facts: msg("disponible au prix", noon), Want: false},
		{Name: "exact word", Tree: condition.Text{Op: condition.OpContains, Value: "Prix", Word: true, Exact: true}, Facts: msg("le Prix.", noon), Want: true},
		{Name: "contains_any empty list", Tree: condition.Text{Op: condition.OpContainsAny}, Facts: msg("a", noon), Want: false},
		{Name: "contains_all empty list", Tree: condition.Text{Op: condition.OpContainsAll}, Facts: msg("a", noon), Want: true},
		{Name: "regexp on folded text", Tree: text(condition.OpMatches, `^ete$`), Facts: msg("ÉTÉ", noon), Want: true},
		{Name: "regexp exact", Tree: condition.Text{Op: condition.OpMatches, Value: `^ete$`, Exact: true}, Facts: msg("ÉTÉ", noon), Want: false},
		{Name: "regexp postcode", Tree: text(condition.OpMatches, `\b\d{5}\b`), Facts: msg("livraison 75001 ?", noon), Want: true},
		{Name: "regexp with quotes", Tree: text(condition.OpMatches, `"a\\b"`), Facts: msg(`dit "a\b"`, noon), Want: true},

		// since_last_reply.
		{Name: "no reply yet is greater", Tree: since(condition.OpGt, 24*time.Hour), Facts: msg("", noon), Want: true},
		{Name: "no reply yet gte 0", Tree: since(condition.OpGte, 0), Facts: msg("", noon), Want: true},
		{Name: "no reply yet is not less", Tree: since(condition.OpLt, 1000*time.Hour), Facts: msg("", noon), Want: false},
		{Name: "no reply yet lte", Tree: since(condition.OpLte, 1000*time.Hour), Facts: msg("", noon), Want: false},
		{Name: "reply 30m ago gte 30m", Tree: since(condition.OpGte, 30*time.Minute), Facts: msg("", noon, repliedAgo(30*time.Minute)), Want: true},
		{Name: "reply 30m ago gt 30m", Tree: since(condition.OpGt, 30*time.Minute), Facts: msg("", noon, repliedAgo(30*time.Minute)), Want: false},
		{Name: "reply 30m ago lt 1h", Tree: since(condition.OpLt, time.Hour), Facts: msg("", noon, repliedAgo(30*time.Minute)), Want: true},
		{Name: "reply just now lte 0", Tree: since(condition.OpLte, 0), Facts: msg("", noon, repliedAgo(0)), Want: true},
		{Name: "sub-second precision", Tree: since(condition.OpGt, 90*time.Second), Facts: msg("", noon, repliedAgo(90*time.Second+time.Millisecond)), Want: true},

		// Labels, agent, phone, type, count.
		{Name: "labels empty has", Tree: condition.Labels{Op: condition.OpHas, Values: []string{"vip"}}, Facts: msg("", noon), Want: false},
		{Name: "labels empty has_not", Tree: condition.Labels{Op: condition.OpHasNot, Values: []string{"vip"}}, Facts: msg("", noon), Want: true},
		{Name: "labels empty has_none", Tree: condition.Labels{Op: condition.OpHasNone, Values: []string{"vip"}}, Facts: msg("", noon), Want: true},
		{Name: "labels has_any of none", Tree: condition.Labels{Op: condition.OpHasAny}, Facts: msg("", noon, withLabels("vip")), Want: false},
		{Name: "labels has_all of none", Tree: condition.Labels{Op: condition.OpHasAll}, Facts: msg("", noon), Want: true},
		{Name: "labels has_all", Tree: condition.Labels{Op: condition.OpHasAll, Values: []string{"vip", "urgent"}}, Facts: msg("", noon, withLabels("urgent", "vip", "x")), Want: true},
		{Name: "labels has_all missing one", Tree: condition.Labels{Op: condition.OpHasAll, Values: []string{"vip", "urgent"}}, Facts: msg("", noon, withLabels("vip")), Want: false},
		{Name: "unassigned", Tree: condition.Agent{Op: condition.OpAssigned, IsAssigned: false}, Facts: msg("", noon), Want: true},
		{Name: "agent is", Tree: condition.Agent{Op: condition.OpIs, ID: "alice"}, Facts: msg("", noon, func(in *condition.Input) { in.Agent = "alice" }), Want: true},
		{Name: "agent is_not when unassigned", Tree: condition.Agent{Op: condition.OpIsNot, ID: "alice"}, Facts: msg("", noon), Want: true},
		{Name: "phone in", Tree: condition.Phone{Op: condition.OpIn, Values: []string{"+15551234567", "+33611111111"}}, Facts: msg("", noon), Want: true},
		{Name: "phone not_equals", Tree: condition.Phone{Op: condition.OpNotEquals, Values: []string{"+33611111111"}}, Facts: msg("", noon), Want: false},
		{Name: "type defaults to text", Tree: condition.MessageType{Op: condition.OpIs, Types: []trigger.MessageType{trigger.MessageText}}, Facts: msg("", noon), Want: true},
		{Name: "type not_in", Tree: condition.MessageType{Op: condition.OpNotIn, Types: []trigger.MessageType{trigger.MessageImage, trigger.MessageAudio}}, Facts: msg("", noon, func(in *condition.Input) { in.Message.Type = trigger.MessageAudio }), Want: false},
		{Name: "first message count", Tree: condition.MessageCount{Op: condition.OpLte, N: 1}, Facts: msg("", noon), Want: true},

		// Raw expressions written in syntax both languages share.
		rawCase("cel", "raw variables", `message_count == 1 && "vip" in labels && type == "text" && agent == "" && phone == "+33611111111" && session == "main"`, msg("", noon, withLabels("vip")), true),
		rawCase("expr", "raw variables", `message_count == 1 && "vip" in labels && type == "text" && agent == "" && phone == "+33611111111" && session == "main"`, msg("", noon, withLabels("vip")), true),
		rawCase("cel", "raw clock", `weekday == 1 && hour == 13 && minute == 0`, msg("", noon), true),
		rawCase("expr", "raw clock", `weekday == 1 && hour == 13 && minute == 0`, msg("", noon), true),
		rawCase("cel", "raw text", `text == "probleme" && raw_text == "Problème" && length == 8 && !is_new_contact && since_last_reply_seconds == -1`, msg(" Problème ", noon), true),
		rawCase("expr", "raw text", `text == "probleme" && raw_text == "Problème" && length == 8 && !is_new_contact && since_last_reply_seconds == -1`, msg(" Problème ", noon), true),
		rawCase("cel", "raw since seconds", `since_last_reply_seconds == 90`, msg("", noon, repliedAgo(90*time.Second+time.Millisecond)), true),
		rawCase("expr", "raw since seconds", `since_last_reply_seconds == 90`, msg("", noon, repliedAgo(90*time.Second+time.Millisecond)), true),
	}
}

// rawCase evaluates a raw expression in Paris (noon UTC is 13:00 there).
func rawCase(lang, name, src string, f *condition.Facts, want bool) Case {
	return Case{
		Name: name, Lang: lang, Want: want, Facts: f,
		Tree: condition.Not{Node: condition.Not{Node: condition.Raw{Lang: condition.Lang(lang), Source: src}}},
		Env:  condition.Env{Location: mustLoad("Europe/Paris")},
	}
}
