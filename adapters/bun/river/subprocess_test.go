package riverqueue_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// What the crash tests share: the production wiring (an engine whose jobs
// run on River), a fake WhatsApp that leaves a trace surviving SIGKILL, and
// a child process (this test binary re-run on one test) to SIGKILL for real.

// newEngine builds the production wiring on store with transport tr.
func newEngine(ctx context.Context, store *bunstore.Store, tr workflow.Transport, cfg riverqueue.Config) (*engine.Engine, *riverqueue.Queue, error) {
	return newEngineWith(ctx, store, engine.Config{Transport: tr}, cfg)
}

// newEngineWith builds the production wiring from ecfg: its jobs run on a
// River queue on store, its Store is store unless ecfg sets one (a wrapper
// of store), its conditions compile with condition/expr.
func newEngineWith(ctx context.Context, store *bunstore.Store, ecfg engine.Config, cfg riverqueue.Config) (*engine.Engine, *riverqueue.Queue, error) {
	q, err := riverqueue.New(ctx, store, cfg)
	if err != nil {
		return nil, nil, err
	}
	if ecfg.Store == nil {
		ecfg.Store = store
	}
	if ecfg.Logger == nil {
		ecfg.Logger = slog.New(slog.DiscardHandler)
	}
	ecfg.Compiler, ecfg.Jobs = expr.New(), q
	eng, err := engine.New(ecfg)
	return eng, q, err
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// parentTransport is the transport of a crash test's own engine, which
// stores and watches but never runs a job: the child processes send.
var parentTransport = workflow.TransportFunc(func(context.Context, workflow.Outgoing) error {
	return errors.New("the test process sends nothing; its children do")
})

// appendTransport is the fake WhatsApp: it sleeps a random latency below
// maxLatency, then appends "session\tto\tid\ttext" to a file opened
// O_APPEND with one write(2) and fsyncs it. A line written is a message
// delivered: it survives SIGKILL of the process (the kernel has it).
type appendTransport struct {
	f          *os.File
	maxLatency time.Duration
	mu         sync.Mutex
	rnd        *rand.Rand
}

// openAppendTransport appends to the file at path, creating it.
func openAppendTransport(path string, seed uint64, maxLatency time.Duration) (*appendTransport, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &appendTransport{f: f, maxLatency: maxLatency, rnd: rand.New(rand.NewPCG(seed, 7))}, nil
}

func (s *appendTransport) Send(ctx context.Context, m workflow.Outgoing) error {
	if s.maxLatency > 0 {
		s.mu.Lock()
		d := time.Duration(s.rnd.Int64N(int64(s.maxLatency)))
		s.mu.Unlock()
		time.Sleep(d)
	}
	if _, err := s.f.WriteString(m.Session + "\t" + m.To + "\t" + m.ID + "\t" + m.Text + "\n"); err != nil {
		return fmt.Errorf("fake transport: %w", err)
	}
	return s.f.Sync()
}

// delivery is one line of an appendTransport's file.
type delivery struct{ Session, To, ID, Text string }

// readDeliveries reads the file of an appendTransport (none when it does
// not exist).
func readDeliveries(t testing.TB, path string) []delivery {
	t.Helper()
	var out []delivery
	for _, line := range readLines(t, path) {
		f := strings.SplitN(line, "\t", 4)
		if len(f) != 4 {
			t.Fatalf("torn line in the delivery log %s: %q", path, line)
		}
		out = append(out, delivery{f[0], f[1], f[2], f[3]})
	}
	return out
}

// readLines returns the lines of the file at path (none when it does not exist).
func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return out
}

// lineCount counts the lines of the file at path.
func lineCount(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "\n")
}

// child is this test binary re-run on one test, in its own process.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// startChild runs the test named run (an anchored -test.run pattern is
// made of it) in a new process with env added to this one's; the child is
// SIGKILLed at t's cleanup if still running.
func startChild(t testing.TB, run string, env ...string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^"+run+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd, make(chan struct{})}
	go func() { cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() { c.signal(syscall.SIGKILL) })
	return c
}

// signal sends sig and waits until the child has exited.
func (c *child) signal(sig syscall.Signal) {
	c.cmd.Process.Signal(sig)
	<-c.exited
}

// running reports whether the child has not exited yet.
func (c *child) running() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// killed reports whether the child exited by SIGKILL.
func (c *child) killed() bool {
	ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
