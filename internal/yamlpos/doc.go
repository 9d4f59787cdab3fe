// Package yamlpos decodes YAML (and JSON, which is YAML) strictly, reporting
// every problem at once with its line, column and key path.
//
// Parse turns bytes into an AST (github.com/goccy/go-yaml/ast). A Collector
// then walks it: Mapping lists the keys of a mapping with their positions,
// Known reports unknown keys, String, Bool, Int, Strings and List read typed
// values, and Decode fills a Go value by reflection (yaml tags, then json
// tags, then the lower-cased field name) refusing unknown fields. Each
// problem is recorded as an *Error and the walk goes on, so a caller gets
// all of them from Collector.Err.
//
// Paths are dotted keys with list indexes: "conditions.all[1].schedule.from".
package yamlpos
