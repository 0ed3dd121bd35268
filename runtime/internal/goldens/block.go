// Package goldens reads the wrapper invocations out of the CLI's golden outputs
// (fixtures/*/expected*), for the contract test of the flag parser. The runtime takes
// the standard library only, so this is a small YAML reader of its own: block and
// flow collections, plain, quoted and block scalars, anchors, aliases and merge keys,
// comments and documents; every scalar is a string. What it does not understand
// (complex keys, a bad indentation) is an error, not a guess. It is used by tests
// only and never linked into the wrapper.
package goldens

import (
	"fmt"
	"strings"
)

// parser reads the block structure line by line; flow collections and quoted
// scalars that span lines are gathered into one text first.
type parser struct {
	lines   []string
	i       int // the next line
	anchors map[string]any
}

// ParseYAML parses a stream of YAML documents.
func ParseYAML(src string) ([]any, error) {
	src = strings.TrimSuffix(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	p := &parser{lines: strings.Split(src, "\n"), anchors: map[string]any{}}
	var docs []any
	for {
		ind, text, ok := p.peek()
		if !ok {
			return docs, nil
		}
		if isDocMarker(text) && ind == 0 {
			p.i++
			if rest := strings.TrimSpace(text[3:]); rest != "" && !strings.HasPrefix(rest, "#") {
				return nil, p.errorf("content after a document marker")
			}
			continue
		}
		doc, err := p.block(ind, -1)
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
}

func isDocMarker(text string) bool {
	return text == "---" || text == "..." || strings.HasPrefix(text, "--- ") || strings.HasPrefix(text, "%")
}

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf("line %d: %s", p.i+1, fmt.Sprintf(format, a...))
}

// peek returns the next line that is neither blank nor only a comment, with its
// indentation; ok is false at the end.
func (p *parser) peek() (indent int, text string, ok bool) {
	for ; p.i < len(p.lines); p.i++ {
		line := p.lines[p.i]
		text = strings.TrimLeft(line, " ")
		if text != "" && !strings.HasPrefix(text, "#") {
			return len(line) - len(text), strings.TrimRight(text, " \t"), true
		}
	}
	return 0, "", false
}

// block parses the node whose first line is the next one, indented by ind; parent
// is the indentation of the line that holds it (continuation lines are deeper).
func (p *parser) block(ind, parent int) (any, error) {
	_, text, _ := p.peek()
	switch {
	case isSeqItem(text):
		return p.seq(ind)
	case keyEnd(text) >= 0:
		return p.mapping(ind)
	}
	p.i++
	return p.value(text, parent, false)
}

func isSeqItem(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// seq parses a block sequence whose dashes are at column ind.
func (p *parser) seq(ind int) (any, error) {
	out := []any{}
	for {
		at, text, ok := p.peek()
		if !ok || at < ind || isDocMarker(text) && at == 0 {
			return out, nil
		}
		if at > ind || !isSeqItem(text) {
			if at == ind {
				return out, nil // a mapping key after a compact sequence
			}
			return nil, p.errorf("bad indentation in a sequence")
		}
		rest := strings.TrimLeft(text[1:], " ")
		var item any
		var err error
		if rest == "" || strings.HasPrefix(rest, "#") {
			p.i++
			item, err = p.value("", ind, false)
		} else {
			// The item's content as if the dash were a space: "- a: 1" is a mapping
			// at the column of "a", "- - x" a sequence there.
			col := ind + len(text) - len(rest)
			p.lines[p.i] = strings.Repeat(" ", col) + rest
			item, err = p.block(col, ind)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, item)
	}
}

// mapping parses a block mapping whose keys are at column ind.
func (p *parser) mapping(ind int) (any, error) {
	m := map[string]any{}
	var merges []any
	for {
		at, text, ok := p.peek()
		if !ok || at < ind || isDocMarker(text) && at == 0 || at == ind && isSeqItem(text) {
			break
		}
		end := keyEnd(text)
		if at > ind || end < 0 {
			return nil, p.errorf("bad indentation or not a key: %q", text)
		}
		key, err := scalarText(text[:end])
		if err != nil {
			return nil, p.errorf("%v", err)
		}
		p.i++
		v, err := p.value(strings.TrimLeft(text[end+1:], " "), ind, true)
		if err != nil {
			return nil, err
		}
		if key == "<<" {
			merges = append(merges, v)
			continue
		}
		m[key] = v
	}
	return merge(m, merges), nil
}

// merge applies merge keys ("<<: *base"): their entries where m has none.
func merge(m map[string]any, merges []any) map[string]any {
	for _, v := range merges {
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		for _, src := range list {
			if sm, ok := src.(map[string]any); ok {
				for k, x := range sm {
					if _, has := m[k]; !has {
						m[k] = x
					}
				}
			}
		}
	}
	return m
}

// keyEnd is the index of the ':' that ends the key of a "key: value" line, or -1.
func keyEnd(text string) int {
	if text == "" || strings.ContainsRune("[{|>*&!%@`#", rune(text[0])) {
		return -1
	}
	start := 0
	if text[0] == '"' || text[0] == '\'' {
		n := quotedLen(text)
		if n < 0 {
			return -1
		}
		start = n
	}
	for i := start; i < len(text); i++ {
		if text[i] == ':' && (i+1 == len(text) || text[i+1] == ' ') {
			return i
		}
		if text[i] == '#' && i > 0 && text[i-1] == ' ' {
			return -1
		}
	}
	return -1
}
