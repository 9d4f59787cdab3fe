package langchaingo

import (
	"errors"
	"fmt"

	"github.com/waauto/waauto/action/ai"
)

// Errors of a reply the model produced but that cannot be sent. Each wraps
// ai.ErrEmptyReply (no usable reply), so the core's fallback handles them
// alike; test the reason with errors.Is.
var (
	// ErrEmptyChoices: the provider answered with no choice at all.
	ErrEmptyChoices = fmt.Errorf("%w: no choices", ai.ErrEmptyReply)
	// ErrRefusal: the model refused or the provider filtered the reply.
	ErrRefusal = fmt.Errorf("%w: the model refused", ai.ErrEmptyReply)
	// ErrInvalidText: the reply is not valid UTF-8 (or holds replacement
	// characters from a broken encoding).
	ErrInvalidText = fmt.Errorf("%w: invalid UTF-8", ai.ErrEmptyReply)
	// ErrPromptLeak: the reply repeats the system prompt.
	ErrPromptLeak = fmt.Errorf("%w: the reply repeats the system prompt", ai.ErrEmptyReply)
	// ErrDisallowedContent: in Reject mode, the reply holds a link or a
	// phone number outside the allow-list.
	ErrDisallowedContent = fmt.Errorf("%w: link or phone number not allowed", ai.ErrEmptyReply)
)

// ErrNoTranscriber is the cause in a MediaError for a voice note when no
// Transcriber is configured.
var ErrNoTranscriber = errors.New("no transcriber configured")
