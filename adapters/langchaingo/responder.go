package langchaingo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/waauto/waauto/action/ai"
)

// Responder implements ai.Responder and ai.Translator over an llms.Model.
// It is safe for concurrent use.
type Responder struct {
	model       llms.Model
	modelName   string
	catalog     ai.Catalog
	transcriber Transcriber
	imageParts  ImagePartMode
	vision      bool

	maxTokens     int
	temperature   float64
	timeout       time.Duration
	maxReplyRunes int
	catalogBudget int
	historyBudget int
	maxDocChars   int
	maxDocPages   int
	maxMediaBytes int64

	allowedHosts  []string // nil: link guard off
	allowedPhones []string // nil: phone guard off
	guardMode     GuardMode

	retries  int
	backoff  time.Duration
	callOpts []llms.CallOption

	cacheSize    int
	translations *lru
	extracts     *lru // transcripts and PDF extracts by Ref (see extract)

	// canary is a random marker placed in every system prompt; a reply that
	// contains it leaked the prompt and is rejected.
	canary string
	logger *slog.Logger
}

var (
	_ ai.Responder  = (*Responder)(nil)
	_ ai.Translator = (*Responder)(nil)
)

// New returns a Responder over model. Images are sent as data URLs to
// *openai.LLM models and as binary parts to any other model, unless
// WithImageParts says otherwise.
func New(model llms.Model, opts ...Option) *Responder {
	r := &Responder{
		model:         model,
		vision:        true,
		maxTokens:     DefaultMaxTokens,
		temperature:   DefaultTemperature,
		timeout:       DefaultTimeout,
		maxReplyRunes: DefaultMaxReplyRunes,
		catalogBudget: DefaultCatalogBudget,
		historyBudget: DefaultHistoryBudget,
		maxDocChars:   DefaultMaxDocumentChars,
		maxDocPages:   DefaultMaxDocumentPages,
		maxMediaBytes: DefaultMaxMediaBytes,
		retries:       DefaultRetries,
		backoff:       DefaultRetryBackoff,
		cacheSize:     DefaultTranslationCache,
		canary:        newCanary(),
	}
	if _, ok := model.(*openai.LLM); ok {
		r.imageParts = ImagePartDataURL
	} else {
		r.imageParts = ImagePartBinary
	}
	for _, o := range opts {
		o(r)
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	r.translations = newLRU(r.cacheSize)
	r.extracts = newLRU(maxExtracts)
	return r
}

func newCanary() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "WA-" + hex.EncodeToString(b[:])
}

// Respond writes the reply to req. Media failures never fail the reply:
// they become notes in the prompt and in Reply.Media. A model failure, an
// empty or unusable reply, or a reply the guards reject returns an error
// wrapping ai.ErrModel, ai.ErrEmptyReply or ErrDisallowedContent.
func (r *Responder) Respond(ctx context.Context, req ai.Request) (ai.Reply, error) {
	ctx, cancel := r.withDeadline(ctx)
	defer cancel()
	start := time.Now()

	msgs, notes := r.buildMessages(ctx, req)
	resp, usage, err := r.generate(ctx, msgs, r.replyCallOptions())
	if err != nil {
		r.logger.LogAttrs(ctx, slog.LevelWarn, "ai_reply failed",
			slog.String("model", r.modelName), slog.Duration("latency", time.Since(start)), slog.Any("error", err))
		return ai.Reply{Usage: usage, Media: notes}, fmt.Errorf("ai_reply: %w", err)
	}
	text, err := r.guard(req, resp)
	r.logger.LogAttrs(ctx, slog.LevelInfo, "ai_reply",
		slog.String("model", usage.Model),
		slog.Int("prompt_tokens", usage.PromptTokens),
		slog.Int("completion_tokens", usage.CompletionTokens),
		slog.Duration("latency", time.Since(start)),
		slog.Int("media", len(notes)),
		slog.Bool("ok", err == nil))
	if err != nil {
		return ai.Reply{Usage: usage, Media: notes}, fmt.Errorf("ai_reply: %w", err)
	}
	return ai.Reply{Text: text, Usage: usage, Media: notes}, nil
}

func (r *Responder) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, r.timeout)
}

func (r *Responder) replyCallOptions() []llms.CallOption {
	opts := []llms.CallOption{llms.WithMaxTokens(r.maxTokens), llms.WithTemperature(r.temperature)}
	return append(opts, r.callOpts...)
}

// generate calls the model, retrying rate limits and unavailable providers
// a few times while the deadline allows, and returns the first non-empty
// choice's text with the normalised usage.
func (r *Responder) generate(ctx context.Context, msgs []llms.MessageContent, opts []llms.CallOption) (choice, ai.Usage, error) {
	usage := ai.Usage{Model: r.modelName}
	for attempt := 0; ; attempt++ {
		resp, err := r.model.GenerateContent(ctx, msgs, opts...)
		if err == nil {
			c, u, err := pickChoice(resp)
			if u.Model == "" {
				u.Model = r.modelName
			}
			return c, u, err
		}
		err = classify(ctx, err)
		if attempt >= r.retries || !retryable(err) || !r.sleep(ctx, attempt) {
			return choice{}, usage, err
		}
		r.logger.LogAttrs(ctx, slog.LevelInfo, "ai: retrying model call",
			slog.Int("attempt", attempt+1), slog.Any("error", err))
	}
}

// sleep waits before retry attempt+1; false when the deadline would pass.
func (r *Responder) sleep(ctx context.Context, attempt int) bool {
	d := r.backoff << attempt
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// choice is the usable part of a model response.
type choice struct {
	Text       string
	StopReason string
}

func pickChoice(resp *llms.ContentResponse) (choice, ai.Usage, error) {
	if resp == nil || len(resp.Choices) == 0 {
		return choice{}, ai.Usage{}, ErrEmptyChoices
	}
	var usage ai.Usage
	for _, c := range resp.Choices {
		if c == nil {
			continue
		}
		if u := usageOf(c.GenerationInfo); u.TotalTokens > 0 {
			usage = u
		}
	}
	for _, c := range resp.Choices {
		if c != nil && c.Content != "" {
			return choice{Text: c.Content, StopReason: c.StopReason}, usage, nil
		}
	}
	first := resp.Choices[0]
	if first != nil && isRefusal(first.StopReason) {
		return choice{}, usage, fmt.Errorf("%w (stop reason %q)", ErrRefusal, first.StopReason)
	}
	return choice{}, usage, ai.ErrEmptyReply
}

// usageOf normalises the token counts langchaingo providers put in
// GenerationInfo under different keys and integer types.
func usageOf(info map[string]any) ai.Usage {
	prompt := firstInt(info, "PromptTokens", "InputTokens", "input_tokens")
	completion := firstInt(info, "CompletionTokens", "OutputTokens", "output_tokens")
	total := firstInt(info, "TotalTokens", "total_tokens")
	if total == 0 {
		total = prompt + completion
	}
	return ai.Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: total}
}

func firstInt(info map[string]any, keys ...string) int {
	for _, k := range keys {
		switch v := info[k].(type) {
		case int:
			return v
		case int32:
			return int(v)
		case int64:
			return int(v)
		case float64:
			return int(v)
		case float32:
			return int(v)
		}
	}
	return 0
}

func isRefusal(stop string) bool {
	return stop == "refusal" || stop == "content_filter"
}

// classify turns a provider error into a wrapped, classified error: the
// result wraps ai.ErrModel and a *llms.Error with a code (test it with
// llms.IsRateLimitError and friends), and ctx's own error when the
// deadline passed or the call was cancelled (langchaingo's openai client
// does not wrap it).
func classify(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	var le *llms.Error
	if !errors.As(err, &le) {
		err = llms.NewErrorMapper("model").Map(err)
	}
	return fmt.Errorf("%w: %w", ai.ErrModel, err)
}

func retryable(err error) bool {
	return llms.IsRateLimitError(err) || llms.IsProviderUnavailableError(err)
}
