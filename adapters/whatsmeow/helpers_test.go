package whatsmeow

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/waauto/waauto/trigger"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

var (
	t0       = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ownPN    = types.NewJID("33600000000", types.DefaultUserServer)
	ownLID   = types.NewJID("99000000000001", types.HiddenUserServer)
	custPN   = types.NewJID("33611111111", types.DefaultUserServer)
	custLID  = types.NewJID("88000000000001", types.HiddenUserServer)
	custLID2 = types.NewJID("88000000000002", types.HiddenUserServer)
	groupJID = types.NewJID("120363000000000001", types.GroupServer)
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// dm builds an incoming 1:1 message from custPN at t0.
func dm(id string, m *waE2E.Message) *events.Message {
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: custPN, Sender: custPN},
			ID:            id,
			PushName:      "Alice",
			Timestamp:     t0,
			Type:          "text",
		},
		Message:    m,
		RawMessage: m,
	}
}

func text(s string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(s)} }

// fakeInbox records calls; err is returned by every call when set.
type fakeInbox struct {
	mu   sync.Mutex
	got  []trigger.Message
	own  []ownCall
	err  error
	ctxs []context.Context
}

type ownCall struct {
	Session, Phone, ID, Text string
	At                       time.Time
}

func (f *fakeInbox) Receive(ctx context.Context, m trigger.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ctxs = append(f.ctxs, ctx)
	if f.err != nil {
		return f.err
	}
	f.got = append(f.got, m)
	return nil
}

func (f *fakeInbox) ReceiveOwn(ctx context.Context, session, phone, id, text string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.own = append(f.own, ownCall{session, phone, id, text, at})
	return nil
}

// fakeClient fakes the Client interface.
type fakeClient struct {
	mu        sync.Mutex
	sent      []sentMsg
	presences []types.ChatPresence
	order     []string
	sendErr   error
	uploads   []uploadCall
	uploadErr error
	download  []byte
	dlErr     error
	dlCalls   int
	dlGot     whatsmeow.DownloadableMessage
	connected bool
	loggedIn  bool
	connects  int
	connErr   []error // consumed per Connect call
	logouts   int
	logoutErr error
	disconns  int
	handlers  map[uint32]whatsmeow.EventHandlerWithSuccessStatus
	nextID    uint32
	qr        chan whatsmeow.QRChannelItem
	qrErr     error
	pairCode  string
	pairPhone string
	ids       int
}

type uploadCall struct {
	Data []byte
	Kind whatsmeow.MediaType
}

type sentMsg struct {
	To  types.JID
	Msg *waE2E.Message
	ID  types.MessageID
}

func newFakeClient() *fakeClient {
	return &fakeClient{handlers: map[uint32]whatsmeow.EventHandlerWithSuccessStatus{}}
}

func (f *fakeClient) SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.order = append(f.order, "send")
	var id types.MessageID
	if len(extra) > 0 {
		id = extra[0].ID
	}
	f.sent = append(f.sent, sentMsg{to, msg, id})
	if f.sendErr != nil {
		return whatsmeow.SendResponse{}, f.sendErr
	}
	return whatsmeow.SendResponse{ID: id, Timestamp: t0}, nil
}

func (f *fakeClient) SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.order = append(f.order, "presence:"+string(state))
	f.presences = append(f.presences, state)
	return nil
}

func (f *fakeClient) Upload(ctx context.Context, plaintext []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.order = append(f.order, "upload")
	f.uploads = append(f.uploads, uploadCall{plaintext, appInfo})
	if f.uploadErr != nil {
		return whatsmeow.UploadResponse{}, f.uploadErr
	}
	return whatsmeow.UploadResponse{
		URL: "https://mmg.whatsapp.net/fake", DirectPath: "/v/fake", MediaKey: []byte("key"),
		FileEncSHA256: []byte("enc"), FileSHA256: []byte("sha"), FileLength: uint64(len(plaintext)),
	}, nil
}

func (f *fakeClient) Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dlCalls++
	f.dlGot = msg
	return f.download, f.dlErr
}

func (f *fakeClient) Connect() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connects++
	if len(f.connErr) > 0 {
		err := f.connErr[0]
		f.connErr = f.connErr[1:]
		if err != nil {
			return err
		}
	}
	f.connected = true
	return nil
}

func (f *fakeClient) Disconnect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disconns++
	f.connected = false
}

func (f *fakeClient) Logout(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logouts++
	f.connected = false
	return f.logoutErr
}

func (f *fakeClient) GetQRChannel(ctx context.Context) (<-chan whatsmeow.QRChannelItem, error) {
	if f.qrErr != nil {
		return nil, f.qrErr
	}
	return f.qr, nil
}

func (f *fakeClient) PairPhone(ctx context.Context, phone string, show bool, ct whatsmeow.PairClientType, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pairPhone = phone
	return f.pairCode, nil
}

func (f *fakeClient) IsConnected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connected
}

func (f *fakeClient) IsLoggedIn() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loggedIn
}

func (f *fakeClient) AddEventHandlerWithSuccessStatus(h whatsmeow.EventHandlerWithSuccessStatus) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.handlers[f.nextID] = h
	return f.nextID
}

func (f *fakeClient) RemoveEventHandler(id uint32) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.handlers[id]
	delete(f.handlers, id)
	return ok
}

func (f *fakeClient) GenerateMessageID() types.MessageID {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids++
	return types.MessageID("3EB0FAKE" + string(rune('A'+f.ids)))
}

// emit dispatches evt like whatsmeow's dispatchEvent: it stops at the first
// failing handler and returns whether all succeeded.
func (f *fakeClient) emit(evt any) bool {
	f.mu.Lock()
	hs := make([]whatsmeow.EventHandlerWithSuccessStatus, 0, len(f.handlers))
	for _, h := range f.handlers {
		hs = append(hs, h)
	}
	f.mu.Unlock()
	for _, h := range hs {
		if !h(evt) {
			return false
		}
	}
	return true
}

var _ Client = (*fakeClient)(nil)

// logBuffer captures slog output at every level.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	lb := &logBuffer{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

var errBoom = errors.New("boom")

type mapLIDs map[types.JID]types.JID

func (m mapLIDs) GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	return m[lid], nil
}

type sleepRecorder struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ds = append(s.ds, d)
	return ctx.Err()
}
