package entrypoint

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
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
		if failed, err, ok := w.waitInotify(ctx, paths, opt); ok {
			return failed, err
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

// inotifyHub is the process's single inotify instance, shared by every concurrent Wait
// and never closed. Closing an instance makes the kernel wait for an SRCU grace period
// (often 10-20 ms); worse, when a fork happens at that moment, the child's exec can be
// the one that drops the last reference and pays for it. One instance per process
// also keeps well inside the per-user instance limit (fs.inotify.max_user_instances).
type inotifyHub struct {
	once    sync.Once
	fd      int
	err     error
	mu      sync.Mutex
	broken  bool
	subs    map[chan struct{}]struct{}
	watched map[string]bool
}

var hub inotifyHub

func (h *inotifyHub) start() error {
	h.once.Do(func() {
		fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
		if err != nil {
			h.err = err
			return
		}
		// The descriptor is non-blocking, so the runtime poller serves it.
		f := os.NewFile(uintptr(fd), "inotify")
		if err := f.SetReadDeadline(time.Time{}); err != nil {
			f.Close()
			h.err = err
			return
		}
		h.fd = fd
		h.subs = map[chan struct{}]struct{}{}
		h.watched = map[string]bool{}
		go h.loop(f)
	})
	return h.err
}

func (h *inotifyHub) loop(f *os.File) {
	buf := make([]byte, 16*1024)
	for {
		n, err := f.Read(buf)
		h.mu.Lock()
		if err != nil {
			h.broken = true // waiters fall back to polling
		}
		// Any event may matter (the kubelet swaps a ..data symlink by rename, a missing
		// directory appears), so every waiter re-checks all its files.
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			if ev.Mask&(syscall.IN_IGNORED|syscall.IN_Q_OVERFLOW|syscall.IN_DELETE_SELF|syscall.IN_MOVE_SELF) != 0 {
				clear(h.watched) // a watched directory went away: re-resolve every watch
			}
			off += syscall.SizeofInotifyEvent + int(ev.Len)
		}
		for ch := range h.subs {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
		h.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (h *inotifyHub) subscribe() (chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}
}

// watch makes sure dir is watched. ok is false when inotify cannot serve (poll instead).
func (h *inotifyHub) watch(dir string) (ok bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.broken {
		return false, nil
	}
	if h.watched[dir] {
		return true, nil
	}
	if _, err := syscall.InotifyAddWatch(h.fd, dir, watchMask); err != nil {
		switch err {
		case syscall.EACCES:
			return true, &AccessError{Path: dir, Err: err}
		case syscall.ENOENT, syscall.ENOTDIR:
			return true, nil // vanished meanwhile; the next event or check retries
		}
		return false, nil // ENOSPC (watch limit) and friends
	}
	h.watched[dir] = true
	return true, nil
}

// waitInotify waits with inotify; ok is false when the caller should fall back to polling.
func (w *FSWaiter) waitInotify(ctx context.Context, paths []string, opt WaitOptions) (failed []string, err error, ok bool) {
	if hub.start() != nil {
		return nil, nil, false
	}
	wake, unsubscribe := hub.subscribe()
	defer unsubscribe()
	for {
		for _, p := range paths {
			if ok, err := hub.watch(nearestDir(filepath.Dir(p))); !ok || err != nil {
				return nil, err, ok
			}
		}
		// Check after the watches are in place, so nothing falls between the two.
		done, failed, err := check(paths, opt)
		if err != nil || done {
			return failed, err, true
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err(), true
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
