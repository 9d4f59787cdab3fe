package whatsmeow

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
)

func mediaOut(id string, kind trigger.MessageType, caption string) workflow.Outgoing {
	return workflow.Outgoing{ID: id, Session: "s1", To: "+33611111111", Text: caption, Typing: true,
		Media: &trigger.Media{Kind: kind, MIMEType: "application/x-test", FileName: "f.bin", Data: []byte("file bytes " + string(kind))}}
}

func TestTransportSendsEachMediaKind(t *testing.T) {
	cases := []struct {
		kind     trigger.MessageType
		caption  string
		media    whatsmeow.MediaType
		presence types.ChatPresenceMedia
	}{
		{trigger.MessageImage, "Catalogue", whatsmeow.MediaImage, types.ChatPresenceMediaText},
		{trigger.MessageVideo, "Démo", whatsmeow.MediaVideo, types.ChatPresenceMediaText},
		{trigger.MessageDocument, "Tarifs", whatsmeow.MediaDocument, types.ChatPresenceMediaText},
		{trigger.MessageAudio, "", whatsmeow.MediaAudio, types.ChatPresenceMediaAudio},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			cli := newFakeClient()
			cli.connected = true
			var medias []types.ChatPresenceMedia
			pc := &presenceClient{fakeClient: cli, medias: &medias}
			tr := &Transport{Lookup: lookup(map[string]Client{"s1": pc})}
			out := mediaOut("3EB0M1", tc.kind, tc.caption)
			require.NoError(t, tr.Send(context.Background(), out))

			require.Len(t, cli.uploads, 1)
			assert.Equal(t, tc.media, cli.uploads[0].Kind)
			assert.Equal(t, out.Media.Data, cli.uploads[0].Data)
			assert.Equal(t, []string{"upload", "presence:composing", "send", "presence:paused"}, cli.order)
			assert.Equal(t, []types.ChatPresenceMedia{tc.presence, tc.presence}, medias, "recording for audio, typing otherwise")
			require.Len(t, cli.sent, 1)
			assert.Equal(t, types.MessageID("3EB0M1"), cli.sent[0].ID)
			assert.Equal(t, custPN, cli.sent[0].To)
			msg := cli.sent[0].Msg
			assert.Empty(t, msg.GetConversation())
			n := uint64(len(out.Media.Data))
			switch tc.kind {
			case trigger.MessageImage:
				im := msg.GetImageMessage()
				require.NotNil(t, im)
				assert.Equal(t, "https://mmg.whatsapp.net/fake", im.GetURL())
				assert.Equal(t, "/v/fake", im.GetDirectPath())
				assert.Equal(t, []byte("key"), im.GetMediaKey())
				assert.Equal(t, []byte("enc"), im.GetFileEncSHA256())
				assert.Equal(t, []byte("sha"), im.GetFileSHA256())
				assert.Equal(t, n, im.GetFileLength())
				assert.Equal(t, "application/x-test", im.GetMimetype())
				assert.Equal(t, "Catalogue", im.GetCaption())
			case trigger.MessageVideo:
				v := msg.GetVideoMessage()
				require.NotNil(t, v)
				assert.Equal(t, "/v/fake", v.GetDirectPath())
				assert.Equal(t, []byte("key"), v.GetMediaKey())
				assert.Equal(t, n, v.GetFileLength())
				assert.Equal(t, "Démo", v.GetCaption())
			case trigger.MessageDocument:
				d := msg.GetDocumentMessage()
				require.NotNil(t, d)
				assert.Equal(t, "https://mmg.whatsapp.net/fake", d.GetURL())
				assert.Equal(t, []byte("sha"), d.GetFileSHA256())
				assert.Equal(t, "f.bin", d.GetFileName())
				assert.Equal(t, "Tarifs", d.GetCaption())
				assert.Equal(t, "application/x-test", d.GetMimetype())
			case trigger.MessageAudio:
				a := msg.GetAudioMessage()
				require.NotNil(t, a)
				assert.Equal(t, []byte("enc"), a.GetFileEncSHA256())
				assert.Equal(t, n, a.GetFileLength())
				assert.Equal(t, "application/x-test", a.GetMimetype())
			}
		})
	}
}

// presenceClient records the media argument of SendChatPresence.
type presenceClient struct {
	*fakeClient
	medias *[]types.ChatPresenceMedia
}

func (p *presenceClient) SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error {
	*p.medias = append(*p.medias, media)
	return p.fakeClient.SendChatPresence(ctx, jid, state, media)
}

// An upload failure sends nothing and returns an error; the engine's retry
// (same Outgoing) uploads again and sends with the same id.
func TestTransportUploadFailureIsRetriedWithTheSameID(t *testing.T) {
	cli := newFakeClient()
	cli.connected = true
	cli.uploadErr = errBoom
	tr := &Transport{Lookup: lookup(map[string]Client{"s1": cli})}
	out := mediaOut("3EB0M2", trigger.MessageImage, "pic")
	out.Typing = false
	err := tr.Send(context.Background(), out)
	require.ErrorIs(t, err, ErrUpload)
	assert.ErrorIs(t, err, errBoom)
	assert.Empty(t, cli.sent, "nothing sent when the upload fails")
	assert.Equal(t, []string{"upload"}, cli.order, "no typing for a message that cannot be sent")

	cli.uploadErr = nil
	require.NoError(t, tr.Send(context.Background(), out))
	require.Len(t, cli.sent, 1)
	assert.Equal(t, types.MessageID("3EB0M2"), cli.sent[0].ID)
	assert.Len(t, cli.uploads, 2)

	// A failed send after a good upload is also an error for the engine to retry.
	cli.sendErr = errBoom
	assert.ErrorIs(t, tr.Send(context.Background(), out), errBoom)
	require.Len(t, cli.sent, 2)
	assert.Equal(t, cli.sent[0].ID, cli.sent[1].ID)
}

func TestTransportRejectsBadMediaBeforeUpload(t *testing.T) {
	cli := newFakeClient()
	cli.connected = true
	tr := &Transport{Lookup: lookup(map[string]Client{"s1": cli})}
	sticker := mediaOut("a", trigger.MessageSticker, "")
	assert.ErrorIs(t, tr.Send(context.Background(), sticker), workflow.ErrInvalidMedia)
	big := mediaOut("b", trigger.MessageVideo, "")
	big.Media.Data = make([]byte, workflow.MaxMediaSize+1)
	assert.ErrorIs(t, tr.Send(context.Background(), big), trigger.ErrMediaTooLarge)
	assert.Empty(t, cli.uploads)
	assert.Empty(t, cli.sent)
}
