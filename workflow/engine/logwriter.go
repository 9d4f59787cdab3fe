package engine

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waauto/waauto/workflow"
)

// LogWriterConfig tunes a LogWriter; zero values mean the defaults.
type LogWriterConfig struct {
	// BatchSize rows trigger a flush; default 100.
	BatchSize int
	// Interval between flushes of a partial batch; default 100ms.
	Interval time.Duration
	// QueueSize bounds the rows waiting; when full, Write blocks
	// (backpressure) rather than dropping. Default 10,000.
	QueueSize int
	Logger    *slog.Logger
}

// LogWriter writes execution log entries asynchronously in batches. A
// failed batch is retried on the next flush; no entry is dropped.
//
// The engine makes its own on Config.Store; LogWriter is exported for
// store adapters, whose tests and benchmarks (adapters/bun) check and
// measure their workflow.Logs under the engine's batching.
type LogWriter struct {
	store workflow.Logs
	cfg   LogWriterConfig
	mu    sync.Mutex
	fmu   sync.Mutex // one Flush at a time
	buf   []workflow.Execution
	space chan struct{} // one token per free queue slot
	kick  chan struct{}
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
	// started: a background flusher runs (Start).
	started atomic.Bool
}

// NewLogWriter returns a writer to store; call Start to flush in the
// background (without Start, entries are written by Flush only).
func NewLogWriter(store workflow.Logs, cfg LogWriterConfig) *LogWriter {
	setDefault(&cfg.BatchSize, 100)
	setDefault(&cfg.Interval, 100*time.Millisecond)
	setDefault(&cfg.QueueSize, 10_000)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	w := &LogWriter{store: store, cfg: cfg, kick: make(chan struct{}, 1), done: make(chan struct{}),
		space: make(chan struct{}, cfg.QueueSize)}
	for range cfg.QueueSize {
		w.space <- struct{}{}
	}
	return w
}

// Write queues one entry, blocking while the queue is full. Without Start,
// every full batch is written by the Write that fills it.
func (w *LogWriter) Write(ctx context.Context, e workflow.Execution) error {
	select {
	case <-w.space:
	case <-ctx.Done():
		return ctx.Err()
	}
	w.mu.Lock()
	w.buf = append(w.buf, e)
	full := len(w.buf) >= w.cfg.BatchSize
	w.mu.Unlock()
	switch {
	case full && w.started.Load():
		select {
		case w.kick <- struct{}{}:
		default:
		}
	case full:
		// No background flusher: write the batch now rather than fill the queue.
		return w.Flush(ctx)
	}
	return nil
}

// Start flushes in the background until Close.
func (w *LogWriter) Start(ctx context.Context) {
	w.started.Store(true)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(w.cfg.Interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-w.kick:
			case <-w.done:
				return
			case <-ctx.Done():
				return
			}
			if err := w.Flush(context.WithoutCancel(ctx)); err != nil {
				w.cfg.Logger.ErrorContext(ctx, "execution log write failed; will retry", slog.Any("err", err))
			}
		}
	}()
}

// Flush writes every queued entry now, in batches of BatchSize.
func (w *LogWriter) Flush(ctx context.Context) error {
	w.fmu.Lock()
	defer w.fmu.Unlock()
	for {
		w.mu.Lock()
		n := min(len(w.buf), w.cfg.BatchSize)
		batch := w.buf[:n:n]
		w.mu.Unlock()
		if n == 0 {
			return nil
		}
		if err := w.store.AppendLogs(ctx, batch); err != nil {
			return err
		}
		w.mu.Lock()
		w.buf = w.buf[n:]
		w.mu.Unlock()
		for range n {
			w.space <- struct{}{}
		}
	}
}

// Close stops the background flusher and writes what is queued.
func (w *LogWriter) Close(ctx context.Context) error {
	w.once.Do(func() { close(w.done) })
	w.wg.Wait()
	return w.Flush(ctx)
}
