package goldens

import (
	"fmt"
	"strings"
)

// flowEnd is the length of the flow collection at the start of s (up to its closing
// bracket), or -1 when it does not close in s. Quotes and comments are skipped.
func flowEnd(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\'':
			n := quotedLen(s[i:])
			if n < 0 {
				return -1
			}
			i += n - 1
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\n' || s[i-1] == '\t'):
			nl := strings.IndexByte(s[i:], '\n')
			if nl < 0 {
				return -1
			}
			i += nl
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

type flowParser struct {
	s       string
	i       int
	anchors map[string]any
}

// parseFlow parses a flow collection; only a comment may follow it.
func parseFlow(s string, anchors map[string]any) (any, error) {
	f := &flowParser{s: s, anchors: anchors}
	v, err := f.node()
	if err != nil {
		return nil, err
	}
	if f.ws(); f.i < len(f.s) {
		return nil, f.errorf("text after the collection")
	}
	return v, nil
}

func (f *flowParser) errorf(format string, a ...any) error {
	return fmt.Errorf("flow collection at %q: %s", f.s[min(f.i, len(f.s)):min(f.i+30, len(f.s))], fmt.Sprintf(format, a...))
}

// ws skips spaces, line breaks and comments.
func (f *flowParser) ws() {
	for f.i < len(f.s) {
		switch c := f.s[f.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			f.i++
		case c == '#':
			if nl := strings.IndexByte(f.s[f.i:], '\n'); nl >= 0 {
				f.i += nl
			} else {
				f.i = len(f.s)
			}
		default:
			return
		}
	}
}

func (f *flowParser) node() (any, error) {
	f.ws()
	if f.i >= len(f.s) {
		return nil, f.errorf("missing value")
	}
	switch c := f.s[f.i]; c {
	case '[':
		return f.collection(']')
	case '{':
		return f.collection('}')
	case '"', '\'':
		n := quotedLen(f.s[f.i:])
		if n < 0 {
			return nil, f.errorf("unterminated quote")
		}
		v, err := scalarText(f.s[f.i : f.i+n])
		f.i += n
		return v, err
	case '&', '*', '!':
		name, _ := cutProperty(f.s[f.i:], c)
		f.i += 1 + len(name)
		if c == '*' {
			v, ok := f.anchors[name]
			if !ok {
				return nil, f.errorf("unknown alias")
			}
			return v, nil
		}
		v, err := f.node()
		if c == '&' {
			f.anchors[name] = v
		}
		return v, err
	}
	return f.plain(), nil
}

// plain reads a plain scalar; it ends at a flow indicator, at ": " and at a comment.
func (f *flowParser) plain() string {
	start := f.i
	for ; f.i < len(f.s); f.i++ {
		c := f.s[f.i]
		if strings.IndexByte(",[]{}", c) >= 0 || c == '#' && f.i > start && f.s[f.i-1] == ' ' {
			break
		}
		if c == ':' && (f.i+1 == len(f.s) || strings.IndexByte(" \n,]}", f.s[f.i+1]) >= 0) {
			break
		}
	}
	return strings.Join(strings.Fields(f.s[start:f.i]), " ")
}

// collection reads [a, b] or {k: v, k2: v2}; a trailing comma is allowed.
func (f *flowParser) collection(closing byte) (any, error) {
	f.i++
	var seq []any
	m := map[string]any{}
	for {
		if f.ws(); f.i < len(f.s) && f.s[f.i] == closing {
			f.i++
			if closing == ']' {
				return append([]any{}, seq...), nil
			}
			return m, nil
		}
		v, err := f.node()
		if err != nil {
			return nil, err
		}
		if f.ws(); closing == '}' {
			if err := f.pair(m, v); err != nil {
				return nil, err
			}
		} else {
			seq = append(seq, v)
		}
		if f.ws(); f.i < len(f.s) && f.s[f.i] == ',' {
			f.i++
		} else if f.i >= len(f.s) || f.s[f.i] != closing {
			return nil, f.errorf("expected , or %c", closing)
		}
	}
}

// pair reads the ": value" after the key k of a flow mapping (none: a null value).
func (f *flowParser) pair(m map[string]any, k any) error {
	key, ok := k.(string)
	if !ok {
		return f.errorf("a key that is not a scalar")
	}
	if f.i >= len(f.s) || f.s[f.i] != ':' {
		m[key] = nil
		return nil
	}
	f.i++
	if f.ws(); f.i < len(f.s) && (f.s[f.i] == ',' || f.s[f.i] == '}') {
		m[key] = nil
		return nil
	}
	v, err := f.node()
	m[key] = v
	return err
}
