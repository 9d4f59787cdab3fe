// Package condition holds the condition tree of a workflow (all / any / not
// and the leaves of WORKFLOWS.md), the immutable Facts a tree is evaluated
// on, the per-leaf Trace that explains a result, and the Compiler interface
// implemented by the CEL and expr backends in the sub-packages.
package condition
