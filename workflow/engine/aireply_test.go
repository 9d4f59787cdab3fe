package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// captureAI records the requests it gets and answers with err, or the text.
type captureAI struct {
	reqs []ai.Request
	err  error
}

func (c *captureAI) Respond(_ context.Context, r ai.Request) (ai.Reply, error) {
	c.reqs = append(c.reqs, r)
	if c.err != nil {
		return ai.Reply{}, c.err
	}
	return ai.Reply{Text: "Voici le prix"}, nil
}

// refMedia fetches the media of its refs, like a transport downloading a
// message's file from its durable reference.
type refMedia map[string]string

func (r refMedia) FetchMedia(_ context.Context, session string, ref []byte) ([]byte, error) {
	data, ok := r[session+"/"+string(ref)]
	if !ok {
		return nil, errors.New("no media " + string(ref))
	}
	return []byte(data), nil
}

func aiHarness(t *testing.T, model *captureAI, fallback []workflow.Step) *workflowtest.Harness {
	t.Helper()
	h := workflowtest.New(t, workflowtest.Options{Configure: func(c *engine.Config) {
		c.Responder, c.AIFallback, c.AccountPrompt = model, fallback, "Boutique de pulls"
		c.Media = refMedia{"main/photo-1": "jpeg"}
	}})
	d := mustLoad(t, "name: IA\ntrigger: incoming_message\nactions: [{ai_reply: {prefix: \"[Auto] \", history: 5}}]\n", workflow.LoadOptions{})
	if err := h.Engine.SetWorkflows(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAIReplyGetsMediaHistoryAndPrompt(t *testing.T) {
	ctx := context.Background()
	model := &captureAI{}
	h := aiHarness(t, model, nil)
	if _, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	res, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Type: trigger.MessageImage, Text: "ce pull ?",
		Media: &trigger.Media{MIMEType: "image/jpeg", Size: 4, Ref: []byte("photo-1")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Effects) != 1 || res.Effects[0].Text != "[Auto] Voici le prix" {
		t.Fatalf("effects = %+v", res.Effects)
	}
	r := model.reqs[1]
	if r.AccountPrompt != "Boutique de pulls" || r.Prefix != "[Auto] " || r.Message.Text != "ce pull ?" {
		t.Fatalf("request = %+v", r)
	}
	if r.Message.Media == nil || r.Message.Media.Kind != trigger.MessageImage || r.Message.Media.MIMEType != "image/jpeg" {
		t.Fatalf("media = %+v", r.Message.Media)
	}
	// The AI job got the durable reference, not an in-memory download.
	if b, err := r.Message.Media.Fetch(ctx); string(b) != "jpeg" {
		t.Fatalf("fetched %q, %v", b, err)
	}
	// History: the first message and the first reply (prefix stripped), not the trigger.
	if len(r.History) != 2 || r.History[0].Text != "Bonjour" || r.History[0].Role != ai.RoleCustomer ||
		r.History[1].Text != "Voici le prix" || r.History[1].Role != ai.RoleAutomation {
		t.Fatalf("history = %+v", r.History)
	}
}

func TestAIFailureRunsTheFallbackAndLogs(t *testing.T) {
	ctx := context.Background()
	model := &captureAI{err: errors.New("503 from provider")}
	h := aiHarness(t, model, []workflow.Step{
		{Type: "assign", Action: &action.Assign{Agent: "humain"}},
		{Type: "label", Action: &action.Label{Add: action.Strings{"ia-echec"}}},
	})
	res, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "Prix ?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Effects) != 2 || res.Effects[0].Kind != engine.EffectAssign || res.Effects[0].Agent != "humain" || res.Effects[1].Add != "ia-echec" {
		t.Fatalf("effects = %+v", res.Effects)
	}
	page, _ := h.Store.QueryLogs(ctx, workflow.LogQuery{Outcome: workflow.OutcomeFailed})
	if len(page.Entries) != 1 || page.Entries[0].Reason != "model failed" || len(page.Entries[0].Actions) != 3 {
		t.Fatalf("log = %+v", page.Entries)
	}
}

// A debounced reply whose burst was lost (the process restarted while it
// waited) still answers the message that started it.
func TestDebouncedReplySurvivesALostBurst(t *testing.T) {
	ctx := context.Background()
	model := &captureAI{}
	st := memstore.New()
	wf := "name: IA\ntrigger: incoming_message\nactions: [{ai_reply: {debounce: 30s}}]\n"
	h1 := workflowtest.New(t, workflowtest.Options{Store: st, Configure: func(c *engine.Config) { c.Responder = model }})
	if err := h1.Engine.SetWorkflows(ctx, mustLoad(t, wf, workflow.LoadOptions{})); err != nil {
		t.Fatal(err)
	}
	if _, err := h1.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	jobs := h1.Clock.Pending()
	var ai []workflow.Job
	for _, j := range jobs {
		if j.Kind == workflow.JobAIReply {
			ai = append(ai, j)
		}
	}
	if len(ai) != 1 {
		t.Fatalf("waiting AI jobs = %+v", ai)
	}
	// A new process: same store, no burst in memory; its queue runs the job.
	tr := &recorder{}
	e2, _ := engine.New(engine.Config{Store: st, Transport: tr, Compiler: expr.New(), Responder: model, Clock: h1.Clock})
	if err := e2.RunJob(ctx, ai[0]); err != nil {
		t.Fatal(err)
	}
	if len(tr.sent) != 1 || tr.sent[0].Text != "Voici le prix" || model.reqs[0].Message.Text != "Bonjour" {
		t.Fatalf("sent %+v after the restart, model saw %+v", tr.sent, model.reqs)
	}
}
