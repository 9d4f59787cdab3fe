package whatsmeow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/waauto/waauto/workflow"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// Status is the state of a number as the manager sees it.
type Status string

// The statuses reported to a StatusSink.
const (
	StatusPairing      Status = "pairing"
	StatusConnected    Status = "connected"
	StatusDisconnected Status = "disconnected"
	// StatusLoggedOut: unlinked from the phone or by WhatsApp; keys are gone.
	StatusLoggedOut Status = "logged_out"
	// StatusBanned: temporarily banned; the number's jobs should be held.
	StatusBanned Status = "banned"
	// StatusDeleted: removed through Manager.Delete.
	StatusDeleted Status = "deleted"
)

// StatusSink receives status changes of numbers. It is called on
// whatsmeow's event goroutine and must return quickly.
type StatusSink interface {
	SessionStatus(ctx context.Context, sessionID string, status Status, at time.Time) error
}

// Errors of the manager.
var (
	// ErrNotPaired: Start was called for a number that was never linked.
	ErrNotPaired = errors.New("whatsapp number not linked")
	// ErrSessionExists: the number is already running in this manager.
	ErrSessionExists = errors.New("whatsapp session already running")
	// ErrPairing: linking ended without success.
	ErrPairing = errors.New("whatsapp linking failed")
)

// SessionOptions are the per-number switches.
type SessionOptions struct {
	// Groups enables automation of group messages.
	Groups bool
}

// Backoff bounds the delay between reconnection attempts; it doubles from Min to Max.
type Backoff struct {
	Min, Max time.Duration
}

// ManagerConfig configures a Manager.
type ManagerConfig struct {
	// Store holds devices; required.
	Store *DeviceStore
	// Inbox records incoming messages; required.
	Inbox workflow.Inbox
	// Status receives status changes; may be nil.
	Status StatusSink
	// Clock defaults to the system clock.
	Clock Clock
	// Logger defaults to discarding.
	Logger *slog.Logger
	// NewClient builds the client of a device; nil uses NewWhatsmeowClient.
	NewClient func(dev *store.Device) Client
	// Backoff of reconnection; zero means 2s to 5min.
	Backoff Backoff
	// Sleep waits d or until ctx ends; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxMediaSize is passed to each Receiver.
	MaxMediaSize int64
	// PairDisplayName is shown on the phone for pair-code linking; it must be
	// "Browser (OS)". Default "Chrome (Linux)".
	PairDisplayName string
}

// Manager runs several WhatsApp numbers in one process, one whatsmeow
// device and client each. It is safe for concurrent use.
type Manager struct {
	cfg ManagerConfig
	log *slog.Logger

	mu       sync.Mutex
	sessions map[string]*session
}

type session struct {
	id      string
	dev     *store.Device
	cli     Client
	recv    *Receiver
	handler uint32
	ctx     context.Context
	cancel  context.CancelFunc

	mu             sync.Mutex
	status         Status
	disconnectedAt time.Time
	lastSeen       time.Time
}

// NewManager returns a manager; call Start or LinkQR/LinkPhone per number.
func NewManager(cfg ManagerConfig) *Manager {
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.Backoff.Min <= 0 {
		cfg.Backoff.Min = 2 * time.Second
	}
	if cfg.Backoff.Max < cfg.Backoff.Min {
		cfg.Backoff.Max = max(5*time.Minute, cfg.Backoff.Min)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.PairDisplayName == "" {
		cfg.PairDisplayName = "Chrome (Linux)"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{cfg: cfg, log: log, sessions: map[string]*session{}}
	if m.cfg.NewClient == nil {
		m.cfg.NewClient = func(dev *store.Device) Client { return NewWhatsmeowClient(dev, log) }
	}
	return m
}

// NewWhatsmeowClient builds a real client for dev with the settings the
// adapter relies on: acks only after handlers return, the decrypted-event
// buffer so a withheld ack can be redelivered and decrypted again,
// automatic reconnection, and whatsmeow logs redacted into logger.
func NewWhatsmeowClient(dev *store.Device, logger *slog.Logger) *whatsmeow.Client {
	cli := whatsmeow.NewClient(dev, NewWALogger(logger, "client"))
	cli.SynchronousAck = true
	cli.EnableDecryptedEventBuffer = true
	cli.EnableAutoReconnect = true
	cli.AutomaticMessageRerequestFromPhone = true
	return cli
}

// Transport returns the workflow.Transport sending through this manager's clients.
func (m *Manager) Transport() *Transport {
	return &Transport{Lookup: m.Client, Logger: m.log, MaxMediaSize: m.cfg.MaxMediaSize}
}

// Client returns the client of a running session.
func (m *Manager) Client(sessionID string) (Client, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[sessionID]
	if !ok {
		return nil, false
	}
	return s.cli, true
}

// SessionInfo is a snapshot of a running number.
type SessionInfo struct {
	ID     string
	Status Status
	// DisconnectedAt is when it was last disconnected (zero when connected).
	DisconnectedAt time.Time
	// LastSeen is the last time the number was connected or received an event.
	LastSeen time.Time
}

// Sessions lists the running numbers.
func (m *Manager) Sessions() []SessionInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]SessionInfo, 0, len(m.sessions))
	for _, s := range m.sessions {
		s.mu.Lock()
		out = append(out, SessionInfo{ID: s.id, Status: s.status, DisconnectedAt: s.disconnectedAt, LastSeen: s.lastSeen})
		s.mu.Unlock()
	}
	return out
}

// Start connects a linked number and keeps it connected, retrying with
// backoff until ctx ends. It returns ErrNotPaired for a number never
// linked, and ErrNoDevice when its keys were removed (logged out).
func (m *Manager) Start(ctx context.Context, sessionID string, opt SessionOptions) error {
	dev, err := m.cfg.Store.Device(ctx, sessionID)
	if err != nil {
		if errors.Is(err, ErrNoDevice) {
			m.report(ctx, sessionID, StatusLoggedOut)
		}
		return err
	}
	if dev.ID == nil {
		return fmt.Errorf("start %s: %w", sessionID, ErrNotPaired)
	}
	s, err := m.add(ctx, sessionID, dev, opt)
	if err != nil {
		return err
	}
	go m.connectLoop(s)
	return nil
}

func (m *Manager) add(ctx context.Context, sessionID string, dev *store.Device, opt SessionOptions) (*session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sessions[sessionID]; ok {
		return nil, fmt.Errorf("session %s: %w", sessionID, ErrSessionExists)
	}
	cli := m.cfg.NewClient(dev)
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &session{id: sessionID, dev: dev, cli: cli, ctx: sctx, cancel: cancel}
	s.recv = &Receiver{
		Session:      sessionID,
		Inbox:        m.cfg.Inbox,
		Client:       cli,
		LIDs:         deviceLIDs{dev},
		Own:          func() (types.JID, types.JID) { return dev.GetJID(), dev.GetLID() },
		Clock:        m.cfg.Clock,
		Logger:       m.log,
		Groups:       opt.Groups,
		MaxMediaSize: m.cfg.MaxMediaSize,
	}
	s.handler = cli.AddEventHandlerWithSuccessStatus(func(evt any) bool { return m.handle(s, evt) })
	m.sessions[sessionID] = s
	return s, nil
}

// deviceLIDs reads the device's LID store lazily: it is set on pairing.
type deviceLIDs struct{ dev *store.Device }

func (d deviceLIDs) GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	if d.dev == nil || d.dev.LIDs == nil {
		return types.JID{}, nil
	}
	return d.dev.LIDs.GetPNForLID(ctx, lid)
}

func (m *Manager) connectLoop(s *session) {
	delay := m.cfg.Backoff.Min
	for attempt := 1; ; attempt++ {
		if s.ctx.Err() != nil {
			return
		}
		err := s.cli.Connect()
		if err == nil || errors.Is(err, whatsmeow.ErrAlreadyConnected) {
			return
		}
		m.log.Warn("whatsmeow: connect failed, retrying", "session", s.id, "attempt", attempt, "retry_in", delay, "err", err)
		m.setStatus(s, StatusDisconnected)
		if m.cfg.Sleep(s.ctx, delay) != nil {
			return
		}
		delay = min(delay*2, m.cfg.Backoff.Max)
	}
}

// handle is the single event handler of a session.
func (m *Manager) handle(s *session, evt any) bool {
	switch e := evt.(type) {
	case *events.Message:
		m.touch(s)
		return s.recv.Handle(s.ctx, e)
	case *events.Connected:
		m.log.Info("whatsmeow: connected", "session", s.id)
		m.setStatus(s, StatusConnected)
	case *events.Disconnected:
		m.log.Warn("whatsmeow: disconnected, whatsmeow reconnects", "session", s.id)
		m.setStatus(s, StatusDisconnected)
	case *events.PairSuccess:
		m.log.Info("whatsmeow: linked", "session", s.id, "jid", e.ID.String(), "platform", e.Platform)
		if err := m.cfg.Store.Bind(s.ctx, s.id, e.ID); err != nil {
			m.log.Error("whatsmeow: saving link failed", "session", s.id, "err", err)
		}
		m.setStatus(s, StatusPairing)
	case *events.PairError:
		m.log.Error("whatsmeow: linking failed", "session", s.id, "err", Redact(fmt.Sprint(e.Error)))
	case *events.LoggedOut:
		m.log.Warn("whatsmeow: logged out", "session", s.id, "on_connect", e.OnConnect, "reason", e.Reason.String())
		if err := m.cfg.Store.Unbind(s.ctx, s.id); err != nil {
			m.log.Error("whatsmeow: forgetting logged-out device failed", "session", s.id, "err", err)
		}
		m.setStatus(s, StatusLoggedOut)
	case *events.TemporaryBan:
		m.log.Error("whatsmeow: temporarily banned", "session", s.id, "code", int(e.Code), "reason", e.Code.String(), "expire", e.Expire)
		m.setStatus(s, StatusBanned)
	case *events.StreamReplaced:
		m.log.Error("whatsmeow: stream replaced: another process uses this number's keys", "session", s.id)
		m.setStatus(s, StatusDisconnected)
	case *events.ClientOutdated:
		m.log.Error("whatsmeow: client outdated, update whatsmeow", "session", s.id)
		m.setStatus(s, StatusDisconnected)
	case *events.ConnectFailure:
		m.log.Error("whatsmeow: connect failure", "session", s.id, "reason", e.Reason.String(), "message", e.Message)
		m.setStatus(s, StatusDisconnected)
	case *events.KeepAliveTimeout:
		m.log.Warn("whatsmeow: keepalive timeout", "session", s.id, "errors", e.ErrorCount)
	}
	return true
}

func (m *Manager) touch(s *session) {
	now := m.cfg.Clock.Now()
	s.mu.Lock()
	s.lastSeen = now
	s.mu.Unlock()
}

func (m *Manager) setStatus(s *session, st Status) {
	now := m.cfg.Clock.Now()
	s.mu.Lock()
	changed := s.status != st
	s.status = st
	s.lastSeen = now
	switch st {
	case StatusConnected:
		s.disconnectedAt = time.Time{}
	case StatusDisconnected, StatusLoggedOut, StatusBanned:
		if s.disconnectedAt.IsZero() {
			s.disconnectedAt = now
		}
	}
	s.mu.Unlock()
	if changed {
		m.report(s.ctx, s.id, st)
	}
}

func (m *Manager) report(ctx context.Context, sessionID string, st Status) {
	if m.cfg.Status == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := m.cfg.Status.SessionStatus(ctx, sessionID, st, m.cfg.Clock.Now()); err != nil {
		m.log.Error("whatsmeow: reporting status failed", "session", sessionID, "status", string(st), "err", err)
	}
}

// LinkQR links a new number by QR code. The returned channel yields fresh
// codes until one is scanned or they run out, then closes; linking
// success is reported as StatusPairing then StatusConnected. Codes must
// be shown to the user only (QRPNG, QRTerminal), never logged.
func (m *Manager) LinkQR(ctx context.Context, sessionID string, opt SessionOptions) (<-chan QRCode, error) {
	s, items, err := m.startPairing(ctx, sessionID, opt)
	if err != nil {
		return nil, err
	}
	out := make(chan QRCode, 1)
	go func() {
		defer close(out)
		for it := range items {
			if it.Event == whatsmeow.QRChannelEventCode {
				select {
				case out <- QRCode{Code: it.Code, Expires: it.Timeout}:
				case <-ctx.Done():
				}
				continue
			}
			m.pairingEnded(s, it)
		}
	}()
	return out, nil
}

// LinkPhone links a new number with a pair code typed on the phone
// (Linked devices → Link with phone number). It returns the code to show.
func (m *Manager) LinkPhone(ctx context.Context, sessionID, phone string, opt SessionOptions) (string, error) {
	s, items, err := m.startPairing(ctx, sessionID, opt)
	if err != nil {
		return "", err
	}
	// whatsmeow needs the first QR event before a pair code can be requested.
	for {
		select {
		case <-ctx.Done():
			m.abort(s)
			return "", ctx.Err()
		case it, ok := <-items:
			if !ok {
				m.abort(s)
				return "", fmt.Errorf("link %s: %w", sessionID, ErrPairing)
			}
			if it.Event != whatsmeow.QRChannelEventCode {
				m.pairingEnded(s, it)
				m.abort(s)
				return "", fmt.Errorf("link %s: %s: %w", sessionID, it.Event, ErrPairing)
			}
			code, err := s.cli.PairPhone(ctx, phone, true, whatsmeow.PairClientChrome, m.cfg.PairDisplayName)
			if err != nil {
				m.abort(s)
				return "", fmt.Errorf("link %s by phone: %w", sessionID, err)
			}
			go func() {
				for it := range items {
					if it.Event != whatsmeow.QRChannelEventCode {
						m.pairingEnded(s, it)
					}
				}
			}()
			return code, nil
		}
	}
}

func (m *Manager) startPairing(ctx context.Context, sessionID string, opt SessionOptions) (*session, <-chan whatsmeow.QRChannelItem, error) {
	dev := m.cfg.Store.Container.NewDevice()
	s, err := m.add(ctx, sessionID, dev, opt)
	if err != nil {
		return nil, nil, err
	}
	items, err := s.cli.GetQRChannel(s.ctx)
	if err != nil {
		m.abort(s)
		return nil, nil, fmt.Errorf("link %s: %w", sessionID, err)
	}
	m.setStatus(s, StatusPairing)
	if err := s.cli.Connect(); err != nil {
		m.abort(s)
		return nil, nil, fmt.Errorf("link %s: connect: %w", sessionID, err)
	}
	return s, items, nil
}

func (m *Manager) pairingEnded(s *session, it whatsmeow.QRChannelItem) {
	if it == whatsmeow.QRChannelSuccess {
		m.log.Info("whatsmeow: linking succeeded", "session", s.id)
		return
	}
	attrs := []any{"session", s.id, "event", it.Event}
	if it.Error != nil {
		attrs = append(attrs, "err", Redact(it.Error.Error()))
	}
	m.log.Warn("whatsmeow: linking ended without success", attrs...)
	m.abort(s)
}

// abort stops and forgets a session that never linked.
func (m *Manager) abort(s *session) {
	m.stop(s)
	m.report(s.ctx, s.id, StatusDisconnected)
}

func (m *Manager) stop(s *session) {
	m.mu.Lock()
	if m.sessions[s.id] == s {
		delete(m.sessions, s.id)
	}
	m.mu.Unlock()
	s.cli.RemoveEventHandler(s.handler)
	s.cli.Disconnect()
	s.cancel()
}

// Stop disconnects a number without logging out; its keys stay.
func (m *Manager) Stop(sessionID string) {
	m.mu.Lock()
	s, ok := m.sessions[sessionID]
	m.mu.Unlock()
	if ok {
		m.stop(s)
	}
}

// Close disconnects every number.
func (m *Manager) Close() {
	m.mu.Lock()
	all := make([]*session, 0, len(m.sessions))
	for _, s := range m.sessions {
		all = append(all, s)
	}
	m.mu.Unlock()
	for _, s := range all {
		m.stop(s)
	}
}

// Delete logs a number out and removes its keys. When the logout request
// fails (for example offline), the keys are removed locally anyway.
func (m *Manager) Delete(ctx context.Context, sessionID string) error {
	m.mu.Lock()
	s, running := m.sessions[sessionID]
	m.mu.Unlock()
	var errs []error
	if running {
		if err := s.cli.Logout(ctx); err != nil {
			m.log.Warn("whatsmeow: logout request failed, removing keys locally", "session", sessionID, "err", err)
			if s.dev.ID != nil {
				if err := s.dev.Delete(ctx); err != nil {
					errs = append(errs, fmt.Errorf("delete keys of %s: %w", sessionID, err))
				}
			}
		}
		m.stop(s)
	} else {
		dev, err := m.cfg.Store.Device(ctx, sessionID)
		switch {
		case errors.Is(err, ErrNoDevice):
		case err != nil:
			errs = append(errs, err)
		case dev.ID != nil:
			if err := dev.Delete(ctx); err != nil {
				errs = append(errs, fmt.Errorf("delete keys of %s: %w", sessionID, err))
			}
		}
	}
	if err := m.cfg.Store.Unbind(ctx, sessionID); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m.report(ctx, sessionID, StatusDeleted)
	return nil
}

// PruneDisconnected deletes (logs out, removes keys) every running number
// that has been disconnected, logged out or banned for longer than maxAge,
// and returns their ids. The caller makes their workflows global.
func (m *Manager) PruneDisconnected(ctx context.Context, maxAge time.Duration) ([]string, error) {
	now := m.cfg.Clock.Now()
	var old []string
	for _, info := range m.Sessions() {
		if !info.DisconnectedAt.IsZero() && now.Sub(info.DisconnectedAt) > maxAge {
			old = append(old, info.ID)
		}
	}
	var errs []error
	deleted := make([]string, 0, len(old))
	for _, id := range old {
		if err := m.Delete(ctx, id); err != nil {
			errs = append(errs, err)
			continue
		}
		deleted = append(deleted, id)
	}
	return deleted, errors.Join(errs...)
}
