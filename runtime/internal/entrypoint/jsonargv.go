package entrypoint

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSONArgv parses a JSON array of strings, such as ["sh","-c","test -e /x"],
// without encoding/json (which would add a quarter megabyte to the binary).
func parseJSONArgv(s string) ([]string, error) {
	p := &jsonParser{s: s}
	p.ws()
	if !p.eat('[') {
		return nil, errors.New("not a JSON array")
	}
	var out []string
	p.ws()
	if p.eat(']') {
		return nil, errors.New("empty array")
	}
	for {
		p.ws()
		v, err := p.str()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.ws()
		if p.eat(']') {
			break
		}
		if !p.eat(',') {
			return nil, errors.New("expected , or ]")
		}
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, errors.New("trailing data after the array")
	}
	if out[0] == "" {
		return nil, errors.New("empty command")
	}
	for _, a := range out {
		if strings.ContainsRune(a, 0) {
			return nil, errors.New("NUL byte in argument")
		}
	}
	return out, nil
}

type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *jsonParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}

func (p *jsonParser) str() (string, error) {
	if !p.eat('"') {
		return "", errors.New("expected a string")
	}
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", errors.New("unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c < 0x20:
			return "", errors.New("control character in string")
		case c == '\\':
			p.i++
			if err := p.escape(&b); err != nil {
				return "", err
			}
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", errors.New("invalid UTF-8")
			}
			b.WriteString(p.s[p.i : p.i+size])
			p.i += size
		}
	}
}

// escape decodes the escape after a backslash into b.
func (p *jsonParser) escape(b *strings.Builder) error {
	if p.i >= len(p.s) {
		return errors.New("unterminated escape")
	}
	e := p.s[p.i]
	p.i++
	if i := strings.IndexByte(`"\/bfnrt`, e); i >= 0 {
		b.WriteByte("\"\\/\b\f\n\r\t"[i])
		return nil
	}
	if e != 'u' {
		return errors.New("bad escape")
	}
	r, ok := p.hex4()
	if !ok {
		return errors.New("bad \\u escape")
	}
	if utf16.IsSurrogate(r) {
		r = p.lowSurrogate(r)
	}
	b.WriteRune(r)
	return nil
}

// lowSurrogate completes the high surrogate r with a following \uXXXX, or gives
// U+FFFD (and leaves the input where it was) when none that fits follows.
func (p *jsonParser) lowSurrogate(r rune) rune {
	if !strings.HasPrefix(p.s[p.i:], "\\u") {
		return utf8.RuneError
	}
	save := p.i
	p.i += 2
	if r2, ok := p.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
		return utf16.DecodeRune(r, r2)
	}
	p.i = save
	return utf8.RuneError
}
