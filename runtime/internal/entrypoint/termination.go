package entrypoint

import "strconv"

// terminationMessage renders the JSON termination message, at most 4096 bytes.
type terminationMessage struct {
	Waited, Started, Ready, Exited string
	ExitCode                       int
	Reason                         string
}

const maxTermination = 4096

func (m terminationMessage) JSON() []byte {
	render := func(reason string) []byte {
		b := []byte{'{'}
		for _, kv := range [][2]string{{"waited", m.Waited}, {"started", m.Started}, {"ready", m.Ready}, {"exited", m.Exited}} {
			if kv[1] == "" {
				continue
			}
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = appendJSONString(b, kv[0])
			b = append(b, ':')
			b = appendJSONString(b, kv[1])
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, `"exitCode":`...)
		b = strconv.AppendInt(b, int64(m.ExitCode), 10)
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, reason)
		return append(b, '}')
	}
	out := render(m.Reason)
	if len(out) <= maxTermination {
		return out
	}
	// Too long: keep the longest prefix of the reason (whole runes) that fits with
	// "...". The escaping can make a rune six bytes long, so search instead of
	// computing; the reason never shrinks to "" (a short prefix always fits).
	runes := []rune(m.Reason)
	lo, hi := 1, len(runes) // render(runes[:lo]+"...") fits; runes[:hi] does not
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if len(render(string(runes[:mid])+"...")) <= maxTermination {
			lo = mid
		} else {
			hi = mid
		}
	}
	return render(string(runes[:lo]) + "...")
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}
