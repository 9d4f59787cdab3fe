package app

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/waauto/waauto/internal/dashboard"
	"github.com/waauto/waauto/trigger"
	"github.com/waauto/waauto/workflow/engine"
)

// collector is an OTLP/HTTP trace receiver on loopback: it decodes what
// the product exports.
type collector struct {
	mu      sync.Mutex
	spans   []*tracepb.Span
	service []string
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var req coltracepb.ExportTraceServiceRequest
	if err == nil && r.URL.Path == "/v1/traces" && r.Header.Get("Content-Type") == "application/x-protobuf" {
		err = proto.Unmarshal(body, &req)
	} else if err == nil {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.Key == "service.name" {
				c.service = append(c.service, kv.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.ScopeSpans {
			c.spans = append(c.spans, ss.Spans...)
		}
	}
	c.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// With OTEL_EXPORTER_OTLP_ENDPOINT set, a message tried in the simulator
// is one trace sent over OTLP/HTTP when the product shuts down (the
// batch is flushed): receive → evaluate → workflow → send, under the
// service name of OTEL_SERVICE_NAME. A message received as WhatsApp's
// are (Receive) is evaluated by a River job, stored in the database: its
// evaluation is still a child of its receive span.
func TestTracesExportedOverOTLP(t *testing.T) {
	col := &collector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_TRACES_EXPORTER", "")
	t.Setenv("OTEL_SERVICE_NAME", "waauto-test")
	ta := startApp(t, "")
	if ta.tracer == nil {
		t.Fatal("tracing is off with OTEL_EXPORTER_OTLP_ENDPOINT set")
	}
	c := ta.client(t)
	c.login("admin", testPassword)
	if code, _, _ := c.post("/workflows/edit", url.Values{"yaml": {prixYAML}, "op": {"save"}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	if execs, _ := simSend(t, c, "+33 6 00 00 00 01", "Quel est le PRIX ?"); len(execs) != 1 {
		t.Fatalf("executions %v", execs)
	}
	seen := len(ta.sim.Since(0, ""))
	if err := ta.engine.Receive(t.Context(), trigger.Message{ID: "river-1", Session: dashboard.SimulatorSession, Phone: "+33600000002", Text: "le prix"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reply of the River job", func() bool { return len(ta.sim.Since(0, "")) > seen })
	ta.app.close() // flushes the batch

	col.mu.Lock()
	defer col.mu.Unlock()
	// The simulator's message: from its send up to the root.
	chain := []*tracepb.Span{find(col.spans, engine.SpanSend, "")}
	for len(chain) < 4 && chain[len(chain)-1] != nil {
		chain = append(chain, parentOf(col.spans, chain[len(chain)-1]))
	}
	for i, want := range []engine.SpanType{engine.SpanSend, engine.SpanWorkflow, engine.SpanEvaluate, engine.SpanReceive} {
		if i >= len(chain) || chain[i] == nil || chain[i].Name != string(want) {
			t.Fatalf("exported spans %v: no chain send → workflow → evaluate → receive", names(col.spans))
		}
	}
	send, wf, recv := chain[0], chain[1], chain[3]
	if len(recv.ParentSpanId) != 0 {
		t.Errorf("receive has a parent")
	}
	// The River job's evaluation, under the receive of its message.
	queued, job := find(col.spans, engine.SpanReceive, "river-1"), find(col.spans, engine.SpanEvaluate, "river-1")
	if queued == nil || job == nil || parentOf(col.spans, job) != queued || !bytes.Equal(job.TraceId, queued.TraceId) {
		t.Errorf("the River job's evaluate span is not a child of its message's receive span (spans %v)", names(col.spans))
	}
	if got := stringAttr(wf, engine.AttrWorkflow); got != "Prix" {
		t.Errorf("workflow span's %s = %q", engine.AttrWorkflow, got)
	}
	if got := stringAttr(send, engine.AttrTransport); got != "*app.router" {
		t.Errorf("send span's %s = %q", engine.AttrTransport, got)
	}
	if len(col.service) == 0 || col.service[0] != "waauto-test" {
		t.Errorf("service.name %v, want waauto-test (OTEL_SERVICE_NAME)", col.service)
	}
}

// find returns the first span named name whose message id is id (any
// when ""), nil when none.
func find(spans []*tracepb.Span, name engine.SpanType, id string) *tracepb.Span {
	for _, s := range spans {
		if s.Name == string(name) && (id == "" || stringAttr(s, engine.AttrMessageID) == id) {
			return s
		}
	}
	return nil
}

// parentOf returns the span whose id is s's parent id, nil when none.
func parentOf(spans []*tracepb.Span, s *tracepb.Span) *tracepb.Span {
	for _, p := range spans {
		if len(s.ParentSpanId) > 0 && bytes.Equal(p.SpanId, s.ParentSpanId) && bytes.Equal(p.TraceId, s.TraceId) {
			return p
		}
	}
	return nil
}

func names(spans []*tracepb.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

func stringAttr(s *tracepb.Span, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.GetValue().GetStringValue()
		}
	}
	return ""
}

// Tracing is off unless the environment asks for it, and an exporter or
// protocol the product lacks is an error, not silence.
func TestTracingOn(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		on, err bool
	}{
		{env: nil},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, on: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, on: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, on: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}},
		{env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, err: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, err: true},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, on: true},
	} {
		on, err := tracingOn(func(k string) string { return tc.env[k] })
		if on != tc.on || (err != nil) != tc.err {
			t.Errorf("%v: on %v, err %v; want on %v, error %v", tc.env, on, err, tc.on, tc.err)
		}
	}
}

// Without OTEL_* variables the product has no tracer.
func TestTracingOffByDefault(t *testing.T) {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER"} {
		t.Setenv(k, "")
	}
	if ta := startApp(t, ""); ta.tracer != nil || ta.stopTracing != nil {
		t.Fatal("tracing on without OTEL_* variables")
	}
}
