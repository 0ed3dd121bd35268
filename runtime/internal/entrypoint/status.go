package entrypoint

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// StatusWriter writes the files that siblings read. Real: FileStatus; tests use fakes.
type StatusWriter interface {
	// Init creates dir (0755) if missing and checks that it is writable.
	Init(dir string) error
	// Write replaces path atomically (temp file + rename) with content, mode 0644.
	Write(path, content string) error
	// Remove deletes path; a missing file is not an error.
	Remove(path string) error
	// WriteTermination writes the termination message in place (the file is usually a
	// bind mount, which cannot be renamed over), unless it already holds a message.
	WriteTermination(path string, msg []byte) error
}

// FileStatus is the StatusWriter that touches the real file system.
type FileStatus struct{}

func (FileStatus) Init(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &IOError{Op: "status dir", Err: err}
	}
	f, err := os.CreateTemp(dir, ".startorder-probe-*")
	if err != nil {
		return &IOError{Op: "status dir", Err: err}
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return &IOError{Op: "status dir", Err: err}
	}
	return nil
}

func (FileStatus) Write(path, content string) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return &IOError{Op: "write " + path, Err: err}
	}
	tmp := f.Name()
	_, err = f.WriteString(content)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return &IOError{Op: "write " + path, Err: err}
	}
	return nil
}

func (FileStatus) Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &IOError{Op: "remove " + path, Err: err}
	}
	return nil
}

func (FileStatus) WriteTermination(path string, msg []byte) error {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return nil // the child left its own message
	}
	if err := os.WriteFile(path, msg, 0o644); err != nil {
		return &IOError{Op: "termination message", Err: err}
	}
	return nil
}

// Names of the files in the status directory.
const (
	FileStarted   = "started"
	FileReady     = "ready"
	FileCompleted = "completed"
	FileExited    = "exited"
	FileSelfReady = "self-ready"
	ErrSuffix     = ".err"
)

// staleFiles lists what a (re)starting wrapper removes from its status dir.
func staleFiles(dir string) []string {
	var out []string
	for _, n := range []string{FileStarted, FileReady, FileCompleted} {
		out = append(out, joinPath(dir, n), joinPath(dir, n+ErrSuffix))
	}
	return append(out, joinPath(dir, FileExited), joinPath(dir, FileExited+ErrSuffix), joinPath(dir, FileSelfReady))
}

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
	reason := m.Reason
	out := render(reason)
	for len(out) > maxTermination && len(reason) > 0 {
		cut := len(reason) - (len(out) - maxTermination) - 3
		if cut < 0 {
			cut = 0
		}
		for cut > 0 && cut < len(reason) && reason[cut]&0xC0 == 0x80 {
			cut-- // do not split a UTF-8 sequence
		}
		reason = reason[:cut] + "..."
		if cut == 0 {
			reason = ""
		}
		out = render(reason)
	}
	return out
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
