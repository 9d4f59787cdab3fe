// Package docs embeds the product's reference (workflows.md, scenarios.md)
// so that the dashboard serves it at /docs/workflows and /docs/scenarios.
// It is the only Go file in docs/: go:embed cannot reach a parent
// directory, so the files are embedded from beside them.
package docs

import "embed"

// FS holds the reference documents, *.md at its root.
//
//go:embed *.md
var FS embed.FS
