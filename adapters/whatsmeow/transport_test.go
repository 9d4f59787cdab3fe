package whatsmeow

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/waauto/waauto/workflow"
	"go.mau.fi/whatsmeow/types"
)

func lookup(cs map[string]Client) func(string) (Client, bool) {
	return func(s string) (Client, bool) { c, ok := cs[s]; return c, ok }
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

func TestTransportSendWithTyping(t *testing.T) {
	cli := newFakeClient()
	cli.connected = true
	sl := &sleepRecorder{}
	tr := &Transport{Lookup: lookup(map[string]Client{"s1": cli}), Sleep: sl.Sleep, Typing: func(string) time.Duration { return 2 * time.Second }}
	err := tr.Send(context.Background(), workflow.Outgoing{ID: "3EB0AA", Session: "s1", To: "+33 6 11 11 11 11", Text: "Hello!", Typing: true})
	require.NoError(t, err)
	require.Len(t, cli.sent, 1)
	assert.Equal(t, custPN, cli.sent[0].To)
	assert.Equal(t, types.MessageID("3EB0AA"), cli.sent[0].ID, "pre-generated id is used")
	assert.Equal(t, "Hello!", cli.sent[0].Msg.GetConversation())
	assert.Equal(t, []string{"presence:composing", "send", "presence:paused"}, cli.order)
	assert.Equal(t, []time.Duration{2 * time.Second}, sl.ds)
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
	tr := &Transport{Lookup: lookup(map[string]Client{"s1": cli}), Typing: func(string) time.Duration { return 0 }}
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

func TestTransportPacing(t *testing.T) {
	cli := newFakeClient()
	cli.connected = true
	sl := &sleepRecorder{}
	clock := fixedClock{t0}
	tr := &Transport{Lookup: lookup(map[string]Client{"s1": cli}), MinInterval: 3 * time.Second, Clock: clock, Sleep: sl.Sleep}
	for _, id := range []string{"a", "b"} {
		require.NoError(t, tr.Send(context.Background(), workflow.Outgoing{ID: id, Session: "s1", To: "+33611111111"}))
	}
	assert.Equal(t, []time.Duration{3 * time.Second}, sl.ds, "second send waits for the interval")
}

func TestDefaultTyping(t *testing.T) {
	assert.Equal(t, time.Second, DefaultTyping("hi"))
	assert.Equal(t, 2*time.Second, DefaultTyping(strings.Repeat("a", 50)))
	assert.Equal(t, 5*time.Second, DefaultTyping(strings.Repeat("a", 1000)))
}

func TestNewMessageID(t *testing.T) {
	gen := NewMessageID()
	a, b := gen(), gen()
	assert.NotEqual(t, a, b)
	assert.True(t, strings.HasPrefix(a, "3EB0"), a)
	assert.Len(t, a, 22)
}

func outgoing(id, session string) workflow.Outgoing {
	return workflow.Outgoing{ID: id, Session: session, To: "+33611111111", Text: "ok"}
}
