package riverqueue_test

// What the firing crash test and the PostgreSQL restart test share: the
// workflows, the stream of customer messages and its delivery, the tagging
// of replies, and the counting of what went wrong.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/waauto/waauto/action"
	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

const (
	firingReplyTag    = " re:"       // a sent text is "<reply text> re:<inbound message id>"
	firingTwoStepText = "price-1"    // the first action of the two-action workflow
	firingOrderLabel  = "order"      // the label workflow's label
	firingSession     = crashSession // the number every message is sent to
)

// The workflows every message meets, in this order: a reply to every
// message, a label on orders, two replies to price questions.
const firingWorkflows = `
workflows:
  - name: hello
    trigger: incoming_message
    actions:
      - reply: {text: hello}
  - name: orders
    trigger: incoming_message
    conditions: {text: {contains: order}}
    actions:
      - label: {add: ` + firingOrderLabel + `}
  - name: prices
    trigger: incoming_message
    conditions: {text: {contains: price}}
    actions:
      - reply: {text: ` + firingTwoStepText + `}
      - reply: {text: price-2}
`

// inbound is a customer message of the stream.
type inbound struct{ ID, Phone, Text string }

func (m inbound) order() bool { return strings.Contains(m.Text, "order") }
func (m inbound) price() bool { return strings.Contains(m.Text, "price") }

// replies are the reply texts the message must get, once each.
func (m inbound) replies() []string {
	if m.price() {
		return []string{"hello", firingTwoStepText, "price-2"}
	}
	return []string{"hello"}
}

// firings are the workflows that must fire for the message, once each.
func (m inbound) firings() []string {
	out := []string{"hello"}
	if m.order() {
		out = append(out, "orders")
	}
	if m.price() {
		out = append(out, "prices")
	}
	return out
}

func (m inbound) message() trigger.Message {
	return trigger.Message{Session: firingSession, ID: m.ID, Phone: m.Phone, Text: m.Text, Type: trigger.MessageText}
}

// firingStream is the seeded stream of n messages from contacts customers;
// about a third ask a price, a third mention an order, and at least one
// asks a price.
func firingStream(seed uint64, n, contacts int) []inbound {
	rnd := rand.New(rand.NewPCG(seed, 2))
	out := make([]inbound, n)
	for i := range out {
		text := fmt.Sprintf("m%05d", i)
		if rnd.IntN(3) == 0 {
			text += " price?"
		}
		if rnd.IntN(3) == 0 {
			text += " my order"
		}
		out[i] = inbound{ID: fmt.Sprintf("m%05d", i), Phone: fmt.Sprintf("+4915110%05d", rnd.IntN(contacts)), Text: text}
	}
	if !out[0].price() {
		out[0].Text += " price?"
	}
	return out
}

// deliver hands msgs to inbox, one goroutine per customer, each in order,
// as WhatsApp does: a message Receive refused is delivered again until it
// is accepted, then acked. It returns how many deliveries were refused.
func deliver(ctx context.Context, inbox workflow.Inbox, msgs []inbound, ack func(inbound)) int {
	byPhone := map[string][]inbound{}
	for _, m := range msgs {
		byPhone[m.Phone] = append(byPhone[m.Phone], m)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for _, ms := range byPhone {
		wg.Go(func() {
			for _, m := range ms {
				for inbox.Receive(ctx, m.message()) != nil && ctx.Err() == nil {
					mu.Lock()
					refused++
					mu.Unlock()
					time.Sleep(50 * time.Millisecond)
				}
				ack(m)
			}
		})
	}
	wg.Wait()
	return refused
}

// tagReplies is action middleware that appends firingReplyTag and the
// inbound message's id to every text an action sends, so that a delivery
// names the message and the reply it answers.
func tagReplies(next action.Action) action.Action {
	return action.Func(func(ctx context.Context, c *action.Call) error {
		tagged := *c
		tagged.Runtime = taggedRuntime{c.Runtime, firingReplyTag + c.Event.Message.ID}
		return next.Run(ctx, &tagged)
	})
}

type taggedRuntime struct {
	action.Runtime
	tag string
}

func (r taggedRuntime) Send(ctx context.Context, text string) error {
	return r.Runtime.Send(ctx, text+r.tag)
}

// firingEngine is the product's inbound automation on store, configured
// by ecfg and qcfg, with the test's workflows loaded; the loop breaker is
// off, as every message of the same customers gets a reply.
func firingEngine(t testing.TB, ctx context.Context, store *bunstore.Store, ecfg engine.Config, qcfg riverqueue.Config) (*engine.Engine, *riverqueue.Queue) {
	t.Helper()
	ecfg.LoopLimit = 1 << 30
	eng, q, err := newEngineWith(ctx, store, ecfg, qcfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Load(ctx, "firing.yaml", []byte(firingWorkflows)); err != nil {
		t.Fatal(err)
	}
	return eng, q
}

// openJobs counts the jobs not finished yet, but for the daily log purge
// (always scheduled a day ahead).
func openJobs(ctx context.Context, q *riverqueue.Queue) (int, error) {
	res, err := q.Client().JobList(ctx, river.NewJobListParams().First(10_000).States(
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled))
	if err != nil {
		return 0, fmt.Errorf("list open jobs: %w", err)
	}
	n := 0
	for _, j := range res.Jobs {
		var args struct{ Type string }
		if err := json.Unmarshal(j.EncodedArgs, &args); err != nil {
			return 0, fmt.Errorf("job %d: %w", j.ID, err)
		}
		if args.Type != workflow.JobLogPurge {
			n++
		}
	}
	return n, nil
}

// firingCounts is what checkFirings found.
type firingCounts struct {
	messages int
	// lost: a reply never delivered; doubled: a reply delivered under one
	// more message id (the customer sees it twice); resent: a delivery
	// again under the same id (an idempotent retry, not seen twice).
	lost, doubled, resent int
	// logMissing, logDouble: fired (message, workflow) pairs without an
	// execution-log row of outcome fired, and rows more than one.
	logMissing, logDouble int
	// labelsMissing: customers who ordered without the order label.
	labelsMissing int
}

func (c *firingCounts) add(o firingCounts) {
	c.messages += o.messages
	c.lost += o.lost
	c.doubled += o.doubled
	c.resent += o.resent
	c.logMissing += o.logMissing
	c.logDouble += o.logDouble
	c.labelsMissing += o.labelsMissing
}

func (c firingCounts) failed() bool {
	return c.lost+c.doubled+c.logMissing+c.logDouble+c.labelsMissing > 0
}

func (c firingCounts) String() string {
	return fmt.Sprintf("lost=%d doubled=%d resent-same-id=%d logrows-missing=%d logrows-double=%d labels-missing=%d",
		c.lost, c.doubled, c.resent, c.logMissing, c.logDouble, c.labelsMissing)
}

// checkFirings counts, for msgs, the replies lost and doubled among the
// deliveries, the fired execution-log rows missing and doubled in store,
// and the missing labels; it fails t on any delivery or row that no
// message explains.
func checkFirings(t testing.TB, ctx context.Context, store workflow.Store, msgs []inbound, sends []delivery) firingCounts {
	t.Helper()
	byID := map[string]inbound{}
	for _, m := range msgs {
		byID[m.ID] = m
	}
	type key struct{ msg, what string }
	ids, lines := map[key]map[string]bool{}, map[key]int{}
	for _, d := range sends {
		text, msg, ok := strings.Cut(d.Text, firingReplyTag)
		m, known := byID[msg]
		if !ok || !known || d.Session != firingSession || d.To != m.Phone {
			t.Errorf("delivery %+v answers no message of the stream", d)
			continue
		}
		k := key{msg, text}
		if ids[k] == nil {
			ids[k] = map[string]bool{}
		}
		ids[k][d.ID] = true
		lines[k]++
	}
	var rows []workflow.Execution
	for q := (workflow.LogQuery{Session: firingSession, Limit: workflow.MaxLogLimit}); ; {
		page, err := store.QueryLogs(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, page.Entries...)
		if q.After = page.Next; q.After == "" {
			break
		}
	}
	fired := map[key]int{}
	for _, r := range rows {
		if r.Outcome != workflow.OutcomeFired {
			t.Errorf("execution-log row %s of %s for %s is %s (%s, %+v), want fired", r.ID, r.Workflow, r.MessageID, r.Outcome, r.Reason, r.Actions)
			continue
		}
		fired[key{r.MessageID, r.Workflow}]++
	}

	c := firingCounts{messages: len(msgs)}
	ordered := map[string]bool{}
	for _, m := range msgs {
		for _, text := range m.replies() {
			k := key{m.ID, text}
			switch n := len(ids[k]); {
			case n == 0:
				c.lost++
			default:
				c.doubled += n - 1
				c.resent += lines[k] - n
			}
			delete(ids, k)
		}
		for _, wf := range m.firings() {
			k := key{m.ID, wf}
			switch n := fired[k]; {
			case n == 0:
				c.logMissing++
			default:
				c.logDouble += n - 1
			}
			delete(fired, k)
		}
		if m.order() {
			ordered[m.Phone] = true
		}
	}
	for k := range ids {
		t.Errorf("reply %q to %s delivered, but that message must not get it", k.what, k.msg)
	}
	for k, n := range fired {
		t.Errorf("%d fired execution-log rows of %s for %s, which must not fire", n, k.what, k.msg)
	}
	for phone := range ordered {
		ct, err := store.Contact(ctx, phone)
		if err != nil && !errors.Is(err, workflow.ErrNotFound) {
			t.Fatal(err)
		}
		if !slices.Contains(ct.Labels, firingOrderLabel) {
			c.labelsMissing++
		}
	}
	return c
}

// TestCheckFirings holds the crash tests' counting to known faults: a
// reply lost, one doubled under a second id, one resent with its id, a log
// row missing and one doubled, a label missing.
func TestCheckFirings(t *testing.T) {
	ctx := context.Background()
	store := newSQLite(t)
	msgs := []inbound{
		{ID: "m1", Phone: "+491511000001", Text: "m1 price? my order"},
		{ID: "m2", Phone: "+491511000002", Text: "m2"},
	}
	sent := func(id, text, msg string) delivery {
		phone := map[string]string{"m1": msgs[0].Phone, "m2": msgs[1].Phone}[msg]
		return delivery{Session: firingSession, To: phone, ID: id, Text: text + firingReplyTag + msg}
	}
	sends := []delivery{
		sent("A", "hello", "m1"), sent("A", "hello", "m1"), // resent with its id
		sent("B", firingTwoStepText, "m1"),                 // price-2 of m1 lost
		sent("C", "hello", "m2"), sent("D", "hello", "m2"), // doubled
	}
	row := func(id, wf, msg string) workflow.Execution {
		return workflow.Execution{ID: id, Time: time.Now(), WorkflowID: wf, Workflow: wf, Session: firingSession, MessageID: msg, Outcome: workflow.OutcomeFired}
	}
	// m1: hello twice, orders missing, prices once; m2: hello once.
	if err := store.AppendLogs(ctx, []workflow.Execution{row("1", "hello", "m1"), row("2", "hello", "m1"), row("3", "prices", "m1"), row("4", "hello", "m2")}); err != nil {
		t.Fatal(err)
	}
	got := checkFirings(t, ctx, store, msgs, sends)
	want := firingCounts{messages: 2, lost: 1, doubled: 1, resent: 1, logMissing: 1, logDouble: 1, labelsMissing: 1}
	if got != want || !got.failed() {
		t.Errorf("checkFirings = %+v, want %+v", got, want)
	}
}
