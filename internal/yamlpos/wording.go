package yamlpos

import (
	"maps"
	"slices"
)

// The codes of the errors this package words (Error.Code).
const (
	// CodeUnknownKey: key, the known keys joined by ", ".
	CodeUnknownKey = "unknown-key"
	// CodeOneKey: how many keys, the keys joined by ", "; Want.
	CodeOneKey = "one-key"
	// CodeEmpty: Want.
	CodeEmpty = "empty"
	// CodeNot: the value, quoted; Want.
	CodeNot = "not"
	// CodeKind: Got (a kind of node), Want.
	CodeKind = "kind"
	// CodeNotDuration: the value.
	CodeNotDuration = "not-duration"
)

// wordings are the English formats of the codes.
var wordings = map[string]string{
	CodeUnknownKey:  "unknown key %q (want one of %s)",
	CodeOneKey:      "has %s keys [%s] (want exactly one: %s)",
	CodeEmpty:       "is empty (want %s)",
	CodeNot:         "%s is not %s",
	CodeKind:        "is %s (want %s)",
	CodeNotDuration: "%q is not a duration (want e.g. 90s, 15m, 2h)",
}

// The words of Error.Got and Error.Want this package uses.
const (
	WordMapping         = "mapping"
	WordList            = "list"
	WordString          = "string"
	WordStrings         = "strings"
	WordStringOrStrings = "string-or-strings"
	WordBool            = "bool"
	WordInt             = "int"
	WordUint            = "uint"
	WordNumber          = "number"
	// WordEmpty, WordMappingKind, WordAlias and WordScalar are the kinds
	// of node (Kind), beside WordList.
	WordEmpty       = "kind-empty"
	WordMappingKind = "kind-mapping"
	WordAlias       = "kind-alias"
	WordScalar      = "kind-scalar"
)

// words are the English phrases of the words.
var words = map[string]string{
	WordMapping:         "a mapping of keys to values",
	WordList:            "a list",
	WordString:          "a string",
	WordStrings:         "a list of strings",
	WordStringOrStrings: "a string or a list of strings",
	WordBool:            "true or false",
	WordInt:             "a whole number",
	WordUint:            "a whole number of 0 or more",
	WordNumber:          "a number",
	WordEmpty:           "empty",
	WordMappingKind:     "a mapping",
	WordAlias:           "an alias",
	WordScalar:          "a scalar",
}

// Codes lists this package's error codes, sorted.
func Codes() []string { return slices.Sorted(maps.Keys(wordings)) }

// Words lists this package's words, sorted.
func Words() []string { return slices.Sorted(maps.Keys(words)) }

// Wording is the English format of code, or the phrase of a word; false
// when this package has none.
func Wording(code string) (string, bool) {
	if s, ok := wordings[code]; ok {
		return s, true
	}
	s, ok := words[code]
	return s, ok
}
