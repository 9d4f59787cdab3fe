package langchaingo

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/waauto/waauto/action/ai"
)

var (
	thinkBlock = regexp.MustCompile(`(?is)^\s*<think(?:ing)?>.*?</think(?:ing)?>`)
	linkRe     = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"')\]]+`)
	phoneRe    = regexp.MustCompile(`\+?\d[\d\s().-]{6,}\d`)
	// leakWords is the length of a run of words copied from the account or
	// workflow prompt that counts as reciting it.
	leakWords = 12
)

// guard turns the model's text into a sendable reply: it removes a <think>
// block, an echoed prefix or staff mark, rejects invalid text and prompt
// leaks, applies the link and phone allow-lists and caps the length.
func (r *Responder) guard(req ai.Request, c choice) (string, error) {
	text := c.Text
	if !utf8.ValidString(text) || strings.ContainsRune(text, utf8.RuneError) {
		return "", ErrInvalidText
	}
	text = thinkBlock.ReplaceAllString(text, "")
	text = strings.TrimSpace(text)
	for _, p := range []string{req.Prefix, staffMark} {
		text = strings.TrimSpace(stripPrefix(text, p))
	}
	if text == "" {
		if isRefusal(c.StopReason) {
			return "", ErrRefusal
		}
		return "", ai.ErrEmptyReply
	}
	if r.leaks(req, text) {
		return "", ErrPromptLeak
	}
	text, err := r.allowList(req, text)
	if err != nil {
		return "", err
	}
	text = capRunes(strings.TrimSpace(text), r.maxReplyRunes)
	if text == "" {
		return "", ai.ErrEmptyReply
	}
	return text, nil
}

// leaks reports whether text holds the canary, a rule line, or a run of
// leakWords words from the account or workflow prompt.
func (r *Responder) leaks(req ai.Request, text string) bool {
	if strings.Contains(text, r.canary) {
		return true
	}
	reply := " " + strings.Join(wordList(text), " ") + " "
	for _, rule := range fixedRules {
		if strings.Contains(reply, " "+strings.Join(wordList(rule), " ")+" ") {
			return true
		}
	}
	for _, src := range []string{req.AccountPrompt, req.Prompt} {
		ws := wordList(src)
		if len(ws) < leakWords {
			if len(ws) >= 5 && strings.Contains(reply, " "+strings.Join(ws, " ")+" ") {
				return true
			}
			continue
		}
		for i := 0; i+leakWords <= len(ws); i++ {
			if strings.Contains(reply, " "+strings.Join(ws[i:i+leakWords], " ")+" ") {
				return true
			}
		}
	}
	return false
}

func wordList(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// allowList strips (or, in Reject mode, rejects) links and phone numbers
// outside the allow-lists. Each list is off while unset.
func (r *Responder) allowList(req ai.Request, text string) (string, error) {
	bad := false
	if r.allowedHosts != nil {
		text = linkRe.ReplaceAllStringFunc(text, func(l string) string {
			if r.hostAllowed(l) {
				return l
			}
			bad = true
			return ""
		})
	}
	if r.allowedPhones != nil {
		text = phoneRe.ReplaceAllStringFunc(text, func(p string) string {
			d := digits(p)
			looksLikePhone := len(d) >= 10 || (len(d) >= 8 && (p[0] == '+' || p[0] == '0'))
			if !looksLikePhone || len(d) > 15 || r.phoneAllowed(d) {
				return p
			}
			bad = true
			return ""
		})
	}
	if bad && r.guardMode == GuardReject {
		return "", ErrDisallowedContent
	}
	if bad {
		text = tidySpaces(text)
	}
	return text, nil
}

func (r *Responder) hostAllowed(link string) bool {
	if !strings.Contains(link, "://") {
		link = "https://" + link
	}
	u, err := url.Parse(link)
	if err != nil || u.Hostname() == "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range r.allowedHosts {
		h = strings.ToLower(strings.TrimPrefix(h, "www."))
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// phoneAllowed compares numbers by their last 9 digits, so "+33 1 23 45
// 67 89" and the national "01 23 45 67 89" are the same number.
func (r *Responder) phoneAllowed(d string) bool {
	for _, p := range r.allowedPhones {
		if a := digits(p); a != "" && lastDigits(a, 9) == lastDigits(d, 9) {
			return true
		}
	}
	return false
}

func lastDigits(d string, n int) string {
	if len(d) > n {
		return d[len(d)-n:]
	}
	return d
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func tidySpaces(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// capRunes cuts s to at most max runes, at the last sentence end or space
// before the limit, and ends it with "…".
func capRunes(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	rs := []rune(s)[:max-1]
	cut := len(rs)
	for i := len(rs) - 1; i > len(rs)/2; i-- {
		if rs[i] == '.' || rs[i] == '!' || rs[i] == '?' || rs[i] == '\n' {
			return strings.TrimSpace(string(rs[:i+1]))
		}
		if unicode.IsSpace(rs[i]) && cut == len(rs) {
			cut = i
		}
	}
	return strings.TrimSpace(string(rs[:cut])) + "…"
}
