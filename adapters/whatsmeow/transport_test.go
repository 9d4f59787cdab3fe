package whatsmeow

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/pacing"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

func lookup(cs map[string]Client) func(string) (Client, bool) {
	return func(s string) (Client, bool) { c, ok := cs[s]; return c, ok }
}

func TestTransportSendWithTyping(t *testing.T) {
	cli := newFakeClient()
	cli.connected = true
	tr := &Transport{Lookup: lookup(map[string]Client{"s1": cli})}
	err := tr.Send(context.Background(), workflow.Outgoing{ID: "3EB0AA", Session: "s1", To: "+33 6 11 11 11 11", Text: "Hello!", Typing: true})
	require.NoError(t, err)
	require.Len(t, cli.sent, 1)
	assert.Equal(t, custPN, cli.sent[0].To)
	assert.Equal(t, types.MessageID("3EB0AA"), cli.sent[0].ID, "pre-generated id is used")
	assert.Equal(t, "Hello!", cli.sent[0].Msg.GetConversation())
	assert.Equal(t, []string{"presence:composing", "send", "presence:paused"}, cli.order)
}

// virtualClock is a clock whose Sleep moves time forward at once.
type virtualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *virtualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *virtualClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return nil
}

// timedClient records when the indicator shows and when messages leave.
type timedClient struct {
	*fakeClient
	clock  *virtualClock
	events []string
}

func (c *timedClient) SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error {
	c.events = append(c.events, fmt.Sprintf("%s %s", c.clock.Now().Sub(t0), state))
	return c.fakeClient.SendChatPresence(ctx, jid, state, media)
}

func (c *timedClient) SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	c.events = append(c.events, fmt.Sprintf("%s send %q", c.clock.Now().Sub(t0), msg.GetConversation()))
	return c.fakeClient.SendMessage(ctx, to, msg, extra...)
}

// pacedTransport is a Transport on one connected session "s1", behind a
// pacing.Pacer on virtual time (replies 6 s apart, no jitter); the client
// records presences and sends with their virtual time.
func pacedTransport() (*timedClient, *pacing.Pacer) {
	clock := &virtualClock{now: t0}
	cli := &timedClient{fakeClient: newFakeClient(), clock: clock}
	cli.connected = true
	tr := &Transport{Lookup: lookup(map[string]Client{"s1": cli})}
	return cli, pacing.New(tr, pacing.Config{Clock: clock, Sleeper: clock, Reply: pacing.Rule{Every: 6 * time.Second, Burst: 1}})
}

// The pacer alone decides the typing time: behind a pacing.Pacer, each
// reply shows "typing…" once, for pacing.DefaultTyping of its text, and the
// transport neither shows it again nor waits.
func TestPacedRepliesTypeOnceForTheComputedTime(t *testing.T) {
	cli, p := pacedTransport()
	ctx := context.Background()
	texts := []string{"Bonjour !", strings.Repeat("long ", 40)}
	for i, text := range texts {
		require.NoError(t, p.Send(ctx, workflow.Outgoing{ID: fmt.Sprint("id", i), Session: "s1", To: "+33611111111", Text: text, Kind: workflow.SendFixed, Typing: true}))
	}
	// The first reply leaves after its typing time; the second, typed from
	// the moment the first left, at the later of its slot (6 s after the
	// first) and the end of its own typing time.
	first := pacing.DefaultTyping(texts[0])
	second := first + max(6*time.Second, pacing.DefaultTyping(texts[1]))
	want := []string{
		"0s composing",
		fmt.Sprintf("%s send %q", first, texts[0]),
		fmt.Sprintf("%s composing", first),
		fmt.Sprintf("%s send %q", second, texts[1]),
	}
	assert.Equal(t, want, cli.events)
}

// A reply the engine cancels after its pacing wait (pacing.Pacer.Cancel)
// clears "typing…" ("paused") in its chat and sends nothing.
func TestCancelledReplyClearsTyping(t *testing.T) {
	cli, p := pacedTransport()
	ctx := context.Background()
	m, err := p.Pace(ctx, workflow.Outgoing{ID: "id0", Session: "s1", To: "+33611111111", Text: "Bonjour !", Kind: workflow.SendAI, Typing: true})
	require.NoError(t, err)
	require.NoError(t, p.Cancel(ctx, m))
	typed := pacing.DefaultTyping("Bonjour !")
	assert.Equal(t, []string{"0s composing", fmt.Sprintf("%s paused", typed)}, cli.events)
	assert.Empty(t, cli.sent)

	// A session gone meanwhile: the error says which reply and why.
	m.Session = "gone"
	assert.ErrorIs(t, p.Cancel(ctx, m), ErrUnknownSession)
}

func TestTransportRetryReusesID(t *testing.T) {
	cli := newFakeClient()
	cli.connected = true
	cli.sendErr = errBoom
	tr := &Transport{Lookup: lookup(map[string]Client{"s1": cli})}
	out := workflow.Outgoing{ID: "3EB0BB", Session: "s1", To: "+33611111111", Text: "x"}
	err := tr.Send(context.Background(), out)
	assert.ErrorIs(t, err, errBoom)
	cli.sendErr = nil
	require.NoError(t, tr.Send(context.Background(), out))
	require.Len(t, cli.sent, 2)
	assert.Equal(t, cli.sent[0].ID, cli.sent[1].ID)
	assert.Equal(t, []string{"send", "send"}, cli.order, "no typing unless asked")
}

func TestTransportPausedAfterFailedSend(t *testing.T) {
	cli := newFakeClient()
	cli.connected = true
	cli.sendErr = errBoom
	tr := &Transport{Lookup: lookup(map[string]Client{"s1": cli})}
	assert.Error(t, tr.Send(context.Background(), workflow.Outgoing{ID: "X", Session: "s1", To: "+33611111111", Typing: true}))
	assert.Equal(t, []string{"presence:composing", "send", "presence:paused"}, cli.order)
}

func TestTransportErrors(t *testing.T) {
	down := newFakeClient()
	tr := &Transport{Lookup: lookup(map[string]Client{"down": down})}
	ctx := context.Background()
	assert.ErrorIs(t, tr.Send(ctx, workflow.Outgoing{Session: "down", To: "+33611111111"}), ErrNoMessageID)
	assert.ErrorIs(t, tr.Send(ctx, workflow.Outgoing{ID: "a", Session: "nope", To: "+33611111111"}), ErrUnknownSession)
	assert.ErrorIs(t, tr.Send(ctx, workflow.Outgoing{ID: "a", Session: "down", To: "+33611111111"}), ErrNotConnected)
	down.connected = true
	err := tr.Send(ctx, workflow.Outgoing{ID: "a", Session: "down", To: "not a phone"})
	assert.Error(t, err)
	assert.Empty(t, down.sent)
}

func outgoing(id, session string) workflow.Outgoing {
	return workflow.Outgoing{ID: id, Session: session, To: "+33611111111", Text: "ok"}
}
