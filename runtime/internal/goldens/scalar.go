package goldens

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// quotedLen is the length of the quoted scalar at the start of s (quotes included),
// or -1 when it does not close in s.
func quotedLen(s string) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return -1
}

// scalarText is the value of a key or quoted scalar as written: quotes decoded,
// a plain one trimmed.
func scalarText(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		return s, nil
	}
	if quotedLen(s) != len(s) {
		return "", fmt.Errorf("bad quoted scalar %s", s)
	}
	body := fold(s[1:len(s)-1], s[0] == '"')
	if s[0] == '\'' {
		return strings.ReplaceAll(body, "''", "'"), nil
	}
	return unescape(body)
}

// fold joins the lines of a quoted scalar that spans lines: the break between two
// lines is one space, each blank line one "\n", the indentation of the next line
// goes; in double quotes a backslash at the end of a line joins without a space.
func fold(body string, double bool) string {
	lines := strings.Split(body, "\n")
	var b strings.Builder
	sep := ""
	for i, l := range lines {
		first, last := i == 0, i == len(lines)-1
		if !first {
			l = strings.TrimLeft(l, " \t")
		}
		if !last {
			l = strings.TrimRight(l, " \t")
		}
		if !first && !last && l == "" {
			b.WriteByte('\n')
			sep = ""
			continue
		}
		b.WriteString(sep)
		sep = " "
		if double && !last && strings.HasSuffix(l, `\`) && !strings.HasSuffix(l, `\\`) {
			l, sep = l[:len(l)-1], ""
		}
		b.WriteString(l)
	}
	return b.String()
}

// unescape decodes the escapes of a double-quoted scalar.
func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i >= len(s) {
			return "", fmt.Errorf("escape at the end of %q", s)
		}
		if r, ok := simpleEscapes[s[i]]; ok {
			b.WriteString(r)
			continue
		}
		width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[i]]
		if width == 0 || i+width >= len(s) {
			return "", fmt.Errorf("bad escape \\%c in %q", s[i], s)
		}
		n, err := strconv.ParseUint(s[i+1:i+1+width], 16, 32)
		if err != nil || !utf8.ValidRune(rune(n)) {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		b.WriteRune(rune(n))
		i += width
	}
	return b.String(), nil
}

var simpleEscapes = map[byte]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n", 'v': "\v", 'f': "\f",
	'r': "\r", 'e': "\x1b", ' ': " ", '"': `"`, '/': "/", '\\': `\`, 'N': "\u0085",
	'_': "\u00a0", 'L': "\u2028", 'P': "\u2029",
}
