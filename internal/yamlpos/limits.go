package yamlpos

import (
	"fmt"
	"unicode/utf8"

	"github.com/goccy/go-yaml/token"
)

// Bounds of what Parse accepts. They cap the work a hostile document can
// cause: the YAML parser's time and memory grow faster than linearly with
// the nesting of `[[[...]]]` or `- - - ...` (a 200 KB file of brackets
// took 41 s and 15 GB), so the nesting is measured on the tokens, which
// are produced in linear time, before the parser runs.
const (
	// MaxSize is the largest document Parse reads, in bytes (1 MiB).
	MaxSize = 1 << 20
	// MaxDepth is the deepest nesting of collections (mappings and lists,
	// block or flow) Parse accepts. A workflow's root mapping, its
	// `workflows:` list and the workflow itself take 3 levels, each
	// all/any of a condition tree 2 more.
	MaxDepth = 64
)

// checkText refuses what is not UTF-8 text: an invalid byte sequence or a
// NUL byte, at its position.
func checkText(data []byte) *Error {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return &Error{Line: line, Column: col, Msg: fmt.Sprintf("invalid UTF-8 byte 0x%02x (want a UTF-8 text file)", data[i])}
		case r == 0:
			return &Error{Line: line, Column: col, Msg: "NUL byte (want a UTF-8 text file, not a binary or UTF-16 one)"}
		case r == '\n':
			line, col = line+1, 0
		}
		col++
		i += size
	}
	return nil
}

// checkTokens refuses, before parsing, nesting deeper than MaxDepth, the
// `!!binary` tag (the values are text) and trailing commas (`[a, b,]`:
// YAML allows them, JSON does not, and a file is read as either).
//
// Depth is the number of open flow collections plus the number of open
// block collections; a block collection is open from its first entry (a
// `-` or a key) until a line starts left of that entry's column.
func checkTokens(tokens token.Tokens) *Error {
	var block []int // columns of the open block collections, increasing
	flow := 0
	for i, tk := range tokens {
		depth := 0
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
			depth = len(block) + flow
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.CollectEntryType:
			if next := nextToken(tokens, i); next != nil && (next.Type == token.SequenceEndType || next.Type == token.MappingEndType) {
				return at(tk, fmt.Sprintf("trailing comma before %q (want none: JSON does not allow it)", next.Value))
			}
		case token.TagType:
			if tk.Value == string(token.BinaryTag) {
				return at(tk, "!!binary value (want text)")
			}
		}
		if flow == 0 && blockEntry(tokens, i) {
			col := tk.Position.Column
			for len(block) > 0 && block[len(block)-1] > col {
				block = block[:len(block)-1]
			}
			if len(block) == 0 || block[len(block)-1] < col {
				block = append(block, col)
			}
			depth = len(block)
		}
		if depth > MaxDepth {
			return at(tk, fmt.Sprintf("nested %d levels deep (limit %d)", depth, MaxDepth))
		}
	}
	return nil
}

// blockEntry reports whether tokens[i] starts an entry of a block
// collection: a `-`, a `?`, or a key (a token followed by `:`).
func blockEntry(tokens token.Tokens, i int) bool {
	switch tokens[i].Type {
	case token.SequenceEntryType, token.MappingKeyType:
		return true
	case token.MappingValueType, token.CommentType:
		return false
	}
	return i+1 < len(tokens) && tokens[i+1].Type == token.MappingValueType
}

// nextToken returns the token after tokens[i], skipping comments.
func nextToken(tokens token.Tokens, i int) *token.Token {
	for _, tk := range tokens[i+1:] {
		if tk.Type != token.CommentType {
			return tk
		}
	}
	return nil
}

func at(tk *token.Token, msg string) *Error {
	return &Error{Line: tk.Position.Line, Column: tk.Position.Column, Msg: msg}
}
