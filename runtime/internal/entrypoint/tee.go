package entrypoint

import (
	"io"
	"os"
	"path/filepath"
	"time"
)

// tee copies one of the child's output streams to the wrapper's own and to a file, as
// Tekton's -stdout_path and -stderr_path do: the file's directory is created, the file
// is appended to. The child writes into a pipe instead of the wrapper's descriptor.
type tee struct {
	w    *os.File // the pipe's write end, for the child; closed here once the child has it
	done chan struct{}
}

func startTee(path string, own *os.File) (*tee, error) {
	if err := mkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, &IOError{Op: "output file " + path, Err: err}
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, &IOError{Op: "output file " + path, Err: err}
	}
	if statErr != nil {
		f.Chmod(0o644) // created here: readable whatever the umask
	}
	r, w, err := os.Pipe()
	if err != nil {
		f.Close()
		return nil, &IOError{Op: "output file " + path, Err: err}
	}
	t := &tee{w: w, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		io.Copy(io.MultiWriter(own, f), r)
		r.Close()
		f.Close()
	}()
	return t, nil
}

// started: the child holds its copy of the write end now.
func (t *tee) started() {
	if t != nil {
		t.w.Close()
	}
}

// drain waits until the copy has reached the end of the stream, at most limit: a
// background process of the child may keep the pipe open for ever.
func (t *tee) drain(limit time.Duration) {
	if t == nil {
		return
	}
	select {
	case <-t.done:
	case <-time.After(limit):
	}
}
