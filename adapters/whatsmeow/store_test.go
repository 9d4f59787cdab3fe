package whatsmeow

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

func openTestStore(t *testing.T) (*DeviceStore, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "devices.db")
	st, err := OpenSQLite(context.Background(), path, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, path
}

func TestOpenSQLiteModeAndForeignKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "devices.db")
	require.NoError(t, os.WriteFile(path, nil, 0o644)) // a pre-existing, too-open file
	st, err := OpenSQLite(ctx, path, nil)
	require.NoError(t, err)
	defer st.Close()

	// Write something so that WAL files exist.
	require.NoError(t, st.Bind(ctx, "s1", types.NewADJID("33600000000", 0, 7)))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if os.IsNotExist(err) && p != path {
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), p)
	}
	on, err := st.ForeignKeys(ctx)
	require.NoError(t, err)
	assert.True(t, on)
}

func TestBindings(t *testing.T) {
	ctx := context.Background()
	st, _ := openTestStore(t)
	jid := types.NewADJID("33600000000", 0, 7)
	require.NoError(t, st.Bind(ctx, "s1", jid))
	b, err := st.Bindings(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]types.JID{"s1": jid}, b)

	_, err = st.Device(ctx, "s1")
	assert.ErrorIs(t, err, ErrNoDevice, "bound but its keys are gone")
	dev, err := st.Device(ctx, "fresh")
	require.NoError(t, err)
	assert.Nil(t, dev.ID, "unbound session gets a new, unpaired device")

	require.NoError(t, st.Unbind(ctx, "s1"))
	b, err = st.Bindings(ctx)
	require.NoError(t, err)
	assert.Empty(t, b)
}

// TestRealClientWiring builds the real whatsmeow client on an on-disk store
// and drives the manager's handler without any network.
func TestRealClientWiring(t *testing.T) {
	ctx := context.Background()
	st, _ := openTestStore(t)
	log, lb := newLogger()
	dev := st.Container.NewDevice()
	cli := NewWhatsmeowClient(dev, log)
	assert.True(t, cli.SynchronousAck)
	assert.True(t, cli.EnableDecryptedEventBuffer)
	assert.False(t, cli.IsConnected())

	inbox := &fakeInbox{}
	m := NewManager(ManagerConfig{Store: st, Inbox: inbox, Logger: log, Clock: fixedClock{t0}})
	var s *session
	m.cfg.NewClient = func(d *store.Device) Client { return NewWhatsmeowClient(d, log) }
	s, err := m.add(ctx, "s1", dev, SessionOptions{})
	require.NoError(t, err)
	defer m.Close()
	assert.True(t, m.handle(s, dm("RW1", text("hi from real wiring"))))
	require.Len(t, inbox.got, 1)
	assert.Equal(t, "hi from real wiring", inbox.got[0].Text)
	assert.True(t, m.handle(s, &events.Connected{}))

	// No key material reaches the logs.
	for _, key := range [][]byte{dev.NoiseKey.Priv[:], dev.IdentityKey.Priv[:], dev.SignedPreKey.Priv[:], dev.AdvSecretKey} {
		assert.NotContains(t, lb.String(), hex.EncodeToString(key))
		assert.False(t, bytes.Contains([]byte(lb.String()), key))
	}
}

func TestRedact(t *testing.T) {
	qr := "2@AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/==,XyZ0123456789abcdefghijKLMNOP=,1"
	out := Redact("emitting code " + qr + " now")
	assert.NotContains(t, out, "AbCdEfGhIjKlMnOp")
	assert.Contains(t, out, "emitting code")
	assert.Equal(t, "short words stay", Redact("short words stay"))

	log, lb := newLogger()
	wl := NewWALogger(log, "test")
	wl.Debugf("Emitting QR code %s", qr)
	wl.Sub("x").Warnf("node %s", hex.EncodeToString(bytes.Repeat([]byte{0xAB}, 32)))
	assert.NotContains(t, lb.String(), "AbCdEf")
	assert.NotContains(t, lb.String(), "abababab")
	assert.Contains(t, lb.String(), "[redacted]")
}
