package engine

import "github.com/waauto/waauto/workflow"

// Metrics receives the engine's counts, for a monitoring system
// (internal/app exports them to Prometheus). Its methods are called on the
// hot path, concurrently: they must be fast and safe for concurrent use.
// Config.Metrics nil counts nothing.
type Metrics interface {
	// MessageReceived counts a customer message recorded for the first time.
	MessageReceived()
	// Candidates reports how many workflows the prefilter yielded for one
	// evaluated message (out of the enabled ones).
	Candidates(n int)
	// WorkflowEvaluated counts one candidate workflow evaluated on a
	// message, by outcome: workflow.OutcomeFired, OutcomeFailed,
	// OutcomeSkipped, OutcomeShadow, or "" when its conditions did not match.
	WorkflowEvaluated(outcome workflow.Outcome)
	// CreditsDebited counts AI credits consumed by a reply.
	CreditsDebited(n int64)
}

type noMetrics struct{}

func (noMetrics) MessageReceived()                   {}
func (noMetrics) Candidates(int)                     {}
func (noMetrics) WorkflowEvaluated(workflow.Outcome) {}
func (noMetrics) CreditsDebited(int64)               {}
