package entrypoint

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// Live marks paths that are another wrapper's status files (DIR/started, ready,
	// completed, exited). Their meaning follows DIR/lock; see liveState.
	Live map[string]bool
}

// Waiter waits for files. Real: FSWaiter; tests use fakes.
type Waiter interface {
	// Wait returns (nil, nil) when every path exists; (failed, nil) when the listed
	// paths can never happen (their .err twin exists, or their wrapper died for good);
	// ctx.Err() when ctx ends first; an *AccessError when a path cannot be inspected.
	Wait(ctx context.Context, paths []string, opt WaitOptions) (failed []string, err error)
}

// DefaultPollInterval is the polling fallback's period.
const DefaultPollInterval = 10 * time.Millisecond

// DefaultRecheck is the safety net of the inotify mode: every waiter re-checks its
// files this often even without an event, so a lost event costs a second, not a hang.
const DefaultRecheck = time.Second

// FSWaiter waits with inotify on the directories that hold (or will hold) the files,
// and falls back to polling every PollInterval where inotify is unavailable.
type FSWaiter struct {
	ForcePoll    bool          // STARTORDER_WAIT=poll
	PollInterval time.Duration // STARTORDER_POLL_INTERVAL, default 10ms
	Recheck      time.Duration // inotify mode's safety-net re-check; 0 = DefaultRecheck, <0 = none
	Log          io.Writer     // where the fallback to polling is announced (once)

	// BeforeWatch, when set, runs between resolving the directory to watch and adding
	// its watch: tests use it to create a directory in exactly that window.
	BeforeWatch func(dir string)

	hub          *inotifyHub // nil: the process's hub (tests give a waiter one of its own)
	fallbackOnce sync.Once
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
		if opt.Live[p] {
			var lk lockInfo
			o, lk, err = liveState(p)
			if lk.state == lockLive && o == pending {
				alive = append(alive, liveLock{filepath.Dir(p), lk.ino})
			}
		} else {
			o, err = plainState(p, opt.Content)
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

func (w *FSWaiter) Wait(ctx context.Context, paths []string, opt WaitOptions) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	if !w.ForcePoll {
		failed, err, why := w.waitInotify(ctx, paths, opt)
		if why == "" {
			return failed, err
		}
		w.fallbackOnce.Do(func() {
			if w.Log != nil {
				fmt.Fprintf(w.Log, "startorder-entrypoint: inotify unavailable (%s): polling every %s\n", why, w.pollInterval())
			}
		})
	}
	return w.waitPoll(ctx, paths, opt)
}

func (w *FSWaiter) pollInterval() time.Duration {
	if w.PollInterval <= 0 {
		return DefaultPollInterval
	}
	return w.PollInterval
}

func (w *FSWaiter) waitPoll(ctx context.Context, paths []string, opt WaitOptions) ([]string, error) {
	t := time.NewTicker(w.pollInterval())
	defer t.Stop()
	for {
		done, failed, _, err := check(paths, opt)
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
// Events are routed by watch descriptor to the waiters that watch that directory.
type inotifyHub struct {
	init   func(flags int) (int, error) // nil: syscall.InotifyInit1
	once   sync.Once
	fd     int
	err    error
	mu     sync.Mutex
	broken bool
	subs   map[int32]map[chan struct{}]struct{}
}

var processHub inotifyHub

func (h *inotifyHub) start() error {
	h.once.Do(func() {
		initFn := h.init
		if initFn == nil {
			initFn = syscall.InotifyInit1
		}
		fd, err := initFn(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
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
		h.subs = map[int32]map[chan struct{}]struct{}{}
		go h.loop(f)
	})
	return h.err
}

func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (h *inotifyHub) loop(f *os.File) {
	buf := make([]byte, 64*1024)
	for {
		n, err := f.Read(buf)
		h.mu.Lock()
		if err != nil {
			h.broken = true // waiters fall back to polling
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			off += syscall.SizeofInotifyEvent + int(ev.Len)
			if ev.Mask&syscall.IN_Q_OVERFLOW != 0 || err != nil {
				for _, set := range h.subs {
					for ch := range set {
						wake(ch)
					}
				}
				continue
			}
			// Any event in a watched directory may matter (the kubelet swaps a ..data
			// symlink by rename, a missing directory appears, a lock holder closes its
			// lock on death), so its waiters re-check all their files.
			for ch := range h.subs[ev.Wd] {
				wake(ch)
			}
			if ev.Mask&syscall.IN_IGNORED != 0 {
				delete(h.subs, ev.Wd) // the directory went away; its waiters re-resolve
			}
		}
		if err != nil {
			for _, set := range h.subs {
				for ch := range set {
					wake(ch)
				}
			}
		}
		h.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// watch adds a watch on dir for the waiter ch. ok is false when inotify cannot serve
// (poll instead); why says why. inotify_add_watch is called every time: it returns the
// existing descriptor for an inode already watched, and a new one for a directory that
// was deleted and created again, which a cache by path would miss.
func (h *inotifyHub) watch(dir string, ch chan struct{}) (wd int32, why string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.broken {
		return -1, "reading events failed", nil
	}
	w, err := syscall.InotifyAddWatch(h.fd, dir, watchMask)
	if err != nil {
		switch err {
		case syscall.EACCES:
			return -1, "", &AccessError{Path: dir, Err: err}
		case syscall.ENOENT, syscall.ENOTDIR:
			return -1, "", nil // vanished meanwhile; the re-resolution retries
		case syscall.ENOSPC:
			return -1, "the inotify watch limit fs.inotify.max_user_watches is reached", nil
		}
		return -1, "inotify_add_watch: " + err.Error(), nil
	}
	wd = int32(w)
	set := h.subs[wd]
	if set == nil {
		set = map[chan struct{}]struct{}{}
		h.subs[wd] = set
	}
	set[ch] = struct{}{}
	return wd, "", nil
}

func (h *inotifyHub) unsubscribe(ch chan struct{}, wds map[int32]bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for wd := range wds {
		if set := h.subs[wd]; set != nil {
			delete(set, ch)
			if len(set) == 0 {
				delete(h.subs, wd)
			}
		}
	}
}

// waitInotify waits with inotify; a non-empty why means: fall back to polling.
func (w *FSWaiter) waitInotify(ctx context.Context, paths []string, opt WaitOptions) (failed []string, err error, why string) {
	hub := w.hub
	if hub == nil {
		hub = &processHub
	}
	if err := hub.start(); err != nil {
		return nil, nil, "inotify_init1: " + err.Error()
	}
	ch := make(chan struct{}, 1)
	wds := map[int32]bool{}
	defer hub.unsubscribe(ch, wds)
	recheck := w.Recheck
	if recheck == 0 {
		recheck = DefaultRecheck
	}
	var tick <-chan time.Time
	if recheck > 0 {
		t := time.NewTicker(recheck)
		defer t.Stop()
		tick = t.C
	}
	deathWatched := map[liveLock]bool{}
	dirs := make([]string, len(paths))
	for {
		// Watch the nearest existing directory of every path, then resolve again: a
		// directory created between the resolution and its parent's watch would not be
		// reported by that watch, so repeat until the resolution stops changing. Only
		// then check, so that nothing falls between the watches and the check.
		for round := 0; ; round++ {
			for i, p := range paths {
				dirs[i] = nearestDir(filepath.Dir(p))
				if w.BeforeWatch != nil {
					w.BeforeWatch(dirs[i])
				}
				wd, why, err := hub.watch(dirs[i], ch)
				if why != "" || err != nil {
					return nil, err, why
				}
				if wd >= 0 {
					wds[wd] = true
				}
			}
			stable := true
			for i, p := range paths {
				if nearestDir(filepath.Dir(p)) != dirs[i] {
					stable = false
				}
			}
			if stable || round > 64 {
				break
			}
		}
		done, failed, alive, err := check(paths, opt)
		if err != nil || done {
			return failed, err, ""
		}
		for _, l := range alive {
			if !deathWatched[l] {
				// Block on the lock in the background: its holder's death wakes us at
				// once. The goroutine ends with that holder, not with this Wait.
				deathWatched[l] = true
				go awaitDeath(l.dir, func() { wake(ch) })
			}
		}
		select {
		case <-ch:
		case <-tick:
		case <-ctx.Done():
			return nil, ctx.Err(), ""
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
