package whatsmeow

import (
	"context"
	"fmt"
	"strings"

	"github.com/waauto/waauto/trigger"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// mediaRef returns the durable reference of the media of m (for
// trigger.Media.Ref): a message holding only its media part — direct path,
// media key, file hashes, length and MIME type — without thumbnails or
// quoted context, as protobuf. It is nil when m has nothing to download.
func mediaRef(m *waE2E.Message) []byte {
	d, ok := downloadable(m).(proto.Message)
	if !ok {
		return nil
	}
	var ref waE2E.Message
	m.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsList() || fd.IsMap() || v.Message().Interface() != d {
			return true
		}
		part := proto.Clone(d).ProtoReflect()
		part.Range(func(f protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
			if name := strings.ToLower(string(f.Name())); strings.Contains(name, "thumbnail") || strings.Contains(name, "context") {
				part.Clear(f)
			}
			return true
		})
		ref.ProtoReflect().Set(fd, protoreflect.ValueOfMessage(part))
		return false
	})
	b, err := proto.Marshal(&ref)
	if err != nil {
		return nil
	}
	return b
}

// FetchMedia downloads the media of an incoming message of session from
// its durable reference (trigger.Media.Ref, made by the Receiver), within
// MaxMediaSize: the engine calls it where a queued job runs, after a
// restart or on another instance than the one that received the message.
// It implements workflow.MediaFetcher.
func (t *Transport) FetchMedia(ctx context.Context, session string, ref []byte) ([]byte, error) {
	var m waE2E.Message
	if err := proto.Unmarshal(ref, &m); err != nil {
		return nil, fmt.Errorf("media of session %q: bad reference: %w", session, err)
	}
	var cli Client
	ok := false
	if t.Lookup != nil {
		cli, ok = t.Lookup(session)
	}
	if !ok || cli == nil {
		return nil, fmt.Errorf("media of session %q: %w", session, ErrUnknownSession)
	}
	limit := t.MaxMediaSize
	if limit <= 0 {
		limit = DefaultMaxMediaSize
	}
	return download(ctx, cli, downloadable(&m), declaredSize(&m), limit, "in session "+session)
}

// download fetches payload through cli within limit bytes; what names the
// message in errors.
func download(ctx context.Context, cli Client, payload whatsmeow.DownloadableMessage, declared, limit int64, what string) ([]byte, error) {
	if payload == nil {
		return nil, fmt.Errorf("message %s: %w", what, ErrNoMedia)
	}
	if declared > limit {
		return nil, fmt.Errorf("message %s: %d bytes > %d: %w", what, declared, limit, trigger.ErrMediaTooLarge)
	}
	data, err := cli.Download(ctx, payload)
	if err != nil {
		return nil, fmt.Errorf("download media of message %s: %w", what, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("message %s: %d bytes > %d: %w", what, len(data), limit, trigger.ErrMediaTooLarge)
	}
	return data, nil
}

// declaredSize is the file length the media part of m announces.
func declaredSize(m *waE2E.Message) int64 {
	if _, _, md := content(m); md != nil {
		return md.Size
	}
	return 0
}
