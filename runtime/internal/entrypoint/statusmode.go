package entrypoint

import (
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"unicode/utf8"
)

// The status mode: "status [-run_dir D]" prints what the status directories of D hold,
// as one JSON object on stdout, so that `startorder status POD` can read them through
// exec in images without a shell or cat. It only reads: no file is written, no signal
// handler installed, and a lock is tested the way the waiters test it.

// DefaultRunDir is the run directory of an ordered pod (docs/CONTRACT.md).
const DefaultRunDir = "/startorder/run"

// maxStatusContent bounds the reported content of each file (and of the restart policy).
const maxStatusContent = 256

// statusFileNames are the files a wrapper writes into its status directory, in the
// order they are reported (the lock is reported on its own).
var statusFileNames = []string{
	FileStarted, FileStarted + ErrSuffix, FileReady, FileReady + ErrSuffix,
	FileCompleted, FileCompleted + ErrSuffix, FileExited, FileExited + ErrSuffix, FileSelfReady,
}

// parseStatus parses "status [-run_dir D]".
func parseStatus(args []string) (Invocation, error) {
	inv := Invocation{Cmd: CmdStatus}
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&inv.StatusRunDir, "run_dir", DefaultRunDir, "the run directory whose status directories are read")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || inv.StatusRunDir == "" {
		return Invocation{Cmd: CmdStatus}, usagef("usage: status [-run_dir DIR]")
	}
	if strings.ContainsRune(inv.StatusRunDir, 0) {
		return Invocation{Cmd: CmdStatus}, usagef("status: NUL byte in path")
	}
	return inv, nil
}

// StatusReport writes to w, as one JSON line, every status directory of runDir (its
// subdirectories, hidden ones excepted):
// {"v":1,"containers":{"<dir>":{"files":{"<name>":"<content>",…},"lock":"held|free|absent","restart_policy":"…"}}}.
// A runDir that cannot be read is an IOError, and nothing is written.
func StatusReport(runDir string, w io.Writer) error {
	ents, err := os.ReadDir(runDir)
	if err != nil {
		return &IOError{Op: "status: run dir " + runDir, Err: err}
	}
	b := []byte(`{"v":1,"containers":{`)
	first := true
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue // a symbolic link is never a status dir; .startorder-stale-* are old runs
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, e.Name())
		b = append(b, ':')
		b = appendStatusDir(b, joinPath(runDir, e.Name()))
	}
	b = append(b, "}}\n"...)
	if _, err := w.Write(b); err != nil {
		return &IOError{Op: "status: stdout", Err: err}
	}
	return nil
}

// appendStatusDir appends the JSON object of one status directory. A file that is
// missing, not a regular file or unreadable is left out; so is "lock" when the lock
// can be neither opened nor found missing (then nothing can be said of it).
func appendStatusDir(b []byte, dir string) []byte {
	b = append(b, `{"files":{`...)
	first := true
	for _, name := range statusFileNames {
		content, ok := readStatusFile(joinPath(dir, name))
		if !ok {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, name)
		b = append(b, ':')
		b = appendJSONString(b, content)
	}
	b = append(b, '}')
	if state, policy := statusLock(dir); state != "" {
		b = append(b, `,"lock":`...)
		b = appendJSONString(b, state)
		if policy != "" {
			b = append(b, `,"restart_policy":`...)
			b = appendJSONString(b, policy)
		}
	}
	return append(b, '}')
}

// openStatus opens path for reading without following a symbolic link and without
// blocking (a FIFO planted there must not hang the report).
func openStatus(path string) (int, error) {
	return syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// readStatusFile returns the trimmed content of a regular file, at most maxStatusContent bytes.
func readStatusFile(path string) (string, bool) {
	fd, err := openStatus(path)
	if err != nil {
		return "", false
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return "", false
	}
	return clipContent(readPrefix(fd, 4*maxStatusContent)), true
}

// statusLock reports dir/lock: "held" while a live wrapper holds it, "free" when it is
// present but not held, "absent" when there is none, "" when it cannot be opened; and
// the value of its restart_policy= line, if it has one.
func statusLock(dir string) (state, policy string) {
	fd, err := openStatus(joinPath(dir, FileLock))
	if errors.Is(err, fs.ErrNotExist) {
		return "absent", ""
	}
	if err != nil {
		return "", ""
	}
	defer syscall.Close(fd)
	state = "free"
	if lockHeld(fd) {
		state = "held"
	}
	for _, line := range strings.Split(readPrefix(fd, 4*maxStatusContent), "\n") {
		if v, ok := strings.CutPrefix(line, "restart_policy="); ok {
			return state, clipContent(v)
		}
	}
	return state, ""
}

// readPrefix reads up to max bytes from fd.
func readPrefix(fd, max int) string {
	buf := make([]byte, max)
	n := 0
	for n < max {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			break
		}
		n += m
	}
	return string(buf[:n])
}

// clipContent trims s and keeps at most maxStatusContent bytes of it, cut between runes.
func clipContent(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= maxStatusContent {
		return s
	}
	i := maxStatusContent
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return strings.TrimSpace(s[:i])
}
