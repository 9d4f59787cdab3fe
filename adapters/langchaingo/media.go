package langchaingo

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"github.com/tmc/langchaingo/llms"

	"github.com/waauto/waauto/action/ai"
	"github.com/waauto/waauto/trigger"
)

// Causes recorded in a MediaError when an attachment cannot be used.
var (
	ErrNoFetch        = errors.New("attachment cannot be downloaded")
	ErrPDFEncrypted   = errors.New("PDF is encrypted")
	ErrPDFMalformed   = errors.New("PDF is malformed")
	ErrPDFNoText      = errors.New("PDF has no text layer (a scan?)")
	ErrNoVision       = fmt.Errorf("%w: the model takes no images", ai.ErrUnsupportedMedia)
	ErrUnsupportedDoc = fmt.Errorf("%w: document type not readable", ai.ErrUnsupportedMedia)
)

// usedMedia is what an attachment of the triggering message adds to the
// user turn.
type usedMedia struct {
	text  string           // note or extract, added to the user text
	image llms.ContentPart // image part, or nil
	note  ai.MediaNote
}

// useMedia turns the triggering message's attachment into text and parts.
// It never fails: a failure becomes a note the model and the log can read.
// A transcript or PDF extract is kept in r.extracts under the attachment's
// Ref, so a retried reply or a later history turn reuses it.
func (r *Responder) useMedia(ctx context.Context, m *trigger.Media) usedMedia {
	switch {
	case m.Kind == trigger.MessageImage || m.Kind == trigger.MessageSticker:
		return r.useImage(ctx, m)
	case m.Kind == trigger.MessageAudio || strings.HasPrefix(baseMIME(m.MIMEType), "audio/"):
		return r.useAudio(ctx, m)
	case m.Kind == trigger.MessageDocument && isPDF(m):
		return r.usePDF(ctx, m)
	case m.Kind == trigger.MessageVideo:
		return r.failed(ctx, m, fmt.Sprintf("[the customer sent a video %s that cannot be watched here]", quoteName(m.FileName)),
			fmt.Errorf("%w: video", ai.ErrUnsupportedMedia))
	default:
		return r.failed(ctx, m, fmt.Sprintf("[the customer sent a document %s (%s) that cannot be read here]", quoteName(m.FileName), baseMIME(m.MIMEType)),
			ErrUnsupportedDoc)
	}
}

// maxExtracts is how many transcripts and PDF extracts a Responder keeps
// (at most DefaultMaxDocumentChars runes each by default).
const maxExtracts = 64

// extract returns the cached transcript or extract of m; an attachment
// without a Ref is never cached.
func (r *Responder) extract(m *trigger.Media) (string, bool) {
	if len(m.Ref) == 0 {
		return "", false
	}
	return r.extracts.get(extractKey(m))
}

// keepExtract caches the transcript or extract of m under its Ref.
func (r *Responder) keepExtract(m *trigger.Media, text string) {
	if len(m.Ref) > 0 {
		r.extracts.put(extractKey(m), text)
	}
}

func extractKey(m *trigger.Media) string { return string(m.Kind) + "\x00" + string(m.Ref) }

// failed logs a MediaError and returns the fallback note.
func (r *Responder) failed(ctx context.Context, m *trigger.Media, text string, cause error) usedMedia {
	merr := &ai.MediaError{Kind: m.Kind, Name: m.FileName, Err: cause}
	r.logger.LogAttrs(ctx, slog.LevelWarn, "ai: attachment not used", slog.Any("error", merr))
	return usedMedia{text: text, note: ai.MediaNote{Kind: m.Kind, Note: "not used: " + cause.Error()}}
}

// fetch downloads an attachment within the size limit.
func (r *Responder) fetch(ctx context.Context, m *trigger.Media) ([]byte, error) {
	if m.Size > r.maxMediaBytes {
		return nil, fmt.Errorf("attachment over the size limit (%w): %d bytes", trigger.ErrMediaTooLarge, m.Size)
	}
	if m.Fetch == nil {
		return nil, ErrNoFetch
	}
	data, err := m.Fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("download: %w", err)
	}
	if int64(len(data)) > r.maxMediaBytes {
		return nil, fmt.Errorf("attachment over the size limit (%w): %d bytes", trigger.ErrMediaTooLarge, len(data))
	}
	return data, nil
}

var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "image/gif": true}

func (r *Responder) useImage(ctx context.Context, m *trigger.Media) usedMedia {
	if !r.vision {
		return r.failed(ctx, m, "[the customer sent a photo that cannot be seen here]", ErrNoVision)
	}
	data, err := r.fetch(ctx, m)
	if err != nil {
		return r.failed(ctx, m, "[the customer sent a photo that could not be loaded]", err)
	}
	typ := baseMIME(m.MIMEType)
	if !imageTypes[typ] {
		typ = http.DetectContentType(data)
	}
	if !imageTypes[typ] {
		return r.failed(ctx, m, "[the customer sent an image in a format that cannot be seen here]",
			fmt.Errorf("%w: %s", ai.ErrUnsupportedMedia, typ))
	}
	var part llms.ContentPart
	if r.imageParts == ImagePartDataURL {
		part = llms.ImageURLContent{URL: "data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(data)}
	} else {
		part = llms.BinaryContent{MIMEType: typ, Data: data}
	}
	return usedMedia{text: "[photo attached]", image: part,
		note: ai.MediaNote{Kind: m.Kind, Note: fmt.Sprintf("%s: %d bytes sent as image", typ, len(data))}}
}

func (r *Responder) useAudio(ctx context.Context, m *trigger.Media) usedMedia {
	if text, ok := r.extract(m); ok {
		return usedMedia{text: "[voice note, transcribed] " + text,
			note: ai.MediaNote{Kind: m.Kind, Note: "transcript reused"}}
	}
	if r.transcriber == nil {
		return r.failed(ctx, m, "[the customer sent a voice note that cannot be listened to here]", ErrNoTranscriber)
	}
	data, err := r.fetch(ctx, m)
	if err != nil {
		return r.failed(ctx, m, "[the customer sent a voice note that could not be loaded]", err)
	}
	name := m.FileName
	if name == "" {
		name = "voice" + audioExt(m.MIMEType)
	}
	text, err := r.transcriber.Transcribe(ctx, data, m.MIMEType, name)
	if err != nil {
		return r.failed(ctx, m, "[the customer sent a voice note that could not be transcribed]", err)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return r.failed(ctx, m, "[the customer sent a voice note with no audible speech]", errors.New("empty transcript"))
	}
	r.keepExtract(m, text)
	return usedMedia{text: "[voice note, transcribed] " + text,
		note: ai.MediaNote{Kind: m.Kind, Note: fmt.Sprintf("transcribed: %d chars", utf8.RuneCountInString(text))}}
}

func (r *Responder) usePDF(ctx context.Context, m *trigger.Media) usedMedia {
	if text, ok := r.extract(m); ok {
		return usedMedia{text: fmt.Sprintf("[PDF %s]\n%s", quoteName(m.FileName), text),
			note: ai.MediaNote{Kind: m.Kind, Note: "pdf: extract reused"}}
	}
	data, err := r.fetch(ctx, m)
	if err != nil {
		return r.failed(ctx, m, fmt.Sprintf("[the customer sent a PDF %s that could not be loaded]", quoteName(m.FileName)), err)
	}
	ext, err := ExtractPDF(data, r.maxDocPages, r.maxDocChars)
	if err != nil {
		return r.failed(ctx, m, fmt.Sprintf("[the customer sent a PDF %s that cannot be read: %s]", quoteName(m.FileName), reasonOf(err)), err)
	}
	body := ext.Text
	if ext.Truncated {
		body += "\n(truncated)"
	}
	r.keepExtract(m, body)
	return usedMedia{
		text: fmt.Sprintf("[PDF %s, %d pages]\n%s", quoteName(m.FileName), ext.Pages, body),
		note: ai.MediaNote{Kind: m.Kind, Note: fmt.Sprintf("pdf: %d pages, %d chars", ext.Pages, utf8.RuneCountInString(ext.Text))},
	}
}

func reasonOf(err error) string {
	switch {
	case errors.Is(err, ErrPDFEncrypted):
		return "it is password-protected"
	case errors.Is(err, ErrPDFNoText):
		return "it has no text (maybe a scan; ask for a photo)"
	default:
		return "the file is damaged"
	}
}

// PDFText is the text extracted from a PDF.
type PDFText struct {
	Text      string
	Pages     int  // pages in the document
	Truncated bool // pages or characters were cut
}

// ExtractPDF reads the text of at most maxPages pages and maxChars runes of
// a PDF. The parser panics on some malformed input; ExtractPDF recovers and
// returns ErrPDFMalformed. An encrypted PDF that needs a password returns
// ErrPDFEncrypted, one without text ErrPDFNoText.
func ExtractPDF(data []byte, maxPages, maxChars int) (out PDFText, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = PDFText{}, fmt.Errorf("%w: parser panic: %v", ErrPDFMalformed, p)
		}
	}()
	rd, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) || strings.Contains(err.Error(), "encrypt") {
			return PDFText{}, fmt.Errorf("%w: %w", ErrPDFEncrypted, err)
		}
		return PDFText{}, fmt.Errorf("%w: %w", ErrPDFMalformed, err)
	}
	out.Pages = rd.NumPage()
	var buf strings.Builder
	for i := 1; i <= out.Pages; i++ {
		if maxPages > 0 && i > maxPages {
			out.Truncated = true
			break
		}
		p := rd.Page(i)
		if p.V.IsNull() {
			continue
		}
		text, err := p.GetPlainText(nil) // per-page fonts: names repeat across pages

		if err != nil {
			return PDFText{}, fmt.Errorf("%w: page %d: %w", ErrPDFMalformed, i, err)
		}
		buf.WriteString(text)
		buf.WriteString("\n")
		if maxChars > 0 && utf8.RuneCountInString(buf.String()) > maxChars {
			break
		}
	}
	text := strings.TrimSpace(strings.ToValidUTF8(buf.String(), ""))
	if maxChars > 0 && utf8.RuneCountInString(text) > maxChars {
		text, out.Truncated = string([]rune(text)[:maxChars]), true
	}
	if text == "" {
		return PDFText{}, ErrPDFNoText
	}
	out.Text = text
	return out, nil
}

func isPDF(m *trigger.Media) bool {
	return baseMIME(m.MIMEType) == "application/pdf" || strings.EqualFold(path.Ext(m.FileName), ".pdf")
}

func baseMIME(t string) string {
	if mt, _, err := mime.ParseMediaType(t); err == nil {
		return mt
	}
	return strings.ToLower(strings.TrimSpace(t))
}

func audioExt(t string) string {
	switch baseMIME(t) {
	case "audio/mpeg":
		return ".mp3"
	case "audio/mp4", "audio/aac":
		return ".m4a"
	case "audio/wav", "audio/x-wav":
		return ".wav"
	case "audio/webm":
		return ".webm"
	default:
		return ".ogg"
	}
}

func quoteName(name string) string {
	name = oneLine(name, 80)
	if name == "" {
		return "(unnamed)"
	}
	return fmt.Sprintf("%q", name)
}
