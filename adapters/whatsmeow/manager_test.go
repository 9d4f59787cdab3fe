package whatsmeow

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

type statusRec struct {
	mu  sync.Mutex
	got []string
}

func (s *statusRec) SessionStatus(ctx context.Context, id string, st Status, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, id+":"+string(st))
	return nil
}

func (s *statusRec) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

type mgrFixture struct {
	m      *Manager
	st     *DeviceStore
	inbox  *fakeInbox
	status *statusRec
	logs   *logBuffer
	cli    *fakeClient
	clock  *mutClock
	sleeps *sleepRecorder
}

type mutClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *mutClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *mutClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newMgr(t *testing.T) *mgrFixture {
	st, _ := openTestStore(t)
	log, lb := newLogger()
	f := &mgrFixture{st: st, inbox: &fakeInbox{}, status: &statusRec{}, logs: lb, cli: newFakeClient(), clock: &mutClock{t: t0}, sleeps: &sleepRecorder{}}
	f.m = NewManager(ManagerConfig{
		Store: st, Inbox: f.inbox, Status: f.status, Clock: f.clock, Logger: log,
		NewClient: func(*store.Device) Client { return f.cli },
		Backoff:   Backoff{Min: time.Second, Max: 4 * time.Second},
		Sleep:     f.sleeps.Sleep,
	})
	t.Cleanup(f.m.Close)
	return f
}

// pairDevice stores a paired device for session id, as whatsmeow does on PairSuccess.
func pairDevice(t *testing.T, st *DeviceStore, id string) *store.Device {
	t.Helper()
	dev := st.Container.NewDevice()
	jid := types.NewADJID("33600000000", 0, 9)
	dev.ID = &jid
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{1}, AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	require.NoError(t, dev.Save(context.Background()))
	require.NoError(t, st.Bind(context.Background(), id, jid))
	return dev
}

func TestManagerLifecycleEvents(t *testing.T) {
	f := newMgr(t)
	pairDevice(t, f.st, "s1")
	require.NoError(t, f.m.Start(context.Background(), "s1", SessionOptions{}))
	require.Eventually(t, func() bool { return f.cli.IsConnected() }, time.Second, time.Millisecond)

	assert.True(t, f.cli.emit(&events.Connected{}))
	assert.True(t, f.cli.emit(&events.Disconnected{}))
	f.clock.Add(time.Hour)
	assert.True(t, f.cli.emit(&events.Connected{}))
	assert.True(t, f.cli.emit(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}))
	assert.True(t, f.cli.emit(&events.Connected{}))
	stale := dm("M0", text("from before the outage"))
	assert.True(t, f.cli.emit(stale), "stale backlog is recorded (the engine does not answer it)")
	fresh := dm("M1", text("hi"))
	fresh.Info.Timestamp = f.clock.Now()
	assert.True(t, f.cli.emit(fresh), "messages reach the inbox through the manager")
	require.Len(t, f.inbox.got, 2)
	assert.Equal(t, "M0", f.inbox.got[0].ID)
	assert.Equal(t, "s1", f.inbox.got[1].Session)

	assert.True(t, f.cli.emit(&events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut}))
	assert.Equal(t, []string{"s1:connected", "s1:disconnected", "s1:connected", "s1:banned", "s1:connected", "s1:logged_out"}, f.status.list())
	b, err := f.st.Bindings(context.Background())
	require.NoError(t, err)
	assert.Empty(t, b, "a logged-out number forgets its device")
	assert.Contains(t, f.logs.String(), "temporarily banned")

	infos := f.m.Sessions()
	require.Len(t, infos, 1)
	assert.Equal(t, StatusLoggedOut, infos[0].Status)
	assert.Equal(t, t0.Add(time.Hour), infos[0].DisconnectedAt)
}

func TestManagerFailedRecordNotAcked(t *testing.T) {
	f := newMgr(t)
	pairDevice(t, f.st, "s1")
	require.NoError(t, f.m.Start(context.Background(), "s1", SessionOptions{}))
	f.inbox.err = errBoom
	assert.False(t, f.cli.emit(dm("M1", text("hi"))))
}

func TestManagerStartErrors(t *testing.T) {
	f := newMgr(t)
	assert.ErrorIs(t, f.m.Start(context.Background(), "never", SessionOptions{}), ErrNotPaired)
	require.NoError(t, f.st.Bind(context.Background(), "gone", types.NewADJID("1555000000", 0, 3)))
	assert.ErrorIs(t, f.m.Start(context.Background(), "gone", SessionOptions{}), ErrNoDevice)
	assert.Equal(t, []string{"gone:logged_out"}, f.status.list())
	pairDevice(t, f.st, "s1")
	require.NoError(t, f.m.Start(context.Background(), "s1", SessionOptions{}))
	assert.ErrorIs(t, f.m.Start(context.Background(), "s1", SessionOptions{}), ErrSessionExists)
}

func TestManagerReconnectBackoff(t *testing.T) {
	f := newMgr(t)
	f.cli.connErr = []error{errBoom, errBoom, errBoom, errBoom, nil}
	pairDevice(t, f.st, "s1")
	require.NoError(t, f.m.Start(context.Background(), "s1", SessionOptions{}))
	require.Eventually(t, func() bool { return f.cli.IsConnected() }, time.Second, time.Millisecond)
	f.sleeps.mu.Lock()
	defer f.sleeps.mu.Unlock()
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}, f.sleeps.ds)
	assert.Equal(t, 5, f.cli.connects)
}

func TestManagerLinkQR(t *testing.T) {
	f := newMgr(t)
	codes := []string{"2@QRSECRETAAAAAAAAAAAAAAAAAAAAAAAAAAA,bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=,1", "2@QRSECRETCCCCCCCCCCCCCCCCCCCCCCCCCCC,dddd=,1"}
	f.cli.qr = make(chan whatsmeow.QRChannelItem, 4)
	f.cli.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: codes[0], Timeout: time.Minute}
	f.cli.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: codes[1], Timeout: 20 * time.Second}
	ch, err := f.m.LinkQR(context.Background(), "new", SessionOptions{})
	require.NoError(t, err)
	assert.True(t, f.cli.IsConnected(), "connect after GetQRChannel")
	assert.Equal(t, QRCode{Code: codes[0], Expires: time.Minute}, <-ch)
	assert.Equal(t, QRCode{Code: codes[1], Expires: 20 * time.Second}, <-ch)

	// The phone scans: whatsmeow emits PairSuccess, then success on the channel, then Connected.
	jid := types.NewADJID("33600000000", 0, 12)
	assert.True(t, f.cli.emit(&events.PairSuccess{ID: jid, Platform: "android"}))
	f.cli.qr <- whatsmeow.QRChannelSuccess
	close(f.cli.qr)
	_, open := <-ch
	assert.False(t, open)
	assert.True(t, f.cli.emit(&events.Connected{}))
	b, err := f.st.Bindings(context.Background())
	require.NoError(t, err)
	assert.Equal(t, jid, b["new"])
	assert.Equal(t, []string{"new:pairing", "new:connected"}, f.status.list())

	png, err := QRPNG(codes[0], 256)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n")))
	var term bytes.Buffer
	QRTerminal(&term, codes[0])
	assert.Greater(t, term.Len(), 100)

	for _, c := range codes {
		assert.NotContains(t, f.logs.String(), c)
	}
	assert.NotContains(t, f.logs.String(), "QRSECRET")
}

func TestManagerLinkQRTimeout(t *testing.T) {
	f := newMgr(t)
	f.cli.qr = make(chan whatsmeow.QRChannelItem, 2)
	f.cli.qr <- whatsmeow.QRChannelTimeout
	close(f.cli.qr)
	ch, err := f.m.LinkQR(context.Background(), "new", SessionOptions{})
	require.NoError(t, err)
	_, open := <-ch
	assert.False(t, open)
	require.Eventually(t, func() bool { _, ok := f.m.Client("new"); return !ok }, time.Second, time.Millisecond, "aborted session is forgotten")
	assert.Equal(t, []string{"new:pairing", "new:disconnected"}, f.status.list())
}

func TestManagerLinkPhone(t *testing.T) {
	f := newMgr(t)
	f.cli.pairCode = "ABCD-EFGH"
	f.cli.qr = make(chan whatsmeow.QRChannelItem, 2)
	f.cli.qr <- whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventCode, Code: "2@QRSECRETXXXXXXXXXXXXXXXXXXXXXXXXXXXX", Timeout: time.Minute}
	code, err := f.m.LinkPhone(context.Background(), "new", "+33 6 00 00 00 00", SessionOptions{})
	require.NoError(t, err)
	assert.Equal(t, "ABCD-EFGH", code)
	assert.Equal(t, "+33 6 00 00 00 00", f.cli.pairPhone)
	assert.NotContains(t, f.logs.String(), "ABCD-EFGH")
	assert.NotContains(t, f.logs.String(), "QRSECRET")
	close(f.cli.qr)
}

func TestManagerDelete(t *testing.T) {
	ctx := context.Background()
	f := newMgr(t)
	dev := pairDevice(t, f.st, "s1")
	require.NoError(t, f.m.Start(ctx, "s1", SessionOptions{}))
	f.cli.logoutErr = errBoom // offline: keys are removed locally anyway
	require.NoError(t, f.m.Delete(ctx, "s1"))
	assert.Equal(t, 1, f.cli.logouts)
	got, err := f.st.Container.GetDevice(ctx, *dev.ID)
	require.NoError(t, err)
	assert.Nil(t, got, "keys removed")
	b, err := f.st.Bindings(ctx)
	require.NoError(t, err)
	assert.Empty(t, b)
	_, running := f.m.Client("s1")
	assert.False(t, running)
	assert.Equal(t, []string{"s1:deleted"}, f.status.list())
}

func TestManagerPruneDisconnected(t *testing.T) {
	ctx := context.Background()
	f := newMgr(t)
	pairDevice(t, f.st, "s1")
	require.NoError(t, f.m.Start(ctx, "s1", SessionOptions{}))
	assert.True(t, f.cli.emit(&events.Disconnected{}))
	f.clock.Add(6 * 24 * time.Hour)
	ids, err := f.m.PruneDisconnected(ctx, 7*24*time.Hour)
	require.NoError(t, err)
	assert.Empty(t, ids)
	f.clock.Add(2 * 24 * time.Hour)
	ids, err = f.m.PruneDisconnected(ctx, 7*24*time.Hour)
	require.NoError(t, err)
	assert.Equal(t, []string{"s1"}, ids)
	assert.Equal(t, 1, f.cli.logouts)
}

func TestManagerTransport(t *testing.T) {
	f := newMgr(t)
	pairDevice(t, f.st, "s1")
	require.NoError(t, f.m.Start(context.Background(), "s1", SessionOptions{}))
	require.Eventually(t, func() bool { return f.cli.IsConnected() }, time.Second, time.Millisecond)
	tr := f.m.Transport()
	require.NoError(t, tr.Send(context.Background(), outgoing("3EB0X", "s1")))
	require.Len(t, f.cli.sent, 1)
	assert.Equal(t, types.MessageID("3EB0X"), f.cli.sent[0].ID)
}
