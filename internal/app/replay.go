package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/replay"
)

// cmdReplay plays the recorded customer messages of a period through a
// draft rule set (workflow/replay) and prints, per workflow, fired before /
// would fire / new / no longer with examples, or the report as JSON with
// --json. It reads the database only. Exit 2 on usage or load errors.
func cmdReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := commandFlags("replay", stderr)
	since := fs.String("since", "30d", "start of the period: a duration back from --until (30d, 12h) or a date (2026-11-01)")
	until := fs.String("until", "", "end of the period (excluded): a date (2026-11-27); default now")
	file := fs.String("workflows", "", "the draft workflow file (required)")
	db := fs.String("db", env("WAAUTO_DB", "waauto.db"), "SQLite file, or a postgres:// DSN (env WAAUTO_DB)")
	tz := fs.String("tz", env("TZ", "UTC"), "the account's time zone, as serve --tz (IANA name; default $TZ or UTC)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "waauto replay: error: "+format+"\n", a...)
		return 2
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fail("--tz %q is not a time zone (want an IANA name, e.g. Europe/Paris)", *tz)
	}
	end := time.Now().In(loc)
	if *until != "" {
		if end, err = time.ParseInLocation(time.DateOnly, *until, loc); err != nil {
			return fail("--until %q is not a date (want YYYY-MM-DD)", *until)
		}
	}
	start, err := periodStart(*since, end, loc)
	if err != nil {
		return fail("%v", err)
	}
	if *file == "" {
		return fail("no --workflows FILE given (the draft to replay)")
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return fail("%v", err)
	}
	draft, err := workflow.Load(*file, data, workflow.LoadOptions{Compiler: expr.New(), Location: loc})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if _, err := os.Stat(*db); !isPostgres(*db) && err != nil {
		return fail("database %s: %v", *db, err)
	}
	st, err := bunstore.Open(ctx, *db, bunstore.Options{})
	if err != nil {
		return fail("database %s: %v", bunstore.Redact(*db), err)
	}
	defer st.Close()
	rep, err := replay.Run(ctx, st, draft, replay.Options{Since: start, Until: end, Compiler: expr.New(), Location: loc})
	if err != nil {
		return fail("%v", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fail("%v", err)
		}
		return 0
	}
	printReplay(stdout, *file, rep, loc)
	return 0
}

// periodStart reads --since: "30d", "12h", "90m" back from end, or a date.
func periodStart(s string, end time.Time, loc *time.Location) (time.Time, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days > 0 {
			return end.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return end.Add(-d), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q is neither a duration (30d, 12h) nor a date (YYYY-MM-DD)", s)
}

// printReplay writes the report as a table, then the examples with their traces.
func printReplay(w io.Writer, file string, rep replay.Report, loc *time.Location) {
	const day = "2006-01-02 15:04"
	fmt.Fprintf(w, "Replay of %s through %s, %s to %s (%s)\n\n", count(rep.Messages, "customer message"), file,
		rep.Since.In(loc).Format(day), rep.Until.In(loc).Format(day), loc)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "workflow\tfired before\twould fire\tnew\tno longer")
	for _, x := range rep.Workflows {
		name := x.Name
		if !x.InDraft {
			name += " (not in the draft)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", name, x.Before, x.Would, x.New, x.NoLonger)
	}
	tw.Flush()
	for _, x := range rep.Workflows {
		for _, l := range []struct {
			what string
			ex   []replay.Example
		}{{"would fire", x.WouldExamples}, {"new", x.NewExamples}, {"no longer", x.NoLongerExamples}} {
			if len(l.ex) == 0 {
				continue
			}
			fmt.Fprintf(w, "\n%s — %s:\n", x.Name, l.what)
			for _, e := range l.ex {
				fmt.Fprintf(w, "  %s %s %s %q", e.Time.In(loc).Format(day), e.Session, e.Phone, e.Text)
				if e.Agent != "" {
					fmt.Fprintf(w, " (agent %s)", e.Agent)
				}
				if e.Note != "" {
					fmt.Fprintf(w, " — %s", e.Note)
				}
				fmt.Fprintln(w)
				printTrace(w, "before", e.BeforeTrace)
				printTrace(w, "draft", e.Trace)
			}
		}
	}
	fmt.Fprintln(w, "\nApproximations:")
	for _, a := range replay.Approximations {
		fmt.Fprintf(w, "  - %s\n", a)
	}
}

// printTrace writes a trace under its label, one leaf per line.
func printTrace(w io.Writer, label string, t condition.Trace) {
	s := strings.TrimRight(t.String(), "\n")
	if s == "" {
		return
	}
	fmt.Fprintf(w, "    %s:\n      %s\n", label, strings.ReplaceAll(s, "\n", "\n      "))
}
