package dashboard

import (
	"context"
	"errors"
	"sync"
	"time"

	wa "github.com/waauto/waauto/adapters/whatsmeow"
)

// SimulatorSession is the id of the virtual number of the chat simulator.
const SimulatorSession = "simulator"

// SimMessage is one line of the chat simulator: a customer message typed
// in the page, or what automation sent back to the virtual number.
type SimMessage struct {
	Seq      int       `json:"seq"`
	Bot      bool      `json:"bot"`
	Phone    string    `json:"phone"`
	Text     string    `json:"text"`
	Kind     string    `json:"kind,omitempty"`
	Workflow string    `json:"workflow,omitempty"`
	Time     time.Time `json:"time"`
}

// Simulator keeps the last messages of the virtual number in memory.
type Simulator struct {
	mu   sync.Mutex
	max  int
	seq  int
	msgs []SimMessage
}

// NewSimulator keeps the last max messages.
func NewSimulator(max int) *Simulator { return &Simulator{max: max} }

// Add appends m (numbered, and timed now when m.Time is zero) and returns it.
func (s *Simulator) Add(m SimMessage) SimMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	m.Seq = s.seq
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	s.msgs = append(s.msgs, m)
	if len(s.msgs) > s.max {
		s.msgs = append([]SimMessage(nil), s.msgs[len(s.msgs)-s.max:]...)
	}
	return m
}

// Since returns the messages after seq, for phone ("" = all).
func (s *Simulator) Since(seq int, phone string) []SimMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []SimMessage{}
	for _, m := range s.msgs {
		if m.Seq > seq && (phone == "" || m.Phone == phone) {
			out = append(out, m)
		}
	}
	return out
}

// linkState is what the dashboard shows of a number being linked. The QR
// code string stays in memory: it is rendered as PNG for admins only and
// never logged.
type linkState struct {
	code    string
	seq     int // counts the codes, so that the page reloads the image when it changes
	expires time.Time
	done    bool
}

// expiresIn is how many whole seconds the current code has left (0: none).
func (st linkState) expiresIn(now time.Time) int {
	if st.code == "" || !now.Before(st.expires) {
		return 0
	}
	return int(st.expires.Sub(now).Seconds())
}

// linker follows the numbers being linked by QR code.
type linker struct {
	mgr *wa.Manager
	mu  sync.Mutex
	m   map[string]*linkState
}

func newLinker(mgr *wa.Manager) *linker { return &linker{mgr: mgr, m: map[string]*linkState{}} }

// startQR starts linking id by QR code; codes arrive in the background
// until one is scanned or they run out.
func (l *linker) startQR(ctx context.Context, id string) error {
	ch, err := l.mgr.LinkQR(ctx, id, wa.SessionOptions{})
	if errors.Is(err, wa.ErrSessionExists) {
		l.mgr.Stop(id)
		ch, err = l.mgr.LinkQR(ctx, id, wa.SessionOptions{})
	}
	if err != nil {
		return err
	}
	st := &linkState{}
	l.mu.Lock()
	l.m[id] = st
	l.mu.Unlock()
	go func() {
		for c := range ch {
			l.mu.Lock()
			st.code, st.expires = c.Code, time.Now().Add(c.Expires)
			st.seq++
			l.mu.Unlock()
		}
		l.mu.Lock()
		st.code, st.done = "", true
		l.mu.Unlock()
	}()
	return nil
}

// state returns the linking state of id (a copy), and whether there is one.
func (l *linker) state(id string) (linkState, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.m[id]
	if !ok {
		return linkState{}, false
	}
	return *st, true
}
