package langchaingo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"

	"github.com/waauto/waauto/action/ai"
	lcg "github.com/waauto/waauto/adapters/langchaingo"
	"github.com/waauto/waauto/adapters/langchaingo/langchaingotest"
	"github.com/waauto/waauto/trigger"
)

func TestOpenAIRequestShape(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	srv.Reply(func(langchaingotest.ChatRequest) langchaingotest.Response {
		return langchaingotest.Response{Content: "Le pull rouge coûte 39,90 €.", PromptTokens: 812, CompletionTokens: 11}
	})
	r := newOpenAI(t, srv, lcg.WithCatalog(shopCatalog), lcg.WithMaxTokens(300))
	req := ai.Request{
		AccountPrompt: "Tu es l'assistant de la boutique Laine & Co.",
		Prompt:        "Sois bref.",
		Helpers:       []string{"Livraison offerte dès 50 €."},
		ContactName:   "Marie",
		Prefix:        "[Auto] ",
		History: []ai.Message{
			{Role: ai.RoleAutomation, Text: "[Auto] Bienvenue !"}, // leading AI turn: dropped
			{Role: ai.RoleCustomer, Text: "Bonjour"},
			{Role: ai.RoleAutomation, Text: "[Auto] Bonjour ! Comment puis-je vous aider ?"},
			{Role: ai.RoleAgent, Text: "Je regarde pour vous."},
			{Role: ai.RoleCustomer, Text: "Merci"},
		},
		Message: ai.Message{Role: ai.RoleCustomer, Text: "Combien coûte ce pull ?", Media: media(trigger.MessageImage, "image/jpeg", "", jpeg)},
	}
	reply, err := r.Respond(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Text != "Le pull rouge coûte 39,90 €." {
		t.Errorf("text = %q", reply.Text)
	}
	want := ai.Usage{Model: "test-model", PromptTokens: 812, CompletionTokens: 11, TotalTokens: 823}
	if reply.Usage != want {
		t.Errorf("usage = %+v, want %+v", reply.Usage, want)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	got := reqs[0]
	if got.Model != "test-model" || got.MaxCompletionTokens == nil || *got.MaxCompletionTokens != 300 {
		t.Errorf("model %q max_completion_tokens %v", got.Model, got.MaxCompletionTokens)
	}
	if len(got.Tools) != 0 {
		t.Errorf("the model was given tools: %v", got.Tools)
	}
	var roles []string
	for _, m := range got.Messages {
		roles = append(roles, m.Role)
	}
	if strings.Join(roles, ",") != "system,user,assistant,user" {
		t.Fatalf("roles = %v", roles)
	}
	sys := got.Messages[0]
	if sys.Parts != nil {
		t.Errorf("system content is not a plain string")
	}
	for _, s := range []string{"Laine & Co.", "Sois bref.", "- Pull rouge (M, L) — 39.90 EUR — in stock — https://shop.example/products/pull-rouge",
		"Livraison offerte dès 50 €.", `"Marie"`} {
		if !strings.Contains(sys.Text, s) {
			t.Errorf("system prompt lacks %q:\n%s", s, sys.Text)
		}
	}
	if strings.Contains(sys.Text, "Combien") || strings.Contains(sys.Text, "Bonjour") {
		t.Errorf("customer text in the system prompt")
	}
	if got.Messages[1].Text != "Bonjour" {
		t.Errorf("first user turn = %q", got.Messages[1].Text)
	}
	if a := got.Messages[2].Text; a != "Bonjour ! Comment puis-je vous aider ?\n[staff] Je regarde pour vous." {
		t.Errorf("assistant turn = %q (prefix must be stripped, agent reply marked, turns merged)", a)
	}
	last := got.Messages[3]
	if len(last.Parts) != 2 || last.Parts[1].Type != "image_url" || !strings.HasPrefix(last.Parts[1].ImageURL, "data:image/jpeg;base64,/9j/") {
		t.Fatalf("last user turn parts = %+v", last.Parts)
	}
	if !strings.HasPrefix(last.Parts[0].Text, "Merci\n") || !strings.Contains(last.Parts[0].Text, "Combien coûte ce pull ?") {
		t.Errorf("last user text = %q", last.Parts[0].Text)
	}
	if len(reply.Media) != 1 || reply.Media[0].Kind != trigger.MessageImage {
		t.Errorf("media notes = %+v", reply.Media)
	}
}

func TestOpenAILegacyMaxTokensAndNoVision(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	r, err := lcg.NewOpenAICompatible(lcg.OpenAIConfig{BaseURL: srv.BaseURL, APIKey: "x", Model: "m", LegacyMaxTokens: true, HTTPClient: srv.Client()},
		quiet, lcg.WithVision(false), lcg.WithMaxTokens(77))
	if err != nil {
		t.Fatal(err)
	}
	reply, err := r.Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Text: "c'est quoi ?", Media: media(trigger.MessageImage, "image/jpeg", "", jpeg)}})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Requests()[0]
	if got.MaxTokens == nil || *got.MaxTokens != 77 || got.MaxCompletionTokens != nil {
		t.Errorf("max_tokens %v max_completion_tokens %v", got.MaxTokens, got.MaxCompletionTokens)
	}
	last := got.Messages[len(got.Messages)-1]
	if last.Parts != nil || !strings.Contains(last.Text, "photo that cannot be seen") {
		t.Errorf("a text-only model got %+v", last)
	}
	if len(reply.Media) != 1 || !strings.Contains(reply.Media[0].Note, "not used") {
		t.Errorf("media notes = %+v", reply.Media)
	}
}

func TestOpenAIErrors(t *testing.T) {
	cases := []struct {
		name     string
		resp     langchaingotest.Response
		requests int
		check    func(error) bool
	}{
		{"401 fails fast", langchaingotest.Response{Status: 401, Error: "Incorrect API key provided"}, 1, llms.IsAuthenticationError},
		{"429 retried twice", langchaingotest.Response{Status: 429, Error: "Rate limit exceeded"}, 3, llms.IsRateLimitError},
		{"503 retried twice", langchaingotest.Response{Status: 503, Error: "Service Unavailable"}, 3, llms.IsProviderUnavailableError},
		{"empty content", langchaingotest.Response{Content: ""}, 1, func(err error) bool { return errors.Is(err, ai.ErrEmptyReply) }},
		{"no choices", langchaingotest.Response{NoChoices: true}, 1, func(err error) bool { return errors.Is(err, ai.ErrModel) }},
		{"refusal", langchaingotest.Response{FinishReason: "content_filter"}, 1, func(err error) bool { return errors.Is(err, lcg.ErrRefusal) }},
		{"broken encoding", langchaingotest.Response{Content: "caf\xff"}, 1, func(err error) bool { return errors.Is(err, lcg.ErrInvalidText) }},
		{"think only", langchaingotest.Response{Content: "<think>hmm</think>  "}, 1, func(err error) bool { return errors.Is(err, ai.ErrEmptyReply) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := langchaingotest.NewServer(t)
			srv.Reply(func(langchaingotest.ChatRequest) langchaingotest.Response { return c.resp })
			_, err := newOpenAI(t, srv).Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Text: "hi"}})
			if err == nil || !c.check(err) {
				t.Fatalf("err = %v", err)
			}
			if n := len(srv.Requests()); n != c.requests {
				t.Errorf("%d requests, want %d", n, c.requests)
			}
		})
	}
}

func TestOpenAITimeout(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	srv.Reply(func(langchaingotest.ChatRequest) langchaingotest.Response {
		return langchaingotest.Response{Content: "late", Delay: 10 * time.Second}
	})
	r := newOpenAI(t, srv, lcg.WithTimeout(50*time.Millisecond))
	_, err := r.Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Text: "hi"}})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ai.ErrModel) {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests after a timeout, want 1 (no retry)", n)
	}
}

func TestOpenAIGuards(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	srv.Reply(func(langchaingotest.ChatRequest) langchaingotest.Response {
		return langchaingotest.Response{Content: "<think>plan</think>[Auto] Appelez le +33 6 12 34 56 78 ou le 01 23 45 67 89, voir https://evil.example/x et https://shop.example/p. Merci !"}
	})
	r := newOpenAI(t, srv, lcg.WithLinkAllowList("shop.example"), lcg.WithPhoneAllowList("+33 1 23 45 67 89"))
	reply, err := r.Respond(context.Background(), ai.Request{Prefix: "[Auto] ", Message: ai.Message{Role: ai.RoleCustomer, Text: "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "Appelez le ou le 01 23 45 67 89, voir et https://shop.example/p. Merci !"
	if reply.Text != want {
		t.Errorf("reply = %q\nwant    %q", reply.Text, want)
	}
	rej := newOpenAI(t, srv, lcg.WithLinkAllowList("shop.example"), lcg.WithGuardMode(lcg.GuardReject))
	if _, err := rej.Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Text: "hi"}}); !errors.Is(err, lcg.ErrDisallowedContent) {
		t.Errorf("reject mode: err = %v", err)
	}
}

func TestOpenAILengthCap(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	long := strings.Repeat("Très bien. ", 100)
	srv.Reply(func(langchaingotest.ChatRequest) langchaingotest.Response {
		return langchaingotest.Response{Content: long}
	})
	reply, err := newOpenAI(t, srv, lcg.WithMaxReplyRunes(55)).Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Text: "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(reply.Text)); n > 55 || n < 30 || !strings.HasSuffix(reply.Text, ".") {
		t.Errorf("capped reply (%d runes) = %q", n, reply.Text)
	}
}

func TestVoiceNoteTranscribed(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	srv.SetTranscript("je voudrais le pull en taille M")
	voice := media(trigger.MessageAudio, "audio/ogg; codecs=opus", "", []byte("OggS fake opus"))
	reply, err := newOpenAI(t, srv).Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Media: voice}})
	if err != nil {
		t.Fatal(err)
	}
	tr := srv.Transcriptions()
	if len(tr) != 1 || tr[0].FileName != "voice.ogg" || tr[0].Model != "whisper-1" || tr[0].Format != "json" || tr[0].Size != 14 {
		t.Fatalf("transcriptions = %+v", tr)
	}
	last := srv.Requests()[0].Messages[1]
	if !strings.Contains(last.Text, "[voice note, transcribed] je voudrais le pull en taille M") {
		t.Errorf("user turn = %q", last.Text)
	}
	if len(reply.Media) != 1 || !strings.Contains(reply.Media[0].Note, "transcribed") {
		t.Errorf("notes = %+v", reply.Media)
	}
}

// A transcript is kept under the attachment's Ref: a retried reply and a
// later history turn reuse it without transcribing again.
func TestVoiceNoteTranscriptReused(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	srv.SetTranscript("je voudrais le pull en taille M")
	r := newOpenAI(t, srv)
	voice := media(trigger.MessageAudio, "audio/ogg", "", []byte("OggS fake opus"))
	voice.Ref = []byte("voice-1")
	for range 2 {
		if _, err := r.Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Media: voice}}); err != nil {
			t.Fatal(err)
		}
	}
	reply, err := r.Respond(context.Background(), ai.Request{
		History: []ai.Message{{Role: ai.RoleCustomer, Media: voice}},
		Message: ai.Message{Role: ai.RoleCustomer, Text: "alors ?"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Transcriptions()); n != 1 {
		t.Errorf("%d transcriptions, want 1", n)
	}
	reqs := srv.Requests()
	if retry := reqs[1].Messages[len(reqs[1].Messages)-1].Text; !strings.Contains(retry, "[voice note, transcribed] je voudrais le pull en taille M") {
		t.Errorf("retried user turn = %q", retry)
	}
	if hist := reqs[2].Messages[1].Text; !strings.Contains(hist, "[voice note] je voudrais le pull en taille M") {
		t.Errorf("history turn = %q", hist)
	}
	if len(reply.Media) != 0 {
		t.Errorf("notes = %+v", reply.Media)
	}
}

func TestMediaFailureKeepsReply(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	cases := []*trigger.Media{
		media(trigger.MessageDocument, "application/pdf", "facture.pdf", []byte("%PDF-1.4 garbage that is not a pdf")),
		{Kind: trigger.MessageImage, MIMEType: "image/jpeg", Size: 1 << 30, Fetch: func(context.Context) ([]byte, error) { t.Error("fetched an oversized image"); return nil, nil }},
		{Kind: trigger.MessageAudio, MIMEType: "audio/ogg", Fetch: func(context.Context) ([]byte, error) { return nil, errors.New("download failed") }},
		media(trigger.MessageVideo, "video/mp4", "clip.mp4", []byte("x")),
	}
	for _, m := range cases {
		reply, err := newOpenAI(t, srv).Respond(context.Background(), ai.Request{Message: ai.Message{Role: ai.RoleCustomer, Text: "voilà", Media: m}})
		if err != nil || reply.Text != "OK" {
			t.Errorf("%s: reply %q err %v", m.Kind, reply.Text, err)
		}
		if len(reply.Media) != 1 || !strings.HasPrefix(reply.Media[0].Note, "not used") {
			t.Errorf("%s: notes %+v", m.Kind, reply.Media)
		}
	}
}

func TestTranslateCached(t *testing.T) {
	srv := langchaingotest.NewServer(t)
	srv.Reply(func(req langchaingotest.ChatRequest) langchaingotest.Response {
		return langchaingotest.Response{Content: "Gracias por escribir.", PromptTokens: 20, CompletionTokens: 5}
	})
	r := newOpenAI(t, srv)
	for i := 0; i < 3; i++ {
		tr, err := r.Translate(context.Background(), "Merci d'avoir écrit.", "es")
		if err != nil || tr.Text != "Gracias por escribir." {
			t.Fatalf("translation %q err %v", tr.Text, err)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d model calls for one (text, lang), want 1", len(reqs))
	}
	if reqs[0].Temperature == nil || *reqs[0].Temperature != 0 {
		t.Errorf("temperature = %v", reqs[0].Temperature)
	}
	if !strings.Contains(reqs[0].Messages[0].Text, "into Spanish") || reqs[0].Messages[1].Text != "Merci d'avoir écrit." {
		t.Errorf("messages = %+v", reqs[0].Messages)
	}
	if _, err := r.Translate(context.Background(), "Merci d'avoir écrit.", "de"); err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != 2 {
		t.Errorf("another language must call the model again")
	}
}
