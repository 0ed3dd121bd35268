package entrypoint

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// FileLock is the name of the lock file in a status directory. Its wrapper holds an
// exclusive flock(2) on it for its whole life; the kernel drops the lock on any death,
// SIGKILL and the OOM killer included, so "lock present but not held" means "that
// wrapper is dead". The file is created under a temporary name, locked, then renamed,
// so that a present lock is held unless its holder died. Its content names the
// holder's restart policy, so that waiters know whether a dead wrapper comes back.
const FileLock = "lock"

// lockState is what a waiter learns from a status directory's lock.
type lockState int

const (
	lockNone lockState = iota // no lock file: the wrapper has not started yet
	lockLive                  // held: the wrapper runs
	lockDead                  // present, not held: the wrapper died or exited
)

// lockInfo is one reading of a lock.
type lockInfo struct {
	state  lockState
	policy string // the holder's -restart_policy
	ino    uint64 // the lock file's inode: a restarted wrapper's lock is a new one
}

// lockContent is what a wrapper writes into its lock.
func lockContent(policy string) string {
	return "restart_policy=" + policy + "\npid=" + strconv.Itoa(os.Getpid()) + "\n"
}

// readLock inspects dir/lock without blocking.
func readLock(dir string) (lockInfo, error) {
	p := joinPath(dir, FileLock)
	fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return lockInfo{state: lockNone}, nil
		case errors.Is(err, fs.ErrPermission):
			return lockInfo{}, &AccessError{Path: p, Err: err}
		case err == syscall.ENOTDIR || err == syscall.ELOOP:
			return lockInfo{}, &AccessError{Path: p, Err: err}
		}
		return lockInfo{state: lockNone}, nil
	}
	defer syscall.Close(fd)
	info := lockInfo{state: lockDead, policy: RestartNever}
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) == nil {
		info.ino = st.Ino
	}
	if lockHeld(fd) {
		info.state = lockLive
	}
	var buf [256]byte
	n, _ := syscall.Read(fd, buf[:])
	if n > 0 {
		for _, line := range strings.Split(string(buf[:n]), "\n") {
			if v, ok := strings.CutPrefix(line, "restart_policy="); ok {
				switch v {
				case RestartNever, RestartOnFailure, RestartAlways:
					info.policy = v
				}
			}
		}
	}
	return info, nil
}

// lockHeld tells whether a live wrapper holds the lock open on fd: a non-blocking shared
// flock fails only while the exclusive lock is held (a shared lock it gets is dropped).
func lockHeld(fd int) bool {
	err := flockRetry(fd, syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		flockRetry(fd, syscall.LOCK_UN)
	}
	return err == syscall.EWOULDBLOCK
}

func flockRetry(fd, how int) error {
	for {
		err := syscall.Flock(fd, how)
		if err != syscall.EINTR {
			return err
		}
	}
}

// awaitDeath blocks until the current holder of dir/lock releases it (by dying or
// exiting), then calls wake. It returns at once when there is no lock. A blocked
// flock is the cheapest exact death notice the kernel gives across containers: the
// shared emptyDir inode carries the lock, and no polling is needed.
func awaitDeath(dir string, wake func()) {
	fd, err := syscall.Open(joinPath(dir, FileLock), syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0)
	if err != nil {
		wake()
		return
	}
	flockRetry(fd, syscall.LOCK_SH)
	syscall.Close(fd)
	wake()
}

// heldLocks keeps the wrapper's own lock files open (and out of reach of the garbage
// collector's finalizers) for the life of the process.
var heldLocks []*os.File
