package entrypoint

import (
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

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

// WatchHub delivers the events of watched directories to waits (FSWaiter.Hub). The
// real one is the process's inotify instance; tests can give a fake.
type WatchHub interface {
	// Start makes the hub usable; an error means: no inotify, poll instead.
	Start() error
	// Watch adds a watch on dir whose events wake wake. wd < 0 with an empty why: the
	// directory vanished meanwhile (resolve again). A non-empty why: poll instead.
	Watch(dir string, wake chan struct{}) (wd int32, why string, err error)
	// Unwatch stops waking wake for the watches wds.
	Unwatch(wake chan struct{}, wds map[int32]bool)
}

var processHub inotifyHub

func (h *inotifyHub) Start() error {
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

// Watch adds a watch on dir for the waiter ch. ok is false when inotify cannot serve
// (poll instead); why says why. inotify_add_watch is called every time: it returns the
// existing descriptor for an inode already watched, and a new one for a directory that
// was deleted and created again, which a cache by path would miss.
func (h *inotifyHub) Watch(dir string, ch chan struct{}) (wd int32, why string, err error) {
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

func (h *inotifyHub) Unwatch(ch chan struct{}, wds map[int32]bool) {
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
