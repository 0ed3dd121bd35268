package entrypoint

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// outcome of one path in one check.
type outcome int

const (
	pending outcome = iota
	satisfied
	failedForGood
)

// liveLock is a held lock that a pending path depends on.
type liveLock struct {
	dir string
	ino uint64
}

// check inspects every path once. done: nothing left to wait for. alive lists the
// held locks whose holder's death would change a pending path.
func check(paths []string, opt WaitOptions) (done bool, failed []string, alive []liveLock, err error) {
	done = true
	for _, p := range paths {
		var o outcome
		var lk lockInfo
		o, lk, err = pathState(p, opt)
		if opt.Live[p] && lk.state == lockLive && o == pending {
			alive = append(alive, liveLock{filepath.Dir(p), lk.ino})
		}
		if err != nil {
			return false, nil, nil, err
		}
		switch o {
		case failedForGood:
			failed = append(failed, p)
		case pending:
			done = false
		}
	}
	if len(failed) > 0 && !opt.AnyOutcome {
		return true, failed, nil, nil
	}
	return done, failed, alive, nil
}

// pathState is the outcome of one path; lk is the lock of a live path's wrapper.
func pathState(p string, opt WaitOptions) (o outcome, lk lockInfo, err error) {
	if opt.Live[p] {
		return liveState(p)
	}
	o, err = plainState(p, opt.Content)
	return o, lk, err
}

func plainState(p string, content bool) (outcome, error) {
	if ok, err := exists(p+ErrSuffix, false); err != nil || ok {
		return failedForGood, err
	}
	if ok, err := exists(p, content); err != nil || ok {
		return satisfied, err
	}
	return pending, nil
}

// liveState is the meaning of another wrapper's status file DIR/COND (docs/CONTRACT.md):
//
//   - COND.err exists: can never happen.
//   - started, ready: true while the file exists and the lock is held. Once the wrapper
//     is dead: true if it completed (exit 0) and will not be restarted; can never happen
//     under restart policy Never; otherwise pending (the kubelet restarts it).
//   - completed: true once the file exists; a dead wrapper without it can never complete
//     under Never, and is pending (restarted) otherwise.
//   - exited: true once the file exists, or when the wrapper is dead (a death is an exit).
//
// The lock is read before the files: a restarted wrapper removes its stale files
// before it installs its new lock, so a file seen after a live lock is that wrapper's.
func liveState(p string) (o outcome, lk lockInfo, err error) {
	o, err = liveOutcome(p, &lk)
	return o, lk, err
}

func liveOutcome(p string, lkp *lockInfo) (outcome, error) {
	dir, cond := filepath.Dir(p), filepath.Base(p)
	lk, err := readLock(dir)
	*lkp = lk
	if err != nil {
		return pending, err
	}
	if ok, err := exists(p+ErrSuffix, false); err != nil || ok {
		return failedForGood, err
	}
	has := func(name string) (bool, error) { return exists(joinPath(dir, name), false) }
	switch cond {
	case FileStarted, FileReady:
		switch lk.state {
		case lockLive:
			ok, err := has(cond)
			if err == nil && ok {
				return satisfied, nil
			}
			return pending, err
		case lockDead:
			done, err := has(FileCompleted)
			switch {
			case err != nil:
				return pending, err
			case done && lk.policy != RestartAlways:
				return satisfied, nil
			case lk.policy == RestartNever:
				return failedForGood, nil
			}
		}
		return pending, nil
	case FileCompleted:
		ok, err := has(FileCompleted)
		switch {
		case err != nil:
			return pending, err
		case ok:
			return satisfied, nil
		case lk.state == lockDead && lk.policy == RestartNever:
			return failedForGood, nil
		}
		return pending, nil
	default: // exited
		ok, err := has(FileExited)
		if err != nil {
			return pending, err
		}
		if ok || lk.state == lockDead {
			return satisfied, nil
		}
		return pending, nil
	}
}

// exists stats path through symlinks. A missing file is (false, nil); a path that can
// never resolve (through a regular file, a symlink loop) or that may not be read is an
// *AccessError, so a wrong path ends the wait with an error instead of a hang.
func exists(path string, content bool) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		var errno syscall.Errno
		switch {
		case errors.Is(err, fs.ErrPermission):
			return false, &AccessError{Path: path, Err: syscall.EACCES}
		case errors.As(err, &errno) && (errno == syscall.ENOTDIR || errno == syscall.ELOOP || errno == syscall.ENAMETOOLONG):
			return false, &AccessError{Path: path, Err: errno}
		}
		return false, nil
	}
	if content && !fi.IsDir() && fi.Size() == 0 {
		// Size can be 0 for files whose size is not known in advance; read to be sure.
		f, err := os.Open(path)
		if err != nil {
			return false, nil
		}
		defer f.Close()
		var b [1]byte
		n, _ := f.Read(b[:])
		return n > 0, nil
	}
	return true, nil
}
