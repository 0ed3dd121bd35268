package goldens

import (
	"strings"
)

// value parses the node that starts with rest, the text after "key:" or "- " (rest
// is "" when the node starts on the next line). ind is the indentation of the line
// that holds the key or dash; inMap says a sequence at that same indentation is the
// key's value (the compact style of Kubernetes manifests).
func (p *parser) value(rest string, ind int, inMap bool) (any, error) {
	anchor, rest := cutProperty(rest, '&')
	_, rest = cutProperty(rest, '!') // a tag: every scalar is a string here
	v, err := p.node(rest, ind, inMap)
	if err == nil && anchor != "" {
		p.anchors[anchor] = v
	}
	return v, err
}

func (p *parser) node(rest string, ind int, inMap bool) (any, error) {
	switch {
	case rest == "" || strings.HasPrefix(rest, "#"):
		at, text, ok := p.peek()
		switch {
		case ok && at > ind:
			return p.block(at, ind)
		case ok && at == ind && inMap && isSeqItem(text):
			return p.seq(ind)
		}
		return nil, nil
	case rest[0] == '*':
		name, tail := cutProperty(rest, '*')
		if v, ok := p.anchors[name]; ok && isBlank(tail) {
			return v, nil
		}
		return nil, p.errorf("unknown alias or text after it: %q", rest)
	case rest[0] == '[' || rest[0] == '{':
		text, err := p.gather(rest, flowEnd)
		if err != nil {
			return nil, err
		}
		return parseFlow(text, p.anchors)
	case rest[0] == '"' || rest[0] == '\'':
		text, err := p.gather(rest, quotedLen)
		if err != nil {
			return nil, err
		}
		n := quotedLen(text)
		if !isBlank(text[n:]) {
			return nil, p.errorf("text after a quoted scalar: %q", text[n:])
		}
		return scalarText(text[:n])
	case rest[0] == '|' || rest[0] == '>':
		return p.blockScalar(rest, ind)
	}
	return p.plain(rest, ind), nil
}

// cutProperty takes an anchor (&name), alias (*name) or tag (!tag) off the front.
func cutProperty(rest string, mark byte) (name, tail string) {
	if rest == "" || rest[0] != mark {
		return "", rest
	}
	end := strings.IndexAny(rest, " ,]}")
	if end < 0 {
		end = len(rest)
	}
	return rest[1:end], strings.TrimLeft(rest[end:], " ")
}

func isBlank(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || strings.HasPrefix(s, "#")
}

// gather joins the following lines to rest until end finds where its node ends
// (the closing bracket or quote); end returns -1 while it is still open.
func (p *parser) gather(rest string, end func(string) int) (string, error) {
	text := rest
	for end(text) < 0 {
		if p.i >= len(p.lines) {
			return "", p.errorf("unterminated %q", rest)
		}
		text += "\n" + p.lines[p.i]
		p.i++
	}
	return text, nil
}

// plain is a plain scalar: its first line and the deeper lines that continue it,
// folded into one line; a comment ends it.
func (p *parser) plain(first string, ind int) string {
	parts := []string{stripComment(first)}
	for {
		at, text, ok := p.peek()
		if !ok || at <= ind || keyEnd(text) >= 0 || isSeqItem(text) {
			break
		}
		parts = append(parts, stripComment(text))
		p.i++
	}
	return strings.Join(parts, " ")
}

func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// blockScalar reads a literal (|) or folded (>) scalar with its chomping (-, +) and
// indentation indicators; its lines are deeper than ind.
func (p *parser) blockScalar(header string, ind int) (string, error) {
	h := stripComment(header)
	folded, chomp, width := h[0] == '>', byte(0), 0
	for _, c := range []byte(h[1:]) {
		switch {
		case c == '-' || c == '+':
			chomp = c
		case c >= '1' && c <= '9':
			width = int(c - '0')
		default:
			return "", p.errorf("bad block scalar header %q", header)
		}
	}
	var lines []string
	col := -1
	if width > 0 {
		col = ind + width
	}
	for ; p.i < len(p.lines); p.i++ {
		line := p.lines[p.i]
		text := strings.TrimLeft(line, " ")
		at := len(line) - len(text)
		if text != "" && (at <= ind || col >= 0 && at < col) {
			break
		}
		if text != "" && col < 0 {
			col = at
		}
		lines = append(lines, line)
	}
	for i, l := range lines {
		if len(l) >= col && col >= 0 {
			lines[i] = l[col:]
		} else {
			lines[i] = ""
		}
	}
	return chompLines(lines, folded, chomp), nil
}

// chompLines joins a block scalar's lines: folded lines are joined by spaces except
// around blank and more-indented lines; chomping decides the final line breaks.
func chompLines(lines []string, folded bool, chomp byte) string {
	n := len(lines)
	for n > 0 && lines[n-1] == "" {
		n--
	}
	var b strings.Builder
	for i, l := range lines[:n] {
		if i > 0 {
			b.WriteString(lineBreak(lines[i-1], l, folded))
		}
		b.WriteString(l)
	}
	switch {
	case n == 0 && chomp != '+':
		return ""
	case chomp == '-':
		return b.String()
	case chomp == '+':
		return b.String() + strings.Repeat("\n", len(lines)-n+1)
	}
	return b.String() + "\n"
}

// lineBreak is what the line break between prev and l becomes.
func lineBreak(prev, l string, folded bool) string {
	plainText := func(s string) bool { return s != "" && s[0] != ' ' }
	switch {
	case !folded:
		return "\n"
	case plainText(prev) && plainText(l):
		return " "
	case plainText(prev) && l == "":
		return "" // the break before blank lines goes; each blank line is one "\n"
	}
	return "\n"
}
