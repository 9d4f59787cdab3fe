package app

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/waauto/waauto/workflow"
	"github.com/waauto/waauto/workflow/engine"
)

// metrics are the product's Prometheus metrics (served at /metrics to
// admins). It implements engine.Metrics; the router times sends and the
// prompt responder model replies.
type metrics struct {
	reg        *prometheus.Registry
	messages   prometheus.Counter
	evaluated  *prometheus.CounterVec
	candidates prometheus.Histogram
	sends      *prometheus.CounterVec
	sendTime   prometheus.Histogram
	paceTime   prometheus.Histogram
	aiTime     *prometheus.HistogramVec
	credits    prometheus.Counter
}

var _ engine.Metrics = (*metrics)(nil)

// latencyBuckets cover a send or a model reply: 5 ms to 2 min.
var latencyBuckets = prometheus.ExponentialBuckets(0.005, 2.5, 12)

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		messages: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "waauto_messages_received_total", Help: "Customer messages recorded (redeliveries not counted).",
		}),
		evaluated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "waauto_workflows_evaluated_total",
			Help: "Candidate workflows evaluated on a message, by outcome (no_match, fired, failed, skipped, shadow).",
		}, []string{"outcome"}),
		candidates: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "waauto_prefilter_candidates", Help: "Workflows the prefilter left to evaluate, per message.",
			Buckets: []float64{0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
		}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "waauto_sends_total", Help: "Messages handed to the transport, by kind and result (ok, error).",
		}, []string{"kind", "result"}),
		sendTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "waauto_send_seconds", Help: "Time to hand one message to the transport, its pacing wait not included.", Buckets: latencyBuckets,
		}),
		paceTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "waauto_pacing_wait_seconds", Help: "Time a message to WhatsApp waited for its pacing slot (\"typing…\" included).", Buckets: latencyBuckets,
		}),
		aiTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "waauto_ai_reply_seconds", Help: "Time the model took to write one reply, by result (ok, error).", Buckets: latencyBuckets,
		}, []string{"result"}),
		credits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "waauto_credits_consumed_total", Help: "AI credits debited.",
		}),
	}
	m.reg.MustRegister(m.messages, m.evaluated, m.candidates, m.sends, m.sendTime, m.paceTime, m.aiTime, m.credits,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the metrics in Prometheus' text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// CreditsDebited counts AI credits consumed (engine.Metrics).
func (m *metrics) CreditsDebited(n int64) { m.credits.Add(float64(n)) }

// MessageReceived counts a recorded message (engine.Metrics).
func (m *metrics) MessageReceived() { m.messages.Inc() }

// Candidates records the prefilter's candidates for a message (engine.Metrics).
func (m *metrics) Candidates(n int) { m.candidates.Observe(float64(n)) }

// WorkflowEvaluated counts an evaluation by outcome (engine.Metrics).
func (m *metrics) WorkflowEvaluated(o workflow.Outcome) {
	if o == "" {
		o = "no_match"
	}
	m.evaluated.WithLabelValues(string(o)).Inc()
}

// queueDepth exports the jobs waiting in the queue (due, scheduled or to
// retry), read with waiting at each scrape.
func (m *metrics) queueDepth(waiting func(context.Context) (int64, error)) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "waauto_queue_depth", Help: "Jobs waiting in the queue (available, scheduled or retryable; each job of a batch counts); -1 when it cannot be read.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := waiting(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}

func result(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}

// sent records one send handed to the transport at start.
func (m *metrics) sent(kind workflow.SendKind, start time.Time, err error) {
	m.sendTime.Observe(time.Since(start).Seconds())
	m.sends.WithLabelValues(string(kind), result(err)).Inc()
}

// paced records one pacing wait that started at start.
func (m *metrics) paced(start time.Time) {
	m.paceTime.Observe(time.Since(start).Seconds())
}

// replied records one model reply asked for at start.
func (m *metrics) replied(start time.Time, err error) {
	m.aiTime.WithLabelValues(result(err)).Observe(time.Since(start).Seconds())
}
