package langchaingo

import (
	"log/slog"
	"time"

	"github.com/tmc/langchaingo/llms"

	"github.com/waauto/waauto/action/ai"
)

// ImagePartMode says how an image reaches the model: providers disagree.
type ImagePartMode int

const (
	// ImagePartDataURL sends an image as llms.ImageURLContent holding a data: URL,
	// the format of OpenAI-compatible servers.
	ImagePartDataURL ImagePartMode = iota + 1
	// ImagePartBinary sends an image as llms.BinaryContent, the format of the
	// anthropic, ollama and googleai providers.
	ImagePartBinary
)

// GuardMode says what happens to a link or phone number outside the
// allow-list in a reply.
type GuardMode int

const (
	// GuardStrip removes the offending link or number and keeps the rest of
	// the reply (the default).
	GuardStrip GuardMode = iota
	// GuardReject fails the reply with ErrDisallowedContent, so the core runs
	// its fallback.
	GuardReject
)

// Defaults of a Responder; each can be changed with an Option.
const (
	DefaultMaxTokens        = 600
	DefaultTemperature      = 0.3
	DefaultTimeout          = 60 * time.Second
	DefaultMaxReplyRunes    = 2000
	DefaultCatalogBudget    = 12000
	DefaultHistoryBudget    = 8000
	DefaultMaxDocumentChars = 20000
	DefaultMaxDocumentPages = 30
	DefaultMaxMediaBytes    = 16 << 20
	DefaultRetries          = 2
	DefaultRetryBackoff     = 500 * time.Millisecond
	DefaultTranslationCache = 1024
)

// Option configures a Responder.
type Option func(*Responder)

// WithModelName names the model in ai.Usage and logs (the provider's own
// model option still decides what is sent).
func WithModelName(name string) Option { return func(r *Responder) { r.modelName = name } }

// WithCatalog sets the product catalogue summarised into the system prompt.
func WithCatalog(c ai.Catalog) Option { return func(r *Responder) { r.catalog = c } }

// WithTranscriber sets the speech-to-text backend for voice notes; without
// one, a voice note becomes a note saying it could not be listened to.
func WithTranscriber(t Transcriber) Option { return func(r *Responder) { r.transcriber = t } }

// WithImageParts chooses how images are sent (see ImagePartMode).
func WithImageParts(m ImagePartMode) Option { return func(r *Responder) { r.imageParts = m } }

// WithVision says whether the model accepts images (default true). With
// false an image becomes a text note and no image part is ever sent.
func WithVision(ok bool) Option { return func(r *Responder) { r.vision = ok } }

// WithMaxTokens sets the max-tokens option of every call.
func WithMaxTokens(n int) Option { return func(r *Responder) { r.maxTokens = n } }

// WithTemperature sets the sampling temperature of replies (translations
// always use 0).
func WithTemperature(t float64) Option { return func(r *Responder) { r.temperature = t } }

// WithTimeout sets the deadline of one Respond or Translate call, applied
// when ctx has no earlier deadline.
func WithTimeout(d time.Duration) Option { return func(r *Responder) { r.timeout = d } }

// WithMaxReplyRunes caps the length of a reply in runes (hard cap, applied
// after generation by cutting at a word boundary).
func WithMaxReplyRunes(n int) Option { return func(r *Responder) { r.maxReplyRunes = n } }

// WithCatalogBudget sets how many characters of catalogue the system prompt
// may hold.
func WithCatalogBudget(chars int) Option { return func(r *Responder) { r.catalogBudget = chars } }

// WithHistoryBudget sets how many characters of history are sent; the most
// recent messages are kept.
func WithHistoryBudget(chars int) Option { return func(r *Responder) { r.historyBudget = chars } }

// WithMaxDocumentChars caps the text extracted from one PDF.
func WithMaxDocumentChars(n int) Option { return func(r *Responder) { r.maxDocChars = n } }

// WithMaxDocumentPages caps the pages read from one PDF.
func WithMaxDocumentPages(n int) Option { return func(r *Responder) { r.maxDocPages = n } }

// WithMaxMediaBytes caps the size of an attachment that is downloaded.
func WithMaxMediaBytes(n int64) Option { return func(r *Responder) { r.maxMediaBytes = n } }

// WithLinkAllowList turns the link guard on: links in a reply whose host is
// not one of hosts (or a subdomain of one), nor the host of a catalogue
// product, are stripped or rejected according to WithGuardMode.
func WithLinkAllowList(hosts ...string) Option {
	return func(r *Responder) { r.allowedHosts = append([]string{}, hosts...) }
}

// WithPhoneAllowList turns the phone guard on: phone numbers in a reply
// that are not one of numbers (compared digit by digit) are stripped or
// rejected according to WithGuardMode.
func WithPhoneAllowList(numbers ...string) Option {
	return func(r *Responder) { r.allowedPhones = append([]string{}, numbers...) }
}

// WithGuardMode chooses Strip (default) or Reject for the allow-lists.
func WithGuardMode(m GuardMode) Option { return func(r *Responder) { r.guardMode = m } }

// WithRetries sets how many times a rate-limited or unavailable provider is
// retried (with exponential backoff, only while the deadline allows).
func WithRetries(n int, backoff time.Duration) Option {
	return func(r *Responder) { r.retries, r.backoff = n, backoff }
}

// WithCallOptions adds langchaingo call options to every call.
func WithCallOptions(opts ...llms.CallOption) Option {
	return func(r *Responder) { r.callOpts = append(r.callOpts, opts...) }
}

// WithTranslationCache sets the size of the translation LRU (entries).
func WithTranslationCache(n int) Option { return func(r *Responder) { r.cacheSize = n } }

// WithLogger sets the logger; nil discards.
func WithLogger(l *slog.Logger) Option { return func(r *Responder) { r.logger = l } }
