package entrypoint

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
	"unsafe"
)

// WaitOptions tune a wait.
type WaitOptions struct {
	// Content: a file only counts once it is non-empty (the downward-API gate).
	Content bool
	// AnyOutcome: a path is settled by itself or by its .err twin, and Wait returns
	// once every path is settled (used by -stop_after and -exit_with). Without it,
	// Wait returns as soon as any .err twin appears (dependencies).
	AnyOutcome bool
}

// Waiter waits for files. Real: FSWaiter; tests use fakes.
type Waiter interface {
	// Wait returns (nil, nil) when every path exists; (failed, nil) when the .err twin
	// of the listed paths exists; ctx.Err() when ctx ends first; an *AccessError when a
	// path cannot be inspected.
	Wait(ctx context.Context, paths []string, opt WaitOptions) (failed []string, err error)
}

// DefaultPollInterval is the polling fallback's period.
const DefaultPollInterval = 10 * time.Millisecond

// FSWaiter waits with inotify on the directories that hold (or will hold) the files,
// and falls back to polling every PollInterval where inotify is unavailable.
type FSWaiter struct {
	ForcePoll    bool          // STARTORDER_WAIT=poll
	PollInterval time.Duration // STARTORDER_POLL_INTERVAL, default 10ms
}

// WaiterFromEnv builds the FSWaiter configured by STARTORDER_WAIT and
// STARTORDER_POLL_INTERVAL.
func WaiterFromEnv(getenv func(string) string) (*FSWaiter, error) {
	w := &FSWaiter{PollInterval: DefaultPollInterval}
	switch v := getenv("STARTORDER_WAIT"); v {
	case "", "inotify", "auto":
	case "poll":
		w.ForcePoll = true
	default:
		return nil, usagef("STARTORDER_WAIT: %q is not inotify or poll", v)
	}
	if v := getenv("STARTORDER_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, usagef("STARTORDER_POLL_INTERVAL: %q is not a positive duration", v)
		}
		w.PollInterval = d
	}
	return w, nil
}

// check inspects every path once. done: nothing left to wait for.
func check(paths []string, opt WaitOptions) (done bool, failed []string, err error) {
	done = true
	for _, p := range paths {
		errExists, err := exists(p+ErrSuffix, false)
		if err != nil {
			return false, nil, err
		}
		if errExists {
			failed = append(failed, p)
			continue
		}
		ok, err := exists(p, opt.Content)
		if err != nil {
			return false, nil, err
		}
		if !ok {
			done = false
		}
	}
	if len(failed) > 0 && !opt.AnyOutcome {
		return true, failed, nil
	}
	return done, failed, nil
}

// exists stats path through symlinks. Only permission problems are errors.
func exists(path string, content bool) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return false, &AccessError{Path: path, Err: syscall.EACCES}
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

func (w *FSWaiter) Wait(ctx context.Context, paths []string, opt WaitOptions) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	if !w.ForcePoll {
		fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
		if err == nil {
			failed, err, ok := w.waitInotify(ctx, fd, paths, opt)
			if ok {
				return failed, err
			}
		}
	}
	return w.waitPoll(ctx, paths, opt)
}

func (w *FSWaiter) waitPoll(ctx context.Context, paths []string, opt WaitOptions) ([]string, error) {
	iv := w.PollInterval
	if iv <= 0 {
		iv = DefaultPollInterval
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		done, failed, err := check(paths, opt)
		if err != nil || done {
			return failed, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

const watchMask = syscall.IN_CREATE | syscall.IN_MOVED_TO | syscall.IN_CLOSE_WRITE | syscall.IN_ATTRIB |
	syscall.IN_MODIFY | syscall.IN_DELETE | syscall.IN_MOVED_FROM | syscall.IN_DELETE_SELF |
	syscall.IN_MOVE_SELF | syscall.IN_ONLYDIR

// waitInotify waits with inotify; ok is false when the caller should fall back to polling.
func (w *FSWaiter) waitInotify(ctx context.Context, fd int, paths []string, opt WaitOptions) (failed []string, err error, ok bool) {
	f := os.NewFile(uintptr(fd), "inotify")
	// Closing an inotify instance waits for the kernel to tear its watches down (an
	// SRCU grace period, often 10-20 ms): close in the background so that the child
	// does not start that much later.
	defer func() { go f.Close() }()
	// The descriptor is non-blocking, so f is served by the runtime poller and a read
	// deadline interrupts a blocked Read when ctx ends.
	if f.SetReadDeadline(time.Time{}) != nil {
		return nil, nil, false
	}
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	watched := map[string]bool{}
	addWatches := func() (bool, error) {
		for _, p := range paths {
			dir := nearestDir(filepath.Dir(p))
			if watched[dir] {
				continue
			}
			if _, err := syscall.InotifyAddWatch(fd, dir, watchMask); err != nil {
				if err == syscall.EACCES {
					return true, &AccessError{Path: dir, Err: err}
				}
				if err == syscall.ENOENT || err == syscall.ENOTDIR {
					continue // vanished meanwhile; the next event or check retries
				}
				return false, nil // ENOSPC (watch limit) and friends: poll instead
			}
			watched[dir] = true
		}
		return true, nil
	}
	buf := make([]byte, 16*1024)
	for {
		if ok, err := addWatches(); !ok || err != nil {
			return nil, err, ok
		}
		// Check after the watches are in place, so nothing falls between the two.
		done, failed, err := check(paths, opt)
		if err != nil || done {
			return failed, err, true
		}
		n, err := f.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err(), true
			}
			return nil, nil, false
		}
		// Any event may matter (the kubelet swaps a ..data symlink by rename, a
		// missing directory appears), so re-check everything; only bookkeeping here.
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			if ev.Mask&(syscall.IN_IGNORED|syscall.IN_Q_OVERFLOW|syscall.IN_DELETE_SELF|syscall.IN_MOVE_SELF) != 0 {
				clear(watched) // a watched directory went away: re-resolve every watch
			}
			off += syscall.SizeofInotifyEvent + int(ev.Len)
		}
	}
}

// nearestDir returns dir, or its nearest existing ancestor when dir does not exist yet
// (for example /startorder/run/<dep> before the dependency's wrapper created it).
func nearestDir(dir string) string {
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}
