package entrypoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// StatusWriter writes the files that siblings read. Real: FileStatus; tests use fakes.
type StatusWriter interface {
	// Init makes dir the wrapper's status directory: it creates it (0755 whatever the
	// umask) if missing, refuses a symbolic link or a directory owned by another UID,
	// and writes real bytes there, so that a full volume fails now (ENOSPC).
	Init(dir string) error
	// Lock installs dir/lock, held (flock LOCK_EX) for the rest of the process's life,
	// with content (see FileLock).
	Lock(dir, content string) error
	// MkParent creates the parent directory of path (the post file's), 0755.
	MkParent(path string) error
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

// mkdirAll is os.MkdirAll with mode applied exactly (not masked by the umask) to the
// directories it creates: dependents running under other UIDs must be able to read.
func mkdirAll(dir string, mode os.FileMode) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirAll(parent, mode); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, mode); err != nil {
		if fi, serr := os.Stat(dir); serr == nil && fi.IsDir() {
			return nil // created meanwhile by someone else
		}
		return err
	}
	return os.Chmod(dir, mode)
}

// startupProbeBytes is how much the start-up check writes: real data blocks, so that
// a full volume is noticed before the child runs (an empty file needs no block).
const startupProbeBytes = 4096

func (FileStatus) Init(dir string) error {
	fail := func(err error) error { return &IOError{Op: "status dir " + dir, Err: err} }
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := mkdirAll(dir, 0o755); err != nil {
			return fail(err)
		}
		fi, err = os.Lstat(dir)
	}
	if err != nil {
		return fail(err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fail(errors.New("is a symbolic link; a status directory must be the wrapper's own directory"))
	}
	if !fi.IsDir() {
		return fail(syscall.ENOTDIR)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fail(fmt.Errorf("owned by UID %d, not by this wrapper's UID %d; another container may have created it", st.Uid, os.Geteuid()))
	}
	if fi.Mode().Perm() != 0o755 {
		// Left by an earlier instance under another umask: dependents must read it.
		if err := os.Chmod(dir, 0o755); err != nil {
			return fail(err)
		}
	}
	f, err := os.CreateTemp(dir, ".startorder-probe-*")
	if err != nil {
		return fail(err)
	}
	name := f.Name()
	_, err = f.Write(make([]byte, startupProbeBytes))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

func (FileStatus) Lock(dir, content string) error {
	fail := func(err error) error { return &IOError{Op: "lock " + joinPath(dir, FileLock), Err: err} }
	f, err := os.CreateTemp(dir, ".lock.tmp-*")
	if err != nil {
		return fail(err)
	}
	_, err = f.WriteString(content)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = flockRetry(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err == nil {
		err = os.Rename(f.Name(), joinPath(dir, FileLock))
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return fail(err)
	}
	heldLocks = append(heldLocks, f)
	return nil
}

func (FileStatus) MkParent(path string) error {
	if err := mkdirAll(filepath.Dir(path), 0o755); err != nil {
		return &IOError{Op: "post file " + path, Err: err}
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
	_, statErr := os.Stat(path)
	if err := os.WriteFile(path, msg, 0o644); err != nil {
		return &IOError{Op: "termination message " + path, Err: err}
	}
	if statErr != nil {
		os.Chmod(path, 0o644) // created here: readable whatever the umask
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
