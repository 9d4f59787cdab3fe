package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// jobBox is a JobQueue that keeps jobs for the test to run by hand, the
// way a durable queue hands a job again after an error or a crash.
type jobBox struct {
	mu   sync.Mutex
	seen map[string]bool
	jobs []workflow.Job
}

func (q *jobBox) Enqueue(_ context.Context, j workflow.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.seen == nil {
		q.seen = map[string]bool{}
	}
	if !q.seen[j.ID] {
		q.seen[j.ID] = true
		q.jobs = append(q.jobs, j)
	}
	return nil
}

// drain runs every job, putting back the ones that fail, until none is
// left; it fails the test after 10 rounds.
func (q *jobBox) drain(t *testing.T, e *engine.Engine) {
	t.Helper()
	for round := 0; ; round++ {
		q.mu.Lock()
		jobs := q.jobs
		q.jobs = nil
		q.mu.Unlock()
		if len(jobs) == 0 {
			return
		}
		if round == 10 {
			t.Fatalf("jobs still failing after 10 rounds: %+v", jobs)
		}
		for _, j := range jobs {
			if j.Kind == workflow.JobLogPurge {
				continue
			}
			if err := e.RunJob(context.Background(), j); err != nil {
				q.mu.Lock()
				q.jobs = append(q.jobs, j)
				q.mu.Unlock()
			}
		}
	}
}

// flakyTransport fails its first fail sends and records every attempt.
type flakyTransport struct {
	mu    sync.Mutex
	fail  int
	tries []workflow.Outgoing
	sent  []workflow.Outgoing
}

func (f *flakyTransport) Send(_ context.Context, m workflow.Outgoing) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries = append(f.tries, m)
	if len(f.tries) <= f.fail {
		return errors.New("connection reset")
	}
	f.sent = append(f.sent, m)
	return nil
}

// faultStore is a Store whose named methods fail the given number of
// times, like a database restart, or a crash when the test then stops using
// the engine that met the failure.
type faultStore struct {
	workflow.Store
	mu   sync.Mutex
	fail map[string]int
}

func (s *faultStore) fault(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail[method] > 0 {
		s.fail[method]--
		return errors.New(method + ": SQLSTATE 57P01: terminating connection due to administrator command")
	}
	return nil
}

func (s *faultStore) RecordOutbound(ctx context.Context, m workflow.Outbound) (workflow.Conversation, error) {
	if err := s.fault("RecordOutbound"); err != nil {
		return workflow.Conversation{}, err
	}
	return s.Store.RecordOutbound(ctx, m)
}

func (s *faultStore) BeginFiring(ctx context.Context, f workflow.Firing) (bool, error) {
	if err := s.fault("BeginFiring"); err != nil {
		return false, err
	}
	return s.Store.BeginFiring(ctx, f)
}

func (s *faultStore) CompleteStep(ctx context.Context, firingID string, st workflow.FiringStep) error {
	if err := s.fault("CompleteStep"); err != nil {
		return err
	}
	return s.Store.CompleteStep(ctx, firingID, st)
}

func (s *faultStore) AppendLogs(ctx context.Context, entries []workflow.Execution) error {
	if err := s.fault("AppendLogs"); err != nil {
		return err
	}
	return s.Store.AppendLogs(ctx, entries)
}

func (s *faultStore) FinishFiring(ctx context.Context, f workflow.Firing, log workflow.Execution) error {
	if err := s.fault("FinishFiring"); err != nil {
		return err
	}
	return s.Store.FinishFiring(ctx, f, log)
}

const replyWorkflow = "name: R\ntrigger: incoming_message\nactions: [{reply: {text: hi}}, {label: {add: [greeted]}}]\n"

func newOnceEngine(t *testing.T, st workflow.Store, tr workflow.Transport, q workflow.JobQueue) *engine.Engine {
	t.Helper()
	e, err := engine.New(engine.Config{Store: st, Transport: tr, Compiler: expr.New(), Jobs: q})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetWorkflows(context.Background(), mustLoad(t, replyWorkflow, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	return e
}

// checkOnce checks one reply went out and the workflow has one execution row.
func checkOnce(t *testing.T, st workflow.Store, tr *flakyTransport) {
	t.Helper()
	if len(tr.sent) != 1 || tr.sent[0].Text != "hi" {
		t.Errorf("sent = %+v, want one \"hi\"", tr.sent)
	}
	page, err := st.QueryLogs(context.Background(), workflow.LogQuery{WorkflowID: "r"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 || page.Entries[0].Outcome != workflow.OutcomeFired {
		t.Errorf("execution rows = %+v, want one fired", page.Entries)
	}
}

var onceMsg = trigger.Message{ID: "wa-1", Session: "main", Phone: "+33611111111", Text: "yo"}

func TestTransportFailsOnceReplySentOnce(t *testing.T) {
	ctx := context.Background()
	st, tr, q := memstore.New(), &flakyTransport{fail: 1}, &jobBox{}
	e := newOnceEngine(t, st, tr, q)
	if err := e.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	q.drain(t, e)
	checkOnce(t, st, tr)
	if len(tr.tries) != 2 || tr.tries[0].ID != tr.tries[1].ID {
		t.Errorf("attempts = %+v, want 2 with one id", tr.tries)
	}
}

// A store error during a firing (a database restart) makes the job fail,
// and the queue's retry resumes the firing: one reply, one log row, and a
// send acknowledged before the error is not repeated.
func TestStoreErrorDuringFiringIsRetried(t *testing.T) {
	for _, method := range []string{"RecordOutbound", "FinishFiring"} {
		t.Run(method, func(t *testing.T) {
			ctx := context.Background()
			mem, tr, q := memstore.New(), &flakyTransport{}, &jobBox{}
			e := newOnceEngine(t, &faultStore{Store: mem, fail: map[string]int{method: 1}}, tr, q)
			if err := e.Receive(ctx, onceMsg); err != nil {
				t.Fatal(err)
			}
			q.drain(t, e)
			checkOnce(t, mem, tr)
			if len(tr.tries) != 1 {
				t.Errorf("transport attempts = %+v, want 1", tr.tries)
			}
		})
	}
}

// crashRun runs the inbound job of onceMsg on an engine whose store fails
// at method (the process dies there), then on a fresh engine on the same
// store (a restart whose queue runs the job again), and returns the store.
func crashRun(t *testing.T, method string, tr *flakyTransport, wf string) workflow.Store {
	t.Helper()
	ctx := context.Background()
	mem, q := memstore.New(), &jobBox{}
	e1, err := engine.New(engine.Config{Store: &faultStore{Store: mem, fail: map[string]int{method: 1}}, Transport: tr, Compiler: expr.New(), Jobs: q})
	if err != nil {
		t.Fatal(err)
	}
	if err := e1.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if err := e1.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	if len(q.jobs) != 1 {
		t.Fatalf("queued jobs = %+v, want the inbound job", q.jobs)
	}
	job := q.jobs[0]
	if err := e1.RunJob(ctx, job); err == nil {
		t.Fatalf("the job met a failing %s and returned nil: the queue would not run it again", method)
	}
	e2, err := engine.New(engine.Config{Store: mem, Transport: tr, Compiler: expr.New(), Jobs: &jobBox{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e2.RunJob(ctx, job); err != nil {
		t.Fatalf("re-run after the crash: %v", err)
	}
	if err := e2.RunJob(ctx, job); err != nil { // a duplicate delivery of the job
		t.Fatalf("third run: %v", err)
	}
	return mem
}

// A crash between a firing's begin and its finish, after the reply was
// acknowledged: the re-run resumes the firing, does not send again and
// writes the one log row.
func TestCrashBeforeFinishResumes(t *testing.T) {
	tr := &flakyTransport{}
	st := crashRun(t, "FinishFiring", tr, replyWorkflow)
	checkOnce(t, st, tr)
	if len(tr.tries) != 1 {
		t.Errorf("transport attempts = %+v, want 1", tr.tries)
	}
	c, err := st.Contact(context.Background(), onceMsg.Phone)
	if err != nil || len(c.Labels) != 1 || c.Labels[0] != "greeted" {
		t.Errorf("contact after the resume = %+v, %v; want label greeted once", c, err)
	}
}

// A crash after the transport took the reply but before it was recorded as
// sent: the resumed firing sends again with the same id (WhatsApp keeps
// one), recorded once.
func TestCrashAfterSendResendsTheSameID(t *testing.T) {
	tr := &flakyTransport{}
	st := crashRun(t, "CompleteStep", tr, replyWorkflow)
	if len(tr.tries) != 2 || tr.tries[0].ID != tr.tries[1].ID {
		t.Fatalf("attempts = %+v, want 2 with one id", tr.tries)
	}
	page, err := st.QueryLogs(context.Background(), workflow.LogQuery{WorkflowID: "r"})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("execution rows = %+v, %v; want 1", page.Entries, err)
	}
	hist, err := st.History(context.Background(), onceMsg.Session, onceMsg.Phone, 0, 10)
	if err != nil || len(hist) != 2 || hist[1].ID != tr.tries[0].ID {
		t.Errorf("conversation = %+v, %v; want the message and one reply with the sent id", hist, err)
	}
}

// Round robin draws its agent once per firing: the resumed firing assigns
// the agent of its first run.
func TestRoundRobinStableAcrossResume(t *testing.T) {
	const wf = "name: R\ntrigger: incoming_message\nactions: [{assign: {agents: [ana, bob, cyd], strategy: round_robin}}, {reply: {text: hi}}]\n"
	var agents []string
	tr := &flakyTransport{}
	obs := engine.ObserverFunc(func(_ context.Context, e engine.Effect) {
		if e.Kind == engine.EffectAssign {
			agents = append(agents, e.Agent)
		}
	})
	ctx := context.Background()
	mem, q := memstore.New(), &jobBox{}
	e1, _ := engine.New(engine.Config{Store: &faultStore{Store: mem, fail: map[string]int{"CompleteStep": 1}}, Transport: tr, Compiler: expr.New(), Jobs: q, Observer: obs})
	if err := e1.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if err := e1.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	q.drain(t, e1)
	if len(agents) != 2 || agents[0] != agents[1] {
		t.Errorf("agents assigned by the first run and the resume = %v, want the same one twice", agents)
	}
	if n, _ := mem.Next(ctx, "workflow/r/assign.round_robin", "", ""); n != 1 {
		t.Errorf("round-robin counter after one firing = %d, want 1 (drawn once)", n)
	}
}

// keyAction records the idempotency key of each of its runs.
type keyAction struct{ keys *[]string }

func (a keyAction) Run(_ context.Context, c *action.Call) error {
	*a.keys = append(*a.keys, c.IdempotencyKey)
	return nil
}

// A custom action gets the same idempotency key on the re-run of a firing
// that a crash cut after it ran; another message gets another key.
func TestCustomActionKeyStableAcrossResume(t *testing.T) {
	ctx := context.Background()
	var keys []string
	reg := action.NewRegistry()
	reg.MustRegister("record_key", action.Of(func(a *keyAction) { a.keys = &keys }))
	mem, q, tr := memstore.New(), &jobBox{}, &flakyTransport{}
	e, _ := engine.New(engine.Config{Store: &faultStore{Store: mem, fail: map[string]int{"FinishFiring": 1}}, Transport: tr, Compiler: expr.New(), Jobs: q, Registry: reg})
	d := mustLoad(t, "name: K\ntrigger: incoming_message\nactions: [{record_key: {}}]\n", workflow.LoadOptions{Registry: reg})
	if err := e.SetWorkflows(ctx, d); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"wa-1", "wa-2"} {
		m := onceMsg
		m.ID = id
		if err := e.Receive(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	q.drain(t, e)
	want := workflow.FiringID("k", "main", "wa-1") + "/0"
	if len(keys) != 3 || keys[0] != want || keys[1] == keys[0] || keys[2] != want {
		t.Errorf("keys = %v, want %s on the run and the re-run of wa-1 and another for wa-2", keys, want)
	}
}

// The rows of evaluations that did not fire are stored before the job
// returns, once however often the job runs.
func TestNonFiredRowsStoredOnce(t *testing.T) {
	ctx := context.Background()
	mem, q := memstore.New(), &jobBox{}
	e := newOnceEngine(t, mem, &flakyTransport{}, q)
	d := mustLoad(t, "name: S\nmode: shadow\ntrigger: incoming_message\nactions: [{reply: {text: hi}}]\n", workflow.LoadOptions{})
	if err := e.SetWorkflows(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := e.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	job := q.jobs[0]
	for range 3 {
		if err := e.RunJob(ctx, job); err != nil {
			t.Fatal(err)
		}
	}
	page, err := mem.QueryLogs(ctx, workflow.LogQuery{})
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Outcome != workflow.OutcomeShadow {
		t.Errorf("log after 3 runs of the job = %+v, %v; want one shadow row", page.Entries, err)
	}
}

// A database error during the firing (the process then dies there), then a
// restart that runs the job again: the reply goes out once.
func TestCrashAtRecordThenRerunSendsOnce(t *testing.T) {
	tr := &flakyTransport{}
	st := crashRun(t, "RecordOutbound", tr, replyWorkflow)
	checkOnce(t, st, tr)
}

// A crash right after the job ran (nothing buffered is lost), then a queue
// rescue that runs the job again: one reply, one log row.
func TestCrashAfterJobKeepsOneReplyAndOneLogRow(t *testing.T) {
	ctx := context.Background()
	mem, q, tr := memstore.New(), &jobBox{}, &flakyTransport{}
	e1 := newOnceEngine(t, mem, tr, q)
	if err := e1.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	job := q.jobs[0]
	if err := e1.RunJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	e2 := newOnceEngine(t, mem, tr, &jobBox{})
	if err := e2.RunJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	checkOnce(t, mem, tr)
}

// fetchAction fetches the triggering message's media.
type fetchAction struct{ got *[]string }

func (a fetchAction) Run(ctx context.Context, c *action.Call) error {
	md := c.Event.Message.Media
	if md == nil || md.Fetch == nil {
		return errors.New("no media fetch")
	}
	b, err := md.Fetch(ctx)
	if err != nil {
		return err
	}
	*a.got = append(*a.got, string(b))
	return nil
}

// The media of a message received by one process is fetched by another
// that runs the queued job (a restart, another instance): the job carries
// the transport's durable reference, not an in-memory download.
func TestMediaFetchedWhereTheJobRuns(t *testing.T) {
	ctx := context.Background()
	var got []string
	reg := action.NewRegistry()
	reg.MustRegister("fetch", action.Of(func(a *fetchAction) { a.got = &got }))
	d := mustLoad(t, "name: F\ntrigger: incoming_message\nactions: [{fetch: {}}]\n", workflow.LoadOptions{Registry: reg})
	mem, q := memstore.New(), &jobBox{}
	e1, _ := engine.New(engine.Config{Store: mem, Transport: &flakyTransport{}, Compiler: expr.New(), Jobs: q, Registry: reg})
	if err := e1.SetWorkflows(ctx, d); err != nil {
		t.Fatal(err)
	}
	m := onceMsg
	m.Type, m.Media = trigger.MessageImage, &trigger.Media{MIMEType: "image/jpeg", Ref: []byte("ref-1"),
		Fetch: func(context.Context) ([]byte, error) {
			return nil, errors.New("in-memory fetch used by another process")
		}}
	if err := e1.Receive(ctx, m); err != nil {
		t.Fatal(err)
	}
	e2, _ := engine.New(engine.Config{Store: mem, Transport: &flakyTransport{}, Compiler: expr.New(), Jobs: &jobBox{}, Registry: reg,
		Media: refMedia{"main/ref-1": "jpeg"}})
	if err := e2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e2.RunJob(ctx, q.jobs[0]); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "jpeg" {
		t.Errorf("fetched = %q, want the bytes of ref-1 through Config.Media", got)
	}
}

// An AI reply job cut after its send (its log row failed): the re-run sends
// the recorded reply again with its id, without a second generation or a
// second debit, and writes one row.
func TestAIReplyRerunResendsTheRecordedReply(t *testing.T) {
	ctx := context.Background()
	mem, q, tr, model := memstore.New(), &jobBox{}, &flakyTransport{}, &captureAI{}
	st := &faultStore{Store: mem, fail: map[string]int{"AppendLogs": 1}}
	e, _ := engine.New(engine.Config{Store: st, Transport: tr, Compiler: expr.New(), Jobs: q, Responder: model, MeterCredits: true})
	if err := mem.SetCredits(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if err := e.SetWorkflows(ctx, mustLoad(t, "name: IA\ntrigger: incoming_message\nactions: [{ai_reply: {}}]\n", workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if err := e.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	q.drain(t, e)
	if len(model.reqs) != 1 {
		t.Errorf("model calls = %d, want 1", len(model.reqs))
	}
	if len(tr.sent) != 2 || tr.sent[0].ID != tr.sent[1].ID || tr.sent[1].Text != "Voici le prix" {
		t.Errorf("sends = %+v, want the reply twice with one id", tr.sent)
	}
	if bal, _ := mem.CreditBalance(ctx); bal != 9 {
		t.Errorf("credits = %d, want 9 (one debit)", bal)
	}
	page, err := mem.QueryLogs(ctx, workflow.LogQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var ai int
	for _, x := range page.Entries {
		if len(x.Actions) > 0 && x.Actions[0].Type == "ai_reply" && x.Reason == "ai reply sent" {
			ai++
			if x.Actions[0].Credits != 1 {
				t.Errorf("the re-run's row says the reply cost %d credits, want 1 (charged by the first run)", x.Actions[0].Credits)
			}
		}
	}
	if ai != 1 {
		t.Errorf("ai reply rows = %d in %+v, want 1", ai, page.Entries)
	}
}

// posts records webhook deliveries.
type posts struct{ got []workflow.WebhookDelivery }

func (p *posts) Post(_ context.Context, d workflow.WebhookDelivery) error {
	p.got = append(p.got, d)
	return nil
}

// A webhook posted by a firing cut before its step was recorded is posted
// again by the resume (at least once) with the same idempotency key.
func TestWebhookKeyStableAcrossResume(t *testing.T) {
	ctx := context.Background()
	mem, q, hooks := memstore.New(), &jobBox{}, &posts{}
	st := &faultStore{Store: mem, fail: map[string]int{"CompleteStep": 1}}
	e, _ := engine.New(engine.Config{Store: st, Transport: &flakyTransport{}, Compiler: expr.New(), Jobs: q, Webhooks: hooks})
	d := mustLoad(t, "name: W\ntrigger: incoming_message\nactions: [{webhook: {url: \"https://crm.example/hook\"}}, {reply: {text: hi}}]\n", workflow.LoadOptions{})
	if err := e.SetWorkflows(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := e.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	q.drain(t, e)
	want := workflow.FiringID("w", "main", "wa-1") + "/0"
	if len(hooks.got) != 2 || hooks.got[0].IdempotencyKey != want || hooks.got[1].IdempotencyKey != want {
		t.Errorf("posts = %+v, want 2 with key %s", hooks.got, want)
	}
}

// A workflow with stop whose firing could not begin or was cut by an error
// still stops the ones after it, on the first run and on the retry.
func TestStopHoldsWhileAFiringIsRetried(t *testing.T) {
	for _, method := range []string{"BeginFiring", "RecordOutbound"} {
		t.Run(method, func(t *testing.T) { testStopHolds(t, method) })
	}
}

func testStopHolds(t *testing.T, method string) {
	ctx := context.Background()
	mem, tr, q := memstore.New(), &flakyTransport{}, &jobBox{}
	e, _ := engine.New(engine.Config{Store: &faultStore{Store: mem, fail: map[string]int{method: 1}}, Transport: tr, Compiler: expr.New(), Jobs: q})
	d := mustLoad(t, `workflows:
  - {name: First, priority: 1, stop: true, trigger: incoming_message, actions: [{reply: {text: first}}]}
  - {name: Second, priority: 2, trigger: incoming_message, actions: [{reply: {text: second}}]}
`, workflow.LoadOptions{})
	if err := e.SetWorkflows(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := e.Receive(ctx, onceMsg); err != nil {
		t.Fatal(err)
	}
	job := q.jobs[0]
	q.drain(t, e)
	// A duplicate run finds the stopping workflow's firing done: it skips it
	// and still stops.
	if err := e.RunJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	if len(tr.sent) != 1 || tr.sent[0].Text != "first" {
		t.Errorf("sent = %+v, want only the stopping workflow's reply", tr.sent)
	}
}
