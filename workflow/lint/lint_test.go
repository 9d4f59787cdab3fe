package lint_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/lint"
)

// check loads src and lints it with the expr compiler and opts.
func check(t *testing.T, src string, opts lint.Options) []lint.Finding {
	t.Helper()
	defs, err := workflow.Load("shop.yaml", []byte(src), workflow.LoadOptions{Compiler: expr.New(), Location: opts.Location})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	opts.File, opts.Data = "shop.yaml", []byte(src)
	if opts.Compiler == nil {
		opts.Compiler = expr.New()
	}
	return lint.Check(defs, opts)
}

// only returns the findings of one check.
func only(fs []lint.Finding, code string) []lint.Finding {
	var out []lint.Finding
	for _, f := range fs {
		if f.Check == code {
			out = append(out, f)
		}
	}
	return out
}

// want requires exactly one finding of code, at line, whose message
// contains every part.
func want(t *testing.T, fs []lint.Finding, code string, line int, parts ...string) lint.Finding {
	t.Helper()
	got := only(fs, code)
	if len(got) != 1 {
		t.Fatalf("%s findings = %d, want 1; all findings:\n%s", code, len(got), dump(fs))
	}
	f := got[0]
	if f.Pos.Line != line || f.Pos.File != "shop.yaml" || f.Pos.Col == 0 {
		t.Errorf("%s at %s, want shop.yaml:%d:<col>", code, f.Pos, line)
	}
	for _, p := range parts {
		if !strings.Contains(f.Message, p) {
			t.Errorf("%s message %q does not contain %q", code, f.Message, p)
		}
	}
	if got := fromText(f); got != f.Message {
		t.Errorf("%s: Text %+v and Parts %+v give %q, not the message %q", code, f.Text, f.Parts, got, f.Message)
	}
	return f
}

// fromText rebuilds f's message from its Text and Parts as Finding
// documents it, checking that every code is listed by TextCodes.
func fromText(f lint.Finding) string {
	codes := lint.TextCodes()
	args := slices.Clone(f.Text.Args)
	if len(f.Parts) > 0 {
		parts := make([]string, len(f.Parts))
		for i, p := range f.Parts {
			if !slices.Contains(codes, p.Code) {
				return "unlisted part code " + p.Code
			}
			parts[i] = p.String()
		}
		args = append(args, strings.Join(parts, "; "))
	}
	if !slices.Contains(codes, f.Text.Code) {
		return "unlisted code " + f.Text.Code
	}
	return lint.Text{Code: f.Text.Code, Args: args}.String()
}

// none requires no finding of code.
func none(t *testing.T, fs []lint.Finding, code string) {
	t.Helper()
	if got := only(fs, code); len(got) > 0 {
		t.Fatalf("unexpected %s findings:\n%s", code, dump(got))
	}
}

func dump(fs []lint.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + " [" + f.Check + "]\n")
	}
	return b.String()
}

const stopPrix = `
workflows:
  - name: Prix
    trigger: incoming_message
    priority: 10
    stop: true
    conditions: {text: {contains: prix}}
    actions: [{reply: {text: "Nos prix"}}]
`

func TestUnreachable(t *testing.T) {
	fs := check(t, stopPrix+`
  - name: Prix VIP
    trigger: incoming_message
    conditions:
      all:
        - text: {contains: "les prix"}
        - labels: {has: vip}
    actions: [{reply: {text: "Prix VIP"}}]
`, lint.Options{})
	f := want(t, fs, lint.CheckUnreachable, 10, `"Prix VIP" never runs`, `"Prix"`)
	if f.Severity != lint.SeverityError || f.Workflow != "Prix VIP" {
		t.Errorf("finding = %+v", f)
	}
	if !lint.HasErrors(fs) {
		t.Error("HasErrors = false")
	}
}

func TestUnreachableByTwoStops(t *testing.T) {
	fs := check(t, stopPrix+`
  - name: Other
    trigger: incoming_message
    priority: 20
    stop: true
    conditions: {text: {not_contains: prix}}
    actions: [{reply: {text: "Bonjour"}}]
  - name: Anything
    trigger: incoming_message
    actions: [{label: {add: [seen]}}]
`, lint.Options{})
	want(t, fs, lint.CheckUnreachable, 16, `"Anything" never runs`, `"Prix", "Other"`)
}

// Each of these lower-priority workflows can run: no unreachable finding.
func TestReachable(t *testing.T) {
	cases := map[string]string{
		"wider": `
  - name: Wider
    trigger: incoming_message
    conditions: {text: {contains: pri}}
    actions: [{reply: {text: "x"}}]`,
		"other scope": `
  - name: Scoped elsewhere
    trigger: incoming_message
    conditions: {text: {contains: prix}}
    actions: [{reply: {text: "x"}}]
    groups: true`,
		"word vs substring": `
  - name: Word
    trigger: incoming_message
    conditions: {text: {contains: "prix", word: true}}
    actions: [{reply: {text: "x"}}]`,
	}
	for name, wf := range cases {
		t.Run(name, func(t *testing.T) {
			fs := check(t, stopPrix+wf, lint.Options{})
			if name == "word vs substring" {
				// contains prix (word) implies contains prix: shadowed.
				want(t, fs, lint.CheckUnreachable, 10)
				return
			}
			none(t, fs, lint.CheckUnreachable)
		})
	}
	notStop := strings.Replace(stopPrix, "stop: true", "stop: false", 1)
	none(t, check(t, notStop+`
  - name: Prix 2
    trigger: incoming_message
    conditions: {text: {contains: prix}}
    actions: [{reply: {text: "x"}}]`, lint.Options{}), lint.CheckUnreachable)
	cooldown := strings.Replace(stopPrix, "stop: true", "stop: true\n    cooldown: 1h", 1)
	none(t, check(t, cooldown+`
  - name: Prix 2
    trigger: incoming_message
    conditions: {text: {contains: prix}}
    actions: [{reply: {text: "x"}}]`, lint.Options{}), lint.CheckUnreachable)
}

func TestContradiction(t *testing.T) {
	cases := []struct {
		name, cond string
		parts      []string
	}{
		{"contains and not", `{all: [{text: {contains: prix}}, {text: {not_contains: prix}}]}`, []string{`text contains "prix" and text not_contains "prix" cannot all hold`}},
		{"folded substring", `{all: [{text: {contains: "Les Prix"}}, {text: {not_contains: "prix"}}]}`, []string{"cannot all hold"}},
		{"labels", `{all: [{labels: {has: vip}}, {length: {gt: 2}}, {labels: {has_not: vip}}]}`, []string{`labels has "vip" and labels has_not "vip" cannot all hold`}},
		{"length", `{all: [{length: {gt: 10}}, {length: {lt: 5}}]}`, []string{"length gt 10 and length lt 5"}},
		{"message count", `{message_count: {lt: 1}}`, []string{"message_count lt 1 is never true"}},
		{"regex upper case", `{text: {matches: "^Prix"}}`, []string{`pattern "^Prix" never matches`, "exact: true"}},
		{"regex accent", `{text: {matches: "été"}}`, []string{`pattern "été" never matches`}},
		{"regex anchors", `{text: {matches: "a$b", exact: true}}`, []string{`pattern "a$b" matches no text at all`}},
		{"schedule", `{all: [{schedule: {days: [sat], from: "09:00", to: "12:00"}}, {schedule: {days: [mon, tue], from: "08:00", to: "18:00"}}]}`, []string{"cannot all hold"}},
		{"equals", `{all: [{text: {equals: "oui"}}, {text: {contains: "non"}}]}`, []string{"cannot all hold"}},
		{"phone", `{all: [{phone: {equals: "+33611111111"}}, {phone: {in: ["+33622222222"]}}]}`, []string{"cannot all hold"}},
		{"agent", `{all: [{agent: {is: alice}}, {agent: {assigned: false}}]}`, []string{"cannot all hold"}},
		{"hours", `{all: [{schedule: {hours: shop}}, {not: {schedule: {hours: shop}}}]}`, []string{"cannot all hold"}},
		{"exact equals with spaces", `{text: {equals: " oui ", exact: true}}`, []string{`text equals " oui " (exact) is never true`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := `
hours:
  shop:
    weekly: {mon: ["09:00-18:00"]}
workflows:
  - name: W
    trigger: incoming_message
    conditions: ` + tc.cond + `
    actions: [{reply: {text: "x"}}]
`
			f := want(t, check(t, src, lint.Options{}), lint.CheckContradiction, 8, append(tc.parts, `"W" never fires`)...)
			if f.Severity != lint.SeverityError {
				t.Errorf("severity %s", f.Severity)
			}
		})
	}
}

// Conditions that can hold (some look close to a contradiction).
func TestNoContradiction(t *testing.T) {
	for _, cond := range []string{
		`{all: [{text: {contains: prix}}, {text: {not_contains: "prix!"}}]}`,
		`{all: [{text: {contains: "prix", word: true}}, {text: {not_contains: "prixe"}}]}`,
		`{all: [{labels: {has: vip}}, {labels: {has_not: b2b}}]}`,
		`{all: [{length: {gte: 5}}, {length: {lte: 5}}]}`,
		`{all: [{since_last_reply: {gt: 1h}}, {since_last_reply: {gt: 2h}}]}`,
		`{text: {matches: "(?i)^PRIX"}}`,
		`{text: {matches: "^Prix", exact: true}}`,
		`{text: {matches: "^$"}}`,
		`{all: [{schedule: {days: [mon], from: "22:00", to: "02:00"}}, {schedule: {days: [tue], from: "00:00", to: "01:00"}}]}`,
		`{all: [{schedule: {from: "09:00", to: "10:00", timezone: "Asia/Kolkata"}}, {schedule: {from: "03:00", to: "05:00", timezone: "UTC"}}]}`,
		`{all: [{schedule: {hours: shop}}, {not: {schedule: {hours: shop2}}}]}`,
		`{all: [{agent: {is: alice}}, {agent: {is_not: bob}}]}`,
		`{all: [{text: {starts_with: "bon"}}, {text: {starts_with: "bonjour"}}]}`,
		`{any: [{text: {empty: true}}, {length: {gt: 3}}]}`,
		`{all: [{text: {contains: "prix"}}, {not: {text: {starts_with: "pr"}}}]}`,
		`{all: [{text: {ends_with: "prix"}}, {not: {text: {starts_with: "prix"}}}]}`,
		`{all: [{text: {equals: "Été"}}, {text: {contains: "ete"}}]}`,
	} {
		t.Run(cond, func(t *testing.T) {
			src := `
hours:
  shop:
    weekly: {mon: ["09:00-18:00"]}
  shop2:
    weekly: {mon: ["09:00-18:00"]}
    closed: ["2026-03-02"]
workflows:
  - name: W
    trigger: incoming_message
    conditions: ` + cond + `
    actions: [{reply: {text: "x"}}]
`
			none(t, check(t, src, lint.Options{}), lint.CheckContradiction)
		})
	}
}

// A branch that can never be true is a warning at the branch.
func TestDeadBranch(t *testing.T) {
	fs := check(t, `
name: W
trigger: incoming_message
conditions:
  any:
    - text: {contains: prix}
    - all:
        - length: {gt: 10}
        - length: {lt: 5}
actions: [{reply: {text: "x"}}]
`, lint.Options{})
	f := want(t, fs, lint.CheckContradiction, 7, "conditions.any[1] can never be true")
	if f.Severity != lint.SeverityWarning {
		t.Errorf("severity = %s", f.Severity)
	}
}

func TestWindow(t *testing.T) {
	fs := check(t, `
hours:
  shop:
    weekly: {mon: ["09:00-09:00"]}
workflows:
  - name: W
    trigger: incoming_message
    conditions: {any: [{schedule: {hours: shop}}, {schedule: {from: "10:00", to: "10:00", days: []}}]}
    actions: [{reply: {text: "x"}}]
`, lint.Options{})
	got := only(fs, lint.CheckWindow)
	if len(got) != 3 {
		t.Fatalf("window findings:\n%s", dump(fs))
	}
	if got[0].Pos.Line != 4 || !strings.Contains(got[0].Message, "mon 09:00-09:00 has zero length") {
		t.Errorf("first = %s", got[0])
	}
	none(t, check(t, `
name: W
trigger: incoming_message
conditions: {schedule: {from: "10:00", to: "11:00", days: [mon]}}
actions: [{reply: {text: "x"}}]
`, lint.Options{}), lint.CheckWindow)
}

func TestOverlap(t *testing.T) {
	src := `
workflows:
  - name: Prix
    trigger: incoming_message
    conditions: {text: {contains: prix}}
    actions: [{reply: {text: "Nos prix"}}]
  - name: Livraison
    trigger: incoming_message
    conditions: {all: [{text: {contains: livraison}}, {labels: {has: vip}}]}
    actions: [{reply: {text: "Livraison"}}]
`
	f := want(t, check(t, src, lint.Options{}), lint.CheckOverlap, 7, `"Prix" and "Livraison" both reply`)
	if f.Example == nil || !strings.Contains(f.Example.Text, "prix") || !strings.Contains(f.Example.Text, "livraison") ||
		len(f.Example.Labels) != 1 || f.Example.Labels[0] != "vip" {
		t.Errorf("example = %+v", f.Example)
	}
	// Exclusive conditions, a stop workflow first, a non-replying
	// workflow, or no compiler: no overlap.
	for name, s := range map[string]string{
		"exclusive": strings.Replace(src, "{labels: {has: vip}}", "{text: {not_contains: prix}}", 1),
		"stop":      strings.Replace(src, "conditions: {text: {contains: prix}}", "stop: true\n    conditions: {text: {contains: prix}}", 1),
		"label":     strings.Replace(src, `[{reply: {text: "Livraison"}}]`, `[{label: {add: [x]}}]`, 1),
		"shadow":    strings.Replace(src, "name: Livraison", "name: Livraison\n    mode: shadow", 1),
	} {
		t.Run(name, func(t *testing.T) { none(t, check(t, s, lint.Options{}), lint.CheckOverlap) })
	}
	defs, err := workflow.Load("shop.yaml", []byte(src), workflow.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	none(t, lint.Check(defs, lint.Options{}), lint.CheckOverlap)
}

const oohIncomplete = `
workflows:
  - name: In hours
    trigger: incoming_message
    conditions: {schedule: {days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}}
    actions: [{ai_reply: {}}]
  - name: Out of hours
    trigger: incoming_message
    conditions:
      all:
        - schedule: {days: [mon, tue, wed, thu, fri], from: "18:00", to: "09:00"}
        - agent: {assigned: false}
    actions: [{reply: {text: "Fermé"}}]
`

func TestScheduleGap(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	fs := check(t, oohIncomplete, lint.Options{Location: paris})
	want(t, fs, lint.CheckScheduleGap, 7, "(Europe/Paris)", "sat 09:00 to mon 09:00 every week")
	// Complete: out of hours is "not in hours".
	complete := strings.Replace(oohIncomplete, `schedule: {days: [mon, tue, wed, thu, fri], from: "18:00", to: "09:00"}`,
		`not: {schedule: {days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}}`, 1)
	none(t, check(t, complete, lint.Options{Location: paris}), lint.CheckScheduleGap)
	// Hours in another zone than the account's: the gap moves with daylight-saving time.
	ny := strings.Replace(complete, `{days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00"}}
    actions: [{ai_reply`, `{days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00", timezone: "America/New_York"}}
    actions: [{ai_reply`, 1)
	fs = check(t, ny, lint.Options{Location: paris})
	want(t, fs, lint.CheckScheduleGap, 7, "mon 09:00 to mon 15:00 on 48 weeks of the year", "mon 09:00 to mon 14:00 on 4 weeks")
}

func TestUnusedAndActions(t *testing.T) {
	src := `
hours:
  shop:
    weekly: {mon: ["09:00-18:00"]}
  old:
    weekly: {tue: ["09:00-18:00"]}
workflows:
  - name: W
    trigger: incoming_message
    session: main
    conditions: {schedule: {hours: shop}}
    actions:
      - ai_reply: {}
      - webhook: {url: "https://example.com/hook"}
      - webhook: {url: "https://example.com/signed", secret: s3cret}
`
	fs := check(t, src, lint.Options{NoAIModel: true, Numbers: []string{"shop-1"}, Templates: []string{"promo"}})
	want(t, fs, lint.CheckUnusedHours, 6, `hours "old" are not used`)
	want(t, fs, lint.CheckWebhookSecret, 14, "https://example.com/hook", "no secret")
	want(t, fs, lint.CheckNoAIModel, 13, "no AI model")
	want(t, fs, lint.CheckUnknownNumber, 10, `"main"`, "shop-1")
	if got := only(fs, lint.CheckUnusedTemplate); len(got) != 1 || !strings.Contains(got[0].Message, `"promo"`) {
		t.Errorf("unused templates: %v", got)
	}
	// Without the product options, only the file's own problems.
	fs = check(t, src, lint.Options{})
	for _, code := range []string{lint.CheckNoAIModel, lint.CheckUnknownNumber, lint.CheckUnusedTemplate} {
		none(t, fs, code)
	}
	fs = check(t, src, lint.Options{Numbers: []string{"main"}, Templates: []string{"promo"}})
	none(t, fs, lint.CheckUnknownNumber)
	if lint.HasErrors(fs) {
		t.Errorf("errors: %s", dump(fs))
	}
}

// A clean file has no finding at all.
func TestClean(t *testing.T) {
	fs := check(t, `
hours:
  shop:
    weekly: {mon: ["09:00-18:00"], tue: ["09:00-18:00"]}
workflows:
  - name: Handoff
    trigger: incoming_message
    priority: 10
    stop: true
    conditions: {text: {contains_any: [humain, agent]}}
    actions: [{assign: {agent: alice}}]
  - name: In hours
    trigger: incoming_message
    conditions: {schedule: {hours: shop}}
    actions: [{ai_reply: {}}]
  - name: Out of hours
    trigger: incoming_message
    conditions: {not: {schedule: {hours: shop}}}
    actions: [{reply: {text: "Fermé"}}]
  - name: Hook
    trigger: new_contact
    actions: [{webhook: {url: "https://example.com/h", secret: x}}]
`, lint.Options{})
	if len(fs) != 0 {
		t.Fatalf("findings:\n%s", dump(fs))
	}
}
