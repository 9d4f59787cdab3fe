package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/replay"
)

// "Test against the last 30 days": the builder replays the customer
// messages of a recent period through the unsaved draft, in place of the
// saved workflow and beside the other saved workflows (workflow/replay),
// and shows per workflow what fired before, what would fire, what is new
// and what no longer fires, with example conversations and their traces.
// Nothing is sent and the store is only read.

// replayDays are the periods the builder offers, in days; the first is
// the default.
var replayDays = []int{30, 7, 90}

// Bounds of one replay: it stops after replayMaxMessages customer
// messages or replayTimeout, and says so.
const (
	replayMaxMessages = 20000
	replayTimeout     = 20 * time.Second
)

// Why a replay stopped before the end of its period.
const (
	stopLimit = "limit"
	stopTime  = "time"
)

// replayResult is the builder's replay panel, times in the shop's zone.
type replayResult struct {
	Days int    `json:"days"`
	From string `json:"from"`
	To   string `json:"to"`
	Zone string `json:"zone"`
	// Messages counts the customer messages replayed.
	Messages int `json:"messages"`
	// Stopped is stopLimit or stopTime when the replay did not reach
	// the end of the period; "" when it did.
	Stopped   string           `json:"stopped,omitempty"`
	Workflows []replayWorkflow `json:"workflows"`
}

// replayWorkflow is one workflow's row of the panel.
type replayWorkflow struct {
	Name string `json:"name"`
	// Draft: this row is the workflow being edited; InDraft: the set
	// replayed has it (false: it fired before and is gone).
	Draft    bool `json:"draft,omitempty"`
	InDraft  bool `json:"inDraft"`
	Before   int  `json:"before"`
	Would    int  `json:"would"`
	New      int  `json:"new"`
	NoLonger int  `json:"noLonger"`
	// Examples of would fire, new and no longer.
	WouldExamples    []replayExample `json:"wouldExamples"`
	NewExamples      []replayExample `json:"newExamples"`
	NoLongerExamples []replayExample `json:"noLongerExamples"`
}

// replayExample is one example message, its time in the shop's zone.
type replayExample struct {
	Time        string          `json:"time"`
	Session     string          `json:"session"`
	Phone       string          `json:"phone"`
	Text        string          `json:"text"`
	Agent       string          `json:"agent,omitempty"`
	Labels      []string        `json:"labels,omitempty"`
	Note        string          `json:"note,omitempty"`
	Trace       condition.Trace `json:"trace"`
	BeforeTrace condition.Trace `json:"beforeTrace,omitempty"`
}

// builderReplay replays the period's customer messages through the saved
// workflows with the draft in place of req.Original (or added) and
// answers the comparison. A draft that could not be saved is answered
// with its errors, as Save would.
func (d *Dashboard) builderReplay(w http.ResponseWriter, r *http.Request) {
	wf, req, ok := d.savableDraft(w, r)
	if !ok {
		return
	}
	days := req.Days
	if days == 0 {
		days = replayDays[0]
	}
	if !slices.Contains(replayDays, days) {
		d.answerDraft(w, r, fieldErr("replay.days", "replay.err.days", days))
		return
	}
	res, err := d.replay(r.Context(), wf, req.Original, days)
	if err != nil {
		d.log.ErrorContext(r.Context(), "builder replay failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, builderReply{Errors: fieldErr("replay", "replay.err.failed").translated(d.tr[d.lang(r)])})
		return
	}
	res.translate(d.tr[d.lang(r)])
	writeJSON(w, http.StatusOK, builderReply{OK: true, Replay: &res})
}

// replay runs the saved set with wf in place of original over the last
// days days, bounded by replayMaxMessages and replayTimeout.
func (d *Dashboard) replay(ctx context.Context, wf workflow.Workflow, original string, days int) (replayResult, error) {
	st, ok := d.store.(replay.Store)
	if !ok {
		return replayResult{}, fmt.Errorf("the store %T cannot scan its messages", d.store)
	}
	ws, _ := withDraft(slices.Clone(d.engine.Workflows()), wf, original)
	loc := d.location()
	until := time.Now()
	since := until.In(loc).AddDate(0, 0, -days)
	capped := &boundedStore{Store: st, since: since, until: until, max: replayMaxMessages}
	stop, cancel := context.WithTimeout(ctx, replayTimeout)
	defer cancel()
	capped.stop = stop
	rep, err := replay.Run(ctx, capped, workflow.Definitions{Workflows: ws}, replay.Options{
		Since: since, Until: until, Compiler: d.compiler, Location: loc, Hours: d.engine.Hours(),
	})
	if err != nil {
		return replayResult{}, err
	}
	res := replayResult{Days: days, From: d.when(since), To: d.when(until), Zone: loc.String(),
		Messages: rep.Messages, Stopped: capped.stopped, Workflows: []replayWorkflow{}}
	for _, x := range rep.Workflows {
		res.Workflows = append(res.Workflows, replayWorkflow{
			Name: x.Name, Draft: x.Name == wf.Name, InDraft: x.InDraft,
			Before: x.Before, Would: x.Would, New: x.New, NoLonger: x.NoLonger,
			WouldExamples: d.examples(x.WouldExamples), NewExamples: d.examples(x.NewExamples),
			NoLongerExamples: d.examples(x.NoLongerExamples),
		})
	}
	return res, nil
}

// examples are xs as the panel shows them.
func (d *Dashboard) examples(xs []replay.Example) []replayExample {
	out := make([]replayExample, len(xs))
	for i, x := range xs {
		out[i] = replayExample{Time: d.when(x.Time), Session: x.Session, Phone: x.Phone, Text: x.Text, Agent: x.Agent,
			Labels: x.Labels, Note: x.Note, Trace: x.Trace, BeforeTrace: x.BeforeTrace}
	}
	return out
}

// translate puts the replay's notes (why a workflow no longer fires) and
// traces in the language of tr.
func (res *replayResult) translate(tr translator) {
	for i := range res.Workflows {
		w := &res.Workflows[i]
		for _, xs := range [][]replayExample{w.WouldExamples, w.NewExamples, w.NoLongerExamples} {
			for j := range xs {
				xs[j].Note = noteText(xs[j].Note, tr)
				xs[j].Trace, xs[j].BeforeTrace = tr.trace(xs[j].Trace), tr.trace(xs[j].BeforeTrace)
			}
		}
	}
}

// noteText is the replay's note in the language of tr; a note it does
// not know stays as it is.
func noteText(note string, tr translator) string {
	switch note {
	case "":
		return ""
	case "not in the draft":
		return tr.T("replay.note.not_in_draft")
	case "disabled in the draft":
		return tr.T("replay.note.disabled")
	case "conditions do not match":
		return tr.T("replay.note.no_match")
	case "shadow mode":
		return tr.T("replay.note.shadow")
	case "cooldown":
		return tr.T("replay.note.cooldown")
	case "conditions do not match, or its trigger or number does not apply":
		return tr.T("replay.note.not_applying")
	}
	if name, ok := strings.CutSuffix(note, " fires first and stops"); ok {
		return tr.T("replay.note.stopped_by", name)
	}
	if msg, ok := strings.CutPrefix(note, "conditions failed: "); ok {
		return tr.T("replay.note.failed", msg)
	}
	return note
}

// errStopReplay ends a bounded scan early; it never leaves boundedStore.
var errStopReplay = errors.New("replay bound reached")

// boundedStore is a replay.Store whose scan stops after max customer
// messages of the period or once stop is done, and remembers why.
type boundedStore struct {
	replay.Store
	since, until time.Time
	max          int
	stop         context.Context
	seen         int
	// stopped is stopLimit or stopTime once the scan stopped early.
	stopped string
}

// ScanMessages passes the messages on until a bound is reached: the
// batch that reaches the limit is cut after its last message counted.
func (s *boundedStore) ScanMessages(ctx context.Context, fn func([]workflow.MessageRecord) error) error {
	err := s.Store.ScanMessages(ctx, func(batch []workflow.MessageRecord) error {
		if s.stop != nil && s.stop.Err() != nil {
			s.stopped = stopTime
			return errStopReplay
		}
		for i, m := range batch {
			if m.Author != workflow.AuthorCustomer || m.Time.Before(s.since) || !m.Time.Before(s.until) {
				continue
			}
			if s.seen == s.max {
				s.stopped = stopLimit
				if err := fn(batch[:i]); err != nil {
					return err
				}
				return errStopReplay
			}
			s.seen++
		}
		return fn(batch)
	})
	if errors.Is(err, errStopReplay) {
		return nil
	}
	return err
}
