package app

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waauto/waauto/action"
	bunstore "github.com/waauto/waauto/adapters/bun"
	riverqueue "github.com/waauto/waauto/adapters/bun/river"
	"github.com/waauto/waauto/condition"
	"github.com/waauto/waauto/condition/expr"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
	"github.com/waauto/waauto/workflow/memstore"
)

// benchOptions are the settings of `waauto bench`.
type benchOptions struct {
	// Store is memory, sqlite (a file in a temporary directory), a SQLite
	// file path or a postgres:// DSN (whose waauto tables are emptied).
	Store string
	// Queue is memory (the engine's) or river (the product's default).
	Queue     string
	Workflows int
	Messages  int
	Contacts  int
	// Rate is the offered load in messages per second; 0 sends them all at once.
	Rate float64
	// Senders is how many goroutines receive a burst (Rate 0), each
	// calling Receive in turn, as one WhatsApp number's events arrive one
	// at a time; 0 means 16.
	Senders int
	// Workers, Poll and Pool override River's workers, its fetch poll
	// interval and the database pool bound; 0 keeps the product's defaults.
	Workers int
	Poll    time.Duration
	Pool    int
	// GroupCommit overrides the store's group commit: on, off or "" (the
	// product's default).
	GroupCommit string
	// Timeout bounds the wait for the last reply.
	Timeout time.Duration
}

// benchResult is what one run measured.
type benchResult struct {
	Messages, Sent int
	Ingest, Total  time.Duration
	// P50, P90 and P99 are Receive → Send latencies of the first send of each message.
	P50, P90, P99 time.Duration
	// Duplicates counts (message, workflow) pairs sent under two different ids.
	Duplicates int
	// Fired counts (message, workflow) pairs sent; LogRows the fired rows of the execution log.
	Fired, LogRows int
	// CPU is the process's user+system CPU time from the first Receive to
	// the last reply: on a machine shared with other work, CPU per message
	// is steadier than the rates.
	CPU time.Duration
	// MachineBusy and MachineTotal are the CPU time of all the machine's
	// cores over the same span (Linux' /proc/stat), busy and in all; both
	// 0 where it cannot be read. Busy includes the database server's.
	MachineBusy, MachineTotal time.Duration
}

func (r benchResult) String() string {
	rate := func(n int, d time.Duration) float64 { return float64(n) / max(d.Seconds(), 1e-9) }
	return fmt.Sprintf("messages %d, replies %d\ningest     %8.0f msg/s (%s)\nend to end %8.0f msg/s (%s)\nlatency    p50 %s, p90 %s, p99 %s\ncpu        %s per message (process user+system)\nduplicates %d\nlog rows   %d of %d fired\n",
		r.Messages, r.Sent, rate(r.Messages, r.Ingest), r.Ingest.Round(time.Millisecond), rate(r.Sent, r.Total), r.Total.Round(time.Millisecond),
		r.P50.Round(time.Millisecond), r.P90.Round(time.Millisecond), r.P99.Round(time.Millisecond),
		(r.CPU/time.Duration(max(r.Messages, 1))).Round(time.Microsecond), r.Duplicates, r.LogRows, r.Fired) + r.machine()
}

// machine is the line of the machine's CPU use, "" when it is unknown.
func (r benchResult) machine() string {
	if r.MachineTotal <= 0 {
		return ""
	}
	return fmt.Sprintf("machine    %.0f%% busy, %s CPU per message (all processes: this one, the database server, anything else)\n",
		100*r.MachineBusy.Seconds()/r.MachineTotal.Seconds(), (r.MachineBusy / time.Duration(max(r.Messages, 1))).Round(time.Microsecond))
}

// cmdBench runs the end-to-end load generator.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o benchOptions
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Store, "store", "memory", "memory, sqlite (a temporary file), a SQLite file or a postgres:// DSN (its WhatsApp Auto tables are emptied)")
	fs.StringVar(&o.Queue, "queue", "river", "job queue: river (the product's default) or memory")
	fs.IntVar(&o.Workflows, "workflows", 50, "generated workflows, one keyword each")
	fs.IntVar(&o.Messages, "messages", 10000, "messages to receive, each with one workflow's keyword")
	fs.IntVar(&o.Contacts, "contacts", 1000, "customers sending them")
	fs.Float64Var(&o.Rate, "rate", 0, "messages per second, sustained; 0 sends them all at once")
	fs.IntVar(&o.Senders, "senders", 16, "goroutines receiving a burst, each one message at a time (as one number's messages arrive)")
	fs.IntVar(&o.Workers, "workers", 0, "River workers (0: the product's default)")
	fs.DurationVar(&o.Poll, "poll", 0, "River's fetch poll interval (0: the product's default)")
	fs.IntVar(&o.Pool, "db-pool", 0, "database connections at most (0: the product's default)")
	fs.StringVar(&o.GroupCommit, "group-commit", "", "concurrent writes share transactions (on PostgreSQL: the hot statements pipelined, one round trip and commit per batch): on or off (empty: the product's default, on)")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "how long to wait for the last reply")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	blockProfile := fs.String("blockprofile", "", "write a blocking profile (channels, mutexes, pool waits) of the run to this file (go tool pprof)")
	traceFile := fs.String("trace", "", "write an execution trace of the run to this file (go tool trace)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "waauto bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fmt.Fprintf(stdout, "store %s, queue %s, %d workflows, %d messages from %d contacts, rate %s\n",
		bunstore.Redact(o.Store), o.Queue, o.Workflows, o.Messages, o.Contacts, rateName(o.Rate))
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			fmt.Fprintf(stderr, "waauto bench: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "waauto bench: cpu profile: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if *blockProfile != "" {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
		defer func() {
			if err := writeProfile("block", *blockProfile); err != nil {
				fmt.Fprintf(stderr, "waauto bench: block profile: %v\n", err)
			}
		}()
	}
	if *traceFile != "" {
		f, err := os.Create(*traceFile)
		if err != nil {
			fmt.Fprintf(stderr, "waauto bench: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			fmt.Fprintf(stderr, "waauto bench: trace: %v\n", err)
			return 1
		}
		defer trace.Stop()
	}
	res, err := runBench(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "waauto bench: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, res)
	if res.Duplicates > 0 || res.LogRows != res.Fired || res.Sent < res.Messages {
		fmt.Fprintln(stderr, "waauto bench: replies lost, sent twice or not logged (see above)")
		return 1
	}
	return 0
}

// writeProfile writes the named runtime profile to path.
func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func rateName(r float64) string {
	if r <= 0 {
		return "burst"
	}
	return fmt.Sprintf("%g msg/s", r)
}

// benchSession is the number the generated messages arrive on.
const benchSession = "bench"

// runBench receives o.Messages messages through the engine wired as the
// product wires it (store, job queue, pool bound) and a transport that
// counts, and waits for every reply.
func runBench(ctx context.Context, o benchOptions) (benchResult, error) {
	if o.Workflows < 1 || o.Messages < 1 || o.Contacts < 1 {
		return benchResult{}, errors.New("--workflows, --messages and --contacts must be at least 1")
	}
	if per := (o.Messages + o.Contacts - 1) / o.Contacts; per > o.Workflows {
		return benchResult{}, fmt.Errorf("%d messages per contact but %d workflows: a reply must name its message (at most one per contact and workflow)", per, o.Workflows)
	}
	if o.Queue != "memory" && o.Queue != "river" {
		return benchResult{}, fmt.Errorf("--queue %q: want river or memory", o.Queue)
	}
	load := newBenchLoad(o)
	store, closeStore, err := openBenchStore(ctx, o)
	if err != nil {
		return benchResult{}, err
	}
	defer closeStore()
	log := slog.New(slog.DiscardHandler)
	cfg := engine.Config{
		Store: store, Transport: load, Compiler: expr.New(), Logger: log,
		// Every contact sends Messages/Contacts messages, each answered.
		LoopLimit: o.Messages + 1,
	}
	var q *riverqueue.Queue
	var eng *engine.Engine
	if o.Queue == "river" {
		bs, ok := store.(*bunstore.Store)
		if !ok {
			return benchResult{}, errors.New("--queue river needs a database store (sqlite or postgres)")
		}
		rc := riverConfig(log)
		rc.MaxWorkers, rc.FetchPollInterval = o.Workers, o.Poll
		q, err = riverqueue.New(ctx, bs, rc)
		if err != nil {
			return benchResult{}, fmt.Errorf("job queue: %w", err)
		}
		cfg.Jobs = q
	}
	if eng, err = engine.New(cfg); err != nil {
		return benchResult{}, err
	}
	if err := eng.PutSession(ctx, workflow.Session{ID: benchSession, Label: "Bench", Status: workflow.SessionConnected}); err != nil {
		return benchResult{}, err
	}
	if err := eng.SetWorkflows(ctx, workflow.Definitions{Workflows: load.workflows()}); err != nil {
		return benchResult{}, err
	}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	if err := eng.Start(bg); err != nil {
		return benchResult{}, err
	}
	if q != nil {
		if err := q.Start(bg, eng.RunJob); err != nil {
			return benchResult{}, err
		}
	}
	res, err := load.run(ctx, eng, o)
	// Stopping waits for the running jobs: a firing's log row is written
	// with its end, after its send.
	if q != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = errors.Join(err, q.Stop(sctx))
		cancel()
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	err = errors.Join(err, eng.Close(cctx))
	cancel()
	if err != nil {
		return res, err
	}
	res.LogRows, err = countFired(ctx, store)
	return res, err
}

// openBenchStore opens o.Store as the product does (storeOptions' pool
// bound), empty: a SQLite file in a temporary directory, or a PostgreSQL
// schema of its own; both are removed by the returned func.
func openBenchStore(ctx context.Context, o benchOptions) (workflow.Store, func(), error) {
	opts := storeOptions(slog.New(slog.DiscardHandler), o.Pool)
	switch o.GroupCommit {
	case "on":
		opts.GroupCommit = bunstore.GroupCommitOn
	case "off":
		opts.GroupCommit = bunstore.GroupCommitOff
	case "":
	default:
		return nil, nil, fmt.Errorf("--group-commit %q: want on or off", o.GroupCommit)
	}
	switch {
	case o.Store == "memory":
		return memstore.New(), func() {}, nil
	case o.Store == "sqlite":
		dir, err := os.MkdirTemp("", "waauto-bench-")
		if err != nil {
			return nil, nil, err
		}
		s, err := bunstore.Open(ctx, filepath.Join(dir, "bench.db"), opts)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return s, func() { s.Close(); os.RemoveAll(dir) }, nil
	case isPostgres(o.Store):
		admin, err := sql.Open("pgx", o.Store)
		if err != nil {
			return nil, nil, fmt.Errorf("open %s: %w", bunstore.Redact(o.Store), err)
		}
		schema := fmt.Sprintf("waauto_bench_%d", time.Now().UnixNano())
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			return nil, nil, fmt.Errorf("%s: create schema: %w", bunstore.Redact(o.Store), err)
		}
		drop := func() {
			_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		}
		sep := "?"
		if strings.Contains(o.Store, "?") {
			sep = "&"
		}
		s, err := bunstore.Open(ctx, o.Store+sep+"search_path="+schema, opts)
		if err != nil {
			drop()
			return nil, nil, err
		}
		return s, func() { s.Close(); drop() }, nil
	}
	return nil, nil, fmt.Errorf("--store %q: want memory, sqlite or a postgres:// DSN", o.Store)
}

// countFired counts the fired rows of the execution log.
func countFired(ctx context.Context, s workflow.Store) (int, error) {
	n, q := 0, workflow.LogQuery{Outcome: workflow.OutcomeFired, Limit: workflow.MaxLogLimit}
	for {
		p, err := s.QueryLogs(ctx, q)
		if err != nil {
			return n, fmt.Errorf("counting log rows: %w", err)
		}
		n += len(p.Entries)
		if p.Next == "" {
			return n, nil
		}
		q.After = p.Next
	}
}

// benchLoad generates the workflows and messages and is the counting
// transport. Message i comes from contact i%Contacts with the keyword of
// workflow (i/Contacts + i%Contacts) % Workflows, so that a (contact,
// workflow) pair names one message while Messages/Contacts ≤ Workflows.
type benchLoad struct {
	msgs []trigger.Message
	key  map[string]int // phone + "\x00" + workflow name → message index
	n    int            // workflows

	start    []atomic.Int64 // Receive's start, Unix ns
	mu       sync.Mutex
	first    []int64 // first send, Unix ns; 0 before
	ids      []string
	dups     int
	sent     int
	allSent  chan struct{}
	unknowns int
}

func newBenchLoad(o benchOptions) *benchLoad {
	l := &benchLoad{n: o.Workflows, key: make(map[string]int, o.Messages), msgs: make([]trigger.Message, o.Messages),
		start: make([]atomic.Int64, o.Messages), first: make([]int64, o.Messages), ids: make([]string, o.Messages), allSent: make(chan struct{})}
	for i := range l.msgs {
		c := i % o.Contacts
		w := (i/o.Contacts + c) % o.Workflows
		phone := fmt.Sprintf("+3361%07d", c)
		l.msgs[i] = trigger.Message{Session: benchSession, ID: fmt.Sprintf("BENCH%08d", i), Phone: phone,
			Text: "Bonjour, " + benchWord(w) + " disponible en taille 42 ?"}
		k := phone + "\x00" + benchName(w)
		if _, ok := l.key[k]; !ok {
			l.key[k] = i
		}
	}
	return l
}

func benchName(w int) string { return fmt.Sprintf("bench-%d", w) }

// benchWord is workflow w's keyword: "zq" and letters no French word has.
func benchWord(w int) string {
	b := []byte("zq____")
	for k := 5; k >= 2; k-- {
		b[k] = byte('a' + w%26)
		w /= 26
	}
	return string(b)
}

func (l *benchLoad) workflows() []workflow.Workflow {
	ws := make([]workflow.Workflow, l.n)
	for w := range ws {
		ws[w] = workflow.Workflow{ID: benchName(w), Name: benchName(w), Enabled: true, Priority: workflow.DefaultPriority,
			Trigger:    trigger.KindIncomingMessage,
			Conditions: condition.Text{Op: condition.OpContains, Value: benchWord(w)},
			Actions:    []workflow.Step{{Type: "reply", Action: &action.Reply{Text: "Merci, nous revenons vers vous."}}}}
	}
	return ws
}

// Send counts m: its first send per (message, workflow) stops that
// message's clock; another id for the same pair is a duplicate.
func (l *benchLoad) Send(_ context.Context, m workflow.Outgoing) error {
	now := time.Now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.key[m.To+"\x00"+m.Workflow]
	switch {
	case !ok:
		l.unknowns++
	case l.ids[i] == "":
		l.ids[i], l.first[i] = m.ID, now
		if l.sent++; l.sent == len(l.msgs) {
			close(l.allSent)
		}
	case l.ids[i] != m.ID:
		l.dups++
	}
	return nil
}

// run receives the messages (at once from o.Senders goroutines, or at o.Rate)
// and waits for their replies.
func (l *benchLoad) run(ctx context.Context, eng *engine.Engine, o benchOptions) (benchResult, error) {
	t0, cpu0 := time.Now(), processCPU()
	busy0, all0, machineOK := machineCPU()
	var next atomic.Int64
	var errs sync.Map
	receive := func(i int) {
		l.start[i].Store(time.Now().UnixNano())
		if err := eng.Receive(ctx, l.msgs[i]); err != nil {
			errs.Store(i, err)
		}
	}
	var wg sync.WaitGroup
	if o.Rate <= 0 {
		for range cmp.Or(o.Senders, 16) {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < len(l.msgs); i = int(next.Add(1)) - 1 {
					receive(i)
				}
			})
		}
	} else {
		every := time.Duration(float64(time.Second) / o.Rate)
		for i := range l.msgs {
			if d := time.Until(t0.Add(time.Duration(i) * every)); d > 0 {
				time.Sleep(d)
			}
			wg.Go(func() { receive(i) })
		}
	}
	wg.Wait()
	ingest := time.Since(t0)
	var first error
	errs.Range(func(k, v any) bool {
		first = fmt.Errorf("receiving message %d: %w", k, v.(error))
		return false
	})
	if first != nil {
		return benchResult{}, first
	}
	timeout := time.NewTimer(o.Timeout)
	defer timeout.Stop()
	select {
	case <-l.allSent:
	case <-timeout.C:
	case <-ctx.Done():
	}
	total, cpu := time.Since(t0), processCPU()-cpu0
	busy1, all1, ok := machineCPU()
	var busy, all time.Duration
	if machineOK && ok {
		busy, all = busy1-busy0, all1-all0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unknowns > 0 {
		return benchResult{}, fmt.Errorf("%d replies to no generated message", l.unknowns)
	}
	lat := make([]time.Duration, 0, l.sent)
	for i, f := range l.first {
		if f != 0 {
			lat = append(lat, time.Duration(f-l.start[i].Load()))
		}
	}
	slices.Sort(lat)
	pct := func(p int) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, len(lat)*p/100)]
	}
	return benchResult{Messages: len(l.msgs), Sent: l.sent, Ingest: ingest, Total: total,
		P50: pct(50), P90: pct(90), P99: pct(99), Duplicates: l.dups, Fired: l.sent, CPU: cpu,
		MachineBusy: busy, MachineTotal: all}, nil
}
