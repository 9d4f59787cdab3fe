package engine_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/waauto/waauto/action"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/workflowtest"
)

// pngBytes starts with the PNG signature so that the MIME type is sniffed.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...)

// mediaAction is a custom action running a test's function; it has no
// fields in workflow files.
type mediaAction struct {
	run func(ctx context.Context, c *action.Call) error
}

func (a *mediaAction) Run(ctx context.Context, c *action.Call) error { return a.run(ctx, c) }

// mediaHarness runs a workflow whose only action is run, registered as the
// custom action "send_media".
func mediaHarness(t *testing.T, tr workflow.Transport, loopLimit int, run func(ctx context.Context, c *action.Call) error) *workflowtest.Harness {
	t.Helper()
	reg := action.NewRegistry()
	reg.MustRegister("send_media", action.Of(func(a *mediaAction) { a.run = run }))
	h := workflowtest.New(t, workflowtest.Options{Registry: reg, Configure: func(c *engine.Config) {
		c.Transport = tr
		if loopLimit > 0 {
			c.LoopLimit = loopLimit
		}
	}})
	if err := h.Load(t.Context(), "catalogue.yaml", []byte("name: Catalogue\ntrigger: incoming_message\nactions: [{send_media: {}}]\n")); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSendMediaReachesTheTransport(t *testing.T) {
	ctx := context.Background()
	tr := &flakyTransport{}
	h := mediaHarness(t, tr, 0, func(ctx context.Context, c *action.Call) error {
		return c.Runtime.SendMedia(ctx, trigger.Media{Kind: trigger.MessageImage, Data: pngBytes}, "Notre catalogue")
	})
	res, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "catalogue ?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.tries) != 1 {
		t.Fatalf("attempts = %d, want 1", len(tr.tries))
	}
	o := tr.tries[0]
	if o.Media == nil || o.Media.Kind != trigger.MessageImage || !bytes.Equal(o.Media.Data, pngBytes) {
		t.Fatalf("media = %+v", o.Media)
	}
	if o.Media.MIMEType != "image/png" {
		t.Errorf("MIME type = %q, want sniffed image/png", o.Media.MIMEType)
	}
	if o.Text != "Notre catalogue" || o.To != "+33611111111" || o.Session != "main" || !o.Typing || o.Workflow != "Catalogue" || o.ID == "" {
		t.Errorf("outgoing = %+v", o)
	}
	if len(res.Effects) != 1 || res.Effects[0].Kind != engine.EffectSend || res.Effects[0].Text != "Notre catalogue" {
		t.Fatalf("effects = %+v", res.Effects)
	}
	rec, err := h.Store.Message(ctx, "main", o.ID)
	if err != nil {
		t.Fatalf("the id was not stored: %v", err)
	}
	if rec.Text != "Notre catalogue" {
		t.Errorf("stored text = %q", rec.Text)
	}
}

// A failed media send is retried from a JSON job: same id, same bytes.
func TestSendMediaRetriedWithTheSameIDAndBytes(t *testing.T) {
	ctx := context.Background()
	tr := &flakyTransport{fail: 2}
	h := mediaHarness(t, tr, 0, func(ctx context.Context, c *action.Call) error {
		return c.Runtime.SendMedia(ctx, trigger.Media{Kind: trigger.MessageDocument, MIMEType: "application/pdf", FileName: "tarifs.pdf", Data: []byte("%PDF-1.4 prices")}, "Tarifs")
	})
	res, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "tarifs"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Effects) != 0 {
		t.Fatalf("effects before the retry = %+v", res.Effects)
	}
	effects := h.Advance(ctx, time.Minute)
	if len(tr.tries) != 3 {
		t.Fatalf("attempts = %d, want 3", len(tr.tries))
	}
	for i, o := range tr.tries {
		if o.ID != tr.tries[0].ID {
			t.Errorf("attempt %d id = %q, want %q", i, o.ID, tr.tries[0].ID)
		}
		if o.Media == nil || string(o.Media.Data) != "%PDF-1.4 prices" || o.Media.FileName != "tarifs.pdf" || o.Media.MIMEType != "application/pdf" || o.Media.Kind != trigger.MessageDocument || o.Text != "Tarifs" {
			t.Errorf("attempt %d = %+v media %+v", i, o, o.Media)
		}
	}
	if len(effects) != 1 || effects[0].Text != "Tarifs" {
		t.Fatalf("effects after the retry = %+v", effects)
	}
}

// Media sends count towards the loop breaker like text sends.
func TestSendMediaCountsForTheLoopBreaker(t *testing.T) {
	ctx := context.Background()
	tr := &flakyTransport{}
	var errs []error
	h := mediaHarness(t, tr, 2, func(ctx context.Context, c *action.Call) error {
		errs = append(errs,
			c.Runtime.Send(ctx, "voici"),
			c.Runtime.SendMedia(ctx, trigger.Media{Kind: trigger.MessageImage, Data: pngBytes}, ""),
			c.Runtime.SendMedia(ctx, trigger.Media{Kind: trigger.MessageImage, Data: pngBytes}, ""))
		return nil
	})
	if _, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "photos"}); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 3 || errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], engine.ErrLoopBreaker) {
		t.Fatalf("errors = %v, want nil, nil, loop breaker", errs)
	}
	if len(tr.tries) != 2 || tr.tries[0].Media != nil || tr.tries[1].Media == nil {
		t.Fatalf("sent = %+v", tr.tries)
	}
}

func TestSendMediaRejectsBadFiles(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		m       trigger.Media
		caption string
		want    error
	}{
		{"too large", trigger.Media{Kind: trigger.MessageVideo, Data: make([]byte, workflow.MaxMediaSize+1)}, "", trigger.ErrMediaTooLarge},
		{"empty", trigger.Media{Kind: trigger.MessageImage}, "", workflow.ErrInvalidMedia},
		{"sticker", trigger.Media{Kind: trigger.MessageSticker, Data: pngBytes}, "", workflow.ErrInvalidMedia},
		{"audio caption", trigger.Media{Kind: trigger.MessageAudio, Data: []byte("OggS")}, "écoutez", workflow.ErrInvalidMedia},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := &flakyTransport{}
			var got error
			h := mediaHarness(t, tr, 0, func(ctx context.Context, c *action.Call) error {
				got = c.Runtime.SendMedia(ctx, tc.m, tc.caption)
				return got
			})
			res, err := h.Receive(ctx, trigger.Message{Phone: "+33611111111", Text: "x"})
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(got, tc.want) {
				t.Fatalf("err = %v, want %v", got, tc.want)
			}
			if len(tr.tries) != 0 || len(res.Effects) != 0 {
				t.Fatalf("sent %+v, effects %+v", tr.tries, res.Effects)
			}
			if len(res.Executions) != 1 || res.Executions[0].Outcome != workflow.OutcomeFailed {
				t.Fatalf("executions = %+v", res.Executions)
			}
		})
	}
	// The exact limit is accepted.
	if err := workflow.ValidateMedia(&trigger.Media{Kind: trigger.MessageVideo, Data: make([]byte, workflow.MaxMediaSize)}, ""); err != nil {
		t.Fatalf("a file of exactly MaxMediaSize: %v", err)
	}
}
