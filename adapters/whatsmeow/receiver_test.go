package whatsmeow

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/waauto/waauto/trigger"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

func newReceiver(inbox *fakeInbox, cli Client) (*Receiver, *logBuffer) {
	log, lb := newLogger()
	return &Receiver{
		Session: "s1",
		Inbox:   inbox,
		Client:  cli,
		Own:     func() (types.JID, types.JID) { return ownPN, ownLID },
		Clock:   fixedClock{t0.Add(30 * time.Second)},
		Logger:  log,
	}, lb
}

func TestReceiverRedeliveryPassesThrough(t *testing.T) {
	inbox := &fakeInbox{}
	r, _ := newReceiver(inbox, nil)
	evt := dm("R1", text("hello"))
	assert.True(t, r.Handle(context.Background(), evt))
	assert.True(t, r.Handle(context.Background(), evt), "redelivery is acked again: the core dedups")
	require.Len(t, inbox.got, 2)
	assert.Equal(t, inbox.got[0], inbox.got[1])
	assert.Equal(t, "R1", inbox.got[0].ID)
	assert.Equal(t, "+33611111111", inbox.got[0].Phone)
}

func TestReceiverFailedRecordIsNotAcked(t *testing.T) {
	inbox := &fakeInbox{err: errBoom}
	r, lb := newReceiver(inbox, nil)
	cli := newFakeClient()
	cli.AddEventHandlerWithSuccessStatus(r.EventHandler(context.Background()))
	assert.False(t, cli.emit(dm("F1", text("hello"))), "whatsmeow must not send the receipt")
	assert.Contains(t, lb.String(), "not acknowledging")
	inbox.err = nil
	assert.True(t, cli.emit(dm("F1", text("hello"))), "redelivery after recovery is acked")
	require.Len(t, inbox.got, 1)
	assert.Equal(t, "F1", inbox.got[0].ID)
}

func TestReceiverOwnMessage(t *testing.T) {
	inbox := &fakeInbox{}
	r, _ := newReceiver(inbox, nil)
	e := dm("O1", text("agent here"))
	e.Info.Chat, e.Info.Sender, e.Info.IsFromMe = custPN, ownPN, true
	assert.True(t, r.Handle(context.Background(), e))
	assert.Empty(t, inbox.got)
	require.Len(t, inbox.own, 1)
	assert.Equal(t, ownCall{"s1", "+33611111111", "O1", "agent here", t0}, inbox.own[0])

	inbox.err = errBoom
	assert.False(t, r.Handle(context.Background(), e), "a failed ReceiveOwn is not acked either")
}

func TestReceiverIgnoredAndSkippedAreLoggedAndAcked(t *testing.T) {
	inbox := &fakeInbox{}
	r, lb := newReceiver(inbox, nil)
	react := dm("I1", &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("❤")}})
	assert.True(t, r.Handle(context.Background(), react))
	bad := dm("I2", text("x"))
	bad.Info.Sender = types.NewJID("12ab", types.DefaultUserServer)
	assert.True(t, r.Handle(context.Background(), bad))
	assert.Empty(t, inbox.got)
	out := lb.String()
	assert.Contains(t, out, "reason=reaction")
	assert.Contains(t, out, "id=I1")
	assert.Contains(t, out, "raw=12ab@s.whatsapp.net")
	assert.Contains(t, out, "reason=\"malformed phone number\"")
}

func TestReceiverUnknownTypeRecordedAsOther(t *testing.T) {
	inbox := &fakeInbox{}
	r, lb := newReceiver(inbox, nil)
	e := dm("U1", &waE2E.Message{EventMessage: &waE2E.EventMessage{Name: proto.String("party")}})
	assert.True(t, r.Handle(context.Background(), e))
	require.Len(t, inbox.got, 1)
	assert.Equal(t, trigger.MessageOther, inbox.got[0].Type)
	assert.Contains(t, lb.String(), "unknown message type")
}

type panicInbox struct{ fakeInbox }

func (p *panicInbox) Receive(ctx context.Context, m trigger.Message) error { panic("store exploded") }

func TestReceiverNeverPanics(t *testing.T) {
	r, lb := newReceiver(&fakeInbox{}, nil)
	// A hand-made event with a nil info-less message must not crash.
	assert.True(t, r.Handle(context.Background(), &events.Message{}))
	assert.True(t, r.Handle(context.Background(), (*events.Message)(nil)))
	assert.True(t, r.Handle(context.Background(), &events.Connected{}), "other events pass")

	r.Inbox = &panicInbox{}
	assert.False(t, r.Handle(context.Background(), dm("P1", text("hi"))), "a panic while recording asks for redelivery")
	assert.Contains(t, lb.String(), "panic")
}

func TestReceiverLIDStore(t *testing.T) {
	inbox := &fakeInbox{}
	r, _ := newReceiver(inbox, nil)
	r.LIDs = mapLIDs{custLID: custPN}
	e := dm("L1", text("hi"))
	e.Info.Chat, e.Info.Sender = custLID, custLID
	assert.True(t, r.Handle(context.Background(), e))
	require.Len(t, inbox.got, 1)
	assert.Equal(t, "+33611111111", inbox.got[0].Phone)
}

func TestReceiverMediaFetch(t *testing.T) {
	inbox := &fakeInbox{}
	cli := newFakeClient()
	cli.download = []byte("%PDF-1.7 data")
	r, _ := newReceiver(inbox, cli)
	r.MaxMediaSize = 100
	doc := &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: proto.String("a.pdf"), Mimetype: proto.String("application/pdf"),
		FileLength: proto.Uint64(13), DirectPath: proto.String("/v/x"), MediaKey: []byte{1}}}
	require.True(t, r.Handle(context.Background(), dm("M1", doc)))
	require.Len(t, inbox.got, 1)
	media := inbox.got[0].Media
	require.NotNil(t, media)
	require.NotNil(t, media.Fetch)
	assert.Equal(t, 0, cli.dlCalls, "download is lazy")
	data, err := media.Fetch(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "%PDF-1.7 data", string(data))

	t.Run("declared size over limit", func(t *testing.T) {
		big := proto.Clone(doc).(*waE2E.Message)
		big.DocumentMessage.FileLength = proto.Uint64(101)
		require.True(t, r.Handle(context.Background(), dm("M2", big)))
		_, err := inbox.got[len(inbox.got)-1].Media.Fetch(context.Background())
		assert.ErrorIs(t, err, trigger.ErrMediaTooLarge)
		assert.Equal(t, 1, cli.dlCalls, "not downloaded")
	})
	t.Run("actual size over limit", func(t *testing.T) {
		cli.download = []byte(strings.Repeat("x", 101))
		require.True(t, r.Handle(context.Background(), dm("M3", doc)))
		_, err := inbox.got[len(inbox.got)-1].Media.Fetch(context.Background())
		assert.ErrorIs(t, err, trigger.ErrMediaTooLarge)
	})
	t.Run("download error wrapped", func(t *testing.T) {
		cli.dlErr = errBoom
		require.True(t, r.Handle(context.Background(), dm("M4", doc)))
		_, err := inbox.got[len(inbox.got)-1].Media.Fetch(context.Background())
		assert.True(t, errors.Is(err, errBoom))
	})
}

// The Receiver stores a durable reference with the message; the Transport
// downloads from it later, without the event (after a restart, on another
// instance), and the reference carries no thumbnail.
func TestMediaRefFetchedByTransport(t *testing.T) {
	inbox := &fakeInbox{}
	r, _ := newReceiver(inbox, nil)
	img := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Mimetype: proto.String("image/jpeg"), FileLength: proto.Uint64(4),
		DirectPath: proto.String("/v/img"), MediaKey: []byte("key"), FileSHA256: []byte("sha"), FileEncSHA256: []byte("enc"),
		JPEGThumbnail: []byte(strings.Repeat("t", 5000)), Caption: proto.String("ce pull ?")}}
	require.True(t, r.Handle(context.Background(), dm("I1", img)))
	require.Len(t, inbox.got, 1)
	ref := inbox.got[0].Media.Ref
	require.NotEmpty(t, ref)
	assert.Less(t, len(ref), 200, "the reference keeps no thumbnail")

	cli := newFakeClient()
	cli.download = []byte("jpeg")
	tr := &Transport{Lookup: func(s string) (Client, bool) { return cli, s == "s1" }, MaxMediaSize: 100}
	data, err := tr.FetchMedia(context.Background(), "s1", ref)
	require.NoError(t, err)
	assert.Equal(t, "jpeg", string(data))
	require.NotNil(t, cli.dlGot)
	assert.Equal(t, "/v/img", cli.dlGot.GetDirectPath())
	assert.Equal(t, []byte("key"), cli.dlGot.GetMediaKey())
	assert.Equal(t, []byte("enc"), cli.dlGot.GetFileEncSHA256())

	_, err = tr.FetchMedia(context.Background(), "s2", ref)
	assert.ErrorIs(t, err, ErrUnknownSession)
	_, err = tr.FetchMedia(context.Background(), "s1", []byte{0xff, 0xff})
	assert.ErrorContains(t, err, "bad reference")
	_, err = tr.FetchMedia(context.Background(), "s1", nil)
	assert.ErrorIs(t, err, ErrNoMedia)
	tr.MaxMediaSize = 3
	_, err = tr.FetchMedia(context.Background(), "s1", ref)
	assert.ErrorIs(t, err, trigger.ErrMediaTooLarge)
}
